import "server-only";
import { pageModel } from "@/lib/dashboards/page-model";
import { dashboardPage, refusalPage, type PageResult } from "@/lib/embed/embed-response";
import { openEmbed } from "@/lib/embed/open-embed";
import { initialState, startDashboard } from "@/lib/query/run-dashboard";

// GET /embed/<token>: the token and session checked, every widget read through
// the front door with the session's scope, and the page rendered with its
// charts drawn on the server. Refusals show no data and no dashboard metadata;
// framing is allowed only to the token's signed origins. Served by the Next
// route handler (app/embed/[token]/route.ts) and, in production, directly by
// scripts/server.mjs (the same function, without Next's request pipeline).

export async function embedPage(rawToken: string): Promise<PageResult> {
  let token = "";
  try {
    token = decodeURIComponent(rawToken);
  } catch {
    // a malformed %-sequence is an invalid token
  }
  const opened = await openEmbed(token);
  if (!opened.ok) return refusalPage(opened);
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
  return dashboardPage(model, render.results, { frameAncestors: opened.origins });
}
