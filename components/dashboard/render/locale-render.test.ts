import { describe, expect, it } from "vitest";
import { renderWidgetBody } from "./render-widget-body";
import { chartView, days, tags, textOf } from "./testing";

// A widget drawn for a German viewer with metric formats: the KPI, the table's
// metric columns, the tooltips and the y axis all read in the metric's format
// and the locale; the renderer's own words come from the catalog.

const EUR = { kind: "currency", currency: "EUR" } as const;
// Intl writes a no-break space before "€" and "%" in German; textOf reads it as a space.
const tips = (markup: string) => tags(markup).flatMap((t) => (t.attrs["data-tip"] ? [t.attrs["data-tip"]] : []));
const yTicks = (markup: string) => (markup.match(/<div class="chart-y">(.*?)<\/div>/)?.[1].match(/>[^<]+</g) ?? []).map((s) => s.slice(1, -1));

describe("formats and locale in the drawn widgets", () => {
  it("a KPI in euros for a German viewer, with its change and words in German", () => {
    const kpi = chartView({ id: "revenue", chart: "kpi", metricLabels: ["Revenue"], metricFormats: [EUR] });
    const out = renderWidgetBody(kpi, [{ m0: 98_765.43, m0_previous: 80_000 }], { height: 90, locale: "de-DE" }).__html;
    expect(textOf(out)).toBe("98.765,43 € ▲ 23,5 % ggü. Vorperiode");
    expect(textOf(renderWidgetBody(kpi, [{ m0: 98_765.43, m0_previous: 80_000 }], { height: 90 }).__html)).toBe("€98,765.43 ▲ 23.5% vs previous period");
  });

  it("a table formats each metric column by its own format; the period column as a German date", () => {
    const table = chartView({ id: "t", chart: "table", metricLabels: ["Revenue", "Conversion"], metricFormats: [EUR, { kind: "percent" }] });
    const out = renderWidgetBody(table, [{ bucket: "2026-04-06 00:00:00", m0: 1234.5, m1: 0.125 }], { height: 240, locale: "de" }).__html;
    expect(textOf(out)).toContain("Zeitraum Revenue Conversion 06.04.2026 1.234,50 € 12,5 %");
  });

  it("a time series' tooltips and y axis in the metric's format and the locale", () => {
    const line = chartView({ id: "l", chart: "line", metricLabels: ["Revenue"], metricFormats: [EUR], granularity: "day" });
    const rows = days(3).map((bucket, i) => ({ bucket, m0: 10_000 * (i + 1) + 0.5 }));
    const out = renderWidgetBody(line, rows, { height: 240, locale: "de" }).__html;
    expect(tips(out)[0]).toBe("3. Apr. 2026 — Revenue: 10.000,50\u00a0€");
    expect(yTicks(out).every((t) => t.endsWith("€"))).toBe(true);
    expect(tags(out).find((t) => t.attrs.role === "img")?.attrs["aria-label"]).toMatch(/^A widget\. Liniendiagramm von Revenue nach Zeitraum, 3 Zeiträume vom 03\.04\.2026 bis 05\.04\.2026\.$/);
  });

  it("bars with a breakdown: tooltips in the locale; the empty state in German", () => {
    const bars = chartView({ id: "b", chart: "bar", metricLabels: ["Conversion"], metricFormats: [{ kind: "percent" }], breakdown: { id: "country", label: "Country" } });
    const out = renderWidgetBody(bars, [{ dimension: "DE", m0: 0.5 }, { dimension: "US", m0: 0.25 }], { height: 240, locale: "de" }).__html;
    expect(tips(out)).toEqual(["DE — Conversion: 50\u00a0%", "US — Conversion: 25\u00a0%"]);
    expect(textOf(renderWidgetBody(bars, [], { height: 240, locale: "de" }).__html)).toBe("Keine Daten für diesen Zeitraum.");
  });
});
