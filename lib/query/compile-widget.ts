import "server-only";
import { AppError } from "@/lib/errors";
import { DEFAULT_PERMISSIONS, type Permissions } from "@/lib/query/permissions";
import { resolveDimension, VALUE_FIELD, type Granularity } from "@/lib/query/catalog";
import { catalogTable, getCatalog, type Catalog } from "@/lib/query/catalog-tables";
import { breakdownRefusal, filterRefusal } from "@/lib/query/permission-checks";
import type { SessionRowFilter } from "@/lib/query/engine-filters";
import type { BucketFill } from "@/lib/query/fill-buckets";
import type { TenantScope } from "@/lib/query/scope";
import { chTime, clampRange, isTimeZone, resolveTimeRange, type ResolvedRange } from "@/lib/query/time-range";
import { TIME_SERIES_CHARTS, type ChartWidget, type Filter, type FilterState, type MetricRef } from "@/lib/query/widget-spec";

// Widget spec → parameterised SQL. Identifiers come from the catalog only,
// values are query parameters, the tenant predicate is on every table
// reference (including the top-N subquery), and only functions that cannot
// throw on data are used: an error raised by another tenant's row that shares
// a granule would itself be a leak.

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

class Params {
  readonly values: Record<string, unknown> = {};
  private n = 0;
  add(type: string, value: unknown): string {
    const name = `p${this.n++}`;
    this.values[name] = value;
    return `{${name}:${type}}`;
  }
}

/** SQL for a dimension, from catalog names only (property keys are regex-checked). */
export function dimensionSql(id: string): string {
  const dim = resolveDimension(id);
  if (!dim) throw new AppError("validation_failed", `Unknown dimension "${id}".`);
  if (dim.column) return dim.column;
  return `properties['${dim.propertyKey!.replace(/[^A-Za-z0-9_.-]/g, "")}']`;
}

function filterSql(filter: Filter, p: Params): string {
  if (filter.op === "between") return `(${VALUE_FIELD} >= ${p.add("Float64", filter.min)} AND ${VALUE_FIELD} <= ${p.add("Float64", filter.max)})`;
  const dim = dimensionSql(filter.field);
  switch (filter.op) {
    case "equals":
      return `${dim} = ${p.add("String", filter.value)}`;
    case "in":
      return `${dim} IN ${p.add("Array(String)", filter.values)}`;
    case "not_in":
      return `${dim} NOT IN ${p.add("Array(String)", filter.values)}`;
    case "contains":
      return `positionCaseInsensitiveUTF8(${dim}, ${p.add("String", filter.value)}) > 0`;
  }
}

/** An aggregate for a metric; `cond` narrows it (If-combinators never throw). */
function metricSql(metric: MetricRef, p: Params, cond?: string): string {
  const eventCond = metric.event ? `name = ${p.add("String", metric.event)}` : undefined;
  const where = [cond, eventCond].filter(Boolean).join(" AND ");
  const agg = (fn: string, arg: string) => (where ? `${fn}If(${arg}${arg ? ", " : ""}${where})` : `${fn}(${arg})`);
  const quantile = (q: string) => (where ? `quantileExactIf(${q})(value, ${where})` : `quantileExact(${q})(value)`);
  switch (metric.id) {
    case "event_count":
      return where ? `countIf(${where})` : "count()";
    case "unique_users":
      return agg("uniqExact", "user_id");
    case "value_sum":
      return agg("sum", "value");
    case "value_avg":
      return agg("avg", "value");
    case "value_min":
      return agg("min", "value");
    case "value_max":
      return agg("max", "value");
    case "value_p50":
      return quantile("0.5");
    case "value_p90":
      return quantile("0.9");
    case "value_p95":
      return quantile("0.95");
    case "value_p99":
      return quantile("0.99");
    case "conversion_rate": {
      const scoped = (event: string) => [cond, `name = ${p.add("String", event)}`].filter(Boolean).join(" AND ");
      const from = `uniqExactIf(user_id, ${scoped(metric.from_event!)})`;
      const to = `uniqExactIf(user_id, ${scoped(metric.to_event!)})`;
      return `if(${from} = 0, NULL, ${to} / ${from})`;
    }
    default:
      throw new AppError("validation_failed", `Unknown metric "${metric.id}".`);
  }
}

/**
 * The events some metric counts, or undefined when one counts every event.
 * The scan is restricted to them, so no group (a page, a country) exists only
 * because of events no metric counts; name is in the sort key, so it also reads less.
 */
function countedEvents(metrics: MetricRef[]): string[] | undefined {
  const names = new Set<string>();
  for (const m of metrics) {
    if (m.id === "conversion_rate") {
      names.add(m.from_event!).add(m.to_event!);
      continue;
    }
    if (!m.event) return undefined;
    names.add(m.event);
  }
  return [...names].sort();
}

/** What the engine gives for a metric over no rows: counts are 0, everything else (sums of a nullable value too) is null. */
const EMPTY_VALUE: Record<string, 0 | null> = { event_count: 0, unique_users: 0 };

const BUCKET: Record<Granularity, string> = {
  hour: "toStartOfHour",
  day: "toStartOfDay",
  week: "toMonday",
  month: "toStartOfMonth",
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

export function compileWidget(spec: ChartWidget, scope: TenantScope, options: CompileOptions = {}): CompiledQuery {
  const permissions = options.permissions ?? DEFAULT_PERMISSIONS;
  const state = options.filters ?? {};
  const tz = options.timezone ?? "UTC";
  if (!isTimeZone(tz)) throw new AppError("validation_failed", `Unknown time zone "${tz}".`);
  checkPermissions(spec, permissions, state);

  const catalog = options.catalog ?? getCatalog();
  const table = catalogTable(catalog, "events");
  const from = `${table.database}.${table.name}`;
  const p = new Params();
  p.values.tenant = scope.tenantId;
  const tenantPredicate = `${table.tenantColumn} = {tenant:String}`;

  const range: ResolvedRange = clampRange(resolveTimeRange(state.time_range ?? spec.time_range, tz, options.now ?? new Date()), permissions.max_date_range_days);
  const lockedFilters = permissions.locked_filters ?? {};
  const where: string[] = [tenantPredicate];
  // Parameters are numbered in the order they appear in the SQL: range, counted events, locks, filters.
  const events = countedEvents(spec.metrics);
  const restrictions = () => [
    ...(events ? [`name IN ${p.add("Array(String)", events)}`] : []),
    ...Object.entries(lockedFilters).map(([dim, values]) => `${dimensionSql(dim)} IN ${p.add("Array(String)", values)}`),
    ...[...spec.filters, ...(state.filters ?? [])].map((f) => filterSql(f, p)),
  ];
  const breakdown = state.breakdown ?? spec.breakdown;
  const limit = spec.limit ?? (breakdown ? 10 : 1000);
  const base: CompiledQuery = { kind: "compiled", sql: "", params: p.values, catalog, lockedFilters, range: { from: range.from.toISOString(), to: range.to.toISOString() } };

  if (spec.chart === "kpi") {
    // One query: the period and the one before it, as long again. With a date
    // bound, the comparison is dropped if it would read outside the bound.
    const span = range.to.getTime() - range.from.getTime();
    const withPrevious = !permissions.max_date_range_days || 2 * span <= permissions.max_date_range_days * 86_400_000;
    const fromP = p.add("DateTime64(3, 'UTC')", chTime(range.from));
    const metric = spec.metrics[0];
    const current = metricSql(metric, p, `ts >= ${fromP}`);
    const previous = withPrevious ? metricSql(metric, p, `ts < ${fromP}`) : "NULL";
    const prevP = withPrevious ? p.add("DateTime64(3, 'UTC')", chTime(new Date(range.from.getTime() - span))) : fromP;
    const toP = p.add("DateTime64(3, 'UTC')", chTime(range.to));
    where.push(`ts >= ${prevP}`, `ts < ${toP}`, ...restrictions());
    return { ...base, sql: `SELECT ${current} AS m0, ${previous} AS m0_previous\nFROM ${from}\nWHERE ${where.join("\n  AND ")}` };
  }

  const timeSeries = TIME_SERIES_CHARTS.includes(spec.chart) || (spec.chart === "bar" && !breakdown);
  const select: string[] = [];
  const group: string[] = [];
  let fill: BucketFill | undefined;
  if (timeSeries) {
    const granularity = spec.granularity ?? "day";
    fill = {
      granularity,
      timezone: tz,
      from: base.range!.from,
      to: base.range!.to,
      empty: Object.fromEntries(spec.metrics.map((m, i) => [`m${i}`, EMPTY_VALUE[m.id] ?? null])),
      byDimension: Boolean(breakdown),
    };
    select.push(`toString(${BUCKET[granularity]}(ts, ${p.add("String", tz)})) AS bucket`);
    group.push("bucket");
  }
  const metrics = spec.metrics.map((m, i) => `${metricSql(m, p)} AS m${i}`);
  where.push(`ts >= ${p.add("DateTime64(3, 'UTC')", chTime(range.from))}`, `ts < ${p.add("DateTime64(3, 'UTC')", chTime(range.to))}`, ...restrictions());
  if (breakdown) {
    const dim = dimensionSql(breakdown);
    select.push(`${dim} AS dimension`);
    group.push("dimension");
    if (timeSeries) {
      // Top-N breakdown values over the whole period; the subquery carries the tenant predicate too.
      const topMetric = metricSql(spec.metrics[0], p);
      where.push(`${dim} IN (\n    SELECT ${dim}\n    FROM ${from}\n    WHERE ${where.join("\n      AND ")}\n    GROUP BY ${dim}\n    ORDER BY ${topMetric} DESC, ${dim} ASC\n    LIMIT ${limit}\n  )`);
    }
  }
  const order = orderBy(spec, timeSeries, Boolean(breakdown));
  const sql =
    `SELECT ${[...select, ...metrics].join(", ")}\nFROM ${from}\nWHERE ${where.join("\n  AND ")}` +
    (group.length ? `\nGROUP BY ${group.join(", ")}` : "") +
    (order ? `\nORDER BY ${order}` : "") +
    (timeSeries ? `\nLIMIT ${Math.min(10_000, limit * 1000)}` : `\nLIMIT ${limit}`);
  return { ...base, sql, ...(fill ? { fill } : {}) };
}

/** Deterministic order: every ORDER BY ends with the grouping keys. */
function orderBy(spec: ChartWidget, timeSeries: boolean, hasBreakdown: boolean): string {
  const dir = spec.sort?.direction === "asc" ? "ASC" : "DESC";
  if (timeSeries) return hasBreakdown ? "bucket ASC, dimension ASC" : "bucket ASC";
  if (!hasBreakdown) return "";
  if (spec.sort?.by === "dimension") return `dimension ${spec.sort.direction === "desc" ? "DESC" : "ASC"}`;
  return `m0 ${dir}, dimension ASC`;
}
