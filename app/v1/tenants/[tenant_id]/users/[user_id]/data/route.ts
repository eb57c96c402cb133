import { withApiKey } from "@/lib/auth/with-api-key";
import { AppError } from "@/lib/errors";
import { isTenantId } from "@/lib/tenant-id";
import { eraseUserData } from "@/lib/tenants/erase-user";

/** Erases one end user's events, saved views and AI questions within one tenant; rollups are rebuilt. */
export const DELETE = withApiKey("admin", async (_req, ctx, route) => {
  const { tenant_id, user_id } = (await route.params) as { tenant_id: string; user_id: string };
  if (!isTenantId(tenant_id)) throw new AppError("validation_failed", `"${tenant_id}" is not a valid tenant id.`);
  if (user_id.length === 0 || user_id.length > 200) throw new AppError("validation_failed", "The user id must be 1 to 200 characters (URL-encode it in the path).");
  return Response.json(await eraseUserData({ kind: "api_key", ctx }, tenant_id, user_id));
});
