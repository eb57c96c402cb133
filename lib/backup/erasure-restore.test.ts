import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "@/lib/auth/api-keys";
import { readLedger } from "@/lib/backup/erasure-ledger";
import { getDb } from "@/lib/db";
import { getEnv } from "@/lib/env";
import { cli, startApi, storeReport, type ApiChild } from "@/lib/testing/backup-harness";
import { migrateTestDatabase } from "@/lib/testing/test-db";

// Erasure survives a restore: a tenant erased after a backup was made is
// erased again when that older backup is restored onto the same install
// (events, rollup rows, saved views, AI questions, sessions), from the ledger
// kept outside the data directory. A tenant erased before the backup keeps
// the data it sent afterwards; an end user erased after the backup is erased again. API keys and sessions revoked after the backup
// stay revoked.

let admin: string;
let spareKeyId: string;
let api: ApiChild;
const dataDir = getEnv().DATA_DIR;
const backupDir = fs.mkdtempSync(path.join(os.tmpdir(), "enclave-erasure-backup-"));
const sessions: Record<string, string> = {};

function events(tenant: string, batch: string, n: number, user?: string) {
  return Array.from({ length: n }, (_, i) => ({ tenant_id: tenant, ...(user ? { user_id: user } : {}), name: i % 2 ? "signup" : "order_completed", ts: new Date(Date.now() - (i % 5) * 86_400_000).toISOString(), value: i % 2 ? null : 10, properties: { batch, country: "DE", plan: "pro" } }));
}
async function ingest(rows: unknown[]) {
  const res = await api.call<{ accepted: number }>(admin, "POST", "/v1/events", rows);
  expect([res.status, res.body.accepted]).toEqual([200, rows.length]);
}

beforeAll(async () => {
  migrateTestDatabase();
  admin = (await createApiKey({ name: "ops", scopes: ["admin", "embed", "ingest"] }, "test")).secret;
  spareKeyId = (await createApiKey({ name: "spare", scopes: ["embed"] }, "test")).key.id;
  api = await startApi(dataDir);
  sessions.y2 = (await api.call<{ session_id: string }>(admin, "POST", "/v1/embed-sessions", { tenant_id: "y", dashboard_id: "dash_demo", user_id: "u2" })).body.session_id;
  for (const tenant of ["x", "y", "z"]) {
    const minted = await api.call<{ session_id: string }>(admin, "POST", "/v1/embed-sessions", { tenant_id: tenant, dashboard_id: "dash_demo", user_id: "u1" });
    sessions[tenant] = minted.body.session_id;
    await getDb().savedView.create({ data: { id: `view_${tenant}`, tenantId: tenant, dashboardId: "dash_demo", versionNumber: 1, name: "mine", state: "{}" } });
    await getDb().aiLog.create({ data: { id: `ai_${tenant}`, tenantId: tenant, actor: "test", source: "embed", mode: "spec", question: "revenue?", outcome: "answered", provider: "offline", latencyMs: 1 } });
  }
});
afterAll(async () => {
  await api?.stop();
  fs.rmSync(backupDir, { recursive: true, force: true });
});

describe("a tenant erased after a backup", () => {
  it("is erased again when that backup is restored onto the same install", { timeout: 120_000 }, async () => {
    await ingest([...events("x", "first", 300), ...events("y", "first", 200), ...events("y", "u9", 30, "u9"), ...events("z", "first", 100)]);
    // z is erased before the backup and then sends new events: those are its data now.
    expect((await api.call(admin, "DELETE", "/v1/tenants/z/data")).status).toBe(200);
    await ingest(events("z", "after-erasure", 40));

    const backup = await cli(["backup", "--to", path.join(backupDir, "b1"), "--url", `http://127.0.0.1:${api.port}`], {});
    expect([backup.code, backup.err]).toEqual([0, ""]);

    const erased = await api.call<{ events_deleted: number }>(admin, "DELETE", "/v1/tenants/x/data");
    expect([erased.status, erased.body.events_deleted]).toEqual([200, 300]);
    await ingest(events("y", "after-backup", 50));
    // One end user of y asks to be erased after the backup: a restore must not bring them back.
    const user = await api.call<{ events_deleted: number }>(admin, "DELETE", "/v1/tenants/y/users/u9/data");
    expect([user.status, user.body.events_deleted]).toEqual([200, 30]);
    expect((await api.call(admin, "DELETE", `/v1/embed-sessions/${sessions.y2}`)).status).toBe(200);
    expect((await cli(["keys", "revoke", spareKeyId], {})).code).toBe(0);
    expect(readLedger()!.filter((e) => e.kind === "tenant_erasure").map((e) => e.tenant_id)).toEqual(["z", "x"]);
    await api.stop();

    // The same install, rolled back: the data directory emptied (moved aside) and the older backup restored into it.
    await getDb().$disconnect();
    fs.renameSync(dataDir, `${dataDir}.old`);
    fs.mkdirSync(dataDir);
    const restored = await cli(["restore", "--from", path.join(backupDir, "b1")], {});
    expect([restored.code, restored.err]).toEqual([0, ""]);

    // As the next start finds it, with the live dashboard's rollup built from the restored events.
    const report = storeReport(dataDir);
    const byTenant = (t: string) => report.events.filter((e) => e.tenant_id === t).map((e) => [e.batch, e.n, e.sum]);
    expect(byTenant("x")).toEqual([]);
    expect(byTenant("y")).toEqual([["first", 200, 1000]]);
    expect(byTenant("z")).toEqual([["after-erasure", 40, 200]]);
    const rollups = Object.values(report.rollups);
    expect(rollups.length).toBeGreaterThan(0);
    for (const r of rollups) expect([r.state, r.tenants]).toEqual(["ready", ["y", "z"]]);

    const db = getDb();
    expect(await db.savedView.findMany({ select: { tenantId: true }, orderBy: { tenantId: "asc" } })).toEqual([{ tenantId: "y" }]);
    expect(await db.aiLog.findMany({ select: { tenantId: true }, orderBy: { tenantId: "asc" } })).toEqual([{ tenantId: "y" }]);
    const status = async (t: string) => (await db.embedSession.findUniqueOrThrow({ where: { id: sessions[t] } })).revokedAt !== null;
    expect([await status("x"), await status("y"), await status("z"), await status("y2")]).toEqual([true, false, true, true]);
    expect((await db.apiKey.findUniqueOrThrow({ where: { id: spareKeyId } })).revokedAt).not.toBeNull();
    expect(await db.tenantCutoff.findUnique({ where: { tenantId: "x" } })).not.toBeNull();
    const audit = await db.auditLog.findFirstOrThrow({ where: { action: "backup.restore" } });
    expect(JSON.parse(audit.meta)).toMatchObject({ erasures_reapplied: ["x"] });
    expect(await db.auditLog.count({ where: { action: "tenant.delete_data", target: "x", meta: { contains: "reapplied_after_restore" } } })).toBe(1);
    await db.$disconnect();
    expect(restored.out).toContain("Erasures made after the backup, applied again: x");
    expect(restored.out).toContain("End users erased after the backup, erased again: 1.");
    expect(restored.out).toContain("Revocations applied again: 2");
    fs.rmSync(`${dataDir}.old`, { recursive: true, force: true });
  });
});
