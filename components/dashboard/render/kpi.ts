import type { WidgetView } from "@/lib/dashboards/describe-widget";
import { DEFAULT_LOCALE, t } from "@/lib/embed/messages";
import type { Row } from "./chart-data";
import { formatValue } from "./format";
import { formatChange } from "./format-number";
import { attr, html, type Html } from "./html";

/** A custom-SQL KPI has no m0 unless the query names it so: its first number is the value. */
function currentValue(row: Row): unknown {
  if ("m0" in row) return row.m0;
  return Object.values(row).find((v) => typeof v === "number") ?? null;
}

/** The current value, and the change against the previous period when there is one to compare with. */
export function renderKpi(widget: WidgetView, rows: readonly Row[], locale: string = DEFAULT_LOCALE): Html {
  const current = rows[0] ? currentValue(rows[0]) : undefined;
  const previous = rows[0]?.m0_previous;
  const delta = typeof current === "number" && typeof previous === "number" && previous !== 0 ? ((current - previous) / previous) * 100 : undefined;
  const up = delta !== undefined && delta >= 0;
  // Over no rows a count is 0 and anything else "—" (as a time series' empty buckets); either way it says so in the words an empty chart uses.
  const empty = current === null || current === undefined || (current === 0 && widget.emptyValue === 0);
  return html`<div class="kpi"><div class="kpi-value"${attr("data-testid", `kpi-${widget.id}`)}>${formatValue(current, { format: widget.metricFormats?.[0], locale })}</div>${
    delta !== undefined &&
    html`<div class="kpi-delta ${up ? "up" : "down"}">${up ? "▲" : "▼"} ${formatChange(Math.abs(delta), locale)} <span class="muted">${t(locale, "kpi.vs_previous")}</span></div>`
  }${empty && html`<p class="kpi-empty">${t(locale, "card.no_data")}</p>`}</div>`;
}
