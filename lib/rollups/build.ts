import "server-only";
import { getAnalytics, queryRows, type AnalyticsEngine } from "@/lib/analytics/engine";
import { writeBlocker } from "@/lib/analytics/store-writes";
import { insertsSettledUpTo, liveIngestSeqs, reserveIngestSeq } from "@/lib/analytics/ingest";
import { DashboardDefinition } from "@/lib/dashboards/definition";
import { getDb } from "@/lib/db";
import { getEnv } from "@/lib/env";
import { deriveRollup, rollupTableName, type RollupDefinition } from "@/lib/rollups/define";
import { forgetRollupStates } from "@/lib/rollups/ready";
import { backfillFilter, rollupSelect, rollupTableDdl, rollupViewDdl } from "@/lib/rollups/rollup-sql";

// Builds, keeps and drops the rollups live versions need. A build is:
//   1. the table and its materialized view, which counts every event inserted
//      with an ingest sequence number above the watermark — a moment a little
//      ahead, so every insert numbered above it starts after the view exists;
//   2. once every insert at or below the watermark has finished, a backfill of
//      those events (ingest_seq <= watermark), one partition at a time, with
//      progress in the Rollup row the versions page shows;
//   3. ready: the planner may answer from it.
// So an event that arrives during a build is counted exactly once. A retried
// batch carries its first attempt's number and deduplication token: at or
// below the watermark the view ignores it (the backfill counted what landed),
// above it the rollup's own deduplication drops the copy. A batch cut off by a
// crash before a build began is left to the view, which counts its retry.
// Builds run one at a time in the server process; a build interrupted by a
// restart is rebuilt from scratch on the next start. Tables no live version
// needs are dropped; a version rolled back to is rebuilt and reads events until then.

/** How far ahead of the view's creation its watermark is (µs): longer than an insert takes to start. */
const WATERMARK_LEAD_US = 2_000_000;

type BuildState = { queue: Promise<void>; generation: number; pending: Set<string> };
const global = globalThis as unknown as { enclaveRollups?: BuildState };
const state = (global.enclaveRollups ??= { queue: Promise.resolve(), generation: 0, pending: new Set() });

const table = (engine: AnalyticsEngine, def: Pick<RollupDefinition, "id">) => `${engine.database}.${rollupTableName(def)}`;

/** The rollups the live versions of dashboards that are not archived need, by id. */
export async function neededRollups(): Promise<Map<string, RollupDefinition>> {
  const rows = await getDb().dashboard.findMany({ where: { archivedAt: null, liveVersionId: { not: null } }, select: { liveVersion: { select: { definition: true } } } });
  const needed = new Map<string, RollupDefinition>();
  for (const row of rows) {
    if (!row.liveVersion) continue;
    const parsed = DashboardDefinition.safeParse(JSON.parse(row.liveVersion.definition));
    const def = parsed.success ? deriveRollup(parsed.data) : undefined;
    if (def) needed.set(def.id, def);
  }
  return needed;
}

/**
 * Brings the store in line with the live versions: builds what is missing
 * (in the background, one at a time) and drops what nothing needs. Called at
 * start, after a publish, a rollback or an archive. Returns when the drops are
 * done and the builds are queued; `settled()` waits for the builds.
 */
export async function reconcileRollups(engine: AnalyticsEngine = getAnalytics()): Promise<void> {
  const needed = await neededRollups();
  const known = await getDb().rollup.findMany();
  for (const row of known) {
    if (needed.has(row.id) || state.pending.has(row.id)) continue;
    await dropRollup(engine, row.id);
  }
  for (const def of needed.values()) {
    const row = known.find((r) => r.id === def.id);
    if (row?.state === "ready" && (await tableExists(engine, def))) continue;
    if (state.pending.has(def.id)) continue;
    queueBuild(engine, def);
  }
}

/**
 * After a publish, a rollback, an archive or a start: reconcile in the
 * background (ROLLUPS=0 turns automatic rollups off). Never throws.
 */
export function rollupsChanged(): void {
  if (!getEnv().ROLLUPS) return;
  void reconcileRollups().catch((err) => console.error(`rollups: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}`));
}

/** Settles when every queued build has finished. */
export function rollupBuildsSettled(): Promise<void> {
  return state.queue;
}

async function tableExists(engine: AnalyticsEngine, def: Pick<RollupDefinition, "id">): Promise<boolean> {
  const [{ n }] = await queryRows<{ n: number }>(engine, "SELECT count() AS n FROM system.tables WHERE database = {db:String} AND name = {name:String}", { params: { db: engine.database, name: rollupTableName(def) } });
  return Number(n) === 1;
}

/** Builds one rollup now (after any queued build) and settles when it is done. */
export async function buildRollupNow(engine: AnalyticsEngine, def: RollupDefinition, options: BuildOptions = {}): Promise<void> {
  queueBuild(engine, def, options);
  await state.queue;
}

type BuildOptions = { leadUs?: number; /** The deletion generation the build started in: it is not marked ready if that changed. */ generation?: number };

function queueBuild(engine: AnalyticsEngine, def: RollupDefinition, options: BuildOptions = {}): void {
  state.pending.add(def.id);
  state.queue = state.queue.then(async () => {
    try {
      // A deletion in place during a build may race its backfill: build again until one ran undisturbed
      // (each attempt waits out its watermark lead, so a burst of erasures costs one build per ~2 s, not one each).
      for (;;) {
        const generation = state.generation;
        await build(engine, def, { ...options, generation });
        if (generation === state.generation) break;
      }
    } catch (err) {
      const message = err instanceof Error ? err.message.split("\n")[0].slice(0, 500) : String(err);
      console.error(`rollup ${def.id} failed: ${message}`);
      await getDb().rollup.update({ where: { id: def.id }, data: { state: "failed", error: message } }).catch(() => undefined);
    } finally {
      state.pending.delete(def.id);
      forgetRollupStates();
    }
  });
}

async function command(engine: AnalyticsEngine, query: string, settings?: Record<string, unknown>): Promise<void> {
  await engine.withConnection((client) => client.command({ query, clickhouse_settings: settings as never }));
}

async function build(engine: AnalyticsEngine, def: RollupDefinition, options: BuildOptions): Promise<void> {
  const blocker = writeBlocker(engine.kind);
  if (blocker) throw new Error(`the analytics store may not be written: ${blocker}`);
  const db = getDb();
  const started = Date.now();
  await db.rollup.upsert({
    where: { id: def.id },
    create: { id: def.id, definition: JSON.stringify(def), state: "building" },
    update: { state: "building", partsDone: 0, partsTotal: 0, rowsRead: BigInt(0), error: null, readyAt: null },
  });
  forgetRollupStates();
  // From scratch: whatever an interrupted build left is not trusted.
  await command(engine, `DROP VIEW IF EXISTS ${table(engine, def)}_mv`);
  await command(engine, `DROP TABLE IF EXISTS ${table(engine, def)}`);
  await command(engine, rollupTableDdl(engine.database, def));
  // Batches claimed by a process that stopped (not live here): their retries reuse their number.
  const live = liveIngestSeqs();
  // Import chunks claimed and not finished are retried with their number too (lib/import/import-chunk.ts).
  const claimed = [
    ...(await db.idempotencyKey.findMany({ where: { response: "" }, select: { seq: true } })),
    ...(await db.importChunk.findMany({ where: { doneAt: null }, select: { seq: true } })),
  ];
  const orphans = claimed.map((k) => k.seq).filter((seq) => seq > BigInt(0) && !live.has(Number(seq)));
  const mark = reserveIngestSeq();
  mark.release();
  const watermark = BigInt(mark.seq) + BigInt(options.leadUs ?? WATERMARK_LEAD_US);
  await command(engine, rollupViewDdl(engine.database, def, watermark, orphans));
  await db.rollup.update({ where: { id: def.id }, data: { watermark: String(watermark) } });

  // Every insert numbered at or below the watermark has begun once the clock passes it; wait for those to finish.
  while (BigInt(Date.now() * 1000) <= watermark) await new Promise((r) => setTimeout(r, 100));
  await insertsSettledUpTo(Number(watermark));

  const parts = await queryRows<{ partition_id: string; rows: number }>(
    engine,
    "SELECT partition_id, sum(rows) AS rows FROM system.parts WHERE database = {db:String} AND table = 'events' AND active GROUP BY partition_id ORDER BY partition_id",
    { params: { db: engine.database } },
  );
  await db.rollup.update({ where: { id: def.id }, data: { partsTotal: parts.length } });
  let rowsRead = 0;
  for (const [i, part] of parts.entries()) {
    // insert_deduplicate off: two partitions may give equal blocks, and both count.
    await command(engine, `INSERT INTO ${table(engine, def)}\n${rollupSelect(engine.database, def, `${backfillFilter(watermark, orphans)} AND _partition_id = '${part.partition_id.replace(/[^0-9A-Za-z_-]/g, "")}'`)}`, { insert_deduplicate: 0 });
    rowsRead += Number(part.rows);
    await db.rollup.update({ where: { id: def.id }, data: { partsDone: i + 1, rowsRead: BigInt(rowsRead) } });
  }
  // A backfill writes many parts; a read pays per part, so they are merged before the rollup is used.
  await command(engine, `OPTIMIZE TABLE ${table(engine, def)} FINAL`);
  // Rows were deleted in place while it ran (its backfill may hold them): not ready; the queue builds it again.
  if (options.generation !== undefined && options.generation !== state.generation) return;
  await db.rollup.update({ where: { id: def.id }, data: { state: "ready", readyAt: new Date() } });
  console.log(`rollup ${def.id} ready: ${def.sets.length} sets, ${rowsRead} events backfilled in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

async function dropRollup(engine: AnalyticsEngine, id: string): Promise<void> {
  await command(engine, `DROP VIEW IF EXISTS ${table(engine, { id })}_mv`);
  await command(engine, `DROP TABLE IF EXISTS ${table(engine, { id })}`);
  await getDb().rollup.delete({ where: { id } }).catch(() => undefined);
  forgetRollupStates();
}

/**
 * After events were deleted in place (one end user's, or those past a
 * tenant's retention), a rollup's aggregates still count them and cannot be
 * corrected row by row (a unique-user state cannot forget one user). So
 * every rollup stops being used at once — readers go back to events — and is
 * built again from the events now stored. A build running meanwhile is done again.
 */
export async function rebuildRollups(engine: AnalyticsEngine = getAnalytics()): Promise<void> {
  await retireRollups();
  await reconcileRollups(engine);
}

/**
 * Stops every rollup being used, now: call it before deleting events in place
 * (then rebuildRollups), so no render reads a rollup that still counts them.
 * A build running meanwhile does not mark itself ready; it is done again.
 */
export async function retireRollups(): Promise<void> {
  state.generation++;
  await getDb().rollup.updateMany({ where: { state: "ready" }, data: { state: "stale" } });
  forgetRollupStates();
}

/** Erases one tenant's rows from every rollup; a build running meanwhile is done again. */
export async function deleteTenantRollupRows(engine: AnalyticsEngine, tenantId: string): Promise<void> {
  state.generation++;
  for (const row of await getDb().rollup.findMany({ select: { id: true } })) {
    if (!(await tableExists(engine, row))) continue;
    await engine.withConnection((client) =>
      client.command({ query: `ALTER TABLE ${table(engine, row)} DELETE WHERE tenant_id = {tenant:String}`, query_params: { tenant: tenantId }, clickhouse_settings: { mutations_sync: "2" } }),
    );
  }
}

export type RollupStatus = { id: string; state: string; partsDone: number; partsTotal: number; rowsRead: number; rows: number; bytes: number; error: string | null; readyAt: Date | null };

/** Build state and size of a version's rollup, for the versions page; undefined when the version needs none. */
export async function rollupStatus(definition: DashboardDefinition, engine: AnalyticsEngine = getAnalytics()): Promise<{ def: RollupDefinition; status?: RollupStatus } | undefined> {
  const def = deriveRollup(definition);
  if (!def) return undefined;
  const row = await getDb().rollup.findUnique({ where: { id: def.id } });
  if (!row) return { def };
  const [size] = await queryRows<{ rows: number; bytes: number }>(engine, "SELECT sum(rows) AS rows, sum(bytes_on_disk) AS bytes FROM system.parts WHERE database = {db:String} AND table = {name:String} AND active", {
    params: { db: engine.database, name: rollupTableName(def) },
  });
  return { def, status: { id: row.id, state: row.state, partsDone: row.partsDone, partsTotal: row.partsTotal, rowsRead: Number(row.rowsRead), rows: Number(size?.rows ?? 0), bytes: Number(size?.bytes ?? 0), error: row.error, readyAt: row.readyAt } };
}
