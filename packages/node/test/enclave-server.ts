import { createApiKey } from "@/lib/auth/api-keys";
import { startChild, type ChildServer } from "@/lib/testing/crash-harness";
import { migrateTestDatabase } from "@/lib/testing/test-db";

// A real Enclave for the SDK's tests: lib/testing/server-child.ts (the app's
// route handlers behind the production drain) on this test file's DATA_DIR,
// with API keys created in its database.

export type Scope = "admin" | "embed" | "ingest";

export async function startEnclave(): Promise<ChildServer> {
  migrateTestDatabase();
  return startChild();
}

export async function createKey(scopes: Scope[], tenantId?: string): Promise<string> {
  return (await createApiKey({ name: `sdk-test-${scopes.join("-")}`, scopes, ...(tenantId ? { tenant_id: tenantId } : {}) }, "test")).secret;
}

/** Rows stored for a tenant, counted by the server (POST /v1/query/preview as that tenant). */
export async function storedCounts(baseUrl: string, adminKey: string, tenantId: string): Promise<{ rows: number; distinctIds: number }> {
  const res = await fetch(`${baseUrl}/v1/query/preview`, {
    method: "POST",
    headers: { authorization: `Bearer ${adminKey}`, "content-type": "application/json" },
    body: JSON.stringify({ tenant_id: tenantId, sql: "SELECT count() AS n, uniqExact(event_id) AS u FROM events" }),
  });
  const body = (await res.json()) as { rows: { n: number | string; u: number | string }[] };
  if (res.status !== 200) throw new Error(`preview answered ${res.status}: ${JSON.stringify(body)}`);
  return { rows: Number(body.rows[0].n), distinctIds: Number(body.rows[0].u) };
}
