import "server-only";
import { AppError } from "@/lib/errors";
import { allowedDimensionViews, describeWidget, loadVersionForSession, runAllWidgets, visibleWidgets, type WidgetResult, type WidgetView } from "@/lib/embed/embed-widgets";
import { consumeSingleUse, loadActiveSession } from "@/lib/embed/sessions";
import { mintDataToken, verifyEmbedToken } from "@/lib/embed/tokens";
import { resolveDimension } from "@/lib/query/catalog";
import { scopeFromEmbedSession } from "@/lib/query/scope";
import type { FilterState, TimeRange } from "@/lib/query/widget-spec";

// Everything the /embed/<token> page needs, or a plain refusal with no
// dashboard metadata at all.

export type EmbedView = {
  ok: true;
  title: string;
  timezone: string;
  widgets: WidgetView[];
  layout: { widget_id: string; x: number; y: number; w: number; h: number }[];
  results: WidgetResult[];
  initialFilters: FilterState;
  dateFilter?: { default: TimeRange };
  dimensionFilters: { id: string; label: string }[];
  dimensions: { id: string; label: string }[];
  locked: Record<string, string[]>;
  permissions: { allowExport: boolean; allowDrillDown: boolean; maxDateRangeDays?: number;
    allowAi: boolean };
  dataToken: string;
  sessionExpiresAt: string;
  /** Milliseconds the session had left when the server rendered: the browser's clock may be off, so the page times expiry from this. */
  sessionExpiresInMs: number;
  /** Signed origins: the only parents the page talks to over postMessage. */
  origins: string[];
};

/** A refusal carries the signed origins when the signature was genuine, so the host can be told why. */
export type EmbedRefusal = { ok: false; code: string; message: string; origins: string[] };

const MESSAGES: Record<string, string> = {
  invalid_token: "This embed link is not valid.",
  session_expired: "This embed session has expired.",
  session_revoked: "This embed session was revoked.",
  session_spent: "This embed link was already used.",
  not_found: "This dashboard is not available.",
};

export async function openEmbed(token: string): Promise<EmbedView | EmbedRefusal> {
  const verified = await verifyEmbedToken(token);
  if (!verified.ok) {
    const code = verified.reason === "expired" ? "session_expired" : "invalid_token";
    return { ok: false, code, message: MESSAGES[code], origins: verified.reason === "expired" ? verified.claims.origins : [] };
  }
  try {
    const session = await loadActiveSession(verified.claims);
    if (session.singleUse) await consumeSingleUse(session.id);
    const { dashboard, version, definition } = await loadVersionForSession(session);
    const scope = scopeFromEmbedSession({ verified: true, sessionId: session.id, tenantId: session.tenantId });
    const widgets = visibleWidgets(definition, session);
    const dateFilter = definition.filters.find((f) => f.kind === "date_range");
    const initialFilters: FilterState = dateFilter?.kind === "date_range" ? { time_range: dateFilter.default } : {};
    const allowed = session.permissions.allowed_dimensions;
    const locked = session.permissions.locked_filters ?? {};
    return {
      ok: true,
      title: dashboard.name,
      timezone: definition.timezone,
      widgets: widgets.map((w) => describeWidget(w, session)),
      layout: definition.layout.filter((l) => widgets.some((w) => w.id === l.widget_id)),
      results: await runAllWidgets(scope, session, version.id, widgets, initialFilters),
      initialFilters,
      dateFilter: dateFilter?.kind === "date_range" ? { default: dateFilter.default } : undefined,
      dimensionFilters: definition.filters
        .flatMap((f) => (f.kind === "dimension" ? [f.dimension] : []))
        .filter((d) => (!allowed || allowed.includes(d)) && !(d in locked))
        .map((d) => ({ id: d, label: resolveDimension(d)?.label ?? d })),
      dimensions: allowedDimensionViews(session),
      locked,
      permissions: { allowExport: session.permissions.allow_export, allowDrillDown: session.permissions.allow_drill_down, maxDateRangeDays: session.permissions.max_date_range_days,
        allowAi: session.permissions.allow_ai },
      dataToken: await mintDataToken({ sessionId: session.id, tenantId: session.tenantId, dashboardId: session.dashboardId, versionId: version.id, sessionExpiresAt: session.expiresAt }),
      sessionExpiresAt: session.expiresAt.toISOString(),
      sessionExpiresInMs: Math.max(0, session.expiresAt.getTime() - Date.now()),
      origins: verified.claims.origins,
    };
  } catch (err) {
    const code = err instanceof AppError && err.code in MESSAGES ? err.code : "invalid_token";
    if (!(err instanceof AppError)) console.error("embed open failed", err instanceof Error ? err.message : String(err));
    return { ok: false, code, message: MESSAGES[code], origins: code === "invalid_token" ? [] : verified.claims.origins };
  }
}
