import { MONTH_NAMES } from "@/components/dashboard/render/format";
import { DIMENSIONS } from "@/lib/query/catalog";
import type { ChartWidget } from "@/lib/query/widget-spec";

// The customer-facing words for an answer: metric, breakdown, period and
// filters in plain language, written from the validated spec — never the
// model's text, never SQL or table internals. A value the model put in the
// spec (an event name, a filter value) is shown only if it occurs in the
// asker's own data; anything else is "a kind not in your data", so a
// hostile model cannot make us print another tenant's id.

export type ValueCheck = (dimension: string, value: string) => boolean;
type Metric = ChartWidget["metrics"][number];

const RANGE_WORDS: Record<string, string> = { last_7_days: "the last 7 days", last_30_days: "the last 30 days", last_90_days: "the last 90 days", this_month: "this month" };

/** "order_completed" → "order completed": an event name as words. */
const eventWords = (name: string) => name.replace(/[_\-.]+/g, " ").replace(/\s+/g, " ").trim();

function dimensionWords(id: string): string {
  const known = DIMENSIONS.find((d) => d.id === id);
  if (known) return known.label.toLowerCase();
  return id.startsWith("property:") ? "a custom property" : "a field";
}

/** What events a metric counts, in words: `order completed events`, or `events of a kind not in your data`. */
function eventsWords(event: string, isKnown: ValueCheck): string {
  return isKnown("event", event) ? `${eventWords(event)} events` : "events of a kind not in your data";
}

/** A metric in plain words, as a phrase ("the number of signup events") and as a label ("Signup events"). */
export function metricWords(m: Metric, isKnown: ValueCheck): { phrase: string; label: string } {
  const events = m.event ? eventsWords(m.event, isKnown) : "events";
  const of = m.event ? ` of ${events}` : "";
  switch (m.id) {
    case "event_count":
      return { phrase: `the number of ${events}`, label: capital(events) };
    case "unique_users":
      return { phrase: `the number of different users${m.event ? ` with ${events}` : ""}`, label: `Users${m.event ? ` with ${events}` : ""}` };
    case "value_sum":
      return { phrase: `the total value${of}`, label: `Total value${of}` };
    case "value_avg":
      return { phrase: `the average value${of}`, label: `Average value${of}` };
    case "value_min":
      return { phrase: `the smallest value${of}`, label: `Smallest value${of}` };
    case "value_max":
      return { phrase: `the largest value${of}`, label: `Largest value${of}` };
    case "value_p50":
      return { phrase: `the median value${of}`, label: `Median value${of}` };
    case "value_p90":
    case "value_p95":
    case "value_p99": {
      const p = m.id.slice(-2);
      return { phrase: `the value${of} that ${p}% of them stay under`, label: `${p}th percentile value${of}` };
    }
    case "conversion_rate": {
      const from = m.from_event ? eventsWords(m.from_event, isKnown) : "a first event";
      const to = m.to_event ? eventsWords(m.to_event, isKnown) : "a second event";
      return { phrase: `the share of users with ${from} who then had ${to}`, label: `Conversion from ${from} to ${to}` };
    }
    default:
      return { phrase: "a measure", label: "Value" };
  }
}

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** "2026-10-01".."2026-10-31" → "October 2026"; one day → "29 November 2026"; else "23 to 29 November 2026". */
export function periodWords(range: ChartWidget["time_range"]): string {
  if (range.kind !== "absolute") return RANGE_WORDS[range.kind];
  const [fy, fm, fd] = range.from.split("-").map(Number);
  const [ty, tm, td] = range.to.split("-").map(Number);
  const day = (y: number, m: number, d: number, withYear = true) => `${d} ${MONTH_NAMES[m - 1]}${withYear ? ` ${y}` : ""}`;
  const lastOfMonth = new Date(Date.UTC(ty, tm, 0)).getUTCDate();
  if (fy === ty && fm === tm && fd === 1 && td === lastOfMonth) return `in ${MONTH_NAMES[fm - 1]} ${fy}`;
  if (fy === ty && fm === tm && fd === td) return `on ${day(fy, fm, fd)}`;
  if (fy === ty && fm === tm) return `from ${fd} to ${day(ty, tm, td)}`;
  return `from ${day(fy, fm, fd, fy !== ty)} to ${day(ty, tm, td)}`;
}

export function describeAnswer(spec: ChartWidget, isKnown: ValueCheck): { title: string; rationale: string } {
  const value = (dimension: string, v: string) => (isKnown(dimension, v) ? `"${v}"` : "a value not in your data");
  const m = spec.metrics[0];
  const words = metricWords(m, isKnown);
  const extra = spec.metrics.length > 1 ? ` (and ${spec.metrics.length - 1} more measure${spec.metrics.length > 2 ? "s" : ""})` : "";
  const by = spec.breakdown ? `, by ${dimensionWords(spec.breakdown)}${spec.limit ? ` (top ${spec.limit})` : ""}` : "";
  const per = spec.granularity ? `, per ${spec.granularity}` : "";
  const period = periodWords(spec.time_range);
  const range = spec.time_range.kind === "absolute" ? period : `over ${period}`;
  const onlyEvent = spec.metrics.length === 1 ? (m.event ?? null) : null;
  const filters = spec.filters.filter((f) => !(f.op === "equals" && f.field === "event" && f.value === onlyEvent)).map((f) => {
    if (f.op === "between") return `the value is between ${f.min} and ${f.max}`;
    const dim = dimensionWords(f.field);
    if (f.op === "equals") return `${dim} is ${value(f.field, f.value)}`;
    if (f.op === "contains") return `${dim} contains ${value(f.field, f.value)}`;
    const list = f.values.slice(0, 5).map((v) => value(f.field, v)).join(", ") + (f.values.length > 5 ? ` and ${f.values.length - 5} more` : "");
    return `${dim} ${f.op === "in" ? "is one of" : "is not"} ${list}`;
  });
  const rationale = `Showing ${words.phrase}${extra}${by}${per}, ${range}${filters.length ? `, where ${filters.join(" and ")}` : ""}. Only your own data is included.`;
  const title = `${words.label}${spec.breakdown ? ` by ${dimensionWords(spec.breakdown)}` : ""}${spec.granularity ? ` per ${spec.granularity}` : ""}`;
  return { title: title.slice(0, 200), rationale };
}
