import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { decodeProtectedHeader } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/lib/db";
import { retireSigningKey, rotateSigningKey } from "@/lib/embed/signing-keys";
import { mintEmbedToken, verifyEmbedToken } from "@/lib/embed/tokens";
import { Permissions } from "@/lib/query/permissions";
import { migrateTestDatabase } from "@/lib/testing/test-db";

// Rotation as an operator does it: the real CLI edits DATA_DIR/secrets.json
// while this process (standing in for the running server) keeps signing and
// verifying without a restart.

const root = path.resolve(__dirname, "../..");
const file = () => path.join(process.env.DATA_DIR!, "secrets.json");

function cli(args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, ["scripts/run-ts.mjs", "scripts/enclave.ts", ...args], { cwd: root, env: { ...process.env, ...env }, encoding: "utf8" });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const kidOf = (token: string) => String(decodeProtectedHeader(token).kid);
const storedKids = () => (JSON.parse(fs.readFileSync(file(), "utf8")) as { embedSigningKeys: { kid: string }[] }).embedSigningKeys.map((k) => k.kid);

function mint(sessionId: string) {
  return mintEmbedToken({ sessionId, tenantId: "acme", dashboardId: "dash_keys", permissions: Permissions.parse({}), origins: [], expiresAt: new Date(Date.now() + 3_600_000) });
}

async function session(id: string, expiresInMs: number) {
  await getDb().embedSession.create({ data: { id, tenantId: "acme", dashboardId: "dash_keys", createdBy: "test", expiresAt: new Date(Date.now() + expiresInMs) } });
}

beforeAll(async () => {
  migrateTestDatabase();
  await getDb().dashboard.create({ data: { id: "dash_keys", name: "Keys", draft: "{}", createdBy: "test", updatedBy: "test" } });
});

describe("embed signing key rotation", () => {
  // Six CLI runs, each starting tsx: room for a busy machine.
  it("keeps old tokens valid after a rotation, signs new ones with the new kid, and refuses old ones once the kid is retired", { timeout: 180_000 }, async () => {
    const before = await mint("ses_before");
    const oldKid = kidOf(before);
    expect(storedKids()).toEqual([oldKid]);

    const rotated = cli(["signing-keys", "rotate"]);
    expect(rotated.code, rotated.err).toBe(0);
    const [, newKid] = storedKids();
    expect(newKid).toBeTruthy();
    expect(rotated.out).toContain(`Added signing key ${newKid}`);
    expect(rotated.out).not.toMatch(/secret/i);
    expect(fs.statSync(file()).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(process.env.DATA_DIR!).filter((f) => f.startsWith("secrets.json."))).toEqual([]);

    // No restart: this process sees the new file on its next token.
    const after = await mint("ses_after");
    expect(kidOf(after)).toBe(newKid);
    expect((await verifyEmbedToken(before)).ok).toBe(true);
    expect((await verifyEmbedToken(after)).ok).toBe(true);

    const listed = JSON.parse(cli(["signing-keys", "list", "--json"]).out);
    expect(listed.source).toBe("file");
    expect(listed.keys.map((k: { kid: string; signs: boolean }) => [k.kid, k.signs])).toEqual([[oldKid, false], [newKid, true]]);
    expect(JSON.stringify(listed)).not.toContain(JSON.parse(fs.readFileSync(file(), "utf8")).embedSigningKeys[0].secret);

    // Tokens it signed may be live (data and preview tokens for an hour at least): refused without --force.
    const early = cli(["signing-keys", "retire", oldKid]);
    expect(early.code).toBe(1);
    expect(early.err).toMatch(/still verifies live tokens.*Retire it after \d{4}-.*--force/);
    const newest = cli(["signing-keys", "retire", newKid, "--force"]);
    expect(newest.code).toBe(1);
    expect(newest.err).toContain("is the newest key");
    expect(cli(["signing-keys", "retire", "k-nope"]).err).toContain('No signing key has the kid "k-nope"');
    expect(storedKids()).toEqual([oldKid, newKid]);
    expect((await verifyEmbedToken(before)).ok).toBe(true);

    const retired = cli(["signing-keys", "retire", oldKid, "--force"]);
    expect(retired.code, retired.err).toBe(0);
    expect(storedKids()).toEqual([newKid]);
    expect(await verifyEmbedToken(before)).toEqual({ ok: false, reason: "invalid" });
    expect((await verifyEmbedToken(after)).ok).toBe(true);

    const audit = await getDb().auditLog.findMany({ where: { action: { startsWith: "signing_key." } }, orderBy: { id: "asc" } });
    expect(audit.map((a) => [a.actor, a.action, a.target])).toEqual([
      ["cli", "signing_key.rotate", newKid],
      ["cli", "signing_key.retire", oldKid],
    ]);
  });

  it("refuses to retire a key while a session minted before the rotation is active, and not because of later sessions", async () => {
    await session("ses_old_2h", 2 * 3_600_000);
    const { previous } = await rotateSigningKey("test");
    await new Promise((r) => setTimeout(r, 1_100)); // past the second of slack allowed around the rotation time
    await session("ses_new_20h", 20 * 3_600_000);
    const in90min = new Date(Date.now() + 90 * 60_000);
    await expect(retireSigningKey(previous, { actor: "test", now: in90min })).rejects.toThrow(/1 embed session signed with it is still active\. Retire it after/);
    // Past the old session's end (and the hour for data tokens): the session minted after the rotation does not hold it back.
    const oldSessionEnd = (await getDb().embedSession.findUniqueOrThrow({ where: { id: "ses_old_2h" } })).expiresAt;
    await expect(retireSigningKey(previous, { actor: "test", now: new Date(oldSessionEnd.getTime() + 1) })).resolves.toEqual({ kid: previous, liveSessions: 0 });
  });

  it("explains that keys from EMBED_SIGNING_KEYS rotate in the environment, and leaves secrets.json alone", { timeout: 120_000 }, () => {
    const before = fs.readFileSync(file(), "utf8");
    const env = { EMBED_SIGNING_KEYS: `k1:${"a".repeat(32)},k2:${"b".repeat(32)}` };
    const rotate = cli(["signing-keys", "rotate"], env);
    expect(rotate.code).toBe(1);
    expect(rotate.err).toMatch(/EMBED_SIGNING_KEYS is set.*append a new kid:secret pair.*restart/);
    expect(cli(["signing-keys", "retire", "k1"], env).err).toContain("EMBED_SIGNING_KEYS is set");
    const list = cli(["signing-keys", "list"], env);
    expect(list.out).toMatch(/k1 .*verifies older tokens\n.*k2 .*signs new tokens/s);
    expect(list.out).not.toContain("a".repeat(32));
    expect(fs.readFileSync(file(), "utf8")).toBe(before);
  });
});
