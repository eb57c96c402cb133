import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DELETE as eraseRoute } from "@/app/v1/tenants/[tenant_id]/users/[user_id]/data/route";
import { GET as getRetentionRoute, PUT as putRetentionRoute } from "@/app/v1/tenants/[tenant_id]/retention/route";
import { closeAnalytics, getAnalytics, queryRows } from "@/lib/analytics/engine";
import type { EventRow } from "@/lib/analytics/event-row";
import { createApiKey } from "@/lib/auth/api-keys";
import { readLedger } from "@/lib/backup/erasure-ledger";
import { DEMO_DASHBOARD_ID, ensureDemoDashboard } from "@/lib/dashboards/demo-dashboard";
import { getDb } from "@/lib/db";
import { openEmbed } from "@/lib/embed/open-embed";
import { createEmbedSession } from "@/lib/embed/sessions";
import { initialState, runDashboard } from "@/lib/query/run-dashboard";
import { reconcileRollups, rollupBuildsSettled } from "@/lib/rollups/build";
import { readyRollupIds } from "@/lib/rollups/ready";
import { retentionCutoff, sweepRetention } from "@/lib/tenants/retention";
import { loadDemoFixture } from "@/lib/testing/analytics-fixture";
import { importCopies, makeImportCopies } from "@/lib/testing/import-stage";
import { migrateTestDatabase } from "@/lib/testing/test-db";

// Erasing one end user within one tenant, and keeping each tenant's events for
// its retention: nothing of another tenant goes (the demo's user ids repeat
// across tenants, and its tenant ids have look-alikes), rollups stop counting
// what went, and keys restricted to another tenant are refused.

let rows: EventRow[];
let admin: string;
let acme2Admin: string;
let embedKey: string;

const count = async (where: string, params: Record<string, unknown>) => Number((await queryRows<{ n: number }>(getAnalytics(), `SELECT count() AS n FROM enclave.events WHERE ${where}`, { params }))[0].n);
const ofUser = (tenant: string, user: string) => count("tenant_id = {t:String} AND user_id = {u:String}", { t: tenant, u: user });
const ofTenant = (tenant: string) => count("tenant_id = {t:String}", { t: tenant });

function erase(key: string, tenant: string, user: string) {
  const req = new Request(`http://test/v1/tenants/${tenant}/users/${encodeURIComponent(user)}/data`, { method: "DELETE", headers: { authorization: `Bearer ${key}` } });
  return eraseRoute(req, { params: Promise.resolve({ tenant_id: tenant, user_id: user }) });
}
function retention(key: string, tenant: string, body?: unknown) {
  const init: RequestInit = body === undefined ? { method: "GET" } : { method: "PUT", body: JSON.stringify(body), headers: { "content-type": "application/json" } };
  const req = new Request(`http://test/v1/tenants/${tenant}/retention`, { ...init, headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${key}` } });
  return (body === undefined ? getRetentionRoute : putRetentionRoute)(req, { params: Promise.resolve({ tenant_id: tenant }) });
}

async function signupsKpi(tenant: string) {
  const minted = await createEmbedSession({ tenant_id: tenant, dashboard_id: DEMO_DASHBOARD_ID }, { actor: "test", assertTenant: () => {} });
  const opened = await openEmbed(minted.token);
  if (!opened.ok) throw new Error(opened.code);
  const render = await runDashboard({ ...opened.reader, cache: false }, initialState(opened.source.definition));
  const outcome = render.outcomes.find((o) => o.widget_id === "signups")!;
  const trace = await render.traces.get("signups");
  return { value: Number((outcome as unknown as { rows: { m0: number }[] }).rows[0].m0), source: trace?.source };
}

beforeAll(async () => {
  migrateTestDatabase();
  ({ rows } = await loadDemoFixture(12_000));
  await ensureDemoDashboard();
  admin = (await createApiKey({ name: "admin", scopes: ["admin"] }, "test")).secret;
  acme2Admin = (await createApiKey({ name: "acme2 admin", scopes: ["admin"], tenant_id: "acme2" }, "test")).secret;
  embedKey = (await createApiKey({ name: "embed", scopes: ["embed"] }, "test")).secret;
  await reconcileRollups(); // ROLLUPS=0 in tests: built here, as the server builds them in the background
  await rollupBuildsSettled();
});
afterAll(() => closeAnalytics());

describe("DELETE /v1/tenants/:tenant_id/users/:user_id/data", () => {
  // A user with a recent signup in acme, whose id other tenants' users also have.
  const recent = () => {
    const since = Date.now() - 20 * 86_400_000;
    const users = new Set(rows.filter((r) => r.tenant_id !== "acme").map((r) => r.user_id));
    return rows.find((r) => r.tenant_id === "acme" && r.name === "signup" && Date.parse(r.ts.replace(" ", "T") + "Z") > since && users.has(r.user_id))!.user_id!;
  };

  it("refuses keys without the admin scope and keys restricted to another tenant, and deletes nothing", async () => {
    const user = recent();
    const before = await ofUser("acme", user);
    expect((await erase(embedKey, "acme", user)).status).toBe(403);
    const restricted = await erase(acme2Admin, "acme", user);
    expect(restricted.status).toBe(403);
    expect((await restricted.json()).error.code).toBe("tenant_forbidden");
    expect((await erase(`${admin}x`, "acme", user)).status).toBe(401);
    expect(await ofUser("acme", user)).toBe(before);
  });

  it("erases the user's events in that tenant only; rollups stop counting them", async () => {
    const user = recent();
    const expected = rows.filter((r) => r.tenant_id === "acme" && r.user_id === user).length;
    const elsewhere = new Map(["acme2", "acme.eu", "ACME", "globex"].map((t) => [t, rows.filter((r) => r.tenant_id === t && r.user_id === user).length]));
    const acmeOthers = (await ofTenant("acme")) - expected;
    expect([...elsewhere.values()].some((n) => n > 0), "the same user id exists in another tenant").toBe(true);

    const named = await createEmbedSession({ tenant_id: "acme", dashboard_id: DEMO_DASHBOARD_ID, user_id: user }, { actor: "test", assertTenant: () => {} });
    const elsewhereSession = await createEmbedSession({ tenant_id: "acme2", dashboard_id: DEMO_DASHBOARD_ID, user_id: user }, { actor: "test", assertTenant: () => {} });
    const beforeKpi = await signupsKpi("acme");
    expect(beforeKpi.source).toMatch(/^rollup/);
    const res = await erase(admin, "acme", user);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ tenant_id: "acme", user_id: user, events_deleted: expected, rollups_rebuilding: true });

    expect(await ofUser("acme", user)).toBe(0);
    expect(await ofTenant("acme")).toBe(acmeOthers);
    for (const [tenant, n] of elsewhere) expect(await ofUser(tenant, user), `${tenant}'s ${user}`).toBe(n);

    // At once the rollup is not used (it still counts the user); the events answer.
    expect((await readyRollupIds()).size).toBe(0);
    const meanwhile = await signupsKpi("acme");
    expect(meanwhile.source).toBe("events");
    expect(meanwhile.value).toBeLessThan(beforeKpi.value);
    // Rebuilt, the rollup answers again with the same number.
    await rollupBuildsSettled();
    const after = await signupsKpi("acme");
    expect(after.value).toBe(meanwhile.value);
    expect(after.source).toMatch(/^rollup/);

    expect(readLedger()!.some((e) => e.kind === "user_erasure" && e.tenant_id === "acme" && e.user_id === user)).toBe(true);
    const audit = await getDb().auditLog.findFirst({ where: { action: "tenant.erase_user", target: "acme" }, orderBy: { id: "desc" } });
    expect(audit).not.toBeNull();
    expect(audit?.meta).not.toContain(user);
    // The session records stay but no longer name the user; acme2's same user id is someone else.
    expect((await getDb().embedSession.findUniqueOrThrow({ where: { id: named.session_id } })).userId).toBeNull();
    expect((await getDb().embedSession.findUniqueOrThrow({ where: { id: elsewhereSession.session_id } })).userId).toBe(user);
  });

  it("a tenant-restricted key erases users of its own tenant", async () => {
    const user = rows.find((r) => r.tenant_id === "acme2" && r.user_id)!.user_id!;
    const res = await erase(acme2Admin, "acme2", user);
    expect(res.status).toBe(200);
    expect(await ofUser("acme2", user)).toBe(0);
    await rollupBuildsSettled();
  });

  it("drops the staging tables and uploads of Parquet imports, which hold copies of events", async () => {
    await makeImportCopies("acme", "u1");
    expect(await importCopies()).toMatchObject({ tables: [expect.any(String)], uploads: [expect.any(String)] });
    const user = rows.find((r) => r.tenant_id === "acme" && r.user_id)!.user_id!;
    expect((await erase(admin, "acme", user)).status).toBe(200);
    expect(await importCopies()).toEqual({ tables: [], dropped: [], uploads: [] });
    await rollupBuildsSettled();
  });
});

describe("retention", () => {
  const now = new Date();
  const olderThan = (tenant: string, days: number) => rows.filter((r) => r.tenant_id === tenant && Date.parse(r.ts.replace(" ", "T") + "Z") < retentionCutoff(days, now).getTime()).length;

  it("refuses bad input and other tenants' keys, changing nothing", async () => {
    const before = await ofTenant("globex");
    for (const body of [{ days: 0 }, { days: 1.5 }, { days: "30" }, { days: 30, tenant_id: "x" }, {}]) {
      const res = await retention(admin, "globex", body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect((await res.json()).error.code).toBe("validation_failed");
    }
    expect((await retention(acme2Admin, "globex", { days: 1 })).status).toBe(403);
    expect((await retention(embedKey, "globex", { days: 1 })).status).toBe(403);
    expect(await ofTenant("globex")).toBe(before);
    expect(await (await retention(admin, "globex")).json()).toEqual({ tenant_id: "globex", days: null, source: "none", keeps_events_since: null });
  });

  it("setting a tenant's retention drops its older events at once, and no other tenant's", async () => {
    const expectedGone = olderThan("globex", 30);
    expect(expectedGone).toBeGreaterThan(0);
    const others = await Promise.all(["acme", "acme2", "acme.eu"].map(ofTenant));
    const globex = await ofTenant("globex");
    const res = await retention(admin, "globex", { days: 30 });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ tenant_id: "globex", days: 30, source: "tenant", events_deleted: expectedGone, keeps_events_since: retentionCutoff(30, now).toISOString() });
    expect(await ofTenant("globex")).toBe(globex - expectedGone);
    expect(await count("tenant_id = 'globex' AND ts < {c:DateTime64(3, 'UTC')}", { c: retentionCutoff(30, now).toISOString().replace("T", " ").replace("Z", "") })).toBe(0);
    expect(await Promise.all(["acme", "acme2", "acme.eu"].map(ofTenant))).toEqual(others);
    await rollupBuildsSettled();
  });

  it("the sweep applies the install's default to tenants without their own, and a tenant's own over it", async () => {
    const initech = await ofTenant("initech");
    const globexBefore = await ofTenant("globex");
    const sweep = await sweepRetention(now, 60);
    expect(sweep.tenants.find((t) => t.tenant_id === "globex")).toBeUndefined(); // its own 30 days already applied
    const swept = sweep.tenants.find((t) => t.tenant_id === "initech");
    expect(swept?.days).toBe(60);
    expect(await ofTenant("initech")).toBe(initech - olderThan("initech", 60));
    expect(await ofTenant("globex")).toBe(globexBefore);
    // Nothing left to drop: a second sweep deletes nothing.
    expect((await sweepRetention(now, 60)).events_deleted).toBe(0);
    await rollupBuildsSettled();
  });
});
