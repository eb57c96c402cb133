import { z } from "zod";
import "@/lib/zod-in-the-browser"; // the designer parses these schemas in the browser
import { GRANULARITIES, METRIC_IDS, METRICS, PROPERTY_DIMENSION, VALUE_FIELD, resolveDimension } from "@/lib/query/catalog";

// A widget is a semantic spec, never SQL (custom-SQL widgets are a separate,
// admin-only kind). No tenant field anywhere: the tenant comes from the scope.

const TENANT_WORDS = /^(tenant|tenant_id|property:tenant_id|property:tenant)$/i;

export const DimensionId = z
  .string()
  .min(1)
  .max(110)
  .refine((id) => !TENANT_WORDS.test(id), "the tenant column cannot be used as a dimension: every query is already scoped to one tenant")
  .refine((id) => resolveDimension(id) !== undefined, "unknown dimension (use a catalog dimension such as country, or property:<key>)");

export const FieldId = z.union([z.literal(VALUE_FIELD), DimensionId]);

const Str = z.string().max(1000);

export const Filter = z.discriminatedUnion("op", [
  z.object({ field: DimensionId, op: z.literal("equals"), value: Str }).strict(),
  z.object({ field: DimensionId, op: z.literal("in"), values: z.array(Str).min(1).max(1000) }).strict(),
  z.object({ field: DimensionId, op: z.literal("not_in"), values: z.array(Str).min(1).max(1000) }).strict(),
  z.object({ field: DimensionId, op: z.literal("contains"), value: z.string().min(1).max(200) }).strict(),
  z
    .object({ field: z.literal(VALUE_FIELD), op: z.literal("between"), min: z.number().finite(), max: z.number().finite() })
    .strict()
    .refine((f) => f.min <= f.max, "min must not be greater than max"),
]);
export type Filter = z.infer<typeof Filter>;

const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "expected a date as YYYY-MM-DD");

export const TimeRange = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("last_7_days") }).strict(),
  z.object({ kind: z.literal("last_30_days") }).strict(),
  z.object({ kind: z.literal("last_90_days") }).strict(),
  z.object({ kind: z.literal("this_month") }).strict(),
  z
    .object({ kind: z.literal("absolute"), from: IsoDate, to: IsoDate })
    .strict()
    .refine((r) => r.from <= r.to, "from must not be after to"),
]);
export type TimeRange = z.infer<typeof TimeRange>;

const EventName = z.string().min(1).max(200);

/**
 * How a metric's values read; never changes its SQL. Percent takes a ratio
 * (0.25 reads "25%", as conversion_rate gives it); duration takes seconds
 * (3900 reads "1h 5m"); currency takes an ISO 4217 code. Absent: number.
 */
export const MetricFormat = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("number") }).strict(),
  z.object({ kind: z.literal("currency"), currency: z.string().regex(/^[A-Z]{3}$/, "expected an ISO 4217 currency code of three capital letters, such as EUR") }).strict(),
  z.object({ kind: z.literal("percent") }).strict(),
  z.object({ kind: z.literal("duration") }).strict(),
]);
export type MetricFormat = z.infer<typeof MetricFormat>;
export const METRIC_FORMAT_KINDS = ["number", "currency", "percent", "duration"] as const satisfies readonly MetricFormat["kind"][];

export const MetricRef = z
  .object({
    id: z.enum(METRIC_IDS, "unknown metric"),
    /** Counts only this event (e.g. event_count of signup). */
    event: EventName.optional(),
    /** For conversion_rate: users who did from_event, then to_event. */
    from_event: EventName.optional(),
    to_event: EventName.optional(),
    format: MetricFormat.optional(),
  })
  .strict()
  .superRefine((m, ctx) => {
    const needsPair = METRICS.find((d) => d.id === m.id)?.needsEvents === 2;
    if (needsPair && (!m.from_event || !m.to_event)) ctx.addIssue({ code: "custom", message: `${m.id} needs from_event and to_event` });
    if (!needsPair && (m.from_event || m.to_event)) ctx.addIssue({ code: "custom", message: `${m.id} takes no from_event/to_event` });
  });
export type MetricRef = z.infer<typeof MetricRef>;

export const CHART_TYPES = ["kpi", "line", "area", "bar", "stacked_bar", "pie", "donut", "table"] as const;
export type ChartType = (typeof CHART_TYPES)[number];
export const TIME_SERIES_CHARTS: ChartType[] = ["line", "area", "stacked_bar"];

export const WidgetId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "expected a widget id of 1-64 letters, digits, _ or -");

export const Sort = z.object({ by: z.enum(["metric", "dimension", "time"]), direction: z.enum(["asc", "desc"]) }).strict();

export const ChartWidget = z
  .object({
    kind: z.literal("chart"),
    id: WidgetId,
    title: z.string().min(1).max(200),
    description: z.string().max(1000).optional(),
    chart: z.enum(CHART_TYPES),
    metrics: z.array(MetricRef).min(1).max(5),
    breakdown: DimensionId.optional(),
    filters: z.array(Filter).max(20).default([]),
    time_range: TimeRange.default({ kind: "last_30_days" }),
    granularity: z.enum(GRANULARITIES).optional(),
    limit: z.number().int().min(1).max(1000).optional(),
    sort: Sort.optional(),
  })
  .strict()
  .superRefine((w, ctx) => {
    if ((w.chart === "pie" || w.chart === "donut") && !w.breakdown) ctx.addIssue({ code: "custom", path: ["breakdown"], message: `a ${w.chart} chart needs a breakdown` });
    if (w.chart === "kpi" && (w.breakdown || w.granularity)) ctx.addIssue({ code: "custom", path: ["chart"], message: "a KPI has no breakdown or granularity" });
    if (w.chart === "kpi" && w.metrics.length > 1) ctx.addIssue({ code: "custom", path: ["metrics"], message: "a KPI shows one metric" });
  });
export type ChartWidget = z.infer<typeof ChartWidget>;

export const SqlWidget = z
  .object({
    kind: z.literal("sql"),
    id: WidgetId,
    title: z.string().min(1).max(200),
    description: z.string().max(1000).optional(),
    chart: z.enum(CHART_TYPES),
    sql: z.string().min(1).max(20_000),
    /** No period applies (the SQL picks its own); refused in sessions with max_date_range_days. Default false. */
    all_time: z.boolean().optional(),
  })
  .strict();
export type SqlWidget = z.infer<typeof SqlWidget>;

export const Widget = z.discriminatedUnion("kind", [ChartWidget, SqlWidget]);
export type Widget = z.infer<typeof Widget>;
export type WidgetInput = z.input<typeof Widget>;

/** What an end user may change at run time: dashboard filters and drill-down. Strict: no tenant. */
export const FilterState = z
  .object({
    time_range: TimeRange.optional(),
    filters: z.array(Filter).max(20).optional(),
    breakdown: DimensionId.optional(),
    /** Time series also show the period before, bucket by bucket (dropped when the date bound would not allow reading it). */
    compare: z.boolean().optional(),
  })
  .strict();
export type FilterState = z.infer<typeof FilterState>;

export { PROPERTY_DIMENSION };
