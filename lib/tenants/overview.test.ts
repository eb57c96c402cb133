import { issueProofSubject } from "@/lib/auth/admin-proof";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeAnalytics } from "@/lib/analytics/engine";
import { getDb } from "@/lib/db";
import { loadDemoFixture } from "@/lib/testing/analytics-fixture";
import { migrateTestDatabase } from "@/lib/testing/test-db";
import { listTenantOverview } from "@/lib/tenants/overview";
import type { EventRow } from "@/lib/analytics/event-row";

// Events from real chdb, sessions from real SQLite, joined per tenant.

// As getAdmin() gives it: an issued proof subject (a hand-built one is refused).
const admin = issueProofSubject({ id: "adm_test", email: "tester@example.com", name: "Tester", actor: "admin:tester@example.com", role: "owner" });
let rows: EventRow[];

beforeAll(async () => {
  migrateTestDatabase();
  ({ rows } = await loadDemoFixture(4_000));
  const db = getDb();
  await db.dashboard.create({ data: { id: "dash_t", name: "T", draft: "{}", createdBy: "t", updatedBy: "t" } });
  const expiresAt = new Date(Date.now() + 3_600_000);
  await db.embedSession.create({ data: { id: "ses_a", tenantId: "globex", dashboardId: "dash_t", createdBy: "t", expiresAt } });
  // Sessions can be minted for any valid tenant id, events or not.
  await db.embedSession.create({ data: { id: "ses_b", tenantId: "newco", dashboardId: "dash_t", createdBy: "t", expiresAt } });
}, 120_000);
afterAll(() => closeAnalytics());

describe("listTenantOverview", () => {
  it("lists tenants by events with first/last seen and session counts, then tenants that only have sessions", async () => {
    const { tenants, eventsTruncated } = await listTenantOverview(admin, {});
    const globexRows = rows.filter((r) => r.tenant_id === "globex");
    const globex = tenants.find((t) => t.tenant_id === "globex")!;
    expect(globex).toMatchObject({ events: globexRows.length, activeSessions: 1, sessionsLast24h: 1 });
    expect(globex.firstSeen!.getTime()).toBe(Math.min(...globexRows.map((r) => Date.parse(r.ts + "Z"))));
    expect(tenants[0].tenant_id).toBe("acme"); // the most events first
    expect(tenants.at(-1)).toEqual({ tenant_id: "newco", events: null, firstSeen: null, lastSeen: null, activeSessions: 1, sessionsLast24h: 1 });
    expect(tenants.find((t) => t.tenant_id === "acme")).toMatchObject({ activeSessions: 0, sessionsLast24h: 0 });
    expect(eventsTruncated).toBe(false);
  });

  it("searches both lists with the same contains, and says when the event list was cut", async () => {
    expect((await listTenantOverview(admin, { search: "GLOB" })).tenants.map((t) => t.tenant_id)).toEqual(["globex"]);
    expect((await listTenantOverview(admin, { search: "newc" })).tenants.map((t) => t.tenant_id)).toEqual(["newco"]);
    const cut = await listTenantOverview(admin, { limit: 2 });
    expect(cut.eventsTruncated).toBe(true);
    expect(cut.tenants.map((t) => t.tenant_id)).toEqual(["acme", "globex", "newco"]);
  });
});
