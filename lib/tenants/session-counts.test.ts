import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/lib/db";
import { loadActiveSession, revokeTenantSessions } from "@/lib/embed/sessions";
import { migrateTestDatabase } from "@/lib/testing/test-db";
import { countSessionsByTenant, listTenantsWithSessions } from "@/lib/tenants/session-counts";

// Two tenants with sessions in every state; the counts must agree with the
// rule the embed itself applies (loadActiveSession).

const now = new Date();
const ago = (ms: number) => new Date(now.getTime() - ms);
const ahead = (ms: number) => new Date(now.getTime() + ms);
const H = 3_600_000;
let n = 0;

async function session(tenantId: string, data: { createdAt?: Date; expiresAt?: Date; revokedAt?: Date; singleUse?: boolean; consumedAt?: Date } = {}) {
  const id = `ses_test_${++n}`;
  await getDb().embedSession.create({ data: { id, tenantId, dashboardId: "dash_t", createdBy: "t", createdAt: data.createdAt ?? ago(60_000), expiresAt: data.expiresAt ?? ahead(H), ...data } });
  return id;
}

/** How many of a tenant's sessions the embed would accept right now. */
async function acceptedByEmbed(tenantId: string): Promise<number> {
  const rows = await getDb().embedSession.findMany({ where: { tenantId } });
  const ok = await Promise.all(rows.map((r) => loadActiveSession({ jti: r.id, tenant: r.tenantId, dashboard: r.dashboardId }).then(() => 1, () => 0)));
  return ok.reduce<number>((a, b) => a + b, 0);
}

beforeAll(async () => {
  migrateTestDatabase();
  await getDb().dashboard.create({ data: { id: "dash_t", name: "T", draft: "{}", createdBy: "t", updatedBy: "t" } });
  // acme: 3 usable (plain, unused single-use, minted 2 days ago for 3 days), 4 not.
  await session("acme");
  await session("acme", { singleUse: true });
  await session("acme", { createdAt: ago(48 * H), expiresAt: ahead(24 * H) });
  await session("acme", { expiresAt: ago(1_000) });
  await session("acme", { revokedAt: ago(1_000) });
  await session("acme", { singleUse: true, consumedAt: ago(1_000) });
  await session("acme", { createdAt: ago(30 * H), expiresAt: ago(H) });
  // globex: a tenant cutoff an hour ago; one session minted before it (never marked revoked), one after.
  await getDb().tenantCutoff.create({ data: { tenantId: "globex", revokedBefore: ago(H) } });
  await session("globex", { createdAt: ago(2 * H) });
  await session("globex", { createdAt: ago(H / 2) });
  // Only expired sessions, long ago: not a tenant with current sessions.
  await session("initech", { createdAt: ago(72 * H), expiresAt: ago(48 * H) });
});

describe("countSessionsByTenant", () => {
  it("counts active sessions by the embed's own rule, and sessions minted in the last 24 h, per tenant", async () => {
    const counts = await countSessionsByTenant(["acme", "globex", "initech", "hooli"], now);
    expect(Object.fromEntries(counts)).toEqual({
      acme: { active: 3, minted24h: 5 },
      globex: { active: 1, minted24h: 2 },
      initech: { active: 0, minted24h: 0 },
      hooli: { active: 0, minted24h: 0 },
    });
    expect(await acceptedByEmbed("acme")).toBe(3);
    expect(await acceptedByEmbed("globex")).toBe(1);
  });

  it("drops to zero for a tenant after revoke-all, and leaves the other tenant alone", async () => {
    const { sessions_revoked } = await revokeTenantSessions("acme", "admin:a@b.co");
    expect(sessions_revoked).toBe(4); // non-expired, not yet revoked: includes the spent single-use one
    const counts = await countSessionsByTenant(["acme", "globex"]);
    expect(counts.get("acme")).toEqual({ active: 0, minted24h: 5 });
    expect(counts.get("globex")).toEqual({ active: 1, minted24h: 2 });
    expect(await acceptedByEmbed("acme")).toBe(0);
    // A session minted after the cutoff is active again.
    await new Promise((r) => setTimeout(r, 5));
    await session("acme", { createdAt: new Date() });
    expect((await countSessionsByTenant(["acme"])).get("acme")!.active).toBe(1);
  });
});

describe("listTenantsWithSessions", () => {
  it("lists tenants with unexpired or recent sessions, filtered by a case-insensitive contains", async () => {
    expect(await listTenantsWithSessions({ limit: 10, now })).toEqual(["acme", "globex"]);
    expect(await listTenantsWithSessions({ search: "OBE", limit: 10, now })).toEqual(["globex"]);
    expect(await listTenantsWithSessions({ limit: 1, now })).toEqual(["acme"]);
  });
});
