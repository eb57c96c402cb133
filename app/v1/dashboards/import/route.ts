import { z } from "zod";
import { withSharedAdminKey } from "@/lib/auth/with-api-key";
import { getDashboardForApi } from "@/lib/dashboards/dashboards-api";
import { importDashboard, parseDashboardExport } from "@/lib/dashboards/export-import";
import { readJson } from "@/lib/http";

/** Creates a new dashboard from an export; its draft is the file's definition. */
export const POST = withSharedAdminKey(async (req, ctx) => {
  const doc = parseDashboardExport(await readJson(req, z.unknown()));
  return Response.json(await getDashboardForApi(await importDashboard(doc, { actor: ctx.actor })), { status: 201 });
});
