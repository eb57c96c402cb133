import { withApiKey } from "@/lib/auth/with-api-key";
import { getEmbedSession, revokeEmbedSession } from "@/lib/embed/sessions";

type Params = { id: string };

export const GET = withApiKey("embed", async (_req, ctx, route) => {
  const { id } = (await route.params) as Params;
  return Response.json(await getEmbedSession(id, ctx));
});

/** Revokes the session; its open embeds stop getting data within 5 seconds. */
export const DELETE = withApiKey("embed", async (_req, ctx, route) => {
  const { id } = (await route.params) as Params;
  return Response.json(await revokeEmbedSession(id, ctx));
});
