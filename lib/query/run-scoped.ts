import "server-only";
import crypto from "node:crypto";
import { getAnalytics, type AnalyticsEngine, type ClickHouseSettings } from "@/lib/analytics/engine";
import { AppError } from "@/lib/errors";
import { getEnv } from "@/lib/env";
import { dimensionSql, type CompiledQuery } from "@/lib/query/compile-widget";
import { hexLiteral, sessionPredicates } from "@/lib/query/engine-filters";
import { fillBuckets } from "@/lib/query/fill-buckets";
import { isIssuedScope, type TenantScope } from "@/lib/query/scope";
import { withTenantSlot } from "@/lib/query/tenant-slots";

// The one executor of tenant-facing SQL. Every query runs on a fresh
// connection with an engine-level row filter per catalog table (tenant,
// locked filters, and for custom SQL the session's period and chosen
// filters), limits, and readonly set last.

export type QueryStats = { elapsed_ms: number; rows_read: number; bytes_read: number };
export type QueryColumn = { name: string; type: string };
export type ScopedResult = { rows: Record<string, unknown>[]; columns: QueryColumn[]; stats: QueryStats };

export type RunOptions = {
  /** Who reads the error: tenants get a code and a request id, admins also the engine's detail. */
  audience?: "tenant" | "admin";
  requestId?: string;
  engine?: AnalyticsEngine;
};

export { hexLiteral };

/** `additional_table_filters` as ClickHouse wants it: a map literal in a string, keyed by database.table. Tenant first, then locks, then the session row filter. */
export function tableFilters(scope: TenantScope, compiled: CompiledQuery): string {
  const entries = compiled.catalog.tables.map((table) => {
    const predicates = [`${table.tenantColumn} = ${hexLiteral(scope.tenantId)}`];
    for (const [dim, values] of Object.entries(compiled.lockedFilters)) {
      const column = table.dimensionColumns ? table.dimensionColumns[dimensionSql(dim)] : dimensionSql(dim);
      predicates.push(column === undefined ? "0" : `${column} IN (${values.map(hexLiteral).join(", ")})`);
    }
    predicates.push(...sessionPredicates(table, compiled.rowFilter));
    const expression = predicates.join(" AND ").replace(/'/g, "''");
    return `'${table.database}.${table.name}':'${expression}'`;
  });
  return `{${entries.join(", ")}}`;
}

export function scopedSettings(scope: TenantScope, compiled: CompiledQuery): ClickHouseSettings {
  const env = getEnv();
  // Order matters on chdb (settings are applied with SET on the query's own connection): readonly must be last.
  return {
    additional_table_filters: tableFilters(scope, compiled),
    allow_reorder_prewhere_conditions: 0,
    max_execution_time: env.QUERY_TIMEOUT_SECONDS,
    max_rows_to_read: String(env.QUERY_MAX_ROWS_READ),
    max_result_rows: String(env.QUERY_MAX_RESULT_ROWS),
    result_overflow_mode: "throw",
    max_memory_usage: String(env.QUERY_MAX_MEMORY_BYTES),
    // Many small queries at once: one thread each wastes no CPU on coordination (QUERY_MAX_THREADS).
    max_threads: env.QUERY_MAX_THREADS,
    readonly: "1",
  } as unknown as ClickHouseSettings;
}

type JsonResult = { meta: QueryColumn[]; data: Record<string, unknown>[]; statistics?: { elapsed: number; rows_read: number; bytes_read: number } };

function explain(err: unknown, audience: "tenant" | "admin", requestId: string): AppError {
  const detail = err instanceof Error ? err.message : String(err);
  const code = /TIMEOUT_EXCEEDED|Timeout exceeded/i.test(detail)
    ? "query_timeout"
    : /TOO_MANY_ROWS|TOO_MANY_BYTES|MEMORY_LIMIT|Limit for (rows|result)/i.test(detail)
      ? "query_too_large"
      : "query_failed";
  const message = {
    query_timeout: "This query took too long. Narrow the date range or filters and try again.",
    query_too_large: "This query reads or returns too much data. Narrow the date range or filters.",
    query_failed: "This query could not be run.",
  }[code];
  return new AppError(code, `${message} (request ${requestId})`, audience === "admin" ? { engine_error: detail.slice(0, 2000) } : undefined);
}

/** Runs compiled or guard-approved SQL for exactly one tenant. */
export async function runScoped(scope: TenantScope, compiled: CompiledQuery, options: RunOptions = {}): Promise<ScopedResult> {
  if (!isIssuedScope(scope)) throw new AppError("forbidden", "Queries need a tenant scope issued by the server.");
  if (compiled.kind === "compiled" && compiled.params.tenant !== scope.tenantId) {
    throw new AppError("forbidden", "This query was compiled for another scope.");
  }
  const requestId = options.requestId ?? crypto.randomUUID();
  const audience = options.audience ?? "tenant";
  const engine = options.engine ?? getAnalytics();
  const settings = scopedSettings(scope, compiled);
  const started = performance.now();
  try {
    const result = await withTenantSlot(scope.tenantId, () =>
      engine.withConnection(async (client) => {
        if (compiled.kind === "sql") {
          // Admin SQL names tables without a database; resolve them in the catalog's.
          await engine.useDatabase(client, compiled.catalog.database);
        }
        return engine.queryJson<JsonResult>(client, { sql: compiled.sql, params: compiled.params, settings });
      }),
    );
    return {
      rows: compiled.fill ? fillBuckets(result.data, compiled.fill) : result.data,
      columns: result.meta,
      stats: {
        elapsed_ms: Math.round((performance.now() - started) * 100) / 100,
        rows_read: Number(result.statistics?.rows_read ?? 0),
        bytes_read: Number(result.statistics?.bytes_read ?? 0),
      },
    };
  } catch (err) {
    if (err instanceof AppError) throw err;
    console.error(`[${requestId}] query failed for ${scope.actor} (tenant ${scope.tenantId}): ${err instanceof Error ? err.message : String(err)}`);
    throw explain(err, audience, requestId);
  }
}
