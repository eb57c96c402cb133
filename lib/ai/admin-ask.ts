import "server-only";
import { ask } from "@/lib/ai/ask";
import { enqueueForReview } from "@/lib/ai/review";
import { recordAudit } from "@/lib/audit";
import type { AdminContext } from "@/lib/auth/admin-session";
import { getDb } from "@/lib/db";
import { getDraft } from "@/lib/dashboards/drafts";
import type { Permissions } from "@/lib/embed/permissions";
import { AppError } from "@/lib/errors";
import { scopeForAdminPreview } from "@/lib/query/scope";
import { ChartWidget } from "@/lib/query/widget-spec";

// Admins ask as a tenant from the preview page: the same path customers use,
// plus a debug view (prompt, raw output, spec, effective SQL, stats) and an
// SQL mode whose output must pass the guard. Audited like every preview.

export type AdminAskTarget = { dashboardId: string; tenantId: string; permissions: Permissions };

export async function askAsAdmin(admin: AdminContext, target: AdminAskTarget, question: string, mode: "spec" | "sql") {
  const draft = await getDraft(target.dashboardId);
  const scope = scopeForAdminPreview({ kind: "admin", admin }, target.tenantId);
  await recordAudit({ actor: admin.actor, action: "ai.ask_as_tenant", target: target.tenantId, meta: { dashboard_id: target.dashboardId, mode, question } });
  return ask(
    { scope, permissions: { ...target.permissions, allow_ai: true }, timezone: draft.definition.timezone, log: { actor: admin.actor, source: "admin", dashboardId: target.dashboardId } },
    question,
    { mode, debug: true },
  );
}

/** Puts an answered question (by its AI log id) in the review queue. */
export async function suggestFromLog(input: { logId: string; tenantId: string; source: "customer" | "admin"; requestedBy: string; sessionId?: string }): Promise<string> {
  const entry = await getDb().aiLog.findUnique({ where: { id: input.logId } });
  // Another tenant's (or session's) log id is answered like an unknown one.
  if (!entry || entry.tenantId !== input.tenantId || entry.outcome !== "answered" || (input.sessionId && entry.sessionId !== input.sessionId)) {
    throw new AppError("not_found", "There is no such answer to suggest.");
  }
  const widget = entry.sql
    ? { kind: "sql" as const, id: "suggested", title: entry.question.slice(0, 200), chart: "table" as const, sql: entry.sql }
    : ChartWidget.parse(JSON.parse(entry.spec ?? "null"));
  return enqueueForReview({ source: input.source, tenantId: entry.tenantId, question: entry.question, widget, requestedBy: input.requestedBy });
}
