
// The semantic catalog: dimensions and metrics that specs may name. Pure data,
// shared with client components (the designer's pickers). Tables, with their
// database and tenant column, are in catalog-tables.ts (server only).

/** A dimension: something to group or filter by. `sql` is built from catalog names only. */
export type Dimension = { id: string; label: string; description: string; column?: string; propertyKey?: string };

export const DIMENSIONS: Dimension[] = [
  { id: "event", label: "Event", description: "Event name", column: "name" },
  { id: "country", label: "Country", description: "Country of the end user", propertyKey: "country" },
  { id: "plan", label: "Plan", description: "Plan of the end user", propertyKey: "plan" },
  { id: "device", label: "Device", description: "Device type", propertyKey: "device" },
  { id: "page", label: "Page", description: "Page path of a page view", propertyKey: "page" },
];

/** Other property keys are addressed as `property:<key>`. */
export const PROPERTY_DIMENSION = /^property:([A-Za-z0-9_.-]{1,100})$/;

export function resolveDimension(id: string): Dimension | undefined {
  const known = DIMENSIONS.find((d) => d.id === id);
  if (known) return known;
  const match = PROPERTY_DIMENSION.exec(id);
  return match ? { id, label: match[1], description: `Property ${match[1]}`, propertyKey: match[1] } : undefined;
}

/** The numeric field filters may compare with `between`. */
export const VALUE_FIELD = "value";

/** What the engine gives for a metric over no rows: counts are 0, everything else (sums of a nullable value too) is null. */
export const EMPTY_VALUE: Record<string, 0 | null> = { event_count: 0, unique_users: 0 };

export type MetricDef = { id: string; label: string; description: string; needsEvents?: 2 };

export const METRICS: MetricDef[] = [
  { id: "event_count", label: "Events", description: "Number of events" },
  { id: "unique_users", label: "Unique users", description: "Distinct users with at least one event" },
  { id: "value_sum", label: "Sum of value", description: "Total of the value field (e.g. revenue)" },
  { id: "value_avg", label: "Average value", description: "Average of the value field" },
  { id: "value_min", label: "Minimum value", description: "Smallest value" },
  { id: "value_max", label: "Maximum value", description: "Largest value" },
  { id: "value_p50", label: "Median value", description: "50th percentile of value" },
  { id: "value_p90", label: "p90 value", description: "90th percentile of value" },
  { id: "value_p95", label: "p95 value", description: "95th percentile of value" },
  { id: "value_p99", label: "p99 value", description: "99th percentile of value" },
  { id: "conversion_rate", label: "Conversion rate", description: "Users who did the second event / users who did the first", needsEvents: 2 },
];

export const METRIC_IDS = METRICS.map((m) => m.id) as [string, ...string[]];

export const GRANULARITIES = ["hour", "day", "week", "month"] as const;
export type Granularity = (typeof GRANULARITIES)[number];
