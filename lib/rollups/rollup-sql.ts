import { DEDUP_WINDOW } from "@/lib/analytics/schema";
import { rollupTableName, type RollupDefinition, type RollupState } from "@/lib/rollups/define";

// The SQL of a rollup: its table, and the one SELECT that turns events into
// its rows — used by the materialized view for events as they arrive and by
// the backfill for events already stored, so both count an event the same way.

const tzLiteral = (tz: string) => `'${tz.replace(/[^A-Za-z0-9_/+-]/g, "")}'`;

export const keyColumns = (def: Pick<RollupDefinition, "keys">) => Array.from({ length: def.keys }, (_v, i) => `k${i + 1}`);

/**
 * The table: tenant first in the key, as events are; aggregate states per
 * (set, name, bucket, keys). Its deduplication window drops a retried batch's
 * block: the engine passes a batch skipped by events on to the view, with a
 * deduplication token made from the batch's own.
 */
export function rollupTableDdl(database: string, def: RollupDefinition): string {
  const keys = keyColumns(def);
  return `CREATE TABLE IF NOT EXISTS ${database}.${rollupTableName(def)}
(
    tenant_id String,
    grp UInt16,
    name LowCardinality(String),
    bucket DateTime(${tzLiteral(def.timezone)}),
${keys.map((k) => `    ${k} String,\n`).join("")}    n SimpleAggregateFunction(sum, UInt64),
${def.users ? "    users AggregateFunction(uniqExact, Nullable(String)),\n" : ""}    vsum AggregateFunction(sum, Nullable(Float64)),
    vavg AggregateFunction(avg, Nullable(Float64)),
    vmin SimpleAggregateFunction(min, Nullable(Float64)),
    vmax SimpleAggregateFunction(max, Nullable(Float64))
)
ENGINE = AggregatingMergeTree
PARTITION BY toYYYYMM(bucket)
ORDER BY (tenant_id, grp, name, bucket${keys.map((k) => `, ${k}`).join("")})
SETTINGS index_granularity = 1024, non_replicated_deduplication_window = ${DEDUP_WINDOW}`;
}

/** A rollup column's state over events; `arg` is what it aggregates (its column, or NULL where a set does not fill it). */
export function stateSql(state: "n" | RollupState, arg = state === "users" ? "user_id" : "value"): string {
  return { n: "count()", users: `uniqExactState(${arg})`, vsum: `sumState(${arg})`, vavg: `avgState(${arg})`, vmin: `min(${arg})`, vmax: `max(${arg})` }[state];
}

/** Events → rollup rows. `where` narrows the events read (the view's watermark, a backfill's partition). */
export function rollupSelect(database: string, def: RollupDefinition, where: string): string {
  const tz = tzLiteral(def.timezone);
  const multi = def.sets.length > 1;
  const hourSets = def.sets.flatMap((s, i) => (s.grain === "hour" ? [i] : []));
  const bucket =
    hourSets.length === 0 ? `toStartOfDay(ts, ${tz})` : hourSets.length === def.sets.length ? `toStartOfHour(ts, ${tz})` : `if(grp IN (${hourSets.join(", ")}), toStartOfHour(ts, ${tz}), toStartOfDay(ts, ${tz}))`;
  const keys = keyColumns(def).map((k, i) => {
    const perSet = def.sets.flatMap((s, g) => (s.dims[i] ? [`grp = ${g}, ${s.dims[i]}`] : []));
    return `${perSet.length === 0 ? "''" : multi ? `multiIf(${perSet.join(", ")}, '')` : def.sets[0].dims[i]} AS ${k}`;
  });
  // A state only the sets that merge it fill; in the others it is empty (its argument NULL, which aggregates skip).
  const only = (state: RollupState, arg: string) => {
    const sets = def.sets.flatMap((s, g) => (s.states.includes(state) ? [g] : []));
    return sets.length === def.sets.length ? arg : sets.length === 0 ? `CAST(NULL, 'Nullable(${state === "users" ? "String" : "Float64"})')` : `if(grp IN (${sets.join(", ")}), ${arg}, NULL)`;
  };
  const columns = [
    "tenant_id",
    "grp",
    "name",
    `${bucket} AS bucket`,
    ...keys,
    `${stateSql("n")} AS n`,
    ...(def.users ? [`${stateSql("users", only("users", "user_id"))} AS users`] : []),
    ...(["vsum", "vavg", "vmin", "vmax"] as const).map((state) => `${stateSql(state, only(state, "value"))} AS ${state}`),
  ];
  return `SELECT ${columns.join(",\n  ")}
FROM ${database}.events
${multi ? `ARRAY JOIN range(${def.sets.length}) AS grp` : "ARRAY JOIN [0] AS grp"}
WHERE ${where}
GROUP BY tenant_id, grp, name, bucket${keyColumns(def).map((k) => `, ${k}`).join("")}`;
}

/**
 * The view that keeps the rollup current: events inserted after the watermark
 * (the backfill counts the rest), and the batches of `orphans`, claimed by a
 * process that stopped before acknowledging them: their retries carry their
 * first number, so the view counts them and the backfill does not.
 */
export function rollupViewDdl(database: string, def: RollupDefinition, watermark: bigint, orphans: bigint[]): string {
  return `CREATE MATERIALIZED VIEW IF NOT EXISTS ${database}.${rollupTableName(def)}_mv TO ${database}.${rollupTableName(def)}
AS ${rollupSelect(database, def, viewFilter(watermark, orphans))}`;
}

export const viewFilter = (watermark: bigint, orphans: bigint[]) => (orphans.length ? `(ingest_seq > ${watermark} OR ingest_seq IN (${orphans.join(", ")}))` : `ingest_seq > ${watermark}`);
export const backfillFilter = (watermark: bigint, orphans: bigint[]) => (orphans.length ? `ingest_seq <= ${watermark} AND ingest_seq NOT IN (${orphans.join(", ")})` : `ingest_seq <= ${watermark}`);
