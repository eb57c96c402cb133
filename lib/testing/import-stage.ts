import { getAnalytics, queryRows } from "@/lib/analytics/engine";

// A staging table like a Parquet import's (lib/import/tabular-chunk.ts), holding one event's columns, for the erasure tests.

export async function makeImportStage(tenantId: string, userId: string): Promise<void> {
  const stage = `p_${"ab".repeat(32)}_${"cd".repeat(8)}`;
  await getAnalytics().withConnection(async (c) => {
    await c.command({ query: "CREATE DATABASE IF NOT EXISTS enclave_imports" });
    await c.command({ query: `CREATE TABLE IF NOT EXISTS enclave_imports.${stage} ENGINE = MergeTree ORDER BY enclave_row AS SELECT {t:String} AS tenant_id, {u:String} AS user_id, toUInt64(0) AS enclave_row`, query_params: { t: tenantId, u: userId } });
  });
}

export async function importStages(): Promise<string[]> {
  return (await queryRows<{ name: string }>(getAnalytics(), "SELECT name FROM system.tables WHERE database = 'enclave_imports'")).map((t) => t.name);
}
