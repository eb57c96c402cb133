import "server-only";
import { ask } from "@/lib/ai/ask";
import { recordAudit } from "@/lib/audit";
import type { AdminContext } from "@/lib/auth/admin-session";
import { getDraft } from "@/lib/dashboards/drafts";
import type { Permissions } from "@/lib/query/permissions";
import type { DashboardReader } from "@/lib/query/run-dashboard";
import { scopeForAdminPreview } from "@/lib/query/scope";

// Admins ask as a tenant from the preview page: the same path customers use,
// plus a debug view (prompt, raw output, spec, effective SQL, stats) and an
// SQL mode whose output must pass the guard. Audited like every preview.

export type AdminAskTarget = { dashboardId: string; tenantId: string; permissions: Permissions };

export async function askAsAdmin(admin: AdminContext, target: AdminAskTarget, question: string, mode: "spec" | "sql") {
  const draft = await getDraft(target.dashboardId);
  const scope = scopeForAdminPreview({ kind: "admin", admin }, target.tenantId);
  const reader: DashboardReader = {
    scope,
    permissions: { ...target.permissions, allow_ai: true },
    source: { dashboardId: target.dashboardId, versionKey: `draft:${draft.revision}`, definition: draft.definition },
    audience: "admin",
    cache: false,
  };
  await recordAudit({ actor: admin.actor, action: "ai.ask_as_tenant", target: target.tenantId, meta: { dashboard_id: target.dashboardId, mode, question } });
  return ask(
    { reader, log: { actor: admin.actor, source: "admin", dashboardId: target.dashboardId } },
    question,
    { mode, debug: true },
  );
}
