import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey, revokeApiKey } from "@/lib/auth/api-keys";
import { getDb } from "@/lib/db";
import { getEnv } from "@/lib/env";
import { cli, startApi, type ApiChild } from "@/lib/testing/backup-harness";
import { migrateTestDatabase } from "@/lib/testing/test-db";

// A backup made through the running server while events keep arriving,
// restored into an empty data directory and started: dashboards, versions,
// keys, sessions and secrets are the same, and the events are exactly the
// batches acknowledged before the backup began plus, whole, some of those
// that arrived during it.

const TENANTS = ["t1", "t2", "t3.eu", "t4@x"];
const SPEC = {
  kind: "chart",
  id: "n",
  title: "per batch",
  chart: "table",
  metrics: [{ id: "event_count" }, { id: "value_sum" }],
  breakdown: "property:batch",
  time_range: { kind: "absolute", from: "2026-11-01", to: "2026-11-30" },
  limit: 1000,
};

type Batch = { name: string; perTenant: Map<string, { n: number; sum: number }>; sentAt: number; ackedAt: number };

function makeBatch(name: string, size: number, seed: number) {
  const perTenant = new Map<string, { n: number; sum: number }>();
  const rows = Array.from({ length: size }, (_, i) => {
    const tenant = TENANTS[(i * 7 + seed) % TENANTS.length];
    const value = (i * 13 + seed) % 97; // whole numbers: sums are exact in any order
    const t = perTenant.get(tenant) ?? { n: 0, sum: 0 };
    perTenant.set(tenant, { n: t.n + 1, sum: t.sum + value });
    return { tenant_id: tenant, name: "order_completed", ts: `2026-11-20T12:${String(i % 60).padStart(2, "0")}:00Z`, value, properties: { batch: name, country: "DE" } };
  });
  return { rows, perTenant };
}

let admin: string;
let revoked: string;
let restricted: string;
let api: ApiChild;
const batches: Batch[] = [];
const root = fs.mkdtempSync(path.join(os.tmpdir(), "enclave-backup-"));
const backupDir = path.join(root, "backup");
const restoredDir = path.join(root, "restored");

/** Which key this is, as /v1/me answers (an error's request id aside). */
async function me(key: string) {
  const { status, body } = await api.call<{ error?: { request_id?: string } }>(key, "GET", "/v1/me");
  if (body.error) delete body.error.request_id;
  return { status, body };
}

async function send(name: string, size: number, seed: number) {
  const { rows, perTenant } = makeBatch(name, size, seed);
  const sentAt = Date.now();
  const res = await api.call<{ accepted: number }>(admin, "POST", "/v1/events", rows);
  expect([res.status, res.body.accepted]).toEqual([200, size]);
  batches.push({ name, perTenant, sentAt, ackedAt: Date.now() });
}

beforeAll(async () => {
  migrateTestDatabase();
  admin = (await createApiKey({ name: "ops", scopes: ["admin", "embed", "ingest"] }, "test")).secret;
  restricted = (await createApiKey({ name: "t1 only", scopes: ["embed"], tenant_id: "t1" }, "test")).secret;
  const gone = await createApiKey({ name: "old", scopes: ["ingest"] }, "test");
  await revokeApiKey(gone.key.id, "test");
  revoked = gone.secret;
  await getDb().$disconnect();
  api = await startApi(getEnv().DATA_DIR);
});
afterAll(async () => {
  await api?.stop();
  fs.rmSync(root, { recursive: true, force: true });
});

describe("backup while ingesting, restore into an empty directory", () => {
  it("restores dashboards, versions, keys, sessions, secrets and every event acknowledged before the backup", { timeout: 120_000 }, async () => {
    // Metadata through the API: a second dashboard with two versions, sessions per tenant (one revoked).
    const demo = await api.call<{ definition: unknown }>(admin, "GET", "/v1/dashboards/dash_demo");
    const created = await api.call<{ id: string; draft_version: number }>(admin, "POST", "/v1/dashboards", { name: "Ops", definition: demo.body.definition });
    expect(created.status).toBe(201);
    const ops = created.body.id;
    expect((await api.call(admin, "POST", `/v1/dashboards/${ops}/publish`, { note: "first" })).status).toBe(201);
    const renamed = await api.call(admin, "PUT", `/v1/dashboards/${ops}`, { draft_version: created.body.draft_version, name: "Ops, renamed", definition: demo.body.definition });
    expect(renamed.status).toBe(200);
    expect((await api.call(admin, "POST", `/v1/dashboards/${ops}/publish`, { note: "second" })).status).toBe(201);
    const sessionIds: string[] = [];
    for (const tenant of TENANTS) {
      const minted = await api.call<{ session_id: string }>(admin, "POST", "/v1/embed-sessions", { tenant_id: tenant, dashboard_id: tenant === "t2" ? ops : "dash_demo", user_id: `u-${tenant}`, permissions: { locked_filters: { country: ["DE"] } } });
      expect(minted.status).toBe(201);
      sessionIds.push(minted.body.session_id);
    }
    expect((await api.call(admin, "DELETE", `/v1/embed-sessions/${sessionIds[3]}`)).status).toBe(200);

    for (let i = 0; i < 8; i++) await send(`pre${i}`, 2_500, i);
    const before = {
      dashboards: (await api.call(admin, "GET", "/v1/dashboards")).body,
      definitions: await Promise.all(["dash_demo", ops].map(async (id) => (await api.call(admin, "GET", `/v1/dashboards/${id}`)).body)),
      versions: await Promise.all(["dash_demo", ops].map(async (id) => (await api.call(admin, "GET", `/v1/dashboards/${id}/versions`)).body)),
      sessions: await Promise.all(sessionIds.map(async (id) => (await api.call(admin, "GET", `/v1/embed-sessions/${id}`)).body)),
      me: await Promise.all([admin, restricted, revoked].map(me)),
      keys: JSON.parse((await cli(["keys", "list", "--json"], {})).out).map((k: Record<string, unknown>) => ({ ...k, last_used_at: undefined })),
    };

    // Ingest keeps going while the CLI asks the server for a backup.
    let ingesting = true;
    const during = (async () => {
      for (let i = 0; ingesting; i++) await send(`during${i}`, 400, 100 + i);
    })();
    await new Promise((r) => setTimeout(r, 300));
    const backupStart = Date.now();
    const backup = await cli(["backup", "--to", backupDir, "--url", `http://127.0.0.1:${api.port}`], {});
    const backupEnd = Date.now();
    await new Promise((r) => setTimeout(r, 300));
    ingesting = false;
    await during;
    expect(backup.err).toBe("");
    expect(backup.code).toBe(0);
    expect(backup.out).toMatch(/Backed up [\d,]+ events, the metadata store and secrets.json to /);
    expect(batches.some((b) => b.ackedAt > backupStart && b.sentAt < backupEnd), "ingest overlapped the backup").toBe(true);
    expect(fs.statSync(backupDir).mode & 0o777).toBe(0o700);
    for (const name of fs.readdirSync(backupDir)) expect(fs.statSync(path.join(backupDir, name)).mode & 0o777, name).toBe(0o600);
    expect(fs.existsSync(path.join(backupDir, "operator-token"))).toBe(false);
    await api.stop();

    // A backup is restored into an empty directory only, and never without the ledger unless told.
    fs.mkdirSync(restoredDir);
    fs.writeFileSync(path.join(restoredDir, "keep.txt"), "x");
    const refused = await cli(["restore", "--from", backupDir], { DATA_DIR: restoredDir, ERASURE_LEDGER: getEnv().erasureLedger });
    expect([refused.code, refused.err]).toEqual([1, expect.stringContaining(`The data directory ${restoredDir} is not empty`)]);
    expect(fs.readdirSync(restoredDir)).toEqual(["keep.txt"]);
    fs.rmSync(path.join(restoredDir, "keep.txt"));
    const noLedger = await cli(["restore", "--from", backupDir], { DATA_DIR: restoredDir, ERASURE_LEDGER: path.join(root, "missing.jsonl") });
    expect([noLedger.code, noLedger.err]).toEqual([1, expect.stringContaining("There is no erasure ledger at")]);
    expect(fs.readdirSync(restoredDir)).toEqual([]);

    const restored = await cli(["restore", "--from", backupDir], { DATA_DIR: restoredDir, ERASURE_LEDGER: getEnv().erasureLedger });
    expect(restored.err).toBe("");
    expect(restored.code).toBe(0);
    expect(restored.out).toContain("Erasures made after the backup, applied again: none");
    expect(fs.readFileSync(path.join(restoredDir, "secrets.json"), "utf8")).toBe(fs.readFileSync(path.join(getEnv().DATA_DIR, "secrets.json"), "utf8"));
    const keysAfter = JSON.parse((await cli(["keys", "list", "--json"], { DATA_DIR: restoredDir })).out).map((k: Record<string, unknown>) => ({ ...k, last_used_at: undefined }));
    expect(keysAfter).toEqual(before.keys);

    api = await startApi(restoredDir);
    expect((await api.call(admin, "GET", "/v1/dashboards")).body).toEqual(before.dashboards);
    expect(await Promise.all(["dash_demo", ops].map(async (id) => (await api.call(admin, "GET", `/v1/dashboards/${id}`)).body))).toEqual(before.definitions);
    expect(await Promise.all(["dash_demo", ops].map(async (id) => (await api.call(admin, "GET", `/v1/dashboards/${id}/versions`)).body))).toEqual(before.versions);
    expect(await Promise.all(sessionIds.map(async (id) => (await api.call(admin, "GET", `/v1/embed-sessions/${id}`)).body))).toEqual(before.sessions);
    expect(await Promise.all([admin, restricted, revoked].map(me))).toEqual(before.me);

    // Events: per tenant and batch, each batch whole or absent; every batch acknowledged before the backup present.
    const present = new Map<string, Map<string, { n: number; sum: number }>>();
    for (const tenant of TENANTS) {
      const res = await api.call<{ rows: { dimension: string; m0: number; m1: number }[] }>(admin, "POST", "/v1/query/preview", { tenant_id: tenant, spec: SPEC });
      expect(res.status).toBe(200);
      for (const row of res.body.rows) {
        if (!present.has(row.dimension)) present.set(row.dimension, new Map());
        present.get(row.dimension)!.set(tenant, { n: row.m0, sum: row.m1 });
      }
    }
    for (const batch of batches) {
      const found = present.get(batch.name);
      if (batch.ackedAt < backupStart) expect(found, `${batch.name} was acknowledged before the backup began`).toBeDefined();
      if (batch.sentAt > backupEnd) expect(found, `${batch.name} was sent after the backup ended`).toBeUndefined();
      if (found) expect(Object.fromEntries(found), batch.name).toEqual(Object.fromEntries(batch.perTenant));
    }
    expect([...present.keys()].filter((name) => !batches.some((b) => b.name === name))).toEqual([]);
    const manifest = JSON.parse(fs.readFileSync(path.join(backupDir, "manifest.json"), "utf8"));
    const restoredEvents = batches.filter((b) => present.has(b.name)).reduce((n, b) => n + [...b.perTenant.values()].reduce((m, t) => m + t.n, 0), 0);
    expect(manifest.events).toBe(restoredEvents);
    expect(restoredEvents).toBeGreaterThanOrEqual(20_000);
    const overlapping = batches.filter((b) => b.ackedAt >= backupStart && b.sentAt <= backupEnd);
    console.log(`batches: ${batches.length}, ${overlapping.length} during the backup (${backupEnd - backupStart} ms), ${overlapping.filter((b) => present.has(b.name)).length} of those in it; ${restoredEvents} events restored`);
  });

  it("refuses a wrong operator token, a used directory and a damaged backup, and changes nothing", { timeout: 60_000 }, async () => {
    const res = await fetch(`http://127.0.0.1:${api.port}/api/operator/backup`, { method: "POST", headers: { authorization: `Bearer ${admin}`, "content-type": "application/json" }, body: JSON.stringify({ to: path.join(root, "other") }) });
    expect(res.status).toBe(401);
    expect((await res.json()).error.code).toBe("unauthenticated");
    expect(fs.existsSync(path.join(root, "other"))).toBe(false);

    const again = await cli(["backup", "--to", backupDir, "--url", `http://127.0.0.1:${api.port}`], { DATA_DIR: restoredDir });
    expect([again.code, again.err]).toEqual([1, expect.stringContaining("already exists and is not an empty directory")]);

    const damaged = path.join(root, "damaged");
    fs.cpSync(backupDir, damaged, { recursive: true });
    fs.appendFileSync(path.join(damaged, "app.db"), "x");
    const empty = path.join(root, "empty");
    const refused = await cli(["restore", "--from", damaged], { DATA_DIR: empty, ERASURE_LEDGER: getEnv().erasureLedger });
    expect([refused.code, refused.err]).toEqual([1, expect.stringContaining("app.db differs from the file the backup wrote")]);
    expect(fs.existsSync(empty)).toBe(false);
  });

  it("without a server, the CLI makes the backup itself; it will not while a server it cannot reach holds the data", { timeout: 60_000 }, async () => {
    const nobody = "http://127.0.0.1:1";
    const held = await cli(["backup", "--to", path.join(root, "local"), "--url", nobody], { DATA_DIR: restoredDir });
    expect([held.code, held.err]).toEqual([1, expect.stringContaining(`No server answered at ${nobody}, but process ${api.proc.pid} holds ${restoredDir}`)]);
    expect(fs.existsSync(path.join(root, "local"))).toBe(false);
    await api.stop();
    const local = await cli(["backup", "--to", path.join(root, "local"), "--url", nobody, "--json"], { DATA_DIR: restoredDir });
    expect([local.code, local.err]).toEqual([0, ""]);
    const first = JSON.parse(fs.readFileSync(path.join(backupDir, "manifest.json"), "utf8"));
    expect(JSON.parse(local.out)).toMatchObject({ events: first.events, secrets: "included", migrations: first.migrations });
  });
});
