import type { WidgetView } from "@/lib/dashboards/describe-widget";
import { DEFAULT_LOCALE, t } from "@/lib/embed/messages";
import { renderCartesian } from "./cartesian";
import { toChartData, type Row } from "./chart-data";
import { html, type Html } from "./html";
import { renderKpi } from "./kpi";
import { renderPie } from "./pie";
import { renderTable } from "./table";

// The one entry point: a widget's description and rows in, its body as HTML
// out (the part under the widget's title). Pure and synchronous, no DOM.

export type { Row } from "./chart-data";
export type RenderOptions = {
  /** The body's height in px; charts fill it, KPIs and tables ignore it. */
  height: number;
  /** The viewer's locale (the session's claim): numbers, dates and the renderer's own words. Default "en". */
  locale?: string;
};

/** Points per series on line and area charts, and on bar charts over time. */
export const MAX_POINTS = 2_000;
/** Bars over a breakdown or custom-SQL categories. */
export const MAX_BARS = 50;
/** Series on one chart; the palette repeats after six already. */
export const MAX_SERIES = 20;

const bodyHeight = (h: number) => (Number.isFinite(h) ? Math.min(4_000, Math.max(60, Math.round(h))) : 240);

export function renderWidgetBody(widget: WidgetView, rows: readonly Row[], options: RenderOptions): Html {
  const locale = options.locale ?? DEFAULT_LOCALE;
  if (rows.length === 0) return html`<div class="empty">${t(locale, "card.no_data")}</div>`;
  if (widget.chart === "kpi") return renderKpi(widget, rows, locale);
  if (widget.chart === "table") return renderTable(widget, rows, locale);
  const height = bodyHeight(options.height);
  if (widget.chart === "pie" || widget.chart === "donut") {
    const data = toChartData(widget, rows, { maxCategories: rows.length, maxSeries: Infinity, locale });
    if (data.series.length === 0) return html`<div class="empty">${t(locale, "card.no_numbers")}</div>`;
    return renderPie({ donut: widget.chart === "donut", title: widget.title, data, height });
  }
  const overTime = widget.kind === "chart" && "bucket" in rows[0];
  const points = widget.chart === "line" || widget.chart === "area" || overTime;
  const data = toChartData(widget, rows, { maxCategories: points ? MAX_POINTS : MAX_BARS, maxSeries: MAX_SERIES, locale });
  if (data.series.length === 0) return html`<div class="empty">${t(locale, "card.no_numbers")}</div>`;
  return renderCartesian({ chart: widget.chart, title: widget.title, data, height });
}
