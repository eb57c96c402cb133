import { attr, html, joinHtml, type Html } from "@/components/dashboard/render/html";
import { PERIODS, type PageModel } from "@/lib/dashboards/page-model";
import { t, type MessageKey } from "@/lib/embed/messages";
import { addDays, rangeDates, zonedMidnight } from "@/lib/query/time-range";
import { TIME_SERIES_CHARTS } from "@/lib/query/widget-spec";

// The filter bar's dates: the Period select with a custom range (two date
// inputs whose min/max keep the span within the session's max_date_range_days
// and the end at today in the dashboard's zone; the server enforces the same
// bound), the "compare to previous period" toggle, and the dashboard's time
// zone. The page script (components/embed-client/dates.ts) keeps the inputs'
// bounds in step as they change and sends the state.

export type RangeBounds = { from: { min?: string; max: string }; to: { min: string; max: string } };

/** The inputs' bounds for a chosen range: `to` no later than today, and the span at most `maxDays`. */
export function rangeBounds(from: string, to: string, today: string, maxDays: number | undefined): RangeBounds {
  const latest = maxDays ? addDays(from, maxDays - 1) : today;
  return { from: { min: maxDays ? addDays(to, -(maxDays - 1)) : undefined, max: to }, to: { min: from, max: latest < today ? latest : today } };
}

/** The custom range shown: the state's period as days (the last `max` of them, as the server reads it), ending today at the latest. */
function shownRange(model: PageModel): { from: string; to: string } {
  const { state, permissions, timezone, today } = model.client;
  const range = state.filters.time_range ?? model.dateFilter?.default ?? { kind: "last_30_days" as const };
  const [y, m, d] = today.split("-").map(Number);
  const dates = rangeDates(range, timezone, new Date(zonedMidnight(y, m, d, timezone) + 12 * 3_600_000)); // noon of today in the zone
  const to = dates.to > today ? today : dates.to;
  const max = permissions.maxDateRangeDays;
  const earliest = max ? addDays(to, -(max - 1)) : dates.from;
  const from = dates.from < earliest ? earliest : dates.from;
  return { from: from > to ? to : from, to };
}

function customRange(model: PageModel, open: boolean, say: (key: MessageKey, vars?: Record<string, string | number>) => string): Html {
  const { today, permissions } = model.client;
  const max = permissions.maxDateRangeDays;
  const { from, to } = shownRange(model);
  const bounds = rangeBounds(from, to, today, max);
  const input = (end: "from" | "to", value: string, b: { min?: string; max: string }) =>
    html`<label class="filter"><span>${say(`dates.${end}`)}</span><input type="date" required${attr("data-range", end)}${attr("data-testid", `range-${end}`)}${attr("value", value)}${attr("min", b.min)}${attr("max", b.max)}></label>`;
  return html`<form class="custom-range" data-custom-range data-testid="custom-range"${attr("aria-label", say("dates.range_label"))}${attr("hidden", !open)}${attr("data-max-days", max)}${attr("data-today", today)}>${input("from", from, bounds.from)}${input("to", to, bounds.to)}${
    max ? html`<span class="muted range-hint">${say("dates.up_to", { days: max })}</span>` : ""
  }<button type="submit" class="btn btn-sm" data-testid="range-apply">${say("dates.apply")}</button></form>`;
}

/** Whether any chart of the page draws a time series, so comparing can show. */
const hasTimeSeries = (model: PageModel) => model.widgets.some((w) => w.kind === "chart" && (TIME_SERIES_CHARTS.includes(w.chart) || (w.chart === "bar" && !w.breakdown)));

/** Period (presets within the bound, and a custom range), compare, and the time zone. */
export function dateControls(model: PageModel): Html {
  const { client, dateFilter } = model;
  const locale = model.client.locale;
  const say = (key: MessageKey, vars?: Record<string, string | number>) => t(locale, key, vars);
  const max = client.permissions.maxDateRangeDays;
  const periods = PERIODS.filter((p) => !max || p.days <= max);
  const current = client.state.filters.time_range?.kind ?? dateFilter?.default.kind;
  const custom = current === "absolute";
  const period = dateFilter
    ? html`<label class="filter"><span>${say("filters.period")}</span><select data-testid="filter-period" data-filter="period">${joinHtml(
        periods.map((p) => html`<option${attr("value", p.value)}${attr("selected", p.value === current)}>${say(`period.${p.value}` as MessageKey)}</option>`),
      )}<option value="custom"${attr("selected", custom)}>${say("period.custom")}</option></select></label>${customRange(model, custom, say)}`
    : "";
  const compare = hasTimeSeries(model)
    ? html`<label class="filter filter-check"><input type="checkbox" data-filter="compare" data-testid="filter-compare"${attr("checked", client.state.filters.compare === true)}><span>${say("dates.compare")}</span></label>`
    : "";
  return html`${period}${compare}<span class="muted filter-zone" data-testid="filter-timezone">${say("dates.timezone", { zone: client.timezone })}</span>`;
}
