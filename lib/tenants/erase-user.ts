import "server-only";
import crypto from "node:crypto";
import { getAnalytics } from "@/lib/analytics/engine";
import { recordAudit } from "@/lib/audit";
import { checkAdminProof, type AdminProof } from "@/lib/auth/admin-proof";
import { beginErasure } from "@/lib/backup/erasure-ledger";
import { getDb } from "@/lib/db";
import { getSecrets } from "@/lib/secrets";
import { deleteUserEvents } from "@/lib/query/cross-tenant";
import { forgetTenantResults } from "@/lib/query/result-cache";
import { forgetImportCopies } from "@/lib/import/import-chunk";
import { reconcileRollups, retireRollups } from "@/lib/rollups/build";

// One end user's data within one tenant goes (a right-to-erasure request):
// their events, their saved views and their AI questions, the tenant's cached
// results, and every rollup that counted them (rebuilt from what is left). The
// same user id in another tenant is a different person and is not touched.

export type UserErasure = { tenant_id: string; user_id: string; events_deleted: number; saved_views_deleted: number; ai_log_entries_deleted: number; rollups_rebuilding: boolean };

/**
 * The audit log keeps that an erasure happened, not whom it erased: a keyed
 * digest (HMAC with the install's secret), so guessing ids and hashing them
 * does not reveal who was erased; the same user gives the same digest, so
 * repeated requests can be told apart.
 */
export const userIdDigest = (tenantId: string, userId: string) => crypto.createHmac("sha256", getSecrets().nextAuthSecret).update(`erasure\n${tenantId}\n${userId}`).digest("hex").slice(0, 16);

export async function eraseUserData(proof: AdminProof, tenantId: string, userId: string, options: { reapplying?: boolean } = {}): Promise<UserErasure> {
  const { actor } = checkAdminProof(proof, { tenantId });
  // In the ledger before anything goes, so a restore of an older backup erases the user again.
  const finished = options.reapplying ? () => undefined : beginErasure(tenantId, userId);
  try {
    const db = getDb();
    // Rollups hold aggregates that count the user: unused from before the delete, built again after it.
    const rebuilding = (await db.rollup.count()) > 0;
    if (rebuilding) await retireRollups();
    const { rows_deleted } = await deleteUserEvents(proof, tenantId, userId);
    await forgetImportCopies(getAnalytics()); // Parquet imports' uploads and staging tables hold copies of events
    const { count: savedViews } = await db.savedView.deleteMany({ where: { tenantId, userId } });
    const { count: aiLogs } = await db.aiLog.deleteMany({ where: { tenantId, userId } });
    // Sessions stay as records (revocation, audit) but no longer name the user.
    await db.embedSession.updateMany({ where: { tenantId, userId }, data: { userId: null } });
    // After the delete: a render that read before it keeps nothing (lib/query/result-cache.ts generations).
    forgetTenantResults(tenantId);
    if (rebuilding) await reconcileRollups(getAnalytics());
    const result = { tenant_id: tenantId, user_id: userId, events_deleted: rows_deleted, saved_views_deleted: savedViews, ai_log_entries_deleted: aiLogs, rollups_rebuilding: rebuilding };
    await recordAudit({
      actor,
      action: "tenant.erase_user",
      target: tenantId,
      meta: { user_digest: userIdDigest(tenantId, userId), events_deleted: rows_deleted, saved_views_deleted: savedViews, ai_log_entries_deleted: aiLogs, ...(options.reapplying ? { reapplied_after_restore: true } : {}) },
    });
    return result;
  } finally {
    finished();
  }
}
