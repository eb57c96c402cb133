import { describe, expect, it } from "vitest";
import { DashboardDefinition, type DashboardDefinitionInput } from "@/lib/dashboards/definition";
import { hiddenAccessRefusal } from "@/lib/query/hidden-access";
import { Permissions } from "@/lib/query/permissions";
import { ChartWidget } from "@/lib/query/widget-spec";

// Hidden means hidden for AI answers and saved views too: a (metric family,
// event) pair that only hidden widgets show cannot be computed by a spec.

type WidgetInput = DashboardDefinitionInput["widgets"][number];
const chart = (id: string, extra: Partial<Extract<WidgetInput, { kind: "chart" }>>): WidgetInput => ({ kind: "chart", id, title: id, chart: "kpi", metrics: [{ id: "event_count" }], ...extra }) as WidgetInput;

const REVENUE = chart("revenue", { metrics: [{ id: "value_sum", event: "order_completed" }] });
const SIGNUPS = chart("signups", { metrics: [{ id: "event_count", event: "signup" }] });
const EVENTS = chart("events", { metrics: [{ id: "event_count" }] });
const ORDERS = chart("orders", { metrics: [{ id: "event_count", event: "order_completed" }] });

const dashboard = (...widgets: WidgetInput[]) => DashboardDefinition.parse({ widgets });
const hiding = (...ids: string[]) => Permissions.parse({ hidden_widgets: ids });
const spec = (extra: object) => ChartWidget.parse({ kind: "chart", id: "answer", title: "Answer", chart: "kpi", metrics: [{ id: "event_count" }], ...extra });

describe("hiddenAccessRefusal", () => {
  const demo = dashboard(SIGNUPS, REVENUE, ORDERS, EVENTS);

  it("refuses what only a hidden widget shows, in words that name neither the widget nor the metric", () => {
    const refusal = hiddenAccessRefusal(spec({ metrics: [{ id: "value_sum", event: "order_completed" }] }), demo, hiding("revenue"));
    expect(refusal).toBeDefined();
    expect(refusal).not.toMatch(/revenue|value|order|sum|hidden/i);
    // Every value metric of the event is the same family: the average or the median would give the hidden figure away too.
    for (const id of ["value_avg", "value_max", "value_p50"]) expect(hiddenAccessRefusal(spec({ metrics: [{ id, event: "order_completed" }] }), demo, hiding("revenue")), id).toBeDefined();
    // So does a value filter on the event's count (a histogram of the hidden values).
    expect(hiddenAccessRefusal(spec({ metrics: [{ id: "event_count", event: "order_completed" }], filters: [{ field: "value", op: "between", min: 0, max: 100 }] }), demo, hiding("revenue"))).toBeDefined();
  });

  it("allows what visible widgets show, and everything when nothing is hidden", () => {
    expect(hiddenAccessRefusal(spec({ metrics: [{ id: "event_count", event: "signup" }], breakdown: "country", chart: "bar" }), demo, hiding("revenue"))).toBeUndefined();
    expect(hiddenAccessRefusal(spec({ metrics: [{ id: "event_count", event: "order_completed" }] }), demo, hiding("revenue"))).toBeUndefined();
    expect(hiddenAccessRefusal(spec({ metrics: [{ id: "value_sum", event: "order_completed" }] }), demo, hiding())).toBeUndefined();
    expect(hiddenAccessRefusal(spec({ metrics: [{ id: "value_sum", event: "order_completed" }] }), demo, Permissions.parse({}))).toBeUndefined();
    // A pair a visible widget also shows is not hidden-only.
    const twice = dashboard(REVENUE, chart("revenue-2", { metrics: [{ id: "value_sum", event: "order_completed" }], chart: "line" }));
    expect(hiddenAccessRefusal(spec({ metrics: [{ id: "value_sum", event: "order_completed" }] }), twice, hiding("revenue"))).toBeUndefined();
  });

  it("refuses a metric over every event when that would include a hidden pair, unless a visible widget shows that total and nothing singles events out", () => {
    const all = spec({ metrics: [{ id: "value_sum" }] });
    expect(hiddenAccessRefusal(all, demo, hiding("revenue"))).toBeDefined();
    const withTotal = dashboard(REVENUE, chart("all-value", { metrics: [{ id: "value_sum" }] }));
    expect(hiddenAccessRefusal(all, withTotal, hiding("revenue"))).toBeUndefined();
    // A breakdown or a filter on event singles the hidden event out again.
    expect(hiddenAccessRefusal(spec({ chart: "bar", metrics: [{ id: "value_sum" }], breakdown: "event" }), withTotal, hiding("revenue"))).toBeDefined();
    expect(hiddenAccessRefusal(spec({ metrics: [{ id: "value_sum" }], filters: [{ field: "event", op: "equals", value: "order_completed" }] }), withTotal, hiding("revenue"))).toBeDefined();
    expect(hiddenAccessRefusal(spec({ metrics: [{ id: "value_sum" }], filters: [{ field: "event", op: "not_in", values: ["signup"] }] }), withTotal, hiding("revenue"))).toBeDefined();
    // So can any other breakdown or filter (only page views carry a page): only the visible total itself is allowed.
    expect(hiddenAccessRefusal(spec({ chart: "bar", metrics: [{ id: "value_sum" }], breakdown: "page" }), withTotal, hiding("revenue"))).toBeDefined();
    // An event filter that leaves the hidden event out is no way in.
    expect(hiddenAccessRefusal(spec({ metrics: [{ id: "value_sum" }], filters: [{ field: "event", op: "in", values: ["signup"] }] }), demo, hiding("revenue"))).toBeUndefined();
  });

  it("refuses each event of a hidden total one by one (their sum is the total)", () => {
    const d = dashboard(EVENTS, SIGNUPS);
    expect(hiddenAccessRefusal(spec({ metrics: [{ id: "event_count", event: "page_view" }] }), d, hiding("events"))).toBeDefined();
    expect(hiddenAccessRefusal(spec({ metrics: [{ id: "event_count", event: "order_completed" }] }), d, hiding("events"))).toBeDefined();
    // The one a visible widget shows stays allowed.
    expect(hiddenAccessRefusal(spec({ metrics: [{ id: "event_count", event: "signup" }] }), d, hiding("events"))).toBeUndefined();
  });

  it("a visible widget vouches only for what it shows in full: not a filtered or top-N subset", () => {
    const inDe = chart("revenue-de", { metrics: [{ id: "value_sum", event: "order_completed" }], filters: [{ field: "country", op: "equals", value: "DE" }] });
    const byCountry = chart("revenue-by-country", { chart: "bar", metrics: [{ id: "value_sum", event: "order_completed" }], breakdown: "country", limit: 3 });
    const total = spec({ metrics: [{ id: "value_sum", event: "order_completed" }] });
    expect(hiddenAccessRefusal(total, dashboard(REVENUE, inDe), hiding("revenue"))).toBeDefined();
    expect(hiddenAccessRefusal(total, dashboard(REVENUE, byCountry), hiding("revenue"))).toBeDefined();
    // An event filter is not a subset of the pair it selects.
    const selected = chart("orders-value", { metrics: [{ id: "value_sum" }], filters: [{ field: "event", op: "in", values: ["order_completed"] }] });
    expect(hiddenAccessRefusal(total, dashboard(REVENUE, selected), hiding("revenue"))).toBeUndefined();
  });

  it("conversion rates count the users of both events", () => {
    const buyers = chart("buyers", { metrics: [{ id: "unique_users", event: "order_completed" }] });
    const d = dashboard(buyers, SIGNUPS);
    expect(hiddenAccessRefusal(spec({ metrics: [{ id: "conversion_rate", from_event: "signup", to_event: "order_completed" }] }), d, hiding("buyers"))).toBeDefined();
    const funnel = chart("funnel", { metrics: [{ id: "conversion_rate", from_event: "signup", to_event: "order_completed" }] });
    expect(hiddenAccessRefusal(spec({ metrics: [{ id: "unique_users", event: "order_completed" }] }), dashboard(funnel, SIGNUPS), hiding("funnel"))).toBeDefined();
    expect(hiddenAccessRefusal(spec({ metrics: [{ id: "unique_users", event: "signup" }] }), dashboard(funnel, SIGNUPS), hiding("funnel"))).toBeDefined();
    expect(hiddenAccessRefusal(spec({ metrics: [{ id: "event_count", event: "order_completed" }] }), dashboard(funnel, SIGNUPS), hiding("funnel"))).toBeUndefined();
  });

  it("a value filter on a hidden widget hides the values of its events", () => {
    const bigOrders = chart("big-orders", { metrics: [{ id: "event_count", event: "order_completed" }], filters: [{ field: "value", op: "between", min: 100, max: 1_000 }] });
    const d = dashboard(bigOrders, ORDERS);
    expect(hiddenAccessRefusal(spec({ metrics: [{ id: "value_avg", event: "order_completed" }] }), d, hiding("big-orders"))).toBeDefined();
    expect(hiddenAccessRefusal(spec({ metrics: [{ id: "event_count", event: "order_completed" }] }), d, hiding("big-orders"))).toBeUndefined();
  });
});
