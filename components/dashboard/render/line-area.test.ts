import { describe, expect, it } from "vitest";
import { MAX_POINTS, renderWidgetBody } from "./render-widget-body";
import { chartView, days, sqlView, subpaths, tags, textOf, withClass } from "./testing";

const render = (...args: Parameters<typeof renderWidgetBody>) => renderWidgetBody(...args).__html;
const line = chartView({ id: "page-views", title: "Page views per day", chart: "line" });

describe("line chart", () => {
  const buckets = days(30);
  const out = render(line, buckets.map((bucket, i) => ({ bucket, m0: 1000 + i * 11 })), { height: 240 });

  it("has one focusable hit rectangle per bucket with its tooltip and raw bucket", () => {
    const hits = withClass(out, "hit");
    expect(hits).toHaveLength(30);
    expect(hits[3].attrs).toMatchObject({ class: "mark hit", "data-tip": "2026-04-06 — Page views: 1,033", "data-value": "2026-04-06 00:00:00", tabindex: "0" });
    // The rectangles tile the plot: each starts where the previous ends.
    const edges = hits.map((h) => [Number(h.attrs.x), Number(h.attrs.x) + Number(h.attrs.width)]);
    expect(edges[0][0]).toBe(0);
    expect(edges[29][1]).toBeCloseTo(1000, 0);
    for (let i = 1; i < 30; i++) expect(edges[i][0]).toBeCloseTo(edges[i - 1][1], 0);
  });

  it("is an image summarised by its title and what it shows, drawn as one unbroken line", () => {
    const root = tags(out)[0];
    expect(root.attrs.role).toBe("img");
    expect(root.attrs["aria-label"]).toBe("Page views per day. Line chart of Page views by period, 30 periods from 2026-04-03 to 2026-05-02.");
    const [path] = withClass(out, "line");
    expect(subpaths(path.attrs.d)).toHaveLength(1);
    expect(path.attrs["vector-effect"]).toBe("non-scaling-stroke");
    expect(tags(out).find((t) => t.name === "svg")?.attrs).toMatchObject({ viewBox: "0 0 1000 1000", preserveAspectRatio: "none" });
    expect(withClass(out, "chart-legend")).toHaveLength(0); // one series: no legend
  });

  it("labels the x axis with days (the latest always shown) and the y axis with nice ticks", () => {
    const x = out.match(/<div class="chart-x"[^>]*>(.*?)<\/div>/)?.[1] ?? "";
    expect(textOf(x).split(" ").at(-1)).toBe("2026-05-02");
    expect(x).not.toContain("00:00:00");
    const y = textOf(out.match(/<div class="chart-y">(.*?)<\/div>/)?.[1] ?? "");
    expect(y).toBe("0 200 400 600 800 1,000 1,200 1,400");
  });
});

describe("gaps and series", () => {
  it("leaves a gap for a null instead of dropping to zero", () => {
    const rows = days(5).map((bucket, i) => ({ bucket, m0: i === 2 ? null : 10 + i }));
    const out = render(line, rows, { height: 240 });
    const [path] = withClass(out, "line");
    expect(subpaths(path.attrs.d)).toHaveLength(2);
    expect(path.attrs.d).not.toContain(",1000"); // nothing drawn at y = 0
    expect(withClass(out, "hit")[2].attrs["data-tip"]).toBe("2026-04-05 — Page views: —");
  });

  it("draws a time series with a breakdown as one series per breakdown value", () => {
    const widget = chartView({ chart: "line", breakdown: { id: "country", label: "Country" } });
    const rows = days(4).flatMap((bucket, i) => ["DE", "FR", "US"].filter((d) => !(d === "FR" && i === 1)).map((dimension, j) => ({ bucket, dimension, m0: i * 10 + j })));
    const out = render(widget, rows, { height: 240 });
    const lines = withClass(out, "line");
    expect(lines.map((l) => l.attrs.class)).toEqual(["line s1", "line s2", "line s3"]);
    expect(subpaths(lines[1].attrs.d)).toHaveLength(2); // FR has no row for the second day
    expect(textOf(out.match(/<ul class="chart-legend">.*?<\/ul>/)?.[0] ?? "")).toBe("DE FR US");
    const hits = withClass(out, "hit");
    expect(hits).toHaveLength(4);
    expect(hits[1].attrs["data-tip"]).toBe("2026-04-04\nDE: 10\nFR: —\nUS: 11");
  });

  it("stacks areas: the second series' top line is at the sum of both", () => {
    const widget = chartView({ chart: "area", metricLabels: ["A", "B"] });
    const out = render(widget, days(2).map((bucket) => ({ bucket, m0: 20, m1: 30 })), { height: 240 });
    expect(withClass(out, "area-fill")).toHaveLength(2);
    const tops = withClass(out, "area-line").map((l) => l.attrs.d);
    expect(tops).toEqual(["M0,600L1000,600", "M0,0L1000,0"]); // y domain 0–50: 20 → 600, 50 → 0
    expect(withClass(out, "hit")[0].attrs["data-tip"]).toBe("2026-04-03\nA: 20\nB: 30");
  });
});

describe("custom SQL and limits", () => {
  it("plots a query's first column as labels and its numeric columns as series", () => {
    const rows = [
      { day: "Mon", signups: 3, revenue: null, note: "a" },
      { day: "Tue", signups: 5, revenue: 12.5, note: "b" },
    ];
    const out = render(sqlView("line"), rows, { height: 240 });
    expect(withClass(out, "line")).toHaveLength(2);
    expect(textOf(out.match(/<ul class="chart-legend">.*?<\/ul>/)?.[0] ?? "")).toBe("signups revenue");
    expect(withClass(out, "hit").map((h) => h.attrs["data-value"])).toEqual(["Mon", "Tue"]);
    expect(withClass(out, "hit")[1].attrs["data-tip"]).toBe("Tue\nsignups: 5\nrevenue: 12.5");
  });

  it("says so instead of charting a query with no numeric column", () => {
    expect(textOf(render(sqlView("bar"), [{ a: "x", b: "y" }], { height: 240 }))).toBe("Nothing to chart: the result has no numeric column.");
  });

  it(`draws at most ${MAX_POINTS} points per series, the latest, and says so`, () => {
    const buckets = days(2_500);
    const out = render(line, buckets.map((bucket, i) => ({ bucket, m0: i })), { height: 240 });
    const hits = withClass(out, "hit");
    expect(hits).toHaveLength(MAX_POINTS);
    expect(hits[0].attrs["data-value"]).toBe(buckets[500]);
    expect(subpaths(withClass(out, "line")[0].attrs.d)[0].split("L")).toHaveLength(MAX_POINTS);
    expect(textOf(out)).toContain("Showing the last 2,000 of 2,500 periods.");
  });
});
