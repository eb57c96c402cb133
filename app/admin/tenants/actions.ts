"use server";

import { revalidatePath } from "next/cache";
import { z } from "zod";
import { requireAction } from "@/lib/auth/admin-session";
import { revokeTenantSessions } from "@/lib/embed/sessions";
import { TenantId } from "@/lib/tenant-id";

export type RevokeTenantState = { status: "idle" } | { status: "revoked" | "error"; message: string };

const RevokeTenantInput = z.object({ tenant_id: TenantId });

/** Revokes every session of one tenant (a cutoff: sessions minted afterwards work). Audited by revokeTenantSessions. */
export async function revokeTenantSessionsAction(_prev: RevokeTenantState, form: FormData): Promise<RevokeTenantState> {
  const admin = await requireAction("app/admin/tenants/actions.ts#revokeTenantSessionsAction", "/admin/tenants");
  const parsed = RevokeTenantInput.safeParse({ tenant_id: form.get("tenant_id") });
  if (!parsed.success) return { status: "error", message: `Nothing was revoked: ${parsed.error.issues[0].message}.` };
  const tenant = parsed.data.tenant_id;
  const { sessions_revoked: n } = await revokeTenantSessions(tenant, admin.actor);
  revalidatePath("/admin/tenants");
  return { status: "revoked", message: `Revoked ${n} session${n === 1 ? "" : "s"} of ${tenant}. Sessions minted from now on work.` };
}
