import type { WidgetView } from "@/lib/dashboards/describe-widget";
import { DEFAULT_LOCALE, t } from "@/lib/embed/messages";
import { formatBucket, formatBucketLabel, formatCount, formatValue, toNumber, type ValueFormat } from "./format";
import { previousPeriod, type PreviousPeriod } from "./previous-period";

// Turns a widget's rows into categories × series, the one shape every chart
// draws from. Chart widgets use the compiler's columns (bucket, dimension,
// m0…); a time series with a breakdown becomes one series per breakdown
// value; custom-SQL widgets use their first column as the label and their
// numeric columns as series.

export type Row = Record<string, unknown>;

export type Series = { name: string; values: (number | null)[]; /** Its metric's format (number when absent). */ format?: ValueFormat };

export type ChartData = {
  /** Category labels as shown (day buckets without " 00:00:00"). */
  labels: string[];
  /** Category labels in tooltips: a time bucket at the chart's granularity ("Week of 6 Apr 2026"). */
  tipLabels: string[];
  /** The raw category values, for drilling; null where the row had none. */
  keys: (string | null)[];
  series: Series[];
  /** What the categories are, for the chart's summary: "period", the breakdown's label, or the SQL column. */
  axis: string;
  timeSeries: boolean;
  /** The viewer's locale: labels, tooltips and ticks read in it. */
  locale: string;
  /** The format every series shares, for the y axis (a plain number when they differ). */
  valueFormat?: ValueFormat;
  /** Set when categories or series were cut, saying what is shown. */
  note?: string;
  /** A compared time series: the period before, bucket by bucket (previous-period.ts). */
  previous?: PreviousPeriod;
};

export type ChartLimits = { maxCategories: number; maxSeries: number; /** Default "en". */ locale?: string };

/** Numeric columns of custom-SQL rows: at least one number and nothing else but nulls. */
function numericColumns(rows: readonly Row[], columns: string[]): string[] {
  return columns.filter((c) => {
    let seen = false;
    for (const r of rows) {
      const v = r[c];
      if (typeof v === "number") seen = true;
      else if (v !== null && v !== undefined) return false;
    }
    return seen;
  });
}

const rawKey = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));

function pivot(rows: readonly Row[]): { keys: (string | null)[]; series: Series[] } {
  const buckets = new Map<string, number>();
  const keys: string[] = [];
  const byDimension = new Map<string, Series>();
  for (const r of rows) {
    const bucket = String(r.bucket);
    let i = buckets.get(bucket);
    if (i === undefined) {
      i = keys.length;
      buckets.set(bucket, i);
      keys.push(bucket);
    }
    const name = formatValue(r.dimension);
    let s = byDimension.get(name);
    if (!s) byDimension.set(name, (s = { name, values: [] }));
    s.values[i] = toNumber(r.m0);
  }
  // Buckets a dimension has no row for are gaps, not zeros (and not holes in the array).
  const series = [...byDimension.values()].map((s) => ({ name: s.name, values: Array.from({ length: keys.length }, (_, i) => s.values[i] ?? null) }));
  return { keys, series };
}

const sameFormat = (a: ValueFormat, b: ValueFormat) => (a?.kind ?? "number") === (b?.kind ?? "number") && (a?.kind !== "currency" || (b?.kind === "currency" && a.currency === b.currency));

function cut<T>(items: readonly T[], max: number, keepLast: boolean): T[] {
  if (items.length <= max) return items as T[];
  return keepLast ? items.slice(items.length - max) : items.slice(0, max);
}

export function toChartData(widget: WidgetView, rows: readonly Row[], limits: ChartLimits): ChartData {
  const first = rows[0] ?? {};
  const timeSeries = widget.kind === "chart" && "bucket" in first;
  let keys: (string | null)[];
  let series: Series[];
  let total: number;

  if (timeSeries && "dimension" in first) {
    ({ keys, series } = pivot(rows));
    total = keys.length;
    keys = cut(keys, limits.maxCategories, true);
    // A breakdown over time is one metric (m0) in as many series as values.
    const format = widget.metricFormats?.[0];
    series = series.map((s) => ({ name: s.name, values: cut(s.values, limits.maxCategories, true), ...(format ? { format } : {}) }));
  } else {
    const labelColumn = widget.kind === "sql" ? Object.keys(first)[0] : timeSeries ? "bucket" : "dimension";
    const shown = cut(rows, limits.maxCategories, timeSeries);
    total = rows.length;
    keys = shown.map((r) => rawKey(labelColumn === undefined ? undefined : r[labelColumn]));
    const columns: { key: string; label: string; format?: ValueFormat }[] =
      widget.kind === "sql"
        ? numericColumns(shown, Object.keys(first).slice(1)).map((c) => ({ key: c, label: c }))
        : widget.metricLabels.map((label, i) => ({ key: `m${i}`, label, format: widget.metricFormats?.[i] }));
    series = columns.map((c) => ({ name: c.label, values: shown.map((r) => toNumber(r[c.key])), ...(c.format ? { format: c.format } : {}) }));
  }

  const locale = limits.locale ?? DEFAULT_LOCALE;
  const notes: string[] = [];
  if (keys.length < total) notes.push(t(locale, timeSeries ? "chart.showing_last_periods" : "chart.showing_first_rows", { shown: formatCount(keys.length, locale), total: formatCount(total, locale) }));
  if (series.length > limits.maxSeries) {
    notes.push(t(locale, "chart.showing_series", { shown: formatCount(limits.maxSeries, locale), total: formatCount(series.length, locale) }));
    series = series.slice(0, limits.maxSeries);
  }
  const axis = widget.kind === "sql" ? (Object.keys(first)[0] ?? "label") : timeSeries ? t(locale, "summary.axis_period") : (widget.breakdown?.label ?? t(locale, "summary.axis_value"));
  const granularity = timeSeries && widget.kind === "chart" ? widget.granularity : undefined;
  const previous = timeSeries ? previousPeriod(widget, rows, limits.maxCategories, locale) : undefined;
  const valueFormat = series.length > 0 && series.every((s) => sameFormat(s.format, series[0].format)) ? series[0].format : undefined;
  return { labels: keys.map((k) => formatBucketLabel(k, locale)), tipLabels: keys.map((k) => formatBucket(k, granularity, locale)), keys, series, axis, timeSeries, locale, ...(valueFormat ? { valueFormat } : {}), note: notes.length ? notes.join(" ") : undefined, ...(previous ? { previous } : {}) };
}
