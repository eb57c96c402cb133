import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { closeAnalytics } from "@/lib/analytics/engine";
import { attemptLogin } from "@/lib/auth/login";
import { buildAuthOptions, signInMethods } from "@/lib/auth/options";
import { NO_PASSWORD, ssoConfig, ssoSignIn, type SsoConfig } from "@/lib/auth/sso";
import { acceptInvite, createInvite, removeTeammate } from "@/lib/auth/team";
import { getDb } from "@/lib/db";
import { parseEnv } from "@/lib/env";
import { migrateTestDatabase } from "@/lib/testing/test-db";

// Who single sign-on lets in, on the real metadata store. The protocol itself
// (discovery, code exchange, the ID token) is next-auth's and is exercised
// against a real OpenID provider in e2e/sso.spec.ts; this file holds the
// decisions: verified email, allowed domain, invites, removals, default role.

// This process's configuration: single sign-on on, password sign-in off.
process.env.OIDC_ISSUER = "http://127.0.0.1:9/issuer";
process.env.OIDC_CLIENT_ID = "enclave";
process.env.OIDC_CLIENT_SECRET = "a-client-secret-for-tests";
process.env.OIDC_ALLOWED_DOMAINS = "corp.test";
process.env.PASSWORD_SIGN_IN = "off";

const BASE = { OIDC_ISSUER: "https://id.corp.test/", OIDC_CLIENT_ID: "enclave", OIDC_CLIENT_SECRET: "s3cret-s3cret", OIDC_ALLOWED_DOMAINS: "Corp.test, @sub.corp.test" };
const config = (over: Partial<SsoConfig> = {}): SsoConfig => ({ ...ssoConfig(parseEnv(BASE))!, ...over });
const profile = (email: string, extra: Record<string, unknown> = {}) => ({ sub: `sub-${email}`, email, email_verified: true, name: "Pat", ...extra });
const audits = (action: string) => getDb().auditLog.findMany({ where: { action }, orderBy: { id: "asc" } });

beforeAll(() => migrateTestDatabase());
beforeEach(async () => {
  const db = getDb();
  await db.adminInvite.deleteMany({});
  await db.removedTeammate.deleteMany({});
  await db.adminUser.deleteMany({});
  await db.auditLog.deleteMany({});
  await db.adminUser.create({ data: { id: "adm_owner", email: "owner@corp.test", name: "Owner", role: "owner", passwordHash: "x" } });
});
afterAll(() => closeAnalytics());

describe("configuration", () => {
  it("needs issuer, client id and secret together, allowed domains with them, and single sign-on before password sign-in is turned off", () => {
    expect(() => parseEnv({ OIDC_ISSUER: "https://id.corp.test" })).toThrow(/set all three/);
    expect(() => parseEnv({ ...BASE, OIDC_ALLOWED_DOMAINS: undefined })).toThrow(/OIDC_ALLOWED_DOMAINS: name the email domains/);
    expect(() => parseEnv({ ...BASE, OIDC_ALLOWED_DOMAINS: "corp" })).toThrow(/OIDC_ALLOWED_DOMAINS: expected comma-separated email domains/);
    expect(() => parseEnv({ PASSWORD_SIGN_IN: "off" })).toThrow(/PASSWORD_SIGN_IN: off needs single sign-on/);
    expect(() => parseEnv({ PASSWORD_SIGN_IN: "no" })).toThrow(/PASSWORD_SIGN_IN: expected on or off/);
    expect(() => parseEnv({ ...BASE, OIDC_DEFAULT_ROLE: "owner" })).toThrow(/owners are made by owners/);
    // The secret is never echoed in an error.
    expect(() => parseEnv({ ...BASE, OIDC_ISSUER: "ftp://x" })).toThrow(/OIDC_ISSUER/);
    try {
      parseEnv({ OIDC_CLIENT_SECRET: "s3cret-s3cret" });
    } catch (err) {
      expect(String(err)).not.toContain("s3cret-s3cret");
    }
    expect(config()).toMatchObject({ issuer: "https://id.corp.test", allowedDomains: ["corp.test", "sub.corp.test"], defaultRole: "viewer", name: "single sign-on" });
  });

  it("offers password sign-in unless turned off, and single sign-on when configured", () => {
    const ids = (env: Record<string, string | undefined>) => buildAuthOptions(parseEnv(env)).providers.map((p) => p.id);
    expect(ids({})).toEqual(["credentials"]);
    expect(ids(BASE)).toEqual(["credentials", "oidc"]);
    expect(ids({ ...BASE, PASSWORD_SIGN_IN: "off" })).toEqual(["oidc"]);
    expect(signInMethods(parseEnv({ ...BASE, OIDC_NAME: "Okta", PASSWORD_SIGN_IN: "off" }))).toEqual({ password: false, sso: { id: "oidc", name: "Okta" } });
    expect(signInMethods(parseEnv({}))).toEqual({ password: true });
  });
});

describe("who single sign-on lets in", () => {
  it("refuses an address the provider has not verified, or none, and any domain not listed (look-alikes and parents included)", async () => {
    for (const p of [profile("pat@corp.test", { email_verified: false }), profile("pat@corp.test", { email_verified: "false" }), { sub: "no-email" }, profile("not an email")]) {
      expect(await ssoSignIn(config(), p, "10.0.0.1")).toEqual({ ok: false, reason: "sso_no_email" });
    }
    for (const email of ["pat@evilcorp.test", "pat@corp.test.evil.test", "pat@test", "pat@other.sub.corp.test", "owner@corp.test.com"]) {
      expect(await ssoSignIn(config(), profile(email), "10.0.0.1")).toEqual({ ok: false, reason: "sso_domain" });
    }
    expect(await getDb().adminUser.count()).toBe(1);
    expect((await audits("auth.sso_refused")).map((a) => JSON.parse(a.meta ?? "{}").reason)).toContain("sso_domain");
  });

  it("a teammate signs in as themselves with their role; a stranger joins with the default role, once, even when two sign in at once", async () => {
    const owner = await ssoSignIn(config(), profile("OWNER@corp.test"), "10.0.0.1");
    expect(owner).toEqual({ ok: true, user: { id: "adm_owner", email: "owner@corp.test", role: "owner" }, joined: false });

    const [a, b] = await Promise.all([ssoSignIn(config(), profile("new@sub.corp.test"), "10.0.0.2"), ssoSignIn(config(), profile("new@sub.corp.test"), "10.0.0.3")]);
    expect(a).toMatchObject({ ok: true, user: { role: "viewer" } });
    expect(b).toMatchObject({ ok: true, user: { role: "viewer" } });
    const made = await getDb().adminUser.findMany({ where: { email: "new@sub.corp.test" } });
    expect(made).toHaveLength(1);
    expect(made[0]).toMatchObject({ name: "Pat", role: "viewer", passwordHash: NO_PASSWORD });
    expect(await ssoSignIn(config({ defaultRole: "editor" }), profile("ed@corp.test"), "10.0.0.1")).toMatchObject({ ok: true, user: { role: "editor" }, joined: true });
    expect((await audits("team.join")).map((a) => a.target)).toEqual(expect.arrayContaining(["new@sub.corp.test", "ed@corp.test"]));
    expect((await audits("auth.login")).every((a) => JSON.parse(a.meta ?? "{}").method === "sso")).toBe(true);
  });

  it("with the default role none only invited addresses join, with the invite's role, and the invite is used up", async () => {
    const closed = config({ defaultRole: "none" });
    expect(await ssoSignIn(closed, profile("pat@corp.test"), "10.0.0.1")).toEqual({ ok: false, reason: "sso_not_invited" });
    await createInvite({ email: "pat@corp.test", role: "editor" }, "admin:owner@corp.test");
    expect(await ssoSignIn(closed, profile("pat@corp.test"), "10.0.0.1")).toMatchObject({ ok: true, user: { email: "pat@corp.test", role: "editor" }, joined: true });
    expect(await getDb().adminInvite.count({ where: { email: "pat@corp.test", acceptedAt: null } })).toBe(0);
  });

  it("a removed teammate does not come back on their own; an owner's new invite brings them back", async () => {
    const joined = await ssoSignIn(config(), profile("gone@corp.test"), "10.0.0.1");
    expect(joined.ok).toBe(true);
    await removeTeammate(joined.ok ? joined.user.id : "", "admin:owner@corp.test");
    expect(await ssoSignIn(config(), profile("gone@corp.test"), "10.0.0.1")).toEqual({ ok: false, reason: "sso_removed" });
    expect(await getDb().adminUser.count({ where: { email: "gone@corp.test" } })).toBe(0);
    await createInvite({ email: "gone@corp.test", role: "viewer" }, "admin:owner@corp.test");
    expect(await ssoSignIn(config(), profile("gone@corp.test"), "10.0.0.1")).toMatchObject({ ok: true, user: { role: "viewer" } });
    expect(await getDb().removedTeammate.count()).toBe(0);
  });
});

describe("password sign-in", () => {
  it("no password opens a teammate who joined through single sign-on", async () => {
    await ssoSignIn(config(), profile("sso@corp.test"), "10.0.0.1");
    for (const password of [NO_PASSWORD, "", "x"]) {
      expect(await attemptLogin({ email: "sso@corp.test", password, ip: "10.0.0.9" })).toEqual({ ok: false, reason: "invalid" });
    }
  });

  it("turned off (PASSWORD_SIGN_IN=off), an invite cannot be accepted with a password on the server", async () => {
    const invite = await createInvite({ email: "pw@corp.test", role: "viewer" }, "admin:owner@corp.test");
    await expect(acceptInvite(invite.url.split("/invite/")[1], { name: "Pw", password: "a long enough password" })).rejects.toMatchObject({ code: "forbidden" });
    expect(await getDb().adminUser.count({ where: { email: "pw@corp.test" } })).toBe(0);
  });
});
