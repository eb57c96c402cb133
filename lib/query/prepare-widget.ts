import "server-only";
import { AppError } from "@/lib/errors";
import type { Permissions } from "@/lib/query/permissions";
import { getCatalog } from "@/lib/query/catalog-tables";
import { compileWidget, type CompileOptions, type CompiledQuery } from "@/lib/query/compile-widget";
import { guardSql } from "@/lib/query/guard";
import type { TenantScope } from "@/lib/query/scope";
import type { Widget } from "@/lib/query/widget-spec";

/**
 * Any widget → a query for runScoped. Chart widgets are compiled; custom-SQL
 * widgets pass the guard again (it ran when they were written and at publish)
 * and get the engine layer's row filters with the session's locked filters.
 */
export async function prepareWidget(widget: Widget, scope: TenantScope, options: CompileOptions & { permissions?: Permissions } = {}): Promise<CompiledQuery> {
  if (widget.kind === "chart") return compileWidget(widget, scope, options);
  if (options.permissions?.hidden_widgets?.includes(widget.id)) throw new AppError("forbidden", "This widget is not available in this session.");
  const catalog = options.catalog ?? getCatalog();
  const verdict = await guardSql(widget.sql, { catalog });
  if (!verdict.ok) {
    // Publish refuses such SQL; if it still gets here, the reason (which may quote the SQL) stays in the log.
    console.error(`custom SQL widget ${widget.id} rejected at run time: ${verdict.reason}`);
    throw new AppError("query_failed", "This chart could not be loaded.");
  }
  return { kind: "sql", sql: widget.sql, params: {}, catalog, lockedFilters: options.permissions?.locked_filters ?? {} };
}
