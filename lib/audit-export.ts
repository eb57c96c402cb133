import "server-only";
import { recordAudit } from "@/lib/audit";
import type { AuditFilter } from "@/lib/audit-filter";
import { auditBatches, countAudit, latestAuditId } from "@/lib/audit-search";
import { csvLine } from "@/lib/embed/csv";

// The audit log as CSV for the current filter, newest first. Rows are read
// in batches and streamed, so a large export never sits in memory whole.

/** At most this many rows per export; narrow the filter (e.g. by dates) for more. */
export const AUDIT_EXPORT_LIMIT = 100_000;

export const AUDIT_CSV_COLUMNS = ["id", "time_utc", "actor", "action", "target", "details"] as const;

export type AuditExport = { rows: number; total: number; truncated: boolean; filename: string; body: ReadableStream<Uint8Array> };

type ExportOptions = { filter: AuditFilter; actor: string; limit?: number; now?: Date };

/** Starts an export (audited as `audit.export`: who took which rows out); the body streams as it is read. */
export async function exportAuditCsv({ filter, actor, limit = AUDIT_EXPORT_LIMIT, now = new Date() }: ExportOptions): Promise<AuditExport> {
  const upTo = await latestAuditId();
  const total = await countAudit(filter, upTo);
  const rows = Math.min(total, limit);
  await recordAudit({ actor, action: "audit.export", meta: { filter, rows, truncated: total > limit } });
  const encoder = new TextEncoder();
  const batches = auditBatches(filter, { upTo, limit });
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(encoder.encode(csvLine([...AUDIT_CSV_COLUMNS])));
    },
    async pull(controller) {
      const next = await batches.next();
      if (next.done) return controller.close();
      // Actor and target can hold text a signed-out visitor typed (a failed login's email): csvLine neutralises formulas.
      controller.enqueue(encoder.encode(next.value.map((r) => csvLine([r.id, r.at.toISOString(), r.actor, r.action, r.target, r.meta])).join("")));
    },
    async cancel() {
      await batches.return(undefined);
    },
  });
  const stamp = now.toISOString().slice(0, 19).replace(/[-:]/g, "").replace("T", "-");
  return { rows, total, truncated: total > limit, filename: `enclave-audit-${stamp}.csv`, body };
}
