import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeAnalytics, getAnalytics, queryRows } from "@/lib/analytics/engine";
import type { EventRow } from "@/lib/analytics/event-row";
import { createApiKey } from "@/lib/auth/api-keys";
import { ensureDemoDashboard } from "@/lib/dashboards/demo-dashboard";
import { getDb } from "@/lib/db";
import { DEFAULT_PERMISSIONS } from "@/lib/query/permissions";
import { createEmbedSession, getEmbedSession } from "@/lib/embed/sessions";
import { runScopedCached } from "@/lib/query/result-cache";
import { compileWidget } from "@/lib/query/compile-widget";
import { loadDemoFixture, previewScope } from "@/lib/testing/analytics-fixture";
import { importCopies, makeImportCopies } from "@/lib/testing/import-stage";
import { migrateTestDatabase } from "@/lib/testing/test-db";
import { DELETE as deleteData } from "./[tenant_id]/data/route";

// DELETE /v1/tenants/:tenant_id/data erases one tenant and nothing of anyone
// else — including the look-alike tenant ids the demo data is built with.

const LOOK_ALIKES = ["acme2", "acme.eu", "ACME", "acme-staging"];
let rows: EventRow[];
let admin: string;
let acme2Admin: string;
let embedKey: string;
const sessions: Record<string, string> = {};

function call(key: string, tenant: string) {
  return deleteData(new Request(`http://test/v1/tenants/${encodeURIComponent(tenant)}/data`, { method: "DELETE", headers: { authorization: `Bearer ${key}` } }), { params: Promise.resolve({ tenant_id: tenant }) });
}
const countIn = async (tenant: string) => (await queryRows<{ n: number }>(getAnalytics(), "SELECT count() AS n FROM enclave.events WHERE tenant_id = {t:String}", { params: { t: tenant } }))[0].n;
const expected = (tenant: string) => rows.filter((r) => r.tenant_id === tenant).length;

beforeAll(async () => {
  migrateTestDatabase();
  ({ rows } = await loadDemoFixture(8_000));
  await ensureDemoDashboard();
  admin = (await createApiKey({ name: "admin", scopes: ["admin"] }, "test")).secret;
  acme2Admin = (await createApiKey({ name: "acme2 admin", scopes: ["admin"], tenant_id: "acme2" }, "test")).secret;
  embedKey = (await createApiKey({ name: "embed", scopes: ["embed"] }, "test")).secret;
  for (const tenant of ["acme", ...LOOK_ALIKES]) {
    const session = await createEmbedSession({ tenant_id: tenant, dashboard_id: "dash_demo" }, { actor: "test", assertTenant: () => {} });
    sessions[tenant] = session.session_id;
    await getDb().savedView.create({ data: { id: `view_${tenant}`, tenantId: tenant, dashboardId: "dash_demo", versionNumber: 1, name: `${tenant}'s view`, state: "{}" } });
    await getDb().aiLog.create({ data: { id: `ai_${tenant}`, tenantId: tenant, actor: "test", source: "embed", mode: "spec", question: `${tenant}'s question`, outcome: "answered", provider: "offline", latencyMs: 1 } });
  }
});
afterAll(() => closeAnalytics());

describe("DELETE /v1/tenants/:tenant_id/data", () => {
  it("needs the admin scope, the tenant itself for a restricted key, and a valid tenant id", async () => {
    expect((await call(embedKey, "acme")).status).toBe(403);
    const restricted = await call(acme2Admin, "acme");
    expect([restricted.status, (await restricted.json()).error.code]).toEqual([403, "tenant_forbidden"]);
    expect((await call(admin, "not a tenant")).status).toBe(400);
    expect((await call("enc_wrong", "acme")).status).toBe(401);
    expect(await countIn("acme")).toBe(expected("acme"));
  });

  it("erases the tenant's events, saved views and cached results, revokes its sessions, and touches no other tenant", async () => {
    expect(expected("acme")).toBeGreaterThan(0);
    for (const t of LOOK_ALIKES) expect(expected(t), t).toBeGreaterThan(0);
    // Warm the result cache for acme, so deletion has something to forget.
    const scope = previewScope("acme");
    const spec = { kind: "chart" as const, id: "n", title: "n", chart: "kpi" as const, metrics: [{ id: "event_count" as const }], filters: [], time_range: { kind: "last_90_days" as const } };
    const parts = { dashboardVersionId: "v", widgetId: "n", permissions: DEFAULT_PERMISSIONS, filters: {} };
    const before = await runScopedCached(scope, compileWidget(spec, scope), parts);
    expect(before.rows[0].m0).toBeGreaterThan(0);

    await makeImportCopies("acme", "u1");
    expect(await importCopies()).toMatchObject({ tables: [expect.any(String)], uploads: [expect.any(String)] });

    const res = await call(admin, "acme");
    expect(res.status).toBe(200);
    expect(await importCopies()).toEqual({ tables: [], dropped: [], uploads: [] }); // Parquet imports' copies of events
    expect(await res.json()).toEqual({ tenant_id: "acme", events_deleted: expected("acme"), saved_views_deleted: 1, ai_log_entries_deleted: 1, sessions_revoked: 1 });

    expect(await countIn("acme")).toBe(0);
    const after = await runScopedCached(scope, compileWidget(spec, scope), parts);
    expect(after.cached).toBe(false);
    expect(after.rows[0].m0).toBe(0);
    expect((await getEmbedSession(sessions.acme, { key: { tenantId: null } as never })).status).toBe("revoked");
    expect(await getDb().savedView.count({ where: { tenantId: "acme" } })).toBe(0);
    expect(await getDb().aiLog.count({ where: { tenantId: "acme" } })).toBe(0);

    for (const t of LOOK_ALIKES) {
      expect(await countIn(t), t).toBe(expected(t));
      expect((await getEmbedSession(sessions[t], { key: { tenantId: null } as never })).status, t).toBe("active");
      expect(await getDb().savedView.count({ where: { tenantId: t } }), t).toBe(1);
      expect(await getDb().aiLog.count({ where: { tenantId: t } }), t).toBe(1);
    }
    const total = (await queryRows<{ n: number }>(getAnalytics(), "SELECT count() AS n FROM enclave.events"))[0].n;
    expect(total).toBe(rows.length - expected("acme"));
    const audit = await getDb().auditLog.findFirst({ where: { action: "tenant.delete_data" } });
    expect(audit?.target).toBe("acme");
    expect(JSON.parse(audit!.meta)).toEqual({ events_deleted: expected("acme"), saved_views_deleted: 1, ai_log_entries_deleted: 1, sessions_revoked: 1 });
  });

  it("answers zeros for a tenant with nothing to delete", async () => {
    expect(await (await call(admin, "acme")).json()).toEqual({ tenant_id: "acme", events_deleted: 0, saved_views_deleted: 0, ai_log_entries_deleted: 0, sessions_revoked: 0 });
  });
});
