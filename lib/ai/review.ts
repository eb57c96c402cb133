import "server-only";
import crypto from "node:crypto";
import { z } from "zod";
import { recordAudit } from "@/lib/audit";
import { getDb } from "@/lib/db";
import { getDraft, saveDraft } from "@/lib/dashboards/drafts";
import { AppError } from "@/lib/errors";
import { guardSql } from "@/lib/query/guard";
import { ChartWidget, SqlWidget, Widget } from "@/lib/query/widget-spec";

// The review queue: AI answers customers saved, or admins want as widgets,
// wait here. Only an approved item can be added to a dashboard draft, and
// publish checks it again like any widget (the guard re-runs for SQL).

export type ReviewStatus = "pending" | "approved" | "rejected";

export async function enqueueForReview(input: { source: "customer" | "admin"; tenantId: string; question: string; widget: ChartWidget | SqlWidget; requestedBy: string; aiLogId?: string }): Promise<string> {
  const widget = Widget.parse(input.widget);
  if (input.aiLogId) {
    // Saving the same answer again (another view, another click) does not queue it twice.
    const existing = await getDb().aiReviewItem.findUnique({ where: { aiLogId: input.aiLogId } });
    if (existing) return existing.id;
  }
  const id = `rev_${crypto.randomBytes(8).toString("hex")}`;
  await getDb().aiReviewItem.create({ data: { id, source: input.source, tenantId: input.tenantId, question: input.question.slice(0, 500), widget: JSON.stringify(widget), requestedBy: input.requestedBy, aiLogId: input.aiLogId ?? null } });
  return id;
}

export async function listReviewItems(status?: ReviewStatus) {
  const rows = await getDb().aiReviewItem.findMany({ where: status ? { status } : {}, orderBy: { createdAt: "desc" }, take: 200 });
  return rows.map((r) => ({ ...r, widget: Widget.parse(JSON.parse(r.widget)) }));
}

export const ReviewDecision = z.object({ id: z.string().min(1).max(64), decision: z.enum(["approved", "rejected"]), note: z.string().max(500).default("") }).strict();

export async function decideReviewItem(input: z.input<typeof ReviewDecision>, actor: string): Promise<void> {
  const { id, decision, note } = ReviewDecision.parse(input);
  const item = await getDb().aiReviewItem.findUnique({ where: { id } });
  if (!item) throw new AppError("not_found", `No review item has the id "${id}".`);
  if (decision === "approved") {
    const widget = Widget.parse(JSON.parse(item.widget));
    if (widget.kind === "sql") {
      const verdict = await guardSql(widget.sql);
      if (!verdict.ok) throw new AppError("validation_failed", `The SQL cannot be approved: ${verdict.reason}`);
    }
  }
  await getDb().aiReviewItem.update({ where: { id }, data: { status: decision, note, reviewedBy: actor, reviewedAt: new Date() } });
  await recordAudit({ actor, action: `ai_review.${decision === "approved" ? "approve" : "reject"}`, target: id, meta: { tenant_id: item.tenantId, note } });
}

/** Appends an approved item to a dashboard's draft as a new widget, below the others. */
export async function addToDashboard(input: { id: string; dashboardId: string }, actor: string): Promise<{ widgetId: string }> {
  const item = await getDb().aiReviewItem.findUnique({ where: { id: input.id } });
  if (!item) throw new AppError("not_found", `No review item has the id "${input.id}".`);
  if (item.status !== "approved") throw new AppError("forbidden", "Only approved answers can be added to a dashboard. Approve it first.");
  const draft = await getDraft(input.dashboardId);
  const widgetId = `ai-${crypto.randomBytes(3).toString("hex")}`;
  const widget = { ...Widget.parse(JSON.parse(item.widget)), id: widgetId };
  const bottom = Math.max(0, ...draft.definition.layout.map((l) => l.y + l.h));
  const definition = { ...draft.definition, widgets: [...draft.definition.widgets, widget], layout: [...draft.definition.layout, { widget_id: widgetId, x: 0, y: bottom, w: 12, h: 4 }] };
  const saved = await saveDraft({ id: draft.id, revision: draft.revision, name: draft.name, definition, actor });
  if (!saved.ok) throw new AppError(saved.conflict ? "conflict" : "validation_failed", saved.conflict ? "The draft changed just now; try again." : saved.error);
  await getDb().aiReviewItem.update({ where: { id: item.id }, data: { addedTo: draft.id } });
  await recordAudit({ actor, action: "ai_review.add_to_dashboard", target: draft.id, meta: { review_item: item.id, widget_id: widgetId } });
  return { widgetId };
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
  return enqueueForReview({ source: input.source, tenantId: entry.tenantId, question: entry.question, widget, requestedBy: input.requestedBy, aiLogId: entry.id });
}
