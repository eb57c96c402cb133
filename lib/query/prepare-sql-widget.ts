import "server-only";
import { AppError } from "@/lib/errors";
import { resolveDimension } from "@/lib/query/catalog";
import { getCatalog } from "@/lib/query/catalog-tables";
import type { CompileOptions, CompiledQuery } from "@/lib/query/compile-widget";
import { guardSql } from "@/lib/query/guard";
import { sqlDimensionRefusal } from "@/lib/query/guard-dimensions";
import { DEFAULT_PERMISSIONS } from "@/lib/query/permissions";
import { filterRefusal } from "@/lib/query/permission-checks";
import type { TenantScope } from "@/lib/query/scope";
import { clampRange, isTimeZone, resolveTimeRange } from "@/lib/query/time-range";
import type { SqlWidget } from "@/lib/query/widget-spec";

// A custom-SQL widget obeys the session as a chart widget does. The SQL is
// the admin's and cannot be rewritten safely, so the session reaches it
// through the engine's row filter on every catalog table: the period
// (clamped by max_date_range_days, as compileWidget clamps it) and the end
// user's chosen filters, after the tenant and the locks. Whatever the SQL
// says, every read of a table sees only those rows. Dimensions the session
// may not use are refused from the guard's reading of the parse tree.

/** A custom SQL the guard refused at run time: `reason` is for admins (never in the error's message or details). */
export class GuardRefusal extends AppError {
  constructor(readonly reason: string) {
    super("query_failed", "This chart could not be loaded.");
  }
}

export const ALL_TIME_REFUSED = "This chart covers all time, and this session may only look at a limited period.";

const DEFAULT_PERIOD = { kind: "last_30_days" } as const;

export async function prepareSqlWidget(widget: SqlWidget, scope: TenantScope, options: CompileOptions = {}): Promise<CompiledQuery> {
  const permissions = options.permissions ?? DEFAULT_PERMISSIONS;
  const state = options.filters ?? {};
  const tz = options.timezone ?? "UTC";
  if (!isTimeZone(tz)) throw new AppError("validation_failed", `Unknown time zone "${tz}".`);
  if (permissions.hidden_widgets?.includes(widget.id)) throw new AppError("forbidden", "This widget is not available in this session.");
  const catalog = options.catalog ?? getCatalog();
  const verdict = await guardSql(widget.sql, { catalog });
  if (!verdict.ok) {
    // Publish refuses such SQL; if it still gets here (a draft in the designer, a catalog that
    // changed), tenants read only that the chart could not be loaded, and the reason (which may
    // quote the SQL) goes to the log and, through refusal() in run-render.ts, to admins only.
    console.error(`custom SQL widget ${widget.id} rejected at run time: ${verdict.reason}`);
    throw new GuardRefusal(verdict.reason);
  }
  const refusal = sqlDimensionRefusal(verdict, permissions.allowed_dimensions) ?? (state.filters ?? []).map((f) => filterRefusal(f, permissions)).find(Boolean);
  if (refusal) throw new AppError("forbidden", refusal);
  for (const dim of Object.keys(permissions.locked_filters ?? {})) {
    if (!resolveDimension(dim)) throw new AppError("forbidden", `The session locks an unknown dimension "${dim}".`);
  }
  if (widget.all_time && permissions.max_date_range_days) throw new AppError("forbidden", ALL_TIME_REFUSED);

  const range = widget.all_time ? undefined : clampRange(resolveTimeRange(state.time_range ?? DEFAULT_PERIOD, tz, options.now ?? new Date()), permissions.max_date_range_days);
  const period = range && { from: range.from.toISOString(), to: range.to.toISOString() };
  return {
    kind: "sql",
    sql: widget.sql,
    params: {},
    catalog,
    lockedFilters: permissions.locked_filters ?? {},
    ...(period ? { range: period } : {}),
    rowFilter: { ...(period ? { period } : {}), filters: state.filters ?? [] },
  };
}
