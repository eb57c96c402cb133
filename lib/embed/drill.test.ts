import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as renderRoute } from "@/app/api/embed/render/route";
import { closeAnalytics } from "@/lib/analytics/engine";
import type { EventRow } from "@/lib/analytics/event-row";
import { ensureDemoDashboard } from "@/lib/dashboards/demo-dashboard";
import { openEmbed } from "@/lib/embed/open-embed";
import { createEmbedSession } from "@/lib/embed/sessions";
import { DEMO_DASHBOARD_ID } from "@/lib/dashboards/demo-dashboard";
import type { PermissionsInput } from "@/lib/query/permissions";
import { initialState, runDashboard, type DashboardState } from "@/lib/query/run-dashboard";
import { loadDemoFixture } from "@/lib/testing/analytics-fixture";
import { callEmbed } from "@/lib/testing/embed-session";
import { migrateTestDatabase } from "@/lib/testing/test-db";

// Drilling into a chart filters the dashboard by the clicked value: an
// ordinary filter on the server, so it is scoped to the session's tenant like
// any other, and refused where the session does not allow drilling.

let rows: EventRow[];

beforeAll(async () => {
  migrateTestDatabase();
  ({ rows } = await loadDemoFixture(20_000));
  await ensureDemoDashboard();
});
afterAll(() => closeAnalytics());

async function open(tenant: string, permissions?: PermissionsInput) {
  const minted = await createEmbedSession({ tenant_id: tenant, dashboard_id: DEMO_DASHBOARD_ID, permissions }, { actor: "test", assertTenant: () => {} });
  const opened = await openEmbed(minted.token);
  if (!opened.ok) throw new Error(`opening the embed failed: ${opened.code}`);
  return opened;
}

type Opened = Awaited<ReturnType<typeof open>>;

async function results(opened: Opened, state: DashboardState) {
  const render = await runDashboard({ ...opened.reader, cache: false }, state);
  return new Map(render.outcomes.map((o) => [o.widget_id, o]));
}

const drilled = (opened: Opened, field: string, value: string): DashboardState => {
  const state = initialState(opened.source.definition);
  return { ...state, filters: { ...state.filters, filters: [{ field, op: "equals", value }] } };
};

const kpiValue = (outcome: unknown) => (outcome as { rows: { m0: number }[] }).rows[0].m0;
const devicesOf = (tenant: string) => [...new Set(rows.filter((r) => r.tenant_id === tenant && r.properties.device).map((r) => r.properties.device))];

describe("drilling into a value", () => {
  it("splits the dashboard: the drilled numbers of every device add up to the whole", async () => {
    const acme = await open("acme");
    const whole = kpiValue((await results(acme, initialState(acme.source.definition))).get("signups"));
    expect(whole).toBeGreaterThan(0);
    let sum = 0;
    for (const device of devicesOf("acme")) sum += kpiValue((await results(acme, drilled(acme, "device", device))).get("signups"));
    expect(sum).toBe(whole);
  });

  it("never reads another tenant's rows: a value only globex has drills acme into nothing", async () => {
    const acmeCountries = new Set(rows.filter((r) => r.tenant_id === "acme").map((r) => r.properties.country));
    const globexOnly = [...new Set(rows.filter((r) => r.tenant_id === "globex").map((r) => r.properties.country))].find((c) => c && !acmeCountries.has(c));
    // The look-alike tenants share no country with acme in the demo data; if they did, this test would say so.
    expect(globexOnly, "a country only globex has").toBeDefined();
    const acme = await open("acme");
    const out = await results(acme, drilled(acme, "country", globexOnly!));
    expect(kpiValue(out.get("signups"))).toBe(0);
    expect((out.get("signups-by-country") as { rows: unknown[] }).rows).toEqual([]);
    expect((out.get("top-pages") as { rows: unknown[] }).rows).toEqual([]);
    // The same drill as globex finds its own rows.
    const globex = await open("globex");
    expect(kpiValue((await results(globex, drilled(globex, "country", globexOnly!))).get("signups"))).toBeGreaterThanOrEqual(0);
    expect((await results(globex, drilled(globex, "country", globexOnly!))).get("devices")).toMatchObject({ rows: expect.arrayContaining([expect.anything()]) });
  });
});

describe("the server refuses a drill the session does not allow", () => {
  it("without allow_drill_down, a filter on a dimension that is not one of the dashboard's filters is refused (403)", async () => {
    const acme = await open("acme", { allow_drill_down: false });
    const device = devicesOf("acme")[0];
    const refused = await callEmbed(renderRoute, acme.dataToken, { state: drilled(acme, "device", device) });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe("forbidden");
    expect(JSON.stringify(refused.body)).not.toMatch(/widget|<section/);
    // The dashboard's own filters still work.
    const allowed = await callEmbed(renderRoute, acme.dataToken, { state: drilled(acme, "country", "US") });
    expect(allowed.status).toBe(200);
  });

  it("with allow_drill_down, the same drill renders", async () => {
    const acme = await open("acme");
    const res = await callEmbed(renderRoute, acme.dataToken, { state: drilled(acme, "device", devicesOf("acme")[0]) });
    expect(res.status).toBe(200);
    expect(Object.keys(res.body.cards)).toContain("signups");
  });

  it("outside allowed_dimensions, a drill filter gets no data: every widget is refused", async () => {
    const acme = await open("acme", { allowed_dimensions: ["country"] });
    const out = await results(acme, drilled(acme, "device", devicesOf("acme")[0]));
    for (const outcome of out.values()) expect(outcome).toMatchObject({ error: { code: "forbidden" } });
  });

  it("a bad or missing token gets no cards", async () => {
    const acme = await open("acme");
    expect((await callEmbed(renderRoute, undefined, { state: drilled(acme, "device", "mobile") })).status).toBe(401);
    expect((await callEmbed(renderRoute, `${acme.dataToken}x`, { state: drilled(acme, "device", "mobile") })).status).toBe(401);
  });
});
