import "server-only";
import type { AnalyticsEngine } from "@/lib/analytics/engine";

// The analytics part of a backup: the events table, written by the engine
// itself as one SELECT (a snapshot of the table's parts when it starts) into
// a Native file (zstd-compressed: the engine picks it by the .zst name), and
// read back the same way. Rollups are not
// dumped: they derive from events and are rebuilt at the next start, so they
// never disagree with the events they were restored with.

export const EVENTS_FILE = "events.native.zst";

const COLUMNS = ["tenant_id", "event_id", "ts", "name", "user_id", "value", "properties", "ingest_seq"] as const;
// Given, not inferred: the file of an install without events holds no block to infer it from.
const STRUCTURE = "tenant_id String, event_id String, ts DateTime64(3, 'UTC'), name LowCardinality(String), user_id Nullable(String), value Nullable(Float64), properties Map(LowCardinality(String), String), ingest_seq UInt64";

/** A path as a ClickHouse string literal (the engine's file() takes no query parameter). */
function fileLiteral(file: string): string {
  if (!file.startsWith("/") || /[\0\n\r]/.test(file)) throw new Error(`expected an absolute path without control characters, got ${JSON.stringify(file)}`);
  return `'${file.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

/** The dump as a table function, with its structure. */
const dumpFile = (file: string) => `file(${fileLiteral(file)}, 'Native', '${STRUCTURE.replace(/'/g, "\\'")}')`;

/** Writes every event to `file`; returns how many rows the file holds. */
export async function dumpEvents(engine: AnalyticsEngine, file: string): Promise<number> {
  await engine.withConnection((client) =>
    client.command({
      query: `INSERT INTO FUNCTION file(${fileLiteral(file)}, 'Native') SELECT ${COLUMNS.join(", ")} FROM ${engine.database}.events`,
      clickhouse_settings: { engine_file_truncate_on_insert: 0 },
    }),
  );
  return countDumpedEvents(engine, file);
}

async function count(engine: AnalyticsEngine, from: string): Promise<number> {
  return engine.withConnection(async (client) => {
    const rs = await client.query({ query: `SELECT count() AS n FROM ${from}`, format: "JSONEachRow" });
    const [{ n }] = await rs.json<{ n: number | string }>();
    return Number(n);
  });
}

export const countDumpedEvents = (engine: AnalyticsEngine, file: string) => count(engine, dumpFile(file));

/** Rows in the events table, to check a restore against its manifest. */
export const countStoredEvents = (engine: AnalyticsEngine) => count(engine, `${engine.database}.events`);

/**
 * Inserts the dumped events into the (empty) events table. Deduplication is
 * off: two equal blocks in a dump are two sets of events, not a retry.
 */
export async function loadEvents(engine: AnalyticsEngine, file: string): Promise<void> {
  await engine.withConnection((client) =>
    client.command({
      query: `INSERT INTO ${engine.database}.events (${COLUMNS.join(", ")}) SELECT ${COLUMNS.join(", ")} FROM ${dumpFile(file)}`,
      clickhouse_settings: { insert_deduplicate: 0 },
    }),
  );
}
