import { isoDay, type AiMode, type AskContext } from "@/lib/ai/prompt";
import { MONTH_NAMES } from "@/components/dashboard/render/format";

// The built-in provider: no model, no network. It recognises common questions
// over the catalog (a metric, an optional breakdown, period, granularity and a
// few filters) and answers in the same JSON format a model would, or says
// plainly what it cannot answer. The documented list is in README.md.

type Preset = "last_7_days" | "last_30_days" | "last_90_days" | "this_month";
type Range = { kind: Preset } | { kind: "absolute"; from: string; to: string };

type Intent = {
  metric: { id: string; event?: string; label: string };
  breakdown?: string;
  granularity?: "hour" | "day" | "week" | "month";
  range: Range;
  top?: number;
  filters: { field: string; value: string }[];
};

const METRIC_WORDS: Array<[RegExp, Intent["metric"]]> = [
  [/\b(average|avg|mean) order( value)?\b|\baov\b/, { id: "value_avg", event: "order_completed", label: "average order value" }],
  [/\b(revenue|sales|order value|income|turnover)\b/, { id: "value_sum", event: "order_completed", label: "revenue" }],
  [/\bconversion\b/, { id: "conversion_rate", label: "conversion from signup to order" }],
  [/\borders?\b|\bpurchases?\b/, { id: "event_count", event: "order_completed", label: "orders" }],
  [/\bsign[- ]?ups?\b|\bregistrations?\b|\bnew users\b/, { id: "event_count", event: "signup", label: "signups" }],
  [/\bpage ?views?\b|\bpages?\b|\btraffic\b|\bvisits\b/, { id: "event_count", event: "page_view", label: "page views" }],
  [/\b(unique|active|distinct) users\b|\busers\b/, { id: "unique_users", label: "unique users" }],
  [/\bevents?\b|\bactivity\b/, { id: "event_count", label: "events" }],
];

const BREAKDOWNS: Array<[RegExp, string]> = [
  [/\b(by|per|for each|across|which) countr(y|ies)\b|\bcountries\b/, "country"],
  [/\b(by|per|for each|which) plans?\b|\bplans\b/, "plan"],
  [/\b(by|per|for each|which) devices?\b|\bdevices\b/, "device"],
  [/\btop pages\b|\b(by|per|for each|which) pages?\b|\bmost (viewed|visited) pages\b/, "page"],
  [/\b(by|per|for each) event( name| type)?s?\b/, "event"],
];

const MONTHS = MONTH_NAMES.map((name) => name.toLowerCase());

/**
 * The period a question names. "Last 7/30/90 days" and "past week/month" are
 * rolling; "last month", "last week", "yesterday", "today", "this week",
 * "this/last year" and a month's name are calendar periods in the dashboard's
 * time zone (weeks start on Monday). Without a named period: the last 30 days.
 */
function parseRange(q: string, context?: AskContext): Range {
  if (/\b(last|past) 7 days\b|\bpast week\b/.test(q)) return { kind: "last_7_days" };
  if (/\b(last|past) (90 days|quarter|3 months|three months)\b/.test(q)) return { kind: "last_90_days" };
  if (/\b(last|past) 30 days\b|\bpast month\b/.test(q)) return { kind: "last_30_days" };
  if (/\bthis month\b/.test(q)) return { kind: "this_month" };
  if (!context) return { kind: "last_30_days" };
  const { y, m, d, weekday } = context.today;
  const days = (from: [number, number, number], to: [number, number, number]): Range => ({ kind: "absolute", from: isoDay(...from), to: isoDay(...to) });
  const sinceMonday = (weekday + 6) % 7;
  if (/\b(last|previous) month\b/.test(q)) return days([y, m - 1, 1], [y, m, 0]);
  if (/\b(last|previous) week\b/.test(q)) return days([y, m, d - sinceMonday - 7], [y, m, d - sinceMonday - 1]);
  if (/\bthis week\b/.test(q)) return days([y, m, d - sinceMonday], [y, m, d]);
  if (/\byesterday\b/.test(q)) return days([y, m, d - 1], [y, m, d - 1]);
  if (/\btoday\b/.test(q)) return days([y, m, d], [y, m, d]);
  if (/\b(last|previous) year\b/.test(q)) return days([y - 1, 1, 1], [y - 1, 12, 31]);
  if (/\bthis year\b|\bso far this year\b|\bytd\b/.test(q)) return days([y, 1, 1], [y, m, d]);
  const named = new RegExp(`\\bin (${MONTHS.join("|")})(?: (\\d{4}))?\\b`).exec(q);
  if (named) {
    const month = MONTHS.indexOf(named[1]) + 1;
    // "in October": the latest October that has begun.
    const year = named[2] ? Number(named[2]) : month <= m ? y : y - 1;
    return days([year, month, 1], [year, month + 1, 0]);
  }
  return { kind: "last_30_days" };
}

function parse(question: string, context?: AskContext): Intent | { refusal: string } {
  const q = question.toLowerCase().replace(/[?!.,]/g, " ").replace(/\s+/g, " ");
  const metric = METRIC_WORDS.find(([re]) => re.test(q))?.[1];
  if (!metric) return { refusal: "I could not find a metric I know in that question. Try signups, page views, orders, revenue, average order value or unique users." };
  const range = parseRange(q, context);
  const granularity = /\b(per|by|each|every) hour\b|\bhourly\b/.test(q) ? "hour" : /\b(per|by|each|every) day\b|\bdaily\b|\bover time\b|\btrend\b/.test(q) ? "day" : /\b(per|by|each|every) week\b|\bweekly\b/.test(q) ? "week" : /\b(per|by|each|every) month\b|\bmonthly\b/.test(q) ? "month" : undefined;
  const breakdown = BREAKDOWNS.find(([re]) => re.test(q))?.[1];
  const topMatch = /\btop (\d{1,3})\b/.exec(q);
  const top = topMatch ? Number(topMatch[1]) : /\btop\b|\bmost\b/.test(q) ? 10 : breakdown ? 10 : undefined;
  const filters: Intent["filters"] = [];
  const device = /\b(?:on|for|from) (mobile|desktop|tablet)\b/.exec(q);
  if (device) filters.push({ field: "device", value: device[1] });
  const plan = /\b(free|pro|enterprise|starter|team) plan\b/.exec(q);
  if (plan && breakdown !== "plan") filters.push({ field: "plan", value: plan[1] });
  const country = /\bin ([A-Z]{2})\b/.exec(question);
  if (country && breakdown !== "country") filters.push({ field: "country", value: country[1] });
  return { metric, breakdown, granularity, range, top, filters };
}

function toSpec(i: Intent) {
  const metric = i.metric.id === "conversion_rate" ? { id: "conversion_rate", from_event: "signup", to_event: "order_completed" } : { id: i.metric.id, ...(i.metric.event ? { event: i.metric.event } : {}) };
  const chart = i.granularity ? (i.breakdown ? "stacked_bar" : "line") : i.breakdown ? (i.breakdown === "page" ? "table" : "bar") : "kpi";
  return {
    chart,
    metrics: [metric],
    ...(i.breakdown ? { breakdown: i.breakdown, limit: i.top ?? 10 } : {}),
    ...(i.granularity ? { granularity: i.granularity } : {}),
    // With a breakdown, only the metric's event is grouped (no empty groups from other events).
    filters: [...(i.breakdown && i.breakdown !== "event" && i.metric.event ? [{ field: "event", op: "equals", value: i.metric.event }] : []), ...i.filters.map((f) => ({ field: f.field, op: "equals", value: f.value }))],
    time_range: i.range,
  };
}

const METRIC_SQL: Record<string, string> = { event_count: "count()", unique_users: "uniqExact(user_id)", value_sum: "sum(value)", value_avg: "avg(value)" };
const RANGE_SQL: Record<Preset, string> = {
  last_7_days: "ts >= today() - 6",
  last_30_days: "ts >= today() - 29",
  last_90_days: "ts >= today() - 89",
  this_month: "ts >= toStartOfMonth(today())",
};

function toSql(i: Intent): string | undefined {
  const metric = METRIC_SQL[i.metric.id];
  if (!metric) return undefined;
  const dim = i.breakdown === "event" ? "name" : i.breakdown ? `properties['${i.breakdown}']` : undefined;
  const bucket = i.granularity ? { hour: "toStartOfHour(ts)", day: "toStartOfDay(ts)", week: "toMonday(ts)", month: "toStartOfMonth(ts)" }[i.granularity] : undefined;
  const range = i.range.kind === "absolute" ? `toDate(ts) BETWEEN '${i.range.from}' AND '${i.range.to}'` : RANGE_SQL[i.range.kind];
  const where = [range, ...(i.metric.event ? [`name = '${i.metric.event}'`] : []), ...i.filters.map((f) => `properties['${f.field}'] = '${f.value.replace(/[^A-Za-z0-9_-]/g, "")}'`)];
  const select = [...(bucket ? [`${bucket} AS bucket`] : []), ...(dim ? [`${dim} AS dimension`] : []), `${metric} AS total`];
  const group = [...(bucket ? ["bucket"] : []), ...(dim ? ["dimension"] : [])];
  return `SELECT ${select.join(", ")} FROM events WHERE ${where.join(" AND ")}${group.length ? ` GROUP BY ${group.join(", ")}` : ""}${bucket ? " ORDER BY bucket" : dim ? " ORDER BY total DESC" : ""}${dim && !bucket ? ` LIMIT ${i.top ?? 10}` : ""}`;
}

/** Answers like a model would: a JSON text with spec, sql or refusal. */
export function offlineAnswer(question: string, mode: AiMode, context?: AskContext): string {
  const intent = parse(question, context);
  if ("refusal" in intent) return JSON.stringify(intent);
  if (mode === "spec") return JSON.stringify({ spec: toSpec(intent) });
  const sql = toSql(intent);
  return JSON.stringify(sql ? { sql } : { refusal: "The offline assistant writes SQL for counts, unique users, sums and averages only." });
}
