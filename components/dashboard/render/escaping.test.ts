import { describe, expect, it } from "vitest";
import type { WidgetView } from "@/lib/dashboards/describe-widget";
import type { Row } from "./chart-data";
import { renderWidgetBody } from "./render-widget-body";
import { chartView, tags, textOf } from "./testing";

// Titles, labels, dimension values and SQL column names come from tenants'
// data or admins. Whatever they hold, the markup must be exactly the markup a
// harmless text of the same length gives, and the text must read back as it was.

const HOSTILE = [
  "<script>alert(1)</script>",
  '"><img src=x onerror=alert(1)>',
  "' onmouseover='alert(1)' x='",
  "</svg><script>alert(2)</script>",
  "javascript:alert(document.cookie)",
  "Tom & Jerry &amp; &lt;b&gt;",
];
const harmless = (s: string) => "x".repeat(s.length);
const ALLOWED_TAGS = new Set(["div", "span", "svg", "path", "rect", "ul", "li", "i", "p", "table", "thead", "tbody", "tr", "th", "td"]);
const CHARTS: WidgetView["chart"][] = ["kpi", "table", "line", "area", "bar", "stacked_bar", "pie", "donut"];

function chartCase(text: (s: string) => string, chart: WidgetView["chart"]): { widget: WidgetView; rows: Row[] } {
  const widget = chartView({ chart, title: text(HOSTILE[0]), metricLabels: [text(HOSTILE[1]), text(HOSTILE[2])], breakdown: { id: "page", label: text(HOSTILE[3]) } });
  if (chart === "kpi") return { widget, rows: [{ m0: 5, m0_previous: 4 }] };
  return { widget, rows: HOSTILE.map((h, i) => ({ dimension: text(h), m0: i + 1, m1: i * 2 })) };
}

function timeSeriesCase(text: (s: string) => string, chart: WidgetView["chart"]): { widget: WidgetView; rows: Row[] } {
  const widget = chartView({ chart, title: text(HOSTILE[5]), breakdown: { id: "page", label: text(HOSTILE[4]) } });
  return { widget, rows: ["2026-05-01 00:00:00", "2026-05-02 00:00:00"].flatMap((bucket) => HOSTILE.map((h, i) => ({ bucket, dimension: text(h), m0: i }))) };
}

function sqlCase(text: (s: string) => string, chart: WidgetView["chart"]): { widget: WidgetView; rows: Row[] } {
  const widget: WidgetView = { id: "q1", kind: "sql", title: text(HOSTILE[2]), chart, metricLabels: [], drillable: false };
  return { widget, rows: HOSTILE.map((h, i) => ({ [text(HOSTILE[0])]: text(h), [text(HOSTILE[3])]: i, [text(HOSTILE[4])]: i * 3 })) };
}

const shape = (markup: string) => tags(markup).map((t) => `${t.name}(${Object.keys(t.attrs).sort().join(",")})`);

describe.each([
  ["chart widget", chartCase],
  ["time series by a breakdown", timeSeriesCase],
  ["custom SQL widget", sqlCase],
] as const)("hostile text in a %s", (_, make) => {
  it.each(CHARTS)("%s: adds no tag or attribute, and reads back as written", (chart) => {
    const hostile = make((s) => s, chart);
    const out = renderWidgetBody(hostile.widget, hostile.rows, { height: 240 }).__html;
    const same = make(harmless, chart);
    expect(shape(out)).toEqual(shape(renderWidgetBody(same.widget, same.rows, { height: 240 }).__html));

    for (const t of tags(out)) {
      expect(ALLOWED_TAGS.has(t.name), t.name).toBe(true);
      for (const name of Object.keys(t.attrs)) expect(name).not.toMatch(/^(on|href|src|xlink|formaction|action)/i);
    }
    expect(out).not.toMatch(/<(script|img)/i); // such text is only ever there as &lt;script…
    if (chart !== "kpi") {
      const shown = [textOf(out), ...tags(out).flatMap((t) => [t.attrs["data-tip"] ?? "", t.attrs["aria-label"] ?? ""])].join("\n");
      expect(HOSTILE.filter((h) => shown.includes(h)).length).toBeGreaterThan(0);
      expect(shown).not.toMatch(/&amp;lt;|&amp;amp;/); // escaped once, not twice
    }
  });
});

describe("hostile text read back", () => {
  it("shows a hostile breakdown value as text in the legend, tooltips and drill value", () => {
    const { widget, rows } = timeSeriesCase((s) => s, "line");
    const out = renderWidgetBody(widget, rows, { height: 240 }).__html;
    const hits = tags(out).filter((t) => t.attrs.class === "mark hit");
    for (const h of HOSTILE) {
      expect(textOf(out)).toContain(h);
      expect(hits[0].attrs["data-tip"]).toContain(`${h}: `);
    }
  });

  it("keeps hostile SQL column names as table headers and bar drill values as written", () => {
    const table = sqlCase((s) => s, "table");
    const out = renderWidgetBody(table.widget, table.rows, { height: 240 }).__html;
    expect(tags(out).filter((t) => t.name === "th")).toHaveLength(3);
    expect(textOf(out)).toContain(`${HOSTILE[0]} ${HOSTILE[3]} ${HOSTILE[4]}`);

    const bars = chartCase((s) => s, "bar");
    const values = tags(renderWidgetBody(bars.widget, bars.rows, { height: 240 }).__html).flatMap((t) => (t.attrs["data-value"] ? [t.attrs["data-value"]] : []));
    expect(new Set(values)).toEqual(new Set(HOSTILE));
  });
});
