import "server-only";
import { recordAudit } from "@/lib/audit";
import { getDb } from "@/lib/db";
import { revokeTenantSessions } from "@/lib/embed/sessions";
import { checkAdminProof, type AdminProof } from "@/lib/auth/admin-proof";
import { deleteTenantEvents } from "@/lib/query/cross-tenant";
import { getAnalytics } from "@/lib/analytics/engine";
import { deleteTenantRollupRows } from "@/lib/rollups/build";
import { forgetImportCopies } from "@/lib/import/import-chunk";
import { forgetTenantResults } from "@/lib/query/result-cache";
import { beginErasure } from "@/lib/backup/erasure-ledger";

// Everything Enclave holds about one tenant's data goes: its events and rollup rows, saved
// views, AI questions and cached results; its embed sessions are revoked. Sessions and
// audit rows stay as records (they hold no event data). Nothing of any other
// tenant is touched: every statement is keyed by this exact tenant id.

export type TenantDeletion = { tenant_id: string; events_deleted: number; saved_views_deleted: number; ai_log_entries_deleted: number; sessions_revoked: number };

/**
 * `reapplying`: a restore erasing again what the ledger says was erased after
 * its backup began (lib/backup/restore-backup.ts); the ledger has it already.
 */
export async function deleteTenantData(proof: AdminProof, tenantId: string, options: { reapplying?: boolean } = {}): Promise<TenantDeletion> {
  const { actor } = checkAdminProof(proof, { tenantId });
  // In the ledger before anything goes, so a restore of an older backup erases the tenant again.
  const finished = options.reapplying ? () => undefined : beginErasure(tenantId);
  try {
    return await eraseTenant({ actor, proof, tenantId, reapplying: options.reapplying === true });
  } finally {
    finished();
  }
}

async function eraseTenant({ actor, proof, tenantId, reapplying }: { actor: string; proof: AdminProof; tenantId: string; reapplying: boolean }): Promise<TenantDeletion> {
  // Sessions first, so no open embed reads while the rows go.
  const { sessions_revoked } = await revokeTenantSessions(tenantId, actor, { reapplying });
  const { rows_deleted } = await deleteTenantEvents(proof, tenantId);
  // Its rows in every rollup too (a build running meanwhile is done again).
  await deleteTenantRollupRows(getAnalytics(), tenantId);
  // Parquet imports' uploads and staging tables hold copies of events (lib/import/import-chunk.ts).
  await forgetImportCopies(getAnalytics());
  const { count: savedViews } = await getDb().savedView.deleteMany({ where: { tenantId } });
  const { count: aiLogs } = await getDb().aiLog.deleteMany({ where: { tenantId } });
  // Questions the tenant's users asked are their data too; widgets already added to dashboards are the admins'.
  await getDb().aiReviewItem.deleteMany({ where: { tenantId, addedTo: null } });
  forgetTenantResults(tenantId);
  const result = { tenant_id: tenantId, events_deleted: rows_deleted, saved_views_deleted: savedViews, ai_log_entries_deleted: aiLogs, sessions_revoked };
  const meta = { events_deleted: rows_deleted, saved_views_deleted: savedViews, ai_log_entries_deleted: aiLogs, sessions_revoked, ...(reapplying ? { reapplied_after_restore: true } : {}) };
  await recordAudit({ actor, action: "tenant.delete_data", target: tenantId, meta });
  return result;
}
