import "server-only";
import type { AnalyticsEngine } from "@/lib/analytics/engine";
import { queryRows } from "@/lib/analytics/engine";
import type { RowRejection } from "@/lib/analytics/event-row";
import { insertRowBatch, type IngestSeq } from "@/lib/analytics/ingest";
import { storeWrite } from "@/lib/analytics/store-writes";
import { checkRow } from "@/lib/ingest/check-row";
import { RowWriter } from "@/lib/ingest/row-line";
import { AppError } from "@/lib/errors";
import type { ImportSpec } from "@/lib/import/import-spec";
import { planColumns, tabularInput, type ProjectedRow } from "@/lib/import/tabular-input";
import { READ_SETTINGS, describeQuery, fileFunction, importQueries, type FileSource } from "@/lib/query/import-sql";

// A CSV chunk or a range of a Parquet file, imported by the engine: it parses
// the file, one INSERT … SELECT stores the rows the SQL fast path passes, and
// the rest come back as texts for checkRow (lib/ingest/check-row.ts), which
// accepts some (a time with an offset, a name with edge spaces…) and words the
// rejection of the others. Both inserts carry deduplication tokens derived
// from the file hash and chunk, and the chunk's ingest sequence number.

export type TabularResult = { rows: number; fast: number; accepted: number; rejected: RowRejection[] };

/** The engine could not read the file (a CSV with an unclosed quote, a broken Parquet footer…): say so, with its words. */
async function reading<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof AppError) throw err;
    const message = (err instanceof Error ? err.message : String(err)).split("\n")[0].slice(0, 600);
    throw new AppError("query_failed", `The engine could not read ${what}: ${message}. Fix the file and run the import again; chunks already imported stay imported.`);
  }
}

export async function importTabular(engine: AnalyticsEngine, options: { source: FileSource; spec: ImportSpec; firstIndex: number; token: string; reserved: IngestSeq; progress: { inserting: boolean } }): Promise<TabularResult> {
  const { source } = options;
  const what = source.format === "csv" ? `this CSV chunk (rows from ${options.firstIndex})` : `this Parquet file`;
  const columns = await reading(what, () => queryRows<{ name: string; type: string }>(engine, describeQuery(source), { settings: READ_SETTINGS }));
  const plan = planColumns(columns, options.spec);
  const types = Object.fromEntries(columns.map((c) => [c.name, c.type]));
  const q = importQueries({ source, plan, types, table: `${engine.database}.events`, seq: options.reserved.seq });
  const [{ n }] = await reading(what, () => queryRows<{ n: number }>(engine, q.count, { settings: READ_SETTINGS }));
  const rows = Number(n);
  options.progress.inserting = true;
  await reading(what, () =>
    storeWrite(engine.kind, () =>
      engine.withConnection(async (client) => {
        await client.command({
          query: q.insert,
          query_params: q.params,
          clickhouse_settings: { ...READ_SETTINGS, insert_deduplication_token: `${options.token}:sql`, deduplicate_blocks_in_dependent_materialized_views: 1 },
        });
      }),
    ),
  );
  // The chunk's rows carry its own ingest_seq: when all of them are stored, there is nothing left to read.
  const [{ stored }] = await queryRows<{ stored: number }>(engine, `SELECT count() AS stored FROM ${engine.database}.events WHERE ingest_seq = {seq:UInt64}`, { params: { seq: options.reserved.seq } });
  if (Number(stored) === rows) return { rows, fast: rows, accepted: rows, rejected: [] };
  // One thread: a CSV chunk's rowNumberInAllBlocks() is then its row order.
  const rest = await queryRows<ProjectedRow & { idx: number }>(engine, q.leftovers, { params: q.params, settings: { ...READ_SETTINGS, max_threads: 1, input_format_parallel_parsing: 0 } });
  const sink = new RowWriter();
  const rejected: RowRejection[] = [];
  for (const row of rest) {
    const index = source.format === "parquet" ? Number(row.idx) : options.firstIndex + Number(row.idx);
    const refused = checkRow(tabularInput(row, plan), index, sink);
    if (refused) rejected.push(refused);
  }
  const acceptedHere = sink.rows;
  await insertRowBatch(engine, sink, `${options.token}:js`, options.reserved);
  const fast = rows - rest.length;
  return { rows, fast, accepted: fast + acceptedHere, rejected };
}

/** Rows of an uploaded file (Parquet keeps the count in its footer). */
export async function countFileRows(engine: AnalyticsEngine, source: FileSource): Promise<number> {
  const [{ n }] = await queryRows<{ n: number }>(engine, `SELECT count() AS n FROM ${fileFunction(source)}`, { settings: READ_SETTINGS });
  return Number(n);
}
