import { withSharedAdminKey } from "@/lib/auth/with-api-key";
import { exportDashboard, exportFileName, ExportQuery } from "@/lib/dashboards/export-import";
import { readQuery } from "@/lib/http";

/** The draft, or `?version=N`, as a file that POST /v1/dashboards/import reads. */
export const GET = withSharedAdminKey(async (req, _ctx, route) => {
  const { id } = (await route.params) as { id: string };
  const { version } = readQuery(req, ExportQuery);
  const doc = await exportDashboard(id, version);
  return Response.json(doc, { headers: { "Content-Disposition": `attachment; filename="${exportFileName(doc)}"` } });
});
