import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { closeAnalytics } from "@/lib/analytics/engine";
import { ensureDemoDashboard } from "@/lib/dashboards/demo-dashboard";
import { getDb } from "@/lib/db";
import { loadDemoFixture } from "@/lib/testing/analytics-fixture";
import { callEmbed, openTestEmbed } from "@/lib/testing/embed-session";
import { migrateTestDatabase } from "@/lib/testing/test-db";
import { POST as askRoute } from "@/app/api/embed/ask/route";

// Question limits per session and per tenant, with a message saying when to
// try again; one tenant's questions never use up another tenant's limit.

vi.hoisted(() => {
  process.env.AI_QUESTIONS_PER_SESSION_PER_MINUTE = "2";
  process.env.AI_QUESTIONS_PER_TENANT_PER_MINUTE = "3";
});

beforeAll(async () => {
  migrateTestDatabase();
  await loadDemoFixture(2_000);
  await ensureDemoDashboard();
});
afterAll(() => closeAnalytics());

const ask = (token: string) => callEmbed(askRoute, token, { question: "signups last 7 days" });

describe("question limits", () => {
  it("limits each session and each tenant, and says when to try again", async () => {
    const first = (await openTestEmbed("acme", { permissions: { allow_ai: true } })).dataToken;
    const second = (await openTestEmbed("acme", { permissions: { allow_ai: true } })).dataToken;
    const other = (await openTestEmbed("acme2", { permissions: { allow_ai: true } })).dataToken;
    expect((await ask(first)).status).toBe(200);
    expect((await ask(first)).status).toBe(200);
    const perSession = await ask(first);
    expect([perSession.status, perSession.body.error.code]).toEqual([429, "too_many_requests"]);
    expect(perSession.body.error.message).toMatch(/^That is a lot of questions in a short time\. Try again in \d+ seconds\.$/);
    expect((await ask(second)).status).toBe(200);
    // acme has now asked 3 times: its other session is held back too, acme2 is not.
    expect((await ask(second)).status).toBe(429);
    expect((await ask(other)).status).toBe(200);
    expect(await getDb().aiLog.count({ where: { tenantId: "acme", outcome: "rate_limited" } })).toBe(2);
  });
});
