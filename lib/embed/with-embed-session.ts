import "server-only";
import crypto from "node:crypto";
import { isRole } from "@/lib/auth/roles";
import { issueProofSubject } from "@/lib/auth/admin-proof";
import { adminActor } from "@/lib/audit";
import { getDb } from "@/lib/db";
import { loadPreviewSource, loadPublishedSource } from "@/lib/dashboards/load-source";
import { AppError, errorResponse } from "@/lib/errors";
import { loadActiveSession, type ActiveSession } from "@/lib/embed/sessions";
import { verifyDataToken, verifyPreviewToken } from "@/lib/embed/tokens";
import type { DashboardReader } from "@/lib/query/run-dashboard";
import { scopeForAdminPreview, scopeFromEmbedSession, type TenantScope } from "@/lib/query/scope";

// Wraps the dashboard page's data endpoints: the tenant comes only from the
// data token in the Authorization header (never a body, query string or
// cookie), and the session behind it is re-checked on every request. Reads go
// through the front door with the reader built here. The admin preview is the
// same page with a preview token: the admin is re-read from the database and
// previews as the tenant the token names; endpoints that need an end user's
// session (views, questions) refuse it.

export type EmbedContext = { scope: TenantScope; session: ActiveSession; versionId: string; requestId: string; reader(): Promise<DashboardReader> };
export type DashboardContext = { reader: DashboardReader; requestId: string; session?: ActiveSession };
/** Next's second argument to a route handler: the dynamic segments (`/views/[id]`). */
export type EmbedRouteContext = { params: Promise<Record<string, string | string[]>> };

function bearer(req: Request): string {
  const match = req.headers.get("authorization")?.match(/^Bearer\s+(\S+)\s*$/i);
  if (!match) throw new AppError("unauthenticated", "Send the embed's data token in the Authorization header.");
  return match[1];
}

async function embedContext(token: string, requestId: string): Promise<EmbedContext | undefined> {
  const verified = await verifyDataToken(token);
  if (!verified.ok && verified.reason === "invalid") return undefined;
  if (!verified.ok) throw new AppError("session_expired", "This embed's data token has expired. Reload the embed.");
  const { claims } = verified;
  const session = await loadActiveSession(claims, { allowSpent: true });
  const scope = scopeFromEmbedSession({ verified: true, sessionId: session.id, tenantId: session.tenantId });
  let reader: Promise<DashboardReader> | undefined;
  return {
    scope,
    session,
    versionId: claims.version,
    requestId,
    reader: () =>
      (reader ??= loadPublishedSource(session.dashboardId, claims.version).then((source) => ({ scope, permissions: session.permissions, source, audience: "tenant" as const, cache: true, requestId }))),
  };
}

async function previewReader(token: string, requestId: string): Promise<DashboardReader | undefined> {
  const verified = await verifyPreviewToken(token);
  if (!verified.ok && verified.reason === "invalid") return undefined;
  if (!verified.ok) throw new AppError("session_expired", "This preview has expired. Reload the page.");
  const { claims } = verified;
  const user = await getDb().adminUser.findUnique({ where: { id: claims.admin } });
  // Previewing as a tenant is open to every role (lib/auth/roles.ts); a removed teammate's preview stops here.
  if (!user || !isRole(user.role)) throw new AppError("unauthenticated", "Sign in again to preview.");
  const admin = issueProofSubject({ id: user.id, email: user.email, name: user.name, actor: adminActor(user.email), role: user.role });
  const scope = scopeForAdminPreview({ kind: "admin", admin }, claims.tenant);
  const { definition, versionKey } = await loadPreviewSource(claims.dashboard, claims.show);
  return { scope, permissions: claims.permissions, source: { dashboardId: claims.dashboard, versionKey, definition }, audience: "admin", cache: false, requestId };
}

function wrap<C>(resolve: (req: Request, requestId: string) => Promise<C>, handler: (req: Request, ctx: C, route: EmbedRouteContext) => Promise<Response>) {
  return async (req: Request, route: EmbedRouteContext = { params: Promise.resolve({}) }): Promise<Response> => {
    const requestId = crypto.randomUUID();
    try {
      const response = await handler(req, await resolve(req, requestId), route);
      response.headers.set("Cache-Control", "no-store");
      return response;
    } catch (err) {
      return errorResponse(err, requestId);
    }
  };
}

/** Endpoints of an end user's session (views, questions, token refresh): embed data tokens only. */
export function withEmbedSession(handler: (req: Request, ctx: EmbedContext, route: EmbedRouteContext) => Promise<Response>) {
  return wrap(async (req, requestId) => {
    const ctx = await embedContext(bearer(req), requestId);
    if (!ctx) throw new AppError("invalid_token", "This embed's data token is not valid.");
    return ctx;
  }, handler);
}

/** Reading the dashboard (re-render, rows, filter values, export): an embed data token or the admin preview's token. */
export function withDashboardReader(handler: (req: Request, ctx: DashboardContext, route: EmbedRouteContext) => Promise<Response>) {
  return wrap(async (req, requestId): Promise<DashboardContext> => {
    const token = bearer(req);
    const embed = await embedContext(token, requestId);
    if (embed) return { reader: await embed.reader(), requestId, session: embed.session };
    const preview = await previewReader(token, requestId);
    if (!preview) throw new AppError("invalid_token", "This embed's data token is not valid.");
    return { reader: preview, requestId };
  }, handler);
}
