import "server-only";
import crypto from "node:crypto";
import { AppError, errorResponse } from "@/lib/errors";
import { apiKeyActor } from "@/lib/audit";
import { issueProofSubject } from "@/lib/auth/admin-proof";
import { authenticateApiKey, touchApiKey, type ApiKeyInfo, type ApiScope } from "@/lib/auth/api-keys";

export type ApiKeyContext = {
  key: ApiKeyInfo;
  /** Audit actor for this key. */
  actor: string;
  requestId: string;
  /** Throws 403 unless this key may act for the tenant. */
  assertTenant(tenantId: string): void;
};

type RouteContext = { params: Promise<Record<string, string | string[]>> };
type Handler = (req: Request, ctx: ApiKeyContext, route: RouteContext) => Promise<Response>;

function bearer(req: Request): string | undefined {
  const header = req.headers.get("authorization");
  const match = header?.match(/^Bearer\s+(\S+)\s*$/i);
  return match?.[1];
}

/**
 * Wraps a /v1 route: resolves the API key before the handler runs.
 * Missing, unknown, revoked or expired key → 401; key without `scope` → 403.
 * `null` accepts any valid key (introspection only).
 */
export function withApiKey(scope: ApiScope | null, handler: Handler) {
  return async (req: Request, route: RouteContext): Promise<Response> => {
    const requestId = req.headers.get("x-request-id")?.slice(0, 64) || crypto.randomUUID();
    try {
      const key = await authenticateApiKey(bearer(req));
      if (scope !== null && !key.scopes.includes(scope)) {
        throw new AppError("insufficient_scope", `This API key lacks the "${scope}" scope needed here (it has: ${key.scopes.join(", ")}).`);
      }
      await touchApiKey(key);
      const ctx: ApiKeyContext = issueProofSubject({
        key,
        actor: apiKeyActor(key.prefix),
        requestId,
        assertTenant(tenantId) {
          if (key.tenantId !== null && key.tenantId !== tenantId) {
            throw new AppError("tenant_forbidden", `This API key is restricted to one tenant and may not act for "${tenantId}".`);
          }
        },
      });
      const response = await handler(req, ctx, route);
      response.headers.set("X-Request-Id", requestId);
      return response;
    } catch (err) {
      return errorResponse(err, requestId);
    }
  };
}

/**
 * Dashboards and their settings are shared by every tenant: only an admin key
 * that is not restricted to one tenant may read or change them.
 */
export function withSharedAdminKey(handler: Handler) {
  return withApiKey("admin", async (req, ctx, route) => {
    if (ctx.key.tenantId !== null) {
      throw new AppError("tenant_forbidden", "This API key is restricted to one tenant; dashboards are shared by all tenants and need an admin key without a tenant restriction.");
    }
    return handler(req, ctx, route);
  });
}
