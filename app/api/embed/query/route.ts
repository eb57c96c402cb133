import { runEmbedWidget, WidgetQueryInput } from "@/lib/embed/embed-widgets";
import { withEmbedSession } from "@/lib/embed/with-embed-session";
import { readJson } from "@/lib/http";

// The iframe's widget queries (filter changes, drill-down). No tenant field: the scope comes from the data token.
export const POST = withEmbedSession(async (req, { scope, session, versionId, requestId }) => {
  const input = await readJson(req, WidgetQueryInput);
  const { result } = await runEmbedWidget(scope, session, versionId, input, requestId);
  return Response.json({ widget_id: input.widget_id, rows: result.rows, columns: result.columns });
});
