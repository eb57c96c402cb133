import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as ingest } from "@/app/v1/events/route";
import { closeAnalytics } from "@/lib/analytics/engine";
import { ensureAnalyticsSchema } from "@/lib/analytics/schema";
import { getAnalytics } from "@/lib/analytics/engine";
import { createApiKey, revokeApiKey } from "@/lib/auth/api-keys";
import { DEMO_DASHBOARD_ID, ensureDemoDashboard } from "@/lib/dashboards/demo-dashboard";
import { setArchived } from "@/lib/dashboards/drafts";
import { getDb } from "@/lib/db";
import { createEmbedSession } from "@/lib/embed/sessions";
import { firstRunSteps } from "@/lib/setup/first-run";
import { migrateTestDatabase } from "@/lib/testing/test-db";

// The overview's first-run checklist follows the install's real state: each
// step is ticked by what exists or happened (through the real routes), and
// unticked when it stops being true (a revoked key, an archived dashboard).

const done = async () => Object.fromEntries((await firstRunSteps()).map((s) => [s.key, s.done]));
const send = (key: string, body: unknown) => ingest(new Request("http://test/v1/events", { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: JSON.stringify(body) }), { params: Promise.resolve({}) });

beforeAll(async () => {
  migrateTestDatabase();
  await ensureAnalyticsSchema(getAnalytics());
});
afterAll(async () => {
  await closeAnalytics();
});

describe("first-run steps", () => {
  it("start unticked, and tick and untick with the install's state", async () => {
    expect(await done()).toEqual({ key: false, publish: false, session: false, events: false });

    const expired = await createApiKey({ name: "old", scopes: ["ingest"] }, "test");
    await getDb().apiKey.update({ where: { id: expired.key.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect((await done()).key).toBe(false); // an expired key does not count
    const { key, secret } = await createApiKey({ name: "backend", scopes: ["ingest", "embed"] }, "test");
    expect((await done()).key).toBe(true);

    await ensureDemoDashboard(); // creates and publishes
    expect((await done()).publish).toBe(true);
    await setArchived(DEMO_DASHBOARD_ID, true, "test");
    expect((await done()).publish).toBe(false);
    await setArchived(DEMO_DASHBOARD_ID, false, "test");

    await createEmbedSession({ tenant_id: "acme", dashboard_id: DEMO_DASHBOARD_ID }, { actor: "test", assertTenant: () => {} });
    expect((await done()).session).toBe(true);

    expect((await send(secret, [{ tenant_id: "not a tenant id!", name: "x" }])).status).toBe(200); // every row refused
    expect((await done()).events).toBe(false);
    expect((await send(secret, [{ tenant_id: "acme", name: "signup" }])).status).toBe(200);
    expect(await done()).toEqual({ key: true, publish: true, session: true, events: true });

    await revokeApiKey(key.id, "test");
    expect((await done()).key).toBe(false);
  });
});
