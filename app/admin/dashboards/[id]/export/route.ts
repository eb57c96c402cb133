import { requireRoute } from "@/lib/auth/admin-session";
import { exportDashboard, exportFileName, ExportQuery } from "@/lib/dashboards/export-import";
import { AppError, errorResponse } from "@/lib/errors";
import { readQuery } from "@/lib/http";

/** The designer's and versions page's "Export JSON": the same file as GET /v1/dashboards/:id/export. */
export async function GET(req: Request, { params }: { params: Promise<{ id: string }> }) {
  const requestId = crypto.randomUUID();
  try {
    await requireRoute("app/admin/dashboards/[id]/export/route.ts#GET");
    const { id } = await params;
    const doc = await exportDashboard(id, readQuery(req, ExportQuery).version);
    return new Response(`${JSON.stringify(doc, null, 2)}\n`, {
      headers: { "Content-Type": "application/json; charset=utf-8", "Content-Disposition": `attachment; filename="${exportFileName(doc)}"`, "Cache-Control": "no-store" },
    });
  } catch (err) {
    return errorResponse(err, requestId);
  }
}
