import { withSharedAdminKey } from "@/lib/auth/with-api-key";
import { listVersionsForApi } from "@/lib/dashboards/dashboards-api";

export const GET = withSharedAdminKey(async (_req, _ctx, route) => {
  const { id } = (await route.params) as { id: string };
  return Response.json({ versions: await listVersionsForApi(id) });
});
