import { describe, expect, it } from "vitest";
import { renderWidgetBody } from "@/components/dashboard/render/render-widget-body";
import { chartView, days, sqlView, tags, textOf, withClass } from "@/components/dashboard/render/testing";
import type { WidgetView } from "@/lib/dashboards/describe-widget";
import { widgetCard } from "./widget-card";

// What a card tells the page's script and the viewer: whether and how it can
// be drilled into, which errors are its own, and what "no data" looks like —
// the same words on every kind of widget.

const COUNTRY = { id: "country", label: "Country" };
const DEVICE = { id: "device", label: "Device" };
const byCountry: WidgetView = { id: "w", title: "Signups by country", chart: "bar", kind: "chart", metricLabels: ["Events (signup)"], breakdown: COUNTRY, drillable: true };
const tools = (over: Partial<{ allowDrillDown: boolean; breakdown: string; dimensions: { id: string; label: string }[] }> = {}) => ({ dimensions: [COUNTRY, DEVICE], allowDrillDown: true, allowExport: false, ...over });
const item = { widget_id: "w", x: 0, y: 0, w: 6, h: 4 };
const section = (markup: string) => tags(markup).find((t) => t.name === "section")!.attrs;

describe("drilling: what a card says it can be drilled by", () => {
  it("a chart broken down by an allowed dimension drills by it; the breakdown chosen by the viewer wins", () => {
    expect(section(widgetCard(byCountry, item, { rows: [] }, tools()).__html)).toMatchObject({ "data-drill-field": "country", "data-drill-label": "Country", "data-drill-time": "day" });
    expect(section(widgetCard(byCountry, item, { rows: [] }, tools({ breakdown: "device" })).__html)).toMatchObject({ "data-drill-field": "device", "data-drill-label": "Device" });
  });

  it("no drilling without allow_drill_down, outside allowed_dimensions, on a KPI or on custom SQL", () => {
    const none = (markup: string) => expect(Object.keys(section(markup)).filter((a) => a.startsWith("data-drill"))).toEqual([]);
    none(widgetCard(byCountry, item, { rows: [] }, tools({ allowDrillDown: false })).__html);
    none(widgetCard({ ...byCountry, chart: "kpi", breakdown: undefined }, item, { rows: [{ m0: 1 }] }, tools()).__html);
    none(widgetCard(sqlView("bar"), item, { rows: [{ label: "a", n: 1 }] }, tools()).__html);
    const onlyDevice = section(widgetCard(byCountry, item, { rows: [] }, tools({ dimensions: [DEVICE] })).__html);
    expect(onlyDevice["data-drill-field"]).toBeUndefined();
  });

  it("marks and rows carry the raw value and which axis it is on", () => {
    const bars = renderWidgetBody(byCountry, [{ dimension: "US", m0: 3 }, { dimension: null, m0: 1 }], { height: 200 }).__html;
    expect(tags(bars).find((t) => t.attrs["data-axis"])?.attrs["data-axis"]).toBe("category");
    expect(withClass(bars, "mark").map((t) => t.attrs["data-value"])).toEqual(["US", undefined]);
    const line = renderWidgetBody(chartView({ chart: "line", granularity: "day" }), days(3).map((bucket, i) => ({ bucket, m0: i })), { height: 200 }).__html;
    expect(tags(line).find((t) => t.attrs["data-axis"])?.attrs["data-axis"]).toBe("time");
    const table = renderWidgetBody({ ...byCountry, chart: "table" }, [{ dimension: "US", m0: 3 }], { height: 200 }).__html;
    const row = tags(table).find((t) => t.name === "tr" && t.attrs["data-value"]);
    expect(row?.attrs).toMatchObject({ "data-value": "US", tabindex: "0" });
  });
});

describe("errors: one banner for the page, a card's own refusal on the card", () => {
  it("a timeout or an unavailable store is left to the page's banner, with the message for it", () => {
    const markup = widgetCard(byCountry, item, { error: { code: "query_timeout", message: "The query took too long (request abc)." } }, tools()).__html;
    const body = tags(markup).find((t) => t.attrs["data-error"])!.attrs;
    expect(body).toMatchObject({ "data-error": "query_timeout", "data-banner": "", "data-message": "The query took too long (request abc)." });
    expect(textOf(markup)).not.toContain("took too long");
  });

  it("a refusal that is the widget's own stays on its card", () => {
    const markup = widgetCard(byCountry, item, { error: { code: "forbidden", message: 'Breaking down by "device" is not allowed in this session.' } }, tools()).__html;
    expect(textOf(markup)).toContain("not allowed in this session");
    expect(tags(markup).some((t) => "data-banner" in t.attrs)).toBe(false);
  });
});

describe("empty states agree across widget kinds", () => {
  const kpi = (metric: 0 | null): WidgetView => chartView({ chart: "kpi", emptyValue: metric });
  it('an empty count reads "0", an empty sum "—", both with the words every empty chart uses', () => {
    expect(textOf(renderWidgetBody(kpi(0), [{ m0: 0, m0_previous: 0 }], { height: 90 }).__html)).toBe("0 No data for this period.");
    expect(textOf(renderWidgetBody(kpi(null), [{ m0: null, m0_previous: null }], { height: 90 }).__html)).toBe("— No data for this period.");
    expect(textOf(renderWidgetBody(chartView({ chart: "bar" }), [], { height: 200 }).__html)).toBe("No data for this period.");
    expect(textOf(renderWidgetBody(chartView({ chart: "table" }), [], { height: 200 }).__html)).toBe("No data for this period.");
  });

  it("a KPI with data says nothing of the kind; a sum of 0 is data", () => {
    expect(textOf(renderWidgetBody(kpi(0), [{ m0: 5, m0_previous: null }], { height: 90 }).__html)).toBe("5");
    expect(textOf(renderWidgetBody(kpi(null), [{ m0: 0, m0_previous: null }], { height: 90 }).__html)).toBe("0");
  });

  it("a KPI card is as tall as its content; chart cards keep their designed height", () => {
    const kpiCard = widgetCard({ ...byCountry, chart: "kpi", breakdown: undefined }, { ...item, h: 3 }, { rows: [{ m0: 1 }] }, tools()).__html;
    expect(/class="widget-body"(?! style)/.test(kpiCard)).toBe(true);
    expect(widgetCard(byCountry, item, { rows: [] }, tools()).__html).toMatch(/class="widget-body" style="height: \d+px"/);
  });
});

describe("tables on a narrow screen", () => {
  it("scroll in a focusable, labelled region (the page's script adds a hint while one overflows: e2e/embed-look.spec.ts)", () => {
    const markup = renderWidgetBody({ ...byCountry, chart: "table" }, [{ dimension: "US", m0: 3 }], { height: 200 }).__html;
    expect(withClass(markup, "widget-table")[0].attrs).toMatchObject({ tabindex: "0", role: "region", "aria-label": "Signups by country" });
  });
});
