import "server-only";
import { describeWidget, type WidgetView } from "@/lib/dashboards/describe-widget";
import { filterDimensions, type DashboardDefinition } from "@/lib/dashboards/definition";
import { reflow } from "@/lib/dashboards/reflow";
import { AppError, ERROR_STATUS, type ErrorCode } from "@/lib/errors";
import { planWidget, widgetSql, type CompareStatus } from "@/lib/query/compile-widget";
import { readFilterValues, type FilterValuesInput } from "@/lib/query/filter-values";
import type { Permissions } from "@/lib/query/permissions";
import { prepareWidget } from "@/lib/query/prepare-widget";
import { runRender } from "@/lib/query/run-render";
import { runScoped, type QueryColumn } from "@/lib/query/run-scoped";
import type { TenantScope } from "@/lib/query/scope";
import { z } from "zod";
import { DimensionId, FilterState, WidgetId, type ChartWidget, type Widget } from "@/lib/query/widget-spec";
import { hiddenAccessRefusal } from "@/lib/query/hidden-access";
import { drillFilterRefusal } from "@/lib/query/permission-checks";

// The one front door for reading a dashboard as a tenant. The embed page, its
// data endpoints, the admin preview and the designer's live preview all come
// here with a scope, a definition loaded once, the session's permissions and
// the end user's state. It decides what is visible, applies every permission
// check (through the compiler), and runs the render's statements
// (run-render.ts: the result cache, the version's rollup, one statement for
// widgets that scan the same rows). Each widget's result is a promise of its
// own, so a page can stream the fast ones first.

export type DashboardSource = {
  dashboardId: string;
  /** The version id, or a draft's revision key: what the cache keys results by. */
  versionKey: string;
  definition: DashboardDefinition;
};

export type DashboardReader = {
  scope: TenantScope;
  permissions: Permissions;
  source: DashboardSource;
  /** Who reads errors: tenants get a code and a request id, admins also the engine's detail. */
  audience: "tenant" | "admin";
  /** Use the short-lived result cache (keyed by tenant, version, widget, permissions, state). */
  cache: boolean;
  requestId?: string;
  now?: Date;
};

/** The end user's state: the dashboard's period and filters, and drill-downs per widget. Strict: no tenant. */
export const DashboardState = z
  .object({
    filters: FilterState.omit({ breakdown: true }).default({}),
    breakdowns: z.record(WidgetId, DimensionId).default({}),
  })
  .strict();
export type DashboardState = z.infer<typeof DashboardState>;

export type WidgetOutcome =
  /** `compare`: a time series the user asked to compare, and whether the period before is in its rows (m0_previous…). */
  | { widget_id: string; rows: Record<string, unknown>[]; columns: QueryColumn[]; compare?: CompareStatus }
  | { widget_id: string; error: { code: string; message: string } };

/** What an admin sees per widget: the statement that answered it, with the engine's row filter. */
export type WidgetTrace = {
  widget_id: string;
  sql: string;
  params: Record<string, unknown>;
  engine_filter: string;
  rows_read: number;
  elapsed_ms: number;
  shared_with: string[];
  cached: boolean;
  /** Where the rows came from: the version's rollup, the rollup plus events for partial buckets, or events. */
  source: "rollup" | "rollup+events" | "events";
};

export type DashboardRender = {
  widgets: WidgetView[];
  layout: DashboardDefinition["layout"];
  /** Every visible widget's result (or refusal), settled when its query is. */
  results: Map<string, Promise<WidgetOutcome>>;
  /** For admins: how each widget was answered. */
  traces: Map<string, Promise<WidgetTrace | undefined>>;
  /** Settles when every query has: statements run, rows read. */
  done: Promise<{ queries: number; rowsRead: number }>;
};

/** Widgets the session may see; hidden ones are never queried nor described. */
export function visibleWidgets(definition: DashboardDefinition, permissions: Permissions): Widget[] {
  const hidden = new Set(permissions.hidden_widgets ?? []);
  return definition.widgets.filter((w) => !hidden.has(w.id));
}

export function initialState(definition: DashboardDefinition): DashboardState {
  const date = definition.filters.find((f) => f.kind === "date_range");
  return { filters: date?.kind === "date_range" ? { time_range: date.default } : {}, breakdowns: {} };
}

const isErrorCode = (code: string): code is ErrorCode => Object.hasOwn(ERROR_STATUS, code);

type Deferred<T> = { promise: Promise<T>; resolve: (value: T) => void };
function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** Starts every visible widget's query (or the `only` ones) and returns at once. */
export function startDashboard(reader: DashboardReader, state: DashboardState, options: { only?: string[] } = {}): DashboardRender {
  const { definition } = reader.source;
  const visible = visibleWidgets(definition, reader.permissions);
  const wanted = options.only ? visible.filter((w) => options.only!.includes(w.id)) : visible;
  if (options.only && wanted.length !== options.only.length) {
    const missing = options.only.find((id) => !visible.some((w) => w.id === id));
    throw new AppError("not_found", `This dashboard has no widget "${missing}".`);
  }
  const drillRefusal = (state.filters.filters ?? []).map((f) => drillFilterRefusal(f, filterDimensions(definition), reader.permissions)).find(Boolean);
  if (drillRefusal) throw new AppError("forbidden", drillRefusal);
  const drillable = reader.permissions.allow_drill_down !== false;
  const results = new Map(wanted.map((w) => [w.id, deferred<WidgetOutcome>()]));
  const traces = new Map(wanted.map((w) => [w.id, deferred<WidgetTrace | undefined>()]));
  const done = runRender(reader, state, wanted, (id, outcome, trace) => {
    results.get(id)!.resolve(outcome);
    traces.get(id)!.resolve(trace);
  });
  return {
    widgets: visible.map((w) => describeWidget(w, drillable)),
    // Hidden widgets leave no hole: the cards left close up (the designer's layout stands when nothing is hidden).
    layout: visible.length < definition.widgets.length ? reflow(definition.layout.filter((l) => visible.some((w) => w.id === l.widget_id))) : definition.layout,
    results: new Map([...results].map(([id, d]) => [id, d.promise])),
    traces: new Map([...traces].map(([id, d]) => [id, d.promise])),
    done,
  };
}

/** Every result at once (data endpoints, exports, the designer). */
export async function runDashboard(reader: DashboardReader, state: DashboardState, options: { only?: string[] } = {}) {
  const render = startDashboard(reader, state, options);
  const results = await Promise.all([...render.results.values()]);
  return { ...render, outcomes: results, plan: await render.done };
}

/** Values of a dimension for the dashboard's filter dropdowns, under the reader's scope and permissions. */
export async function dashboardFilterValues(reader: DashboardReader, input: FilterValuesInput) {
  return readFilterValues(reader.scope, input, { permissions: reader.permissions, audience: reader.audience, requestId: reader.requestId });
}

/** One widget's full result for a CSV export: only when the session allows exports. */
export async function exportDashboardWidget(reader: DashboardReader, widgetId: string, state: DashboardState) {
  if (!reader.permissions.allow_export) throw new AppError("forbidden", "Export is not allowed in this session.");
  const { widgets, outcomes } = await runDashboard(reader, state, { only: [widgetId] });
  const outcome = outcomes[0];
  if ("error" in outcome) throw new AppError(isErrorCode(outcome.error.code) ? outcome.error.code : "query_failed", outcome.error.message);
  return { widget: widgets.find((w) => w.id === widgetId)!, rows: outcome.rows, columns: outcome.columns };
}

/**
 * A spec that is not one of the dashboard's widgets (an AI answer, a saved
 * answer reopened) read under the dashboard's session: the same permission
 * checks as a widget, its filters within allowed_dimensions too, and nothing
 * only the session's hidden widgets show.
 */
export async function readSpec(reader: DashboardReader, spec: ChartWidget) {
  const { scope, permissions, source } = reader;
  const allowed = permissions.allowed_dimensions;
  if (allowed && spec.filters.some((f) => f.field !== "value" && !allowed.includes(f.field))) throw new AppError("forbidden", "This needs a filter this dashboard does not allow.");
  const hidden = hiddenAccessRefusal(spec, source.definition, permissions);
  if (hidden) throw new AppError("forbidden", hidden);
  const compiled = widgetSql(planWidget(spec, scope, { permissions, timezone: source.definition.timezone, now: reader.now }));
  const result = await runScoped(scope, compiled, { audience: reader.audience, requestId: reader.requestId });
  return { compiled, ...result };
}

/** Admin-written SQL (an admin's AI draft) read under the dashboard's session exactly as a custom-SQL widget is. */
export async function readSql(reader: DashboardReader, sql: string) {
  const { scope, permissions, source } = reader;
  // Over all time unless the session bounds the period; then over the last 30 days, like a SQL widget.
  const widget = { kind: "sql" as const, id: "answer", title: "Answer", chart: "table" as const, sql, all_time: !permissions.max_date_range_days };
  const compiled = await prepareWidget(widget, scope, { permissions, timezone: source.definition.timezone, now: reader.now });
  const result = await runScoped(scope, compiled, { audience: reader.audience, requestId: reader.requestId });
  return { compiled, ...result };
}
