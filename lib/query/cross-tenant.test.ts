import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeAnalytics } from "@/lib/analytics/engine";
import type { EventRow } from "@/lib/analytics/event-row";
import { issueProofSubject, setupProof, type AdminProof } from "@/lib/auth/admin-proof";
import type { ApiKeyContext } from "@/lib/auth/with-api-key";
import { deleteTenantEvents, listPropertyKeysForAdmin, listTenantsForAdmin, readStoreOverviewForAdmin, storeHasEvents } from "@/lib/query/cross-tenant";
import { scopeForAdminPreview } from "@/lib/query/scope";
import { loadDemoFixture } from "@/lib/testing/analytics-fixture";

// The cross-tenant readers demand a genuine admin proof, and nothing else in
// the product may run unscoped SQL.

let rows: EventRow[];
beforeAll(async () => {
  ({ rows } = await loadDemoFixture(4_000));
});
afterAll(() => closeAnalytics());

const admin = { id: "adm_1", email: "a@example.com", name: "A", actor: "admin:a@example.com", role: "owner" as const };
function keyContext(scopes: ("admin" | "embed" | "ingest")[], tenantId: string | null): ApiKeyContext {
  return {
    key: { id: "key_1", name: "k", prefix: "enc_test", scopes, tenantId, createdAt: new Date(), lastUsedAt: null, revokedAt: null, createdBy: "test" } as unknown as ApiKeyContext["key"],
    actor: "apikey:enc_test",
    requestId: "r1",
    assertTenant(t) {
      if (tenantId !== null && tenantId !== t) throw Object.assign(new Error("tenant_forbidden"), { code: "tenant_forbidden" });
    },
  };
}

const readers: [string, (p: AdminProof) => Promise<unknown>][] = [
  ["listTenantsForAdmin", (p) => listTenantsForAdmin(p)],
  ["listPropertyKeysForAdmin", (p) => listPropertyKeysForAdmin(p)],
  ["readStoreOverviewForAdmin", (p) => readStoreOverviewForAdmin(p)],
  ["storeHasEvents", (p) => storeHasEvents(p)],
  ["deleteTenantEvents", (p) => deleteTenantEvents(p, "tenant-040")],
  ["scopeForAdminPreview", async (p) => scopeForAdminPreview(p, "acme")],
];

describe("cross-tenant readers", () => {
  it.each(readers)("%s refuses a proof built by hand, a copy of a genuine one, and a key without the admin scope", async (_name, read) => {
    const genuine = issueProofSubject({ ...admin });
    await expect(read({ kind: "admin", admin: { ...admin } })).rejects.toThrow(/admin/);
    await expect(read({ kind: "admin", admin: { ...genuine } })).rejects.toThrow(/admin/);
    await expect(read({ kind: "setup", reason: "forged" })).rejects.toThrow(/admin/);
    await expect(read({ kind: "api_key", ctx: keyContext(["admin"], null) })).rejects.toThrow(/admin/);
    await expect(read({ kind: "api_key", ctx: issueProofSubject(keyContext(["embed", "ingest"], null)) })).rejects.toThrow(/"admin" scope/);
    await expect(read(undefined as unknown as AdminProof)).rejects.toThrow(/admin/);
  });

  it("give a signed-in admin every tenant, and a key restricted to acme only acme", async () => {
    const all = await listTenantsForAdmin({ kind: "admin", admin: issueProofSubject({ ...admin }) }, { limit: 1000 });
    expect(new Set(all.map((t) => t.tenant_id))).toEqual(new Set(rows.map((r) => r.tenant_id)));
    const restricted = { kind: "api_key" as const, ctx: issueProofSubject(keyContext(["admin"], "acme")) };
    expect((await listTenantsForAdmin(restricted)).map((t) => t.tenant_id)).toEqual(["acme"]);
    const overview = await readStoreOverviewForAdmin(restricted);
    expect([overview.events, overview.tenants]).toEqual([rows.filter((r) => r.tenant_id === "acme").length, 1]);
    const keys = await listPropertyKeysForAdmin(restricted);
    const acmeCountries = new Set(rows.filter((r) => r.tenant_id === "acme").map((r) => r.properties.country));
    expect(new Set(keys.find((k) => k.key === "country")!.top_values)).toEqual(acmeCountries);
    await expect(deleteTenantEvents(restricted, "acme2")).rejects.toThrow(/tenant_forbidden/);
    expect(await storeHasEvents(setupProof("test"))).toBe(true);
  });
});

// Files that may run SQL outside the scoped executor, each for a reason. A new
// file here is a new door into tenant data: it fails this test until reviewed.
const RAW_SQL_ALLOWED: Record<string, string> = {
  "lib/analytics/engine.ts": "defines queryRows and the connections",
  "lib/query/run-scoped.ts": "the scoped executor: row filters, limits, readonly",
  "lib/query/cross-tenant.ts": "the admin module: checks an admin proof first",
  "lib/query/guard.ts": "EXPLAIN AST of admin SQL: parses, reads no rows",
  "lib/analytics/schema.ts": "setup: DDL",
  "lib/analytics/ingest.ts": "writes events",
  "lib/backup/events-dump.ts": "backup and restore: copies the whole events table to and from a file inside the engine; returns row counts only",
  "lib/import/tabular-chunk.ts": "bulk import (operator token only): reads the file being imported (file() under DATA_DIR/imports), inserts it into events and counts its own chunk's rows by ingest_seq; returns no stored tenant rows",
  "lib/rollups/build.ts": "builds rollups inside the engine (DDL, INSERT … SELECT) and erases a deleted tenant's rows; returns no tenant rows",
};
const root = path.resolve(__dirname, "../..");
function sources(rel: string): string[] {
  const abs = path.join(root, rel);
  if (!fs.existsSync(abs)) return [];
  if (fs.statSync(abs).isFile()) return [rel];
  return fs.readdirSync(abs).flatMap((n) => sources(path.join(rel, n))).filter((f) => /\.(ts|tsx|mjs)$/.test(f) && !/\.test\.tsx?$/.test(f) && !f.startsWith("lib/testing/"));
}

describe("the only doors to the engine", () => {
  it("no product file but the admin module and setup imports the unscoped queryRows or opens its own connection", () => {
    const found: Record<string, string[]> = {};
    for (const file of ["app", "components", "lib", "scripts", "proxy.ts", "instrumentation.ts"].flatMap(sources)) {
      const text = fs.readFileSync(path.join(root, file), "utf8");
      const uses = [/\bqueryRows\b/.test(text) && "queryRows", /\.withConnection\s*\(/.test(text) && "withConnection", /\bcreateClient\s*\(/.test(text) && "createClient"].filter(Boolean) as string[];
      if (uses.length) found[file] = uses;
    }
    const setup = (f: string) => f.startsWith("lib/setup/") || f === "scripts/setup.ts";
    const unexpected = Object.keys(found).filter((f) => !(f in RAW_SQL_ALLOWED) && !setup(f));
    expect(unexpected.map((f) => `${f}: ${found[f].join(", ")}`)).toEqual([]);
    // The allowlist stays honest: every entry still needs its exception.
    expect(Object.keys(RAW_SQL_ALLOWED).filter((f) => !(f in found))).toEqual([]);
  });

  it("would notice a new door (the scan finds the known ones)", () => {
    const text = fs.readFileSync(path.join(root, "lib/query/cross-tenant.ts"), "utf8");
    expect(/\bqueryRows\b/.test(text)).toBe(true);
  });
});
