import { spawnSync } from "node:child_process";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/lib/db";
import { migrateTestDatabase } from "@/lib/testing/test-db";

const root = path.resolve(__dirname, "..");

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, ["scripts/run-ts.mjs", "scripts/enclave.ts", ...args], { cwd: root, env: process.env, encoding: "utf8" });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

beforeAll(() => migrateTestDatabase());

describe("enclave CLI", () => {
  it("creates, lists and revokes keys", () => {
    const created = cli("keys", "create", "--name", "ci", "--scopes", "embed,ingest,admin", "--tenant", "acme", "--json");
    expect(created.code).toBe(0);
    const key = JSON.parse(created.out);
    expect(key).toMatchObject({ name: "ci", scopes: ["admin", "embed", "ingest"], tenant_id: "acme" });
    expect(key.secret).toMatch(/^enc_/);

    const listed = cli("keys", "list", "--json");
    const list = JSON.parse(listed.out);
    expect(list).toEqual([expect.objectContaining({ id: key.id, prefix: key.secret.slice(0, 12), revoked_at: null })]);
    expect(listed.out).not.toContain(key.secret);

    expect(cli("keys", "revoke", key.prefix).out).toContain(`Revoked ${key.id}`);
    expect(JSON.parse(cli("keys", "list", "--json").out)[0].revoked_at).not.toBeNull();
  });

  // Each CLI run starts tsx: give the six of them room on a busy machine.
  it("creates keys with an expiry, lists it, and refuses a bad expiry without creating anything", { timeout: 180_000 }, async () => {
    const dated = JSON.parse(cli("keys", "create", "--name", "dated", "--scopes", "ingest", "--expires", "2099-12-31", "--json").out);
    expect(dated.expires_at).toBe("2099-12-31T23:59:59.999Z");
    const week = cli("keys", "create", "--name", "week", "--scopes", "ingest", "--expires", "7d");
    expect(week.code).toBe(0);
    expect(week.out).toMatch(/, expires \d{4}-\d{2}-\d{2}T/);
    const count = () => getDb().apiKey.count();
    const before = await count();
    const past = cli("keys", "create", "--name", "past", "--scopes", "ingest", "--expires", "2001-01-01");
    expect(past.code).toBe(1);
    expect(past.err).toContain("expires_at: 2001-01-01T23:59:59.999Z is in the past");
    const garbled = cli("keys", "create", "--name", "garbled", "--scopes", "ingest", "--expires", "soon");
    expect(garbled.code).toBe(1);
    expect(garbled.err).toMatch(/expires_at: "soon" is not an expiry: use a date/);
    expect(cli("keys", "create", "--name", "empty", "--scopes", "ingest", "--expires", "").code).toBe(2);
    expect(await count()).toBe(before);
    expect(cli("keys", "list").out).toContain("dated  [ingest] expires=2099-12-31T23:59:59.999Z");
  });

  it("explains bad input and exits non-zero", () => {
    const badScope = cli("keys", "create", "--name", "x", "--scopes", "root");
    expect(badScope.code).toBe(1);
    expect(badScope.err).toContain("expected embed, ingest or admin");

    const missing = cli("keys", "create", "--name", "x");
    expect(missing.code).toBe(2);
    expect(missing.err).toContain("keys create needs --name and --scopes");

    const unknown = cli("frobnicate");
    expect(unknown.code).toBe(2);
    expect(unknown.err).toContain("usage: npm run enclave");

    expect(cli("keys", "revoke", "key_nope").err).toContain('No API key has the id or prefix "key_nope"');
  });

  it("creates an admin and resets a password, printing a generated one once", () => {
    expect(cli("admin", "create", "--email", "Ops@Example.com", "--password", "ops-password-123").out).toContain("Created owner ops@example.com");
    expect(cli("admin", "create", "--email", "viewer@example.com", "--password", "ops-password-123", "--role", "viewer").out).toContain("Created viewer viewer@example.com");
    expect(cli("admin", "create", "--email", "x@example.com", "--password", "ops-password-123", "--role", "admin").err).toContain("--role is one of viewer, editor, owner");
    const reset = cli("admin", "set-password", "--email", "ops@example.com");
    expect(reset.code).toBe(0);
    expect(reset.out).toMatch(/Password \(shown once\): \S{20,}/);
    expect(cli("admin", "set-password", "--email", "ops@example.com", "--password", "short").err).toContain("at least 12 characters");
  });
});
