import type { ExpectedNumbers, ExpectedWidgets } from "./expected";

// The leak check: every embed page rendered during the load must show its own
// tenant's numbers. Two readings of each response are compared with the
// numbers computed in memory from the generated events:
//  - the widget results the page carries for hydration (all six widgets, raw), and
//  - what is visible in the server-rendered HTML (the KPI values, the top-pages table).

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

const fmt = new Intl.NumberFormat("en", { maximumFractionDigits: 2 });
const near = (a: unknown, b: number) => (a === null ? b === 0 : typeof a === "number" && Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b)));
const htmlText = (s: string) => s.replace(/<!-- -->/g, "").replace(/&amp;/g, "&").trim();

export function checkEmbed(html: string, tenant: string, expected: ExpectedNumbers, tally: LeakTally, now = new Date()): void {
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
      for (const tr of table.matchAll(/<tr>(<td[\s\S]*?)<\/tr>/g)) {
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
