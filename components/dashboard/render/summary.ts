import type { ChartData } from "./chart-data";
import { formatCount } from "./format";

// The sentence a screen reader hears for a chart (its aria-label).

const NAMES: Record<string, string> = { line: "Line chart", area: "Stacked area chart", bar: "Bar chart", stacked_bar: "Stacked bar chart", pie: "Pie chart", donut: "Donut chart" };

function list(names: readonly string[]): string {
  if (names.length <= 4) return names.join(", ");
  return `${names.slice(0, 3).join(", ")} and ${names.length - 3} more`;
}

/** E.g. "Page views per day. Line chart of Page views by period, 30 periods from 2026-04-03 to 2026-05-02." */
export function describeChart(title: string, chart: string, data: ChartData): string {
  const n = data.labels.length;
  const what = `${NAMES[chart] ?? "Chart"} of ${list(data.series.map((s) => s.name)) || "no numeric values"} by ${data.axis}`;
  const span = data.timeSeries && n > 1 ? `${formatCount(n)} periods from ${data.labels[0]} to ${data.labels[n - 1]}` : `${formatCount(n)} ${data.timeSeries ? "period" : n === 1 ? "value" : "values"}`;
  return `${title}. ${what}, ${span}.`;
}
