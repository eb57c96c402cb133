import "server-only";
import crypto from "node:crypto";
import { AppError, errorResponse } from "@/lib/errors";
import { loadActiveSession, type ActiveSession } from "@/lib/embed/sessions";
import { verifyDataToken } from "@/lib/embed/tokens";
import { scopeFromEmbedSession, type TenantScope } from "@/lib/query/scope";

// Wraps the iframe's data endpoints: the tenant comes only from the data
// token in the Authorization header (never a body, query string or cookie),
// and the session behind it is re-checked on every request.

export type EmbedContext = { scope: TenantScope; session: ActiveSession; versionId: string; requestId: string };
/** Next's second argument to a route handler: the dynamic segments (`/views/[id]`). */
export type EmbedRouteContext = { params: Promise<Record<string, string | string[]>> };

export function withEmbedSession(handler: (req: Request, ctx: EmbedContext, route: EmbedRouteContext) => Promise<Response>) {
  return async (req: Request, route: EmbedRouteContext = { params: Promise.resolve({}) }): Promise<Response> => {
    const requestId = crypto.randomUUID();
    try {
      const match = req.headers.get("authorization")?.match(/^Bearer\s+(\S+)\s*$/i);
      if (!match) throw new AppError("unauthenticated", "Send the embed's data token in the Authorization header.");
      const verified = await verifyDataToken(match[1]);
      if (!verified.ok) {
        throw verified.reason === "expired"
          ? new AppError("session_expired", "This embed's data token has expired. Reload the embed.")
          : new AppError("invalid_token", "This embed's data token is not valid.");
      }
      const { claims } = verified;
      const session = await loadActiveSession(claims, { allowSpent: true });
      const scope = scopeFromEmbedSession({ verified: true, sessionId: session.id, tenantId: session.tenantId });
      const response = await handler(req, { scope, session, versionId: claims.version, requestId }, route);
      response.headers.set("Cache-Control", "no-store");
      return response;
    } catch (err) {
      return errorResponse(err, requestId);
    }
  };
}
