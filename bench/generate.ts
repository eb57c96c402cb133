import type { AnalyticsEngine } from "@/lib/analytics/engine";
import { benchTenants, eventBatches, type BenchTenant } from "./dataset";
import { ExpectedNumbers } from "./expected";
import { progress } from "./stats";

// Step 1: generate the data set and write it through the library's ingest
// path (ingestEvents: per-row validation, then one insert per batch), while
// keeping each tenant's expected numbers in memory for the leak check.

export const BATCH = 10_000;

export type Generated = {
  tenants: BenchTenant[];
  expected: ExpectedNumbers;
  rows: number;
  seconds: number;
  /** Time spent inside ingestEvents (validation + insert), excluding generation. */
  ingestSeconds: number;
  parts: { before: number; after: number; optimizeSeconds: number };
};

async function activeParts(engine: AnalyticsEngine): Promise<number> {
  const { queryRows } = await import("@/lib/analytics/engine");
  const [row] = await queryRows<{ n: number }>(engine, "SELECT count() AS n FROM system.parts WHERE database = {db:String} AND table = 'events' AND active", { params: { db: engine.database } });
  return Number(row.n);
}

export async function generateData(options: { events: number; tenants: number; seed: number; anchor: Date }): Promise<Generated> {
  const { getAnalytics } = await import("@/lib/analytics/engine");
  const { ensureAnalyticsSchema } = await import("@/lib/analytics/schema");
  const { ingestEvents } = await import("@/lib/analytics/ingest");
  const engine = getAnalytics();
  await ensureAnalyticsSchema(engine);

  const tenants = benchTenants(options.events, options.tenants);
  const expected = new ExpectedNumbers(options.anchor);
  const bar = progress("generate + ingest", options.events);
  let rows = 0;
  let ingestMs = 0;
  for (const batch of eventBatches(tenants, options.anchor, options.seed, BATCH)) {
    const t = performance.now();
    const result = await ingestEvents(engine, batch);
    ingestMs += performance.now() - t;
    if (result.rejected.length > 0) throw new Error(`generated event rejected: ${result.rejected[0].message}`);
    for (const event of batch) expected.add(event);
    rows += result.accepted;
    bar.update(rows);
  }
  const seconds = bar.end();

  // A backfill leaves many small parts; the engine merges them in the
  // background. Merge now so every run measures the same settled table.
  const before = await activeParts(engine);
  const t = performance.now();
  await engine.withConnection((client) => client.command({ query: `OPTIMIZE TABLE ${engine.database}.events FINAL` }));
  const optimizeSeconds = (performance.now() - t) / 1000;
  return { tenants, expected, rows, seconds, ingestSeconds: ingestMs / 1000, parts: { before, after: await activeParts(engine), optimizeSeconds } };
}

/** Per-row validation cost alone (toEventRow, as ingestEvents runs it), over a sample. */
export async function validationMicros(events: unknown[]): Promise<number> {
  const { toEventRow } = await import("@/lib/analytics/event-row");
  const t = performance.now();
  events.forEach((e, i) => toEventRow(e, i));
  return ((performance.now() - t) * 1000) / events.length;
}
