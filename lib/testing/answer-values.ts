// Reads the numbers a customer sees in a server-rendered answer (the embed
// page gets charts, not rows): the KPI value, each mark's label and value,
// table cells. Numbers come back as shown (grouped, at most two decimals).

const decode = (s: string) => s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
const number = (s: string) => (s.trim() === "—" ? null : Number(s.replace(/,/g, "")));

export function kpiValue(html: string): number | null {
  const m = /class="kpi-value"[^>]*>([^<]*)</.exec(html);
  if (!m) throw new Error("no KPI in the answer");
  return number(decode(m[1]));
}

/** Label → value of each mark (bar, slice, point), from its tooltip's last line. */
export function markValues(html: string): Record<string, number | null> {
  const out: Record<string, number | null> = {};
  for (const m of html.matchAll(/<[^>]*class="mark[^"]*"[^>]*>/g)) {
    const tag = m[0];
    const label = /data-value="([^"]*)"/.exec(tag)?.[1];
    const tip = /data-tip="([^"]*)"/.exec(tag)?.[1];
    if (label === undefined || tip === undefined) continue;
    const last = decode(tip).split("\n").pop()!;
    out[decode(label).replace(/ 00:00:00$/, "")] = number(last.slice(last.lastIndexOf(": ") + 2).replace(/ \([\d.]+%\)$/, ""));
  }
  return out;
}

/** Table body rows as the cells' text. */
export function tableRows(html: string): string[][] {
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(html)?.[1] ?? "";
  return [...body.matchAll(/<tr[^>]*>([\s\S]*?)<\/tr>/g)].map((r) => [...r[1].matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((c) => decode(c[1])));
}
