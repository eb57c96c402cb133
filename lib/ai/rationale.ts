import { DIMENSIONS, METRICS } from "@/lib/query/catalog";
import type { ChartWidget } from "@/lib/query/widget-spec";

// The customer-facing words for an answer: metric, breakdown, period and
// filters in plain language, written from the validated spec — never the
// model's text, never SQL or table internals. A value the model put in the
// spec (an event name, a filter value) is shown only if it occurs in the
// asker's own data; anything else is "a value not in your data", so a
// hostile model cannot make us print another tenant's id.

export type ValueCheck = (dimension: string, value: string) => boolean;

const RANGE_WORDS: Record<string, string> = { last_7_days: "the last 7 days", last_30_days: "the last 30 days", last_90_days: "the last 90 days", this_month: "this month" };
const NOT_YOURS = "a value not in your data";

function dimensionWords(id: string): string {
  const known = DIMENSIONS.find((d) => d.id === id);
  return known ? known.label.toLowerCase() : "a custom property";
}

export function describeAnswer(spec: ChartWidget, isKnown: ValueCheck): { title: string; rationale: string } {
  const value = (dimension: string, v: string) => (isKnown(dimension, v) ? `"${v}"` : NOT_YOURS);
  const m = spec.metrics[0];
  const label = METRICS.find((d) => d.id === m.id)?.label.toLowerCase() ?? "value";
  const metric =
    m.id === "conversion_rate"
      ? `the share of users with ${value("event", m.from_event!)} events who then had ${value("event", m.to_event!)} events`
      : m.event
        ? `${m.id === "event_count" ? "the number" : label} of ${value("event", m.event)} events`
        : m.id === "event_count" ? "the number of events" : label;
  const extra = spec.metrics.length > 1 ? ` (and ${spec.metrics.length - 1} more measure${spec.metrics.length > 2 ? "s" : ""})` : "";
  const by = spec.breakdown ? `, by ${dimensionWords(spec.breakdown)}${spec.limit ? ` (top ${spec.limit})` : ""}` : "";
  const per = spec.granularity ? `, per ${spec.granularity}` : "";
  const range = spec.time_range.kind === "absolute" ? `from ${spec.time_range.from} to ${spec.time_range.to}` : RANGE_WORDS[spec.time_range.kind];
  const onlyEvent = spec.metrics.length === 1 ? (m.event ?? null) : null;
  const filters = spec.filters.filter((f) => !(f.op === "equals" && f.field === "event" && f.value === onlyEvent)).map((f) => {
    if (f.op === "between") return `value between ${f.min} and ${f.max}`;
    const dim = dimensionWords(f.field);
    if (f.op === "equals") return `${dim} is ${value(f.field, f.value)}`;
    if (f.op === "contains") return `${dim} contains ${value(f.field, f.value)}`;
    const list = f.values.slice(0, 5).map((v) => value(f.field, v)).join(", ") + (f.values.length > 5 ? ` and ${f.values.length - 5} more` : "");
    return `${dim} ${f.op === "in" ? "is one of" : "is not"} ${list}`;
  });
  const rationale = `Showing ${metric}${extra}${by}${per}, over ${range}${filters.length ? `, where ${filters.join(" and ")}` : ""}. Only your own data is included.`;
  const titleMetric = m.event && isKnown("event", m.event) ? `${METRICS.find((d) => d.id === m.id)?.label ?? "Value"} (${m.event})` : METRICS.find((d) => d.id === m.id)?.label ?? "Value";
  const title = `${titleMetric}${spec.breakdown ? ` by ${dimensionWords(spec.breakdown)}` : ""}${spec.granularity ? ` per ${spec.granularity}` : ""}`;
  return { title: title.slice(0, 200), rationale };
}
