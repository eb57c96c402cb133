"use server";

import { revalidatePath } from "next/cache";
import { requireAction } from "@/lib/auth/admin-session";
import { setAllowedOrigins } from "@/lib/dashboards/allowed-origins";
import { AllowedOrigins } from "@/lib/embed/origins";
import { createEmbedSession } from "@/lib/embed/sessions";
import { mintableWidgets } from "@/lib/embed/mintable-widgets";
import { parseTestSessionForm } from "@/lib/embed/test-session-form";
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

/**
 * A real embed session minted by the admin, to try the embed exactly as a host
 * would show it. The form is parsed by the API's own schema: a refusal is
 * shown and nothing is minted.
 */
export async function mintTestSessionAction(dashboardId: string, _prev: MintState, form: FormData): Promise<MintState> {
  const admin = await requireAction("app/admin/dashboards/[id]/embed/actions.ts#mintTestSessionAction", `/admin/dashboards/${dashboardId}/embed`);
  try {
    const parsed = parseTestSessionForm(form, { dashboardId, widgetIds: (await mintableWidgets(dashboardId)).map((w) => w.id) });
    if (!parsed.ok) return { status: "error", message: parsed.message };
    const session = await createEmbedSession(parsed.input, { actor: admin.actor, assertTenant: () => {} });
    return { status: "minted", embed_url: session.embed_url, session_id: session.session_id, expires_at: session.expires_at };
  } catch (err) {
    if (err instanceof AppError) return { status: "error", message: err.message };
    throw err;
  }
}
