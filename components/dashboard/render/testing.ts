import type { WidgetView } from "@/lib/dashboards/describe-widget";

// Helpers for the renderer's tests: read back the markup it wrote. The
// renderer escapes every value, so a tag never holds a raw < > " or ', and a
// regular expression tokenises its output exactly.

export type Tag = { name: string; attrs: Record<string, string> };

const ENTITIES: Record<string, string> = { "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#39;": "'" };

export const decode = (s: string) => s.replace(/&(amp|lt|gt|quot|#39);/g, (e) => ENTITIES[e]);

/** Every opening tag, in order, with its attributes decoded. */
export function tags(markup: string): Tag[] {
  const out: Tag[] = [];
  for (const m of markup.matchAll(/<([a-zA-Z][\w-]*)([^<>]*?)\/?>/g)) {
    const attrs: Record<string, string> = {};
    for (const a of m[2].matchAll(/\s([^\s=/]+)(?:="([^"]*)")?/g)) attrs[a[1]] = decode(a[2] ?? "");
    out.push({ name: m[1], attrs });
  }
  return out;
}

/** Opening tags carrying a class. */
export const withClass = (markup: string, cls: string) => tags(markup).filter((t) => (t.attrs.class ?? "").split(" ").includes(cls));

/** The text a reader sees: tags removed, entities decoded. */
export const textOf = (markup: string) => decode(markup.replace(/<[^>]*>/g, " ")).replace(/\s+/g, " ").trim();

/** The `M…` subpaths of an SVG path. */
export const subpaths = (d: string) => d.split("M").filter(Boolean);

export function chartView(v: Partial<WidgetView> & Pick<WidgetView, "chart">): WidgetView {
  return { id: "w1", title: "A widget", kind: "chart", metricLabels: ["Page views"], drillable: false, ...v };
}

export function sqlView(chart: WidgetView["chart"]): WidgetView {
  return { id: "q1", title: "A query", kind: "sql", chart, metricLabels: [], drillable: false };
}

export const days = (n: number) => Array.from({ length: n }, (_, i) => `${new Date(Date.UTC(2026, 3, 3) + i * 86_400_000).toISOString().slice(0, 10)} 00:00:00`);
