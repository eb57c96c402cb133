import { withApiKey } from "@/lib/auth/with-api-key";

// Key introspection: any valid key may ask which key it is and what it may do.
export const GET = withApiKey(null, async (_req, { key }) =>
  Response.json({
    id: key.id,
    name: key.name,
    prefix: key.prefix,
    scopes: key.scopes,
    tenant_id: key.tenantId,
    created_at: key.createdAt.toISOString(),
    expires_at: key.expiresAt?.toISOString() ?? null,
  }),
);
