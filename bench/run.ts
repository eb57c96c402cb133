// The benchmark, end to end: generate data through the library ingest path,
// measure the executor on the engine, then start the production server and
// measure HTTP ingest, embed renders (cold, warm, result cache off and on),
// a browser's cost, and check every response for leaks. Writes
// bench/results/<date>-<size>.md.
//   npm run bench -- [--events 10000000] [--tenants 1000] [--seed 20261123] [--port 3300]
//                    [--rounds 20] [--browser-samples 10] [--keep] [--label NAME] [--baseline bench/results/<earlier>.json]
// Next to the report it writes the headline figures as JSON; --baseline shows
// an earlier run's next to this run's (before/after).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    events: { type: "string", default: "10000000" },
    tenants: { type: "string", default: "1000" },
    seed: { type: "string", default: "20261123" },
    port: { type: "string", default: "3300" },
    rounds: { type: "string", default: "20" },
    "browser-samples": { type: "string", default: "10" },
    keep: { type: "boolean", default: false },
    baseline: { type: "string" },
    label: { type: "string" },
  },
});
const EVENTS = Number(values.events);
const TENANTS = Number(values.tenants);
const SEED = Number(values.seed);
const PORT = Number(values.port);
if (![EVENTS, TENANTS, SEED, PORT].every(Number.isSafeInteger) || TENANTS < 4 || EVENTS < TENANTS * 20) {
  console.error("usage: npm run bench -- [--events N] [--tenants T] [--seed S] [--port P] [--keep]   (T ≥ 4, N ≥ 20·T)");
  process.exit(2);
}

const ROOT = path.resolve(__dirname, "..");
const started = new Date();
const dataDir = path.join(ROOT, "bench/data", started.toISOString().replace(/[:.]/g, "-"));
fs.mkdirSync(dataDir, { recursive: true });
// Read by lib/env.ts on first use: set before any lib module loads.
process.env.DATA_DIR = dataDir;

const sizeLabel = (n: number) => (n >= 1e6 && n % 1e5 === 0 ? `${n / 1e6}M` : n >= 1e3 && n % 100 === 0 ? `${n / 1e3}k` : String(n));
const step = (text: string) => console.log(`\n▶ ${text}`);
// Other processes may share the machine: sample the load so the report can say so.
const loads: number[] = [os.loadavg()[0]];
setInterval(() => loads.push(os.loadavg()[0]), 5_000).unref();

async function engineSteps(anchor: Date) {
  const { generateData, validationMicros } = await import("./generate");
  const { measureOverhead, measureRowsRead, measureGuard, measureRenderPlan, measureRollups } = await import("./executor");
  const { httpEvents } = await import("./http-ingest");
  const { getAnalytics, queryRows, closeAnalytics } = await import("@/lib/analytics/engine");

  step(`generating ${EVENTS.toLocaleString("en")} events over ${TENANTS} tenants into ${path.relative(ROOT, dataDir)}`);
  const generated = await generateData({ events: EVENTS, tenants: TENANTS, seed: SEED, anchor });
  const httpRows = Math.min(500_000, Math.max(20_000, Math.round(EVENTS * 0.03)));
  const forHttp = httpEvents(generated.tenants, httpRows, anchor, SEED + 1);
  const validation = await validationMicros(forHttp.slice(0, 50_000));
  const [{ v }] = await queryRows<{ v: string }>(getAnalytics(), "SELECT version() AS v");

  const t = generated.tenants;
  const pick = (ranks: number[]) => [...new Set(ranks.map((r) => Math.min(t.length, Math.max(1, Math.round(r)))))].map((r) => t[r - 1]);
  const overheadTenants = pick([1, 3, t.length / 10, t.length / 2, t.length]).map((x) => x.id);
  step(`executor overhead: ${overheadTenants.length} tenants × 6 widgets × ${values.rounds} rounds`);
  const overhead = await measureOverhead(overheadTenants, Number(values.rounds));
  step("rows read by small, median and large tenants; guard latency");
  const rowsRead = await measureRowsRead(pick([1, t.length / 10, t.length / 2, t.length]));
  const guard = await measureGuard();
  step("one full render per tenant: per-widget queries vs the render plan");
  const renderPlan = await measureRenderPlan(pick([1, 3, t.length / 2, t.length]));
  step("rollups: build the demo version's, renders from it and from events, 10 largest vs 10 median tenants, insert rate with its view");
  const rollups = await measureRollups(pick([1, 2, t.length / 10, t.length / 2]), t);
  await closeAnalytics();
  // The front door looked for built rollups in the metadata store (none yet): let go of the file before the server migrates it.
  await (await import("@/lib/db")).getDb().$disconnect();
  return { generated, forHttp, validation, clickhouseVersion: v, overhead, overheadTenants, rowsRead, guard, renderPlan, rollups };
}

async function main() {
  const { demoAnchor } = await import("@/lib/analytics/demo-data");
  const { serverSteps } = await import("./server-steps");
  const { renderReport, headline } = await import("./report");
  const { pct } = await import("./stats");
  const anchor = demoAnchor(started);
  const engine = await engineSteps(anchor);
  const server = await serverSteps({ dataDir, port: PORT, engine, seed: SEED, browserSamples: Number(values["browser-samples"]) });

  const chdbVersion = (JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules/chdb/package.json"), "utf8")) as { version: string }).version;
  const baseline = values.baseline ? JSON.parse(fs.readFileSync(path.resolve(values.baseline), "utf8")) : undefined;
  const load = pct(loads, 50);
  const results = {
    title: `Enclave benchmark — ${started.toISOString().slice(0, 10)}, ${EVENTS.toLocaleString("en")} events, ${TENANTS.toLocaleString("en")} tenants`,
    machine: [
      `machine: ${os.cpus().length} cores (${os.cpus()[0]?.model.trim() ?? "unknown CPU"}), ${(os.totalmem() / 2 ** 30).toFixed(1)} GB memory, ${os.type()} ${os.release()}`,
      `Node ${process.version}; engine: embedded chdb ${chdbVersion} (ClickHouse ${engine.clickhouseVersion}), one process per data directory`,
      `load average (1 min) during the run: min ${Math.min(...loads).toFixed(1)}, median ${pct(loads, 50).toFixed(1)}, max ${Math.max(...loads).toFixed(1)} (on ${os.cpus().length} cores; above that, other processes compete with the benchmark)`,
      `seed ${SEED}, data anchored at ${anchor.toISOString().slice(0, 10)}, run took ${((Date.now() - started.getTime()) / 60_000).toFixed(1)} min`,
    ],
    command: `npm run bench -- --events ${EVENTS} --tenants ${TENANTS}`,
    ...engine,
    validationMicros: engine.validation,
    ...server,
    baseline,
    load,
  };
  const report = renderReport(results);
  const out = path.join(ROOT, "bench/results", `${started.toISOString().slice(0, 10)}-${sizeLabel(EVENTS)}-events-${TENANTS}-tenants${values.label ? `-${values.label.replace(/[^A-Za-z0-9_-]/g, "")}` : ""}.md`);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, report);
  fs.writeFileSync(out.replace(/\.md$/, ".json"), `${JSON.stringify(headline(results, load), null, 1)}\n`);
  console.log(`\n${report}\nreport written to ${path.relative(ROOT, out)}`);
  // The ingest path's targets (HTTP ÷ engine, check ÷ JSON.parse, RSS) in their own run, reported next to this one.
  step("ingest profile (bench/ingest-profile.ts)");
  const { spawnSync } = await import("node:child_process");
  spawnSync(process.execPath, ["--conditions=react-server", "--import", "tsx", path.join(ROOT, "bench/ingest-profile.ts"), "--out", out.replace(/\.md$/, "-ingest.md")], { stdio: "inherit", env: { ...process.env, DATA_DIR: "" } });
}

main()
  .catch((err) => {
    console.error(err instanceof Error ? err.stack : err);
    process.exitCode = 1;
  })
  .finally(() => {
    if (values.keep) console.log(`data kept in ${dataDir}`);
    else fs.rmSync(dataDir, { recursive: true, force: true });
    // Keep-alive sockets and timers would hold the process open.
    process.exit();
  });
