import type { WidgetView } from "@/lib/dashboards/describe-widget";
import type { Row } from "./chart-data";
import { formatCount, formatLabel, formatValue } from "./format";
import { attr, html, type Html } from "./html";

/** Rows beyond this are not rendered (the CSV export has them all). */
export const MAX_TABLE_ROWS = 2_000;

function header(widget: WidgetView, column: string): string {
  if (widget.kind === "sql") return column;
  if (column === "dimension") return widget.breakdown?.label ?? "Value";
  if (column === "bucket") return "Period";
  return /^m\d+$/.test(column) ? (widget.metricLabels[Number(column.slice(1))] ?? column) : column;
}

/** Every column of the rows; numbers right-aligned (class `num`), nulls as "—". */
export function renderTable(widget: WidgetView, rows: readonly Row[]): Html {
  const columns = Object.keys(rows[0] ?? {});
  const numeric = columns.map((c) => rows.some((r) => typeof r[c] === "number"));
  const bucket = widget.kind === "chart" ? columns.indexOf("bucket") : -1;
  const shown = rows.length > MAX_TABLE_ROWS ? rows.slice(0, MAX_TABLE_ROWS) : rows;
  const body = shown.map(
    (r) => html`<tr>${columns.map((c, i) => html`<td${attr("class", typeof r[c] === "number" && "num")}>${i === bucket ? formatLabel(r[c]) : formatValue(r[c])}</td>`)}</tr>`,
  );
  return html`<div class="table-wrap widget-table"><table class="table"${attr("data-testid", `table-${widget.id}`)}><thead><tr>${columns.map(
    (c, i) => html`<th${attr("class", numeric[i] && "num")}>${header(widget, c)}</th>`,
  )}</tr></thead><tbody>${body}</tbody></table>${
    shown.length < rows.length && html`<p class="chart-note">Showing the first ${formatCount(shown.length)} of ${formatCount(rows.length)} rows.</p>`
  }</div>`;
}
