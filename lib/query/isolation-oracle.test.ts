import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeAnalytics, getAnalytics, queryRows } from "@/lib/analytics/engine";
import { eventsDdl } from "@/lib/analytics/schema";
import { AppError } from "@/lib/errors";
import { Permissions } from "@/lib/query/permissions";
import { getCatalog, type Catalog } from "@/lib/query/catalog-tables";
import { compileWidget, type CompiledQuery } from "@/lib/query/compile-widget";
import { guardSql } from "@/lib/query/guard";
import corpus from "@/lib/query/guard-corpus.json";
import { prepareWidget } from "@/lib/query/prepare-widget";
import { runScoped } from "@/lib/query/run-scoped";
import { ChartWidget, FilterState, SqlWidget } from "@/lib/query/widget-spec";
import { loadDemoFixture, previewScope } from "@/lib/testing/analytics-fixture";

// The isolation oracle: a query run as tenant T on the shared data must give
// exactly what it gives on a database that holds only T's rows. A rejection or
// an error counts as safe only if it is the same on both.

const ANCHOR = new Date("2026-06-01T00:00:00Z");
const NOW = new Date("2026-05-31T15:00:00Z");
const TENANTS = ["acme", "acme2", "acme.eu", "ACME", "acme-staging", "globex", "tenant-007"];
const SEED = Number(process.env.ORACLE_SEED ?? 20261123);
const RUNS = Number(process.env.ORACLE_RUNS ?? 1000);

let shared: Catalog;
const solo = new Map<string, Catalog>();

beforeAll(async () => {
  await loadDemoFixture(30_000, ANCHOR);
  const engine = getAnalytics();
  shared = getCatalog();
  // Hostile rows the look-alike tenants do not have: values only another tenant holds.
  await engine.withConnection((c) =>
    c.insert({
      table: `${shared.database}.events`,
      format: "JSONEachRow",
      values: [
        { tenant_id: "globex", event_id: "x1", ts: "2026-05-20 10:00:00.000", name: "secret_event", user_id: "u1", value: 1e9, properties: { country: "ZZ", plan: "x' OR '1'='1", secret: "not-a-number" } },
        { tenant_id: "acme2", event_id: "x2", ts: "2026-05-21 10:00:00.000", name: "signup", user_id: "u1", value: null, properties: { country: "acme", page: "%" } },
      ],
    }),
  );
  for (const [i, tenant] of TENANTS.entries()) {
    const database = `solo_${i}`;
    await engine.withConnection(async (c) => {
      for (const statement of eventsDdl(database)) await c.command({ query: statement });
      await c.command({ query: `INSERT INTO ${database}.events SELECT * FROM ${shared.database}.events WHERE tenant_id = {t:String}`, query_params: { t: tenant } });
    });
    solo.set(tenant, getCatalog(database));
  }
});
afterAll(() => closeAnalytics());

type Outcome = { ok: true; rows: Record<string, unknown>[] } | { ok: false; code: string };

async function outcome(run: () => Promise<{ rows: Record<string, unknown>[] }>): Promise<Outcome> {
  try {
    return { ok: true, rows: (await run()).rows };
  } catch (err) {
    if (err instanceof AppError) return { ok: false, code: err.code };
    return { ok: false, code: `thrown:${err instanceof Error ? err.message.slice(0, 80) : String(err)}` };
  }
}

/** Equal results: same rows in the same order; floats equal to 1e-9 relative (summation order may differ). */
function sameOutcome(a: Outcome, b: Outcome, ordered = true): boolean {
  if (a.ok !== b.ok) return false;
  if (!a.ok || !b.ok) return !a.ok && !b.ok && a.code === b.code;
  if (a.rows.length !== b.rows.length) return false;
  const canon = (rows: Record<string, unknown>[]) => {
    const mapped = rows.map((r) => JSON.stringify(r, (_k, v) => (typeof v === "number" && !Number.isInteger(v) ? Number(v.toPrecision(9)) : v)));
    return ordered ? mapped : mapped.sort();
  };
  const [x, y] = [canon(a.rows), canon(b.rows)];
  return x.every((row, i) => row === y[i]);
}

// Values per field: real ones, and hostile ones only another tenant holds (or nobody).
const REAL: Record<string, string[]> = {
  country: ["US", "DE", "GB", "FR", "CA", "IN"],
  plan: ["free", "pro", "enterprise"],
  device: ["desktop", "mobile", "tablet"],
  page: ["/", "/pricing", "/docs", "/app/reports"],
  event: ["signup", "page_view", "order_completed"],
  "property:secret": [""],
  "property:page": ["/", "/blog"],
};
const HOSTILE: Record<string, string[]> = {
  country: ["ZZ", "acme"],
  plan: ["x' OR '1'='1"],
  device: ["phone"],
  page: ["%"],
  event: ["secret_event"],
  "property:secret": ["not-a-number"],
  "property:page": ["ü"],
};
const dimensionIds = Object.keys(REAL);
// Breakdowns by dimensions every tenant has, mostly; the rare property keys now and then.
const breakdownArb = fc.oneof({ weight: 5, arbitrary: fc.constantFrom("country", "plan", "device", "page", "event") }, { weight: 1, arbitrary: fc.constantFrom("property:secret", "property:page") });
// Mostly real values, so most results hold data; hostile ones in about one case in five.
const valueArb = (field: string) => fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...REAL[field]) }, { weight: 1, arbitrary: fc.constantFrom(...HOSTILE[field]) });

const filterArb = fc.constantFrom(...dimensionIds).chain((field) =>
  fc.oneof(
    { weight: 3, arbitrary: fc.record({ field: fc.constant(field), op: fc.constant("equals" as const), value: valueArb(field) }) },
    { weight: 3, arbitrary: fc.record({ field: fc.constant(field), op: fc.constantFrom("in" as const, "not_in" as const), values: fc.uniqueArray(valueArb(field), { minLength: 1, maxLength: 3 }) }) },
    { weight: 1, arbitrary: fc.record({ field: fc.constant(field), op: fc.constant("contains" as const), value: fc.constantFrom("a", "p", "%", "'", "s") }) },
    { weight: 1, arbitrary: fc.record({ field: fc.constant("value" as const), op: fc.constant("between" as const), min: fc.integer({ min: 0, max: 300 }), max: fc.integer({ min: 300, max: 2_000_000_000 }) }) },
  ),
);
const lockedArb = fc.dictionary(fc.constantFrom("country", "plan", "device", "event"), fc.constant([] as string[]), { maxKeys: 2 }).chain((keys) =>
  fc.record(Object.fromEntries(Object.keys(keys).map((k) => [k, fc.uniqueArray(valueArb(k), { minLength: 1, maxLength: 3 })]))),
);

// Mostly events every tenant has, so most results hold data; secret_event (globex only) still appears.
const eventArb = fc.oneof({ weight: 6, arbitrary: fc.constantFrom("signup", "page_view", "order_completed") }, { weight: 1, arbitrary: fc.constant("secret_event") });
const metricArb = fc.oneof(
  fc.record({ id: fc.constantFrom("event_count", "unique_users", "value_sum", "value_avg", "value_min", "value_max", "value_p50", "value_p90", "value_p99") }, { requiredKeys: ["id"] }),
  fc.record({ id: fc.constantFrom("event_count", "value_sum", "unique_users", "value_avg", "value_max"), event: eventArb }),
  fc.record({ id: fc.constant("conversion_rate"), from_event: fc.constantFrom("signup", "page_view"), to_event: fc.oneof({ weight: 4, arbitrary: fc.constant("order_completed") }, { weight: 1, arbitrary: fc.constant("secret_event") }) }),
);

const timeRangeArb = fc.oneof(
  fc.constantFrom({ kind: "last_7_days" as const }, { kind: "last_30_days" as const }, { kind: "last_90_days" as const }, { kind: "this_month" as const }),
  fc.tuple(fc.integer({ min: 0, max: 80 }), fc.integer({ min: 0, max: 40 })).map(([back, len]) => {
    const day = (offset: number) => new Date(ANCHOR.getTime() - offset * 86_400_000).toISOString().slice(0, 10);
    return { kind: "absolute" as const, from: day(back + len), to: day(back) };
  }),
);

const caseArb = fc.record({
  // Larger tenants more often (more rows behind each comparison); the small look-alikes still appear.
  tenant: fc.oneof({ weight: 3, arbitrary: fc.constantFrom("acme", "globex", "acme2", "acme.eu") }, { weight: 1, arbitrary: fc.constantFrom(...TENANTS) }),
  chart: fc.constantFrom("kpi", "line", "area", "bar", "stacked_bar", "pie", "donut", "table"),
  metrics: fc.array(metricArb, { minLength: 1, maxLength: 3 }),
  breakdown: fc.option(breakdownArb, { nil: undefined }),
  granularity: fc.option(fc.constantFrom("hour", "day", "week", "month"), { nil: undefined }),
  filters: fc.array(filterArb, { maxLength: 1 }),
  time_range: timeRangeArb,
  limit: fc.option(fc.integer({ min: 1, max: 20 }), { nil: undefined }),
  timezone: fc.constantFrom("UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata"),
  state: fc.record({ filters: fc.option(fc.array(filterArb, { maxLength: 1 }), { nil: undefined, freq: 2 }), breakdown: fc.option(breakdownArb, { nil: undefined }), time_range: fc.option(timeRangeArb, { nil: undefined }) }),
  permissions: fc.record({
    locked_filters: fc.oneof({ weight: 2, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: lockedArb }),
    max_date_range_days: fc.option(fc.integer({ min: 1, max: 120 }), { nil: undefined }),
    // Mostly permissive so most cases run; sometimes narrow so refusals are exercised too.
    allowed_dimensions: fc.oneof({ weight: 7, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.uniqueArray(fc.constantFrom(...dimensionIds), { maxLength: 4 }) }),
    allow_drill_down: fc.oneof({ weight: 7, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
    hidden_widgets: fc.constant(["w-hidden"]),
  }),
  hidden: fc.oneof({ weight: 19, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
});

describe("isolation oracle", () => {
  it(`${RUNS} generated widget specs give the same result on shared data as on the tenant's own data`, async () => {
    let queries = 0;
    let refusedBoth = 0;
    let nonEmpty = 0;
    const refusals = new Map<string, number>();
    const differences: string[] = [];
    await fc.assert(
      fc.asyncProperty(caseArb, async (c) => {
        const parsed = ChartWidget.safeParse({ kind: "chart", id: c.hidden ? "w-hidden" : "w1", title: "t", chart: c.chart, metrics: c.chart === "kpi" ? c.metrics.slice(0, 1) : c.metrics, breakdown: c.chart === "kpi" ? undefined : c.breakdown, granularity: c.chart === "kpi" ? undefined : c.granularity, filters: c.filters, time_range: c.time_range, limit: c.limit });
        const state = FilterState.safeParse(c.state);
        const permissions = Permissions.safeParse(c.permissions);
        if (!parsed.success || !state.success || !permissions.success) return; // invalid specs never reach the compiler
        const scope = previewScope(c.tenant);
        const run = (catalog: Catalog) => outcome(async () => runScoped(scope, compileWidget(parsed.data, scope, { permissions: permissions.data, filters: state.data, timezone: c.timezone, now: NOW, catalog })));
        const [a, b] = [await run(shared), await run(solo.get(c.tenant)!)];
        queries += 2;
        // Non-empty: some metric is non-zero (a bucket or dimension label alone proves nothing).
        if (a.ok && a.rows.some((r) => Object.entries(r).some(([k, v]) => /^m\d+/.test(k) && v !== 0 && v !== null))) nonEmpty++;
        if (!a.ok && !b.ok) {
          refusedBoth++;
          refusals.set(a.code, (refusals.get(a.code) ?? 0) + 1);
        }
        if (!sameOutcome(a, b)) differences.push(`${c.tenant}: ${JSON.stringify(parsed.data)} shared=${JSON.stringify(a).slice(0, 300)} solo=${JSON.stringify(b).slice(0, 300)}`);
      }),
      { seed: SEED, numRuns: RUNS },
    );
    const ran = queries / 2 - refusedBoth;
    console.log(`isolation oracle: seed=${SEED} specs=${RUNS} queries=${queries} ran=${ran} with-data=${nonEmpty} (${Math.round((100 * nonEmpty) / ran)}%) refused-on-both=${refusedBoth} (${[...refusals].map(([k, v]) => `${k}:${v}`).join(", ")}) differences=${differences.length}`);
    expect(differences.slice(0, 5)).toEqual([]);
    // An oracle comparing empty results proves nothing: half the cases that ran must return a non-zero metric.
    expect(nonEmpty).toBeGreaterThan(ran * 0.5);
  }, 600_000);

  it("every accepted corpus query gives the same result on shared and tenant-only data", async () => {
    const accepted = (corpus as { sql: string; verdict: string }[]).filter((e) => e.verdict === "accept");
    const differences: string[] = [];
    let queries = 0;
    for (const tenant of TENANTS) {
      for (const entry of accepted) {
        const run = async (catalog: Catalog): Promise<Outcome> => {
          const sql = entry.sql.replaceAll("{db}", catalog.database);
          const verdict = await guardSql(sql, { catalog });
          if (!verdict.ok) return { ok: false, code: "guard" };
          const compiled: CompiledQuery = { kind: "sql", sql, params: {}, catalog, lockedFilters: {} };
          return outcome(() => runScoped(previewScope(tenant), compiled, { audience: "admin" }));
        };
        const [a, b] = [await run(shared), await run(solo.get(tenant)!)];
        queries += 2;
        if (!a.ok) differences.push(`${tenant}: failed on shared data (${a.code}): ${entry.sql}`);
        // In a UNION/EXCEPT/INTERSECT the ORDER BY binds to the last branch only: compare as multisets there.
        const ordered = /order by/i.test(entry.sql) && !/\b(union|except|intersect)\b/i.test(entry.sql);
        if (!sameOutcome(a, b, ordered)) differences.push(`${tenant}: ${entry.sql} shared=${JSON.stringify(a).slice(0, 200)} solo=${JSON.stringify(b).slice(0, 200)}`);
      }
    }
    console.log(`isolation oracle (corpus): accepted=${accepted.length} tenants=${TENANTS.length} queries=${queries} differences=${differences.length}`);
    expect(differences).toEqual([]);
  }, 600_000);

  it("every accepted corpus query, as a custom-SQL widget under generated periods, chosen filters and locks, gives the same result on shared and tenant-only data", async () => {
    const accepted = (corpus as { sql: string; verdict: string }[]).filter((e) => e.verdict === "accept");
    // One generated session state per (tenant, query): the end user's period and filters, the session's locks and bound.
    const sessionArb = fc.record({
      time_range: fc.option(timeRangeArb, { nil: undefined }),
      filters: fc.array(filterArb, { maxLength: 2 }),
      locked_filters: fc.oneof({ weight: 3, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: lockedArb }),
      max_date_range_days: fc.option(fc.integer({ min: 1, max: 60 }), { nil: undefined, freq: 3 }),
      all_time: fc.oneof({ weight: 5, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
      timezone: fc.constantFrom("UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata"),
    });
    const states = fc.sample(sessionArb, { seed: SEED, numRuns: TENANTS.length * accepted.length });
    const differences: string[] = [];
    let queries = 0;
    let refusedBoth = 0;
    let narrowed = 0;
    let ran = 0;
    for (const [t, tenant] of TENANTS.entries()) {
      for (const [e, entry] of accepted.entries()) {
        const s = states[t * accepted.length + e];
        const state = FilterState.safeParse({ time_range: s.time_range, filters: s.filters });
        const permissions = Permissions.safeParse({ locked_filters: s.locked_filters, max_date_range_days: s.max_date_range_days });
        if (!state.success || !permissions.success) continue;
        const scope = previewScope(tenant);
        const run = (catalog: Catalog, session: boolean) =>
          outcome(async () => {
            const widget = SqlWidget.parse({ kind: "sql", id: "corpus", title: "corpus", chart: "table", sql: entry.sql.replaceAll("{db}", catalog.database), all_time: session ? s.all_time : true });
            const compiled = await prepareWidget(widget, scope, session ? { permissions: permissions.data, filters: state.data, timezone: s.timezone, now: NOW, catalog } : { now: NOW, catalog });
            return runScoped(scope, compiled, { audience: "admin" });
          });
        const [a, b] = [await run(shared, true), await run(solo.get(tenant)!, true)];
        queries += 2;
        const ordered = /order by/i.test(entry.sql) && !/\b(union|except|intersect)\b/i.test(entry.sql);
        if (!sameOutcome(a, b, ordered)) differences.push(`${tenant}: ${entry.sql} state=${JSON.stringify(s)} shared=${JSON.stringify(a).slice(0, 200)} solo=${JSON.stringify(b).slice(0, 200)}`);
        if (!a.ok && !b.ok) refusedBoth++;
        if (a.ok) {
          ran++;
          // The session's period and filters must really reach the engine: compare with the same SQL over all time, unfiltered.
          if (!sameOutcome(a, await run(shared, false), ordered)) narrowed++;
        }
      }
    }
    console.log(`isolation oracle (corpus, session filters): accepted=${accepted.length} tenants=${TENANTS.length} queries=${queries} ran=${ran} narrowed=${narrowed} refused-on-both=${refusedBoth} differences=${differences.length}`);
    expect(differences.slice(0, 5)).toEqual([]);
    // An oracle over filters that never apply proves nothing: most queries that ran must have been narrowed by them.
    expect(narrowed).toBeGreaterThan(ran * 0.5);
  }, 600_000);

  it("the solo databases really hold one tenant each, and the shared one holds many", async () => {
    const engine = getAnalytics();
    const [{ n }] = await queryRows<{ n: number }>(engine, `SELECT uniqExact(tenant_id) AS n FROM ${shared.database}.events`);
    expect(n).toBeGreaterThan(40);
    for (const [tenant, catalog] of solo) {
      const rows = await queryRows<{ tenant_id: string }>(engine, `SELECT DISTINCT tenant_id FROM ${catalog.database}.events`);
      expect(rows).toEqual([{ tenant_id: tenant }]);
    }
  });
});
