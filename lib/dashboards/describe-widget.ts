import { EMPTY_VALUE, METRICS, resolveDimension } from "@/lib/query/catalog";
import type { MetricFormat, Widget } from "@/lib/query/widget-spec";

// The client-safe description of a widget (no SQL, no spec internals), shared
// by the embed and the designer's preview so both render the same way.

export type WidgetView = {
  id: string;
  title: string;
  description?: string;
  chart: Widget["chart"];
  kind: Widget["kind"];
  metricLabels: string[];
  /** Each metric's format, by index (m0, m1…); absent when every metric is a plain number. */
  metricFormats?: (MetricFormat | null)[];
  breakdown?: { id: string; label: string };
  /** A KPI's value over no rows (0 for counts, else null): shown with the same "No data" words as an empty chart. */
  emptyValue?: 0 | null;
  /** A time series' bucket size, for dates at that granularity. */
  granularity?: "hour" | "day" | "week" | "month";
  drillable: boolean;
  /** A custom-SQL widget over all time: no dashboard period applies to it. */
  allTime?: boolean;
};

export function describeWidget(widget: Widget, allowDrillDown = true): WidgetView {
  const label = (id: string) => resolveDimension(id)?.label ?? id;
  if (widget.kind === "sql") return { id: widget.id, title: widget.title, description: widget.description, chart: widget.chart, kind: "sql", metricLabels: [], drillable: false, ...(widget.all_time ? { allTime: true } : {}) };
  return {
    id: widget.id,
    title: widget.title,
    description: widget.description,
    chart: widget.chart,
    kind: "chart",
    metricLabels: widget.metrics.map((m) => `${METRICS.find((d) => d.id === m.id)?.label ?? m.id}${m.event ? ` (${m.event})` : ""}`),
    ...(widget.metrics.some((m) => m.format && m.format.kind !== "number") ? { metricFormats: widget.metrics.map((m) => m.format ?? null) } : {}),
    breakdown: widget.breakdown ? { id: widget.breakdown, label: label(widget.breakdown) } : undefined,
    ...(widget.chart === "kpi" ? { emptyValue: EMPTY_VALUE[widget.metrics[0].id] ?? null } : {}),
    ...(widget.granularity ? { granularity: widget.granularity } : {}),
    drillable: Boolean(widget.breakdown) && allowDrillDown,
  };
}
