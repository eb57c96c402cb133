import "server-only";
import crypto from "node:crypto";
import { getAdmin, type AdminContext } from "@/lib/auth/admin-session";
import { AppError, errorResponse } from "@/lib/errors";

type Handler = (req: Request, ctx: { admin: AdminContext; requestId: string }) => Promise<Response>;

/**
 * Wraps a route handler under /admin: re-reads the signed-in admin before the
 * handler runs (proxy.ts only checks that a session token exists, so a deleted
 * admin is stopped here) and turns errors into JSON bodies.
 */
export function withAdminSession(handler: Handler) {
  return async (req: Request): Promise<Response> => {
    const requestId = crypto.randomUUID();
    try {
      const admin = await getAdmin();
      if (!admin) throw new AppError("unauthenticated", "Sign in to the admin console first.");
      const response = await handler(req, { admin, requestId });
      response.headers.set("X-Request-Id", requestId);
      return response;
    } catch (err) {
      return errorResponse(err, requestId);
    }
  };
}
