import { afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { getDb } from "@/lib/db";
import { migrateTestDatabase } from "@/lib/testing/test-db";
import { authenticateApiKey, createApiKey, revokeApiKey } from "@/lib/auth/api-keys";
import { parseKeyExpiry } from "@/lib/auth/key-expiry";
import { withApiKey } from "@/lib/auth/with-api-key";
import { GET as me } from "@/app/v1/me/route";

const route = { params: Promise.resolve({}) };

/** A protected route that acts for the tenant in its path, like the real /v1 routes. */
const tenantRoute = withApiKey("embed", async (_req, ctx, r) => {
  const { tenant } = (await r.params) as { tenant: string };
  ctx.assertTenant(tenant);
  return Response.json({ ok: true, actor: ctx.actor });
});

function call(secret: string | undefined, tenant = "acme", header = secret ? `Bearer ${secret}` : undefined) {
  const headers = new Headers();
  if (header) headers.set("authorization", header);
  return tenantRoute(new Request("http://test/v1/x", { headers }), { params: Promise.resolve({ tenant }) });
}

beforeAll(() => migrateTestDatabase());

describe("API keys", () => {
  it("stores only a hash of the secret and shows the secret once", async () => {
    const { key, secret } = await createApiKey({ name: "backend", scopes: ["embed", "ingest"] }, "admin:a@b.co");
    expect(secret).toMatch(/^enc_/);
    const row = await getDb().apiKey.findUniqueOrThrow({ where: { id: key.id } });
    expect(JSON.stringify(row)).not.toContain(secret);
    expect(JSON.stringify(row)).not.toContain(secret.slice(12));
    expect(row.prefix).toBe(secret.slice(0, 12));
    expect(row.secretHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it("refuses bad input with a message naming the field", async () => {
    await expect(createApiKey({ name: "", scopes: ["embed"] }, "t")).rejects.toThrow(/name: give the key a name/);
    await expect(createApiKey({ name: "x", scopes: ["root"] }, "t")).rejects.toThrow(/scopes.0: expected embed, ingest or admin/);
    await expect(createApiKey({ name: "x", scopes: ["embed"], tenant_id: "bad tenant" }, "t")).rejects.toThrow(/tenant_id/);
    await expect(createApiKey({ name: "x", scopes: [] }, "t")).rejects.toThrow(/pick at least one scope/);
  });

  it("answers 401 for a missing, malformed, unknown or revoked key", async () => {
    const missing = await call(undefined);
    expect(missing.status).toBe(401);
    expect((await missing.json()).error.code).toBe("missing_api_key");

    const malformed = await call("x", "acme", "Basic abc");
    expect(malformed.status).toBe(401);
    expect((await malformed.json()).error.code).toBe("missing_api_key");

    const unknown = await call("enc_" + "A".repeat(43));
    expect(unknown.status).toBe(401);
    expect((await unknown.json()).error.code).toBe("invalid_api_key");

    const { key, secret } = await createApiKey({ name: "soon revoked", scopes: ["embed"] }, "t");
    expect((await call(secret)).status).toBe(200);
    await revokeApiKey(key.id, "t");
    const revoked = await call(secret);
    expect(revoked.status).toBe(401);
    expect((await revoked.json()).error).toMatchObject({ code: "revoked_api_key", message: expect.stringMatching(/revoked/) });
  });

  it("answers 403 for a key without the scope", async () => {
    const { secret } = await createApiKey({ name: "ingest only", scopes: ["ingest"] }, "t");
    const res = await call(secret);
    expect(res.status).toBe(403);
    expect((await res.json()).error).toMatchObject({ code: "insufficient_scope", message: expect.stringContaining('"embed" scope') });
  });

  it("lets a tenant-restricted key act only for its tenant, including look-alike ids", async () => {
    const { secret } = await createApiKey({ name: "acme only", scopes: ["embed"], tenant_id: "acme" }, "t");
    expect((await call(secret, "acme")).status).toBe(200);
    for (const other of ["globex", "acme2", "acme.eu", "ACME", "acm"]) {
      const res = await call(secret, other);
      expect(res.status, other).toBe(403);
      expect((await res.json()).error.code).toBe("tenant_forbidden");
    }
    const { secret: any } = await createApiKey({ name: "all tenants", scopes: ["embed"] }, "t");
    expect((await call(any, "globex")).status).toBe(200);
  });

  it("records last use and writes audit rows for create and revoke", async () => {
    const { key, secret } = await createApiKey({ name: "audited", scopes: ["embed"] }, "admin:x@y.co");
    await call(secret);
    const row = await getDb().apiKey.findUniqueOrThrow({ where: { id: key.id } });
    expect(row.lastUsedAt).not.toBeNull();
    await revokeApiKey(key.prefix, "admin:x@y.co");
    const audit = await getDb().auditLog.findMany({ where: { target: key.id }, orderBy: { id: "asc" } });
    expect(audit.map((a) => [a.actor, a.action])).toEqual([
      ["admin:x@y.co", "api_key.create"],
      ["admin:x@y.co", "api_key.revoke"],
    ]);
    expect(audit.map((a) => a.meta).join()).not.toContain(secret);
  });

  it("never returns internal error detail to the caller", async () => {
    const broken = withApiKey("embed", async () => {
      throw new Error("SQLITE_CORRUPT at /secret/path");
    });
    const { secret } = await createApiKey({ name: "b", scopes: ["embed"] }, "t");
    const res = await broken(new Request("http://test", { headers: { authorization: `Bearer ${secret}` } }), route);
    expect(res.status).toBe(500);
    const body = await res.json();
    expect(body.error.code).toBe("internal");
    expect(JSON.stringify(body)).not.toContain("SQLITE");
    expect(body.error.request_id).toBeTruthy();
  });
});

describe("API key expiry", () => {
  afterEach(() => vi.useRealTimers());
  const now = new Date("2026-11-30T12:00:00.000Z");

  it("reads a date (through that day, UTC), a date and time with its zone, or a number of days", () => {
    expect(parseKeyExpiry("2027-01-31", now)).toEqual({ ok: true, expiresAt: new Date("2027-01-31T23:59:59.999Z") });
    expect(parseKeyExpiry("2027-01-31T12:00:00+02:00", now)).toEqual({ ok: true, expiresAt: new Date("2027-01-31T10:00:00.000Z") });
    expect(parseKeyExpiry("90d", now)).toEqual({ ok: true, expiresAt: new Date("2027-02-28T12:00:00.000Z") });
    expect(parseKeyExpiry(" 1 day ", now)).toEqual({ ok: true, expiresAt: new Date("2026-12-01T12:00:00.000Z") });
    expect(parseKeyExpiry("2026-11-30", now)).toEqual({ ok: true, expiresAt: new Date("2026-11-30T23:59:59.999Z") });
  });

  it("refuses past, unparseable and zone-less expiries with a message saying what to send", () => {
    const message = (v: string) => {
      const r = parseKeyExpiry(v, now);
      return r.ok ? "accepted" : r.message;
    };
    expect(message("2026-11-29")).toMatch(/2026-11-29T23:59:59.999Z is in the past: pick a time after 2026-11-30T12:00:00.000Z/);
    expect(message("2026-11-30T12:00:00Z")).toMatch(/is in the past/);
    expect(message("2027-02-30")).toMatch(/not a real date/);
    expect(message("next tuesday")).toMatch(/"next tuesday" is not an expiry: use a date \(2027-01-31/);
    expect(message("2027-01-31T12:00")).toMatch(/is not an expiry/);
    expect(message("0d")).toMatch(/not between 1 and 36500 days/);
  });

  it("creates nothing when the expiry is bad, and says which field", async () => {
    const count = () => getDb().apiKey.count();
    const before = await count();
    await expect(createApiKey({ name: "x", scopes: ["embed"], expires_at: "2001-01-01" }, "t")).rejects.toMatchObject({ code: "validation_failed", message: expect.stringMatching(/expires_at: 2001-01-01T23:59:59.999Z is in the past/) });
    await expect(createApiKey({ name: "x", scopes: ["embed"], expires_at: "soon" }, "t")).rejects.toMatchObject({ code: "validation_failed", message: expect.stringMatching(/expires_at: "soon" is not an expiry/) });
    await expect(createApiKey({ name: "x", scopes: ["embed"], expires_at: 5 }, "t")).rejects.toMatchObject({ code: "validation_failed", message: expect.stringMatching(/expires_at/) });
    expect(await count()).toBe(before);
  });

  it("accepts a key until the instant it expires and refuses it from that instant, on the wrapper every /v1 route uses", async () => {
    const expiresAt = new Date(Date.now() + 3_600_000);
    const { key, secret } = await createApiKey({ name: "short-lived", scopes: ["embed"], expires_at: expiresAt }, "admin:x@y.co");
    expect(key.expiresAt).toEqual(expiresAt);
    expect((await authenticateApiKey(secret, new Date(expiresAt.getTime() - 1))).id).toBe(key.id);
    await expect(authenticateApiKey(secret, expiresAt)).rejects.toMatchObject({ code: "api_key_expired" });

    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(new Date(expiresAt.getTime() - 1));
    expect((await call(secret)).status).toBe(200);
    vi.setSystemTime(expiresAt);
    const refused = await call(secret);
    expect(refused.status).toBe(401);
    const body = await refused.json();
    expect(Object.keys(body)).toEqual(["error"]);
    expect(body.error).toMatchObject({ code: "api_key_expired", message: `This API key expired on ${expiresAt.toISOString()}. Create a new one under Admin → API keys (or with \`npm run enclave -- keys create\`).` });
    expect(JSON.stringify(body)).not.toContain(secret);
  });

  it("answers /v1/me with the expiry, and 401 once the key has expired", async () => {
    const { key, secret } = await createApiKey({ name: "me", scopes: ["ingest"], expires_at: "30d" }, "t");
    const ask = () => me(new Request("http://test/v1/me", { headers: { authorization: `Bearer ${secret}` } }), route);
    const ok = await ask();
    expect(ok.status).toBe(200);
    expect((await ok.json()).expires_at).toBe(key.expiresAt!.toISOString());
    await getDb().apiKey.update({ where: { id: key.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const expired = await ask();
    expect(expired.status).toBe(401);
    expect((await expired.json()).error.code).toBe("api_key_expired");
  });
});
