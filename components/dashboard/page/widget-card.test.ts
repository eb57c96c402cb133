import { describe, expect, it } from "vitest";
import type { WidgetView } from "@/lib/dashboards/describe-widget";
import { titleFor, widgetCard } from "./widget-card";

// A card's title follows the breakdown the viewer chose.

const view = (title: string, breakdown = { id: "country", label: "Country" }): WidgetView => ({ id: "w", title, chart: "bar", kind: "chart", metricLabels: ["Events (signup)"], breakdown, drillable: true });
const DEVICE = { id: "device", label: "Device" };
const tools = (breakdown?: string) => ({ dimensions: [{ id: "country", label: "Country" }, DEVICE, { id: "plan", label: "Plan" }], allowDrillDown: true, allowExport: false, breakdown });
const item = { widget_id: "w", x: 0, y: 0, w: 6, h: 4 };
const h2 = (html: string) => /<h2>(.*?)<\/h2>/.exec(html)?.[1];

describe("titles follow the breakdown in effect", () => {
  it("renames the breakdown the title names, keeping its case", () => {
    expect(titleFor(view("Signups by country"), DEVICE)).toBe("Signups by device");
    expect(titleFor(view("Signups By Country"), DEVICE)).toBe("Signups By Device");
    expect(titleFor(view("Revenue per country (top 10)"), DEVICE)).toBe("Revenue per device (top 10)");
  });

  it("adds the breakdown to a title that does not name one, and leaves the designed breakdown's title alone", () => {
    expect(titleFor(view("Top pages", { id: "page", label: "Page" }), { id: "country", label: "Country" })).toBe("Top pages, by country");
    expect(titleFor(view("Signups by country"), { id: "country", label: "Country" })).toBe("Signups by country");
    expect(titleFor(view("Signups by country"))).toBe("Signups by country");
    // "Countryside" is not the word "country".
    expect(titleFor(view("Signups by countryside visitors"), DEVICE)).toBe("Signups by countryside visitors, by device");
  });

  it("shows it on the card and in the chart's text alternative", () => {
    const outcome = { rows: [{ dimension: "mobile", m0: 3 }, { dimension: "desktop", m0: 2 }] };
    const card = widgetCard(view("Signups by country"), item, outcome, tools("device")).__html;
    expect(h2(card)).toBe("Signups by device");
    expect(card).not.toContain("by country");
    expect(h2(widgetCard(view("Signups by country"), item, outcome, tools()).__html)).toBe("Signups by country");
  });
});
