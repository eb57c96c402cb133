// The settings the server writes next to each dashboard root (lib/dashboards/page-model.ts ClientConfig).

export type Filter = { field: string; op: string; value?: string; values?: string[]; min?: number; max?: number };
export type DashboardFilters = { time_range?: { kind: string; from?: string; to?: string }; filters?: Filter[]; compare?: boolean };
export type DashboardState = { filters: DashboardFilters; breakdowns: Record<string, string> };

export type ClientConfig = {
  mode: "embed" | "preview";
  dataToken: string;
  sessionExpiresAt: string;
  sessionExpiresInMs: number;
  origins: string[];
  state: DashboardState;
  permissions: { allowExport: boolean; allowDrillDown: boolean; maxDateRangeDays?: number; allowAi: boolean; allowSaveViews: boolean };
  dimensionFilters: { id: string; label: string }[];
  dimensions: { id: string; label: string }[];
  /** The viewer's locale: the page's words come from lib/embed/messages.ts in it. */
  locale: string;
  /** The dashboard's time zone, and today's date in it (the latest day a custom range may end on). */
  timezone: string;
  today: string;
};

export type SavedAnswer = { id: string; question: string; spec: unknown };
