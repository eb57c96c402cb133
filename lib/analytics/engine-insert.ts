import "server-only";
import { Readable } from "node:stream";
import type { ClickHouseClient, ClickHouseSettings } from "@clickhouse/client";

// One INSERT of a ready JSONEachRow body. On the embedded engine it goes
// through chdb's raw passthrough insert: the Buffer is handed to the engine
// as is and parsed by its own (multithreaded) parser, off the event loop.
// The client's insert would instead stringify row objects, join them, decode
// the body back into a JS string and send it as SQL text (measured in
// bench/ingest-profile.ts: 3–8× slower). A ClickHouse server gets the same
// bytes as an INSERT request body.

/** What bench/ingest-profile.ts compares the HTTP path against. */
export const ENGINE_FORMAT = "raw-JSONEachRow";

type RawInsert = (params: { table: string; values: Buffer; format: "JSONEachRow"; settings?: Record<string, string | number> }) => Promise<unknown>;

/**
 * chdb's raw insert on this client's connection, when it is a chdb one. The
 * client keeps its connection in a field its types do not declare; chdb puts
 * its native extras under `connection.chdb`.
 */
function rawInsertOf(client: ClickHouseClient): RawInsert | undefined {
  const connection = (client as unknown as { connection?: { chdb?: { rawInsert?: RawInsert } } }).connection;
  return typeof connection?.chdb?.rawInsert === "function" ? connection.chdb.rawInsert : undefined;
}

export async function insertJsonEachRow(client: ClickHouseClient, options: { table: string; body: Buffer; settings: Record<string, string | number> }): Promise<void> {
  const raw = rawInsertOf(client);
  if (raw) {
    // Settings travel in the statement (INSERT … SETTINGS …), so nothing persists on the connection.
    await raw({ table: options.table, values: options.body, format: "JSONEachRow", settings: options.settings });
    return;
  }
  const result = await client.exec({ query: `INSERT INTO ${options.table} FORMAT JSONEachRow`, values: Readable.from([options.body]), clickhouse_settings: options.settings as ClickHouseSettings });
  result.stream.resume();
}
