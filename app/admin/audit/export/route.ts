import { exportAuditCsv } from "@/lib/audit-export";
import { filterOf, parseAuditQuery } from "@/lib/audit-filter";
import { withAdminSession } from "@/lib/auth/with-admin-session";
import { AppError } from "@/lib/errors";

export const dynamic = "force-dynamic";

// CSV of the audit log for the filter in the query string (the page's own links).
export const GET = withAdminSession("app/admin/audit/export/route.ts#GET", async (req, { admin }) => {
  const parsed = parseAuditQuery(Object.fromEntries(new URL(req.url).searchParams));
  if (!parsed.ok) throw new AppError("validation_failed", parsed.message);
  const filter = filterOf(parsed.query); // the whole filter, not the page being viewed
  const csv = await exportAuditCsv({ filter, actor: admin.actor });
  return new Response(csv.body, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${csv.filename}"`,
      "Cache-Control": "no-store",
      "X-Enclave-Rows": String(csv.rows),
      "X-Enclave-Truncated": String(csv.truncated),
    },
  });
});
