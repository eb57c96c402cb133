import type { DashboardDefinition } from "@/lib/dashboards/definition";
import { METRICS, resolveDimension } from "@/lib/query/catalog";
import type { Filter, MetricRef, TimeRange, Widget } from "@/lib/query/widget-spec";

// What changed between two dashboard definitions, in words an admin reads:
// each changed field of each widget as its old and its new value ("Chart type:
// Bar → Line", "Period: Last 30 days → Last 7 days"), widgets added and
// removed, and the dashboard's own settings.

/** One field's change; `code` when the values are SQL (shown as code, not prose). */
export type FieldChange = { field: string; from: string; to: string; code?: boolean };

export type DefinitionDiff = {
  added: { id: string; title: string; summary: string }[];
  removed: { id: string; title: string }[];
  changed: { id: string; title: string; changes: FieldChange[] }[];
  dashboard: FieldChange[];
};

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

const CHART_LABEL: Record<Widget["chart"], string> = { kpi: "KPI", line: "Line", area: "Area", bar: "Bar", stacked_bar: "Stacked bar", pie: "Pie", donut: "Donut", table: "Table" };
const RANGE_LABEL: Record<Exclude<TimeRange["kind"], "absolute">, string> = { last_7_days: "Last 7 days", last_30_days: "Last 30 days", last_90_days: "Last 90 days", this_month: "This month" };

const dimension = (id: string | undefined) => (id ? (resolveDimension(id)?.label ?? id) : "none");

export function describeRange(range: TimeRange | undefined): string {
  if (!range) return RANGE_LABEL.last_30_days;
  return range.kind === "absolute" ? `${range.from} to ${range.to}` : RANGE_LABEL[range.kind];
}

function describeMetric(m: MetricRef): string {
  const label = METRICS.find((d) => d.id === m.id)?.label ?? m.id;
  const events = m.event ? ` of ${m.event}` : m.from_event ? ` from ${m.from_event} to ${m.to_event}` : "";
  const format = !m.format || m.format.kind === "number" ? "" : m.format.kind === "currency" ? ` in ${m.format.currency}` : ` as ${m.format.kind}`;
  return `${label}${events}${format}`;
}

function describeFilter(f: Filter): string {
  const field = f.field === "value" ? "value" : dimension(f.field);
  switch (f.op) {
    case "equals":
      return `${field} is ${f.value}`;
    case "in":
      return `${field} is one of ${f.values.join(", ")}`;
    case "not_in":
      return `${field} is none of ${f.values.join(", ")}`;
    case "contains":
      return `${field} contains "${f.value}"`;
    case "between":
      return `${field} between ${f.min} and ${f.max}`;
  }
}

const list = (items: string[]) => (items.length ? items.join("; ") : "none");

type Described = { field: string; value: string; code?: boolean };

/** Each field of a widget, in words, keyed by the spec field it reads. */
function widgetFields(w: Widget): Record<string, Described> {
  const common: Record<string, Described> = {
    kind: { field: "Kind", value: w.kind === "sql" ? "custom SQL" : "chart from the catalog" },
    title: { field: "Title", value: `"${w.title}"` },
    description: { field: "Description", value: w.description ? `"${w.description}"` : "none" },
    chart: { field: "Chart type", value: CHART_LABEL[w.chart] },
  };
  if (w.kind === "sql") {
    return { ...common, sql: { field: "SQL", value: w.sql, code: true }, all_time: { field: "Period", value: w.all_time ? "all time" : "the dashboard's period" } };
  }
  return {
    ...common,
    metrics: { field: w.metrics.length === 1 ? "Metric" : "Metrics", value: w.metrics.map(describeMetric).join(", ") },
    breakdown: { field: "Breakdown", value: dimension(w.breakdown) },
    filters: { field: "Filters", value: list(w.filters.map(describeFilter)) },
    time_range: { field: "Period", value: describeRange(w.time_range) },
    granularity: { field: "Granularity", value: w.granularity ?? "automatic" },
    limit: { field: "Top", value: w.limit ? `top ${w.limit}` : "no limit" },
    sort: { field: "Sort", value: w.sort ? `by ${w.sort.by}, ${w.sort.direction === "asc" ? "ascending" : "descending"}` : "default" },
  };
}

function placement(layout: DashboardDefinition["layout"], id: string): string {
  const l = layout.find((x) => x.widget_id === id);
  return l ? `column ${l.x + 1}, row ${l.y + 1}, ${l.w} wide × ${l.h} tall` : "placed automatically";
}

/** A widget in one line, for "added". */
export function summarizeWidget(w: Widget): string {
  if (w.kind === "sql") return `${CHART_LABEL[w.chart]} from custom SQL`;
  return `${CHART_LABEL[w.chart]} of ${w.metrics.map(describeMetric).join(", ")}${w.breakdown ? ` by ${dimension(w.breakdown)}` : ""}, ${describeRange(w.time_range).toLowerCase()}`;
}

function widgetChanges(old: Widget, now: Widget, from: DashboardDefinition, to: DashboardDefinition): FieldChange[] {
  const before = widgetFields(old);
  const after = widgetFields(now);
  const changes: FieldChange[] = [];
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const a = before[key];
    const b = after[key];
    // Compared in words: a default written out (filters: []) and one left out read the same.
    if (a?.value === b?.value) continue;
    changes.push({ field: (b ?? a).field, from: a?.value ?? "—", to: b?.value ?? "—", ...((a ?? b).code ? { code: true } : {}) });
  }
  const was = placement(from.layout, old.id);
  const is = placement(to.layout, now.id);
  if (was !== is) changes.push({ field: "Position and size", from: was, to: is });
  return changes;
}

function endUserFilters(d: DashboardDefinition): string {
  return list(d.filters.map((f) => (f.kind === "date_range" ? `period (default ${describeRange(f.default).toLowerCase()})` : (f.label ?? dimension(f.dimension)))));
}

export function diffDefinitions(from: DashboardDefinition, to: DashboardDefinition): DefinitionDiff {
  const before = new Map(from.widgets.map((w) => [w.id, w]));
  const after = new Map(to.widgets.map((w) => [w.id, w]));
  const added = to.widgets.filter((w) => !before.has(w.id)).map((w) => ({ id: w.id, title: w.title, summary: summarizeWidget(w) }));
  const removed = from.widgets.filter((w) => !after.has(w.id)).map((w) => ({ id: w.id, title: w.title }));
  const changed: DefinitionDiff["changed"] = [];
  for (const w of to.widgets) {
    const old = before.get(w.id);
    if (!old) continue;
    const changes = widgetChanges(old, w, from, to);
    if (changes.length) changed.push({ id: w.id, title: w.title, changes });
  }
  const dashboard: FieldChange[] = [];
  if (from.timezone !== to.timezone) dashboard.push({ field: "Time zone", from: from.timezone, to: to.timezone });
  const filtersFrom = endUserFilters(from);
  const filtersTo = endUserFilters(to);
  if (filtersFrom !== filtersTo) dashboard.push({ field: "End users may change", from: filtersFrom, to: filtersTo });
  const orderFrom = from.widgets.map((w) => w.id).filter((id) => after.has(id));
  const orderTo = to.widgets.map((w) => w.id).filter((id) => before.has(id));
  if (!same(orderFrom, orderTo)) dashboard.push({ field: "Widget order", from: orderFrom.map((id) => before.get(id)!.title).join(", "), to: orderTo.map((id) => after.get(id)!.title).join(", ") });
  return { added, removed, changed, dashboard };
}

export function isEmptyDiff(d: DefinitionDiff): boolean {
  return d.added.length + d.removed.length + d.changed.length + d.dashboard.length === 0;
}
