import { t, type MessageKey } from "@/lib/embed/messages";
import type { ChartData } from "./chart-data";
import { formatCount } from "./format";

// The sentence a screen reader hears for a chart (its aria-label), in the viewer's language.

const NAMES: Record<string, MessageKey> = { line: "summary.line", area: "summary.area", bar: "summary.bar", stacked_bar: "summary.stacked_bar", pie: "summary.pie", donut: "summary.donut" };

function list(names: readonly string[], locale: string): string {
  if (names.length <= 4) return names.join(", ");
  return t(locale, "summary.and_more", { names: names.slice(0, 3).join(", "), count: formatCount(names.length - 3, locale) });
}

/** E.g. "Page views per day. Line chart of Page views by period, 30 periods from 2026-04-03 to 2026-05-02." */
export function describeChart(title: string, chart: string, data: ChartData): string {
  const { locale } = data;
  const n = data.labels.length;
  const count = formatCount(n, locale);
  const what = t(locale, "summary.of_by", { chart: t(locale, NAMES[chart] ?? "summary.chart"), series: list(data.series.map((s) => s.name), locale) || t(locale, "summary.no_numbers"), axis: data.axis });
  const span =
    data.timeSeries && n > 1
      ? t(locale, "summary.periods_from_to", { count, from: data.labels[0], to: data.labels[n - 1] })
      : t(locale, data.timeSeries ? "summary.period" : n === 1 ? "summary.value" : "summary.values", { count });
  return `${title}. ${what}, ${span}.`;
}
