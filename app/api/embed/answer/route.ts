import { RerunInput, rerunAnswer } from "@/lib/ai/embed-ask";
import { withEmbedSession } from "@/lib/embed/with-embed-session";
import { readJson } from "@/lib/http";

// An earlier answer (from a saved view) run again under the session's current scope and permissions.
export const POST = withEmbedSession(async (req, ctx) => {
  const input = await readJson(req, RerunInput);
  return Response.json({ answer: await rerunAnswer(ctx, input) });
});
