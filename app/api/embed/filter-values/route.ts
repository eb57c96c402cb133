import { withEmbedSession } from "@/lib/embed/with-embed-session";
import { readJson } from "@/lib/http";
import { FilterValuesInput, readFilterValues } from "@/lib/query/filter-values";

export const POST = withEmbedSession(async (req, { scope, session, requestId }) => {
  const input = await readJson(req, FilterValuesInput);
  const { values } = await readFilterValues(scope, input, { permissions: session.permissions, requestId });
  return Response.json({ dimension: input.dimension, values });
});
