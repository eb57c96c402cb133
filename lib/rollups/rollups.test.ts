import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeAnalytics, getAnalytics, queryRows } from "@/lib/analytics/engine";
import { insertEventRows } from "@/lib/analytics/ingest";
import { ensureAnalyticsSchema } from "@/lib/analytics/schema";
import { setupProof } from "@/lib/auth/admin-proof";
import { getDb } from "@/lib/db";
import { DashboardDefinition } from "@/lib/dashboards/definition";
import { DEMO_DEFINITION } from "@/lib/dashboards/demo-dashboard";
import { createDashboard, saveDraft } from "@/lib/dashboards/drafts";
import { publishVersion } from "@/lib/dashboards/publish-version";
import { rollbackTo } from "@/lib/dashboards/versions";
import { guardSql } from "@/lib/query/guard";
import { DEFAULT_PERMISSIONS, type Permissions } from "@/lib/query/permissions";
import { initialState, runDashboard, type DashboardReader, type WidgetOutcome } from "@/lib/query/run-dashboard";
import { runScoped } from "@/lib/query/run-scoped";
import { rollupCatalogTable } from "@/lib/rollups/answer";
import { reconcileRollups, retireRollups, rollupBuildsSettled, rollupStatus } from "@/lib/rollups/build";
import { deriveRollup, rollupTableName } from "@/lib/rollups/define";
import { forgetRollupStates } from "@/lib/rollups/ready";
import { deleteTenantData } from "@/lib/tenants/delete-tenant-data";
import { demoRows, previewScope } from "@/lib/testing/analytics-fixture";
import { closeOutcome } from "@/lib/testing/oracle-data";
import { migrateTestDatabase } from "@/lib/testing/test-db";

// Rollups through the front door, for two tenants and look-alikes: answers
// equal reading events, nothing of another tenant reaches a render, the
// engine's row filter holds on rollup tables, the guard never sees them,
// tenant deletion erases their rows, a rollback reads events until its
// rollup is rebuilt, and an install made before rollups upgrades in place.

const ANCHOR = new Date("2026-06-01T00:00:00Z");
const NOW = new Date("2026-05-31T12:00:00Z");
const definition = DashboardDefinition.parse({ ...DEMO_DEFINITION, filters: [{ kind: "dimension", dimension: "country" }] });
let dashboardId: string;

/** The events table as the release before rollups made it (no ingest_seq). */
const OLD_EVENTS_DDL = `CREATE TABLE enclave.events (tenant_id String, event_id String, ts DateTime64(3, 'UTC'), name LowCardinality(String), user_id Nullable(String), value Nullable(Float64), properties Map(LowCardinality(String), String))
ENGINE = MergeTree PARTITION BY toYYYYMM(ts) ORDER BY (tenant_id, name, ts) SETTINGS index_granularity = 1024, non_replicated_deduplication_window = 1000`;

beforeAll(async () => {
  migrateTestDatabase();
  // An install made by the release before rollups: its events table, its rows, a published dashboard.
  const engine = getAnalytics();
  await engine.withConnection(async (c) => {
    await c.command({ query: "CREATE DATABASE IF NOT EXISTS enclave" });
    await c.command({ query: OLD_EVENTS_DDL });
    await c.insert({ table: "enclave.events", values: demoRows(20_000, ANCHOR), format: "JSONEachRow" });
    await c.insert({
      table: "enclave.events",
      format: "JSONEachRow",
      values: [{ tenant_id: "globex", event_id: "g-secret", ts: "2026-05-20 10:00:00.000", name: "signup", user_id: "spy", value: 1e9, properties: { country: "ZZ", page: "/globex-only", device: "globex-device" } }],
    });
  });
  dashboardId = await createDashboard({ name: "Rollups", actor: "test", definition });
  await publishVersion({ dashboardId, actor: "test" });
  // npm start: the schema upgrade, then the server builds what live versions need.
  await ensureAnalyticsSchema(engine);
}, 120_000);
afterAll(() => closeAnalytics());

const same = (a: WidgetOutcome, b: WidgetOutcome) =>
  "rows" in a && "rows" in b ? a.widget_id === b.widget_id && JSON.stringify(a.columns) === JSON.stringify(b.columns) && closeOutcome({ ok: true, rows: a.rows }, { ok: true, rows: b.rows }) : JSON.stringify(a) === JSON.stringify(b);

async function render(tenant: string, options: { permissions?: Permissions; state?: ReturnType<typeof initialState> } = {}) {
  const version = await getDb().dashboardVersion.findFirstOrThrow({ where: { dashboardId }, orderBy: { number: "desc" } });
  const live = await getDb().dashboard.findUniqueOrThrow({ where: { id: dashboardId } });
  const row = live.liveVersionId === version.id ? version : await getDb().dashboardVersion.findUniqueOrThrow({ where: { id: live.liveVersionId! } });
  const reader: DashboardReader = {
    scope: previewScope(tenant),
    permissions: options.permissions ?? DEFAULT_PERMISSIONS,
    source: { dashboardId, versionKey: row.id, definition: DashboardDefinition.parse(JSON.parse(row.definition)) },
    audience: "admin",
    cache: false,
    now: NOW,
  };
  const out = await runDashboard(reader, options.state ?? initialState(reader.source.definition));
  const traces = await Promise.all([...out.traces.values()]);
  return { outcomes: out.outcomes, sources: Object.fromEntries(traces.map((t) => [t!.widget_id, t!.source])), rowsRead: out.plan.rowsRead };
}

describe("rollups", () => {
  let fromEvents: Record<string, Awaited<ReturnType<typeof render>>>;

  it("upgrades an install made before rollups in place: events keep every row, the live version's rollup is built from them", async () => {
    const engine = getAnalytics();
    const [{ n, seq }] = await queryRows<{ n: number; seq: number }>(engine, "SELECT count() AS n, max(ingest_seq) AS seq FROM enclave.events");
    expect(Number(n)).toBe(20_001);
    expect(Number(seq)).toBe(0);
    // Before the rollup exists, renders read events.
    fromEvents = { acme: await render("acme"), globex: await render("globex"), acme2: await render("acme2") };
    expect(Object.values(fromEvents.acme.sources).every((s) => s === "events")).toBe(true);

    await reconcileRollups(engine);
    await rollupBuildsSettled();
    forgetRollupStates();
    const status = await rollupStatus(definition, engine);
    expect(status?.status?.state).toBe("ready");
    expect(status?.status?.rowsRead).toBe(20_001);
    expect(status!.status!.rows).toBeGreaterThan(0);
  }, 120_000);

  it("answers each tenant from the rollup exactly as from events, with nothing of another tenant", async () => {
    for (const tenant of ["acme", "globex", "acme2"]) {
      const fromRollup = await render(tenant);
      expect(Object.values(fromRollup.sources).every((s) => s === "rollup"), JSON.stringify(fromRollup.sources)).toBe(true);
      // Equal to events: sums to floating-point rounding (their summation order differs).
      for (const [i, o] of fromRollup.outcomes.entries()) expect(same(o, fromEvents[tenant].outcomes[i]), `${tenant} ${o.widget_id}: ${JSON.stringify(o)} vs ${JSON.stringify(fromEvents[tenant].outcomes[i])}`).toBe(true);
      if (tenant !== "globex") {
        const text = JSON.stringify(fromRollup.outcomes);
        for (const secret of ["ZZ", "/globex-only", "globex-device", "1000000000"]) expect(text).not.toContain(secret);
      }
    }
    // A dashboard filter on a kept dimension is answered from the rollup too.
    const filtered = await render("acme", { state: { filters: { time_range: { kind: "last_30_days" }, filters: [{ field: "country", op: "equals", value: "DE" }] }, breakdowns: {} } });
    expect(filtered.sources["signups-by-country"]).toBe("rollup");
    expect(JSON.stringify(filtered.outcomes)).toContain('"dimension":"DE"');
    expect(JSON.stringify(filtered.outcomes)).not.toContain('"dimension":"US"');
  }, 120_000);

  it("answers a compared series' period before from the rollup too, equal to a render of that period, with nothing of another tenant", async () => {
    for (const tenant of ["acme", "acme2"]) {
      const state = (filters: object) => ({ filters: { time_range: { kind: "last_7_days" as const }, ...filters }, breakdowns: {} });
      const compared = await render(tenant, { state: state({ compare: true }) });
      expect(compared.sources["page-views"]).toBe("rollup");
      const before = await render(tenant, { state: state({ time_range: { kind: "absolute", from: "2026-05-18", to: "2026-05-24" } }) });
      const rows = (o: WidgetOutcome | undefined) => (o && "rows" in o ? o.rows : []);
      const now = rows(compared.outcomes.find((o) => o.widget_id === "page-views"));
      const then = rows(before.outcomes.find((o) => o.widget_id === "page-views"));
      expect(now).toHaveLength(7);
      expect(now.map((r) => ({ bucket: r.bucket_previous, m0: r.m0_previous }))).toEqual(then.map((r) => ({ bucket: r.bucket, m0: r.m0 })));
      expect(JSON.stringify(compared.outcomes)).not.toContain("/globex-only");
    }
  }, 60_000);

  it("holds the engine's row filter on rollup tables: a statement without any tenant predicate sees one tenant; a lock on a dimension no set keeps reads nothing", async () => {
    const engine = getAnalytics();
    const def = deriveRollup(definition)!;
    const table = rollupCatalogTable("enclave", def);
    const bare = (tenant: string, locks: Record<string, string[]> = {}) =>
      runScoped(previewScope(tenant), { kind: "compiled", sql: `SELECT uniqExact(tenant_id) AS tenants, sum(n) AS n FROM enclave.${table.name} WHERE grp = 0`, params: { tenant }, catalog: { database: "enclave", tables: [table] }, lockedFilters: locks });
    const [{ n: acmeEvents }] = await queryRows<{ n: number }>(engine, "SELECT count() AS n FROM enclave.events WHERE tenant_id = 'acme'");
    const acme = await bare("acme");
    expect(acme.rows[0]).toEqual({ tenants: 1, n: Number(acmeEvents) });
    // `plan` is kept by no set: a session locked to a plan reads no rollup row (and reads events instead).
    expect((await bare("acme", { plan: ["pro"] })).rows[0]).toEqual({ tenants: 0, n: 0 });
    const locked = await render("acme", { permissions: { ...DEFAULT_PERMISSIONS, locked_filters: { plan: ["pro"] } } });
    expect(Object.values(locked.sources).every((s) => s === "events")).toBe(true);
    // A lock on a kept dimension: answered from the rollup, equal to events.
    const byCountry = await render("acme", { permissions: { ...DEFAULT_PERMISSIONS, locked_filters: { country: ["DE"] } } });
    expect(byCountry.sources["signups-by-country"]).toBe("rollup");
    expect(JSON.stringify(byCountry.outcomes)).not.toContain('"dimension":"US"');
  }, 60_000);

  it("is invisible to custom SQL: the guard refuses a rollup table by name", async () => {
    const name = rollupTableName(deriveRollup(definition)!);
    for (const sql of [`SELECT count() FROM ${name}`, `SELECT count() FROM enclave.${name}`, `SELECT * FROM events WHERE tenant_id IN (SELECT tenant_id FROM ${name})`]) {
      expect((await guardSql(sql)).ok, sql).toBe(false);
    }
  });

  it("counts events ingested after the build through the view, and a retried batch once", async () => {
    const engine = getAnalytics();
    const before = await render("acme2");
    const rows = Array.from({ length: 40 }, (_v, i) => ({ tenant_id: "acme2", event_id: `late-${i}`, ts: "2026-05-30 09:00:00.000", name: "signup", user_id: `late-${i % 7}`, value: null, properties: { country: "DE" } }));
    await insertEventRows(engine, rows, "late-batch");
    await insertEventRows(engine, rows, "late-batch");
    const after = await render("acme2");
    const signups = (o: typeof before) => (o.outcomes.find((x) => x.widget_id === "signups") as unknown as { rows: { m0: number }[] }).rows[0].m0;
    expect(signups(after)).toBe(signups(before) + 40);
    expect(after.sources.signups).toBe("rollup");
  }, 60_000);

  it("drops a rollup no live version needs; a rollback reads events until it is rebuilt", async () => {
    const engine = getAnalytics();
    const v1 = deriveRollup(definition)!;
    await saveDraft({ id: dashboardId, revision: 1, name: "Rollups", definition: { ...definition, widgets: definition.widgets.slice(0, 2), layout: definition.layout.slice(0, 2) }, actor: "test" });
    await publishVersion({ dashboardId, actor: "test" });
    await reconcileRollups(engine);
    await rollupBuildsSettled();
    expect(await getDb().rollup.findUnique({ where: { id: v1.id } })).toBeNull();
    const [{ n }] = await queryRows<{ n: number }>(engine, "SELECT count() AS n FROM system.tables WHERE database = 'enclave' AND name = {name:String}", { params: { name: rollupTableName(v1) } });
    expect(Number(n)).toBe(0);

    await rollbackTo({ dashboardId, number: 1, actor: "test" });
    forgetRollupStates();
    const meanwhile = await render("acme");
    expect(Object.values(meanwhile.sources).every((s) => s === "events")).toBe(true);
    await reconcileRollups(engine);
    await rollupBuildsSettled();
    forgetRollupStates();
    const rebuilt = await render("acme");
    expect(Object.values(rebuilt.sources).every((s) => s === "rollup")).toBe(true);
    for (const [i, o] of rebuilt.outcomes.entries()) expect(same(o, meanwhile.outcomes[i])).toBe(true);
  }, 120_000);

  it("a build that deletions keep interrupting is built again until one runs undisturbed, then is ready", async () => {
    const engine = getAnalytics();
    // Deletions in place (erasures, retention) every 300 ms for 9 s: each attempt of the build sees one.
    await retireRollups();
    await reconcileRollups(engine);
    const until = Date.now() + 9_000;
    while (Date.now() < until) {
      await new Promise((r) => setTimeout(r, 300));
      await retireRollups();
    }
    await rollupBuildsSettled();
    forgetRollupStates();
    expect((await rollupStatus(definition, engine))?.status?.state).toBe("ready");
  }, 120_000);

  it("erases a deleted tenant's rollup rows and nobody else's", async () => {
    const engine = getAnalytics();
    const name = rollupTableName(deriveRollup(definition)!);
    const count = async (tenant: string) => Number((await queryRows<{ n: number }>(engine, `SELECT count() AS n FROM enclave.${name} WHERE tenant_id = {t:String}`, { params: { t: tenant } }))[0].n);
    const globexBefore = await count("globex");
    expect(await count("acme")).toBeGreaterThan(0);
    await deleteTenantData(setupProof("test"), "acme");
    expect(await count("acme")).toBe(0);
    expect(await count("globex")).toBe(globexBefore);
  }, 60_000);
});
