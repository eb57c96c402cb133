import type { WidgetView } from "@/lib/dashboards/describe-widget";
import { renderWidgetBody } from "@/components/dashboard/render/render-widget-body";
import { attr, html, joinHtml, type Html } from "@/components/dashboard/render/html";

// One widget's card on the embed page (and the admin preview, which is the
// same page): its head (title, drill-down, CSV) and its body, rendered on the
// server from the rows the front door returned.

export const ROW_HEIGHT = 72;

export type LayoutItem = { widget_id: string; x: number; y: number; w: number; h: number };
export type Outcome = { rows: Record<string, unknown>[] } | { error: { code: string; message: string } };
export type CardTools = { dimensions: { id: string; label: string }[]; allowDrillDown: boolean; allowExport: boolean; breakdown?: string };

export const bodyHeight = (item: LayoutItem) => item.h * ROW_HEIGHT - 70;

export function layoutFor(layout: LayoutItem[], id: string, index: number): LayoutItem {
  return layout.find((l) => l.widget_id === id) ?? { widget_id: id, x: (index % 2) * 6, y: Math.floor(index / 2) * 4, w: 6, h: 4 };
}

// Bodies drawn from one rows array: a cached result is the same array on every
// render that reads it (its cache key already holds tenant, version, widget,
// permissions and state), so its chart is drawn once. Gone with the array.
const drawn = new WeakMap<object, Map<string, Html>>();

/** A widget's body: the chart, or why there is none. */
export function widgetBody(view: WidgetView, outcome: Outcome | undefined, item: LayoutItem, breakdown?: { id: string; label: string }): Html {
  if (!outcome) return html`<div class="widget-loading" role="status">Loading…</div>`;
  if ("error" in outcome) return html`<div class="empty" role="status"${attr("data-error", outcome.error.code)}>${outcome.error.message}</div>`;
  const key = JSON.stringify([view, breakdown ?? null, bodyHeight(item)]);
  let bodies = drawn.get(outcome.rows);
  const hit = bodies?.get(key);
  if (hit) return hit;
  const body = renderWidgetBody(breakdown ? { ...view, breakdown, title: titleFor(view, breakdown) } : view, outcome.rows, { height: bodyHeight(item) });
  if (!bodies) drawn.set(outcome.rows, (bodies = new Map()));
  if (bodies.size < 8) bodies.set(key, body);
  return body;
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
  const drill =
    view.drillable && tools.allowDrillDown
      ? html`<select class="drill"${attr("aria-label", `Break ${title} down by`)}${attr("data-testid", `drill-${view.id}`)}${attr("data-widget", view.id)}>${joinHtml(
          tools.dimensions.map((d) => html`<option${attr("value", d.id)}${attr("selected", d.id === current)}>${d.label}</option>`),
        )}</select>`
      : "";
  const csv = tools.allowExport ? html`<button type="button" class="btn btn-sm export"${attr("data-testid", `export-${view.id}`)}${attr("data-widget", view.id)}>CSV</button>` : "";
  return html`<section class="card widget"${attr("id", `w-${view.id}`)}${attr("data-widget", view.id)}${attr("data-testid", `widget-${view.id}`)}${attr("aria-busy", outcome ? false : "true")} style="grid-column: ${item.x + 1} / span ${item.w}; grid-row: ${item.y + 1} / span ${item.h}"><div class="widget-head"><div><h2>${title}</h2>${
    view.description ? html`<p class="muted widget-desc">${view.description}</p>` : ""
  }${view.allTime ? html`<p class="muted widget-desc">All time</p>` : ""}</div><div class="widget-tools">${drill}${csv}</div></div><div class="widget-body" style="height: ${bodyHeight(item)}px">${widgetBody(view, outcome, item, breakdown)}</div></section>`;
}
