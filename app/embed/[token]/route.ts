import { dashboardResponse, refusalResponse } from "@/lib/embed/embed-response";
import { openEmbed } from "@/lib/embed/open-embed";
import { pageModel } from "@/lib/dashboards/page-model";
import { initialState, startDashboard } from "@/lib/query/run-dashboard";

export const dynamic = "force-dynamic";

type Context = { params: Promise<{ token: string }> };

// /embed/<token>: the token and session checked, every widget read through the
// front door with the session's scope, and the page streamed as HTML with its
// charts drawn on the server. Refusals show no data and no dashboard metadata;
// framing is allowed only to the token's signed origins.
export async function GET(_req: Request, { params }: Context) {
  let token = "";
  try {
    token = decodeURIComponent((await params).token);
  } catch {
    // a malformed %-sequence is an invalid token
  }
  const opened = await openEmbed(token);
  if (!opened.ok) return refusalResponse(opened);
  const state = initialState(opened.source.definition);
  const render = startDashboard(opened.reader, state);
  const model = pageModel({
    title: opened.source.name,
    definition: opened.source.definition,
    permissions: opened.session.permissions,
    widgets: render.widgets,
    layout: render.layout,
    state,
    session: { mode: "embed", dataToken: opened.dataToken, sessionExpiresAt: opened.sessionExpiresAt, sessionExpiresInMs: opened.sessionExpiresInMs, origins: opened.origins },
  });
  return dashboardResponse(model, render.results, { frameAncestors: opened.origins });
}
