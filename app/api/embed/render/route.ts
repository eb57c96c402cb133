import { z } from "zod";
import { withDashboardReader } from "@/lib/embed/with-embed-session";
import { renderCards } from "@/lib/embed/render-cards";
import { readJson } from "@/lib/http";
import { DashboardState } from "@/lib/query/run-dashboard";
import { WidgetId } from "@/lib/query/widget-spec";

// The page's re-render after a filter change or drill-down: cards as HTML, drawn
// on the server with the session's scope. No tenant field: the scope comes from the token.
const RenderInput = z.object({ state: DashboardState, widgets: z.array(WidgetId).min(1).max(50).optional() }).strict();

export const POST = withDashboardReader(async (req, { reader, session }) => {
  const input = await readJson(req, RenderInput);
  // The admin preview has no session: its cards read in English.
  return Response.json({ cards: await renderCards(reader, input.state, { only: input.widgets, locale: session?.locale }) });
});
