import type { DashboardSummary } from "@/lib/dashboards/drafts";

// "Preview as this tenant" on the tenants page opens one dashboard's preview:
// the most recently edited dashboard that is live (what the tenant's users
// see), else the most recently edited draft. None when there is no dashboard.

/** `dashboards` newest edit first, archived ones left out (as listDashboards returns them). */
export function tenantPreviewHref(dashboards: Pick<DashboardSummary, "id" | "liveVersion">[], tenantId: string): string | undefined {
  const dashboard = dashboards.find((d) => d.liveVersion !== null) ?? dashboards[0];
  if (!dashboard) return undefined;
  const params = new URLSearchParams({ tenant: tenantId, show: dashboard.liveVersion !== null ? "live" : "draft" });
  return `/admin/dashboards/${encodeURIComponent(dashboard.id)}/preview?${params}`;
}

/** The audit log filtered to entries whose target contains the tenant id (revocations, previews, erasures, retention). */
export function tenantAuditHref(tenantId: string): string {
  return `/admin/audit?${new URLSearchParams({ target: tenantId })}`;
}
