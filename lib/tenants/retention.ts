import "server-only";
import { z } from "zod";
import { getAnalytics } from "@/lib/analytics/engine";
import { recordAudit } from "@/lib/audit";
import { checkAdminProof, setupProof, type AdminProof } from "@/lib/auth/admin-proof";
import { getDb } from "@/lib/db";
import { getEnv } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { deleteTenantEventsBefore, tenantsWithEventsBefore } from "@/lib/query/cross-tenant";
import { forgetTenantResults } from "@/lib/query/result-cache";
import { reconcileRollups, retireRollups } from "@/lib/rollups/build";

// How long each tenant's events are kept. A tenant's own retention wins over
// the install's default (RETENTION_DAYS; 0 or unset keeps everything). The
// engine drops what is older: a sweep at start and every hour deletes, per
// tenant, the events before the UTC midnight `days` days ago — whole days, so
// a day is either kept or gone — forgets the tenant's cached results, and
// rebuilds the rollups when anything went (their aggregates counted it).

export const RetentionInput = z
  .object({ days: z.number().int().min(1, "keep at least 1 day").max(36_500, "keep at most 36,500 days (100 years)").nullable() })
  .strict();

export type Retention = { tenant_id: string; days: number | null; source: "tenant" | "default" | "none"; keeps_events_since: string | null };

const DAY = 86_400_000;

/** The first instant kept: UTC midnight `days` days before today. */
export function retentionCutoff(days: number, now: Date): Date {
  return new Date(Math.floor(now.getTime() / DAY) * DAY - days * DAY);
}

function describe(tenantId: string, own: number | undefined, now: Date): Retention {
  const fallback = getEnv().RETENTION_DAYS;
  const days = own ?? (fallback > 0 ? fallback : null);
  return { tenant_id: tenantId, days, source: own !== undefined ? "tenant" : days !== null ? "default" : "none", keeps_events_since: days === null ? null : retentionCutoff(days, now).toISOString() };
}

export async function getRetention(proof: AdminProof, tenantId: string, now = new Date()): Promise<Retention> {
  checkAdminProof(proof, { tenantId });
  const row = await getDb().tenantRetention.findUnique({ where: { tenantId } });
  return describe(tenantId, row?.days, now);
}

/** Sets (or with null, removes) a tenant's own retention and applies it at once. */
export async function setRetention(proof: AdminProof, tenantId: string, input: unknown, now = new Date()): Promise<Retention & { events_deleted: number }> {
  const { actor } = checkAdminProof(proof, { tenantId });
  const parsed = RetentionInput.safeParse(input);
  if (!parsed.success) throw new AppError("validation_failed", `Invalid retention: ${parsed.error.issues[0].path.join(".") || "body"}: ${parsed.error.issues[0].message}. Send {"days": 90}, or {"days": null} for the install's default.`);
  const { days } = parsed.data;
  const db = getDb();
  if (days === null) await db.tenantRetention.deleteMany({ where: { tenantId } });
  else await db.tenantRetention.upsert({ where: { tenantId }, create: { tenantId, days, updatedBy: actor }, update: { days, updatedBy: actor } });
  await recordAudit({ actor, action: "tenant.retention", target: tenantId, meta: { days } });
  const retention = describe(tenantId, days ?? undefined, now);
  const swept = retention.days === null ? undefined : await dropExpired(proof, new Map([[tenantId, retention.days]]), now);
  return { ...retention, events_deleted: swept?.events_deleted ?? 0 };
}

/** The tenants of `plan` (tenant → days) that hold events before their cutoff. */
async function expiredTenants(proof: AdminProof, plan: Map<string, number>, now: Date): Promise<Map<string, number>> {
  const due = new Map<string, number>();
  for (const days of new Set(plan.values())) {
    const holding = new Set(await tenantsWithEventsBefore(proof, retentionCutoff(days, now)));
    for (const [tenant, d] of plan) if (d === days && holding.has(tenant)) due.set(tenant, days);
  }
  return due;
}

/**
 * Deletes what is past retention for the tenants of `plan`. Rollups stop being
 * used before anything goes (they count it) and are built again after; each
 * tenant's cached results are forgotten after its delete.
 */
async function dropExpired(proof: AdminProof, plan: Map<string, number>, now: Date): Promise<Sweep> {
  const sweep: Sweep = { tenants: [], events_deleted: 0 };
  const due = await expiredTenants(proof, plan, now);
  if (due.size === 0) return sweep;
  const rollups = (await getDb().rollup.count()) > 0;
  if (rollups) await retireRollups();
  try {
    for (const [tenant, days] of due) {
      const { rows_deleted } = await deleteTenantEventsBefore(proof, tenant, retentionCutoff(days, now));
      forgetTenantResults(tenant);
      if (rows_deleted === 0) continue;
      sweep.tenants.push({ tenant_id: tenant, days, events_deleted: rows_deleted });
      sweep.events_deleted += rows_deleted;
    }
  } finally {
    if (rollups) await reconcileRollups(getAnalytics());
  }
  return sweep;
}

export type Sweep = { tenants: { tenant_id: string; days: number; events_deleted: number }[]; events_deleted: number };

/** Applies every tenant's retention now (`fallback`: the install's default, RETENTION_DAYS). */
export async function sweepRetention(now = new Date(), fallback = getEnv().RETENTION_DAYS): Promise<Sweep> {
  const proof = setupProof("retention sweep");
  const own = new Map((await getDb().tenantRetention.findMany()).map((r) => [r.tenantId, r.days]));
  const plan = new Map(own);
  if (fallback > 0) for (const tenant of await tenantsWithEventsBefore(proof, retentionCutoff(fallback, now))) if (!own.has(tenant)) plan.set(tenant, fallback);
  const sweep = await dropExpired(proof, plan, now);
  if (sweep.events_deleted > 0) await recordAudit({ actor: "system", action: "retention.sweep", target: "events", meta: { events_deleted: sweep.events_deleted, tenants: sweep.tenants.length } });
  return sweep;
}

const HOUR = 3_600_000;

/** The server's sweep: shortly after start, then every hour. Never throws. */
export function scheduleRetention(): void {
  const state = globalThis as unknown as { enclaveRetentionTimer?: NodeJS.Timeout };
  if (state.enclaveRetentionTimer) return;
  const run = () =>
    void sweepRetention().catch((err: unknown) => console.error(`retention: ${err instanceof Error ? err.message.split("\n")[0] : String(err)}`));
  setTimeout(run, 30_000).unref();
  state.enclaveRetentionTimer = setInterval(run, HOUR).unref();
}
