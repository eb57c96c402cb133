import "server-only";
import { AppError } from "@/lib/errors";
import { pairPeriods, previousPlan, type Part } from "@/lib/query/compare-periods";
import { planWidget, widgetSql, type CompiledQuery, type WidgetPlan } from "@/lib/query/compile-widget";
import { planRender, type PlannedQuery } from "@/lib/query/plan-render";
import { prepareWidget } from "@/lib/query/prepare-widget";
import { GuardRefusal } from "@/lib/query/prepare-sql-widget";
import { cachedResult, cacheResult, resultCacheEnabled, resultCacheKey, tenantCacheGeneration } from "@/lib/query/result-cache";
import type { DashboardReader, DashboardSource, DashboardState, WidgetOutcome, WidgetTrace } from "@/lib/query/run-dashboard";
import { runScoped, scopedSettings, type ScopedResult } from "@/lib/query/run-scoped";
import type { FilterState, Widget } from "@/lib/query/widget-spec";
import { mergeRollupAnswers, rollupQuery, type RollupAnswer } from "@/lib/rollups/answer";
import type { RollupDefinition } from "@/lib/rollups/define";
import { readyRollupFor } from "@/lib/rollups/ready";

// One render's statements, behind the front door (run-dashboard.ts): each
// widget's cached result, or its statement — a custom-SQL widget's own; chart
// widgets the version's rollup answers exactly, together in one statement;
// the rest planned over events (widgets that scan the same rows share one).
// Every statement runs through runScoped with the reader's scope.

export type Settle = (id: string, outcome: WidgetOutcome, trace?: WidgetTrace) => void;

/** A statement and the widgets it answers, with where their rows come from. */
type Statement = PlannedQuery & { source: (id: string) => WidgetTrace["source"] };

export function refusal(widgetId: string, err: unknown, reader: Pick<DashboardReader, "audience" | "requestId">): WidgetOutcome {
  // The designer says why the guard refused a draft's SQL; a tenant reads only that it could not be loaded.
  if (err instanceof GuardRefusal && reader.audience === "admin") return { widget_id: widgetId, error: { code: err.code, message: `The SQL guard refused this query: ${err.reason}` } };
  if (err instanceof AppError) {
    // Admins also read the engine's own words (tenants never do).
    const detail = reader.audience === "admin" ? (err.details as { engine_error?: string } | undefined)?.engine_error : undefined;
    return { widget_id: widgetId, error: { code: err.code, message: detail ? `${err.message}: ${detail.split("\n")[0].slice(0, 300)}` : err.message } };
  }
  console.error(`[${reader.requestId ?? "-"}] widget ${widgetId} failed: ${err instanceof Error ? err.message : String(err)}`);
  return { widget_id: widgetId, error: { code: "query_failed", message: "This chart could not be loaded." } };
}

/** Runs every widget's statement and settles each widget as its statement does; returns statements run and rows read. */
export async function runRender(reader: DashboardReader, state: DashboardState, widgets: Widget[], settle: Settle): Promise<{ queries: number; rowsRead: number }> {
  const { scope, permissions, source } = reader;
  const caching = reader.cache && resultCacheEnabled();
  const stats = { queries: 0, rowsRead: 0 };
  const filtersFor = (w: Widget): FilterState => ({ ...state.filters, ...(state.breakdowns[w.id] ? { breakdown: state.breakdowns[w.id] } : {}) });
  // A widget's cache key: from its own statement, whichever statement answers it.
  const keys = new Map<string, string>();
  const keyFor = (w: Widget, compiled: CompiledQuery) => {
    const key = resultCacheKey(scope, compiled, { dashboardVersionId: source.versionKey, widgetId: w.id, permissions, filters: filtersFor(w) });
    keys.set(w.id, key);
    return key;
  };
  const trace = (compiled: CompiledQuery, sharedWith: string[], rowsRead: number, elapsed: number, cached: boolean, from: WidgetTrace["source"]): Omit<WidgetTrace, "widget_id"> => ({
    sql: compiled.sql,
    params: compiled.params,
    engine_filter: String(scopedSettings(scope, compiled).additional_table_filters),
    rows_read: rowsRead,
    elapsed_ms: elapsed,
    shared_with: sharedWith,
    cached,
    source: from,
  });
  const run = (compiled: CompiledQuery) => runScoped(scope, compiled, { audience: reader.audience, requestId: reader.requestId });

  // Read before any query: results finished after the tenant's results were forgotten are not kept.
  const generation = tenantCacheGeneration(scope.tenantId);
  // Custom-SQL widgets run on their own; chart widgets are planned.
  const plans: WidgetPlan[] = [];
  // Compared time series: the period before is a plan of its own, paired back with the widget's (compare-periods.ts).
  const compared: string[] = [];
  const compareOf = new Map<string, WidgetPlan["compare"]>();
  const compareField = (id: string) => (compareOf.has(id) ? { compare: compareOf.get(id) } : {});
  const own: Promise<void>[] = [];
  for (const w of widgets) {
    if (w.kind === "sql") {
      own.push(
        (async () => {
          try {
            const compiled = await prepareWidget(w, scope, { permissions, filters: filtersFor(w), timezone: source.definition.timezone, now: reader.now });
            const key = caching ? keyFor(w, compiled) : undefined;
            const hit = key ? cachedResult(key) : undefined;
            const result = hit ?? (await run(compiled));
            if (!hit) {
              stats.queries++;
              stats.rowsRead += result.stats.rows_read;
              if (key) cacheResult(key, scope.tenantId, result, generation);
            }
            settle(w.id, { widget_id: w.id, rows: result.rows, columns: result.columns }, { widget_id: w.id, ...trace(compiled, [], result.stats.rows_read, result.stats.elapsed_ms, Boolean(hit), "events") });
          } catch (err) {
            settle(w.id, refusal(w.id, err, reader));
          }
        })(),
      );
      continue;
    }
    try {
      const options = { permissions, filters: filtersFor(w), timezone: source.definition.timezone, now: reader.now };
      const plan = planWidget(w, scope, options);
      const compiled = widgetSql(plan);
      if (plan.compare) compareOf.set(w.id, plan.compare);
      const hit = caching ? cachedResult(keyFor(w, compiled)) : undefined;
      if (hit) settle(w.id, { widget_id: w.id, rows: hit.rows, columns: hit.columns, ...compareField(w.id) }, { widget_id: w.id, ...trace(compiled, [], hit.stats.rows_read, 0, true, "events") });
      else {
        const previous = previousPlan(plan, scope, options);
        plans.push(plan, ...(previous ? [previous] : []));
        if (previous) compared.push(w.id);
      }
    } catch (err) {
      settle(w.id, refusal(w.id, err, reader));
    }
  }

  const deliver = pairPeriods<WidgetTrace>(compared, (id, part) => {
    if ("error" in part) return settle(id, refusal(id, part.error, reader));
    const key = keys.get(id);
    if (key) cacheResult(key, scope.tenantId, part.result, generation);
    settle(id, { widget_id: id, rows: part.result.rows, columns: part.result.columns, ...compareField(id) }, { ...part.trace, rows_read: part.result.stats.rows_read });
  });
  const statements = await chartStatements(plans, source, reader.requestId);
  const fromStatements = statements.map(async (statement) => {
    try {
      const result = await run(statement.compiled);
      stats.queries++;
      stats.rowsRead += result.stats.rows_read;
      const split = statement.split(result);
      for (const id of statement.widgetIds) {
        const mine: ScopedResult = { ...split.get(id)!, stats: result.stats };
        const others = statement.widgetIds.filter((x) => x !== id);
        const part: Part<WidgetTrace> = { result: mine, trace: { widget_id: id, ...trace(statement.compiled, others, result.stats.rows_read, result.stats.elapsed_ms, false, statement.source(id)) } };
        deliver(id, part);
      }
    } catch (err) {
      for (const id of statement.widgetIds) deliver(id, { error: err });
    }
  });
  await Promise.all([...own, ...fromStatements]);
  return stats;
}

/** The chart widgets' statements: the ones the version's rollup answers exactly in one, the rest planned over events. */
async function chartStatements(plans: WidgetPlan[], source: DashboardSource, requestId?: string): Promise<Statement[]> {
  const rollup = plans.length ? await readyRollup(source, requestId) : undefined;
  const overEvents: WidgetPlan[] = [];
  const answered: { plan: WidgetPlan; answer: RollupAnswer }[] = [];
  for (const plan of plans) {
    const answer = rollup ? rollupQuery(plan, rollup, `w${answered.length}_`) : undefined;
    if (answer) answered.push({ plan, answer });
    else overEvents.push(plan);
  }
  const fromEvents = planRender(overEvents).map((query): Statement => ({ ...query, source: () => "events" }));
  if (answered.length === 0) return fromEvents;
  const edges = new Map(answered.map(({ plan, answer }) => [plan.spec.id, answer.edges]));
  const widgetIds = [...edges.keys()];
  const merged = answered.length > 1 ? mergeRollupAnswers(answered) : undefined;
  const fromRollup: Statement = {
    compiled: merged?.compiled ?? answered[0].answer.compiled,
    widgetIds,
    split: (result) => (merged ? merged.split(result) : new Map([[widgetIds[0], result]])),
    source: (id) => (edges.get(id) ? "rollup+events" : "rollup"),
  };
  return [fromRollup, ...fromEvents];
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
