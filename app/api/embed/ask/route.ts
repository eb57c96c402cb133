import { AskInput } from "@/lib/ai/ask";
import { askFromEmbed } from "@/lib/ai/embed-ask";
import { withEmbedSession } from "@/lib/embed/with-embed-session";
import { readJson } from "@/lib/http";

// A customer's question: answered as a chart of their own data, or refused. Never SQL.
export const POST = withEmbedSession(async (req, ctx) => {
  const { question } = await readJson(req, AskInput);
  return Response.json(await askFromEmbed(ctx, question));
});
