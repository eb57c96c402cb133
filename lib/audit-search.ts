import "server-only";
import { auditWhere, describeMeta, type AuditFilter, type AuditQuery } from "@/lib/audit-filter";
import { getDb } from "@/lib/db";

// Reading the audit log for the admin page: one page of rows newest first,
// keyed by id (ids only grow, so a cursor stays valid while rows are added).

export const AUDIT_PAGE_SIZE = 100;

export type AuditRow = { id: number; at: Date; actor: string; action: string; target: string; meta: string; details: ReturnType<typeof describeMeta> };

export type AuditPage = {
  rows: AuditRow[];
  /** Rows matching the filter, across all pages. */
  total: number;
  /** Cursor for the next older page (`before`), when there is one. */
  older?: number;
  /** Cursor for the next newer page (`after`), when there is one. */
  newer?: number;
};

export async function searchAudit(query: AuditQuery, pageSize = AUDIT_PAGE_SIZE): Promise<AuditPage> {
  const db = getDb();
  const where = auditWhere(query);
  const goingNewer = query.after !== undefined;
  const cursor = goingNewer ? { id: { gt: query.after } } : query.before !== undefined ? { id: { lt: query.before } } : {};
  // One extra row tells whether a further page exists in the direction we read.
  const [found, total] = await Promise.all([
    db.auditLog.findMany({ where: { AND: [where, cursor] }, orderBy: { id: goingNewer ? "asc" : "desc" }, take: pageSize + 1 }),
    db.auditLog.count({ where }),
  ]);
  const more = found.length > pageSize;
  const page = found.slice(0, pageSize);
  if (goingNewer) page.reverse();
  const rows = page.map((r) => ({ ...r, details: describeMeta(r.meta) }));
  if (rows.length === 0) return { rows, total };
  const newest = rows[0].id;
  const oldest = rows[rows.length - 1].id;
  // The other direction: rows exist beyond the cursor we came from.
  const behind = (goingNewer || query.before !== undefined) && (await db.auditLog.findFirst({ where: { AND: [where, goingNewer ? { id: { lt: oldest } } : { id: { gt: newest } }] }, select: { id: true } })) !== null;
  const hasOlder = goingNewer ? behind : more;
  const hasNewer = goingNewer ? more : behind;
  return { rows, total, ...(hasOlder ? { older: oldest } : {}), ...(hasNewer ? { newer: newest } : {}) };
}

/** Every action recorded so far, for the action filter (GROUP BY uses the action index). */
export async function listAuditActions(): Promise<string[]> {
  const groups = await getDb().auditLog.groupBy({ by: ["action"], orderBy: { action: "asc" } });
  return groups.map((g) => g.action);
}

/** The newest row's id: an export reads up to it, so rows written meanwhile do not shift its count. */
export async function latestAuditId(): Promise<number> {
  return (await getDb().auditLog.findFirst({ orderBy: { id: "desc" }, select: { id: true } }))?.id ?? 0;
}

export async function countAudit(filter: AuditFilter, upTo: number): Promise<number> {
  return getDb().auditLog.count({ where: { AND: [auditWhere(filter), { id: { lte: upTo } }] } });
}

/** Matching rows up to id `upTo`, newest first, in batches, stopping at `limit` rows: memory stays flat for a large export. */
export async function* auditBatches(filter: AuditFilter, { upTo, limit, batchSize = 1_000 }: { upTo: number; limit: number; batchSize?: number }) {
  const where = auditWhere(filter);
  let before = upTo + 1;
  let sent = 0;
  while (sent < limit) {
    const rows = await getDb().auditLog.findMany({
      where: { AND: [where, { id: { lt: before } }] },
      orderBy: { id: "desc" },
      take: Math.min(batchSize, limit - sent),
    });
    if (rows.length === 0) return;
    yield rows;
    sent += rows.length;
    before = rows[rows.length - 1].id;
  }
}
