// Bulk import speed and memory (`npm run bench:import -- [rows] [--formats=csv,parquet,ndjson] [--memory | --memory-only]`).
// The same generated history as CSV, Parquet and NDJSON. For each format, in
// one process on one data directory, alternating: the engine's own
// `INSERT INTO events SELECT … FROM file(…)` of the file, then
// `runImport` (hashing, chunking, ledger, SQL fast path, checkRow for the
// rest) — the CLI's code with the store opened here — then the rules alone
// (the server's chunk step over the whole file). Medians of 3, with
// os.loadavg(). With --memory: a server child (lib/testing/server-child.ts)
// imports the CSV over HTTP and its peak RSS is read from /proc. Its own data
// directory under bench/data (or DATA_DIR when set); the generated files are
// kept beside it in bench/data/bench-import-files for the next run.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { closeAnalytics, getAnalytics, queryRows } from "@/lib/analytics/engine";
import { getDb } from "@/lib/db";
import { reserveIngestSeq } from "@/lib/analytics/ingest";
import { specFromFlags, type ImportFormat } from "@/lib/import/import-spec";
import { importNdjson, importTabular } from "@/lib/import/tabular-chunk";
import { runImport } from "@/scripts/import/run-import";
import { migrateTestDatabase } from "@/lib/testing/test-db";
import { localTarget, serverTarget } from "@/scripts/import/targets";

const args = process.argv.slice(2);
const ROWS = Number(args.find((a) => /^\d+$/.test(a)) ?? 1_000_000);
const formats = (args.find((a) => a.startsWith("--formats="))?.slice(10) ?? "csv,parquet,ndjson").split(",").filter((f) => ["csv", "parquet", "ndjson"].includes(f)) as ImportFormat[];
const ROOT = path.resolve(__dirname, "..");
process.env.DATA_DIR ||= path.join(ROOT, "bench/data", `import-${new Date().toISOString().replace(/[:.]/g, "-")}`);
fs.mkdirSync(process.env.DATA_DIR, { recursive: true });
const files = path.join(process.env.DATA_DIR, "..", "bench-import-files");
const load = () => os.loadavg().map((x) => x.toFixed(2)).join(" ");
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function writeCsv(file: string, rows: number): Promise<void> {
  const w = fs.createWriteStream(file);
  w.write("tenant_id,name,ts,user_id,value,event_id,page,plan\n");
  const base = Date.UTC(2025, 0, 1);
  for (let i = 0; i < rows; i++) {
    const ts = new Date(base + (i % 300) * 86_400_000 + (i % 86_400) * 1000).toISOString().replace(".000Z", "Z");
    if (!w.write(`t${i % 1000},${i % 7 ? "page_view" : "signup"},${ts},u${i % 50_000},${(i % 1000) / 4},e${i},/p/${i % 50},${i % 3 ? "pro" : "free"}\n`)) await new Promise<void>((r) => w.once("drain", () => r()));
  }
  await new Promise((r) => w.end(r));
}

const SPEC = { csv: ["page=properties.page", "plan=properties.plan"], parquet: ["page=properties.page", "plan=properties.plan"], ndjson: [] as string[] };
const SOURCE = (file: string, format: ImportFormat) => `file('${file}', ${format === "csv" ? "CSVWithNames" : format === "parquet" ? "Parquet" : "JSONEachRow"})`;
const BASELINE = (file: string, format: ImportFormat) =>
  format === "ndjson"
    ? `INSERT INTO enclave.events (tenant_id, event_id, ts, name, user_id, value, properties) SELECT tenant_id, event_id, ts, name, user_id, value, properties FROM ${SOURCE(file, format)} SETTINGS input_format_json_read_objects_as_strings = 0`
    : `INSERT INTO enclave.events (tenant_id, event_id, ts, name, user_id, value, properties) SELECT tenant_id, event_id, ts, name, user_id, value, map('page', page, 'plan', plan) FROM ${SOURCE(file, format)}`;

async function main() {
  migrateTestDatabase();
  fs.mkdirSync(files, { recursive: true });
  const csv = path.join(files, `h${ROWS}.csv`);
  if (!fs.existsSync(csv)) await writeCsv(csv, ROWS);
  if (args.includes("--memory-only")) return memory(csv);
  const engine = getAnalytics();
  const target = await localTarget();
  const exec = (query: string) => engine.withConnection((c) => c.command({ query }));
  const paths: Record<ImportFormat, string> = { csv, parquet: csv.replace(/\.csv$/, ".parquet"), ndjson: csv.replace(/\.csv$/, ".ndjson") };
  if (!fs.existsSync(paths.parquet)) await exec(`INSERT INTO FUNCTION ${SOURCE(paths.parquet, "parquet")} SELECT * FROM ${SOURCE(csv, "csv")}`);
  if (!fs.existsSync(paths.ndjson)) await exec(`INSERT INTO FUNCTION ${SOURCE(paths.ndjson, "ndjson")} SELECT tenant_id, name, replaceOne(toString(ts), ' ', 'T') || 'Z' AS ts, user_id, value, event_id, map('page', page, 'plan', plan) AS properties FROM ${SOURCE(csv, "csv")}`);
  const count = async () => Number((await queryRows<{ n: number }>(engine, "SELECT count() AS n FROM enclave.events"))[0].n);
  const results: Record<string, unknown>[] = [];
  for (const format of formats) {
    const file = paths[format];
    const base: number[] = [];
    const imp: number[] = [];
    const rules: number[] = [];
    const loads: string[] = [];
    for (let run = 0; run < 3; run++) {
      await exec("TRUNCATE TABLE enclave.events");
      let t = process.hrtime.bigint();
      await exec(BASELINE(file, format));
      base.push(Number(process.hrtime.bigint() - t) / 1e9);
      if ((await count()) !== ROWS) throw new Error(`baseline stored ${await count()} rows`);
      await exec("TRUNCATE TABLE enclave.events");
      // An empty ledger each run: this measures a first import, not a re-run.
      await getDb().importChunk.deleteMany({});
      t = process.hrtime.bigint();
      const summary = await runImport({ file, spec: specFromFlags({ format, map: SPEC[format] }), target });
      imp.push(Number(process.hrtime.bigint() - t) / 1e9);
      if (summary.accepted !== ROWS || (await count()) !== ROWS) throw new Error(`import stored ${await count()} rows (${JSON.stringify(summary)})`);
      // The rules alone: the server's step for one chunk (SQL fast path, checkRow for the rest) over the whole
      // file at once, without the CLI's hashing, cutting, streaming, ledger and lock. What is left of the gap
      // to the engine's own INSERT … SELECT is then the price of the rules, not of the import around them.
      await exec("TRUNCATE TABLE enclave.events");
      const reserved = reserveIngestSeq();
      t = process.hrtime.bigint();
      const step = format === "ndjson" ? importNdjson : importTabular;
      const whole = await step(engine, { source: { path: file, format }, spec: specFromFlags({ format, map: SPEC[format] }), firstIndex: 0, token: `bench-rules-${Date.now()}`, reserved, progress: { inserting: false } }).finally(() => reserved.release());
      rules.push(Number(process.hrtime.bigint() - t) / 1e9);
      if (whole.accepted !== ROWS || (await count()) !== ROWS) throw new Error(`the rules alone stored ${await count()} rows`);
      loads.push(load());
      console.error(`${format} run ${run}: engine ${base.at(-1)!.toFixed(2)} s, import ${imp.at(-1)!.toFixed(2)} s (fast path ${summary.fast}), the rules alone ${rules.at(-1)!.toFixed(2)} s, load ${load()}`);
    }
    const engineRate = ROWS / median(base);
    const importRate = ROWS / median(imp);
    const rulesRate = ROWS / median(rules);
    const r2 = (x: number) => Math.round(x * 100) / 100;
    results.push({ format, rows: ROWS, file_mb: Math.round(fs.statSync(file).size / 1e5) / 10, engine_rows_per_s: Math.round(engineRate), import_rows_per_s: Math.round(importRate), ratio: r2(importRate / engineRate), rules_alone_rows_per_s: Math.round(rulesRate), rules_alone_ratio: r2(rulesRate / engineRate), import_over_rules_alone: r2(importRate / rulesRate), loadavg: loads });
  }
  console.log(JSON.stringify({ cores: os.cpus().length, results }, null, 2));
  await closeAnalytics();
  if (args.includes("--memory")) await memory(csv);
}

/** A server child imports the CSV over HTTP; its RSS is sampled every 100 ms and its peak (VmHWM) read at the end. */
async function memory(csv: string): Promise<void> {
  const { startChild, stopChild } = await import("@/lib/testing/crash-harness");
  const { readOrCreateOperatorToken } = await import("@/lib/backup/operator-token");
  await getDb().importChunk.deleteMany({}); // a first import, not a re-run
  const child = await startChild();
  const pid = child.proc.pid!;
  const status = () => fs.readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(status())![1]);
  const before = kb("VmRSS");
  let peak = before;
  const timer = setInterval(() => (peak = Math.max(peak, kb("VmRSS"))), 100);
  let summary, hwm;
  try {
    summary = await runImport({ file: csv, spec: specFromFlags({ format: "csv", map: SPEC.csv }), target: serverTarget(new URL(child.baseUrl), readOrCreateOperatorToken()) });
    hwm = kb("VmHWM");
  } finally {
    clearInterval(timer);
    await stopChild(child);
  }
  console.log(JSON.stringify({ memory: { file_mb: Math.round(fs.statSync(csv).size / 1e6), rows: summary.rows, rows_per_s: summary.rows_per_second, server_rss_mb_before: Math.round(before / 1024), server_rss_mb_peak_sampled: Math.round(peak / 1024), server_vmhwm_mb: Math.round(hwm / 1024), loadavg: load() } }, null, 2));
}

void main().catch((err) => {
  console.error(err);
  process.exit(1);
});
