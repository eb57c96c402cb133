import crypto from "node:crypto";
import type { DashboardDefinition } from "@/lib/dashboards/definition";
import { resolveDimension } from "@/lib/query/catalog";
import { dimensionSql } from "@/lib/query/sql-parts";
import type { ChartWidget, Filter, MetricRef } from "@/lib/query/widget-spec";

// What a published version's rollup holds, worked out from its widgets alone
// (a version is immutable, so nobody defines aggregates by hand). A rollup is
// one table per distinct definition: rows of (tenant, set, event name,
// bucket, key values) with aggregate states. Each *set* is a list of
// dimensions with a time grain: every event is counted once in every set
// (the table is a partition of the events per set), so any widget whose
// dimensions are inside a set is answered from it exactly, by merging states.

/** Metrics a rollup answers exactly (counts, min, max, distinct users by state; sums and averages to rounding). Quantiles are read raw. */
export const ROLLUP_METRICS = new Set(["event_count", "unique_users", "value_sum", "value_avg", "value_min", "value_max", "conversion_rate"]);

/** Sets wider than this are not built: their rows would approach the events' own. */
const MAX_SET_DIMENSIONS = 3;
const MAX_SETS = 64;

export type RollupGrain = "hour" | "day";

/** The states a rollup row may hold besides its count `n`. */
export type RollupState = "users" | "vsum" | "vavg" | "vmin" | "vmax";

const STATE_OF_METRIC: Record<string, RollupState | undefined> = {
  unique_users: "users",
  conversion_rate: "users",
  value_sum: "vsum",
  value_avg: "vavg",
  value_min: "vmin",
  value_max: "vmax",
};

/** The states a widget's metrics merge (the count is always kept). */
export function metricStates(metrics: MetricRef[]): RollupState[] {
  return [...new Set(metrics.flatMap((m) => STATE_OF_METRIC[m.id] ?? []))].sort();
}

/**
 * Dimensions as their SQL expressions over events (canonical: `page` and
 * `property:page` are one), a grain, and the states its widgets merge: the
 * other states of the set's rows are empty, which keeps an insert cheap (a
 * distinct-users state hashes every user id).
 */
export type RollupSet = { dims: string[]; grain: RollupGrain; states: RollupState[] };

export type RollupDefinition = {
  /** Content address: the table is `rollup_<id>`; equal definitions share it. */
  id: string;
  timezone: string;
  sets: RollupSet[];
  /** Key columns k1..kN: as many as the widest set has dimensions. */
  keys: number;
  /** Whether a distinct-users state is kept (it is the largest column). */
  users: boolean;
};

/** The name column is a column of every rollup; other dimensions are keys. */
export const NAME_DIMENSION = "name";

export function metricsRollable(metrics: MetricRef[]): boolean {
  return metrics.every((m) => ROLLUP_METRICS.has(m.id));
}

/** Filters a rollup can apply: on dimensions (the value field is not kept). */
export function filterDimension(filter: Filter): string | undefined {
  return filter.op === "between" ? undefined : dimensionSql(filter.field);
}

/** The dimensions a widget reads beyond the event name: breakdown and its own filters. */
export function widgetDimensions(spec: ChartWidget, breakdown = spec.breakdown): string[] | undefined {
  if (!metricsRollable(spec.metrics)) return undefined;
  const dims = new Set<string>();
  if (breakdown && spec.chart !== "kpi") dims.add(dimensionSql(breakdown));
  for (const f of spec.filters) {
    const dim = filterDimension(f);
    if (dim === undefined) return undefined;
    dims.add(dim);
  }
  dims.delete(NAME_DIMENSION);
  return [...dims].sort();
}

const setKey = (s: RollupSet) => `${s.grain}:${s.dims.join("|")}`;

/**
 * The rollup a version needs, or undefined when none of its widgets can be
 * answered from one. Each rollable widget gets the set of its own dimensions
 * (at hour grain for hourly charts, else day), and that set plus each
 * dimension the dashboard lets end users filter by.
 */
export function deriveRollup(definition: DashboardDefinition): RollupDefinition | undefined {
  const filterDims = definition.filters.flatMap((f) => (f.kind === "dimension" && resolveDimension(f.dimension) ? [dimensionSql(f.dimension)] : [])).filter((d) => d !== NAME_DIMENSION);
  const sets = new Map<string, RollupSet>();
  let users = false;
  const add = (dims: string[], grain: RollupGrain, states: RollupState[]) => {
    const set: RollupSet = { dims: [...new Set(dims)].sort(), grain, states };
    const known = sets.get(setKey(set));
    if (known) known.states = [...new Set([...known.states, ...states])].sort();
    else if (set.dims.length <= MAX_SET_DIMENSIONS && sets.size < MAX_SETS) sets.set(setKey(set), set);
  };
  for (const widget of definition.widgets) {
    if (widget.kind !== "chart") continue;
    const dims = widgetDimensions(widget);
    if (!dims) continue;
    if (widget.metrics.some((m) => m.id === "unique_users" || m.id === "conversion_rate")) users = true;
    const grain: RollupGrain = widget.granularity === "hour" ? "hour" : "day";
    const states = metricStates(widget.metrics);
    add(dims, grain, states);
    for (const f of filterDims) add([...dims, f], grain, states);
  }
  if (sets.size === 0) return undefined;
  // Stable order: the set numbers are part of the table's identity.
  const ordered = [...sets.values()].sort((a, b) => (setKey(a) < setKey(b) ? -1 : 1));
  const body = { timezone: definition.timezone, sets: ordered, keys: Math.max(0, ...ordered.map((s) => s.dims.length)), users };
  const id = crypto.createHash("sha256").update(JSON.stringify(body)).digest("hex").slice(0, 16);
  return { id, ...body };
}

export const rollupTableName = (def: Pick<RollupDefinition, "id">) => `rollup_${def.id}`;
