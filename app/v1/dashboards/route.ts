import { withSharedAdminKey } from "@/lib/auth/with-api-key";
import { createDashboardFromApi, DashboardCreateInput, DashboardListQuery, listDashboardsForApi } from "@/lib/dashboards/dashboards-api";
import { readJson, readQuery } from "@/lib/http";

export const GET = withSharedAdminKey(async (req) => Response.json({ dashboards: await listDashboardsForApi(readQuery(req, DashboardListQuery)) }));

export const POST = withSharedAdminKey(async (req, ctx) => {
  const input = await readJson(req, DashboardCreateInput);
  return Response.json(await createDashboardFromApi(input, ctx.actor), { status: 201 });
});
