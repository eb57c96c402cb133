import "server-only";
import { z } from "zod";
import { getDb } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { DashboardDefinition } from "@/lib/dashboards/definition";
import type { ActiveSession } from "@/lib/embed/sessions";
import { describeWidget as describeView, type WidgetView } from "@/lib/dashboards/describe-widget";
import { DIMENSIONS } from "@/lib/query/catalog";
import { prepareWidget } from "@/lib/query/prepare-widget";
import { runScopedCached } from "@/lib/query/result-cache";
import type { QueryColumn } from "@/lib/query/run-scoped";
import type { TenantScope } from "@/lib/query/scope";
import { FilterState, type Widget } from "@/lib/query/widget-spec";

// What an embed session may see of a dashboard version, and running its widgets.

export type { WidgetView } from "@/lib/dashboards/describe-widget";

export type WidgetResult = { widget_id: string; rows: Record<string, unknown>[]; columns: QueryColumn[] } | { widget_id: string; error: { code: string; message: string } };

export async function loadVersionForSession(session: ActiveSession, versionId?: string) {
  const db = getDb();
  const dashboard = await db.dashboard.findUnique({ where: { id: session.dashboardId } });
  const id = versionId ?? dashboard?.liveVersionId;
  // Unpublished or archived: nothing is served, whatever version a token names.
  if (!dashboard || dashboard.archivedAt || !dashboard.liveVersionId || !id) throw new AppError("not_found", "This dashboard is not available.");
  const version = await db.dashboardVersion.findUnique({ where: { id } });
  if (!version || version.dashboardId !== session.dashboardId) throw new AppError("not_found", "This dashboard is not available.");
  return { dashboard, version, definition: DashboardDefinition.parse(JSON.parse(version.definition)) };
}

/** Widgets the session may see; hidden ones are never queried nor sent. */
export function visibleWidgets(definition: DashboardDefinition, session: ActiveSession): Widget[] {
  const hidden = new Set(session.permissions.hidden_widgets ?? []);
  return definition.widgets.filter((w) => !hidden.has(w.id));
}

export function describeWidget(widget: Widget, session: ActiveSession): WidgetView {
  return describeView(widget, session.permissions.allow_drill_down !== false);
}

/** Dimensions an end user may pick for drill-down and filters. */
export function allowedDimensionViews(session: ActiveSession) {
  const allowed = session.permissions.allowed_dimensions;
  return DIMENSIONS.filter((d) => !allowed || allowed.includes(d.id)).map((d) => ({ id: d.id, label: d.label }));
}

export const WidgetQueryInput = z.object({ widget_id: z.string().min(1).max(64), filters: FilterState.optional() }).strict();
export type WidgetQueryInput = z.infer<typeof WidgetQueryInput>;

export async function runEmbedWidget(scope: TenantScope, session: ActiveSession, versionId: string, input: WidgetQueryInput, requestId?: string) {
  const { version, definition } = await loadVersionForSession(session, versionId);
  const widget = visibleWidgets(definition, session).find((w) => w.id === input.widget_id);
  if (!widget) throw new AppError("not_found", `This dashboard has no widget "${input.widget_id}".`);
  const filters = input.filters ?? {};
  const compiled = await prepareWidget(widget, scope, { permissions: session.permissions, filters, timezone: definition.timezone });
  const result = await runScopedCached(scope, compiled, { dashboardVersionId: version.id, widgetId: widget.id, permissions: session.permissions, filters }, { requestId });
  return { widget, result };
}

/** Every visible widget, in parallel; one failing widget does not sink the others. */
export async function runAllWidgets(scope: TenantScope, session: ActiveSession, versionId: string, widgets: Widget[], filters: FilterState = {}): Promise<WidgetResult[]> {
  return Promise.all(
    widgets.map(async (w): Promise<WidgetResult> => {
      try {
        const { result } = await runEmbedWidget(scope, session, versionId, { widget_id: w.id, filters });
        return { widget_id: w.id, rows: result.rows, columns: result.columns };
      } catch (err) {
        const e = err instanceof AppError ? err : new AppError("query_failed", "This chart could not be loaded.");
        return { widget_id: w.id, error: { code: e.code, message: e.message } };
      }
    }),
  );
}
