// The ingest path's speed in one run, each figure with the load average next
// to it (the machine is shared: ratios measured in the same run are what to
// compare):
//   1. per-row cost: JSON.parse of one event's text vs validating the parsed
//      value (the zod reference, and the compiled checker when present) and
//      writing the engine's input line;
//   2. the engine inserting the same rows directly, in each candidate format,
//      10k-row batches, the same concurrency as the HTTP run;
//   3. POST /v1/events over HTTP against lib/testing/server-child.ts (the real
//      route handler behind the production drain), 4 requests in flight,
//      10k-row batches, the server's RSS sampled every 100 ms.
//   npm run bench:ingest -- [--rows 200000] [--batch 10000] [--concurrency 4] [--rounds 3] [--out FILE] [--keep] [--cpu-prof DIR]
import fs from "node:fs";
import { Agent, request } from "node:http";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { describeThreads, measureThreads, mergesSettled } from "./thread-cpu";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    rows: { type: "string", default: "200000" },
    batch: { type: "string", default: "10000" },
    concurrency: { type: "string", default: "4" },
    rounds: { type: "string", default: "3" },
    out: { type: "string" },
    label: { type: "string", default: "" },
    keep: { type: "boolean", default: false },
    "cpu-prof": { type: "string" },
    "sqlite-rollback-journal": { type: "boolean", default: false },
  },
});
const ROWS = Number(values.rows);
const BATCH = Number(values.batch);
const CONCURRENCY = Number(values.concurrency);
const ROUNDS = Number(values.rounds);
const ROOT = path.resolve(__dirname, "..");
const started = new Date();
const dataDir = path.join(ROOT, "bench/data", `ingest-${started.toISOString().replace(/[:.]/g, "-")}`);
fs.mkdirSync(dataDir, { recursive: true });
process.env.DATA_DIR = dataDir;

const load = () => os.loadavg()[0];
const loads: number[] = [load()];
setInterval(() => loads.push(load()), 2_000).unref();
const int = (n: number) => Math.round(n).toLocaleString("en");
const log = (text: string) => console.log(`${text}  [load ${os.loadavg().map((l) => l.toFixed(2)).join(" ")}]`);

export type PerRow = { parseNs: number; zodNs: number; zodEncodeNs: number; checkNs?: number; fastNs?: number; fastEncodeNs?: number; textNs?: number; ratio: number; load: number };

async function perRowCosts(texts: string[]): Promise<PerRow> {
  const { checkEvent } = await import("@/lib/analytics/ingest");
  const fast = await import("@/lib/ingest/check-row").catch(() => undefined);
  const fromText = await import("@/lib/ingest/row-text").catch(() => undefined);
  const time = (fn: () => void) => {
    const t = process.hrtime.bigint();
    fn();
    return Number(process.hrtime.bigint() - t) / texts.length;
  };
  const parsed = texts.map((t) => JSON.parse(t) as unknown);
  const samples: Record<string, number[]> = { parse: [], zod: [], zodEncode: [], check: [], fast: [], fastEncode: [], text: [], ratio: [] };
  let sink = 0;
  for (let round = 0; round < 9; round++) {
    // Each round: JSON.parse, then right after it the compiled path's steps, then the zod reference
    // last (its garbage would otherwise be collected during the next measurement).
    const parse = time(() => {
      for (let i = 0; i < texts.length; i++) sink += (JSON.parse(texts[i]) as { name: string }).name.length;
    });
    samples.parse.push(parse);
    if (fast) {
      // The decision alone (compiledCheck), with the engine's line (compiledLine), and the route's whole
      // per-row step (checkRow: the line copied into the batch's buffer).
      const c = time(() => {
        for (let i = 0; i < parsed.length; i++) sink += fast.compiledCheck(parsed[i]) ? 1 : 0;
      });
      const f = time(() => {
        for (let i = 0; i < parsed.length; i++) sink += fast.compiledLine(parsed[i])?.length ?? 0;
      });
      const rows = fast.benchRowSink();
      const w = time(() => {
        for (let i = 0; i < parsed.length; i++) sink += fast.checkRow(parsed[i], i, rows) === undefined ? 0 : 1;
      });
      rows.release();
      if (fromText) {
        // The route's step for the common event: read from its text, no JSON.parse (lib/ingest/row-text.ts).
        const fromTextRows = fast.benchRowSink();
        samples.text.push(
          time(() => {
            for (let i = 0; i < texts.length; i++) sink += fromText.checkRowText(texts[i], i, fromTextRows) === undefined ? 0 : 1;
          }),
        );
        fromTextRows.release();
      }
      samples.check.push(c);
      samples.fast.push(f);
      samples.fastEncode.push(w);
      samples.ratio.push(c / parse);
    }
    const zod = time(() => {
      for (let i = 0; i < parsed.length; i++) sink += "code" in checkEvent(parsed[i], i) ? 1 : 0;
    });
    const zodEncode = time(() => {
      for (let i = 0; i < parsed.length; i++) {
        const row = checkEvent(parsed[i], i);
        if (!("code" in row)) sink += JSON.stringify({ ...row, ingest_seq: 1 }).length;
      }
    });
    samples.zod.push(zod);
    samples.zodEncode.push(zodEncode);
    if (!fast) samples.ratio.push(zod / parse);
  }
  if (sink === -1) console.log(sink);
  const med = (xs: number[]) => (xs.length ? xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)] : undefined);
  return { parseNs: med(samples.parse)!, zodNs: med(samples.zod)!, zodEncodeNs: med(samples.zodEncode)!, checkNs: med(samples.check), fastNs: med(samples.fast), fastEncodeNs: med(samples.fastEncode), textNs: med(samples.text), ratio: med(samples.ratio)!, load: load() };
}

async function main() {
  const { demoAnchor } = await import("@/lib/analytics/demo-data");
  const { benchTenants, tenantEvents } = await import("./dataset");
  const { shuffled } = await import("./stats");
  const { toEventRow } = await import("@/lib/analytics/event-row");
  const anchor = demoAnchor(started);
  const events = shuffled(benchTenants(ROWS, 100).flatMap((t) => [...tenantEvents(t, t.rows, anchor, 7)]), 7);
  const texts = events.map((e) => JSON.stringify(e));
  log(`${int(events.length)} events, ${(texts.reduce((n, t) => n + t.length + 1, 0) / events.length).toFixed(0)} bytes each as JSON`);

  // 1. Per row.
  const perRow = await perRowCosts(texts.slice(0, 50_000));
  log(`per row: JSON.parse ${perRow.parseNs.toFixed(0)} ns;${perRow.textNs ? ` from the text ${perRow.textNs.toFixed(0)} ns;` : ""} zod ${perRow.zodNs.toFixed(0)} ns (+ JSON line ${perRow.zodEncodeNs.toFixed(0)} ns)` + (perRow.fastNs ? `; compiled check ${perRow.checkNs!.toFixed(0)} ns, ${perRow.fastNs.toFixed(0)} ns incl. its line (${perRow.fastEncodeNs!.toFixed(0)} ns with the copy into the batch)` : "") + `; validation ÷ parse = ${perRow.ratio.toFixed(2)}`);

  // 2. The engine directly, before the server takes the data directory.
  const { getAnalytics, closeAnalytics } = await import("@/lib/analytics/engine");
  const { ensureAnalyticsSchema } = await import("@/lib/analytics/schema");
  const { engineRates } = await import("./ingest-engine");
  const { migrateTestDatabase } = await import("@/lib/testing/test-db");
  migrateTestDatabase();
  const engine = getAnalytics();
  await ensureAnalyticsSchema(engine);
  const rows = events.map((e, i) => toEventRow(e, i)).filter((r) => !("code" in r)) as import("@/lib/analytics/event-row").EventRow[];
  const batches: (typeof rows)[] = [];
  for (let i = 0; i < rows.length; i += BATCH) batches.push(rows.slice(i, i + BATCH));
  await engineRates(engine, batches.slice(0, 4), CONCURRENCY, 1); // warm-up
  const engineResults = await engineRates(engine, batches, CONCURRENCY, ROUNDS);
  const sends = (await import("@/lib/analytics/engine-insert").then((m) => m.ENGINE_FORMAT as string).catch(() => "client-JSONEachRow")) as string;
  const engineSent = engineResults.find((r) => r.format === sends)!;
  // The comparison the target names: the engine direct on the HTTP run's own course (warm-up, then rounds into the same table).
  const { engineCourse } = await import("./ingest-engine");
  const course = await engineCourse(engine, batches, CONCURRENCY, ROUNDS, CONCURRENCY);
  // The server starts on an empty table too, and runs the same course.
  await engine.withConnection((client) => client.command({ query: `TRUNCATE TABLE ${engine.database}.events` }));
  await closeAnalytics();

  // 3. HTTP against the real route handler.
  const { createApiKey } = await import("@/lib/auth/api-keys");
  const { startChild, stopChild } = await import("@/lib/testing/crash-harness");
  const { key: created, secret } = await createApiKey({ name: "bench", scopes: ["ingest"] }, "bench");
  void created;
  // --cpu-prof DIR: the server writes a V8 CPU profile there when it stops (open it in Chrome DevTools, or bench/cpu-summary.ts).
  const profile = values["cpu-prof"] ? { NODE_OPTIONS: `--import ${pathToFileURL(path.join(ROOT, "bench/cpu-profile-hook.mjs")).href}`, CPU_PROFILE_DIR: path.resolve(values["cpu-prof"]) } : {};
  // The metadata store in WAL mode, as `npm start` prepares it (lib/setup/prepare-stores.ts; it persists in the
  // file): the Idempotency-Key writes cost what they cost in production. --sqlite-rollback-journal measures without.
  if (!values["sqlite-rollback-journal"]) {
    const { getDb } = await import("@/lib/db");
    await getDb().$queryRawUnsafe("PRAGMA journal_mode = WAL");
  }
  const child = await startChild({ env: { DATA_DIR: dataDir, ROLLUPS: "0", ...profile } });
  const rss: number[] = [];
  const rssOf = () => Number(/VmRSS:\s+(\d+)/.exec(fs.readFileSync(`/proc/${child.proc.pid}/status`, "utf8"))?.[1] ?? 0) * 1024;
  const idleRss = rssOf();
  // Bodies as bytes, encoded once: the client shares the two cores with the server.
  const bodies = Array.from({ length: Math.ceil(events.length / BATCH) }, (_, b) => Buffer.from(`[${texts.slice(b * BATCH, (b + 1) * BATCH).join(",")}]`));
  const run = `${Date.now().toString(36)}`;
  // node:http with kept-alive connections, not fetch: the client shares the two cores with the server, and
  // fetch (undici) spent 6–12 ms of CPU per 2.6 MB body where node:http spends ~1 ms (measured side by side).
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const url = new URL(`${child.baseUrl}/v1/events`);
  const post = (body: Buffer, id: string | undefined) =>
    new Promise<number>((resolve, reject) => {
      const headers: Record<string, string | number> = { authorization: `Bearer ${secret}`, "content-type": "application/json", "content-length": body.length };
      if (id !== undefined) headers["idempotency-key"] = `bench-${run}-${id}`;
      const req = request({ host: url.hostname, port: url.port, path: url.pathname, method: "POST", agent, headers }, (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (d: string) => (text += d));
        res.on("end", () => {
          const answer = JSON.parse(text) as { accepted?: number; error?: { message: string } };
          if (res.statusCode !== 200) reject(new Error(`HTTP ${res.statusCode}: ${answer.error?.message}`));
          else resolve(answer.accepted ?? 0);
        });
        res.on("error", reject);
      });
      req.on("error", reject);
      req.end(body);
    });
  const { mapLimit, pct } = await import("./stats");
  await mapLimit(bodies.slice(0, CONCURRENCY), CONCURRENCY, (b, i) => post(b, `warm-${i}`));
  const httpRuns: { rowsPerSecond: number; mergedRowsPerSecond: number; load: number; accepted: number }[] = [];
  const sampler = setInterval(() => rss.push(rssOf()), 100);
  const serverThreads = measureThreads(child.proc.pid!);
  const cpuBefore = process.cpuUsage();
  await mergesSettled(child.proc.pid!); // the warm-up's merges are not the first round's work
  for (let r = 0; r < ROUNDS; r++) {
    const t = performance.now();
    const accepted = (await mapLimit(bodies, CONCURRENCY, (b, i) => post(b, `${r}-${i}`))).reduce((a, b) => a + b, 0);
    const inserted = performance.now();
    // As the engine-direct run: each round ends when the merges it set off are done, and is given both ways.
    const merged = Math.max(inserted, await mergesSettled(child.proc.pid!));
    const rate = events.length / ((inserted - t) / 1000);
    const mergedRate = events.length / ((merged - t) / 1000);
    httpRuns.push({ rowsPerSecond: rate, mergedRowsPerSecond: mergedRate, load: load(), accepted });
    log(`  HTTP round ${r + 1}: ${int(rate)} rows/s, ${int(mergedRate)} rows/s to the end of its merges (${int(accepted)} accepted)`);
  }
  const httpRows = ROUNDS * events.length;
  const { usPerRow: serverUsPerRow, byThread: serverCpu } = serverThreads(httpRows);
  const clientCpu = process.cpuUsage(cpuBefore);
  const clientUsPerRow = (clientCpu.user + clientCpu.system) / httpRows;
  // Diagnostic: the same bodies without Idempotency-Key (no SQLite write on the event loop).
  const t0 = performance.now();
  await mapLimit(bodies, CONCURRENCY, (b) => post(b, undefined));
  const noKey = { rowsPerSecond: events.length / ((performance.now() - t0) / 1000), load: load() };
  log(`  HTTP without Idempotency-Key: ${int(noKey.rowsPerSecond)} rows/s`);
  clearInterval(sampler);
  agent.destroy();
  await stopChild(child, "SIGTERM");
  const http = pct(httpRuns.map((h) => h.rowsPerSecond), 50);
  const httpMerged = pct(httpRuns.map((h) => h.mergedRowsPerSecond), 50);
  const engineMerged = course.mergedRowsPerSecond;

  const loadMedian = pct(loads, 50);
  const lines = [
    `# Ingest profile — ${started.toISOString()}${values.label ? ` (${values.label})` : ""}`,
    "",
    `- machine: ${os.cpus().length} cores, Node ${process.version}; load average (1 min) during the run: min ${Math.min(...loads).toFixed(2)}, median ${loadMedian.toFixed(2)}, max ${Math.max(...loads).toFixed(2)}`,
    `- command: \`npm run bench:ingest -- --rows ${ROWS} --batch ${BATCH} --concurrency ${CONCURRENCY} --rounds ${ROUNDS}${values["sqlite-rollback-journal"] ? " --sqlite-rollback-journal" : ""}\`${values["sqlite-rollback-journal"] ? " (diagnostic: the metadata store in rollback-journal mode, not WAL as npm start prepares it)" : ""}`,
    `- ${int(events.length)} events of ${(texts.reduce((n, t) => n + t.length + 1, 0) / events.length).toFixed(0)} bytes (JSON), 100 tenants, ${BATCH.toLocaleString("en")}-row JSON array bodies with an Idempotency-Key each`,
    "",
    "| measure | value | target | load |",
    "|---|---|---|---|",
    `| HTTP ingest, ${CONCURRENCY} in flight (median of ${ROUNDS}) | ${int(http)} rows/s | ≥ 200,000 ${http >= 200_000 ? "✅" : "❌"} | ${httpRuns.map((h) => h.load.toFixed(2)).join(", ")} |`,
    `| (diagnostic) HTTP ingest without Idempotency-Key, one round | ${int(noKey.rowsPerSecond)} rows/s | — | ${noKey.load.toFixed(2)} |`,
    `| engine direct, format Enclave sends (${sends}), ${CONCURRENCY} in flight, the HTTP run's course (median of ${ROUNDS}) | ${int(course.rowsPerSecond)} rows/s | — | ${course.runs.map((x) => x.load.toFixed(2)).join(", ")} |`,
    `| HTTP ÷ engine direct | ${(http / course.rowsPerSecond).toFixed(2)} | ≥ 0.7 ${http / course.rowsPerSecond >= 0.7 ? "✅" : "❌"} | |`,
    `| (diagnostic) HTTP ÷ engine direct, each round to the end of the merges it set off (${int(httpMerged)} ÷ ${int(engineMerged)} rows/s; noisy: the engine picks when to merge) | ${(httpMerged / engineMerged).toFixed(2)} | — | |`,
    `| validation ÷ JSON.parse per row | ${perRow.ratio.toFixed(2)} (${(perRow.checkNs ?? perRow.zodNs).toFixed(0)} ns ÷ ${perRow.parseNs.toFixed(0)} ns) | ≤ 0.5 ${perRow.ratio <= 0.5 ? "✅" : "❌"} | ${perRow.load.toFixed(2)} |`,
    ...(perRow.fastNs !== undefined ? [`| validation and the engine's line ÷ JSON.parse per row | ${(perRow.fastNs / perRow.parseNs).toFixed(2)} (${perRow.fastNs.toFixed(0)} ns) | — | |`] : []),
    ...(perRow.textNs !== undefined ? [`| the route's whole step for the common event, read from its text (no JSON.parse) ÷ JSON.parse per row | ${(perRow.textNs / perRow.parseNs).toFixed(2)} (${perRow.textNs.toFixed(0)} ns) | — | |`] : []),
    `| CPU per row: engine direct on the HTTP run's course (every thread) | ${course.cpuUsPerRow.toFixed(1)} µs | — | |`,
    `| CPU per row: HTTP, the server (every thread) | ${serverUsPerRow.toFixed(1)} µs, of which the event loop ${(serverCpu.find((x) => x.name === "event loop")?.usPerRow ?? 0).toFixed(1)} µs | — | |`,
    `| CPU per row: HTTP, the benchmark's client | ${clientUsPerRow.toFixed(1)} µs | — | |`,
    `| server RSS during HTTP ingest | idle ${(idleRss / 2 ** 20).toFixed(0)} MB, median ${(pct(rss, 50) / 2 ** 20).toFixed(0)} MB, max ${(Math.max(...rss) / 2 ** 20).toFixed(0)} MB | bounded | |`,
    "",
    "Per row (median of 9 interleaved rounds over 50,000 rows; validation ÷ parse is the median of each round's own ratio):",
    "",
    `- JSON.parse of the event's text: ${perRow.parseNs.toFixed(0)} ns`,
    `- zod reference (\`toEventRow\`): ${perRow.zodNs.toFixed(0)} ns; plus building and stringifying the insert object: ${perRow.zodEncodeNs.toFixed(0)} ns`,
    perRow.textNs !== undefined ? `- read from the event's text without JSON.parse (lib/ingest/row-text.ts: decision, line and copy into the batch's buffer, what the route does for the common event): ${perRow.textNs.toFixed(0)} ns` : "- reading the text without JSON.parse: not present in this tree",
    perRow.fastNs !== undefined ? `- compiled checker (lib/ingest/check-row.ts): the decision (\`compiledCheck\`) ${perRow.checkNs!.toFixed(0)} ns; with the engine's line (\`compiledLine\`) ${perRow.fastNs.toFixed(0)} ns; with the copy into the batch's buffer (\`checkRow\`): ${perRow.fastEncodeNs!.toFixed(0)} ns` : "- compiled checker: not present in this tree",
    "",
    `Engine inserting the same validated rows directly, each format from an empty table (${BATCH.toLocaleString("en")}-row batches, ${CONCURRENCY} in flight, a fresh connection and a dedup token per insert, median of ${ROUNDS}):`,
    "",
    "| format | rows/s | rows/s to the end of its merges | payload bytes per row | load |",
    "|---|---|---|---|---|",
    ...engineResults.map((r) => `| ${r.format}${r.format === sends ? " (Enclave sends this)" : ""} | ${int(r.rowsPerSecond)} | ${int(r.mergedRowsPerSecond ?? 0)} | ${(r.bytes / (events.length || 1)).toFixed(0)} | ${r.load.toFixed(2)} |`),
    "",
    `CPU per row by thread name (the event loop; "node": libuv's pool, where the embedded engine's inserts run, and V8's helpers, the garbage collector's among them; the rest are the engine's pools): the server during the HTTP rounds: ${describeThreads(serverCpu)}; the engine direct on the same course: ${describeThreads(course.byThread)}`,
    "",
    `HTTP rounds: ${httpRuns.map((h) => `${int(h.rowsPerSecond)} rows/s, ${int(h.mergedRowsPerSecond)} to the end of its merges (load ${h.load.toFixed(2)})`).join("; ")}`,
    "",
  ];
  const report = lines.join("\n");
  console.log(`\n${report}`);
  const out = values.out ?? path.join(ROOT, "bench/results", `ingest-profile-${started.toISOString().slice(0, 10)}${values.label ? `-${values.label}` : ""}.md`);
  fs.writeFileSync(out, report);
  fs.writeFileSync(out.replace(/\.md$/, ".json"), JSON.stringify({ load: loadMedian, http, httpMerged, engineMerged, course, httpRuns, noKey, engine: engineResults, serverCpu, clientUsPerRow, sends, perRow, rss: { idle: idleRss, median: pct(rss, 50), max: Math.max(...rss) } }, null, 1) + "\n");
  console.log(`written to ${path.relative(ROOT, out)}`);
}

main()
  .catch((err) => {
    console.error(err instanceof Error ? err.stack : err);
    process.exitCode = 1;
  })
  .finally(() => {
    if (!values.keep) fs.rmSync(dataDir, { recursive: true, force: true });
    process.exit();
  });
