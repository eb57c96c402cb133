import os from "node:os";
import type { ClickHouseClient } from "@clickhouse/client";
import type { AnalyticsEngine } from "@/lib/analytics/engine";
import type { EventRow } from "@/lib/analytics/event-row";
import { mapLimit, pct } from "./stats";
import { measureThreads, mergesSettled, type ThreadCpu } from "./thread-cpu";

// The engine's own insert speed for the rows the HTTP run sends, measured in
// the benchmark's process on the same data directory (before the server opens
// it): each candidate encoding of the same validated rows, inserted as
// 10k-row batches with the same concurrency as the HTTP run, each insert on a
// fresh connection with a deduplication token, as Enclave inserts. Each
// measurement starts on an empty table, ends when the merges its inserts set
// off are done (rows/s are given both ways: to the last insert's answer, and
// to the end of its merges) and counts the CPU of every thread, merging included.

export type EngineFormat = "client-JSONEachRow" | "raw-JSONEachRow" | "raw-JSONCompactEachRow" | "raw-TSV";
export type EngineRate = { format: EngineFormat; rowsPerSecond: number; seconds: number; bytes: number; load: number; cpuUsPerRow: number; byThread?: ThreadCpu; mergedRowsPerSecond?: number };

const tsvEscape = (s: string) => s.replace(/[\\\t\n\r]/g, (c) => (c === "\\" ? "\\\\" : c === "\t" ? "\\t" : c === "\n" ? "\\n" : "\\r"));
const mapQuote = (s: string) => `'${s.replace(/[\\']/g, (c) => `\\${c}`)}'`;

/** One batch's payload in `format`; `ingest_seq` last, as Enclave sends it. */
export function encodeBatch(rows: EventRow[], format: EngineFormat, seq: number): string {
  switch (format) {
    case "client-JSONEachRow":
    case "raw-JSONEachRow":
      return rows.map((r) => JSON.stringify({ ...r, ingest_seq: seq })).join("\n") + "\n";
    case "raw-JSONCompactEachRow":
      return rows.map((r) => JSON.stringify([r.tenant_id, r.event_id, r.ts, r.name, r.user_id, r.value, r.properties, seq])).join("\n") + "\n";
    case "raw-TSV":
      return (
        rows
          .map((r) => {
            const props = `{${Object.entries(r.properties).map(([k, v]) => `${mapQuote(k)}:${mapQuote(v)}`).join(",")}}`;
            return [tsvEscape(r.tenant_id), tsvEscape(r.event_id), r.ts, tsvEscape(r.name), r.user_id === null ? "\\N" : tsvEscape(r.user_id), r.value === null ? "\\N" : String(r.value), tsvEscape(props), String(seq)].join("\t");
          })
          .join("\n") + "\n"
      );
  }
}

type RawInsert = (params: { table: string; values: Buffer; format: string; settings?: Record<string, string> }) => Promise<unknown>;

/** chdb's raw passthrough insert on this client's connection (Buffer handed over as is). */
export function rawInsertOf(client: ClickHouseClient): RawInsert | undefined {
  const connection = (client as unknown as { connection?: { chdb?: { rawInsert?: RawInsert } } }).connection;
  return connection?.chdb?.rawInsert;
}

type Payload = Buffer | Record<string, unknown>[];

export async function insertPayload(engine: AnalyticsEngine, format: EngineFormat, payload: Payload, token: string): Promise<void> {
  await engine.withConnection(async (client) => {
    if (!Buffer.isBuffer(payload)) {
      // As Enclave inserted before the compiled path: row objects, stringified by the client.
      await client.insert({ table: `${engine.database}.events`, values: payload, format: "JSONEachRow", clickhouse_settings: { insert_deduplication_token: token } });
      return;
    }
    const raw = rawInsertOf(client);
    if (!raw) throw new Error("this engine has no raw insert");
    const chFormat = format === "raw-TSV" ? "TabSeparated" : format.slice(4);
    await raw({ table: `${engine.database}.events`, values: payload, format: chFormat, settings: { insert_deduplication_token: token } });
  });
}

/** Inserts `batches` (already validated rows) in `format`, `concurrency` at a time; encoding happens before the clock starts. */
export async function engineRate(engine: AnalyticsEngine, batches: EventRow[][], format: EngineFormat, concurrency: number, tag: string): Promise<EngineRate> {
  const seq = Date.now() * 1000;
  const payloads: Payload[] = batches.map((b) => (format === "client-JSONEachRow" ? b.map((r) => ({ ...r, ingest_seq: seq })) : Buffer.from(encodeBatch(b, format, seq))));
  const rows = batches.reduce((n, b) => n + b.length, 0);
  // Every measurement starts on an empty table, as the HTTP run does (bench/ingest-profile.ts): the
  // background merges of earlier rounds' rows would otherwise share the cores with this one.
  await engine.withConnection((client) => client.command({ query: `TRUNCATE TABLE ${engine.database}.events` }));
  const t = performance.now();
  const cpu = process.cpuUsage();
  const threads = measureThreads(process.pid);
  await mapLimit(payloads, concurrency, (p, i) => insertPayload(engine, format, p, `bench-engine-${tag}-${format}-${i}`));
  const inserted = performance.now();
  // Sustained: until the merges these inserts set off are done too; the CPU below counts them.
  const merged = Math.max(inserted, await mergesSettled(process.pid));
  const used = process.cpuUsage(cpu);
  const { byThread } = threads(rows);
  const seconds = (inserted - t) / 1000;
  // CPU of every thread of this process (the engine's threads and the event loop) per row.
  const cpuUsPerRow = (used.user + used.system) / rows;
  return { format, rowsPerSecond: rows / seconds, seconds, bytes: payloads.reduce((n, p) => n + (Buffer.isBuffer(p) ? p.length : 0), 0), load: os.loadavg()[0], cpuUsPerRow, byThread, mergedRowsPerSecond: rows / ((merged - t) / 1000) };
}

/** Rounds of every format, interleaved, so load changes hit each alike; the median per format. */
export async function engineRates(engine: AnalyticsEngine, batches: EventRow[][], concurrency: number, rounds: number): Promise<EngineRate[]> {
  const formats: EngineFormat[] = ["client-JSONEachRow", "raw-JSONEachRow", "raw-JSONCompactEachRow", "raw-TSV"];
  const runs = new Map<EngineFormat, EngineRate[]>(formats.map((f) => [f, []]));
  for (let r = 0; r < rounds; r++) {
    for (const f of formats) {
      const rate = await engineRate(engine, batches, f, concurrency, `${Date.now()}-${r}`);
      console.log(`  engine ${f.padEnd(24)} ${Math.round(rate.rowsPerSecond).toLocaleString("en").padStart(9)} rows/s  (load ${rate.load.toFixed(2)})`);
      runs.get(f)!.push(rate);
    }
  }
  return formats.map((f) => {
    const list = runs.get(f)!;
    const median = pct(list.map((x) => x.rowsPerSecond), 50);
    return { ...list.find((x) => x.rowsPerSecond === median)!, rowsPerSecond: median, mergedRowsPerSecond: pct(list.map((x) => x.mergedRowsPerSecond ?? 0), 50) };
  });
}

export type EngineCourse = { rowsPerSecond: number; mergedRowsPerSecond: number; cpuUsPerRow: number; byThread: ThreadCpu; runs: { rowsPerSecond: number; mergedRowsPerSecond: number; load: number }[] };

/**
 * The HTTP run's course (bench/ingest-profile.ts), with the engine inserting
 * directly in the format Enclave sends: an empty table, a warm-up of `warm`
 * batches, then `rounds` rounds of every batch into the same table, each
 * timed to its last insert's answer and to the end of the merges it set off.
 * The rows a round meets in the table, and so what its merges rewrite, are
 * then the same on both sides. Medians; CPU over all rounds.
 */
export async function engineCourse(engine: AnalyticsEngine, batches: EventRow[][], concurrency: number, rounds: number, warm: number): Promise<EngineCourse> {
  const format = "raw-JSONEachRow";
  const payloads = (seq: number, list: EventRow[][]) => list.map((b) => Buffer.from(encodeBatch(b, format, seq)));
  const tag = `bench-course-${Date.now()}`;
  await engine.withConnection((client) => client.command({ query: `TRUNCATE TABLE ${engine.database}.events` }));
  await mapLimit(payloads(Date.now() * 1000, batches.slice(0, warm)), concurrency, (p, i) => insertPayload(engine, format, p, `${tag}-warm-${i}`));
  await mergesSettled(process.pid);
  const rows = batches.reduce((n, b) => n + b.length, 0);
  // Every round's bytes are ready before the CPU is counted: the HTTP run's client sends ready bodies too.
  const perRound = Array.from({ length: rounds }, (_, r) => payloads(Date.now() * 1000 + r, batches));
  const threads = measureThreads(process.pid);
  const cpu = process.cpuUsage();
  const runs: EngineCourse["runs"] = [];
  for (let r = 0; r < rounds; r++) {
    const round = perRound[r];
    const t = performance.now();
    await mapLimit(round, concurrency, (p, i) => insertPayload(engine, format, p, `${tag}-${r}-${i}`));
    const inserted = performance.now();
    const merged = Math.max(inserted, await mergesSettled(process.pid));
    runs.push({ rowsPerSecond: rows / ((inserted - t) / 1000), mergedRowsPerSecond: rows / ((merged - t) / 1000), load: os.loadavg()[0] });
    console.log(`  engine, the HTTP run's course, round ${r + 1}: ${Math.round(runs[r].rowsPerSecond).toLocaleString("en")} rows/s, ${Math.round(runs[r].mergedRowsPerSecond).toLocaleString("en")} to the end of its merges (load ${runs[r].load.toFixed(2)})`);
  }
  const used = process.cpuUsage(cpu);
  const { byThread } = threads(rows * rounds);
  return {
    rowsPerSecond: pct(runs.map((x) => x.rowsPerSecond), 50),
    mergedRowsPerSecond: pct(runs.map((x) => x.mergedRowsPerSecond), 50),
    cpuUsPerRow: (used.user + used.system) / (rows * rounds),
    byThread,
    runs,
  };
}
