import "server-only";
import { z } from "zod";
import { getAnalytics, queryRows } from "@/lib/analytics/engine";
import type { AdminContext } from "@/lib/auth/admin-session";
import type { ApiKeyContext } from "@/lib/auth/with-api-key";
import { AppError } from "@/lib/errors";
import { catalogTable, getCatalog } from "@/lib/query/catalog-tables";

// The admin-only, cross-tenant reader: tenant ids with their event counts.
// It demands proof of an admin and is never imported by embed code (a test
// walks the embed code's imports to enforce that).

export type AdminProof = { kind: "admin"; admin: AdminContext } | { kind: "api_key"; ctx: ApiKeyContext };

export const TenantListInput = z
  .object({ search: z.string().max(128).optional(), limit: z.number().int().min(1).max(1000).default(100) })
  .strict();

export type TenantSummary = { tenant_id: string; events: number; first_seen: string; last_seen: string };

export async function listTenantsForAdmin(proof: AdminProof, input: z.input<typeof TenantListInput> = {}): Promise<TenantSummary[]> {
  if (proof.kind === "api_key" && !proof.ctx.key.scopes.includes("admin")) {
    throw new AppError("insufficient_scope", 'Listing tenants needs an API key with the "admin" scope.');
  }
  const { search, limit } = TenantListInput.parse(input);
  const table = catalogTable(getCatalog(), "events");
  const restricted = proof.kind === "api_key" ? proof.ctx.key.tenantId : null;
  const where = [
    ...(search ? [`positionCaseInsensitive(${table.tenantColumn}, {search:String}) > 0`] : []),
    // A tenant-restricted admin key sees its own tenant only.
    ...(restricted ? [`${table.tenantColumn} = {only:String}`] : []),
  ];
  return queryRows<TenantSummary>(
    getAnalytics(),
    `SELECT ${table.tenantColumn} AS tenant_id, count() AS events, toString(min(ts)) AS first_seen, toString(max(ts)) AS last_seen
FROM ${table.database}.${table.name}
${where.length ? `WHERE ${where.join(" AND ")}` : ""}
GROUP BY tenant_id
ORDER BY events DESC, tenant_id ASC
LIMIT {limit:UInt32}`,
    { params: { search, only: restricted, limit }, settings: { readonly: "1" } },
  );
}
