import { withSharedAdminKey } from "@/lib/auth/with-api-key";
import { AllowedOriginsInput, getAllowedOrigins, setAllowedOrigins } from "@/lib/dashboards/allowed-origins";
import { readJson } from "@/lib/http";

type Params = { id: string };

export const GET = withSharedAdminKey(async (_req, _ctx, route) => {
  const { id } = (await route.params) as Params;
  return Response.json({ dashboard_id: id, origins: await getAllowedOrigins(id) });
});

export const PUT = withSharedAdminKey(async (req, ctx, route) => {
  const { id } = (await route.params) as Params;
  const { origins } = await readJson(req, AllowedOriginsInput);
  return Response.json({ dashboard_id: id, origins: await setAllowedOrigins(id, origins, ctx.actor) });
});
