import type { WidgetView } from "@/lib/dashboards/describe-widget";
import { DEFAULT_LOCALE, t } from "@/lib/embed/messages";
import type { Row } from "./chart-data";
import { formatBucketLabel, formatCount, formatValue, type NumberStyle } from "./format";
import { attr, html, type Html } from "./html";

/** Rows beyond this are not rendered (the CSV export has them all). */
export const MAX_TABLE_ROWS = 2_000;

function header(widget: WidgetView, column: string, locale: string): string {
  if (widget.kind === "sql") return column;
  if (column === "dimension") return widget.breakdown?.label ?? t(locale, "table.value");
  if (column === "bucket") return t(locale, "table.period");
  return /^m\d+$/.test(column) ? (widget.metricLabels[Number(column.slice(1))] ?? column) : column;
}

/** Every column of the rows; numbers right-aligned (class `num`), nulls as "—". */
export function renderTable(widget: WidgetView, rows: readonly Row[], locale: string = DEFAULT_LOCALE): Html {
  const columns = Object.keys(rows[0] ?? {});
  // A metric's column (m0, and m0_previous beside it) reads in the metric's format.
  const styles: NumberStyle[] = columns.map((c) => ({ format: widget.kind === "chart" ? widget.metricFormats?.[Number(/^m(\d+)(?:_|$)/.exec(c)?.[1])] : undefined, locale }));
  const numeric = columns.map((c) => rows.some((r) => typeof r[c] === "number"));
  const bucket = widget.kind === "chart" ? columns.indexOf("bucket") : -1;
  const shown = rows.length > MAX_TABLE_ROWS ? rows.slice(0, MAX_TABLE_ROWS) : rows;
  // A row drills by its breakdown value, else by its period (embed-client/drill.ts); custom SQL rows do not drill.
  const key = widget.kind !== "chart" ? undefined : columns.includes("dimension") ? "dimension" : bucket >= 0 ? "bucket" : undefined;
  const drillKey = (r: Row) => (key && r[key] !== null && r[key] !== undefined ? String(r[key]) : undefined);
  const body = shown.map(
    (r) => html`<tr${attr("data-value", drillKey(r))}${attr("tabindex", drillKey(r) !== undefined && 0)}>${columns.map((c, i) => html`<td${attr("class", typeof r[c] === "number" && "num")}>${i === bucket ? formatBucketLabel(r[c], locale) : formatValue(r[c], styles[i])}</td>`)}</tr>`,
  );
  // The wrapper scrolls sideways on a narrow screen: focusable, so a keyboard scrolls it too, with a hint the page's script adds while it overflows.
  return html`<div class="table-wrap widget-table" tabindex="0" role="region"${attr("aria-label", widget.title)}${attr("data-axis", key === "dimension" ? "category" : key && "time")}><table class="table"${attr("data-testid", `table-${widget.id}`)}><thead><tr>${columns.map(
    (c, i) => html`<th${attr("class", numeric[i] && "num")}>${header(widget, c, locale)}</th>`,
  )}</tr></thead><tbody>${body}</tbody></table>${
    shown.length < rows.length && html`<p class="chart-note">${t(locale, "table.showing_first", { shown: formatCount(shown.length, locale), total: formatCount(rows.length, locale) })}</p>`
  }</div>`;
}
