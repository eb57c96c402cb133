import "server-only";
import { catalogTable, type Catalog, type CatalogTable } from "@/lib/query/catalog-tables";
import { orderBy, planLimit, type CompiledQuery, type WidgetPlan } from "@/lib/query/compile-widget";
import { fillBuckets } from "@/lib/query/fill-buckets";
import type { QueryColumn } from "@/lib/query/run-scoped";
import { aggregate, BUCKET, dimensionSql, filterSql, metricSql, Params, type Aggregates } from "@/lib/query/sql-parts";
import { chTime, zonedMidnight, zonedParts } from "@/lib/query/time-range";
import type { MetricRef } from "@/lib/query/widget-spec";
import { filterDimension, metricStates, metricsRollable, NAME_DIMENSION, rollupTableName, type RollupDefinition, type RollupGrain, type RollupSet, type RollupState } from "@/lib/rollups/define";
import { keyColumns, stateSql } from "@/lib/rollups/rollup-sql";

// A widget answered from its version's rollup, exactly as its own query over
// events answers it. The period is cut into whole buckets of the rollup's
// grain in the dashboard's time zone, read from the rollup, and edges (a
// clamped period's partial day), read from events as the same aggregate
// states; both are merged in one statement. A widget the rollup cannot
// answer exactly (quantiles, a value filter, a dimension no set keeps, a
// different time zone) is not answered
// here: the caller reads events. lib/rollups/rollup-oracle.test.ts proves the
// answers equal.

export type RollupAnswer = { compiled: CompiledQuery; set: number; edges: boolean; columns: string[] };

/** The rollup table as the executor's row filter sees it: tenant first; a locked dimension only through the sets that keep it. */
export function rollupCatalogTable(database: string, def: RollupDefinition): CatalogTable {
  const keys = keyColumns(def);
  const columnFor: Record<string, string> = { [NAME_DIMENSION]: "name" };
  const dims = new Set(def.sets.flatMap((s) => s.dims));
  for (const dim of dims) {
    const perSet = def.sets.flatMap((s, g) => (s.dims.includes(dim) ? [`grp = ${g}, ${keys[s.dims.indexOf(dim)]}`] : []));
    columnFor[dim] = `multiIf(${perSet.join(", ")}, NULL)`;
  }
  return {
    name: rollupTableName(def),
    database,
    tenantColumn: "tenant_id",
    timeColumn: "bucket",
    columns: {},
    dimensionColumns: columnFor,
  };
}

const HOUR = 3_600_000;

function floorBoundary(t: number, grain: RollupGrain, tz: string): number {
  const p = zonedParts(t, tz);
  if (grain === "hour") return t - (p.min * 60 + p.s) * 1000 - (((t % 1000) + 1000) % 1000);
  const midnight = zonedMidnight(p.y, p.m, p.d, tz);
  return midnight <= t ? midnight : zonedMidnight(p.y, p.m, p.d - 1, tz);
}

function ceilBoundary(t: number, grain: RollupGrain, tz: string): number {
  const floor = floorBoundary(t, grain, tz);
  if (floor === t) return t;
  if (grain === "hour") return floorBoundary(floor + HOUR + 60_000, grain, tz);
  const p = zonedParts(floor + 36 * HOUR, tz);
  return zonedMidnight(p.y, p.m, p.d, tz);
}

/** The set that answers a widget: keeps every dimension it reads, at a grain fine enough; the narrowest wins. */
function chooseSet(def: RollupDefinition, dims: string[], grain: RollupGrain | "any", states: RollupState[]): number | undefined {
  let best: number | undefined;
  const size = (s: RollupSet) => s.dims.length * 2 + (s.grain === "hour" ? 1 : 0);
  def.sets.forEach((s, g) => {
    if (grain === "hour" && s.grain !== "hour") return;
    if (!dims.every((d) => s.dims.includes(d)) || !states.every((st) => s.states.includes(st))) return;
    if (best === undefined || size(s) < size(def.sets[best])) best = g;
  });
  return best;
}

/** Metrics over a rollup's states, as EVENT_AGGREGATES are over events. */
const STATE_AGGREGATES: Aggregates = {
  count: aggregate("sum", "n"),
  users: aggregate("uniqExactMerge", "users"),
  sum: aggregate("sumMerge", "vsum"),
  avg: aggregate("avgMerge", "vavg"),
  min: aggregate("min", "vmin"),
  max: aggregate("max", "vmax"),
};
const mergedMetricSql = (metric: MetricRef, p: Params, cond?: string) => metricSql(metric, p, cond, STATE_AGGREGATES);

/** The widget's query over its version's rollup (and events for partial buckets), or undefined when only events can answer it exactly. */
export function rollupQuery(plan: WidgetPlan, def: RollupDefinition, paramPrefix = "p"): RollupAnswer | undefined {
  if (!metricsRollable(plan.metrics) || plan.timezone !== def.timezone) return undefined;
  if (!def.users && plan.metrics.some((m) => m.id === "unique_users" || m.id === "conversion_rate")) return undefined;
  const filters = [...plan.spec.filters, ...plan.stateFilters];
  const lockDims = Object.keys(plan.locks).map((d) => dimensionSql(d));
  const filterDims = filters.map(filterDimension);
  if (filterDims.some((d) => d === undefined)) return undefined;
  const breakdown = plan.breakdown ? dimensionSql(plan.breakdown) : undefined;
  const needed = [...new Set([...(breakdown ? [breakdown] : []), ...(filterDims as string[]), ...lockDims])].filter((d) => d !== NAME_DIMENSION);
  const g = chooseSet(def, needed, plan.granularity === "hour" ? "hour" : "any", metricStates(plan.metrics));
  if (g === undefined) return undefined;
  const set = def.sets[g];
  const tz = def.timezone;

  // Segments: the KPI's previous and current periods, or the one period; whole buckets of each from the rollup.
  const cuts = [plan.scan.from.getTime(), ...(plan.shape === "kpi" && plan.withPrevious ? [plan.range.from.getTime()] : []), plan.range.to.getTime()];
  const whole: [number, number][] = [];
  const edges: [number, number][] = [];
  for (let i = 0; i + 1 < cuts.length; i++) {
    const [from, to] = [cuts[i], cuts[i + 1]];
    const a = ceilBoundary(from, set.grain, tz);
    const b = floorBoundary(to, set.grain, tz);
    if (a < b) {
      whole.push([a, b]);
      if (from < a) edges.push([from, a]);
      if (b < to) edges.push([b, to]);
    } else if (from < to) edges.push([from, to]);
  }
  if (whole.length === 0) return undefined;

  const p = new Params(paramPrefix);
  p.values.tenant = plan.tenantId;
  const tzP = p.add("String", tz);
  const time = (t: number) => p.add("DateTime64(3, 'UTC')", chTime(new Date(t)));
  const segment = (column: string) => (cuts.length <= 2 ? "0" : `multiIf(${cuts.slice(1, -1).map((c, i) => `${column} < ${time(c)}, ${i}`).join(", ")}, ${cuts.length - 2})`);
  const ranges = (column: string, list: [number, number][]) => `(${list.map(([a, b]) => `(${column} >= ${time(a)} AND ${column} < ${time(b)})`).join(" OR ")})`;
  const keys = keyColumns(def);
  const dimAlias = new Map(needed.map((d, i) => [d, `__d${i}`]));
  const column = (dim: string) => (dim === NAME_DIMENSION ? "name" : dimAlias.get(dim)!);
  // Only the states the widget's metrics merge: a distinct-users state is by far the largest to read.
  const states: ("n" | RollupState)[] = [...(plan.metrics.some((m) => m.id === "event_count") ? ["n" as const] : []), ...metricStates(plan.metrics)];
  const events = plan.events ? `name IN ${p.add("Array(String)", plan.events)}` : undefined;
  const table = catalogTable(plan.catalog, "events");
  const rollup = rollupCatalogTable(plan.catalog.database, def);

  const fromRollup = `SELECT name, bucket AS __b, ${needed.map((d) => `${keys[set.dims.indexOf(d)]} AS ${dimAlias.get(d)}`).join(", ")}${needed.length ? ", " : ""}${states.join(", ")}, ${segment("bucket")} AS __seg
  FROM ${rollup.database}.${rollup.name}
  WHERE ${["tenant_id = {tenant:String}", `grp = ${g}`, ranges("bucket", whole), ...(events ? [events] : [])].join(" AND ")}`;
  const rawStates = states.map((state) => `${stateSql(state)} AS ${state}`);
  const bucketOfTs = `${set.grain === "hour" ? "toStartOfHour" : "toStartOfDay"}(ts, ${tzP})`;
  const fromEvents = edges.length
    ? `\n  UNION ALL\n  SELECT name, ${bucketOfTs} AS __b, ${needed.map((d) => `${d} AS ${dimAlias.get(d)}`).join(", ")}${needed.length ? ", " : ""}${rawStates.join(", ")}, ${segment("ts")} AS __seg
  FROM ${table.database}.${table.name}
  WHERE ${[`${table.tenantColumn} = {tenant:String}`, ranges("ts", edges), ...(events ? [events] : [])].join(" AND ")}
  GROUP BY name, __b, ${needed.map((d) => `${dimAlias.get(d)}, `).join("")}__seg`
    : "";

  const where = [
    ...Object.entries(plan.locks).map(([dim, values]) => `${column(dimensionSql(dim))} IN ${p.add("Array(String)", values)}`),
    ...filters.map((f) => filterSql(f, p, column(filterDimension(f)!))),
  ];
  const select: string[] = [];
  const group: string[] = [];
  const seg = (i: number) => (cuts.length <= 2 ? undefined : `__seg = ${i}`);
  if (plan.shape === "kpi") {
    const current = plan.withPrevious ? 1 : 0;
    select.push(`${mergedMetricSql(plan.metrics[0], p, seg(current))} AS m0`, `${plan.withPrevious ? mergedMetricSql(plan.metrics[0], p, seg(0)) : "NULL"} AS m0_previous`);
  } else {
    if (plan.granularity) {
      select.push(`toString(${BUCKET[plan.granularity]}(__b, ${tzP})) AS bucket`);
      group.push("bucket");
    }
    if (breakdown) {
      select.push(`${column(breakdown)} AS dimension`);
      group.push("dimension");
    }
    select.push(...plan.metrics.map((m, i) => `${mergedMetricSql(m, p)} AS m${i}`));
  }
  const source = `(\n  ${fromRollup}${fromEvents}\n)`;
  if (plan.shape === "series_breakdown") {
    // Its top N values over the whole period, from the same rows, as the widget's own subquery ranks them.
    const dim = column(breakdown!);
    where.push(`${dim} IN (\n    SELECT ${dim}\n    FROM ${source}${where.length ? `\n    WHERE ${where.join(" AND ")}` : ""}\n    GROUP BY ${dim}\n    ORDER BY ${mergedMetricSql(plan.metrics[0], p)} DESC, ${dim} ASC\n    LIMIT ${plan.limit}\n  )`);
  }
  const order = orderBy(plan);
  const sql =
    `SELECT ${select.join(", ")}\nFROM ${source}` +
    (where.length ? `\nWHERE ${where.join("\n  AND ")}` : "") +
    (group.length ? `\nGROUP BY ${group.join(", ")}` : "") +
    (order ? `\nORDER BY ${order}` : "") +
    (plan.shape === "kpi" ? "" : `\nLIMIT ${planLimit(plan)}`);
  const catalog: Catalog = { database: plan.catalog.database, tables: [...plan.catalog.tables, rollup] };
  return {
    compiled: {
      kind: "compiled",
      sql,
      params: p.values,
      catalog,
      lockedFilters: plan.locks,
      range: { from: plan.range.from.toISOString(), to: plan.range.to.toISOString() },
      ...(plan.fill ? { fill: plan.fill } : {}),
    },
    set: g,
    edges: edges.length > 0,
    columns: [...(plan.shape === "kpi" ? [] : [...(plan.granularity ? ["bucket"] : []), ...(breakdown ? ["dimension"] : [])]), ...(plan.shape === "kpi" ? ["m0", "m0_previous"] : plan.metrics.map((_m, i) => `m${i}`))],
  };
}

/**
 * Several widgets' rollup statements as one (the engine's cost per statement
 * is mostly its own, whatever it reads): each widget's statement unchanged
 * in a UNION ALL branch, its rows returned as the JSON the statement alone
 * would return, numbered in its order, with their types.
 */
export function mergeRollupAnswers(parts: { plan: WidgetPlan; answer: RollupAnswer }[]): { compiled: CompiledQuery; split(result: { rows: Record<string, unknown>[] }): Map<string, { rows: Record<string, unknown>[]; columns: QueryColumn[] }> } {
  // One statement has one engine row filter: its parts must share the session's locks (a render's widgets do).
  const locks = JSON.stringify(parts[0].answer.compiled.lockedFilters);
  if (parts.some(({ answer }) => JSON.stringify(answer.compiled.lockedFilters) !== locks || answer.compiled.params.tenant !== parts[0].answer.compiled.params.tenant)) {
    throw new Error("rollup statements of different sessions cannot be merged");
  }
  const params: Record<string, unknown> = {};
  const branches = parts.map(({ answer }, i) => {
    Object.assign(params, answer.compiled.params);
    const cols = answer.columns.join(", ");
    return `SELECT ${i} AS __w, rowNumberInAllBlocks() AS __n, formatRowNoNewline('JSONEachRow', ${cols}) AS __r, arrayStringConcat([${answer.columns.map((c) => `toTypeName(${c})`).join(", ")}], '|') AS __t\nFROM (\n${answer.compiled.sql}\n)`;
  });
  const first = parts[0].answer.compiled;
  const tables = new Map(parts.flatMap(({ answer }) => answer.compiled.catalog.tables.map((t) => [`${t.database}.${t.name}`, t] as const)));
  return {
    compiled: { ...first, sql: branches.join("\nUNION ALL\n"), params, catalog: { database: first.catalog.database, tables: [...tables.values()] }, fill: undefined, range: undefined },
    split(result) {
      const out = new Map<string, { rows: Record<string, unknown>[]; columns: QueryColumn[] }>();
      parts.forEach(({ plan, answer }, i) => {
        const mine = result.rows.filter((r) => Number(r.__w) === i).sort((a, b) => Number(a.__n) - Number(b.__n));
        const rows = mine.map((r) => JSON.parse(String(r.__r)) as Record<string, unknown>);
        const types = mine[0] ? String(mine[0].__t).split("|") : answer.columns.map((c) => staticType(plan, c));
        out.set(plan.spec.id, { rows: plan.fill ? fillBuckets(rows, plan.fill) : rows, columns: answer.columns.map((name, k) => ({ name, type: types[k] })) });
      });
      return out;
    },
  };
}

/** A column's type when a widget has no rows to tell it (the types its own statement reports). */
function staticType(plan: WidgetPlan, column: string): string {
  if (column === "bucket") return "String";
  if (column === "dimension") return plan.breakdown && dimensionSql(plan.breakdown) === NAME_DIMENSION ? "LowCardinality(String)" : "String";
  if (column === "m0_previous" && !plan.withPrevious) return "Nullable(Nothing)";
  const metric = plan.metrics[Number(column.replace(/^m(\d+).*$/, "$1"))];
  return metric.id === "event_count" || metric.id === "unique_users" ? "UInt64" : "Nullable(Float64)";
}
