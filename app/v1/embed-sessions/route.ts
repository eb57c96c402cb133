import { withApiKey } from "@/lib/auth/with-api-key";
import { createEmbedSession } from "@/lib/embed/sessions";
import { warmSession } from "@/lib/embed/warm";
import { readJson } from "@/lib/http";
import { z } from "zod";

// Mint a signed embed session for one tenant and one published dashboard,
// and start its first render so the iframe finds it ready.
export const POST = withApiKey("embed", async (req, ctx) => {
  const body = await readJson(req, z.unknown());
  const minted = await createEmbedSession(body, ctx);
  // createEmbedSession validated the body: these are the session's tenant and dashboard.
  const { tenant_id, dashboard_id } = body as { tenant_id: string; dashboard_id: string };
  warmSession({ sessionId: minted.session_id, tenantId: tenant_id, dashboardId: dashboard_id });
  return Response.json(minted, { status: 201 });
});
