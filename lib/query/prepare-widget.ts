import "server-only";
import { compileWidget, type CompileOptions, type CompiledQuery } from "@/lib/query/compile-widget";
import { prepareSqlWidget } from "@/lib/query/prepare-sql-widget";
import type { TenantScope } from "@/lib/query/scope";
import type { Widget } from "@/lib/query/widget-spec";

/**
 * Any widget → a query for runScoped, under the same session rules: hidden
 * widgets, period, chosen filters, locks, date bound and allowed dimensions.
 * Chart widgets are compiled; custom-SQL widgets pass the guard again (it ran
 * when they were written and at publish) and carry the session's period and
 * filters as an engine row filter (see prepare-sql-widget.ts).
 */
export async function prepareWidget(widget: Widget, scope: TenantScope, options: CompileOptions = {}): Promise<CompiledQuery> {
  if (widget.kind === "chart") return compileWidget(widget, scope, options);
  return prepareSqlWidget(widget, scope, options);
}
