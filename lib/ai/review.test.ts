import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recordAiLog } from "@/lib/ai/ai-log";
import { addToDashboard, decideReviewItem, enqueueForReview, listReviewItems, suggestFromLog } from "@/lib/ai/review";
import { closeAnalytics, getAnalytics } from "@/lib/analytics/engine";
import { ensureAnalyticsSchema } from "@/lib/analytics/schema";
import { createDashboard, getDraft } from "@/lib/dashboards/drafts";
import { getDb } from "@/lib/db";
import { migrateTestDatabase } from "@/lib/testing/test-db";

// Only approved answers reach a dashboard draft; SQL is guarded on approval;
// one tenant's answer ids are unknown to another tenant.

const spec = { kind: "chart" as const, id: "answer", title: "Signups by country", chart: "bar" as const, metrics: [{ id: "event_count" as const, event: "signup" }], breakdown: "country", filters: [], time_range: { kind: "last_30_days" as const } };
let dashboardId: string;

beforeAll(async () => {
  migrateTestDatabase();
  await ensureAnalyticsSchema(getAnalytics());
  dashboardId = await createDashboard({ name: "Answers", actor: "admin:a@b.co" });
});
afterAll(() => closeAnalytics());

describe("the review queue", () => {
  it("adds only approved answers to a draft, below the other widgets, and audits it", async () => {
    const id = await enqueueForReview({ source: "customer", tenantId: "acme", question: "signups by country", widget: spec, requestedBy: "embed:ses_1" });
    await expect(addToDashboard({ id, dashboardId }, "admin:a@b.co")).rejects.toThrow(/Only approved answers/);
    await decideReviewItem({ id, decision: "approved", note: "useful" }, "admin:a@b.co");
    const { widgetId } = await addToDashboard({ id, dashboardId }, "admin:a@b.co");
    const draft = await getDraft(dashboardId);
    expect(draft.definition.widgets.map((w) => w.id)).toEqual([widgetId]);
    expect(draft.definition.layout).toEqual([{ widget_id: widgetId, x: 0, y: 0, w: 12, h: 4 }]);
    expect((await listReviewItems("approved")).find((i) => i.id === id)?.addedTo).toBe(dashboardId);
    const audit = await getDb().auditLog.findMany({ where: { action: { startsWith: "ai_review." } } });
    expect(audit.map((a) => a.action)).toEqual(["ai_review.approve", "ai_review.add_to_dashboard"]);
  });

  it("refuses to approve SQL the guard rejects, and rejected items stay out of drafts", async () => {
    const bad = await enqueueForReview({ source: "admin", tenantId: "acme", question: "q", widget: { kind: "sql", id: "s", title: "t", chart: "table", sql: "SELECT tenant_id FROM events" }, requestedBy: "admin:a@b.co" });
    await expect(decideReviewItem({ id: bad, decision: "approved" }, "admin:a@b.co")).rejects.toThrow(/cannot be approved: .*tenant column/);
    await decideReviewItem({ id: bad, decision: "rejected" }, "admin:a@b.co");
    await expect(addToDashboard({ id: bad, dashboardId }, "admin:a@b.co")).rejects.toThrow(/Only approved/);
  });

  it("takes answers by log id only from the same tenant (and session, for customers)", async () => {
    const base = { actor: "embed:ses_a", source: "embed" as const, mode: "spec" as const, question: "signups by country", provider: "offline", latencyMs: 3 };
    const log = await recordAiLog({ ...base, tenantId: "acme", sessionId: "ses_a", outcome: "answered", spec });
    for (const other of [{ tenantId: "acme2" }, { tenantId: "ACME" }, { tenantId: "acme", sessionId: "ses_b" }]) {
      await expect(suggestFromLog({ logId: log, source: "customer", requestedBy: "x", ...other }), JSON.stringify(other)).rejects.toThrow("There is no such answer to suggest.");
    }
    const refused = await recordAiLog({ ...base, tenantId: "acme", sessionId: "ses_a", outcome: "refused" });
    await expect(suggestFromLog({ logId: refused, tenantId: "acme", sessionId: "ses_a", source: "customer", requestedBy: "x" })).rejects.toThrow(/no such answer/);
    const id = await suggestFromLog({ logId: log, tenantId: "acme", sessionId: "ses_a", source: "customer", requestedBy: "embed:ses_a" });
    expect(await suggestFromLog({ logId: log, tenantId: "acme", sessionId: "ses_a", source: "customer", requestedBy: "embed:ses_a" })).toBe(id);
    expect((await listReviewItems("pending")).find((i) => i.id === id)).toMatchObject({ tenantId: "acme", question: "signups by country", source: "customer" });
  });
});
