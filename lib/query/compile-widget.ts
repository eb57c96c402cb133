import "server-only";
import { AppError } from "@/lib/errors";
import { resolveDimension, type Granularity } from "@/lib/query/catalog";
import { catalogTable, getCatalog, type Catalog } from "@/lib/query/catalog-tables";
import type { SessionRowFilter } from "@/lib/query/engine-filters";
import type { BucketFill } from "@/lib/query/fill-buckets";
import { breakdownRefusal, filterRefusal } from "@/lib/query/permission-checks";
import { DEFAULT_PERMISSIONS, type Permissions } from "@/lib/query/permissions";
import type { TenantScope } from "@/lib/query/scope";
import { BUCKET, countedEvents, dimensionSql, EMPTY_VALUE, filterSql, metricSql, Params } from "@/lib/query/sql-parts";
import { canCompare, chTime, clampRange, isTimeZone, previousTimeRange, resolveTimeRange, type ResolvedRange } from "@/lib/query/time-range";
import { TIME_SERIES_CHARTS, type ChartWidget, type Filter, type FilterState, type MetricRef, type TimeRange } from "@/lib/query/widget-spec";

export { dimensionSql } from "@/lib/query/sql-parts";

// Widget spec → a plan (what to scan, group and compute, checked against the
// session's permissions) → parameterised SQL. Identifiers come from the
// catalog only, values are query parameters, the tenant predicate is on every
// table reference (including the top-N subquery), and only functions that
// cannot throw on data are used: an error raised by another tenant's row that
// shares a granule would itself be a leak. The render planner (plan-render.ts)
// merges plans of one render into fewer queries with the same results.

export type CompiledQuery = {
  kind: "compiled" | "sql";
  sql: string;
  params: Record<string, unknown>;
  catalog: Catalog;
  /** Locked filters the executor also enforces at the engine layer. */
  lockedFilters: Record<string, string[]>;
  /** The period actually queried, after clamping. */
  range?: { from: string; to: string };
  /** Time series: every bucket of the period appears in the result (see fill-buckets.ts). */
  fill?: BucketFill;
  /** Custom SQL: the session's period and chosen filters, added by the executor to the engine row filter of every catalog table. */
  rowFilter?: SessionRowFilter;
};

export type CompileOptions = {
  permissions?: Permissions;
  filters?: FilterState;
  timezone?: string;
  now?: Date;
  catalog?: Catalog;
};

export type WidgetShape = "kpi" | "total" | "series" | "breakdown" | "series_breakdown";

/** A time series the end user asked to compare: shown, or why not (the date bound, a breakdown). */
export type CompareStatus = "shown" | "too_long" | "broken_down";

/** One chart widget's query, before SQL: checked, with its period resolved. */
export type WidgetPlan = {
  spec: ChartWidget;
  tenantId: string;
  catalog: Catalog;
  timezone: string;
  shape: WidgetShape;
  /** The widget's period after clamping. */
  range: ResolvedRange;
  /** What the query scans: the period, and for a KPI the period before it too. */
  scan: { from: Date; to: Date };
  /** KPI: the period before is compared (dropped when a date bound would not allow reading it). */
  withPrevious: boolean;
  /** Time series with compare on: whether the period before is shown, and as what range (read by a plan of its own, see compare-periods.ts). */
  compare?: CompareStatus;
  previous?: TimeRange;
  /** Events some metric counts; undefined when a metric counts every event. */
  events?: string[];
  /** The session's locked filters (engine-enforced too). */
  locks: Record<string, string[]>;
  /** The end user's dashboard filters: the same for every widget of a render. */
  stateFilters: Filter[];
  metrics: MetricRef[];
  granularity?: Granularity;
  breakdown?: string;
  limit: number;
  fill?: BucketFill;
};

function checkPermissions(spec: ChartWidget, permissions: Permissions, state: FilterState): void {
  if (permissions.hidden_widgets?.includes(spec.id)) {
    throw new AppError("forbidden", "This widget is not available in this session.");
  }
  const refusal = breakdownRefusal({ requested: state.breakdown, widgetDefault: spec.breakdown }, permissions) ?? (state.filters ?? []).map((f) => filterRefusal(f, permissions)).find(Boolean);
  if (refusal) throw new AppError("forbidden", refusal);
  for (const dim of Object.keys(permissions.locked_filters ?? {})) {
    if (!resolveDimension(dim)) throw new AppError("forbidden", `The session locks an unknown dimension "${dim}".`);
  }
}

export function planWidget(spec: ChartWidget, scope: TenantScope, options: CompileOptions = {}): WidgetPlan {
  const permissions = options.permissions ?? DEFAULT_PERMISSIONS;
  const state = options.filters ?? {};
  const tz = options.timezone ?? "UTC";
  if (!isTimeZone(tz)) throw new AppError("validation_failed", `Unknown time zone "${tz}".`);
  checkPermissions(spec, permissions, state);
  const catalog = options.catalog ?? getCatalog();
  const now = options.now ?? new Date();
  const timeRange = state.time_range ?? spec.time_range;
  const range = clampRange(resolveTimeRange(timeRange, tz, now), permissions.max_date_range_days);
  const breakdown = state.breakdown ?? spec.breakdown;
  const timeSeries = TIME_SERIES_CHARTS.includes(spec.chart) || (spec.chart === "bar" && !breakdown);
  const shape: WidgetShape = spec.chart === "kpi" ? "kpi" : timeSeries ? (breakdown ? "series_breakdown" : "series") : breakdown ? "breakdown" : "total";
  const span = range.to.getTime() - range.from.getTime();
  // With a date bound, a KPI's or a series' comparison is dropped if it would read outside the bound.
  const comparable = canCompare(range, permissions.max_date_range_days);
  const withPrevious = shape === "kpi" && comparable;
  const compare: CompareStatus | undefined = !state.compare || !timeSeries ? undefined : breakdown ? "broken_down" : comparable ? "shown" : "too_long";
  const granularity = timeSeries ? spec.granularity ?? "day" : undefined;
  return {
    spec,
    tenantId: scope.tenantId,
    catalog,
    timezone: tz,
    shape,
    range,
    scan: { from: withPrevious ? new Date(range.from.getTime() - span) : range.from, to: range.to },
    withPrevious,
    ...(compare ? { compare } : {}),
    ...(compare === "shown" ? { previous: previousTimeRange(timeRange, tz, now) } : {}),
    events: countedEvents(spec.metrics),
    locks: permissions.locked_filters ?? {},
    stateFilters: state.filters ?? [],
    metrics: spec.metrics,
    granularity,
    breakdown: shape === "kpi" ? undefined : breakdown,
    limit: spec.limit ?? (breakdown ? 10 : 1000),
    fill: granularity
      ? {
          granularity,
          timezone: tz,
          from: range.from.toISOString(),
          to: range.to.toISOString(),
          empty: Object.fromEntries(spec.metrics.map((m, i) => [`m${i}`, EMPTY_VALUE[m.id] ?? null])),
          byDimension: Boolean(breakdown),
        }
      : undefined,
  };
}

/** The LIMIT of a widget's own query. */
export function planLimit(plan: WidgetPlan): number {
  return plan.granularity ? Math.min(10_000, plan.limit * 1000) : plan.limit;
}

/** The widget's own query: one statement, as the widget would run alone. */
export function widgetSql(plan: WidgetPlan): CompiledQuery {
  const { spec, catalog, range } = plan;
  const table = catalogTable(catalog, "events");
  const from = `${table.database}.${table.name}`;
  const p = new Params();
  p.values.tenant = plan.tenantId;
  const where: string[] = [`${table.tenantColumn} = {tenant:String}`];
  // Parameters are numbered in the order they appear in the SQL: range, counted events, locks, filters.
  const restrictions = () => [
    ...(plan.events ? [`name IN ${p.add("Array(String)", plan.events)}`] : []),
    ...Object.entries(plan.locks).map(([dim, values]) => `${dimensionSql(dim)} IN ${p.add("Array(String)", values)}`),
    ...[...spec.filters, ...plan.stateFilters].map((f) => filterSql(f, p)),
  ];
  const base: CompiledQuery = { kind: "compiled", sql: "", params: p.values, catalog, lockedFilters: plan.locks, range: { from: range.from.toISOString(), to: range.to.toISOString() } };

  if (plan.shape === "kpi") {
    // One query: the period and the one before it, as long again.
    const fromP = p.add("DateTime64(3, 'UTC')", chTime(range.from));
    const metric = plan.metrics[0];
    const current = metricSql(metric, p, `ts >= ${fromP}`);
    const previous = plan.withPrevious ? metricSql(metric, p, `ts < ${fromP}`) : "NULL";
    const prevP = plan.withPrevious ? p.add("DateTime64(3, 'UTC')", chTime(plan.scan.from)) : fromP;
    const toP = p.add("DateTime64(3, 'UTC')", chTime(range.to));
    where.push(`ts >= ${prevP}`, `ts < ${toP}`, ...restrictions());
    return { ...base, sql: `SELECT ${current} AS m0, ${previous} AS m0_previous\nFROM ${from}\nWHERE ${where.join("\n  AND ")}` };
  }

  const select: string[] = [];
  const group: string[] = [];
  if (plan.granularity) {
    select.push(`toString(${BUCKET[plan.granularity]}(ts, ${p.add("String", plan.timezone)})) AS bucket`);
    group.push("bucket");
  }
  const metrics = plan.metrics.map((m, i) => `${metricSql(m, p)} AS m${i}`);
  where.push(`ts >= ${p.add("DateTime64(3, 'UTC')", chTime(range.from))}`, `ts < ${p.add("DateTime64(3, 'UTC')", chTime(range.to))}`, ...restrictions());
  if (plan.breakdown) {
    const dim = dimensionSql(plan.breakdown);
    select.push(`${dim} AS dimension`);
    group.push("dimension");
    if (plan.shape === "series_breakdown") {
      // Top-N breakdown values over the whole period; the subquery carries the tenant predicate too.
      const topMetric = metricSql(plan.metrics[0], p);
      where.push(`${dim} IN (\n    SELECT ${dim}\n    FROM ${from}\n    WHERE ${where.join("\n      AND ")}\n    GROUP BY ${dim}\n    ORDER BY ${topMetric} DESC, ${dim} ASC\n    LIMIT ${plan.limit}\n  )`);
    }
  }
  const order = orderBy(plan);
  const sql =
    `SELECT ${[...select, ...metrics].join(", ")}\nFROM ${from}\nWHERE ${where.join("\n  AND ")}` +
    (group.length ? `\nGROUP BY ${group.join(", ")}` : "") +
    (order ? `\nORDER BY ${order}` : "") +
    `\nLIMIT ${planLimit(plan)}`;
  return { ...base, sql, ...(plan.fill ? { fill: plan.fill } : {}) };
}

/** Deterministic order: every ORDER BY ends with the grouping keys. */
export function orderBy(plan: Pick<WidgetPlan, "spec" | "shape">): string {
  const { spec, shape } = plan;
  const dir = spec.sort?.direction === "asc" ? "ASC" : "DESC";
  if (shape === "series") return "bucket ASC";
  if (shape === "series_breakdown") return "bucket ASC, dimension ASC";
  if (shape !== "breakdown") return "";
  if (spec.sort?.by === "dimension") return `dimension ${spec.sort.direction === "desc" ? "DESC" : "ASC"}`;
  return `m0 ${dir}, dimension ASC`;
}

export function compileWidget(spec: ChartWidget, scope: TenantScope, options: CompileOptions = {}): CompiledQuery {
  return widgetSql(planWidget(spec, scope, options));
}
