import "server-only";
import { dashboardMarkup } from "@/components/dashboard/page/document";
import { recordAudit } from "@/lib/audit";
import type { AdminContext } from "@/lib/auth/admin-session";
import { loadPreviewSource, type PreviewShow } from "@/lib/dashboards/load-source";
import { pageModel } from "@/lib/dashboards/page-model";
import { DEFAULT_LOCALE } from "@/lib/embed/messages";
import { mintPreviewToken, PREVIEW_TOKEN_TTL_SECONDS } from "@/lib/embed/tokens";
import type { Permissions } from "@/lib/query/permissions";
import { initialState, runDashboard, type DashboardReader, type WidgetOutcome, type WidgetTrace } from "@/lib/query/run-dashboard";
import { scopeForAdminPreview } from "@/lib/query/scope";

// Preview as a tenant: the draft, the live version or any version, read
// through the same front door and drawn by the same page as the embed (its
// script calls the same data endpoints, with a preview token), plus what only
// an admin sees per widget: the statement that answered it, the engine's row
// filter, rows read and time.

export type PreviewTarget = { dashboardId: string; show: PreviewShow; tenantId: string; permissions: Permissions };

export type SqlPanel =
  | { widget_id: string; title: string; sql: string; params: Record<string, unknown>; engine_filter: string; rows_read: number; elapsed_ms: number; shared_with: string[]; source: WidgetTrace["source"] }
  | { widget_id: string; title: string; error: string };

export async function runPreview(admin: AdminContext, target: PreviewTarget) {
  const source = await loadPreviewSource(target.dashboardId, target.show);
  const scope = scopeForAdminPreview({ kind: "admin", admin }, target.tenantId);
  // Views and questions belong to an end user's session; the preview has its own ask panel.
  const permissions: Permissions = { ...target.permissions, allow_ai: false, allow_save_views: false };
  const reader: DashboardReader = { scope, permissions, source, audience: "admin", cache: false };
  const state = initialState(source.definition);
  const render = await runDashboard(reader, state);
  const traces = await Promise.all(render.outcomes.map((o) => render.traces.get(o.widget_id)!));
  const titles = new Map(render.widgets.map((w) => [w.id, w.title]));
  const panels: SqlPanel[] = render.outcomes.map((o, i): SqlPanel => {
    const trace = traces[i];
    const title = titles.get(o.widget_id) ?? o.widget_id;
    if ("error" in o || !trace) return { widget_id: o.widget_id, title, error: "error" in o ? o.error.message : "This widget could not be run." };
    return { widget_id: o.widget_id, title, sql: trace.sql, params: trace.params, engine_filter: trace.engine_filter, rows_read: trace.rows_read, elapsed_ms: trace.elapsed_ms, shared_with: trace.shared_with.map((id) => titles.get(id) ?? id), source: trace.source };
  });
  await recordAudit({ actor: admin.actor, action: "dashboard.preview", target: target.dashboardId, meta: { tenant_id: target.tenantId, show: source.label, permissions: target.permissions } });
  const token = await mintPreviewToken({ admin: admin.id, tenant: target.tenantId, dashboard: target.dashboardId, show: target.show, permissions });
  const model = pageModel({
    title: source.name,
    definition: source.definition,
    permissions,
    widgets: render.widgets,
    layout: render.layout,
    state,
    session: { mode: "preview", dataToken: token, sessionExpiresAt: new Date(Date.now() + PREVIEW_TOKEN_TTL_SECONDS * 1000).toISOString(), sessionExpiresInMs: PREVIEW_TOKEN_TTL_SECONDS * 1000, origins: [], locale: DEFAULT_LOCALE },
  });
  const outcomes = new Map<string, WidgetOutcome>(render.outcomes.map((o) => [o.widget_id, o]));
  // Each widget's answer, to mark the widgets whose numbers differ between two panes side by side.
  const answers = Object.fromEntries(render.outcomes.map((o) => [o.widget_id, "error" in o ? `error:${o.error.code}` : JSON.stringify(o.rows)]));
  return { label: source.label, markup: dashboardMarkup(model, outcomes), panels, queries: render.plan.queries, answers };
}
