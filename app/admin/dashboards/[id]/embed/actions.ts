"use server";

import { revalidatePath } from "next/cache";
import { requireAction } from "@/lib/auth/admin-session";
import { setAllowedOrigins } from "@/lib/dashboards/allowed-origins";
import { AllowedOrigins } from "@/lib/embed/origins";
import { createEmbedSession } from "@/lib/embed/sessions";
import { AppError } from "@/lib/errors";

export type OriginsState = { status: "idle" } | { status: "saved"; origins: string[] } | { status: "error"; message: string };
export type MintState = { status: "idle" } | { status: "minted"; embed_url: string; session_id: string; expires_at: string } | { status: "error"; message: string };

export async function saveOriginsAction(dashboardId: string, _prev: OriginsState, form: FormData): Promise<OriginsState> {
  const admin = await requireAction("app/admin/dashboards/[id]/embed/actions.ts#saveOriginsAction", `/admin/dashboards/${dashboardId}/embed`);
  const lines = String(form.get("origins") ?? "").split(/\s+/).map((l) => l.trim()).filter(Boolean);
  const parsed = AllowedOrigins.safeParse(lines);
  if (!parsed.success) return { status: "error", message: parsed.error.issues[0].message };
  const origins = await setAllowedOrigins(dashboardId, parsed.data, admin.actor);
  revalidatePath(`/admin/dashboards/${dashboardId}/embed`);
  return { status: "saved", origins };
}

/** A real embed session minted by the admin, to try the embed exactly as a host would show it. */
export async function mintTestSessionAction(dashboardId: string, _prev: MintState, form: FormData): Promise<MintState> {
  const admin = await requireAction("app/admin/dashboards/[id]/embed/actions.ts#mintTestSessionAction", `/admin/dashboards/${dashboardId}/embed`);
  const lockDim = String(form.get("lock_dim") ?? "");
  const lockValues = String(form.get("lock_values") ?? "").split(",").map((v) => v.trim()).filter(Boolean);
  const permissions = {
    ...(lockDim && lockValues.length ? { locked_filters: { [lockDim]: lockValues } } : {}),
    allow_export: form.get("allow_export") === "on",
  };
  const locale = String(form.get("locale") ?? "").trim();
  try {
    const session = await createEmbedSession(
      { tenant_id: String(form.get("tenant") ?? "").trim(), dashboard_id: dashboardId, expires_in: Number(form.get("ttl") || 3600), permissions, ...(locale ? { locale } : {}) },
      { actor: admin.actor, assertTenant: () => {} },
    );
    return { status: "minted", embed_url: session.embed_url, session_id: session.session_id, expires_at: session.expires_at };
  } catch (err) {
    if (err instanceof AppError) return { status: "error", message: err.message };
    throw err;
  }
}
