import "server-only";
import { catalogTable } from "@/lib/query/catalog-tables";
import { orderBy, planLimit, widgetSql, type CompiledQuery, type WidgetPlan } from "@/lib/query/compile-widget";
import { bucketLabels, fillBuckets } from "@/lib/query/fill-buckets";
import type { QueryColumn } from "@/lib/query/run-scoped";
import { BUCKET, dimensionSql, EMPTY_VALUE, filterSql, metricSql, Params } from "@/lib/query/sql-parts";
import { chTime } from "@/lib/query/time-range";

// A render is planned, not run widget by widget: widget plans that scan the
// same table over the same period, under the same session filters, are merged
// into one statement. Each breakdown or time bucket is a grouping set of its
// own (KPIs and totals share the empty one); every row is read once and
// counted once per set (ARRAY JOIN over the set numbers), and each widget's
// aggregates are narrowed to its set and its own conditions (-If combinators),
// so no aggregate is computed for sets it does not belong to. (GROUPING SETS
// would compute every aggregate for every set: measured 1.7× slower on a
// large tenant with a distinct-users metric.) A plan joins a merged query only
// when that query's scan reads exactly the rows one of its widgets would read
// alone (its events contain all the others'; property filters do not prune
// granules), so a merged query never reads more than the largest query it
// replaces. The results are split back per widget and must equal each
// widget's own query: lib/query/render-oracle.test.ts proves it on shared and
// tenant-only data.

export type RowSet = { rows: Record<string, unknown>[]; columns: QueryColumn[] };
export type PlannedQuery = {
  compiled: CompiledQuery;
  /** The widgets this query answers. */
  widgetIds: string[];
  /** Rows (and columns) of the statement → each widget's own result, as its own query would give it. */
  split(result: RowSet): Map<string, RowSet>;
};

/** Bucket counts above this are not merged: the widget's own query has a row limit the merge would not see. */
const MAX_MERGED_BUCKETS = 10_000;

function mergeable(plan: WidgetPlan): boolean {
  if (plan.shape === "series_breakdown") return false; // needs its own top-N subquery
  if (plan.shape === "series") {
    const labels = bucketLabels(plan.granularity!, plan.timezone, plan.range.from.getTime(), plan.range.to.getTime());
    return labels !== undefined && labels.length <= Math.min(MAX_MERGED_BUCKETS, planLimit(plan));
  }
  return true;
}

const canonical = (value: unknown) => JSON.stringify(value, (_k, v) => (v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))) : v));

/** Plans that may share a scan: same tenant, table, period, time zone, locks and dashboard filters. */
function scanKey(plan: WidgetPlan): string {
  return canonical([plan.tenantId, plan.catalog.database, plan.scan.from.toISOString(), plan.scan.to.toISOString(), plan.timezone, plan.locks, plan.stateFilters]);
}

/**
 * The events a widget's own query scans: those its metrics count, narrowed by
 * its own filters on the event (name is in the sort key, so they prune what is read).
 */
function scannedEvents(plan: WidgetPlan): string[] | undefined {
  let events = plan.events;
  for (const f of plan.spec.filters) {
    if (f.field !== "event" || (f.op !== "equals" && f.op !== "in")) continue;
    const values = f.op === "equals" ? [f.value] : f.values;
    events = events === undefined ? [...new Set(values)].sort() : events.filter((e) => values.includes(e));
  }
  return events;
}

/** `outer` reads every row `inner` reads (undefined = all events). */
const covers = (outer: string[] | undefined, inner: string[] | undefined) => outer === undefined || (inner !== undefined && inner.every((e) => outer.includes(e)));

type Cluster = { events: string[] | undefined; members: WidgetPlan[] };

/** Groups plans into merged queries; every plan appears in exactly one query, in a stable order. */
export function planRender(plans: WidgetPlan[]): PlannedQuery[] {
  const byScan = new Map<string, WidgetPlan[]>();
  const alone: WidgetPlan[] = [];
  for (const plan of plans) {
    if (!mergeable(plan)) alone.push(plan);
    else byScan.set(scanKey(plan), [...(byScan.get(scanKey(plan)) ?? []), plan]);
  }
  const clusters: Cluster[] = [];
  for (const group of byScan.values()) {
    // Widest scans first, so narrower ones find a cluster that covers them.
    const scanned = new Map(group.map((p) => [p, scannedEvents(p)]));
    const sorted = [...group].sort((a, b) => {
      const [x, y] = [scanned.get(a), scanned.get(b)];
      return x === undefined ? (y === undefined ? 0 : -1) : y === undefined ? 1 : y.length - x.length;
    });
    const local: Cluster[] = [];
    for (const plan of sorted) {
      const events = scanned.get(plan);
      const home = local.find(
        // One breakdown per grouping set (it orders and limits the set in SQL); two dimension ids may name one column (page, property:page).
        (c) => covers(c.events, events) && !(plan.shape === "breakdown" && c.members.some((m) => m.shape === "breakdown" && dimensionSql(m.breakdown!) === dimensionSql(plan.breakdown!))),
      );
      if (home) home.members.push(plan);
      else local.push({ events, members: [plan] });
    }
    clusters.push(...local);
  }
  const order = new Map(plans.map((p, i) => [p.spec.id, i]));
  const queries: PlannedQuery[] = [
    ...alone.map(single),
    ...clusters.map((c) => (c.members.length === 1 ? single(c.members[0]) : merged(c))),
  ];
  return queries.sort((a, b) => order.get(a.widgetIds[0])! - order.get(b.widgetIds[0])!);
}

/** A widget on its own: its own statement, unchanged. */
function single(plan: WidgetPlan): PlannedQuery {
  return { compiled: widgetSql(plan), widgetIds: [plan.spec.id], split: (result) => new Map([[plan.spec.id, result]]) };
}

type Member = { plan: WidgetPlan; index: number; keys: number[]; g: number };

function merged(cluster: Cluster): PlannedQuery {
  const members = cluster.members;
  const first = members[0];
  const table = catalogTable(first.catalog, "events");
  const p = new Params();
  p.values.tenant = first.tenantId;
  const tzP = p.add("String", first.timezone);

  // Grouping keys: one per bucket granularity and per breakdown dimension. Each
  // key is its own grouping set; widgets without one (KPIs, totals) share the empty set.
  const keys: string[] = [];
  const keyOf = (expr: string) => (keys.includes(expr) ? keys.indexOf(expr) : keys.push(expr) - 1);
  const withKeys: Member[] = members.map((plan, index) => {
    const own = plan.shape === "series" ? [keyOf(`toString(${BUCKET[plan.granularity!]}(ts, ${tzP}))`)] : plan.shape === "breakdown" ? [keyOf(dimensionSql(plan.breakdown!))] : [];
    return { plan, index, keys: own, g: 0 };
  });
  const sets = [...new Set(withKeys.map((m) => m.keys.join(",")))];
  for (const m of withKeys) m.g = sets.indexOf(m.keys.join(","));
  const multi = sets.length > 1;
  const inSet = (g: number) => (multi ? `__g = ${g}` : undefined);
  const onlyIn = (g: number, expr: string, otherwise: string) => (multi ? `if(__g = ${g}, ${expr}, ${otherwise})` : expr);

  // Each row is read once and, with several sets, counted once per set (ARRAY JOIN
  // over the set numbers); every aggregate is narrowed to its widget's set, so a
  // costly one (distinct users, quantiles) does the work of its own widget only.
  const select: string[] = [];
  if (multi) select.push("__g");
  // One key column: the set's own key (a bucket label or a dimension value), '' in the empty set.
  if (keys.length > 0) {
    const perSetKey = keys.map((expr, i) => `__g = ${sets.indexOf(String(i))}, ${expr}`);
    select.push(`${multi ? `multiIf(${perSetKey.join(", ")}, '')` : keys[0]} AS __k`);
  }
  for (const { plan, index, g } of withKeys) {
    const own = plan.spec.filters.map((f) => filterSql(f, p));
    const cond = (extra?: string) => [inSet(g), extra, ...own].filter(Boolean).join(" AND ") || undefined;
    const w = `__w${index}`;
    if (plan.shape === "kpi") {
      const fromP = p.add("DateTime64(3, 'UTC')", chTime(plan.range.from));
      select.push(`${metricSql(plan.metrics[0], p, cond(`ts >= ${fromP}`))} AS ${w}_m0`);
      select.push(`${plan.withPrevious ? metricSql(plan.metrics[0], p, cond(`ts < ${fromP}`)) : "NULL"} AS ${w}_m0_previous`);
      continue;
    }
    plan.metrics.forEach((m, i) => select.push(`${metricSql(m, p, cond())} AS ${w}_m${i}`));
    if (plan.shape !== "total") {
      // Rows this widget counts in the group: a group exists for it only if there are some.
      const presence = cond(plan.events ? `name IN ${p.add("Array(String)", plan.events)}` : undefined);
      select.push(`${presence ? `countIf(${presence})` : "count()"} AS ${w}_n`);
    }
  }

  const where = [
    `${table.tenantColumn} = {tenant:String}`,
    `ts >= ${p.add("DateTime64(3, 'UTC')", chTime(first.scan.from))}`,
    `ts < ${p.add("DateTime64(3, 'UTC')", chTime(first.scan.to))}`,
    ...(cluster.events ? [`name IN ${p.add("Array(String)", cluster.events)}`] : []),
    ...Object.entries(first.locks).map(([dim, values]) => `${dimensionSql(dim)} IN ${p.add("Array(String)", values)}`),
    ...first.stateFilters.map((f) => filterSql(f, p)),
  ];
  if (multi) {
    // A row's copy for a set none of whose widgets counts its event is dropped before
    // it is grouped: every aggregate of the set would skip it anyway.
    const perSet = sets.flatMap((_set, g) => {
      const scans = withKeys.filter((m) => m.g === g).map((m) => scannedEvents(m.plan));
      if (scans.some((e) => e === undefined)) return [];
      const events = [...new Set(scans.flat() as string[])].sort();
      return cluster.events && events.length === cluster.events.length ? [] : [`__g = ${g}, name IN ${p.add("Array(String)", events)}`];
    });
    if (perSet.length > 0) where.push(`multiIf(${perSet.join(", ")}, 1)`);
  }
  const groupBy = [...(multi ? ["__g"] : []), ...(keys.length > 0 ? ["__k"] : [])];
  let sql = `SELECT ${select.join(",\n  ")}\nFROM ${table.database}.${table.name}`;
  if (multi) sql += `\nARRAY JOIN range(${sets.length}) AS __g`;
  sql += `\nWHERE ${where.join("\n  AND ")}`;
  if (groupBy.length > 0) sql += `\nGROUP BY ${groupBy.join(", ")}`;

  // Breakdowns keep only their own groups, in their own order, in SQL, and no
  // breakdown returns more rows than the largest breakdown limit, so a
  // dimension with many values never returns them all.
  const breakdowns = withKeys.filter((m) => m.plan.shape === "breakdown");
  if (withKeys.some((m) => m.keys.length > 0)) {
    const ordering = [
      ...breakdowns.flatMap(({ plan, index, g }) =>
        orderBy(plan)
          .split(", ")
          .map((part) => {
            const [col, dir] = part.split(" ");
            return `${onlyIn(g, col === "dimension" ? "__k" : `__w${index}_${col}`, "NULL")} ${dir}`;
          }),
      ),
      ...withKeys.filter((m) => m.plan.shape === "series").map(({ g }) => `${onlyIn(g, "__k", "NULL")} ASC`),
    ];
    // Per set: a breakdown keeps its groups with rows; other sets keep all.
    if (breakdowns.length > 0) {
      const keep = breakdowns.map((m) => (multi ? `__g = ${m.g}, __w${m.index}_n > 0` : `__w${m.index}_n > 0`));
      sql += `\nHAVING ${multi ? `multiIf(${keep.join(", ")}, 1)` : keep[0]}`;
    }
    sql += `\nORDER BY ${[...(multi ? ["__g"] : []), ...new Set(ordering)].join(", ")}`;
    // LIMIT BY takes one number: each breakdown set is cut at the largest breakdown
    // limit (each widget's own limit is applied when the rows are split); a series
    // set is never cut (each of its buckets is a partition of its own).
    if (breakdowns.length > 0) {
      const most = Math.max(...breakdowns.map((m) => planLimit(m.plan)));
      const seriesSets = [...new Set(withKeys.filter((m) => m.plan.shape === "series").map((m) => m.g))];
      const by = seriesSets.length > 0 ? `__g, if(__g IN (${seriesSets.join(", ")}), __k, '')` : "__g";
      sql += multi ? `\nLIMIT ${most} BY ${by}` : `\nLIMIT ${most}`;
    }
  }

  return {
    compiled: { kind: "compiled", sql, params: p.values, catalog: first.catalog, lockedFilters: first.locks },
    widgetIds: members.map((m) => m.spec.id),
    split: (result) => new Map(withKeys.map((m) => [m.plan.spec.id, splitOne(m, result)])),
  };
}

/** One widget's rows and columns, named and ordered as its own query names and orders them. */
function splitOne({ plan, index, g }: Member, result: RowSet): RowSet {
  const w = `__w${index}`;
  const type = (name: string) => result.columns.find((c) => c.name === name)?.type ?? "Nullable(Float64)";
  const metricNames = plan.shape === "kpi" ? ["m0", "m0_previous"] : plan.metrics.map((_m, i) => `m${i}`);
  const keyName = plan.shape === "series" ? "bucket" : plan.shape === "breakdown" ? "dimension" : undefined;
  const columns: QueryColumn[] = [...(keyName ? [{ name: keyName, type: type("__k") }] : []), ...metricNames.map((n) => ({ name: n, type: type(`${w}_${n}`) }))];
  const mine = result.rows.filter((r) => r.__g === undefined || Number(r.__g) === g);
  const shape = (r: Record<string, unknown>) => ({ ...(keyName ? { [keyName]: r.__k } : {}), ...Object.fromEntries(metricNames.map((n) => [n, r[`${w}_${n}`]])) });
  if (plan.shape === "kpi" || plan.shape === "total") {
    // An aggregate over no rows is one row of empty values, as the widget's own query gives it.
    const empty = Object.fromEntries(metricNames.map((n, i) => [n, plan.shape === "kpi" && n === "m0_previous" && !plan.withPrevious ? null : EMPTY_VALUE[plan.metrics[plan.shape === "kpi" ? 0 : i].id] ?? null]));
    return { columns, rows: [mine[0] ? shape(mine[0]) : empty] };
  }
  if (plan.shape === "series") {
    const present = mine.filter((r) => Number(r[`${w}_n`]) > 0).slice(0, planLimit(plan)).map(shape);
    return { columns, rows: plan.fill ? fillBuckets(present, plan.fill) : present };
  }
  return { columns, rows: mine.slice(0, planLimit(plan)).map(shape) };
}
