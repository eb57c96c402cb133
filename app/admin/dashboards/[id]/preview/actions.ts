"use server";

import { askAsAdmin } from "@/lib/ai/admin-ask";
import { suggestFromLog } from "@/lib/ai/review";
import { AskInput } from "@/lib/ai/ask";
import { requireAction } from "@/lib/auth/admin-session";
import type { PreviewTarget } from "@/lib/dashboards/preview";
import { AppError } from "@/lib/errors";

// Bound to one preview target by the page. (The dashboard itself reads through /api/embed/* with a preview token.)

/** Ask as the previewed tenant, with the debug view; errors come back as messages. */
export async function adminAskAction(target: PreviewTarget, input: { question: string; mode: "spec" | "sql" }) {
  const admin = await requireAction("app/admin/dashboards/[id]/preview/actions.ts#adminAskAction", `/admin/dashboards/${target.dashboardId}/preview`);
  const parsed = AskInput.safeParse({ question: input.question });
  if (!parsed.success) return { status: "error" as const, message: parsed.error.issues[0].message };
  try {
    return await askAsAdmin(admin, { dashboardId: target.dashboardId, tenantId: target.tenantId, permissions: target.permissions }, parsed.data.question, input.mode === "sql" ? "sql" : "spec");
  } catch (err) {
    if (err instanceof AppError) return { status: "error" as const, message: err.message };
    throw err;
  }
}

export async function adminSuggestAction(target: PreviewTarget, input: { logId: string }) {
  const admin = await requireAction("app/admin/dashboards/[id]/preview/actions.ts#adminSuggestAction", `/admin/dashboards/${target.dashboardId}/preview`);
  try {
    return { ok: true as const, id: await suggestFromLog({ logId: input.logId, tenantId: target.tenantId, source: "admin", requestedBy: admin.actor }) };
  } catch (err) {
    if (err instanceof AppError) return { ok: false as const, message: err.message };
    throw err;
  }
}
