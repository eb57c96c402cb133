import "server-only";
import { describeWidget, type WidgetView } from "@/lib/dashboards/describe-widget";
import type { DashboardDefinition } from "@/lib/dashboards/definition";
import { AppError, ERROR_STATUS, type ErrorCode } from "@/lib/errors";
import { planWidget, widgetSql, type CompiledQuery, type WidgetPlan } from "@/lib/query/compile-widget";
import { readFilterValues, type FilterValuesInput } from "@/lib/query/filter-values";
import type { Permissions } from "@/lib/query/permissions";
import { planRender, type RowSet } from "@/lib/query/plan-render";
import { prepareWidget } from "@/lib/query/prepare-widget";
import { cachedResult, cacheResult, resultCacheEnabled, resultCacheKey } from "@/lib/query/result-cache";
import { runScoped, scopedSettings, type QueryColumn } from "@/lib/query/run-scoped";
import type { TenantScope } from "@/lib/query/scope";
import { z } from "zod";
import { DimensionId, FilterState, WidgetId, type ChartWidget, type Widget } from "@/lib/query/widget-spec";
import { hiddenAccessRefusal } from "@/lib/query/hidden-access";
import { mergeRollupAnswers, rollupQuery, type RollupAnswer } from "@/lib/rollups/answer";
import { readyRollupFor } from "@/lib/rollups/ready";
import type { RollupDefinition } from "@/lib/rollups/define";

// The one front door for reading a dashboard as a tenant. The embed page, its
// data endpoints, the admin preview and the designer's live preview all come
// here with a scope, a definition loaded once, the session's permissions and
// the end user's state. It decides what is visible, applies every permission
// check (through the compiler), uses the result cache, plans the render (one
// statement for widgets that scan the same rows) and runs it. Each widget's
// result is a promise of its own, so a page can stream the fast ones first.

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
  | { widget_id: string; rows: Record<string, unknown>[]; columns: QueryColumn[] }
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

function refusal(widgetId: string, err: unknown, reader: Pick<DashboardReader, "audience" | "requestId">): WidgetOutcome {
  if (err instanceof AppError) {
    // Admins also read the engine's own words (tenants never do).
    const detail = reader.audience === "admin" ? (err.details as { engine_error?: string } | undefined)?.engine_error : undefined;
    return { widget_id: widgetId, error: { code: err.code, message: detail ? `${err.message}: ${detail.split("\n")[0].slice(0, 300)}` : err.message } };
  }
  console.error(`[${reader.requestId ?? "-"}] widget ${widgetId} failed: ${err instanceof Error ? err.message : String(err)}`);
  return { widget_id: widgetId, error: { code: "query_failed", message: "This chart could not be loaded." } };
}

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
  const drillable = reader.permissions.allow_drill_down !== false;
  const results = new Map(wanted.map((w) => [w.id, deferred<WidgetOutcome>()]));
  const traces = new Map(wanted.map((w) => [w.id, deferred<WidgetTrace | undefined>()]));
  const done = run(reader, state, wanted, results, traces);
  return {
    widgets: visible.map((w) => describeWidget(w, drillable)),
    layout: definition.layout.filter((l) => visible.some((w) => w.id === l.widget_id)),
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

async function run(
  reader: DashboardReader,
  state: DashboardState,
  widgets: Widget[],
  results: Map<string, Deferred<WidgetOutcome>>,
  traces: Map<string, Deferred<WidgetTrace | undefined>>,
): Promise<{ queries: number; rowsRead: number }> {
  const { scope, permissions, source } = reader;
  const caching = reader.cache && resultCacheEnabled();
  const stats = { queries: 0, rowsRead: 0 };
  const settle = (id: string, outcome: WidgetOutcome, trace?: WidgetTrace) => {
    results.get(id)!.resolve(outcome);
    traces.get(id)!.resolve(trace);
  };
  const filtersFor = (w: Widget): FilterState => ({ ...state.filters, ...(state.breakdowns[w.id] ? { breakdown: state.breakdowns[w.id] } : {}) });
  const keyFor = (w: Widget, compiled: CompiledQuery) => resultCacheKey(scope, compiled, { dashboardVersionId: source.versionKey, widgetId: w.id, permissions, filters: filtersFor(w) });
  const trace = (compiled: CompiledQuery, sharedWith: string[], rowsRead: number, elapsed: number, cached: boolean, from: WidgetTrace["source"] = "events"): Omit<WidgetTrace, "widget_id"> => ({
    sql: compiled.sql,
    params: compiled.params,
    engine_filter: String(scopedSettings(scope, compiled).additional_table_filters),
    rows_read: rowsRead,
    elapsed_ms: elapsed,
    shared_with: sharedWith,
    cached,
    source: from,
  });

  // Chart widgets are planned (and merged); custom-SQL widgets run on their own.
  const plans: WidgetPlan[] = [];
  const own: Promise<void>[] = [];
  for (const w of widgets) {
    if (w.kind === "sql") {
      own.push(
        (async () => {
          try {
            const compiled = await prepareWidget(w, scope, { permissions, filters: filtersFor(w), timezone: source.definition.timezone, now: reader.now });
            const key = caching ? keyFor(w, compiled) : undefined;
            const hit = key ? cachedResult(key) : undefined;
            const result = hit ?? (await runScoped(scope, compiled, { audience: reader.audience, requestId: reader.requestId }));
            if (!hit) {
              stats.queries++;
              stats.rowsRead += result.stats.rows_read;
              if (key) cacheResult(key, scope.tenantId, result);
            }
            settle(w.id, { widget_id: w.id, rows: result.rows, columns: result.columns }, { widget_id: w.id, ...trace(compiled, [], result.stats.rows_read, result.stats.elapsed_ms, Boolean(hit)) });
          } catch (err) {
            settle(w.id, refusal(w.id, err, reader));
          }
        })(),
      );
      continue;
    }
    try {
      const plan = planWidget(w, scope, { permissions, filters: filtersFor(w), timezone: source.definition.timezone, now: reader.now });
      const compiled = widgetSql(plan);
      const hit = caching ? cachedResult(keyFor(w, compiled)) : undefined;
      if (hit) settle(w.id, { widget_id: w.id, rows: hit.rows, columns: hit.columns }, { widget_id: w.id, ...trace(compiled, [], hit.stats.rows_read, 0, true) });
      else plans.push(plan);
    } catch (err) {
      settle(w.id, refusal(w.id, err, reader));
    }
  }

  const byId = new Map(widgets.map((w) => [w.id, w]));
  // Widgets the version's rollup answers exactly read it (and events only for partial buckets), in one
  // statement; the rest are planned over events.
  const rollup = plans.length ? await readyRollup(source, reader.requestId) : undefined;
  const overEvents: WidgetPlan[] = [];
  const answered: { plan: WidgetPlan; answer: RollupAnswer }[] = [];
  for (const plan of plans) {
    const answer = rollup ? rollupQuery(plan, rollup, `w${answered.length}_`) : undefined;
    if (answer) answered.push({ plan, answer });
    else overEvents.push(plan);
  }
  const fromRollup = (async () => {
    if (answered.length === 0) return;
    const ids = answered.map((a) => a.plan.spec.id);
    const merged = answered.length > 1 ? mergeRollupAnswers(answered) : undefined;
    const compiled = merged?.compiled ?? answered[0].answer.compiled;
    try {
      const result = await runScoped(scope, compiled, { audience: reader.audience, requestId: reader.requestId });
      stats.queries++;
      stats.rowsRead += result.stats.rows_read;
      const split = merged ? merged.split(result) : new Map([[ids[0], result]]);
      for (const { plan, answer } of answered) {
        const id = plan.spec.id;
        const mine: RowSet = split.get(id)!;
        if (caching) cacheResult(keyFor(byId.get(id)!, widgetSql(plan)), scope.tenantId, { ...mine, stats: result.stats });
        settle(id, { widget_id: id, rows: mine.rows, columns: mine.columns }, { widget_id: id, ...trace(compiled, ids.filter((x) => x !== id), result.stats.rows_read, result.stats.elapsed_ms, false, answer.edges ? "rollup+events" : "rollup") });
      }
    } catch (err) {
      for (const id of ids) settle(id, refusal(id, err, reader));
    }
  })();

  const planned = planRender(overEvents).map(async (query) => {
    try {
      const result = await runScoped(scope, query.compiled, { audience: reader.audience, requestId: reader.requestId });
      stats.queries++;
      stats.rowsRead += result.stats.rows_read;
      const split = query.split(result);
      for (const id of query.widgetIds) {
        const mine: RowSet = split.get(id)!;
        const plan = plans.find((p) => p.spec.id === id)!;
        if (caching) cacheResult(keyFor(byId.get(id)!, widgetSql(plan)), scope.tenantId, { ...mine, stats: result.stats });
        settle(id, { widget_id: id, rows: mine.rows, columns: mine.columns }, { widget_id: id, ...trace(query.compiled, query.widgetIds.filter((x) => x !== id), result.stats.rows_read, result.stats.elapsed_ms, false) });
      }
    } catch (err) {
      for (const id of query.widgetIds) settle(id, refusal(id, err, reader));
    }
  });
  await Promise.all([...own, fromRollup, ...planned]);
  return stats;
}

/** The version's built rollup; a failure to look it up only means reading events. */
async function readyRollup(source: DashboardSource, requestId?: string): Promise<RollupDefinition | undefined> {
  try {
    return await readyRollupFor(source.definition);
  } catch (err) {
    console.error(`[${requestId ?? "-"}] rollup state unavailable, reading events: ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  }
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
