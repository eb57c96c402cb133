import "server-only";
import { pageModel } from "@/lib/dashboards/page-model";
import { dashboardPage, newNonce, pageHeaders, refusalPage, type PageResult } from "@/lib/embed/embed-response";
import { checkEmbed, openEmbed } from "@/lib/embed/open-embed";
import { initialState, startDashboard } from "@/lib/query/run-dashboard";

// GET /embed/<token>: the token and session checked, every widget read through
// the front door with the session's scope, and the page rendered with its
// charts drawn on the server. Refusals show no data and no dashboard metadata;
// framing is allowed only to the token's signed origins. Served by the Next
// route handler (app/embed/[token]/route.ts) and, in production, directly by
// scripts/server.mjs (the same function, without Next's request pipeline).

function decodeToken(rawToken: string): string {
  try {
    return decodeURIComponent(rawToken);
  } catch {
    return ""; // a malformed %-sequence is an invalid token
  }
}

export async function embedPage(rawToken: string): Promise<PageResult> {
  const opened = await openEmbed(decodeToken(rawToken));
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
    session: { mode: "embed", dataToken: opened.dataToken, sessionExpiresAt: opened.sessionExpiresAt, sessionExpiresInMs: opened.sessionExpiresInMs, origins: opened.origins, locale: opened.session.locale },
  });
  return dashboardPage(model, render.results, { frameAncestors: opened.origins });
}

/** HEAD /embed/<token>: the status and headers GET would answer with, checked without opening the session. */
export async function embedPageHead(rawToken: string): Promise<{ status: number; headers: Headers }> {
  const checked = await checkEmbed(decodeToken(rawToken));
  return checked.ok ? { status: 200, headers: pageHeaders(checked.origins, newNonce()) } : { status: checked.status, headers: pageHeaders(checked.origins, newNonce()) };
}
