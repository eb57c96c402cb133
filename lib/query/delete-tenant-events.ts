import "server-only";
import { getAnalytics, queryRows } from "@/lib/analytics/engine";
import { getCatalog } from "@/lib/query/catalog-tables";

// Erases one tenant's rows from every tenant table in the catalog. A
// mutation (ALTER … DELETE) rewrites the affected parts, so the rows are
// gone from disk, not only hidden; mutations_sync waits until it is done.

export async function deleteTenantEvents(tenantId: string): Promise<{ rows_deleted: number }> {
  const engine = getAnalytics();
  let deleted = 0;
  for (const table of getCatalog().tables) {
    const target = `${table.database}.${table.name}`;
    const [{ n }] = await queryRows<{ n: number }>(engine, `SELECT count() AS n FROM ${target} WHERE ${table.tenantColumn} = {tenant:String}`, { params: { tenant: tenantId } });
    if (n === 0) continue;
    await engine.withConnection((client) =>
      client.command({
        query: `ALTER TABLE ${target} DELETE WHERE ${table.tenantColumn} = {tenant:String}`,
        query_params: { tenant: tenantId },
        clickhouse_settings: { mutations_sync: "2" },
      }),
    );
    deleted += n;
  }
  return { rows_deleted: deleted };
}
