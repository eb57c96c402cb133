// Executor overhead on its own: each demo widget through runScoped (fresh
// connection, row filters, limits, readonly, concurrency slot) vs the same
// compiled SQL run raw on one shared connection, plus guard latency. Runs on
// the demo data set in a temp dir, or on a data directory kept by
// `npm run bench -- --keep` (server stopped) to compare executor changes on
// the same data.
//   npm run bench:executor -- [--events 200000] [--rounds 30] [--data-dir bench/data/<run>]
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({ options: { events: { type: "string", default: "200000" }, rounds: { type: "string", default: "30" }, "data-dir": { type: "string" } } });
const EVENTS = Number(values.events);
const ROUNDS = Number(values.rounds);
const reuse = values["data-dir"] ? path.resolve(values["data-dir"]) : undefined;
process.env.DATA_DIR = reuse ?? fs.mkdtempSync(path.join(os.tmpdir(), "enclave-bench-"));

async function main() {
  const { getAnalytics, closeAnalytics, queryRows } = await import("@/lib/analytics/engine");
  const { loadDemoFixture } = await import("@/lib/testing/analytics-fixture");
  const { measureGuard, measureOverhead } = await import("./executor");
  const { overheadTable, pairedRatio } = await import("./report");
  const { ms, pct } = await import("./stats");

  let tenants = ["acme", "globex", "initech", "acme2", "tenant-010"];
  let data = `${EVENTS.toLocaleString("en")} demo events`;
  if (reuse) {
    const sizes = await queryRows<{ t: string; n: number }>(getAnalytics(), "SELECT tenant_id AS t, count() AS n FROM enclave.events GROUP BY t ORDER BY n DESC, t");
    const at = (f: number) => sizes[Math.min(sizes.length - 1, Math.floor(f * sizes.length))].t;
    tenants = [...new Set([at(0), at(0.002), at(0.1), at(0.5), at(1)])];
    data = `the data in ${path.relative(process.cwd(), reuse)} (${sizes.reduce((s, x) => s + Number(x.n), 0).toLocaleString("en")} events, ${sizes.length} tenants)`;
  } else {
    const started = Date.now();
    await loadDemoFixture(EVENTS);
    console.log(`loaded ${data} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  const overhead = await measureOverhead(tenants, ROUNDS - 1);
  const guard = await measureGuard();
  const raw = overhead.flatMap((o) => o.raw);
  const scoped = overhead.flatMap((o) => o.scoped);

  const report = [
    `# Executor overhead — ${new Date().toISOString().slice(0, 10)}`,
    "",
    `${data}, tenants ${tenants.join(", ")} × ${ROUNDS - 1} measured rounds per widget, embedded chdb, ${os.cpus().length} cores (${os.cpus()[0]?.model ?? "unknown CPU"}), Node ${process.version}, load average ${os.loadavg()[0].toFixed(2)}.`,
    "Raw: the compiled SQL and parameters on one long-lived connection, no settings. Scoped: `runScoped` — fresh connection, `additional_table_filters`, limits, `readonly`, per-tenant slot, JSON statistics.",
    "",
    ...overheadTable(overhead),
    "",
    `Scoping overhead per query: median ${ms(pct(scoped, 50) - pct(raw, 50))} ms, p95 ${ms(pct(scoped, 95) - pct(raw, 95))} ms. ` +
      `Median of paired ratios (each scoped run ÷ the raw run of the same query next to it): ${pairedRatio(overhead).toFixed(2)}×.`,
    "",
    `Guard latency over the ${guard.payloads}-payload corpus (×3): p50 ${ms(guard.p50)} ms, p95 ${ms(guard.p95)} ms.`,
    "",
  ].join("\n");
  console.log("\n" + report);
  // A run on kept data is a comparison for the console; the demo-data run is the one kept in bench/results.
  if (!reuse) {
    const out = path.join(process.cwd(), "bench/results", `executor-overhead-${new Date().toISOString().slice(0, 10)}.md`);
    fs.writeFileSync(out, report);
    console.log(`report written to ${path.relative(process.cwd(), out)}`);
  }
  await closeAnalytics();
  if (!reuse) fs.rmSync(process.env.DATA_DIR!, { recursive: true, force: true });
  process.exit(0);
}

void main();
