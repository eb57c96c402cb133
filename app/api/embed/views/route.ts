import { withEmbedSession } from "@/lib/embed/with-embed-session";
import { readJson } from "@/lib/http";
import { createView, listViews } from "@/lib/views/saved-views";
import { CreateViewInput } from "@/lib/views/view-state";

// The end user's saved views of this embed's dashboard. Tenant, user and
// dashboard come from the data token's session, never from the body.

export const GET = withEmbedSession(async (_req, { session }) => Response.json(await listViews(session)));

export const POST = withEmbedSession(async (req, { session, versionId }) => {
  const input = await readJson(req, CreateViewInput);
  return Response.json({ view: await createView(session, versionId, input) }, { status: 201 });
});
