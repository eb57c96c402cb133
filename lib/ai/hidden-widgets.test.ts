import { kpiValue, markValues } from "@/lib/testing/answer-values";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeAnalytics } from "@/lib/analytics/engine";
import type { EventRow } from "@/lib/analytics/event-row";
import { ensureDemoDashboard } from "@/lib/dashboards/demo-dashboard";
import { resolveTimeRange } from "@/lib/query/time-range";
import { loadDemoFixture } from "@/lib/testing/analytics-fixture";
import { callEmbed, openTestEmbed } from "@/lib/testing/embed-session";
import { migrateTestDatabase } from "@/lib/testing/test-db";
import { POST as answerRoute } from "@/app/api/embed/answer/route";
import { POST as askRoute } from "@/app/api/embed/ask/route";
import { POST as createViewRoute } from "@/app/api/embed/views/route";
import { GET as openViewRoute } from "@/app/api/embed/views/[id]/route";

// Hidden means hidden for AI answers and saved views: with the demo's Revenue
// widget hidden, no question, re-run or saved answer of that session gives the
// revenue, while what the session can see is still answered. Real handlers,
// the built-in offline provider, real chdb and SQLite.

let rows: EventRow[];
const now = new Date();

const REVENUE_SPEC = { kind: "chart", id: "rev", title: "Revenue", chart: "kpi", metrics: [{ id: "value_sum", event: "order_completed" }], filters: [], time_range: { kind: "last_30_days" } };

/** acme's revenue over a period, summed here from the fixture rows. */
function revenue(from: Date, to: Date): number {
  return rows
    .filter((r) => r.tenant_id === "acme" && r.name === "order_completed")
    .filter((r) => {
      const t = Date.parse(`${r.ts.replace(" ", "T")}Z`);
      return t >= from.getTime() && t < to.getTime();
    })
    .reduce((sum, r) => sum + (r.value ?? 0), 0);
}

beforeAll(async () => {
  migrateTestDatabase();
  ({ rows } = await loadDemoFixture(8_000));
  await ensureDemoDashboard();
});
afterAll(() => closeAnalytics());

async function openViewRequest(token: string, id: string) {
  const res = await openViewRoute(new Request(`http://test/api/embed/views/${id}`, { headers: { authorization: `Bearer ${token}` } }), { params: Promise.resolve({ id }) });
  return { status: res.status, body: await res.json() };
}

describe("AI answers with the Revenue widget hidden", () => {
  const { from, to } = resolveTimeRange({ kind: "last_30_days" }, "UTC", now);
  const current = () => revenue(from, to);
  const previous = () => revenue(new Date(from.getTime() - (to.getTime() - from.getTime())), from);
  const figures = () => [current(), previous()].filter((v) => v > 0).map((v) => String(Math.floor(v)));

  it("answers 'revenue last 30 days' when nothing is hidden (so the figure below is the real one)", async () => {
    const open = (await openTestEmbed("acme", { permissions: { allow_ai: true } })).dataToken;
    const res = await callEmbed(askRoute, open, { question: "revenue last 30 days" });
    expect(res.body.status).toBe("answered");
    expect(kpiValue(res.body.answer.html)).toBeCloseTo(current(), 2);
    expect(current()).toBeGreaterThan(0);
  });

  it("refuses it when Revenue is hidden, and the body holds no revenue figure and names no widget or metric", async () => {
    const hidden = (await openTestEmbed("acme", { permissions: { allow_ai: true, hidden_widgets: ["revenue"] } })).dataToken;
    for (const question of ["revenue last 30 days", "average order value last 90 days", "revenue by country"]) {
      const res = await callEmbed(askRoute, hidden, { question });
      expect(res.status, question).toBe(200);
      expect(res.body.status, question).toBe("refused");
      const text = JSON.stringify(res.body);
      for (const figure of figures()) expect(text, question).not.toContain(figure);
      expect(res.body.message).not.toMatch(/revenue|value|order|sum/i);
    }
  });

  it("still answers what the session can see", async () => {
    const hidden = (await openTestEmbed("acme", { permissions: { allow_ai: true, hidden_widgets: ["revenue"] } })).dataToken;
    const signups = await callEmbed(askRoute, hidden, { question: "signups by country" });
    expect(signups.body.status).toBe("answered");
    const byCountry = markValues(signups.body.answer.html);
    const want: Record<string, number> = {};
    for (const r of rows) {
      const t = Date.parse(`${r.ts.replace(" ", "T")}Z`);
      if (r.tenant_id === "acme" && r.name === "signup" && t >= from.getTime() && t < to.getTime()) want[r.properties.country] = (want[r.properties.country] ?? 0) + 1;
    }
    expect(byCountry).toEqual(want);
    const orders = await callEmbed(askRoute, hidden, { question: "orders last 30 days" });
    expect(orders.body.status).toBe("answered");
  });

  it("refuses a re-run of a revenue answer", async () => {
    const hidden = (await openTestEmbed("acme", { permissions: { allow_ai: true, hidden_widgets: ["revenue"] } })).dataToken;
    const res = await callEmbed(answerRoute, hidden, { question: "revenue last 30 days", spec: REVENUE_SPEC });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe("forbidden");
    for (const figure of figures()) expect(JSON.stringify(res.body)).not.toContain(figure);
  });

  it("drops a saved revenue answer with a notice when the view is opened by such a session", async () => {
    const saver = (await openTestEmbed("acme", { userId: "u-saver", permissions: { allow_ai: true } })).dataToken;
    const answers = [
      { id: "rev", question: "What was our turnover?", spec: REVENUE_SPEC },
      { id: "sig", question: "Signups by country?", spec: { ...REVENUE_SPEC, id: "sig", title: "Signups", chart: "bar", metrics: [{ id: "event_count", event: "signup" }], breakdown: "country" } },
    ];
    const created = await callEmbed(createViewRoute, saver, { name: "money", state: { ai_answers: answers }, shared: true });
    expect(created.status).toBe(201);
    const id = created.body.view.id;
    // The saver's own session keeps both.
    expect((await openViewRequest(saver, id)).body.state.ai_answers.map((a: { id: string }) => a.id)).toEqual(["rev", "sig"]);

    const hidden = (await openTestEmbed("acme", { userId: "u-other", permissions: { allow_ai: true, hidden_widgets: ["revenue"] } })).dataToken;
    const opened = await openViewRequest(hidden, id);
    expect(opened.status).toBe(200);
    expect(opened.body.state.ai_answers.map((a: { id: string }) => a.id)).toEqual(["sig"]);
    expect(opened.body.notices).toEqual([{ code: "ai_answer_dropped", answer_id: "rev", message: "The AI answer to “What was our turnover?” can no longer be shown here, so it was left out." }]);
  });
});
