import "server-only";
import { z } from "zod";
import { recordAudit } from "@/lib/audit";
import { checkAdminProof } from "@/lib/auth/admin-proof";
import { Permissions } from "@/lib/query/permissions";
import { AppError } from "@/lib/errors";
import { getCatalog } from "@/lib/query/catalog-tables";
import { compileWidget, type CompiledQuery } from "@/lib/query/compile-widget";
import { guardSql } from "@/lib/query/guard";
import { runScoped, scopedSettings } from "@/lib/query/run-scoped";
import { scopeForAdminPreview, type PreviewAuthority } from "@/lib/query/scope";
import { ChartWidget, FilterState } from "@/lib/query/widget-spec";
import { TenantId } from "@/lib/tenant-id";

// Preview-as-tenant for automation and the admin UI: the same compiler and
// executor a tenant's embed uses, plus what an admin needs to see (the
// effective SQL, the engine-level row filter, rows read, time).
// The engine's statistics count every row in the granules it read, other
// tenants' included (a tenant with no rows "reads" hundreds), so only an
// admin who may read every tenant gets them; a key restricted to one tenant
// gets its rows and SQL, and errors without the engine's text.

export const ValidateInput = z.object({ sql: z.string().max(20_000) }).strict();

export const PreviewInput = z
  .object({
    tenant_id: TenantId,
    sql: z.string().max(20_000).optional(),
    spec: ChartWidget.optional(),
    permissions: Permissions.optional(),
    filters: FilterState.optional(),
    timezone: z.string().max(64).optional(),
  })
  .strict()
  .refine((v) => (v.sql === undefined) !== (v.spec === undefined), "send exactly one of sql or spec");
export type PreviewInput = z.infer<typeof PreviewInput>;

export async function previewQuery(authority: PreviewAuthority, input: PreviewInput, requestId: string) {
  const scope = scopeForAdminPreview(authority, input.tenant_id);
  const permissions = input.permissions ?? Permissions.parse({});
  let compiled: CompiledQuery;
  if (input.sql !== undefined) {
    const verdict = await guardSql(input.sql);
    if (!verdict.ok) throw new AppError("validation_failed", `The SQL was rejected: ${verdict.reason}`, { guard: verdict.reason });
    compiled = { kind: "sql", sql: input.sql, params: {}, catalog: getCatalog(), lockedFilters: permissions.locked_filters ?? {} };
  } else {
    compiled = compileWidget(input.spec!, scope, { permissions, filters: input.filters, timezone: input.timezone });
  }
  const actor = scope.actor;
  await recordAudit({ actor, action: "query.preview", target: input.tenant_id, meta: { kind: compiled.kind, request_id: requestId } });
  const seesEngine = checkAdminProof(authority).onlyTenant === null;
  const result = await runScoped(scope, compiled, { audience: seesEngine ? "admin" : "tenant", requestId });
  return {
    tenant_id: input.tenant_id,
    rows: result.rows,
    columns: result.columns,
    ...(seesEngine ? { stats: result.stats } : {}),
    effective_sql: compiled.sql,
    params: compiled.params,
    engine_filter: String(scopedSettings(scope, compiled).additional_table_filters),
    range: compiled.range,
  };
}
