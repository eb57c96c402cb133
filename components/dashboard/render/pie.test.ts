import { describe, expect, it } from "vitest";
import { MAX_SLICES } from "./pie";
import { renderWidgetBody } from "./render-widget-body";
import { chartView, sqlView, tags, textOf, withClass } from "./testing";

const render = (...args: Parameters<typeof renderWidgetBody>) => renderWidgetBody(...args).__html;
const devices = chartView({ chart: "donut", title: "Events by device", metricLabels: ["Events"], breakdown: { id: "device", label: "Device" } });

/** A slice's start and end angles, read from its path: "M x,y A r,r,0,large,1,x,y …" (clockwise from 12 o'clock). */
function angles(d: string): { start: number; end: number; large: boolean } {
  const m = d.match(/^M(-?[\d.]+),(-?[\d.]+)A[\d.]+,[\d.]+,0,([01]),1,(-?[\d.]+),(-?[\d.]+)/);
  if (!m) throw new Error(`not a slice: ${d}`);
  const at = (x: string, y: string) => (Math.atan2(Number(x), -Number(y)) + 2 * Math.PI) % (2 * Math.PI);
  return { start: at(m[1], m[2]), end: at(m[4], m[5]), large: m[3] === "1" };
}

describe("pie and donut", () => {
  const values = [5120, 3980, 640];
  const out = render(devices, values.map((m0, i) => ({ dimension: ["desktop", "mobile", "tablet"][i], m0 })), { height: 240 });
  const slices = withClass(out, "slice");

  it("gives each category a slice in proportion to its value, the slices closing the circle", () => {
    expect(slices).toHaveLength(3);
    const arcs = slices.map((s) => angles(s.attrs.d));
    const sweeps = arcs.map((a, i) => (arcs[(i + 1) % 3].start - a.start + 2 * Math.PI) % (2 * Math.PI));
    expect(sweeps.reduce((a, b) => a + b, 0)).toBeCloseTo(2 * Math.PI, 2);
    const total = values.reduce((a, b) => a + b, 0);
    sweeps.forEach((sweep, i) => expect(sweep / (2 * Math.PI)).toBeCloseTo(values[i] / total, 2));
    arcs.forEach((a, i) => expect(a.large).toBe(sweeps[i] > Math.PI));
  });

  it("keeps its aspect ratio, cuts a hole for a donut, and labels slices in tooltips and the legend", () => {
    expect(tags(out).find((t) => t.name === "svg")?.attrs.preserveAspectRatio).toBe("xMidYMid meet");
    expect(slices[0].attrs.d).toMatch(/A44,44/); // the inner radius
    expect(render({ ...devices, chart: "pie" }, [{ dimension: "a", m0: 1 }, { dimension: "b", m0: 1 }], { height: 240 })).not.toMatch(/A44,44/);
    expect(slices[1].attrs).toMatchObject({ "data-tip": "mobile — Events: 3,980 (40.9%)", "data-value": "mobile", tabindex: "0", class: "mark slice s2" });
    expect(textOf(out.match(/<ul class="chart-legend">.*?<\/ul>/)?.[0] ?? "")).toBe("desktop mobile tablet");
    expect(tags(out)[0].attrs["aria-label"]).toBe("Events by device. Donut chart of Events by Device, 3 values.");
  });

  it("draws no slice for zero, negative or missing values", () => {
    const sparse = render(devices, [{ dimension: "a", m0: 3 }, { dimension: "b", m0: 0 }, { dimension: "c", m0: -2 }, { dimension: "d", m0: null }, { dimension: "e", m0: 1 }], { height: 240 });
    expect(withClass(sparse, "slice").map((s) => s.attrs["data-value"])).toEqual(["a", "e"]);
  });

  it(`shows at most ${MAX_SLICES} slices, grouping the rest as Other so shares stay true`, () => {
    const rows = Array.from({ length: 80 }, (_, i) => ({ dimension: `p${i}`, m0: 10 }));
    const many = render(devices, rows, { height: 240 });
    const shown = withClass(many, "slice");
    expect(shown).toHaveLength(MAX_SLICES);
    expect(shown.at(-1)?.attrs).toMatchObject({ class: "mark slice other", "data-tip": "Other (31 more) — Events: 310 (38.8%)" });
    expect(shown.at(-1)?.attrs["data-value"]).toBeUndefined(); // nothing to drill into
    expect(textOf(many)).toContain("Showing 49 of 80 values; the rest are grouped as Other.");
  });

  it("charts a custom-SQL query's first numeric column", () => {
    const sql = render(sqlView("pie"), [{ os: "linux", users: 1, share: 0.5 }, { os: "mac", users: 3, share: 0.5 }], { height: 240 });
    expect(withClass(sql, "slice").map((s) => s.attrs["data-tip"])).toEqual(["linux — users: 1 (25.0%)", "mac — users: 3 (75.0%)"]);
  });
});
