import { describe, expect, it } from "vitest";
import { describeWidget } from "@/lib/dashboards/describe-widget";
import { compileWidget } from "@/lib/query/compile-widget";
import { ChartWidget, MetricRef, type WidgetInput } from "@/lib/query/widget-spec";
import { previewScope } from "@/lib/testing/analytics-fixture";

// A metric's format is how its values read: validated like the rest of the
// spec, carried to the renderer, and never part of the SQL.

const NOW = new Date("2026-06-01T12:00:00Z");
const widget = (input: Partial<WidgetInput>) => ChartWidget.parse({ kind: "chart", id: "w1", title: "t", chart: "bar", breakdown: "country", metrics: [{ id: "event_count" }], ...input });
const issue = (input: unknown) => {
  const parsed = MetricRef.safeParse(input);
  return parsed.success ? undefined : parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
};

describe("a metric's format", () => {
  it("accepts number, currency with an ISO 4217 code, percent and duration", () => {
    for (const format of [{ kind: "number" }, { kind: "currency", currency: "EUR" }, { kind: "percent" }, { kind: "duration" }]) {
      expect(issue({ id: "value_sum", format })).toBeUndefined();
    }
    expect(issue({ id: "conversion_rate", from_event: "signup", to_event: "order_completed", format: { kind: "percent" } })).toBeUndefined();
  });

  it("refuses a currency that is not three capital letters, an unknown kind and extra fields", () => {
    for (const currency of ["eur", "EURO", "E1R", "", "€"]) expect(issue({ id: "value_sum", format: { kind: "currency", currency } })).toMatch(/ISO 4217/);
    expect(issue({ id: "value_sum", format: { kind: "currency" } })).toMatch(/format\.currency/);
    expect(issue({ id: "value_sum", format: { kind: "money" } })).toBeDefined();
    expect(issue({ id: "value_sum", format: { kind: "percent", scale: 100 } })).toBeDefined();
    expect(issue({ id: "value_sum", format: { kind: "number", currency: "EUR" } })).toBeDefined();
    expect(issue({ id: "value_sum", format: "currency" })).toBeDefined();
  });

  it("compiles to exactly the SQL and parameters of the same widget without formats", () => {
    const scope = previewScope("acme");
    const plain = widget({ metrics: [{ id: "value_sum", event: "order_completed" }, { id: "conversion_rate", from_event: "signup", to_event: "order_completed" }] });
    const formatted = widget({ metrics: [{ id: "value_sum", event: "order_completed", format: { kind: "currency", currency: "EUR" } }, { id: "conversion_rate", from_event: "signup", to_event: "order_completed", format: { kind: "percent" } }] });
    const a = compileWidget(plain, scope, { now: NOW });
    const b = compileWidget(formatted, scope, { now: NOW });
    expect(b.sql).toBe(a.sql);
    expect(b.params).toEqual(a.params);
  });

  it("reaches the renderer by metric index, and not at all when every metric is a plain number", () => {
    const view = describeWidget(widget({ metrics: [{ id: "event_count" }, { id: "value_sum", format: { kind: "currency", currency: "JPY" } }] }));
    expect(view.metricFormats).toEqual([null, { kind: "currency", currency: "JPY" }]);
    expect(describeWidget(widget({ metrics: [{ id: "event_count", format: { kind: "number" } }] })).metricFormats).toBeUndefined();
  });
});
