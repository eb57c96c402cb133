import { attr, html, joinHtml, type Html } from "@/components/dashboard/render/html";
import type { PageModel } from "@/lib/dashboards/page-model";
import { DEFAULT_LOCALE, t, type MessageKey } from "@/lib/embed/messages";
import { dateControls } from "./date-controls";
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

/** The ask box's example stays English in every language: the question is read in English. */
export const ASK_EXAMPLE = "signups by country last 30 days";

/** JSON safe inside <script>: no "</script>", no "<!--". */
const scriptJson = (value: unknown) => JSON.stringify(value).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");

/** The document's head; `lang` is the viewer's locale (BCP 47, canonical: safe in an attribute once escaped). */
function head(title: string, options: DocumentOptions, lang: string): string {
  return `<!doctype html><html lang="${html`${lang}`}" data-theme="light"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="referrer" content="no-referrer"><meta name="robots" content="noindex"><link rel="icon" href="data:,"><title>${html`${title}`}</title><script nonce="${options.nonce}">${HEAD_SCRIPT}</script><style>${options.css}</style></head>`;
}

function filterBar(model: PageModel): Html {
  const { client, locked } = model;
  const { locale } = client;
  // Period, custom range, compare and the time zone (date-controls.ts).
  const period = dateControls(model);
  const chosen = (dim: string) => client.state.filters.filters?.find((f) => f.field === dim && f.op === "equals");
  const dims = joinHtml(
    client.dimensionFilters.map((d) => {
      const value = chosen(d.id);
      const v = value && value.op === "equals" ? value.value : "";
      return html`<label class="filter"><span>${d.label}</span><select${attr("data-testid", `filter-${d.id}`)}${attr("data-filter", d.id)}><option value="">${t(locale, "filters.all")}</option>${v ? html`<option${attr("value", v)} selected>${v}</option>` : ""}</select></label>`;
    }),
  );
  const chips = joinHtml(
    Object.entries(locked).map(
      ([dim, values]) =>
        html`<span class="chip chip-locked"${attr("title", t(locale, "filters.locked_title"))}${attr("data-testid", `locked-${dim}`)}><svg width="11" height="11" viewBox="0 0 16 16" aria-hidden="true"><path fill="currentColor" d="M4 7V5a4 4 0 1 1 8 0v2h1v8H3V7h1zm2 0h4V5a2 2 0 1 0-4 0v2z"/></svg><span class="visually-hidden">${t(locale, "filters.locked")}</span> ${client.dimensions.find((x) => x.id === dim)?.label ?? dim}: ${values.join(", ")}</span>`,
    ),
  );
  return html`<div class="filter-bar" role="group"${attr("aria-label", t(locale, "filters.label"))}>${period}${dims}${chips}</div>`;
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
        locale: client.locale,
      }),
    ),
  );
  const say = (key: MessageKey, vars?: Record<string, string>) => t(client.locale, key, vars);
  const ask = client.permissions.allowAi
    ? html`<section class="card ask"${attr("aria-label", say("ask.region"))} data-testid="ask-box"><form class="ask-form"><label for="ask-question" class="visually-hidden">${say("ask.input_label")}</label><input id="ask-question" type="text" maxlength="500"${attr("placeholder", say("ask.placeholder", { example: ASK_EXAMPLE }))}><button class="btn btn-primary" type="submit">${say("ask.submit")}</button></form><div class="ask-answers"></div></section>`
    : "";
  return html`<div class="embed" data-testid="embed-dashboard" data-enclave-root${attr("data-mode", client.mode)}><header class="embed-head"><h1>${model.title}</h1>${filterBar(model)}<div class="views"></div></header><nav class="drill-path" data-testid="drill-path" hidden></nav><div class="embed-alerts"></div>${ask}<div class="dash-grid">${cards}</div></div>`;
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
  yield `${head(model.title, options, model.client.locale)}<body><main class="embed-page">${shell(model, ready).__html}`;
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
      locale: client.locale,
    });
    yield `<template data-fill="${html`${id}`}">${card.__html}</template><script nonce="${options.nonce}">__enclaveFill(${scriptJson(id)})</script>`;
  }
  yield "</main></body></html>";
}

/** Refusals with words of their own in the catalog (a title and what to do); others get the message and refusal.todo.else. */
const REFUSALS = new Set(["invalid_token", "session_expired", "session_revoked", "session_spent", "not_found"]);

/** The page for a refused link: no data, no dashboard metadata; tells the host why and the person what to do. */
export function refusalDocument(refusal: { code: string; message: string; origins: string[]; locale?: string }, options: Pick<DocumentOptions, "nonce" | "css">): string {
  const locale = refusal.locale ?? DEFAULT_LOCALE;
  const known = REFUSALS.has(refusal.code);
  const title = known ? t(locale, `refusal.${refusal.code}` as MessageKey) : refusal.message;
  const todo = t(locale, known && refusal.code !== "invalid_token" ? (`refusal.todo.${refusal.code}` as MessageKey) : "refusal.todo.else");
  // Tells the host runtime why the page shows no dashboard (expired, revoked, spent…).
  const notify = `(function(){var o=${scriptJson(refusal.origins)},c=${scriptJson(refusal.code)};if(window.parent===window)return;var a=location.ancestorOrigins&&location.ancestorOrigins[0],t=a&&o.indexOf(a)>=0?[a]:o;t.forEach(function(x){window.parent.postMessage({source:"enclave",type:c==="session_expired"?"expired":"error",code:c},x)})})();`;
  return `${head(t(locale, "refusal.title"), { ...options, script: "" }, locale)}<body><main class="embed-error"${attr("data-enclave-error", refusal.code).__html}><meta name="enclave-error" content="${html`${refusal.code}`}"><div class="embed-error-box"><h1>${html`${title}`}</h1><p>${html`${todo}`}</p></div></main><script nonce="${options.nonce}">${notify}</script></body></html>`;
}
