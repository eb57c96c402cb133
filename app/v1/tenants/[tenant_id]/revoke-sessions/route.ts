import { withApiKey } from "@/lib/auth/with-api-key";
import { revokeTenantSessions } from "@/lib/embed/sessions";
import { AppError } from "@/lib/errors";
import { isTenantId } from "@/lib/tenant-id";

export const POST = withApiKey("embed", async (_req, ctx, route) => {
  const { tenant_id } = (await route.params) as { tenant_id: string };
  if (!isTenantId(tenant_id)) throw new AppError("validation_failed", `"${tenant_id}" is not a valid tenant id.`);
  ctx.assertTenant(tenant_id);
  return Response.json(await revokeTenantSessions(tenant_id, ctx.actor));
});
