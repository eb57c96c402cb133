import { withSharedAdminKey } from "@/lib/auth/with-api-key";
import { RollbackInput, rollbackFromApi } from "@/lib/dashboards/dashboards-api";
import { readJson } from "@/lib/http";

/** Makes an earlier version live again; nothing is deleted. */
export const POST = withSharedAdminKey(async (req, ctx, route) => {
  const { id } = (await route.params) as { id: string };
  const input = await readJson(req, RollbackInput);
  return Response.json(await rollbackFromApi(id, input, ctx.actor));
});
