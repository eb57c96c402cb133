import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeAnalytics, getAnalytics } from "@/lib/analytics/engine";
import { insertEventRows, reserveIngestSeq } from "@/lib/analytics/ingest";
import type { DashboardDefinition } from "@/lib/dashboards/definition";
import { AppError } from "@/lib/errors";
import { getCatalog, type Catalog } from "@/lib/query/catalog-tables";
import { planWidget, widgetSql, type WidgetPlan } from "@/lib/query/compile-widget";
import { Permissions } from "@/lib/query/permissions";
import { runScoped } from "@/lib/query/run-scoped";
import { ChartWidget, FilterState } from "@/lib/query/widget-spec";
import { mergeRollupAnswers, rollupQuery } from "@/lib/rollups/answer";
import { buildRollupNow } from "@/lib/rollups/build";
import { deriveRollup, rollupTableName, type RollupDefinition } from "@/lib/rollups/define";
import { previewScope } from "@/lib/testing/analytics-fixture";
import { closeOutcome, eventArb, filterArb, loadOracleData, NOW, outcome, permissionsArb, sameOutcome, tenantArb, timeRangeArb, widgetArb, type Outcome } from "@/lib/testing/oracle-data";
import { migrateTestDatabase } from "@/lib/testing/test-db";

// A widget answered from its version's rollup must equal the same widget read
// from events: identical counts, minimums, maximums and distinct counts, sums
// and averages to a relative 1e-9. Generated dashboards in several time zones
// (half-hour and 45-minute offsets, daylight-saving changes inside the data),
// generated end-user filters, locks and periods (some cut mid-bucket), for
// look-alike tenants and one with no events; events arrive and a batch is
// retried while one rollup is built.

const SEED = Number(process.env.ORACLE_SEED ?? 20261130);
const SPECS = Number(process.env.ROLLUP_ORACLE_SPECS ?? 1200);
const ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Adelaide", "Asia/Kathmandu"];
const HOUR = 3_600_000;

let shared: Catalog;
beforeAll(async () => {
  migrateTestDatabase();
  ({ shared } = await loadOracleData());
}, 180_000);
afterAll(() => closeAnalytics());

// Mostly metrics a rollup keeps, sometimes one it does not (those widgets read events).
const rollupMetricArb = fc.oneof(
  { weight: 6, arbitrary: fc.record({ id: fc.constantFrom("event_count", "unique_users", "value_sum", "value_avg", "value_min", "value_max") }) },
  { weight: 4, arbitrary: fc.record({ id: fc.constantFrom("event_count", "value_sum", "unique_users", "value_avg", "value_max", "value_min"), event: eventArb }) },
  { weight: 1, arbitrary: fc.record({ id: fc.constant("conversion_rate"), from_event: fc.constantFrom("signup", "page_view"), to_event: fc.constant("order_completed") }) },
  { weight: 1, arbitrary: fc.record({ id: fc.constantFrom("value_p50", "value_p90") }) },
);
const specArb = widgetArb.chain((w) => fc.array(rollupMetricArb, { minLength: 1, maxLength: 3 }).map((metrics) => ({ ...w, metrics })));
const caseArb = fc.record({
  spec: specArb,
  tenant: fc.oneof({ weight: 8, arbitrary: tenantArb }, { weight: 1, arbitrary: fc.constant("tenant-with-no-events") }),
  state: fc.record({ time_range: fc.option(timeRangeArb, { nil: undefined, freq: 3 }), filters: fc.option(fc.array(filterArb, { maxLength: 1 }), { nil: undefined, freq: 2 }) }),
  permissions: permissionsArb,
  // Some periods start or end inside a bucket (a clamp, an hour): shifted by minutes.
  shift: fc.option(fc.tuple(fc.integer({ min: -600, max: 600 }), fc.integer({ min: -600, max: 600 })), { nil: undefined, freq: 4 }),
});
type Case = { plan: WidgetPlan; def: RollupDefinition };

function parseSpec(raw: Record<string, unknown>, id: string) {
  const w = raw as { chart: string; metrics: unknown[]; breakdown?: string; granularity?: string };
  return ChartWidget.safeParse({ kind: "chart", id, title: "t", ...w, metrics: w.chart === "kpi" ? w.metrics.slice(0, 1) : w.metrics, breakdown: w.chart === "kpi" ? undefined : w.breakdown, granularity: w.chart === "kpi" ? undefined : w.granularity });
}

function shifted(plan: WidgetPlan, [a, b]: [number, number]): WidgetPlan {
  const from = new Date(plan.range.from.getTime() + a * 60_000);
  const to = new Date(plan.range.to.getTime() + b * 60_000);
  if (from >= to) return plan;
  const span = to.getTime() - from.getTime();
  const scan = { from: plan.withPrevious ? new Date(from.getTime() - span) : from, to };
  return { ...plan, range: { from, to }, scan, fill: plan.fill ? { ...plan.fill, from: from.toISOString(), to: to.toISOString() } : undefined };
}

const raws = new Map<WidgetPlan, Outcome>();

async function compare(cases: Case[]) {
  const differences: string[] = [];
  const stats = { cases: 0, fromRollup: 0, withEdges: 0, withData: 0, rollupRows: 0, rawRows: 0 };
  for (const { plan, def } of cases) {
    const scope = previewScope(plan.tenantId);
    const raw: Outcome = await outcome(async () => {
      const r = await runScoped(scope, widgetSql(plan));
      stats.rawRows += r.stats.rows_read;
      return r;
    });
    stats.cases++;
    const answer = rollupQuery(plan, def);
    if (!answer) continue;
    stats.fromRollup++;
    if (answer.edges) stats.withEdges++;
    const fromRollup: Outcome = await outcome(async () => {
      const r = await runScoped(scope, answer.compiled);
      stats.rollupRows += r.stats.rows_read;
      return r;
    });
    if (raw.ok && raw.rows.some((r) => Object.entries(r).some(([k, v]) => /^m\d/.test(k) && v !== 0 && v !== null))) stats.withData++;
    raws.set(plan, raw);
    if (!closeOutcome(raw, fromRollup)) differences.push(`${plan.tenantId} ${plan.timezone} ${plan.range.from.toISOString()}..${plan.range.to.toISOString()} ${JSON.stringify(plan.spec)} locks=${JSON.stringify(plan.locks)} state=${JSON.stringify(plan.stateFilters)}\n raw=${JSON.stringify(raw).slice(0, 400)}\n rollup=${JSON.stringify(fromRollup).slice(0, 400)}`);
  }
  return { differences, stats };
}

describe("rollup oracle", () => {
  const cases: Case[] = [];

  it(`${SPECS} generated widgets in ${ZONES.length} time zones: answers from rollups equal answers from events, while events arrive`, async () => {
    const engine = getAnalytics();
    const samples = fc.sample(caseArb, { seed: SEED, numRuns: SPECS });
    // One published dashboard per zone, holding its share of the widgets; half of them let end users filter by country.
    const perZone = Math.ceil(samples.length / ZONES.length);
    for (const [z, tz] of ZONES.entries()) {
      const mine = samples.slice(z * perZone, (z + 1) * perZone);
      const specs = mine.map((c, i) => parseSpec(c.spec, `w${i}`));
      const definition = {
        widgets: specs.flatMap((s) => (s.success ? [s.data] : [])),
        layout: [],
        filters: z % 2 === 0 ? [{ kind: "dimension" as const, dimension: "country" }] : [],
        timezone: tz,
      } as DashboardDefinition;
      const def = deriveRollup(definition)!;
      expect(def, tz).toBeDefined();
      // Events keep arriving while the first rollup is built, and one batch is retried.
      const during = z === 0 ? ingestDuringBuild() : Promise.resolve();
      await buildRollupNow(engine, def, { leadUs: 200_000 });
      await during;
      for (const [i, c] of mine.entries()) {
        const spec = specs[i];
        const permissions = Permissions.safeParse(c.permissions);
        const state = FilterState.safeParse(c.state);
        if (!spec.success || !permissions.success || !state.success) continue;
        try {
          const plan = planWidget(spec.data, previewScope(c.tenant), { permissions: permissions.data, filters: state.data, timezone: tz, now: NOW, catalog: shared });
          cases.push({ plan: c.shift ? shifted(plan, c.shift) : plan, def });
        } catch (err) {
          if (!(err instanceof AppError)) throw err; // refused the same way on both paths
        }
      }
    }
    const { differences, stats } = await compare(cases);
    // A render's rollup widgets run as one statement: each widget's part equals its own answer from events.
    const groups = new Map<string, Case[]>();
    for (const c of cases) {
      if (!rollupQuery(c.plan, c.def)) continue;
      // A render's widgets share the session's locks (one engine row filter per statement).
      const key = `${c.def.id} ${c.plan.tenantId} ${JSON.stringify(c.plan.locks)}`;
      groups.set(key, [...(groups.get(key) ?? []), c]);
    }
    let mergedStatements = 0;
    for (const group of groups.values()) {
      for (let i = 0; i < group.length; i += 6) {
        const chunk = group.slice(i, i + 6);
        const merged = mergeRollupAnswers(chunk.map((c, k) => ({ plan: c.plan, answer: rollupQuery(c.plan, c.def, `w${k}_`)! })));
        const result = await outcome(() => runScoped(previewScope(chunk[0].plan.tenantId), merged.compiled));
        mergedStatements++;
        const split = result.ok ? merged.split(result) : undefined;
        for (const c of chunk) {
          const mine: Outcome = split ? { ok: true, rows: split.get(c.plan.spec.id)!.rows } : result;
          if (!closeOutcome(raws.get(c.plan)!, mine)) differences.push(`merged ${c.plan.tenantId} ${JSON.stringify(c.plan.spec)}\n raw=${JSON.stringify(raws.get(c.plan)).slice(0, 300)}\n merged=${JSON.stringify(mine).slice(0, 300)}`);
        }
      }
    }
    console.log(`rollup oracle: ${mergedStatements} merged statements of up to 6 widgets`);
    const share = stats.fromRollup / stats.cases;
    console.log(
      `rollup oracle: seed=${SEED} cases=${stats.cases} answered-from-rollups=${stats.fromRollup} (${(share * 100).toFixed(1)}%) with-raw-edges=${stats.withEdges} with-data=${stats.withData} rows-read rollup/raw=${stats.rollupRows}/${stats.rawRows} differences=${differences.length}`,
    );
    expect(differences.slice(0, 3)).toEqual([]);
    expect(stats.cases).toBeGreaterThanOrEqual(1000);
    expect(share).toBeGreaterThan(0.5);
    expect(stats.withEdges).toBeGreaterThan(20);
    expect(stats.withData).toBeGreaterThan(stats.fromRollup * 0.4);
  }, 600_000);

  it("fails when a rollup drops a row or counts one twice", async () => {
    const engine = getAnalytics();
    // An answer that counts every event of acme's, from a whole bucket of its rollup.
    const target = cases.find((c) => {
      const { plan } = c;
      return plan.tenantId === "acme" && !plan.events && plan.metrics.some((m) => m.id === "event_count" && !m.event) && plan.spec.filters.length + plan.stateFilters.length + Object.keys(plan.locks).length === 0 && rollupQuery(plan, c.def);
    });
    expect(target).toBeDefined();
    const { plan, def } = target!;
    const g = rollupQuery(plan, def)!.set;
    const table = `${engine.database}.${rollupTableName(def)}`;
    const time = (d: Date) => `toDateTime64('${d.toISOString().replace("T", " ").replace("Z", "")}', 3, 'UTC')`;
    // One row: the latest whole day (or hour) inside the period.
    const oneRow = `(grp, name, bucket) IN (SELECT grp, name, bucket FROM ${table} WHERE tenant_id = 'acme' AND grp = ${g} AND bucket >= ${time(plan.scan.from)} + INTERVAL 1 DAY AND bucket < ${time(plan.scan.to)} - INTERVAL 1 DAY ORDER BY bucket DESC, name LIMIT 1)`;
    const command = (query: string) => engine.withConnection((c) => c.command({ query, clickhouse_settings: { mutations_sync: "2" } }));
    expect((await compare([target!])).differences).toEqual([]);
    // Counted twice: the row's count doubled, as a retry that slipped past deduplication would leave it.
    await command(`ALTER TABLE ${table} UPDATE n = n * 2 WHERE tenant_id = 'acme' AND ${oneRow}`);
    expect((await compare([target!])).differences).toHaveLength(1);
    await buildRollupNow(engine, def, { leadUs: 100_000 });
    expect((await compare([target!])).differences).toEqual([]);
    // Dropped: the row gone.
    await command(`ALTER TABLE ${table} DELETE WHERE tenant_id = 'acme' AND ${oneRow}`);
    expect((await compare([target!])).differences).toHaveLength(1);
  }, 300_000);
});

/** Batches for the look-alike tenants while a build runs, one sent twice with its deduplication token. */
async function ingestDuringBuild(): Promise<void> {
  const engine = getAnalytics();
  const row = (tenant: string, i: number) => ({
    tenant_id: tenant,
    event_id: `during-${tenant}-${i}`,
    ts: new Date(NOW.getTime() - (i % 200) * 7 * HOUR).toISOString().replace("T", " ").replace("Z", ""),
    name: ["signup", "page_view", "order_completed"][i % 3],
    user_id: `late-${i % 17}`,
    value: i % 5 === 0 ? null : i * 1.25,
    properties: { country: ["DE", "US", "IN"][i % 3], plan: "pro", page: "/docs", device: "mobile" },
  });
  for (let b = 0; b < 12; b++) {
    const rows = Array.from({ length: 50 }, (_v, i) => row(b % 2 ? "acme" : "acme2", b * 50 + i));
    // As POST /v1/events does: a retry carries its first attempt's number and token.
    const first = reserveIngestSeq();
    await insertEventRows(engine, rows, `during-${b}`, first);
    first.release();
    if (b % 4 === 0) {
      const retry = reserveIngestSeq(first.seq);
      await insertEventRows(engine, rows, `during-${b}`, retry);
      retry.release();
    }
    await new Promise((r) => setTimeout(r, 30));
  }
}
