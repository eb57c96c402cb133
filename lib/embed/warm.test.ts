import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";

vi.hoisted(() => {
  process.env.EMBED_WARM_AT_MINT = "1";
});

import { closeAnalytics } from "@/lib/analytics/engine";
import { createApiKey } from "@/lib/auth/api-keys";
import { DEMO_DASHBOARD_ID, ensureDemoDashboard } from "@/lib/dashboards/demo-dashboard";
import { openEmbed } from "@/lib/embed/open-embed";
import { revokeEmbedSession } from "@/lib/embed/sessions";
import { warmIdle, warmSession, warmStats } from "@/lib/embed/warm";
import { initialState, runDashboard } from "@/lib/query/run-dashboard";
import { loadDemoFixture } from "@/lib/testing/analytics-fixture";
import { migrateTestDatabase } from "@/lib/testing/test-db";
import { POST as mintRoute } from "@/app/v1/embed-sessions/route";

// Minting a session starts its first render, so the iframe's first request is
// answered from the result cache; a session revoked before its warm runs gets
// nothing computed; a burst of mints cannot queue unbounded work.

let key: string;
beforeAll(async () => {
  migrateTestDatabase();
  await loadDemoFixture(6_000);
  await ensureDemoDashboard();
  key = (await createApiKey({ name: "embed", scopes: ["embed"] }, "test")).secret;
});
afterAll(() => closeAnalytics());

async function mint(tenant: string, permissions: object = {}) {
  const res = await mintRoute(new Request("http://test/v1/embed-sessions", { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: JSON.stringify({ tenant_id: tenant, dashboard_id: DEMO_DASHBOARD_ID, permissions }) }), { params: Promise.resolve({}) });
  expect(res.status).toBe(201);
  return (await res.json()) as { token: string; session_id: string };
}

/** How the first page render would be answered: per widget, cached or computed. */
async function firstRender(token: string) {
  const opened = await openEmbed(token);
  if (!opened.ok) throw new Error(opened.code);
  const render = await runDashboard(opened.reader, initialState(opened.source.definition));
  const traces = await Promise.all(render.outcomes.map((o) => render.traces.get(o.widget_id)));
  return { cached: traces.filter((t) => t?.cached).length, widgets: render.outcomes.length, queries: render.plan.queries };
}

describe("warm at mint", () => {
  it("answers the first render of a minted session from the cache, for its own tenant only", async () => {
    const minted = await mint("acme", { locked_filters: { country: ["US"] } });
    await warmIdle();
    expect(await firstRender(minted.token)).toEqual({ cached: 6, widgets: 6, queries: 0 });
    // Another tenant (a look-alike) and other permissions find nothing warmed for them.
    const other = await mint("acme2");
    const cold = await openEmbed(other.token);
    if (!cold.ok) throw new Error(cold.code);
    await warmIdle();
    expect((await firstRender(other.token)).cached).toBe(6); // its own warm
    const unwarmed = await runDashboard({ ...cold.reader, permissions: { ...cold.reader.permissions, locked_filters: { country: ["DE"] } } }, initialState(cold.source.definition));
    expect(unwarmed.plan.queries).toBeGreaterThan(0);
  });

  it("computes nothing for a session revoked before its warm starts", async () => {
    const before = warmStats();
    const minted = await mint("globex");
    // The route queued the warm; revoke at once, before the session is ever opened.
    await revokeEmbedSession(minted.session_id, { key: { tenantId: null } as never, actor: "test" });
    await warmIdle();
    const after = warmStats();
    expect(after.done - before.done + (after.skipped - before.skipped)).toBe(1);
    expect(await openEmbed(minted.token)).toMatchObject({ ok: false, code: "session_revoked" });
  });

  it("keeps a burst of mints bounded: a short queue, the rest dropped", async () => {
    const before = warmStats();
    for (let i = 0; i < 150; i++) warmSession({ sessionId: `ses_missing_${i}`, tenantId: "acme", dashboardId: DEMO_DASHBOARD_ID });
    expect(warmStats().queued).toBeLessThanOrEqual(100);
    expect(warmStats().dropped - before.dropped).toBeGreaterThanOrEqual(48);
    await warmIdle();
  });
});
