import "server-only";
import { AppError } from "@/lib/errors";
import { resolveDimension, VALUE_FIELD, type Granularity } from "@/lib/query/catalog";
import type { Filter, MetricRef } from "@/lib/query/widget-spec";

// The pieces compiled SQL is made of, shared by the one-widget compiler and
// the render planner's merged queries: identifiers from the catalog only,
// values as numbered query parameters, aggregates that cannot throw on data.

export class Params {
  readonly values: Record<string, unknown> = {};
  private n = 0;
  /** `prefix` keeps the names of statements that are later joined into one apart. */
  constructor(private readonly prefix = "p") {}
  add(type: string, value: unknown): string {
    const name = `${this.prefix}${this.n++}`;
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

/** A filter as a predicate; `column` is what holds the dimension's value (its expression over events by default, a rollup's key column). */
export function filterSql(filter: Filter, p: Params, column?: string): string {
  if (filter.op === "between") return `(${VALUE_FIELD} >= ${p.add("Float64", filter.min)} AND ${VALUE_FIELD} <= ${p.add("Float64", filter.max)})`;
  const dim = column ?? dimensionSql(filter.field);
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

/**
 * How metrics aggregate their rows: over events' columns, or over a rollup's
 * states (lib/rollups/answer.ts). Each takes a condition ("" for none) and
 * narrows with an If-combinator, which never throws. No `quantile`: the rows
 * cannot answer quantiles.
 */
export type Aggregates = {
  count(where: string): string;
  users(where: string): string;
  sum(where: string): string;
  avg(where: string): string;
  min(where: string): string;
  max(where: string): string;
  quantile?(level: string, where: string): string;
};

/** `fn(arg)`, or `fnIf(arg, where)` under a condition. */
export const aggregate = (fn: string, arg: string) => (where: string) => (where ? `${fn}If(${arg}${arg ? ", " : ""}${where})` : `${fn}(${arg})`);

export const EVENT_AGGREGATES: Aggregates = {
  count: aggregate("count", ""),
  users: aggregate("uniqExact", "user_id"),
  sum: aggregate("sum", "value"),
  avg: aggregate("avg", "value"),
  min: aggregate("min", "value"),
  max: aggregate("max", "value"),
  quantile: (level, where) => (where ? `quantileExactIf(${level})(value, ${where})` : `quantileExact(${level})(value)`),
};

const QUANTILE_LEVEL: Record<string, string> = { value_p50: "0.5", value_p90: "0.9", value_p95: "0.95", value_p99: "0.99" };

/** An aggregate for a metric; `cond` narrows it. */
export function metricSql(metric: MetricRef, p: Params, cond?: string, aggregates: Aggregates = EVENT_AGGREGATES): string {
  const eventCond = metric.event ? `name = ${p.add("String", metric.event)}` : undefined;
  const where = [cond, eventCond].filter(Boolean).join(" AND ");
  switch (metric.id) {
    case "event_count":
      return aggregates.count(where);
    case "unique_users":
      return aggregates.users(where);
    case "value_sum":
      return aggregates.sum(where);
    case "value_avg":
      return aggregates.avg(where);
    case "value_min":
      return aggregates.min(where);
    case "value_max":
      return aggregates.max(where);
    case "value_p50":
    case "value_p90":
    case "value_p95":
    case "value_p99":
      if (!aggregates.quantile) throw new AppError("validation_failed", `Metric "${metric.id}" cannot be answered from aggregated rows.`);
      return aggregates.quantile(QUANTILE_LEVEL[metric.id], where);
    case "conversion_rate": {
      const scoped = (event: string) => [cond, `name = ${p.add("String", event)}`].filter(Boolean).join(" AND ");
      const from = aggregates.users(scoped(metric.from_event!));
      const to = aggregates.users(scoped(metric.to_event!));
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
export function countedEvents(metrics: MetricRef[]): string[] | undefined {
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

export { EMPTY_VALUE } from "@/lib/query/catalog";

export const BUCKET: Record<Granularity, string> = {
  hour: "toStartOfHour",
  day: "toStartOfDay",
  week: "toMonday",
  month: "toStartOfMonth",
};
