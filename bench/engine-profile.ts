// Where the engine spends a render's time: each demo widget's statement, from
// the demo version's rollup and from events, run through the executor's own
// settings, with the engine's profile counters (system.events, the process's
// cumulative counters) read before and after N runs and divided by N. The
// embedded engine keeps no query log, so counters are read this way.
//   node scripts/run-ts.mjs bench/engine-profile.ts --data-dir DIR [--tenants a,b] [--runs 20]
// DIR: a data directory kept by `npm run bench -- --keep` (server stopped), or
// any data directory with events; the rollup is built there if missing.
import path from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({ options: { "data-dir": { type: "string" }, tenants: { type: "string" }, runs: { type: "string", default: "20" } } });
if (!values["data-dir"]) {
  console.error("usage: node scripts/run-ts.mjs bench/engine-profile.ts --data-dir DIR [--tenants a,b] [--runs 20]");
  process.exit(2);
}
process.env.DATA_DIR = path.resolve(values["data-dir"]);
const RUNS = Number(values.runs);

/** Counters shown: time spent per stage (ms per statement) and what was read. */
const SHOWN = [
  "OSCPUVirtualTimeMicroseconds",
  "QueryParseMicroseconds",
  "QueryAnalysisMicroseconds",
  "QueryPlanBuildMicroseconds",
  "QueryPlanOptimizeMicroseconds",
  "QueryPipelineBuildMicroseconds",
  "CompileExpressionsMicroseconds",
  "FilteringMarksWithPrimaryKeyMicroseconds",
  "DiskReadElapsedMicroseconds",
  "SelectQueryTimeMicroseconds",
  "SelectedParts",
  "SelectedMarks",
  "SelectedRows",
];

async function main() {
  const { getAnalytics, queryRows } = await import("@/lib/analytics/engine");
  const { previewScope } = await import("@/lib/testing/analytics-fixture");
  const { planWidget, widgetSql } = await import("@/lib/query/compile-widget");
  const { scopedSettings } = await import("@/lib/query/run-scoped");
  const { mergeRollupAnswers, rollupQuery } = await import("@/lib/rollups/answer");
  const { deriveRollup, rollupTableName } = await import("@/lib/rollups/define");
  const { keyColumns, rollupSelect, rollupTableDdl } = await import("@/lib/rollups/rollup-sql");
  const { DEMO_DEFINITION } = await import("@/lib/dashboards/demo-dashboard");
  const { DashboardDefinition } = await import("@/lib/dashboards/definition");
  const engine = getAnalytics();
  const definition = DashboardDefinition.parse(DEMO_DEFINITION);
  const def = deriveRollup(definition)!;
  const table = `${engine.database}.${rollupTableName(def)}`;
  const [exists] = await queryRows<{ n: number }>(engine, `SELECT count() AS n FROM system.tables WHERE database = '${engine.database}' AND name = '${rollupTableName(def)}'`);
  if (!Number(exists.n)) {
    console.log(`building ${table} …`);
    await engine.withConnection((c) => c.command({ query: rollupTableDdl(engine.database, def) }));
    await engine.withConnection((c) => c.command({ query: `INSERT INTO ${table}\n${rollupSelect(engine.database, def, "1")}`, clickhouse_settings: { insert_deduplicate: 0 } }));
    await engine.withConnection((c) => c.command({ query: `OPTIMIZE TABLE ${table} FINAL` }));
  }
  const sizes = await queryRows<{ t: string; n: number }>(engine, "SELECT tenant_id AS t, count() AS n FROM enclave.events GROUP BY t ORDER BY n DESC, t");
  const tenants = values.tenants ? values.tenants.split(",") : [sizes[0].t, sizes[Math.floor(sizes.length / 2)].t];
  const [{ m }] = await queryRows<{ m: string }>(engine, "SELECT toString(max(ts)) AS m FROM enclave.events");
  const now = new Date(m.replace(" ", "T") + "Z");

  const counters = async () => new Map((await queryRows<{ event: string; value: number }>(engine, "SELECT event, value FROM system.events")).map((r) => [r.event, Number(r.value)]));
  const profile = async (sql: string, params: Record<string, unknown>, settings: Record<string, unknown>) => {
    const run = () => engine.withConnection((c) => engine.queryJson(c, { sql, params, settings: settings as never }));
    for (let i = 0; i < 3; i++) await run();
    const before = await counters();
    for (let i = 0; i < RUNS; i++) await run();
    const after = await counters();
    return Object.fromEntries(SHOWN.map((k) => [k, ((after.get(k) ?? 0) - (before.get(k) ?? 0)) / RUNS / (k.endsWith("Microseconds") ? 1000 : 1)]));
  };
  const fmt = (k: string, v: number) => (k.endsWith("Microseconds") ? v.toFixed(2) : Math.round(v).toLocaleString("en"));
  const label = (k: string) => k.replace(/Microseconds$/, " ms").replace(/^OSCPUVirtualTime/, "CPU");

  console.log(`# Engine profile per statement (${RUNS} runs each, medians of nothing: means of the engine's counters)\n`);
  const floor = await profile("SELECT 1", {}, { readonly: "1" });
  console.log(`Floor (\`SELECT 1\` on a fresh connection): CPU ${floor.OSCPUVirtualTimeMicroseconds.toFixed(2)} ms.\n`);
  for (const tenant of tenants) {
    const scope = previewScope(tenant);
    const rows = sizes.find((s) => s.t === tenant)?.n ?? 0;
    const columns: { name: string; p: Record<string, number> }[] = [];
    const answered: { plan: ReturnType<typeof planWidget>; answer: NonNullable<ReturnType<typeof rollupQuery>> }[] = [];
    for (const widget of definition.widgets) {
      if (widget.kind !== "chart") continue;
      const plan = planWidget(widget, scope, { filters: {}, timezone: definition.timezone, now } as never);
      const raw = widgetSql(plan);
      columns.push({ name: `${widget.id} (events)`, p: await profile(raw.sql, raw.params, scopedSettings(scope, raw)) });
      const answer = rollupQuery(plan, def);
      if (answer) columns.push({ name: `${widget.id} (rollup)`, p: await profile(answer.compiled.sql, answer.compiled.params, scopedSettings(scope, answer.compiled)) });
      const own = rollupQuery(plan, def, `w${answered.length}_`);
      if (own) answered.push({ plan, answer: own });
    }
    // What a render runs: the rollup widgets' statements as one (run-render.ts).
    const merged = mergeRollupAnswers(answered).compiled;
    columns.push({ name: `render: ${answered.length} widgets in one statement`, p: await profile(merged.sql, merged.params, scopedSettings(scope, merged)) });
    // The least any rollup-answered render could ask of the engine: one read of the
    // tenant's rollup rows over the render's widest period, no aggregation at all.
    const from = new Date(Math.min(...answered.map(({ plan }) => plan.range.from.getTime() - (plan.withPrevious ? plan.range.to.getTime() - plan.range.from.getTime() : 0))));
    const flat = { ...merged, sql: `SELECT grp, name, bucket, ${keyColumns(def).join(", ")}, n, vmin, vmax FROM ${table} WHERE tenant_id = {tenant:String} AND bucket >= {from:DateTime}`, params: { tenant, from: Math.floor(from.getTime() / 1000) }, fill: undefined };
    columns.push({ name: "floor: one flat read of the tenant's rollup rows", p: await profile(flat.sql, flat.params, scopedSettings(scope, flat)) });
    console.log(`## ${tenant} (${Number(rows).toLocaleString("en")} events)\n`);
    console.log(`| counter | ${columns.map((c) => c.name).join(" | ")} |`);
    console.log(`|---|${columns.map(() => "---").join("|")}|`);
    for (const k of SHOWN) console.log(`| ${label(k)} | ${columns.map((c) => fmt(k, c.p[k])).join(" | ")} |`);
    console.log("");
  }
  process.exit(0);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
