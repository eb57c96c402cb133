import type { WidgetView } from "@/lib/dashboards/describe-widget";
import { renderWidgetBody } from "@/components/dashboard/render/render-widget-body";
import { attr, html, joinHtml, type Html } from "@/components/dashboard/render/html";
import { DEFAULT_LOCALE, t } from "@/lib/embed/messages";
import { compareNote, type CompareStatus } from "./compare-note";

// One widget's card on the embed page (and the admin preview, which is the
// same page): its head (title, drill-down, CSV) and its body, rendered on the
// server from the rows the front door returned.

export const ROW_HEIGHT = 72;

export type LayoutItem = { widget_id: string; x: number; y: number; w: number; h: number };
export type Outcome = { rows: Record<string, unknown>[]; compare?: CompareStatus } | { error: { code: string; message: string } };
export type CardTools = { dimensions: { id: string; label: string }[]; allowDrillDown: boolean; allowExport: boolean; breakdown?: string; /** The viewer's locale (default "en"). */ locale?: string };

export const bodyHeight = (item: LayoutItem) => item.h * ROW_HEIGHT - 70;

export function layoutFor(layout: LayoutItem[], id: string, index: number): LayoutItem {
  return layout.find((l) => l.widget_id === id) ?? { widget_id: id, x: (index % 2) * 6, y: Math.floor(index / 2) * 4, w: 6, h: 4 };
}

// Bodies drawn from one rows array: a cached result is the same array on every
// render that reads it (its cache key already holds tenant, version, widget,
// permissions and state), so its chart is drawn once. Gone with the array.
const drawn = new WeakMap<object, Map<string, Html>>();

/** A widget's body: the chart, or why there is none. */
export function widgetBody(view: WidgetView, outcome: Outcome | undefined, item: LayoutItem, breakdown?: { id: string; label: string }, locale: string = DEFAULT_LOCALE): Html {
  if (!outcome) return html`<div class="widget-loading" role="status">${t(locale, "card.loading")}</div>`;
  if ("error" in outcome) {
    // A refusal of this widget (not allowed here, gone) is said on its card; a failure that is not the widget's
    // own (a timeout, the store unavailable) is said once, in the page's banner with "Try again" (embed-client).
    if (CARD_OWN_ERRORS.has(outcome.error.code)) return html`<div class="empty" role="status"${attr("data-error", outcome.error.code)}>${outcome.error.message}</div>`;
    return html`<div class="empty" role="status"${attr("data-error", outcome.error.code)} data-banner${attr("data-message", outcome.error.message)}>${t(locale, "card.not_loaded")}</div>`;
  }
  // The locale is part of what is drawn (numbers, dates, words); the rows are not.
  const key = JSON.stringify([view, breakdown ?? null, bodyHeight(item), locale]);
  let bodies = drawn.get(outcome.rows);
  const hit = bodies?.get(key);
  if (hit) return hit;
  const body = renderWidgetBody(breakdown ? { ...view, breakdown, title: titleFor(view, breakdown) } : view, outcome.rows, { height: bodyHeight(item), locale });
  if (!bodies) drawn.set(outcome.rows, (bodies = new Map()));
  if (bodies.size < 8) bodies.set(key, body);
  return body;
}

/** Errors that belong to one widget, shown on its card; every other error goes to the page's one banner. */
const CARD_OWN_ERRORS = new Set(["forbidden", "tenant_forbidden", "not_found", "validation_failed", "bad_request", "not_published"]);

/** What clicking a mark of this card filters by: its breakdown's dimension (when the session allows it), or its period. */
function drillAttrs(view: WidgetView, tools: CardTools): Html {
  if (view.kind !== "chart" || !tools.allowDrillDown || view.chart === "kpi") return html``;
  const field = tools.breakdown ?? view.breakdown?.id;
  const dimension = field ? tools.dimensions.find((d) => d.id === field) : undefined;
  return html`${attr("data-drill-field", dimension?.id)}${attr("data-drill-label", dimension?.label)}${attr("data-drill-time", view.granularity ?? "day")}`;
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * The card's title for the breakdown in effect: "Signups by country" broken
 * down by device reads "Signups by device"; a title that does not name its
 * breakdown gets it added ("Top pages, by country").
 */
export function titleFor(view: WidgetView, breakdown?: { id: string; label: string }): string {
  if (!breakdown || !view.breakdown || breakdown.id === view.breakdown.id) return view.title;
  const named = new RegExp(`\\b(by|per|across)\\s+(${escapeRegExp(view.breakdown.label)})\\b`, "i");
  const match = named.exec(view.title);
  if (!match) return `${view.title}, by ${breakdown.label.toLowerCase()}`;
  const label = match[2] === match[2].toLowerCase() ? breakdown.label.toLowerCase() : breakdown.label;
  return view.title.slice(0, match.index) + `${match[1]} ${label}` + view.title.slice(match.index + match[0].length);
}

export function widgetCard(view: WidgetView, item: LayoutItem, outcome: Outcome | undefined, tools: CardTools): Html {
  const current = tools.breakdown ?? view.breakdown?.id ?? "";
  const breakdown = tools.breakdown ? tools.dimensions.find((d) => d.id === tools.breakdown) : undefined;
  const title = titleFor(view, breakdown);
  const locale = tools.locale ?? DEFAULT_LOCALE;
  const drill =
    view.drillable && tools.allowDrillDown
      ? html`<select class="drill"${attr("aria-label", t(locale, "card.drill_label", { title }))}${attr("data-testid", `drill-${view.id}`)}${attr("data-widget", view.id)}>${joinHtml(
          tools.dimensions.map((d) => html`<option${attr("value", d.id)}${attr("selected", d.id === current)}>${d.label}</option>`),
        )}</select>`
      : "";
  const csv = tools.allowExport ? html`<button type="button" class="btn btn-sm export"${attr("data-testid", `export-${view.id}`)}${attr("data-widget", view.id)}>${t(locale, "card.csv")}</button>` : "";
  return html`<section class="card widget"${attr("id", `w-${view.id}`)}${attr("data-widget", view.id)}${attr("data-testid", `widget-${view.id}`)}${attr("aria-busy", outcome ? false : "true")}${drillAttrs(view, tools)} style="grid-column: ${item.x + 1} / span ${item.w}; grid-row: ${item.y + 1} / span ${item.h}"><div class="widget-head"><div><h2>${title}</h2>${
    view.description ? html`<p class="muted widget-desc">${view.description}</p>` : ""
  }${view.allTime ? html`<p class="muted widget-desc">${t(locale, "card.all_time")}</p>` : ""}${outcome && "rows" in outcome ? compareNote(outcome.compare, locale) : ""}</div><div class="widget-tools">${drill}${csv}</div></div><div class="widget-body"${view.chart === "kpi" ? "" : html` style="height: ${bodyHeight(item)}px"`}>${widgetBody(view, outcome, item, breakdown, locale)}</div></section>`;
}
