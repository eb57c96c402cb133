import type { Metadata } from "next";
import { requireAdmin } from "@/lib/auth/admin-session";
import { getDb } from "@/lib/db";
import { formatDateTime } from "@/lib/format";

export const metadata: Metadata = { title: "Audit log" };

const PAGE_SIZE = 200;

export default async function AuditPage() {
  await requireAdmin("/admin/audit");
  const entries = await getDb().auditLog.findMany({ orderBy: { id: "desc" }, take: PAGE_SIZE });
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Audit log</h1>
          <p className="muted">Every sign-in and every change, newest first (latest {PAGE_SIZE}).</p>
        </div>
      </div>
      <div className="card table-wrap">
        {entries.length === 0 ? (
          <div className="empty">Nothing recorded yet.</div>
        ) : (
          <table className="table" data-testid="audit-table">
            <thead>
              <tr><th>Time</th><th>Actor</th><th>Action</th><th>Target</th><th>Details</th></tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.id}>
                  <td style={{ whiteSpace: "nowrap" }}>{formatDateTime(e.at)}</td>
                  <td>{e.actor}</td>
                  <td><code>{e.action}</code></td>
                  <td>{e.target}</td>
                  <td className="mono muted" style={{ maxWidth: 360, overflowWrap: "anywhere" }}>{e.meta === "{}" ? "" : e.meta}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </>
  );
}
