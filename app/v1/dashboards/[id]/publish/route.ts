import { withSharedAdminKey } from "@/lib/auth/with-api-key";
import { PublishInput, publishFromApi } from "@/lib/dashboards/dashboards-api";
import { readJson } from "@/lib/http";

export const POST = withSharedAdminKey(async (req, ctx, route) => {
  const { id } = (await route.params) as { id: string };
  const input = await readJson(req, PublishInput);
  return Response.json(await publishFromApi(id, input, ctx.actor), { status: 201 });
});
