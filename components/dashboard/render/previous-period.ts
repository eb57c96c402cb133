import type { WidgetView } from "@/lib/dashboards/describe-widget";
import { colour } from "./axes";
import type { Row, Series } from "./chart-data";
import { DEFAULT_LOCALE, t } from "@/lib/embed/messages";
import { formatBucket, formatValue, toNumber } from "./format";
import { html, joinHtml, type Html } from "./html";

// "Compare to previous period" as drawn: a time series' rows carry the
// period before beside each bucket (m0_previous…, bucket_previous; see
// lib/query/compare-periods.ts). Each metric gets a dashed line of its own
// colour, bucket i of the period before at bucket i of the period shown, and
// a legend entry and tooltip line saying "(previous period)".

export type PreviousPeriod = {
  /** Per metric, named "<metric> (previous period)", in the metric's format. */
  series: Series[];
  metricLabels: string[];
  locale: string;
  /** The previous period's bucket at each category, as tooltips show dates. */
  tipLabels: string[];
};


/** The previous period of a compared time series (cut as its categories are: the last `max`), or undefined. */
export function previousPeriod(widget: WidgetView, rows: readonly Row[], maxCategories: number, locale = DEFAULT_LOCALE): PreviousPeriod | undefined {
  const first = rows[0];
  if (widget.kind !== "chart" || !first || !("bucket" in first) || !("m0_previous" in first) || "dimension" in first) return undefined;
  const shown = rows.length > maxCategories ? rows.slice(rows.length - maxCategories) : rows;
  return {
    series: widget.metricLabels.map((label, i) => {
      const format = widget.metricFormats?.[i];
      return { name: t(locale, "chart.previous_period", { label }), values: shown.map((r) => toNumber(r[`m${i}_previous`])), ...(format ? { format } : {}) };
    }),
    metricLabels: widget.metricLabels,
    locale,
    tipLabels: shown.map((r) => (r.bucket_previous === null || r.bucket_previous === undefined ? "—" : formatBucket(String(r.bucket_previous), widget.granularity, locale))),
  };
}

/** Tooltip lines of category i: each metric's value in the period before, with its date. */
export function previousTip(previous: PreviousPeriod | undefined, i: number): string {
  if (!previous) return "";
  let tip = "";
  previous.series.forEach((s, m) => {
    const label = t(previous.locale, "chart.previous_period_at", { label: previous.metricLabels[m], date: previous.tipLabels[i] });
    tip += `\n${label}: ${formatValue(s.values[i], { format: s.format, locale: previous.locale })}`;
  });
  return tip;
}

/** The values as drawn: stacked among themselves when the chart stacks its current series. */
export function previousLines(previous: PreviousPeriod, stacked: boolean): (number | null)[][] {
  if (!stacked) return previous.series.map((s) => s.values);
  const sums = previous.series[0]?.values.map(() => 0) ?? [];
  return previous.series.map((s) => s.values.map((v, i) => (v === null ? null : (sums[i] += v))));
}

/** The value extent widened to hold the previous period's lines. */
export function withPrevious(extent: [number, number], lines: (number | null)[][]): [number, number] {
  let [lo, hi] = extent;
  for (const values of lines) for (const v of values) if (v !== null) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
  return [lo, hi];
}

const round1 = (v: number) => Math.round(v * 10) / 10;

/** One dashed path per metric, at the categories' x positions. */
export function previousMarks(lines: (number | null)[][], xs: readonly number[], y: (v: number) => number): Html {
  return joinHtml(
    lines.map((values, s) => {
      let d = "";
      let open = false;
      values.forEach((v, i) => {
        if (v === null || xs[i] === undefined) return void (open = false);
        d += `${open ? "L" : "M"}${xs[i]},${round1(y(v))}`;
        open = true;
      });
      return html`<path class="line previous ${colour(s)}" d="${d}" vector-effect="non-scaling-stroke" data-testid="previous-period"/>`;
    }),
  );
}
