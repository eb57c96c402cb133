import "server-only";
import { z } from "zod";
import { AppError } from "@/lib/errors";
import { DEFAULT_PERMISSIONS, type Permissions } from "@/lib/query/permissions";
import { catalogTable, getCatalog, type Catalog } from "@/lib/query/catalog-tables";
import { dimensionSql, type CompiledQuery } from "@/lib/query/compile-widget";
import { chTime } from "@/lib/query/time-range";
import { runScoped, type RunOptions } from "@/lib/query/run-scoped";
import type { TenantScope } from "@/lib/query/scope";
import { DimensionId } from "@/lib/query/widget-spec";

// Distinct values of a dimension for a filter dropdown: scoped like every
// other query, honouring locked filters and allowed dimensions, limited and searchable.

export const FilterValuesInput = z
  .object({
    dimension: DimensionId,
    search: z.string().max(200).optional(),
    limit: z.number().int().min(1).max(1000).default(100),
  })
  .strict();
export type FilterValuesInput = z.input<typeof FilterValuesInput>;

export function compileFilterValues(input: FilterValuesInput, scope: TenantScope, options: { permissions?: Permissions; catalog?: Catalog } = {}): CompiledQuery {
  const { dimension, search, limit } = FilterValuesInput.parse(input);
  const permissions = options.permissions ?? DEFAULT_PERMISSIONS;
  if (permissions.allowed_dimensions && !permissions.allowed_dimensions.includes(dimension)) {
    throw new AppError("forbidden", `Filtering by "${dimension}" is not allowed in this session.`);
  }
  const catalog = options.catalog ?? getCatalog();
  const table = catalogTable(catalog, "events");
  const params: Record<string, unknown> = { tenant: scope.tenantId };
  const where = [`${table.tenantColumn} = {tenant:String}`, `${dimensionSql(dimension)} != ''`];
  const lockedFilters = permissions.locked_filters ?? {};
  Object.entries(lockedFilters).forEach(([dim, values], i) => {
    params[`l${i}`] = values;
    where.push(`${dimensionSql(dim)} IN {l${i}:Array(String)}`);
  });
  // A date bound limits what the session may see, dropdown counts included.
  if (permissions.max_date_range_days) {
    params.since = chTime(new Date(Date.now() - permissions.max_date_range_days * 86_400_000));
    where.push(`${table.timeColumn} >= {since:DateTime64(3, 'UTC')}`);
  }
  if (search) {
    params.search = search;
    where.push(`positionCaseInsensitiveUTF8(${dimensionSql(dimension)}, {search:String}) > 0`);
  }
  const sql = `SELECT ${dimensionSql(dimension)} AS value, count() AS events\nFROM ${table.database}.${table.name}\nWHERE ${where.join("\n  AND ")}\nGROUP BY value\nORDER BY events DESC, value ASC\nLIMIT ${limit}`;
  return { kind: "compiled", sql, params, catalog, lockedFilters };
}

export async function readFilterValues(scope: TenantScope, input: FilterValuesInput, options: { permissions?: Permissions } & RunOptions = {}) {
  const result = await runScoped(scope, compileFilterValues(input, scope, options), options);
  return { values: result.rows.map((r) => ({ value: String(r.value), events: Number(r.events) })), stats: result.stats };
}
