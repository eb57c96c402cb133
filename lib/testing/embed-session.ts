import { DEMO_DASHBOARD_ID } from "@/lib/dashboards/demo-dashboard";
import type { PermissionsInput } from "@/lib/query/permissions";
import { openEmbed } from "@/lib/embed/open-embed";
import { createEmbedSession } from "@/lib/embed/sessions";

/** Mints a session the way POST /v1/embed-sessions does and opens it; returns the iframe's data token. */
export async function openTestEmbed(tenant: string, options: { permissions?: PermissionsInput; userId?: string } = {}) {
  const minted = await createEmbedSession(
    { tenant_id: tenant, dashboard_id: DEMO_DASHBOARD_ID, permissions: options.permissions, user_id: options.userId },
    { actor: "test", assertTenant: () => {} },
  );
  const view = await openEmbed(minted.token);
  if (!view.ok) throw new Error(`opening the embed failed: ${view.code}`);
  return { sessionId: minted.session_id, dataToken: view.dataToken };
}

/** Calls an /api/embed route handler with the data token. */
export async function callEmbed(handler: (req: Request) => Promise<Response>, token: string | undefined, body: unknown) {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  const res = await handler(new Request("http://test/api/embed", { method: "POST", headers, body: JSON.stringify(body) }));
  return { status: res.status, body: await res.json() };
}
