import "server-only";
import { z } from "zod";
import { getAnalytics, queryRows } from "@/lib/analytics/engine";
import { checkAdminProof, type AdminProof } from "@/lib/auth/admin-proof";
import { catalogTable, getCatalog, type CatalogTable } from "@/lib/query/catalog-tables";

// The one module that reads across tenants, for admins: the tenant list, the
// designer's property catalog, store totals, the demo loader's emptiness check
// and tenant deletion. Every function checks a real admin proof first (a key
// restricted to one tenant sees and deletes only that tenant). It is the only
// user, with setup, of the unscoped queryRows (cross-tenant.test.ts enforces
// that), and embed code never imports it (embed-imports.test.ts).

export const TenantListInput = z
  .object({ search: z.string().max(128).optional(), limit: z.number().int().min(1).max(1000).default(100) })
  .strict();

export type TenantSummary = { tenant_id: string; events: number; first_seen: string; last_seen: string };

/** Tenant ids with their event counts and first and last events. */
export async function listTenantsForAdmin(proof: AdminProof, input: z.input<typeof TenantListInput> = {}): Promise<TenantSummary[]> {
  const { onlyTenant } = checkAdminProof(proof);
  const { search, limit } = TenantListInput.parse(input);
  const table = catalogTable(getCatalog(), "events");
  const where = [
    ...(search ? [`positionCaseInsensitive(${table.tenantColumn}, {search:String}) > 0`] : []),
    ...(onlyTenant ? [`${table.tenantColumn} = {only:String}`] : []),
  ];
  return queryRows<TenantSummary>(
    getAnalytics(),
    `SELECT ${table.tenantColumn} AS tenant_id, count() AS events, toString(min(ts)) AS first_seen, toString(max(ts)) AS last_seen
FROM ${table.database}.${table.name}
${where.length ? `WHERE ${where.join(" AND ")}` : ""}
GROUP BY tenant_id
ORDER BY events DESC, tenant_id ASC
LIMIT {limit:UInt32}`,
    { params: { search, only: onlyTenant, limit }, settings: { readonly: "1" } },
  );
}

export type PropertyKeyInfo = { key: string; events: number; top_values: string[] };

/** Property keys seen in events and their most common values, for the designer's pickers. */
export async function listPropertyKeysForAdmin(proof: AdminProof): Promise<PropertyKeyInfo[]> {
  const { onlyTenant } = checkAdminProof(proof);
  const table = catalogTable(getCatalog(), "events");
  const rows = await queryRows<{ key: string; events: number; top_values: string[] }>(
    getAnalytics(),
    `SELECT key, count() AS events, arraySlice(arrayMap(t -> t.1, arraySort(t -> -t.2, groupArray((v, c)))), 1, 10) AS top_values
FROM (
  SELECT k AS key, properties[k] AS v, count() AS c
  FROM ${table.database}.${table.name}
  ARRAY JOIN mapKeys(properties) AS k
  ${onlyTenant ? `WHERE ${table.tenantColumn} = {only:String}` : ""}
  GROUP BY key, v
)
GROUP BY key
ORDER BY events DESC, key ASC
LIMIT 200`,
    { params: { only: onlyTenant }, settings: { readonly: "1" } },
  );
  return rows.map((r) => ({ key: r.key, events: Number(r.events), top_values: r.top_values }));
}

export type StoreOverview = { events: number; tenants: number; lastEventAt: string | null };

/** Totals over every tenant, for the admin overview. */
export async function readStoreOverviewForAdmin(proof: AdminProof): Promise<StoreOverview> {
  const { onlyTenant } = checkAdminProof(proof);
  const table = catalogTable(getCatalog(), "events");
  const [row] = await queryRows<{ events: number; tenants: number; last: string | null }>(
    getAnalytics(),
    `SELECT count() AS events, uniqExact(${table.tenantColumn}) AS tenants, if(count() = 0, NULL, toString(max(ts))) AS last
FROM ${table.database}.${table.name}${onlyTenant ? `\nWHERE ${table.tenantColumn} = {only:String}` : ""}`,
    { params: { only: onlyTenant }, settings: { readonly: "1" } },
  );
  return { events: Number(row.events), tenants: Number(row.tenants), lastEventAt: row.last };
}

/** Whether the analytics store answers and its events table exists; reads no tenant rows (public health check). */
export async function probeAnalyticsStore(): Promise<void> {
  const table = catalogTable(getCatalog(), "events");
  const [{ n }] = await queryRows<{ n: number }>(getAnalytics(), "SELECT count() AS n FROM system.tables WHERE database = {db:String} AND name = {name:String}", {
    params: { db: table.database, name: table.name },
    settings: { readonly: "1" },
  });
  if (Number(n) !== 1) throw new Error(`the table ${table.database}.${table.name} does not exist`);
}

/** Whether any tenant has events (the demo loader fills only an empty store). */
export async function storeHasEvents(proof: AdminProof): Promise<boolean> {
  checkAdminProof(proof);
  const table = catalogTable(getCatalog(), "events");
  const rows = await queryRows(getAnalytics(), `SELECT 1 FROM ${table.database}.${table.name} LIMIT 1`, { settings: { readonly: "1" } });
  return rows.length > 0;
}

/**
 * Erases one tenant's rows from every tenant table in the catalog. A mutation
 * (ALTER … DELETE) rewrites the affected parts, so the rows are gone from disk,
 * not only hidden; mutations_sync waits until it is done.
 */
export async function deleteTenantEvents(proof: AdminProof, tenantId: string): Promise<{ rows_deleted: number }> {
  checkAdminProof(proof, { tenantId });
  return deleteRows((t) => `${t.tenantColumn} = {tenant:String}`, { tenant: tenantId });
}

/** Erases one end user's events within one tenant (`DELETE /v1/tenants/:t/users/:u/data`); the same user id in another tenant is untouched. */
export async function deleteUserEvents(proof: AdminProof, tenantId: string, userId: string): Promise<{ rows_deleted: number }> {
  checkAdminProof(proof, { tenantId });
  return deleteRows((t) => (Object.hasOwn(t.columns, "user_id") ? `${t.tenantColumn} = {tenant:String} AND user_id = {user:String}` : undefined), { tenant: tenantId, user: userId });
}

/** Drops one tenant's events older than `before` (retention); returns how many went. */
export async function deleteTenantEventsBefore(proof: AdminProof, tenantId: string, before: Date): Promise<{ rows_deleted: number }> {
  checkAdminProof(proof, { tenantId });
  return deleteRows((t) => `${t.tenantColumn} = {tenant:String} AND ${t.timeColumn} < {before:DateTime64(3, 'UTC')}`, { tenant: tenantId, before: chTime(before) });
}

/** Deletes the rows `where` picks in each catalog table (none: the table is skipped), counting them first. */
async function deleteRows(where: (table: CatalogTable) => string | undefined, params: Record<string, unknown>): Promise<{ rows_deleted: number }> {
  const engine = getAnalytics();
  let deleted = 0;
  for (const table of getCatalog().tables) {
    const condition = where(table);
    if (!condition) continue;
    const target = `${table.database}.${table.name}`;
    const [{ n }] = await queryRows<{ n: number }>(engine, `SELECT count() AS n FROM ${target} WHERE ${condition}`, { params });
    if (Number(n) === 0) continue;
    await engine.withConnection((client) => client.command({ query: `ALTER TABLE ${target} DELETE WHERE ${condition}`, query_params: params, clickhouse_settings: { mutations_sync: "2" } }));
    deleted += Number(n);
  }
  return { rows_deleted: deleted };
}

/** Tenants holding events older than `before`, for the retention sweep. */
export async function tenantsWithEventsBefore(proof: AdminProof, before: Date): Promise<string[]> {
  const { onlyTenant } = checkAdminProof(proof);
  const table = catalogTable(getCatalog(), "events");
  const rows = await queryRows<{ tenant_id: string }>(
    getAnalytics(),
    `SELECT DISTINCT ${table.tenantColumn} AS tenant_id FROM ${table.database}.${table.name} WHERE ${table.timeColumn} < {before:DateTime64(3, 'UTC')}${onlyTenant ? ` AND ${table.tenantColumn} = {only:String}` : ""} ORDER BY tenant_id`,
    { params: { before: chTime(before), only: onlyTenant }, settings: { readonly: "1" } },
  );
  return rows.map((r) => r.tenant_id);
}

const chTime = (d: Date) => d.toISOString().replace("T", " ").replace("Z", "");
