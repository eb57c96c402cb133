import { describe, expect, it } from "vitest";
import { widgetCard } from "@/components/dashboard/page/widget-card";
import { renderWidgetBody } from "./render-widget-body";
import { chartView, days, subpaths, tags, textOf, withClass } from "./testing";

// "Compare to previous period" as drawn: a compared time series' rows carry
// the period before (m0_previous…, bucket_previous, from
// lib/query/compare-periods.ts); each metric gets a dashed line of its own
// colour, a legend entry and tooltip lines saying "(previous period)". A
// card whose comparison was dropped says why.

const render = (...args: Parameters<typeof renderWidgetBody>) => renderWidgetBody(...args).__html;
const current = days(14);
const before = Array.from({ length: 14 }, (_, i) => `${new Date(Date.UTC(2026, 2, 20) + i * 86_400_000).toISOString().slice(0, 10)} 00:00:00`);
const compared = (n = 14) => current.slice(0, n).map((bucket, i) => ({ bucket, m0: 100 + i, m1: 10 * i, bucket_previous: before[i] ?? null, m0_previous: before[i] ? 50 + i : null, m1_previous: before[i] ? 400 : null }));
const view = chartView({ id: "signups", title: "Signups per day", chart: "line", metricLabels: ["Signups", "Revenue"], granularity: "day" });

describe("previous period on time series", () => {
  it("draws one dashed line per metric, in the metric's colour, over the same buckets", () => {
    const out = render(view, compared(), { height: 240 });
    const lines = withClass(out, "previous");
    expect(lines.filter((t) => t.name === "path").map((t) => t.attrs.class)).toEqual(["line previous s1", "line previous s2"]);
    expect(subpaths(lines[0].attrs.d)).toHaveLength(1);
    // Bucket i of the period before at bucket i of the period shown: the same x positions as the current line.
    const xs = (d: string) => d.split(/[ML]/).filter(Boolean).map((p) => p.split(",")[0]);
    const [currentLine] = withClass(out, "line").filter((t) => !t.attrs.class.includes("previous"));
    expect(xs(lines[0].attrs.d)).toEqual(xs(currentLine.attrs.d));
  });

  it("names the previous period in the legend and in each tooltip, with its own date", () => {
    const out = render(view, compared(), { height: 240 });
    const legend = textOf(out.match(/<ul class="chart-legend">.*?<\/ul>/)?.[0] ?? "");
    expect(legend).toBe("Signups Revenue Signups (previous period) Revenue (previous period)");
    expect(withClass(out, "chart-legend")).toHaveLength(1);
    expect(tags(out).filter((t) => t.name === "i").map((t) => t.attrs.class)).toEqual(["s1", "s2", "s1 previous", "s2 previous"]);
    const tip = withClass(out, "hit")[2].attrs["data-tip"];
    expect(tip).toContain("Signups: 102");
    // The period before's own date, at the chart's granularity (22 March: bucket 2 of a period starting 20 March).
    expect(tip).toMatch(/\nSignups \(previous period, [^)]*22[^)]*\): 52(\n|$)/);
    expect(tip).toMatch(/\nRevenue \(previous period, [^)]*22[^)]*\): 400(\n|$)/);
  });

  it("leaves a gap where the period before has no bucket, and widens the axis to hold it", () => {
    const rows = compared().map((r, i) => (i >= 10 ? { ...r, bucket_previous: null, m0_previous: null, m1_previous: null } : r));
    const out = render(view, rows, { height: 240 });
    const [line] = withClass(out, "previous");
    expect(line.attrs.d.split("L")).toHaveLength(10);
    const y = textOf(out.match(/<div class="chart-y">(.*?)<\/div>/)?.[1] ?? "");
    expect(Number(y.split(" ").at(-1)!.replace(",", ""))).toBeGreaterThanOrEqual(400);
  });

  it("draws the period before on bar charts over time, and stacks it where the chart stacks", () => {
    const bars = render(chartView({ chart: "bar", metricLabels: ["Orders"], granularity: "day" }), compared().map(({ bucket, m0, bucket_previous, m0_previous }) => ({ bucket, m0, bucket_previous, m0_previous })), { height: 240 });
    expect(withClass(bars, "previous").filter((t) => t.name === "path")).toHaveLength(1);
    expect(withClass(bars, "bar")[0].attrs["data-tip"]).toMatch(/\nOrders \(previous period, [^)]*20[^)]*\): 50$/);
    const stacked = render(chartView({ chart: "stacked_bar", metricLabels: ["Views", "Signups"] }), [{ bucket: current[0], m0: 1, m1: 2, bucket_previous: before[0], m0_previous: 3, m1_previous: 4 }, { bucket: current[1], m0: 1, m1: 2, bucket_previous: before[1], m0_previous: 3, m1_previous: 4 }], { height: 240 });
    const y = textOf(stacked.match(/<div class="chart-y">(.*?)<\/div>/)?.[1] ?? "");
    expect(Number(y.split(" ").at(-1))).toBeGreaterThanOrEqual(7); // 3 + 4 stacked
  });

  it("draws nothing more without the previous period, and says it in the viewer's language", () => {
    const plain = render(view, compared().map(({ bucket, m0, m1 }) => ({ bucket, m0, m1 })), { height: 240 });
    expect(withClass(plain, "previous")).toHaveLength(0);
    expect(plain).not.toContain("previous period");
    const german = render(view, compared(), { height: 240, locale: "de" });
    expect(textOf(german.match(/<ul class="chart-legend">.*?<\/ul>/)?.[0] ?? "")).toContain("Signups (Vorperiode)");
  });

  it("puts a note on the card when the comparison was dropped, and none when shown", () => {
    const item = { widget_id: "signups", x: 0, y: 0, w: 6, h: 4 };
    const tools = { dimensions: [], allowDrillDown: true, allowExport: false };
    const rows = compared().map(({ bucket, m0, m1 }) => ({ bucket, m0, m1 }));
    const tooLong = widgetCard(view, item, { rows, compare: "too_long" }, tools).__html;
    expect(textOf(withClass(tooLong, "compare-note").length ? tooLong.match(/<p class="muted widget-desc compare-note"[^>]*>.*?<\/p>/)![0] : "")).toBe(
      "Not compared with the previous period: both together are longer than this dashboard allows.",
    );
    const brokenDown = widgetCard(view, item, { rows, compare: "broken_down" }, tools).__html;
    expect(brokenDown).toContain("Not compared with the previous period while broken down.");
    expect(withClass(widgetCard(view, item, { rows: compared(), compare: "shown" }, tools).__html, "compare-note")).toHaveLength(0);
    expect(withClass(widgetCard(view, item, { rows }, tools).__html, "compare-note")).toHaveLength(0);
  });
});
