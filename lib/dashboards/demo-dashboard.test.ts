import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeAnalytics } from "@/lib/analytics/engine";
import { getDb } from "@/lib/db";
import { DashboardDefinition } from "@/lib/dashboards/definition";
import { DEMO_DASHBOARD_ID, ensureDemoDashboard } from "@/lib/dashboards/demo-dashboard";
import { compileWidget } from "@/lib/query/compile-widget";
import { runScoped } from "@/lib/query/run-scoped";
import { loadDemoFixture, previewScope } from "@/lib/testing/analytics-fixture";
import { migrateTestDatabase } from "@/lib/testing/test-db";

beforeAll(async () => {
  migrateTestDatabase();
  await loadDemoFixture(5_000);
});
afterAll(() => closeAnalytics());

describe("demo dashboard", () => {
  it("is created once, tenant-agnostic, with six widgets that all compile and run for a tenant", async () => {
    expect(await ensureDemoDashboard()).toBe(true);
    expect(await ensureDemoDashboard()).toBe(false);
    const row = await getDb().dashboard.findUniqueOrThrow({ where: { id: DEMO_DASHBOARD_ID } });
    expect(row.draft).not.toMatch(/tenant/i);
    const definition = DashboardDefinition.parse(JSON.parse(row.draft));
    expect(definition.widgets).toHaveLength(6);
    expect(new Set(definition.widgets.map((w) => w.chart)).size).toBeGreaterThanOrEqual(4);
    for (const widget of definition.widgets) {
      if (widget.kind !== "chart") continue;
      const result = await runScoped(previewScope("acme"), compileWidget(widget, previewScope("acme")));
      expect(result.rows.length, widget.id).toBeGreaterThan(0);
    }
  });

  it("rejects a definition that groups by the tenant column or repeats a widget id", () => {
    const widget = { kind: "chart", id: "a", title: "t", chart: "bar", metrics: [{ id: "event_count" }] };
    expect(() => DashboardDefinition.parse({ widgets: [{ ...widget, breakdown: "tenant_id" }] })).toThrow(/tenant column/);
    expect(() => DashboardDefinition.parse({ widgets: [widget, widget] })).toThrow(/used twice/);
  });
});
