import "server-only";
import { DashboardDefinition, type DashboardDefinitionInput } from "@/lib/dashboards/definition";
import { recordAudit } from "@/lib/audit";
import { getDb } from "@/lib/db";
import { getEnv } from "@/lib/env";
import { publishVersion } from "@/lib/dashboards/publish-version";

// The demo dashboard: six widgets over the demo events, created and published
// as version 1 on first start, so a new install can embed it at once.

export const DEMO_DASHBOARD_ID = "dash_demo";

export const DEMO_DEFINITION: DashboardDefinitionInput = {
  timezone: "UTC",
  widgets: [
    { kind: "chart", id: "signups", title: "Signups", description: "New signups, compared with the previous period", chart: "kpi", metrics: [{ id: "event_count", event: "signup" }], time_range: { kind: "last_30_days" } },
    { kind: "chart", id: "revenue", title: "Revenue", description: "Sum of completed orders", chart: "kpi", metrics: [{ id: "value_sum", event: "order_completed" }], time_range: { kind: "last_30_days" } },
    { kind: "chart", id: "page-views", title: "Page views per day", chart: "line", metrics: [{ id: "event_count", event: "page_view" }], granularity: "day", time_range: { kind: "last_30_days" } },
    { kind: "chart", id: "signups-by-country", title: "Signups by country", chart: "bar", metrics: [{ id: "event_count", event: "signup" }], breakdown: "country", limit: 10, time_range: { kind: "last_30_days" } },
    { kind: "chart", id: "devices", title: "Events by device", chart: "donut", metrics: [{ id: "event_count" }], breakdown: "device", time_range: { kind: "last_30_days" } },
    { kind: "chart", id: "top-pages", title: "Top pages", chart: "table", metrics: [{ id: "event_count", event: "page_view" }, { id: "unique_users", event: "page_view" }], breakdown: "page", limit: 10, time_range: { kind: "last_30_days" } },
  ],
  layout: [
    { widget_id: "signups", x: 0, y: 0, w: 6, h: 2 },
    { widget_id: "revenue", x: 6, y: 0, w: 6, h: 2 },
    { widget_id: "page-views", x: 0, y: 2, w: 12, h: 4 },
    { widget_id: "signups-by-country", x: 0, y: 6, w: 6, h: 4 },
    { widget_id: "devices", x: 6, y: 6, w: 6, h: 4 },
    { widget_id: "top-pages", x: 0, y: 10, w: 12, h: 4 },
  ],
  filters: [{ kind: "date_range", default: { kind: "last_30_days" } }, { kind: "dimension", dimension: "country" }, { kind: "dimension", dimension: "plan" }],
};

/** Origins that may frame the demo: this server, the default port, and the example host on :4000. */
export function demoOrigins(): string[] {
  return [...new Set([new URL(getEnv().appUrl).origin, "http://localhost:3000", "http://localhost:4000"])];
}

/** Creates and publishes the demo when there are no dashboards at all. Returns whether it did. */
export async function ensureDemoDashboard(): Promise<boolean> {
  const db = getDb();
  if ((await db.dashboard.count()) > 0) return false;
  const definition = DashboardDefinition.parse(DEMO_DEFINITION);
  await db.dashboard.create({
    data: {
      id: DEMO_DASHBOARD_ID,
      name: "Product analytics",
      description: "Signups, revenue, traffic and devices — a demo over the demo events.",
      draft: JSON.stringify(definition),
      timezone: definition.timezone,
      allowedOrigins: JSON.stringify(demoOrigins()),
      createdBy: "system",
      updatedBy: "system",
    },
  });
  await recordAudit({ actor: "system", action: "dashboard.create", target: DEMO_DASHBOARD_ID, meta: { name: "Product analytics", demo: true } });
  await publishVersion({ dashboardId: DEMO_DASHBOARD_ID, note: "Demo dashboard", actor: "system" });
  return true;
}
