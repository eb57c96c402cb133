import type { AiMode } from "@/lib/ai/prompt";

// The built-in provider: no model, no network. It recognises common questions
// over the catalog (a metric, an optional breakdown, period, granularity and a
// few filters) and answers in the same JSON format a model would, or says
// plainly what it cannot answer. The documented list is in README.md.

type Intent = {
  metric: { id: string; event?: string; label: string };
  breakdown?: string;
  granularity?: "hour" | "day" | "week" | "month";
  range: "last_7_days" | "last_30_days" | "last_90_days" | "this_month";
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

const OUT_OF_SCOPE = /\b(other|all|every|another|each) (customers?|tenants?|companies|accounts|organi[sz]ations|clients)\b|\bcompetitors?\b|\btenants?\b|\btenant_ids?\b/;

function parse(question: string): Intent | { refusal: string } {
  const q = question.toLowerCase().replace(/[?!.,]/g, " ").replace(/\s+/g, " ");
  if (OUT_OF_SCOPE.test(q)) return { refusal: "I can only answer questions about your own data in this dashboard." };
  const metric = METRIC_WORDS.find(([re]) => re.test(q))?.[1];
  if (!metric) return { refusal: "I could not find a metric I know in that question. Try signups, page views, orders, revenue, average order value or unique users." };
  const range = /\b(last|past) (7 days|week)\b|\bthis week\b/.test(q) ? "last_7_days" : /\b(last|past) (90 days|quarter|3 months|three months)\b/.test(q) ? "last_90_days" : /\bthis month\b/.test(q) ? "this_month" : "last_30_days";
  const granularity = /\b(per|by|each|every) hour\b|\bhourly\b/.test(q) ? "hour" : /\b(per|by|each|every) day\b|\bdaily\b|\bover time\b|\btrend\b/.test(q) ? "day" : /\b(per|by|each|every) week\b|\bweekly\b/.test(q) ? "week" : /\b(per|by|each|every) month\b|\bmonthly\b/.test(q) ? "month" : undefined;
  const breakdown = BREAKDOWNS.find(([re]) => re.test(q))?.[1];
  const topMatch = /\btop (\d{1,3})\b/.exec(q);
  const top = topMatch ? Number(topMatch[1]) : /\btop\b|\bmost\b/.test(q) ? 10 : breakdown ? 10 : undefined;
  const filters: Intent["filters"] = [];
  const device = /\bon (mobile|desktop|tablet)\b/.exec(q);
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
    time_range: { kind: i.range },
  };
}

const METRIC_SQL: Record<string, string> = { event_count: "count()", unique_users: "uniqExact(user_id)", value_sum: "sum(value)", value_avg: "avg(value)" };
const RANGE_SQL: Record<Intent["range"], string> = {
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
  const where = [RANGE_SQL[i.range], ...(i.metric.event ? [`name = '${i.metric.event}'`] : []), ...i.filters.map((f) => `properties['${f.field}'] = '${f.value.replace(/[^A-Za-z0-9_-]/g, "")}'`)];
  const select = [...(bucket ? [`${bucket} AS bucket`] : []), ...(dim ? [`${dim} AS dimension`] : []), `${metric} AS total`];
  const group = [...(bucket ? ["bucket"] : []), ...(dim ? ["dimension"] : [])];
  return `SELECT ${select.join(", ")} FROM events WHERE ${where.join(" AND ")}${group.length ? ` GROUP BY ${group.join(", ")}` : ""}${bucket ? " ORDER BY bucket" : dim ? " ORDER BY total DESC" : ""}${dim && !bucket ? ` LIMIT ${i.top ?? 10}` : ""}`;
}

/** Answers like a model would: a JSON text with spec, sql or refusal. */
export function offlineAnswer(question: string, mode: AiMode): string {
  const intent = parse(question);
  if ("refusal" in intent) return JSON.stringify(intent);
  if (mode === "spec") return JSON.stringify({ spec: toSpec(intent) });
  const sql = toSql(intent);
  return JSON.stringify(sql ? { sql } : { refusal: "The offline assistant writes SQL for counts, unique users, sums and averages only." });
}
