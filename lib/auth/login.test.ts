import { beforeAll, describe, expect, it } from "vitest";
import { getDb } from "@/lib/db";
import { migrateTestDatabase } from "@/lib/testing/test-db";
import { createAdmin } from "@/lib/auth/admin-users";
import { attemptLogin } from "@/lib/auth/login";
import { hashPassword, verifyPassword } from "@/lib/auth/password";

beforeAll(async () => {
  migrateTestDatabase();
  await createAdmin({ email: "Alice@Example.com", password: "correct-horse-battery", name: "Alice", actor: "test" });
  await createAdmin({ email: "bob@example.com", password: "bob-password-123", name: "Bob", actor: "test" });
});

describe("passwords", () => {
  it("hash with scrypt and a random salt, and verify only the right password", async () => {
    const a = await hashPassword("same password");
    const b = await hashPassword("same password");
    expect(a).toMatch(/^scrypt\$16384\$8\$1\$/);
    expect(a).not.toBe(b);
    expect(await verifyPassword("same password", a)).toBe(true);
    expect(await verifyPassword("same passwore", a)).toBe(false);
    expect(await verifyPassword("x", "garbage")).toBe(false);
  });
});

describe("attemptLogin", () => {
  it("signs in with the right password, case-insensitively on the email, and audits it", async () => {
    const outcome = await attemptLogin({ email: "alice@example.COM", password: "correct-horse-battery", ip: "10.0.0.1" });
    expect(outcome).toMatchObject({ ok: true, user: { email: "alice@example.com" } });
    const audit = await getDb().auditLog.findFirst({ where: { action: "auth.login" }, orderBy: { id: "desc" } });
    expect(audit).toMatchObject({ actor: "admin:alice@example.com", target: "alice@example.com" });
  });

  it("refuses a wrong password and an unknown email alike, and audits the failure", async () => {
    expect(await attemptLogin({ email: "alice@example.com", password: "wrong", ip: "10.0.0.2" })).toEqual({ ok: false, reason: "invalid" });
    expect(await attemptLogin({ email: "nobody@example.com", password: "wrong", ip: "10.0.0.2" })).toEqual({ ok: false, reason: "invalid" });
    const failures = await getDb().auditLog.count({ where: { action: "auth.login_failed" } });
    expect(failures).toBeGreaterThanOrEqual(2);
  });

  it("throttles an email from an address after repeated failures there, even with the right password, and not other emails", async () => {
    // LOGIN_MAX_FAILURES defaults to 5.
    for (let i = 0; i < 5; i++) await attemptLogin({ email: "alice@example.com", password: `bad-${i}`, ip: "10.0.1.1" });
    const blocked = await attemptLogin({ email: "alice@example.com", password: "correct-horse-battery", ip: "10.0.1.1" });
    expect(blocked).toMatchObject({ ok: false, reason: "throttled" });
    expect((blocked as { retryAfterSeconds: number }).retryAfterSeconds).toBeGreaterThan(0);
    expect(await getDb().auditLog.count({ where: { action: "auth.login_throttled" } })).toBe(1);
    expect(await attemptLogin({ email: "bob@example.com", password: "bob-password-123", ip: "10.0.1.1" })).toMatchObject({ ok: true });
    // Five failures from one address do not lock the account everywhere.
    expect(await attemptLogin({ email: "alice@example.com", password: "correct-horse-battery", ip: "10.0.2.1" })).toMatchObject({ ok: true });
  });

  it("failures from many addresses lock an email for new addresses, never for one it signed in from, and only for the window", async () => {
    await createAdmin({ email: "carol@example.com", password: "carol-password-123", name: "Carol", actor: "test" });
    expect(await attemptLogin({ email: "carol@example.com", password: "carol-password-123", ip: "198.51.100.7" })).toMatchObject({ ok: true });
    // A stranger with many addresses: 4 x LOGIN_MAX_FAILURES failures, one per address.
    for (let i = 0; i < 20; i++) await attemptLogin({ email: "carol@example.com", password: `guess-${i}`, ip: `192.0.2.${i + 1}` });
    const fromNew = await attemptLogin({ email: "carol@example.com", password: "carol-password-123", ip: "203.0.113.200" });
    expect(fromNew).toMatchObject({ ok: false, reason: "throttled" });
    // Bounded: the lock ends LOGIN_WINDOW_MINUTES (15) after the failures, however many there were.
    expect((fromNew as { retryAfterSeconds: number }).retryAfterSeconds).toBeLessThanOrEqual(15 * 60);
    // Carol's own address is not locked by anyone else's failures.
    expect(await attemptLogin({ email: "carol@example.com", password: "carol-password-123", ip: "198.51.100.7" })).toMatchObject({ ok: true });
    // Throttled attempts are not counted as failures, so retrying while locked does not extend the lock.
    const before = await getDb().loginAttempt.count({ where: { email: "carol@example.com", success: false } });
    for (let i = 0; i < 5; i++) await attemptLogin({ email: "carol@example.com", password: "x", ip: "203.0.113.200" });
    expect(await getDb().loginAttempt.count({ where: { email: "carol@example.com", success: false } })).toBe(before);
  });

  it("throttles one IP that sprays many emails", async () => {
    for (let i = 0; i < 20; i++) await attemptLogin({ email: `spray${i}@example.com`, password: "x", ip: "203.0.113.9" });
    expect(await attemptLogin({ email: "bob@example.com", password: "bob-password-123", ip: "203.0.113.9" })).toMatchObject({ reason: "throttled" });
    expect(await attemptLogin({ email: "bob@example.com", password: "bob-password-123", ip: "203.0.113.10" })).toMatchObject({ ok: true });
  });
});
