import fs from "node:fs";
import path from "node:path";
import { getAnalytics, queryRows } from "@/lib/analytics/engine";
import { importsDir } from "@/lib/import/imports-dir";

// What a Parquet import leaves while under way (lib/import/import-chunk.ts): a
// staging table holding events' columns and the upload, for the erasure tests.

const HASH = "ab".repeat(32);

export async function makeImportCopies(tenantId: string, userId: string): Promise<void> {
  const stage = `p_${HASH}_${"cd".repeat(8)}`;
  await getAnalytics().withConnection(async (c) => {
    await c.command({ query: "CREATE DATABASE IF NOT EXISTS enclave_imports" });
    await c.command({ query: `CREATE TABLE IF NOT EXISTS enclave_imports.${stage} ENGINE = MergeTree ORDER BY enclave_row AS SELECT {t:String} AS tenant_id, {u:String} AS user_id, toUInt64(0) AS enclave_row`, query_params: { t: tenantId, u: userId } });
  });
  fs.mkdirSync(importsDir(), { recursive: true });
  fs.writeFileSync(path.join(importsDir(), `${HASH}.parquet`), `${tenantId},${userId}`);
}

/** Staging tables, dropped ones whose files the engine still keeps, and Parquet uploads. */
export async function importCopies(): Promise<{ tables: string[]; dropped: string[]; uploads: string[] }> {
  const names = async (sql: string) => (await queryRows<{ name: string }>(getAnalytics(), sql)).map((t) => t.name);
  return {
    tables: await names("SELECT name FROM system.tables WHERE database = 'enclave_imports'"),
    dropped: await names("SELECT table AS name FROM system.dropped_tables WHERE database = 'enclave_imports'"),
    uploads: fs.existsSync(importsDir()) ? fs.readdirSync(importsDir()).filter((n) => n.endsWith(".parquet")) : [],
  };
}
