import os from "node:os";
import type { ClickHouseClient } from "@clickhouse/client";
import type { AnalyticsEngine } from "@/lib/analytics/engine";
import type { EventRow } from "@/lib/analytics/event-row";
import { mapLimit, pct } from "./stats";

// The engine's own insert speed for the rows the HTTP run sends, measured in
// the benchmark's process on the same data directory (before the server opens
// it): each candidate encoding of the same validated rows, inserted as
// 10k-row batches with the same concurrency as the HTTP run, each insert on a
// fresh connection with a deduplication token, as Enclave inserts. Each
// measurement starts on an empty table and counts the CPU of every thread
// (the engine's parsing and merging included).

export type EngineFormat = "client-JSONEachRow" | "raw-JSONEachRow" | "raw-JSONCompactEachRow" | "raw-TSV";
export type EngineRate = { format: EngineFormat; rowsPerSecond: number; seconds: number; bytes: number; load: number; cpuUsPerRow: number };

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
  await mapLimit(payloads, concurrency, (p, i) => insertPayload(engine, format, p, `bench-engine-${tag}-${format}-${i}`));
  const used = process.cpuUsage(cpu);
  const seconds = (performance.now() - t) / 1000;
  // CPU of every thread of this process (the engine's threads and the event loop) per row.
  const cpuUsPerRow = (used.user + used.system) / rows;
  return { format, rowsPerSecond: rows / seconds, seconds, bytes: payloads.reduce((n, p) => n + (Buffer.isBuffer(p) ? p.length : 0), 0), load: os.loadavg()[0], cpuUsPerRow };
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
    return { ...list.find((x) => x.rowsPerSecond === median)!, rowsPerSecond: median };
  });
}
