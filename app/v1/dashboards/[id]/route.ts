import { withSharedAdminKey } from "@/lib/auth/with-api-key";
import { DashboardUpdateInput, getDashboardForApi, updateDashboardFromApi } from "@/lib/dashboards/dashboards-api";
import { readJson } from "@/lib/http";

type Params = { id: string };

export const GET = withSharedAdminKey(async (_req, _ctx, route) => {
  const { id } = (await route.params) as Params;
  return Response.json(await getDashboardForApi(id));
});

/** Replaces the draft; `draft_version` must be the one you read, or the answer is 409. */
export const PUT = withSharedAdminKey(async (req, ctx, route) => {
  const { id } = (await route.params) as Params;
  const input = await readJson(req, DashboardUpdateInput);
  return Response.json(await updateDashboardFromApi(id, input, ctx.actor));
});
