import { attr, html, joinHtml, type Html } from "@/components/dashboard/render/html";
import { PERIODS, type PageModel } from "@/lib/dashboards/page-model";
import { layoutFor, widgetCard, type Outcome } from "./widget-card";

// The dashboard page as HTML, streamed. The shell (filters, cards) goes out
// with every widget that is ready within a short wait, so a fast dashboard
// paints complete at once; a slow widget then streams into its card as it
// settles and never holds back the others. No framework runs in the browser:
// the page's script (components/embed-client) only adds what is interactive.

export type DocumentOptions = {
  nonce: string;
  /** URL of the page's script (with its content hash). */
  script: string;
  css: string;
  /** How long the shell waits for widgets before it goes out without them. */
  firstFlushMs?: number;
};

// Theme from the host (URL fragment), before first paint; and the hook that
// moves a streamed widget into its card.
const HEAD_SCRIPT = `(function(){var h=new URLSearchParams(location.hash.slice(1)),t=h.get("theme");document.documentElement.dataset.theme=t==="dark"?"dark":"light";window.__enclaveFill=function(id){var t=document.querySelector('template[data-fill="'+id+'"]'),c=document.getElementById("w-"+id);if(t&&c){c.replaceWith(t.content.firstElementChild);t.remove();document.dispatchEvent(new CustomEvent("enclave:widget",{detail:id}))}}})();`;

/** JSON safe inside <script>: no "</script>", no "<!--". */
const scriptJson = (value: unknown) => JSON.stringify(value).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");

function head(title: string, options: DocumentOptions): string {
  return `<!doctype html><html lang="en" data-theme="light"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="referrer" content="no-referrer"><meta name="robots" content="noindex"><link rel="icon" href="data:,"><title>${html`${title}`}</title><script nonce="${options.nonce}">${HEAD_SCRIPT}</script><style>${options.css}</style></head>`;
}

function filterBar(model: PageModel): Html {
  const { client, dateFilter, locked } = model;
  const max = client.permissions.maxDateRangeDays;
  const periods = PERIODS.filter((p) => !max || p.days <= max);
  const current = client.state.filters.time_range?.kind ?? dateFilter?.default.kind;
  const period =
    dateFilter && periods.length > 0
      ? html`<label class="filter"><span>Period</span><select data-testid="filter-period" data-filter="period">${joinHtml(periods.map((p) => html`<option${attr("value", p.value)}${attr("selected", p.value === current)}>${p.label}</option>`))}</select></label>`
      : "";
  const chosen = (dim: string) => client.state.filters.filters?.find((f) => f.field === dim && f.op === "equals");
  const dims = joinHtml(
    client.dimensionFilters.map((d) => {
      const value = chosen(d.id);
      const v = value && value.op === "equals" ? value.value : "";
      return html`<label class="filter"><span>${d.label}</span><select${attr("data-testid", `filter-${d.id}`)}${attr("data-filter", d.id)}><option value="">All</option>${v ? html`<option${attr("value", v)} selected>${v}</option>` : ""}</select></label>`;
    }),
  );
  const chips = joinHtml(
    Object.entries(locked).map(
      ([dim, values]) =>
        html`<span class="chip chip-locked" title="Set by the site you are using; it cannot be changed here"${attr("data-testid", `locked-${dim}`)}><svg width="11" height="11" viewBox="0 0 16 16" aria-hidden="true"><path fill="currentColor" d="M4 7V5a4 4 0 1 1 8 0v2h1v8H3V7h1zm2 0h4V5a2 2 0 1 0-4 0v2z"/></svg><span class="visually-hidden">Locked:</span> ${client.dimensions.find((x) => x.id === dim)?.label ?? dim}: ${values.join(", ")}</span>`,
    ),
  );
  return html`<div class="filter-bar" role="group" aria-label="Filters">${period}${dims}${chips}</div>`;
}

function shell(model: PageModel, ready: Map<string, Outcome>): Html {
  const { client } = model;
  const cards = joinHtml(
    model.widgets.map((w, i) =>
      widgetCard(w, layoutFor(model.layout, w.id, i), ready.get(w.id), {
        dimensions: client.dimensions,
        allowDrillDown: client.permissions.allowDrillDown,
        allowExport: client.permissions.allowExport,
        breakdown: client.state.breakdowns[w.id],
      }),
    ),
  );
  const ask = client.permissions.allowAi
    ? html`<section class="card ask" aria-label="Ask a question" data-testid="ask-box"><form class="ask-form"><label for="ask-question" class="visually-hidden">Ask a question about your data</label><input id="ask-question" type="text" maxlength="500" placeholder="Ask a question, e.g. “signups by country last 30 days”"><button class="btn btn-primary" type="submit">Ask</button></form><div class="ask-answers"></div></section>`
    : "";
  return html`<div class="embed" data-testid="embed-dashboard" data-enclave-root${attr("data-mode", client.mode)}><header class="embed-head"><h1>${model.title}</h1>${filterBar(model)}<div class="views"></div></header><div class="embed-alerts"></div>${ask}<div class="dash-grid">${cards}</div></div>`;
}

/** The page script's settings, next to the root it belongs to (a page may hold two: the admin's side by side). */
const configScript = (model: PageModel) => `<script type="application/json" data-enclave-config>${scriptJson(model.client)}</script>`;

/** A dashboard with every result known, for pages that are not streamed (the admin preview). */
export function dashboardMarkup(model: PageModel, outcomes: Map<string, Outcome>): string {
  return shell(model, outcomes).__html + configScript(model);
}

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref?.());

/** The page, in chunks: shell with the widgets ready in time, then each late widget as it settles. */
export async function* dashboardDocument(model: PageModel, results: Map<string, Promise<Outcome>>, options: DocumentOptions): AsyncGenerator<string> {
  const ready = new Map<string, Outcome>();
  const pending = new Map<string, Promise<string>>();
  for (const [id, promise] of results) pending.set(id, promise.then((outcome) => (ready.set(id, outcome), id)));
  await Promise.race([Promise.all(pending.values()), delay(options.firstFlushMs ?? 250)]);
  for (const id of ready.keys()) pending.delete(id);

  // One main landmark around the dashboard; its settings and late cards follow the root inside it.
  yield `${head(model.title, options)}<body><main class="embed-page">${shell(model, ready).__html}`;
  yield `${configScript(model)}<script type="module" async src="${html`${options.script}`}" nonce="${options.nonce}"></script>`;

  const { client } = model;
  while (pending.size > 0) {
    const id = await Promise.race(pending.values());
    pending.delete(id);
    const index = model.widgets.findIndex((w) => w.id === id);
    const card = widgetCard(model.widgets[index], layoutFor(model.layout, id, index), ready.get(id), {
      dimensions: client.dimensions,
      allowDrillDown: client.permissions.allowDrillDown,
      allowExport: client.permissions.allowExport,
      breakdown: client.state.breakdowns[id],
    });
    yield `<template data-fill="${html`${id}`}">${card.__html}</template><script nonce="${options.nonce}">__enclaveFill(${scriptJson(id)})</script>`;
  }
  yield "</main></body></html>";
}

/** What a person who opened the link can do about it, by refusal. */
const WHAT_TO_DO: Record<string, string> = {
  session_expired: "Links to this dashboard work for a limited time. Go back to the page you opened it from and reload it: that makes a new link.",
  session_revoked: "Go back to the page you opened it from and reload it for a new link. If this keeps happening, contact the support of the site you came from.",
  session_spent: "This link could be opened once. Go back to the page you opened it from and reload it for a new link.",
  not_found: "It may have been removed. Open it again from the site you came from, or contact its support.",
};
const ELSE_TO_DO = "Check that the address was copied whole, or open the dashboard again from the site you came from.";

/** The page for a refused link: no data, no dashboard metadata; tells the host why and the person what to do. */
export function refusalDocument(refusal: { code: string; message: string; origins: string[] }, options: Pick<DocumentOptions, "nonce" | "css">): string {
  // Tells the host runtime why the page shows no dashboard (expired, revoked, spent…).
  const notify = `(function(){var o=${scriptJson(refusal.origins)},c=${scriptJson(refusal.code)};if(window.parent===window)return;var a=location.ancestorOrigins&&location.ancestorOrigins[0],t=a&&o.indexOf(a)>=0?[a]:o;t.forEach(function(x){window.parent.postMessage({source:"enclave",type:c==="session_expired"?"expired":"error",code:c},x)})})();`;
  return `${head("Dashboard unavailable", { ...options, script: "" })}<body><main class="embed-error"${attr("data-enclave-error", refusal.code).__html}><meta name="enclave-error" content="${html`${refusal.code}`}"><div class="embed-error-box"><h1>${html`${refusal.message}`}</h1><p>${html`${WHAT_TO_DO[refusal.code] ?? ELSE_TO_DO}`}</p></div></main><script nonce="${options.nonce}">${notify}</script></body></html>`;
}
