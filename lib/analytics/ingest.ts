import "server-only";
import { queryRows, type AnalyticsEngine } from "@/lib/analytics/engine";
import { storeWrite } from "@/lib/analytics/store-writes";
import { toEventRow, type EventRow, type RowRejection } from "@/lib/analytics/event-row";
import { insertJsonEachRow } from "@/lib/analytics/engine-insert";
import { checkRow } from "@/lib/ingest/check-row";
import { encodeEventRow, RowWriter } from "@/lib/ingest/row-line";

// The one library path for writing events: the ingest API and the demo data use it.

export type IngestResult = { accepted: number; rejected: RowRejection[] };

export type IngestOptions = {
  /** Makes a retried batch a no-op (insert_deduplication_token). */
  dedupToken?: string;
  /** Only this tenant may be written (tenant-restricted API keys). */
  onlyTenant?: string;
};

/** Validates rows one by one (lib/ingest/check-row.ts), inserts the valid ones together, reports the rest. */
export async function ingestEvents(engine: AnalyticsEngine, inputs: unknown[], options: IngestOptions = {}): Promise<IngestResult> {
  const rows = new RowWriter();
  const rejected: RowRejection[] = [];
  for (let index = 0; index < inputs.length; index++) {
    const refused = checkRow(inputs[index], index, rows, options.onlyTenant);
    if (refused) rejected.push(refused);
  }
  await insertRowBatch(engine, rows, options.dedupToken);
  return { accepted: rows.rows, rejected };
}

/** One event: a row to insert, or why not (the reference path; ingest uses lib/ingest/check-row.ts). */
export function checkEvent(input: unknown, index: number, onlyTenant?: string): EventRow | RowRejection {
  const row = toEventRow(input, index);
  if (!("code" in row) && onlyTenant !== undefined && row.tenant_id !== onlyTenant) return tenantForbidden(index, onlyTenant);
  return row;
}

export function tenantForbidden(index: number, onlyTenant: string): RowRejection {
  return { index, code: "tenant_forbidden", message: `tenant_id: this API key may only write tenant "${onlyTenant}"` };
}

// Every insert carries a sequence number (microseconds, increasing within the
// process) in its rows' ingest_seq. A rollup's view counts events above its
// watermark and its backfill those at or below it, so an event that arrives
// while a rollup is built is counted exactly once (lib/rollups/build.ts). A
// number is reserved before its insert starts and released when the batch is
// settled (acknowledged or refused); a build waits for the reservations at or
// below its watermark. On globalThis: Next's bundles may each load this module.
type Sequence = { last: number; live: Map<symbol, { seq: number; settled: Promise<void> }> };
const sequence = ((globalThis as unknown as { enclaveIngestSeq?: Sequence }).enclaveIngestSeq ??= { last: 0, live: new Map() });

export type IngestSeq = { seq: number; release(): void };

/** Reserves the next number (or `seq`, a retried batch's own) until `release`. */
export function reserveIngestSeq(seq?: number): IngestSeq {
  const n = seq ?? (sequence.last = Math.max(sequence.last + 1, Date.now() * 1000));
  let release!: () => void;
  const settled = new Promise<void>((resolve) => (release = resolve));
  const id = Symbol(n);
  sequence.live.set(id, { seq: n, settled });
  return {
    seq: n,
    release: () => {
      sequence.live.delete(id);
      release();
    },
  };
}

/** Numbers reserved in this process and not yet released. */
export function liveIngestSeqs(): Set<number> {
  return new Set([...sequence.live.values()].map((r) => r.seq));
}

/** Settles when every reservation at or below `seq` has been released. */
export async function insertsSettledUpTo(seq: number): Promise<void> {
  await Promise.all([...sequence.live.values()].filter((r) => r.seq <= seq).map((r) => r.settled));
}

/** Inserts rows that are already validated, under `reserved` (the batch's number) or a number of its own. */
export async function insertEventRows(engine: AnalyticsEngine, rows: EventRow[], dedupToken?: string, reserved?: IngestSeq): Promise<void> {
  const writer = new RowWriter();
  for (const row of rows) writer.push(encodeEventRow(row));
  await insertRowBatch(engine, writer, dedupToken, reserved);
}

/** Inserts checked rows (lib/ingest/row-line.ts) as one insert: one deduplicated block. */
export async function insertRowBatch(engine: AnalyticsEngine, rows: RowWriter, dedupToken?: string, reserved?: IngestSeq): Promise<void> {
  if (rows.rows === 0) return;
  const own = reserved ?? reserveIngestSeq();
  try {
    const body = rows.body(own.seq);
    // A store that cannot write (disk full, file size limit…) is a 503 with Retry-After, not a 500.
    await storeWrite(engine.kind, () =>
      engine.withConnection((client) =>
        insertJsonEachRow(client, { table: `${engine.database}.events`, body, settings: dedupToken ? { insert_deduplication_token: dedupToken } : {} }),
      ),
    );
  } finally {
    rows.release();
    if (!reserved) own.release();
  }
}

/**
 * Deletes the rows one insert stored, by its ingest_seq (an import chunk cut
 * off by a crash, before it is inserted again); returns how many there were.
 * `beforeDelete` runs only when there is something to delete.
 */
export async function deleteInsertedRows(engine: AnalyticsEngine, seq: number, beforeDelete?: () => Promise<void>): Promise<number> {
  const n = await insertedRows(engine, seq);
  if (n === 0) return 0;
  await beforeDelete?.();
  await storeWrite(engine.kind, () =>
    engine.withConnection((client) => client.command({ query: `ALTER TABLE ${engine.database}.events DELETE WHERE ingest_seq = {seq:UInt64}`, query_params: { seq }, clickhouse_settings: { mutations_sync: "2" } })),
  );
  return n;
}

/** How many rows the insert numbered `seq` stored (its rows carry the number). */
export async function insertedRows(engine: AnalyticsEngine, seq: number): Promise<number> {
  const [{ n }] = await queryRows<{ n: number }>(engine, `SELECT count() AS n FROM ${engine.database}.events WHERE ingest_seq = {seq:UInt64}`, { params: { seq } });
  return Number(n);
}
