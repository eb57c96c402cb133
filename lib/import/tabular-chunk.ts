import "server-only";
import type { AnalyticsEngine } from "@/lib/analytics/engine";
import { queryRows } from "@/lib/analytics/engine";
import type { RowRejection } from "@/lib/analytics/event-row";
import { insertedRows, insertRowBatch, type IngestSeq } from "@/lib/analytics/ingest";
import { storeWrite } from "@/lib/analytics/store-writes";
import { checkRow } from "@/lib/ingest/check-row";
import { RowWriter } from "@/lib/ingest/row-line";
import { AppError } from "@/lib/errors";
import type { ImportSpec } from "@/lib/import/import-spec";
import { planColumns, tabularInput, type ColumnPlan, type ProjectedRow } from "@/lib/import/tabular-input";
import { fileFunction, quoteColumn, readSettings, stageQueries, type FileSource, type ParquetStage } from "@/lib/query/import-source";
import { describeQuery, importQueries, ndjsonQueries } from "@/lib/query/import-sql";
import { ndjsonLineChecker } from "@/lib/import/ndjson-chunk";

// A CSV or NDJSON chunk, or a range of a Parquet file, imported by the
// engine: it parses the file, one INSERT … SELECT stores the rows the SQL fast
// path passes, and the rest come back (as texts, or NDJSON lines) for checkRow
// (lib/ingest/check-row.ts), which accepts some (a time with an offset, a name
// with edge spaces, nested properties…) and words the rejection of the others.
// Both inserts carry deduplication tokens derived from the file hash, the
// chunk and the attempt, and the chunk's ingest sequence number.

export type TabularResult = { rows: number; fast: number; accepted: number; rejected: RowRejection[] };

/**
 * The engine reads CSV and Parquet with file(), on its own machine: only the
 * embedded engine shares this server's DATA_DIR/imports. Checked before
 * anything is claimed or written.
 */
export function assertEngineReadsFiles(engine: Pick<AnalyticsEngine, "kind">, format: string): void {
  if (engine.kind === "chdb") return;
  throw new AppError(
    "bad_request",
    `A ${format.toUpperCase()} file is imported by the embedded engine, which reads it from DATA_DIR/imports; with CLICKHOUSE_URL set, the ClickHouse server cannot read this server's files. Convert it to NDJSON, which is checked here line by line (e.g. clickhouse local -q "SELECT * FROM file('FILE') FORMAT JSONEachRow" > events.ndjson), and import that. Nothing was imported.`,
  );
}

/** The engine could not read the file (a CSV with a lone \r, a broken Parquet footer…): say so, with its words. */
async function reading<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof AppError) throw err;
    const message = (err instanceof Error ? err.message : String(err)).split("\n")[0].slice(0, 600);
    if (/UNKNOWN_TABLE/.test(message)) {
      throw new AppError("conflict", `This Parquet file's staging table was dropped while ${what} was read (an erasure drops them all). Run the import again: it continues where it stopped, and nothing is stored twice.`);
    }
    throw new AppError("query_failed", `The engine could not read ${what}: ${message}. Fix the file and run the import again; chunks already imported stay imported.`);
  }
}

export async function importTabular(engine: AnalyticsEngine, options: { source: FileSource; spec: ImportSpec; stage?: StageKey } & ChunkRun): Promise<TabularResult> {
  const settings = readSettings(options.source);
  const what = options.source.format === "csv" ? `this CSV chunk (rows from ${options.firstIndex})` : `this Parquet file`;
  const columns = await reading(what, () => queryRows<{ name: string; type: string }>(engine, describeQuery(options.source), { settings }));
  const plan = planColumns(columns, options.spec);
  const types = Object.fromEntries(columns.map((c) => [c.name, c.type]));
  const source = options.stage ? { ...options.source, stage: await reading(what, () => staged(engine, options.source, plan, options.stage!)) } : options.source;
  const q = importQueries({ source, plan, types, table: `${engine.database}.events`, seq: options.reserved.seq });
  const rows = await countRows(engine, q.count, settings, what, options);
  options.progress.inserting = true;
  await fastInsert(engine, q, settings, what, options);
  // The chunk's rows carry its own ingest_seq: when all of them are stored, there is nothing left to read.
  if ((await insertedRows(engine, options.reserved.seq)) === rows) return { rows, fast: rows, accepted: rows, rejected: [] };
  const rest = await leftovers<ProjectedRow & { idx: number }>(engine, q, settings);
  return checkLeftovers(engine, rows, rest, options, (row, sink) => checkRow(tabularInput(row, plan), source.format === "parquet" ? Number(row.idx) : options.firstIndex + Number(row.idx), sink));
}

/** Which file, imported how: a staging table is made for one file and one import spec. */
export type StageKey = { fileHash: string; specHash: string };

const stageDatabase = (engine: AnalyticsEngine) => `${engine.database}_imports`;

/** The Parquet file's staging table (lib/query/import-source.ts, `stageQueries`), filled first if it is not there whole. */
async function staged(engine: AnalyticsEngine, source: FileSource, plan: ColumnPlan, key: StageKey): Promise<ParquetStage> {
  const columns = [...new Set([...Object.values(plan.fields), ...plan.properties.map((p) => p.column)])];
  const { stage, create } = stageQueries({ source, columns, database: stageDatabase(engine), ...key });
  // Looked up for every chunk (an erasure may have dropped it since the last one).
  const [database, table] = stage.table.split(".");
  const [{ n }] = await queryRows<{ n: number }>(engine, "SELECT count() AS n FROM system.tables WHERE database = {database:String} AND name = {table:String}", { params: { database, table } });
  if (Number(n) > 0) return stage;
  // Read in any order: the table sorts by row number. A write like any other (a full disk is the store's state, not the file's fault).
  const settings: Record<string, number> = { ...readSettings(source), input_format_parquet_preserve_order: 0 };
  await storeWrite(engine.kind, async () => {
    for (const query of create) await engine.withConnection((client) => client.command({ query, clickhouse_settings: settings }));
  });
  return stage;
}

/** Drops the staging table of a file whose chunks are all imported (nothing when there is none). */
export async function dropStage(engine: AnalyticsEngine, key: StageKey): Promise<void> {
  const { stage } = stageQueries({ source: { path: "/none", format: "parquet" }, columns: [], database: stageDatabase(engine), ...key });
  await dropTable(engine, stage.table);
}

/**
 * Drops every staging table. SYNC: the engine's Atomic databases otherwise keep
 * a dropped table's files for minutes (and across restarts) before removing
 * them; SYNC waits for a query reading it to end, then removes them.
 */
export async function dropImportStages(engine: AnalyticsEngine): Promise<void> {
  const database = stageDatabase(engine);
  const tables = await queryRows<{ name: string }>(engine, "SELECT name FROM system.tables WHERE database = {database:String}", { params: { database } });
  for (const { name } of tables) await dropTable(engine, `${database}.${quoteColumn(name)}`);
}

function dropTable(engine: AnalyticsEngine, table: string): Promise<unknown> {
  return engine.withConnection((client) => client.command({ query: `DROP TABLE IF EXISTS ${table} SYNC` }));
}

/** The rows the fast path left, in file order (one thread: a chunk's rowNumberInAllBlocks() is then its row order). */
function leftovers<T>(engine: AnalyticsEngine, q: { leftovers: string; params: Record<string, unknown> }, settings: Record<string, number>): Promise<T[]> {
  return queryRows<T>(engine, q.leftovers, { params: q.params, settings: { ...settings, max_threads: 1, input_format_parallel_parsing: 0 } });
}

/** checkRow decides each leftover; the accepted ones go in one more insert, under the chunk's number. */
async function checkLeftovers<T>(engine: AnalyticsEngine, rows: number, rest: T[], run: ChunkRun, decide: (row: T, sink: RowWriter) => RowRejection | undefined): Promise<TabularResult> {
  const sink = new RowWriter();
  const rejected: RowRejection[] = [];
  for (const row of rest) {
    const refused = decide(row, sink);
    if (refused) rejected.push(refused);
  }
  const acceptedHere = sink.rows;
  await insertRowBatch(engine, sink, `${run.token}:js`, run.reserved);
  const fast = rows - rest.length;
  return { rows, fast, accepted: fast + acceptedHere, rejected };
}

type ChunkRun = { firstIndex: number; records?: number; token: string; reserved: IngestSeq; progress: { inserting: boolean } };

/** The source's rows; refused, before anything is stored, when they are not the records the import cut. */
async function countRows(engine: AnalyticsEngine, query: string, settings: Record<string, number>, what: string, run: ChunkRun): Promise<number> {
  const [{ n }] = await reading(what, () => queryRows<{ n: number }>(engine, query, { settings }));
  const rows = Number(n);
  if (run.records !== undefined && rows !== run.records) {
    // The chunk was cut where the engine does not end a record: storing it would shift fields between rows.
    throw new AppError("bad_request", `The engine reads ${rows} rows in ${what} where the import cut ${run.records} records, so a field is read differently (a line break or quote the two disagree on). Nothing of this chunk was stored; chunks before it stay imported. Check the rows from ${run.firstIndex} on for quotes and line breaks, then run the import again.`);
  }
  return rows;
}

async function fastInsert(engine: AnalyticsEngine, q: { insert: string; params: Record<string, unknown> }, settings: Record<string, number>, what: string, run: ChunkRun): Promise<void> {
  await reading(what, () =>
    storeWrite(engine.kind, () =>
      engine.withConnection(async (client) => {
        await client.command({
          query: q.insert,
          query_params: q.params,
          clickhouse_settings: { ...settings, insert_deduplication_token: `${run.token}:sql`, deduplicate_blocks_in_dependent_materialized_views: 1 },
        });
      }),
    ),
  );
}

/**
 * An NDJSON chunk (DATA_DIR/imports/<sha256>-<chunk>.ndjson): the engine's
 * fast path stores the lines of the API's common shape (none when --map moves
 * a key into properties), and checkRow decides the rest.
 */
export async function importNdjson(engine: AnalyticsEngine, options: { source: FileSource; spec: ImportSpec } & ChunkRun): Promise<TabularResult> {
  const { source } = options;
  const settings = readSettings(source);
  const what = `this NDJSON chunk (rows from ${options.firstIndex})`;
  const q = ndjsonQueries({ source, table: `${engine.database}.events`, seq: options.reserved.seq, map: options.spec.map });
  const { fastPath } = q;
  const rows = await countRows(engine, q.count, settings, what, options);
  options.progress.inserting = true;
  if (fastPath) {
    await fastInsert(engine, q, settings, what, options);
    if ((await insertedRows(engine, options.reserved.seq)) === rows) return { rows, fast: rows, accepted: rows, rejected: [] };
  }
  const rest = await leftovers<{ idx: number; line: string }>(engine, q, settings);
  const check = ndjsonLineChecker(options.spec);
  return checkLeftovers(engine, rows, rest, options, ({ idx, line }, sink) => check(line, options.firstIndex + Number(idx), sink));
}

/** Row counts of Parquet uploads, by path: an upload is named by its sha256, so its count never changes. */
const parquetRows = new Map<string, number>();

/** Rows of an uploaded file (Parquet keeps the count in its footer). */
export async function countFileRows(engine: AnalyticsEngine, source: FileSource): Promise<number> {
  assertEngineReadsFiles(engine, source.format);
  const known = source.format === "parquet" ? parquetRows.get(source.path) : undefined;
  if (known !== undefined) return known;
  const [{ n }] = await queryRows<{ n: number }>(engine, `SELECT count() AS n FROM ${fileFunction(source)}`, { settings: readSettings(source) });
  if (source.format === "parquet") {
    if (parquetRows.size >= 100) parquetRows.clear();
    parquetRows.set(source.path, Number(n));
  }
  return Number(n);
}
