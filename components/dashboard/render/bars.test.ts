import { describe, expect, it } from "vitest";
import { MAX_BARS, renderWidgetBody } from "./render-widget-body";
import { chartView, days, sqlView, tags, textOf, withClass } from "./testing";

const render = (...args: Parameters<typeof renderWidgetBody>) => renderWidgetBody(...args).__html;
const box = (t: { attrs: Record<string, string> }) => ({ x: Number(t.attrs.x), y: Number(t.attrs.y), w: Number(t.attrs.width), h: Number(t.attrs.height) });

describe("stacked bars", () => {
  // Sums 60 and 30: the y axis runs 0–60, so 60 is the top of the plot (y = 0) and 30 its middle.
  const widget = chartView({ chart: "stacked_bar", metricLabels: ["A", "B", "C"], breakdown: { id: "plan", label: "Plan" } });
  const out = render(
    widget,
    [
      { dimension: "pro", m0: 10, m1: 20, m2: 30 },
      { dimension: "free", m0: 5, m1: 10, m2: 15 },
    ],
    { height: 240 },
  );
  const bars = withClass(out, "bar").map(box);

  it("stacks each category's segments, the last one ending at the sum", () => {
    expect(bars).toHaveLength(6);
    const [pro, free] = [bars.slice(0, 3), bars.slice(3)];
    for (const segments of [pro, free]) {
      expect(segments[0].y + segments[0].h).toBeCloseTo(1000, 0); // from the baseline
      for (let s = 1; s < 3; s++) {
        expect(segments[s].y + segments[s].h).toBeCloseTo(segments[s - 1].y, 0); // on top of the one below
        expect(segments[s].x).toBe(segments[0].x);
      }
    }
    expect(pro[2].y).toBeCloseTo(0, 0); // 60
    expect(free[2].y).toBeCloseTo(500, 0); // 30
    expect(pro.map((b) => b.h)).toEqual([166.7, 333.3, 500]);
  });

  it("puts the category and the segment's own value on each bar", () => {
    expect(withClass(out, "bar")[1].attrs).toMatchObject({ "data-tip": "pro — B: 20", "data-value": "pro", tabindex: "0", class: "mark bar s2" });
    expect(textOf(out.match(/<ul class="chart-legend">.*?<\/ul>/)?.[0] ?? "")).toBe("A B C");
  });

  it("stacks negative values downwards from zero", () => {
    const neg = render(widget, [{ dimension: "x", m0: 10, m1: -10, m2: 10 }], { height: 240 });
    const [a, b, c] = withClass(neg, "bar").map(box);
    // y axis −10…20: zero sits two thirds down.
    expect(b.y).toBeCloseTo(a.y + a.h, 0);
    expect(b.y + b.h).toBeCloseTo(1000, 0);
    expect(c.y + c.h).toBeCloseTo(a.y, 0);
  });
});

describe("bars", () => {
  it("groups several metrics side by side, each bar as tall as its value", () => {
    const widget = chartView({ chart: "bar", metricLabels: ["Events", "Users"], breakdown: { id: "country", label: "Country" } });
    const out = render(
      widget,
      [
        { dimension: "US", m0: 100, m1: 50 },
        { dimension: "DE", m0: 40, m1: null },
      ],
      { height: 240 },
    );
    const bars = withClass(out, "bar").map(box);
    expect(bars).toHaveLength(3); // no bar for the null
    expect(bars[1].x).toBeGreaterThanOrEqual(bars[0].x + bars[0].w);
    expect(bars[2].x).toBeGreaterThan(bars[1].x + bars[1].w);
    expect(bars.map((b) => b.h)).toEqual([1000, 500, 400]);
    expect(tags(out)[0].attrs["aria-label"]).toBe("A widget. Bar chart of Events, Users by Country, 2 values.");
  });

  it("centres category labels under their bars, the last one in a box that ends at the chart's edge", () => {
    const out = render(chartView({ chart: "bar", breakdown: { id: "country", label: "Country" } }), [{ dimension: "US", m0: 1 }, { dimension: "DE", m0: 2 }], { height: 240 });
    const centres = withClass(out, "bar").map(box).map((b) => (b.x + b.w / 2) / 10);
    expect(Number(out.match(/left:([\d.]+)%/)?.[1])).toBeCloseTo(centres[0], 1);
    // left: calc(L% - 12px); right: -12px — the box's middle is (L + 100) / 2 percent.
    const fit = out.match(/class="fit" style="left:calc\((-?[\d.]+)% - 12px\);right:-12px"><span>DE</);
    expect((Number(fit?.[1]) + 100) / 2).toBeCloseTo(centres[1], 1);
  });

  it("charts custom-SQL rows", () => {
    const out = render(sqlView("bar"), [{ plan: "pro", n: 4 }, { plan: "free", n: 8 }], { height: 240 });
    expect(withClass(out, "bar").map((b) => b.attrs["data-tip"])).toEqual(["pro — n: 4", "free — n: 8"]);
  });

  it(`shows at most ${MAX_BARS} categories of a breakdown, and says so`, () => {
    const rows = Array.from({ length: 60 }, (_, i) => ({ dimension: `c${i}`, m0: 60 - i }));
    const out = render(chartView({ chart: "bar", breakdown: { id: "page", label: "Page" } }), rows, { height: 240 });
    expect(withClass(out, "bar")).toHaveLength(MAX_BARS);
    expect(withClass(out, "bar").at(-1)?.attrs["data-value"]).toBe("c49");
    expect(textOf(out)).toContain("Showing the first 50 of 60 rows.");
  });

  it("keeps every period of a bar chart over time (90 days are not cut to 50)", () => {
    const out = render(chartView({ chart: "stacked_bar" }), days(90).map((bucket) => ({ bucket, m0: 1 })), { height: 240 });
    expect(withClass(out, "bar")).toHaveLength(90);
  });
});
