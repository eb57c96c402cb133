import "server-only";
import crypto from "node:crypto";
import { requireRoute, type AdminContext } from "@/lib/auth/admin-session";
import type { AdminRoute } from "@/lib/auth/roles";
import { errorResponse } from "@/lib/errors";

type Handler = (req: Request, ctx: { admin: AdminContext; requestId: string }) => Promise<Response>;

/**
 * Wraps a route handler under /admin: re-reads the signed-in teammate and their
 * role (lib/auth/roles.ts, ROLE_NEEDED.routes) before the handler runs
 * (proxy.ts only checks that a session token exists, so a removed or demoted
 * teammate is stopped here) and turns errors into JSON bodies.
 */
export function withAdminSession(route: AdminRoute, handler: Handler) {
  return async (req: Request): Promise<Response> => {
    const requestId = crypto.randomUUID();
    try {
      const admin = await requireRoute(route);
      const response = await handler(req, { admin, requestId });
      response.headers.set("X-Request-Id", requestId);
      return response;
    } catch (err) {
      return errorResponse(err, requestId);
    }
  };
}
