import type { ExpectedNumbers, ExpectedWidgets } from "./expected";

// The leak check: every embed page rendered during the load must show its own
// tenant's numbers, computed in memory from the generated events. The page is
// read as the user sees it: every KPI, chart mark and table cell.

type Row = Record<string, unknown>;
type Result = { widget_id: string; rows?: Row[]; error?: { code: string } };

export type LeakTally = { responses: number; values: number; mismatches: string[]; widgetErrors: Map<string, number> };

export const newTally = (): LeakTally => ({ responses: 0, values: 0, mismatches: [], widgetErrors: new Map() });

/** The React Server Components payload, decoded from the page's `self.__next_f.push([1, "…"])` scripts. */
function flightText(html: string): string {
  let text = "";
  for (const m of html.matchAll(/self\.__next_f\.push\((\[[\s\S]*?\])\)<\/script>/g)) {
    const chunk = JSON.parse(m[1]) as unknown[];
    if (chunk[0] === 1 && typeof chunk[1] === "string") text += chunk[1];
  }
  return text;
}

/** The JSON array after `"results":`, found by bracket matching outside strings. */
export function embeddedResults(html: string): Result[] {
  const text = flightText(html);
  const start = text.indexOf('"results":[');
  if (start < 0) throw new Error("no widget results in the page");
  let depth = 0;
  let inString = false;
  for (let i = start + 10; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (ch === "\\") i++;
      else if (ch === '"') inString = false;
    } else if (ch === '"') inString = true;
    else if (ch === "[" || ch === "{") depth++;
    else if ((ch === "]" || ch === "}") && --depth === 0) return JSON.parse(text.slice(start + 10, i + 1)) as Result[];
  }
  throw new Error("unterminated widget results in the page");
}

export const fmt = new Intl.NumberFormat("en", { maximumFractionDigits: 2 });
const near = (a: unknown, b: number) => (a === null ? b === 0 : typeof a === "number" && Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b)));
export const htmlText = (s: string) => s.replace(/<!-- -->/g, "").replace(/&amp;/g, "&").trim();

/** Each widget's card as the page finally shows it (a card streamed in a template replaces its placeholder). */
export function cards(html: string): Map<string, string> {
  const out = new Map<string, string>();
  const parts = html.split('<section class="card widget"').slice(1);
  for (const part of parts) {
    const id = /data-widget="([^"]+)"/.exec(part)?.[1];
    if (!id) continue;
    const card = part.split("</section>")[0];
    if (!out.has(id) || out.get(id)!.includes("widget-loading")) out.set(id, card);
  }
  return out;
}

const decode = (s: string) => s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");

/** A chart's marks: label → the value its tooltip shows. */
export function marks(card: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of card.matchAll(/<[^>]*class="mark[^"]*"[^>]*>/g)) {
    const label = /data-value="([^"]*)"/.exec(m[0])?.[1];
    const tip = /data-tip="([^"]*)"/.exec(m[0])?.[1];
    if (label === undefined || tip === undefined) continue;
    // "label — Series: 1,234", or with a share: "… : 1,234 (32.2%)".
    const last = decode(tip).split("\n").pop()!;
    out.set(decode(label), last.slice(last.lastIndexOf(": ") + 2).replace(/ \([\d.]+%\)$/, ""));
  }
  return out;
}

/**
 * The page as the user sees it, server-rendered: KPI values and their change,
 * each chart mark's value, the table's cells, compared with the tenant's own
 * numbers. (A page from before the server-rendered embed carries its results
 * in the React payload; that is read instead, so the same check runs on both.)
 */
export function checkEmbed(html: string, tenant: string, expected: ExpectedNumbers, tally: LeakTally, now = new Date()): void {
  if (html.includes("self.__next_f.push(")) return checkPayload(html, tenant, expected, tally, now);
  const want: ExpectedWidgets = expected.widgets(tenant, now);
  const shown = cards(html);
  let values = 0;
  const miss = (what: string, got: unknown, exp: unknown) => tally.mismatches.push(`${tenant} ${what}: got ${JSON.stringify(got)}, expected ${JSON.stringify(exp)}`);
  const same = (what: string, got: string | undefined, exp: number) => {
    values++;
    if (got !== fmt.format(exp)) miss(what, got, fmt.format(exp));
  };
  // Every expected key is drawn with its value; a mark the data does not have must show 0 (a zero bucket).
  const keyed = (widget: string, got: Map<string, string>, exp: Map<string, number>, norm = (k: string) => k) => {
    const seen = new Map([...got].map(([k, v]) => [norm(k), v]));
    // A period with no rows at all is drawn as "No data for this period." (no zero buckets): all zeros expected.
    if (seen.size === 0 && [...exp.values()].every((v) => v === 0)) {
      values += exp.size;
      return;
    }
    for (const [k, v] of exp) same(`${widget} ${k}`, seen.get(k), v);
    for (const [k, v] of seen) if (!exp.has(k)) same(`${widget} ${k}`, v, 0);
  };
  for (const id of Object.keys(want)) {
    const card = shown.get(id);
    const error = card && /data-error="([^"]+)"/.exec(card)?.[1];
    if (!card || error) {
      tally.widgetErrors.set(error ?? "missing", (tally.widgetErrors.get(error ?? "missing") ?? 0) + 1);
      continue;
    }
    if (id === "signups" || id === "revenue") {
      const w = want[id];
      same(`${id} (value)`, htmlText(/class="kpi-value"[^>]*>([^<]*)</.exec(card)?.[1] ?? ""), w.m0);
      const delta = /class="kpi-delta[^"]*">([▲▼]) ([\d.]+)%/.exec(card);
      const expDelta = w.m0_previous !== 0 ? ((w.m0 - w.m0_previous) / w.m0_previous) * 100 : undefined;
      values++;
      const gotDelta = delta ? `${delta[1]} ${delta[2]}` : undefined;
      const wantDelta = expDelta === undefined ? undefined : `${expDelta >= 0 ? "▲" : "▼"} ${Math.abs(expDelta).toFixed(1)}`;
      if (gotDelta !== wantDelta) miss(`${id} (change)`, gotDelta, wantDelta);
    } else if (id === "page-views") keyed(id, marks(card), want[id], (b) => b.slice(0, 10));
    else if (id === "signups-by-country" || id === "devices") keyed(id, marks(card), want[id]);
    else if (id === "top-pages") {
      const rows = new Map<string, [string, string]>();
      for (const tr of (card.match(/<tbody>([\s\S]*?)<\/tbody>/)?.[1] ?? "").matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)) {
        const [page, views, users] = [...tr[1].matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((m) => htmlText(decode(m[1])));
        rows.set(page, [views, users]);
      }
      for (const [page, exp] of want[id]) {
        same(`${id} ${page} views`, rows.get(page)?.[0], exp.views);
        same(`${id} ${page} users`, rows.get(page)?.[1], exp.users);
      }
      for (const page of rows.keys()) if (!want[id].has(page)) miss(`${id} ${page}`, rows.get(page), "no such page");
    }
  }
  tally.responses++;
  tally.values += values;
}

function checkPayload(html: string, tenant: string, expected: ExpectedNumbers, tally: LeakTally, now: Date): void {
  const want: ExpectedWidgets = expected.widgets(tenant, now);
  const results = new Map(embeddedResults(html).map((r) => [r.widget_id, r]));
  let values = 0;
  const miss = (what: string, got: unknown, exp: unknown) => tally.mismatches.push(`${tenant} ${what}: got ${JSON.stringify(got)}, expected ${JSON.stringify(exp)}`);
  const same = (what: string, got: unknown, exp: number) => {
    values++;
    if (!near(got, exp)) miss(what, got, exp);
  };
  // Every expected key must be there; a row the grouping adds with a zero (the top-pages
  // table groups all events by page, so events without a page give an empty page with 0) is fine.
  const keyed = (widget: string, rows: Row[], key: string, exp: Map<string, number>, norm = (k: string) => k) => {
    const seen = new Set(rows.map((r) => norm(String(r[key]))));
    for (const k of exp.keys()) {
      values++;
      if (!seen.has(k)) miss(`${widget} ${k}`, "no row", exp.get(k));
    }
    for (const r of rows) same(`${widget} ${r[key]}`, r.m0, exp.get(norm(String(r[key]))) ?? 0);
  };
  for (const id of Object.keys(want)) {
    const r = results.get(id);
    if (!r?.rows) {
      tally.widgetErrors.set(r?.error?.code ?? "missing", (tally.widgetErrors.get(r?.error?.code ?? "missing") ?? 0) + 1);
      continue;
    }
    if (id === "signups" || id === "revenue") {
      same(`${id}.m0`, r.rows[0]?.m0, want[id].m0);
      same(`${id}.m0_previous`, r.rows[0]?.m0_previous, want[id].m0_previous);
      // What the user sees: the KPI as formatted in the HTML.
      const shown = html.match(new RegExp(`data-testid="kpi-${id}">([^<]*)<`))?.[1];
      values++;
      if (shown !== fmt.format(want[id].m0)) miss(`${id} (HTML)`, shown, fmt.format(want[id].m0));
    } else if (id === "page-views") keyed(id, r.rows, "bucket", want[id], (b) => b.slice(0, 10));
    else if (id === "signups-by-country" || id === "devices") keyed(id, r.rows, "dimension", want[id]);
    else if (id === "top-pages") {
      keyed(id, r.rows, "dimension", new Map([...want[id]].map(([k, v]) => [k, v.views])));
      for (const row of r.rows) same(`${id} ${row.dimension} users`, row.m1, want[id].get(String(row.dimension))?.users ?? 0);
      // The visible table: page, views, unique users per row.
      const table = html.match(/data-testid="table-top-pages">([\s\S]*?)<\/table>/)?.[1] ?? "";
      for (const tr of table.matchAll(/<tr[^>]*>(<td[\s\S]*?)<\/tr>/g)) {
        const [page, views, users] = [...tr[1].matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((m) => htmlText(m[1]));
        const exp = want[id].get(page) ?? { views: 0, users: 0 };
        values += 2;
        if (views !== fmt.format(exp.views) || users !== fmt.format(exp.users)) miss(`${id} ${page} (HTML)`, [views, users], exp);
      }
    }
  }
  tally.responses++;
  tally.values += values;
}
