import { scaleBand, scaleLinear } from "d3-scale";
import { area, line, stack, stackOffsetDiverging, stackOffsetNone, type Series as Stacked, type SeriesPoint } from "d3-shape";
import { colour, renderLegend, renderXAxis, renderYAxis, VIEW_H, VIEW_W } from "./axes";
import type { ChartData } from "./chart-data";
import { formatValue } from "./format";
import { attr, html, joinHtml, type Html } from "./html";
import { previousLines, previousMarks, previousTip, withPrevious } from "./previous-period";
import { describeChart } from "./summary";

// Line, stacked area, grouped bar and stacked bar charts. Marks a tooltip or
// drill-down can use carry data-tip (what to show), data-value (the raw
// category) and tabindex="0": bars themselves, and for lines and areas one
// invisible hit rectangle per category.

export type CartesianChart = "line" | "area" | "bar" | "stacked_bar";

// Coordinates are rounded here rather than with d3's .digits(), which was
// the slowest step of drawing a line.
const round1 = (v: number) => Math.round(v * 10) / 10;

/** "2026-05-03 — Page views: 1,234"; with several series, the label then one line per series. */
function categoryTip(data: ChartData, i: number): string {
  if (data.series.length === 1) return `${data.tipLabels[i]} — ${data.series[0].name}: ${formatValue(data.series[0].values[i], { format: data.series[0].format, locale: data.locale })}${previousTip(data.previous, i)}`;
  let tip = data.tipLabels[i];
  for (const s of data.series) tip += `\n${s.name}: ${formatValue(s.values[i], { format: s.format, locale: data.locale })}`;
  return tip + previousTip(data.previous, i);
}

const barTip = (data: ChartData, i: number, s: number) => `${data.tipLabels[i]} — ${data.series[s].name}: ${formatValue(data.series[s].values[i], { format: data.series[s].format, locale: data.locale })}${previousTip(data.previous, i)}`;

/** Stacks series per category (a gap stacks as 0); bars diverge around 0 so negatives stack downwards. */
function stackSeries(data: ChartData, diverging: boolean): Stacked<number[], number>[] {
  const table = data.labels.map((_, i) => data.series.map((s) => s.values[i] ?? 0));
  return stack<number[], number>()
    .keys(data.series.map((_, s) => s))
    .value((row, s) => row[s])
    .offset(diverging ? stackOffsetDiverging : stackOffsetNone)(table);
}

function valueExtent(data: ChartData, stacked: Stacked<number[], number>[] | undefined): [number, number] {
  let lo = 0;
  let hi = 0;
  const include = (v: number) => {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  };
  if (stacked) {
    for (const points of stacked) {
      for (const p of points) {
        include(p[0]);
        include(p[1]);
      }
    }
  } else {
    for (const s of data.series) for (const v of s.values) if (v !== null) include(v);
  }
  return lo === hi ? [lo, lo + 1] : [lo, hi];
}

/** One invisible rectangle per category, reaching halfway to its neighbours. */
function hitRects(data: ChartData, xs: readonly number[]): Html {
  const half = xs.length > 1 ? (xs[1] - xs[0]) / 2 : VIEW_W / 2;
  return joinHtml(
    xs.map((x, i) => {
      const left = Math.max(0, x - half);
      const width = Math.min(VIEW_W, x + half) - left;
      return html`<rect class="mark hit" x="${round1(left)}" y="0" width="${round1(width)}" height="${VIEW_H}"${attr("data-tip", categoryTip(data, i))}${attr("data-value", data.keys[i])} tabindex="0"/>`;
    }),
  );
}

function lineMarks(data: ChartData, xs: readonly number[], y: (v: number) => number): Html {
  const path = line<number | null>()
    .x((_, i) => xs[i])
    .y((v) => round1(y(v ?? 0)))
    .defined((v) => v !== null)
    .digits(null);
  return joinHtml(data.series.map((s, i) => html`<path class="line ${colour(i)}" d="${path(s.values) ?? ""}" vector-effect="non-scaling-stroke"/>`));
}

function areaMarks(data: ChartData, xs: readonly number[], y: (v: number) => number, stacked: Stacked<number[], number>[]): Html {
  return joinHtml(
    stacked.map((points, s) => {
      const values = data.series[s].values;
      const defined = (_: unknown, i: number) => values[i] !== null;
      const fill = area<SeriesPoint<number[]>>()
        .x((_, i) => xs[i])
        .y0((p) => round1(y(p[0])))
        .y1((p) => round1(y(p[1])))
        .defined(defined)
        .digits(null);
      const top = line<SeriesPoint<number[]>>()
        .x((_, i) => xs[i])
        .y((p) => round1(y(p[1])))
        .defined(defined)
        .digits(null);
      return html`<path class="area-fill ${colour(s)}" d="${fill(points) ?? ""}"/><path class="area-line ${colour(s)}" d="${top(points) ?? ""}" vector-effect="non-scaling-stroke"/>`;
    }),
  );
}

function barMarks(data: ChartData, y: (v: number) => number, stacked: Stacked<number[], number>[] | undefined): { marks: Html; centres: number[] } {
  const x = scaleBand<number>().domain(data.labels.map((_, i) => i)).range([0, VIEW_W]).padding(0.1);
  const groups = data.series.length;
  const inner = scaleBand<number>().domain(data.series.map((_, s) => s)).range([0, x.bandwidth()]).paddingInner(stacked ? 0 : 0.08);
  // Band i starts at x(0) + i × step: read once, not looked up per bar.
  const [first, step] = [x(0) ?? 0, x.step()];
  const offsets = data.series.map((_, s) => inner(s) ?? 0);
  const rects: Html[] = [];
  for (let i = 0; i < data.labels.length; i++) {
    const left = first + i * step;
    for (let s = 0; s < groups; s++) {
      const v = data.series[s].values[i];
      if (v === null) continue;
      const [a, b] = stacked ? stacked[s][i] : [0, v];
      const top = y(Math.max(a, b));
      const bx = stacked ? left : left + offsets[s];
      const width = stacked ? x.bandwidth() : inner.bandwidth();
      rects.push(
        html`<rect class="mark bar ${colour(s)}" x="${round1(bx)}" y="${round1(top)}" width="${round1(width)}" height="${round1(y(Math.min(a, b)) - top)}"${attr("data-tip", barTip(data, i, s))}${attr("data-value", data.keys[i])} tabindex="0"/>`,
      );
    }
  }
  return { marks: joinHtml(rects), centres: data.labels.map((_, i) => first + i * step + x.bandwidth() / 2) };
}

export function renderCartesian(options: { chart: CartesianChart; title: string; data: ChartData; height: number }): Html {
  const { chart, data } = options;
  const bars = chart === "bar" || chart === "stacked_bar";
  const stacked = chart === "area" || chart === "stacked_bar" ? stackSeries(data, chart === "stacked_bar") : undefined;
  // A compared series' period before: dashed lines, stacked among themselves where the chart stacks.
  const before = data.previous && previousLines(data.previous, Boolean(stacked));
  const scale = scaleLinear().domain(before ? withPrevious(valueExtent(data, stacked), before) : valueExtent(data, stacked)).nice(5).range([VIEW_H, 0]);
  const y = (v: number) => scale(v);

  let marks: Html;
  let xs: number[];
  if (bars) {
    ({ marks, centres: xs } = barMarks(data, y, stacked));
  } else {
    // Points spread evenly from edge to edge (a point scale over indices); one point sits in the middle.
    const x = scaleLinear().domain([0, data.labels.length - 1]).range([0, VIEW_W]);
    xs = data.labels.map((_, i) => round1(x(i)));
    // Hit rectangles go under the lines, so hovering a category highlights behind them.
    marks = html`${hitRects(data, xs)}${stacked ? areaMarks(data, xs, y, stacked) : lineMarks(data, xs, y)}`;
  }
  if (before) marks = html`${marks}${previousMarks(before, xs, y)}`;
  const legend = [...data.series.map((s) => s.name), ...(data.previous?.series.map((s) => s.name) ?? [])];
  const legendClass = (i: number) => (i < data.series.length ? colour(i) : `${colour(i - data.series.length)} previous`);
  const yAxis = renderYAxis(scale, { format: data.valueFormat, locale: data.locale });
  const xAxis = renderXAxis(xs, data.labels);
  return html`<div class="chart chart-${chart.replace("_", "-")}"${attr("data-axis", data.timeSeries ? "time" : "category")} role="img"${attr("aria-label", describeChart(options.title, chart, data))} style="height:${options.height}px"><div class="chart-plot"><svg class="chart-svg" viewBox="0 0 ${VIEW_W} ${VIEW_H}" preserveAspectRatio="none">${yAxis.grid}${xAxis.grid}<path class="chart-axis" d="M0,0V${VIEW_H}H${VIEW_W}" vector-effect="non-scaling-stroke"/>${marks}</svg>${yAxis.labels}${xAxis.labels}</div>${
    legend.length > 1 && renderLegend(legend, legendClass)
  }${data.note && html`<p class="chart-note">${data.note}</p>`}</div>`;
}
