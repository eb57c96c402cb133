import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeAnalytics, getAnalytics, queryRows } from "@/lib/analytics/engine";
import { Permissions } from "@/lib/query/permissions";
import type { Catalog } from "@/lib/query/catalog-tables";
import { compileWidget, type CompiledQuery } from "@/lib/query/compile-widget";
import { guardSql } from "@/lib/query/guard";
import corpus from "@/lib/query/guard-corpus.json";
import { prepareWidget } from "@/lib/query/prepare-widget";
import { runScoped } from "@/lib/query/run-scoped";
import { ChartWidget, FilterState, SqlWidget } from "@/lib/query/widget-spec";
import { previewScope } from "@/lib/testing/analytics-fixture";
import { breakdownArb, filterArb, loadOracleData, lockedArb, NOW, outcome, permissionsArb, sameOutcome, TENANTS, tenantArb, timeRangeArb, widgetFields, type Outcome } from "@/lib/testing/oracle-data";

// The isolation oracle: a query run as tenant T on the shared data must give
// exactly what it gives on a database that holds only T's rows. A rejection or
// an error counts as safe only if it is the same on both.

const SEED = Number(process.env.ORACLE_SEED ?? 20261123);
const RUNS = Number(process.env.ORACLE_RUNS ?? 1000);

let shared: Catalog;
let solo: Map<string, Catalog>;

beforeAll(async () => {
  ({ shared, solo } = await loadOracleData());
});
afterAll(() => closeAnalytics());

// The same generators, in the same order, as the other oracles: the cases a seed gives stay the same.
const caseArb = fc.record({
  // Larger tenants more often (more rows behind each comparison); the small look-alikes still appear.
  tenant: tenantArb,
  ...widgetFields,
  timezone: fc.constantFrom("UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata"),
  state: fc.record({ filters: fc.option(fc.array(filterArb, { maxLength: 1 }), { nil: undefined, freq: 2 }), breakdown: fc.option(breakdownArb, { nil: undefined }), time_range: fc.option(timeRangeArb, { nil: undefined }) }),
  // Mostly permissive so most cases run; sometimes narrow so refusals are exercised too.
  permissions: permissionsArb,
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
