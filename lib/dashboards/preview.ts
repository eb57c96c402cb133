import "server-only";
import { recordAudit } from "@/lib/audit";
import type { AdminContext } from "@/lib/auth/admin-session";
import { describeWidget, type WidgetView } from "@/lib/dashboards/describe-widget";
import type { DashboardDefinition } from "@/lib/dashboards/definition";
import { getDraft } from "@/lib/dashboards/drafts";
import { getVersionDefinition, listVersions } from "@/lib/dashboards/versions";
import { Permissions } from "@/lib/query/permissions";
import { AppError } from "@/lib/errors";
import { DIMENSIONS, resolveDimension } from "@/lib/query/catalog";
import { readFilterValues } from "@/lib/query/filter-values";
import { prepareWidget } from "@/lib/query/prepare-widget";
import { runScoped, scopedSettings } from "@/lib/query/run-scoped";
import { scopeForAdminPreview } from "@/lib/query/scope";
import type { FilterState } from "@/lib/query/widget-spec";

// Preview as a tenant: the draft, the live version or any version, through
// the same compiler, executor and dashboard components as the embed, plus
// what only an admin sees (effective SQL, engine filter, rows read, time).

export type PreviewTarget = { dashboardId: string; show: "draft" | "live" | number; tenantId: string; permissions: Permissions };

export type SqlPanel = { widget_id: string; title: string; sql: string; params: Record<string, unknown>; engine_filter: string; rows_read: number; elapsed_ms: number } | { widget_id: string; title: string; error: string };

export async function loadPreviewDefinition(dashboardId: string, show: PreviewTarget["show"]): Promise<{ definition: DashboardDefinition; label: string; versionKey: string }> {
  if (show === "draft") {
    const draft = await getDraft(dashboardId);
    return { definition: draft.definition, label: "draft", versionKey: `draft:${draft.revision}` };
  }
  const versions = await listVersions(dashboardId);
  const version = show === "live" ? versions.find((v) => v.live) : versions.find((v) => v.number === show);
  if (!version) throw new AppError("not_found", show === "live" ? "This dashboard has no live version yet." : `There is no version ${show}.`);
  return { definition: await getVersionDefinition(dashboardId, version.number), label: show === "live" ? `live (v${version.number})` : `version ${version.number}`, versionKey: version.id };
}

/** Runs every visible widget as the tenant and returns both the embed-shaped view and the admin's SQL panels. */
export async function runPreview(admin: AdminContext, target: PreviewTarget, filters: FilterState = {}) {
  const { definition, label } = await loadPreviewDefinition(target.dashboardId, target.show);
  const scope = scopeForAdminPreview({ kind: "admin", admin }, target.tenantId);
  const hidden = new Set(target.permissions.hidden_widgets ?? []);
  const widgets = definition.widgets.filter((w) => !hidden.has(w.id));
  const dateFilter = definition.filters.find((f) => f.kind === "date_range");
  const initialFilters: FilterState = { ...(dateFilter?.kind === "date_range" ? { time_range: dateFilter.default } : {}), ...filters };
  const outcomes = await Promise.all(
    widgets.map(async (w) => {
      try {
        const compiled = await prepareWidget(w, scope, { permissions: target.permissions, filters: initialFilters, timezone: definition.timezone });
        const result = await runScoped(scope, compiled, { audience: "admin" });
        const panel: SqlPanel = { widget_id: w.id, title: w.title, sql: compiled.sql, params: compiled.params, engine_filter: String(scopedSettings(scope, compiled).additional_table_filters), rows_read: result.stats.rows_read, elapsed_ms: result.stats.elapsed_ms };
        return { result: { widget_id: w.id, rows: result.rows, columns: result.columns }, panel };
      } catch (err) {
        const message = err instanceof AppError ? err.message : "This widget could not be run.";
        return { result: { widget_id: w.id, error: { code: "preview_failed", message } }, panel: { widget_id: w.id, title: w.title, error: message } as SqlPanel };
      }
    }),
  );
  await recordAudit({ actor: admin.actor, action: "dashboard.preview", target: target.dashboardId, meta: { tenant_id: target.tenantId, show: label, permissions: target.permissions } });
  const allowed = target.permissions.allowed_dimensions;
  const locked = target.permissions.locked_filters ?? {};
  return {
    label,
    view: {
      title: label,
      timezone: definition.timezone,
      widgets: widgets.map((w): WidgetView => describeWidget(w, target.permissions.allow_drill_down !== false)),
      layout: definition.layout.filter((l) => widgets.some((w) => w.id === l.widget_id)),
      results: outcomes.map((o) => o.result),
      initialFilters,
      dateFilter: dateFilter?.kind === "date_range" ? { default: dateFilter.default } : undefined,
      dimensionFilters: definition.filters.flatMap((f) => (f.kind === "dimension" ? [f.dimension] : [])).filter((d) => (!allowed || allowed.includes(d)) && !(d in locked)).map((d) => ({ id: d, label: resolveDimension(d)?.label ?? d })),
      dimensions: DIMENSIONS.filter((d) => !allowed || allowed.includes(d.id)).map((d) => ({ id: d.id, label: d.label })),
      locked,
      permissions: { allowExport: false, allowDrillDown: target.permissions.allow_drill_down, maxDateRangeDays: target.permissions.max_date_range_days, allowAi: false },
      dataToken: "",
      sessionExpiresAt: new Date(Date.now() + 24 * 3600_000).toISOString(),
      sessionExpiresInMs: 24 * 3600_000,
      origins: [],
    },
    panels: outcomes.map((o) => o.panel),
  };
}

/** One widget again, for the preview's filter changes and drill-downs. */
export async function runPreviewWidget(admin: AdminContext, target: PreviewTarget, input: { widget_id: string; filters?: FilterState }) {
  const { definition } = await loadPreviewDefinition(target.dashboardId, target.show);
  const widget = definition.widgets.find((w) => w.id === input.widget_id && !(target.permissions.hidden_widgets ?? []).includes(w.id));
  if (!widget) throw new AppError("not_found", `No widget "${input.widget_id}".`);
  const scope = scopeForAdminPreview({ kind: "admin", admin }, target.tenantId);
  const compiled = await prepareWidget(widget, scope, { permissions: target.permissions, filters: input.filters ?? {}, timezone: definition.timezone });
  const result = await runScoped(scope, compiled, { audience: "admin" });
  return { widget_id: widget.id, rows: result.rows, columns: result.columns };
}

export async function previewFilterValues(admin: AdminContext, target: PreviewTarget, dimension: string) {
  const scope = scopeForAdminPreview({ kind: "admin", admin }, target.tenantId);
  return readFilterValues(scope, { dimension, limit: 200 }, { permissions: target.permissions, audience: "admin" });
}
