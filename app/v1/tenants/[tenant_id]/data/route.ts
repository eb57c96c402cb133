import { withApiKey } from "@/lib/auth/with-api-key";
import { AppError } from "@/lib/errors";
import { isTenantId } from "@/lib/tenant-id";
import { deleteTenantData } from "@/lib/tenants/delete-tenant-data";

/** Erases a tenant's events, saved views and cached results, and revokes its sessions. */
export const DELETE = withApiKey("admin", async (_req, ctx, route) => {
  const { tenant_id } = (await route.params) as { tenant_id: string };
  if (!isTenantId(tenant_id)) throw new AppError("validation_failed", `"${tenant_id}" is not a valid tenant id.`);
  return Response.json(await deleteTenantData({ kind: "api_key", ctx }, tenant_id));
});
