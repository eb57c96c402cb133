import "server-only";
import type { AnalyticsEngine } from "@/lib/analytics/engine";
import { toEventRow, type EventRow, type RowRejection } from "@/lib/analytics/event-row";

// The one library path for writing events: the ingest API and the demo data use it.

export type IngestResult = { accepted: number; rejected: RowRejection[] };

export type IngestOptions = {
  /** Makes a retried batch a no-op (insert_deduplication_token). */
  dedupToken?: string;
  /** Only this tenant may be written (tenant-restricted API keys). */
  onlyTenant?: string;
};

/** Validates rows one by one, inserts the valid ones together, reports the rest. */
export async function ingestEvents(engine: AnalyticsEngine, inputs: unknown[], options: IngestOptions = {}): Promise<IngestResult> {
  const rows: EventRow[] = [];
  const rejected: RowRejection[] = [];
  inputs.forEach((input, index) => {
    const row = checkEvent(input, index, options.onlyTenant);
    if ("code" in row) rejected.push(row);
    else rows.push(row);
  });
  await insertEventRows(engine, rows, options.dedupToken);
  return { accepted: rows.length, rejected };
}

/** One event: a row to insert, or why not. */
export function checkEvent(input: unknown, index: number, onlyTenant?: string): EventRow | RowRejection {
  const row = toEventRow(input, index);
  if (!("code" in row) && onlyTenant !== undefined && row.tenant_id !== onlyTenant) {
    return { index, code: "tenant_forbidden", message: `tenant_id: this API key may only write tenant "${onlyTenant}"` };
  }
  return row;
}

/** Inserts rows that are already validated. */
export async function insertEventRows(engine: AnalyticsEngine, rows: EventRow[], dedupToken?: string): Promise<void> {
  if (rows.length === 0) return;
  await engine.withConnection((client) =>
    client.insert({
      table: `${engine.database}.events`,
      values: rows,
      format: "JSONEachRow",
      clickhouse_settings: dedupToken ? { insert_deduplication_token: dedupToken } : undefined,
    }),
  );
}
