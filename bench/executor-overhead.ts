// Executor overhead: each demo widget through runScoped (fresh connection,
// row filters, limits, readonly, concurrency slot) vs the same compiled SQL
// run raw on one shared connection. Also guard latency over the corpus.
//   npm run bench:executor -- [--events 200000] [--rounds 30]
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({ options: { events: { type: "string", default: "200000" }, rounds: { type: "string", default: "30" } } });
const EVENTS = Number(values.events);
const ROUNDS = Number(values.rounds);
process.env.DATA_DIR = fs.mkdtempSync(path.join(os.tmpdir(), "enclave-bench-"));

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const fmt = (n: number) => n.toFixed(2);

async function main() {
  const { getAnalytics, closeAnalytics } = await import("@/lib/analytics/engine");
  const { loadDemoFixture, previewScope } = await import("@/lib/testing/analytics-fixture");
  const { DEMO_DEFINITION } = await import("@/lib/dashboards/demo-dashboard");
  const { DashboardDefinition } = await import("@/lib/dashboards/definition");
  const { compileWidget } = await import("@/lib/query/compile-widget");
  const { runScoped } = await import("@/lib/query/run-scoped");
  const { guardSql } = await import("@/lib/query/guard");
  const corpus = JSON.parse(fs.readFileSync(path.join(process.cwd(), "lib/query/guard-corpus.json"), "utf8")) as { sql: string }[];

  const started = Date.now();
  await loadDemoFixture(EVENTS);
  console.log(`loaded ${EVENTS.toLocaleString("en")} demo events in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  const engine = getAnalytics();
  const widgets = DashboardDefinition.parse(DEMO_DEFINITION).widgets.filter((w) => w.kind === "chart");
  const tenants = ["acme", "globex", "initech", "acme2", "tenant-010"];
  const raw = await new Promise<import("@clickhouse/client").ClickHouseClient>((resolve) => engine.withConnection(async (c) => { resolve(c); await new Promise(() => {}); }));

  const rows: string[] = [];
  const allScoped: number[] = [];
  const allRaw: number[] = [];
  for (const widget of widgets) {
    const scoped: number[] = [];
    const direct: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      for (const tenant of tenants) {
        const scope = previewScope(tenant);
        const compiled = compileWidget(widget, scope);
        // Alternate the order so neither path always runs on a warmer cache.
        const runs = [
          async () => { const t = performance.now(); await runScoped(scope, compiled); scoped.push(performance.now() - t); },
          async () => { const t = performance.now(); const rs = await raw.query({ query: compiled.sql, query_params: compiled.params, format: "JSON" }); await rs.json(); direct.push(performance.now() - t); },
        ];
        if (round % 2) runs.reverse();
        for (const run of runs) await run();
      }
    }
    // The first round warms both paths; drop it.
    scoped.splice(0, tenants.length);
    direct.splice(0, tenants.length);
    allScoped.push(...scoped);
    allRaw.push(...direct);
    rows.push(`| ${widget.id} | ${fmt(pct(direct, 50))} | ${fmt(pct(scoped, 50))} | ${fmt(pct(scoped, 50) / pct(direct, 50))}× | ${fmt(pct(direct, 95))} | ${fmt(pct(scoped, 95))} | ${fmt(pct(scoped, 95) / pct(direct, 95))}× |`);
  }

  const guardTimes: number[] = [];
  for (let round = 0; round < 3; round++) {
    for (const entry of corpus) {
      const t = performance.now();
      await guardSql(entry.sql.replaceAll("{db}", "enclave"));
      guardTimes.push(performance.now() - t);
    }
  }

  const report = [
    `# Executor overhead — ${new Date().toISOString().slice(0, 10)}`,
    "",
    `${EVENTS.toLocaleString("en")} demo events, ${tenants.length} tenants × ${ROUNDS - 1} measured rounds per widget, embedded chdb, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? "unknown CPU"}), Node ${process.version}.`,
    "Raw: the compiled SQL and parameters on one long-lived connection, no settings. Scoped: `runScoped` — fresh connection, `additional_table_filters`, limits, `readonly`, per-tenant slot, JSON statistics.",
    "",
    "| widget | raw p50 ms | scoped p50 ms | p50 ratio | raw p95 ms | scoped p95 ms | p95 ratio |",
    "|---|---|---|---|---|---|---|",
    ...rows,
    `| **all** | ${fmt(pct(allRaw, 50))} | ${fmt(pct(allScoped, 50))} | ${fmt(pct(allScoped, 50) / pct(allRaw, 50))}× | ${fmt(pct(allRaw, 95))} | ${fmt(pct(allScoped, 95))} | ${fmt(pct(allScoped, 95) / pct(allRaw, 95))}× |`,
    "",
    `Scoping overhead per query: median ${fmt(pct(allScoped, 50) - pct(allRaw, 50))} ms, p95 ${fmt(pct(allScoped, 95) - pct(allRaw, 95))} ms.`,
    "",
    `Guard latency over the ${corpus.length}-payload corpus (×3): p50 ${fmt(pct(guardTimes, 50))} ms, p95 ${fmt(pct(guardTimes, 95))} ms.`,
    "",
  ].join("\n");
  console.log("\n" + report);
  const out = path.join(process.cwd(), "bench/results", `executor-overhead-${new Date().toISOString().slice(0, 10)}.md`);
  fs.writeFileSync(out, report);
  console.log(`report written to ${path.relative(process.cwd(), out)}`);
  await closeAnalytics();
  process.exit(0);
}

void main();
