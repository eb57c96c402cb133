import "server-only";
import { planWidget, type CompileOptions, type WidgetPlan } from "@/lib/query/compile-widget";
import type { ScopedResult } from "@/lib/query/run-scoped";
import type { TenantScope } from "@/lib/query/scope";

// "Compare to previous period" on time series. The period before is read by
// a plan of its own: the same widget under the same scope, permissions and
// filters over a second time range, through the same compiler and planner
// (the previous plans of widgets over one period share a statement, and the
// version's rollup answers them as it answers any plan). Its values are then
// put beside the current ones bucket by bucket: bucket i of the period before
// next to bucket i of the period shown, as `m0_previous`… and `bucket_previous`.

// ':' is not allowed in widget ids, so a previous plan's id never names a widget.
const PREVIOUS = ":previous";

/** The plan of the period before a compared widget's; undefined when the widget is not compared. */
export function previousPlan(plan: WidgetPlan, scope: TenantScope, options: CompileOptions): WidgetPlan | undefined {
  if (!plan.previous) return undefined;
  const previous = planWidget(plan.spec, scope, { ...options, filters: { ...options.filters, time_range: plan.previous, compare: false } });
  return { ...previous, spec: { ...previous.spec, id: `${plan.spec.id}${PREVIOUS}` } };
}

/** The current period's rows with the previous period's bucket and values beside each. */
export function alignPrevious(current: ScopedResult, previous: ScopedResult): ScopedResult {
  const metrics = current.columns.filter((c) => /^m\d+$/.test(c.name)).map((c) => c.name);
  const typeOf = (name: string) => previous.columns.find((c) => c.name === name)?.type ?? "Nullable(Float64)";
  return {
    columns: [...current.columns, { name: "bucket_previous", type: "Nullable(String)" }, ...metrics.map((m) => ({ name: `${m}_previous`, type: typeOf(m) }))],
    rows: current.rows.map((row, i) => {
      const before = previous.rows[i];
      return { ...row, bucket_previous: before?.bucket ?? null, ...Object.fromEntries(metrics.map((m) => [`${m}_previous`, before ? before[m] : null])) };
    }),
    stats: { ...current.stats, rows_read: current.stats.rows_read + previous.stats.rows_read, bytes_read: current.stats.bytes_read + previous.stats.bytes_read },
  };
}

export type Part<T> = { result: ScopedResult; trace: T } | { error: unknown };

/**
 * Routes each plan's result to its widget: a compared widget is delivered
 * once both its periods are in, as one result (a failure of either fails it).
 */
export function pairPeriods<T>(compared: Iterable<string>, deliver: (id: string, part: Part<T>) => void): (id: string, part: Part<T>) => void {
  const waiting = new Map<string, { current?: Part<T>; previous?: Part<T> }>([...compared].map((id) => [id, {}]));
  return (id, part) => {
    const widget = id.endsWith(PREVIOUS) ? id.slice(0, -PREVIOUS.length) : id;
    const pair = waiting.get(widget);
    if (!pair) return deliver(id, part);
    pair[widget === id ? "current" : "previous"] = part;
    const { current, previous } = pair;
    if (!current || !previous) return;
    waiting.delete(widget);
    if ("error" in current) return deliver(widget, current);
    if ("error" in previous) return deliver(widget, previous);
    deliver(widget, { result: alignPrevious(current.result, previous.result), trace: current.trace });
  };
}
