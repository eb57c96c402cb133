import { arc, pie, type PieArcDatum } from "d3-shape";
import { t } from "@/lib/embed/messages";
import { colour, renderLegend } from "./axes";
import type { ChartData } from "./chart-data";
import { formatCount, formatValue } from "./format";
import { formatChange } from "./format-number";
import { attr, html, joinHtml, type Html } from "./html";
import { describeChart } from "./summary";

// Pie and donut charts of the first series: one slice per category, in row
// order, at most MAX_SLICES (the rest become one "Other" slice, so the shares
// stay true). The SVG keeps its aspect ratio; the legend is HTML.

export const MAX_SLICES = 50;
const OUTER = 80;
const INNER = 44; // 55% of the outer radius, as the recharts donut

type Slice = { label: string; key: string | null; value: number | null; other: boolean };

function slices(data: ChartData): { slices: Slice[]; note?: string } {
  const values = data.series[0]?.values ?? [];
  const all = data.labels.map((label, i) => ({ label, key: data.keys[i], value: values[i] ?? null, other: false }));
  if (all.length <= MAX_SLICES) return { slices: all };
  const rest = all.slice(MAX_SLICES - 1);
  const sum = rest.reduce((t, s) => t + (s.value !== null && s.value > 0 ? s.value : 0), 0);
  const { locale } = data;
  const other = { label: t(locale, "pie.other", { count: formatCount(rest.length, locale) }), key: null, value: sum, other: true };
  return { slices: [...all.slice(0, MAX_SLICES - 1), other], note: t(locale, "pie.showing", { shown: formatCount(MAX_SLICES - 1, locale), total: formatCount(all.length, locale) }) };
}

export function renderPie(options: { donut: boolean; title: string; data: ChartData; height: number }): Html {
  const { data } = options;
  const { slices: shown, note } = slices(data);
  const name = data.series[0]?.name ?? "";
  // Negative and missing values get no slice (d3's pie treats them as 0).
  const arcs = pie<Slice>()
    .sort(null)
    .value((s) => (s.value !== null && s.value > 0 ? s.value : 0))(shown);
  const total = arcs.length ? arcs[arcs.length - 1].endAngle - arcs[0].startAngle : 0;
  const path = arc<PieArcDatum<Slice>>()
    .innerRadius(options.donut ? INNER : 0)
    .outerRadius(OUTER)
    .digits(1);
  const paths = arcs
    .filter((a) => a.endAngle > a.startAngle)
    .map((a) => {
      const s = a.data;
      const share = total > 0 ? ` (${formatChange(((a.endAngle - a.startAngle) / total) * 100, data.locale)})` : "";
      const tip = `${s.label} — ${name}: ${formatValue(s.value, { format: data.series[0]?.format, locale: data.locale })}${share}`;
      return html`<path class="mark slice ${s.other ? "other" : colour(a.index)}" d="${path(a) ?? ""}"${attr("data-tip", tip)}${attr("data-value", s.key)} tabindex="0" vector-effect="non-scaling-stroke"/>`;
    });
  const legend = renderLegend(
    shown.map((s) => s.label),
    (i) => (shown[i].other ? "other" : colour(i)),
  );
  return html`<div class="chart chart-pie" data-axis="category" role="img"${attr("aria-label", describeChart(options.title, options.donut ? "donut" : "pie", data))} style="height:${options.height}px"><div class="chart-pie-plot"><svg class="chart-svg" viewBox="-100 -100 200 200" preserveAspectRatio="xMidYMid meet">${joinHtml(paths)}</svg></div>${legend}${
    (note ?? data.note) && html`<p class="chart-note">${note ?? data.note}</p>`
  }</div>`;
}
