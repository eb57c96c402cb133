import "server-only";
import { getAnalytics, queryRows } from "@/lib/analytics/engine";
import type { AdminProof } from "@/lib/query/admin-tenants";
import { catalogTable, getCatalog } from "@/lib/query/catalog-tables";

// Admin-only, cross-tenant: which property keys exist and their most common
// values, for the designer's pickers. Never imported by embed code.

export type PropertyKeyInfo = { key: string; events: number; top_values: string[] };

export async function listPropertyKeysForAdmin(proof: AdminProof): Promise<PropertyKeyInfo[]> {
  void proof;
  const table = catalogTable(getCatalog(), "events");
  const rows = await queryRows<{ key: string; events: number; top_values: string[] }>(
    getAnalytics(),
    `SELECT key, count() AS events, arraySlice(arrayMap(t -> t.1, arraySort(t -> -t.2, groupArray((v, c)))), 1, 10) AS top_values
FROM (
  SELECT k AS key, properties[k] AS v, count() AS c
  FROM ${table.database}.${table.name}
  ARRAY JOIN mapKeys(properties) AS k
  GROUP BY key, v
)
GROUP BY key
ORDER BY events DESC, key ASC
LIMIT 200`,
    { settings: { readonly: "1" } },
  );
  return rows.map((r) => ({ key: r.key, events: Number(r.events), top_values: r.top_values }));
}
