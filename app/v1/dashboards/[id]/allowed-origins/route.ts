import { withApiKey } from "@/lib/auth/with-api-key";
import { AllowedOriginsInput, getAllowedOrigins, setAllowedOrigins } from "@/lib/dashboards/allowed-origins";
import { AppError } from "@/lib/errors";
import { readJson } from "@/lib/http";
import type { ApiKeyContext } from "@/lib/auth/with-api-key";

type Params = { id: string };

/** Dashboards are shared by every tenant: a key restricted to one tenant may not read or change their settings. */
function assertUnrestricted(ctx: ApiKeyContext) {
  if (ctx.key.tenantId !== null) throw new AppError("tenant_forbidden", "This API key is restricted to one tenant; dashboard settings are shared by all tenants and need an unrestricted admin key.");
}

export const GET = withApiKey("admin", async (_req, ctx, route) => {
  assertUnrestricted(ctx);
  const { id } = (await route.params) as Params;
  return Response.json({ dashboard_id: id, origins: await getAllowedOrigins(id) });
});

export const PUT = withApiKey("admin", async (req, ctx, route) => {
  assertUnrestricted(ctx);
  const { id } = (await route.params) as Params;
  const { origins } = await readJson(req, AllowedOriginsInput);
  return Response.json({ dashboard_id: id, origins: await setAllowedOrigins(id, origins, ctx.actor) });
});
