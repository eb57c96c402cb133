import { withApiKey } from "@/lib/auth/with-api-key";
import { AppError } from "@/lib/errors";
import { readJson } from "@/lib/http";
import { isTenantId } from "@/lib/tenant-id";
import { getRetention, RetentionInput, setRetention } from "@/lib/tenants/retention";

async function tenantOf(route: { params: Promise<unknown> }): Promise<string> {
  const { tenant_id } = (await route.params) as { tenant_id: string };
  if (!isTenantId(tenant_id)) throw new AppError("validation_failed", `"${tenant_id}" is not a valid tenant id.`);
  return tenant_id;
}

/** How long the tenant's events are kept, and from when they are kept now. */
export const GET = withApiKey("admin", async (_req, ctx, route) => Response.json(await getRetention({ kind: "api_key", ctx }, await tenantOf(route))));

/** Sets the tenant's own retention ({"days": 90}) or removes it ({"days": null}); older events go at once. */
export const PUT = withApiKey("admin", async (req, ctx, route) => {
  const tenant = await tenantOf(route);
  return Response.json(await setRetention({ kind: "api_key", ctx }, tenant, await readJson(req, RetentionInput)));
});
