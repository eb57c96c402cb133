import type { WidgetView } from "@/lib/dashboards/describe-widget";
import type { DashboardDefinition } from "@/lib/dashboards/definition";
import { DIMENSIONS, resolveDimension } from "@/lib/query/catalog";
import type { Permissions } from "@/lib/query/permissions";
import type { DashboardState } from "@/lib/query/run-dashboard";
import { todayIn } from "@/lib/query/time-range";
import type { TimeRange } from "@/lib/query/widget-spec";

// What the dashboard page shows and what its script is told, for the embed
// and for the admin preview alike (the preview is the same page): client-safe,
// no SQL, no tenant (the tenant is in the session behind the data token).

export type PagePermissions = { allowExport: boolean; allowDrillDown: boolean; maxDateRangeDays?: number; allowAi: boolean; allowSaveViews: boolean };

export type ClientConfig = {
  mode: "embed" | "preview";
  dataToken: string;
  sessionExpiresAt: string;
  sessionExpiresInMs: number;
  origins: string[];
  state: DashboardState;
  permissions: PagePermissions;
  dimensionFilters: { id: string; label: string }[];
  dimensions: { id: string; label: string }[];
  /** The viewer's BCP 47 locale (the session's claim; "en" in the admin preview): numbers, dates and the page's words. */
  locale: string;
  /** The dashboard's time zone, and today's date in it: the latest day a custom range may end on. */
  timezone: string;
  today: string;
};

export type PageModel = {
  title: string;
  timezone: string;
  widgets: WidgetView[];
  layout: DashboardDefinition["layout"];
  dateFilter?: { default: TimeRange };
  locked: Record<string, string[]>;
  client: ClientConfig;
};

export const PERIODS: { value: TimeRange["kind"]; label: string; days: number }[] = [
  { value: "last_7_days", label: "Last 7 days", days: 7 },
  { value: "last_30_days", label: "Last 30 days", days: 30 },
  { value: "this_month", label: "This month", days: 31 },
  { value: "last_90_days", label: "Last 90 days", days: 90 },
];

/** Dimensions an end user may drill into and filter by. */
export function allowedDimensions(permissions: Permissions): { id: string; label: string }[] {
  const allowed = permissions.allowed_dimensions;
  return DIMENSIONS.filter((d) => !allowed || allowed.includes(d.id)).map((d) => ({ id: d.id, label: d.label }));
}

export function pageModel(input: {
  title: string;
  definition: DashboardDefinition;
  permissions: Permissions;
  widgets: WidgetView[];
  layout: DashboardDefinition["layout"];
  state: DashboardState;
  session: Omit<ClientConfig, "state" | "permissions" | "dimensionFilters" | "dimensions" | "timezone" | "today">;
  now?: Date;
}): PageModel {
  const { definition, permissions } = input;
  const allowed = permissions.allowed_dimensions;
  const locked = permissions.locked_filters ?? {};
  const date = definition.filters.find((f) => f.kind === "date_range");
  return {
    title: input.title,
    timezone: definition.timezone,
    widgets: input.widgets,
    layout: input.layout,
    dateFilter: date?.kind === "date_range" ? { default: date.default } : undefined,
    locked,
    client: {
      ...input.session,
      state: input.state,
      permissions: {
        allowExport: permissions.allow_export,
        allowDrillDown: permissions.allow_drill_down,
        maxDateRangeDays: permissions.max_date_range_days,
        allowAi: permissions.allow_ai,
        allowSaveViews: permissions.allow_save_views,
      },
      dimensionFilters: definition.filters
        .flatMap((f) => (f.kind === "dimension" ? [{ id: f.dimension, label: f.label ?? resolveDimension(f.dimension)?.label ?? f.dimension }] : []))
        .filter((d) => (!allowed || allowed.includes(d.id)) && !(d.id in locked)),
      dimensions: allowedDimensions(permissions),
      timezone: definition.timezone,
      today: todayIn(definition.timezone, input.now ?? new Date()),
    },
  };
}
