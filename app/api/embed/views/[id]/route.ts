import { withEmbedSession } from "@/lib/embed/with-embed-session";
import { readJson } from "@/lib/http";
import { deleteView, openView, updateView } from "@/lib/views/saved-views";
import { UpdateViewInput } from "@/lib/views/view-state";

// One saved view: open (re-checked against this session), rename/share, delete.
// Another tenant's, user's or dashboard's view is a 404 like a missing one.

type Params = { id: string };

export const GET = withEmbedSession(async (_req, { scope, session }, route) => {
  const { id } = (await route.params) as Params;
  return Response.json(await openView(scope, session, id));
});

export const PATCH = withEmbedSession(async (req, { session }, route) => {
  const { id } = (await route.params) as Params;
  const input = await readJson(req, UpdateViewInput);
  return Response.json({ view: await updateView(session, id, input) });
});

export const DELETE = withEmbedSession(async (_req, { session }, route) => {
  const { id } = (await route.params) as Params;
  return Response.json(await deleteView(session, id));
});
