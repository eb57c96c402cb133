import "server-only";
import { z } from "zod";
import type { AnalyticsEngine } from "@/lib/analytics/engine";
import { ingestEvents } from "@/lib/analytics/ingest";
import { DEMO_SEED, demoAnchor, demoEvents, demoTenantRows, demoTenants } from "@/lib/analytics/demo-data";
import { recordAudit } from "@/lib/audit";
import { getDb } from "@/lib/db";
import { setupProof } from "@/lib/auth/admin-proof";
import { storeHasEvents } from "@/lib/query/cross-tenant";

const BATCH = 10_000;

export type DemoLoad = { loaded: false; reason: string } | { loaded: true; rows: number; tenants: number; anchor: string; ms: number };

const StartedMeta = z.object({ anchor: z.string(), total: z.number() });

/**
 * Loads the demo data set through the ingest path into an empty events table.
 * A load cut off half-way resumes with the same anchor on the next start; its
 * deterministic dedup tokens make the batches already written no-ops.
 */
export async function loadDemoDataIfEmpty(
  engine: AnalyticsEngine,
  total: number,
  onProgress?: (done: number, total: number) => void,
): Promise<DemoLoad> {
  if (total <= 0) return { loaded: false, reason: "DEMO_EVENTS is 0" };
  const db = getDb();
  const finished = await db.auditLog.findFirst({ where: { action: "demo_data.load" } });
  if (finished) return { loaded: false, reason: "demo data was loaded before" };
  const started = await db.auditLog.findFirst({ where: { action: "demo_data.start" }, orderBy: { at: "desc" } });
  const resume = started ? StartedMeta.parse(JSON.parse(started.meta)) : undefined;
  if (!resume) {
    if (await storeHasEvents(setupProof("demo data load"))) return { loaded: false, reason: "the events table holds data already" };
  }
  const startedAt = Date.now();
  const anchor = resume ? new Date(resume.anchor) : demoAnchor();
  const rowsWanted = resume ? resume.total : total;
  if (!resume) await recordAudit({ actor: "system", action: "demo_data.start", target: "events", meta: { anchor: anchor.toISOString(), total } });

  // Per-tenant rounding makes the real total differ slightly from the one asked for.
  const rowsTotal = demoTenants().reduce((sum, t) => sum + demoTenantRows(t, rowsWanted), 0);
  let batch: unknown[] = [];
  let done = 0;
  let batchNumber = 0;
  const flush = async () => {
    const result = await ingestEvents(engine, batch, { dedupToken: `demo:${DEMO_SEED}:${anchor.toISOString()}:${batchNumber++}` });
    if (result.rejected.length > 0) throw new Error(`demo data rejected: ${result.rejected[0].message}`);
    done += result.accepted;
    batch = [];
    onProgress?.(done, rowsTotal);
  };
  for (const event of demoEvents(rowsWanted, anchor)) {
    batch.push(event);
    if (batch.length >= BATCH) await flush();
  }
  if (batch.length > 0) await flush();
  const tenants = demoTenants().length;
  await recordAudit({ actor: "system", action: "demo_data.load", target: "events", meta: { rows: done, tenants, seed: DEMO_SEED, anchor: anchor.toISOString() } });
  return { loaded: true, rows: done, tenants, anchor: anchor.toISOString(), ms: Date.now() - startedAt };
}
