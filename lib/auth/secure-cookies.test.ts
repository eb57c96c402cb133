import NextAuth from "next-auth";
import { NextRequest } from "next/server";
import { beforeAll, describe, expect, it } from "vitest";
import { createAdmin } from "@/lib/auth/admin-users";
import { buildAuthOptions } from "@/lib/auth/options";
import { readAdminToken, usesSecureCookies } from "@/lib/auth/secure-cookies";
import { parseEnv, type Env } from "@/lib/env";
import { migrateTestDatabase } from "@/lib/testing/test-db";

// The real sign-in (next-auth's handler with the app's options, the real
// admin table) for an app served over https and over http: which cookies it
// sets, and whether the proxy's session read finds them.

const EMAIL = "cookie-admin@example.com";
const PASSWORD = "cookie-admin-password-1";
const HTTPS = parseEnv({ ...process.env, APP_URL: "https://analytics.example.com" });
const HTTP = parseEnv({ ...process.env, APP_URL: "http://localhost:3000" });

beforeAll(async () => {
  migrateTestDatabase();
  await createAdmin({ email: EMAIL, password: PASSWORD, name: "Cookie", actor: "test" });
});

type Cookie = { name: string; value: string; attributes: string[] };

/** One request through next-auth's handler (its API-route form, which takes plain request and response objects). */
async function callAuth(env: Env, action: string[], init: { method: "GET" | "POST"; body?: Record<string, string>; cookies?: Record<string, string> }) {
  const headers = new Map<string, string | string[]>();
  let body: unknown;
  const res = {
    status: () => res,
    setHeader: (key: string, value: string | string[]) => (headers.set(key.toLowerCase(), value), res),
    getHeader: (key: string) => headers.get(key.toLowerCase()),
    end: () => undefined,
    json: (value: unknown) => void (body = value),
    send: (value: unknown) => void (body = value),
  };
  const req = { query: { nextauth: action }, method: init.method, body: init.body ?? {}, cookies: init.cookies ?? {}, headers: { host: new URL(env.appUrl).host } };
  await NextAuth(req as never, res as never, buildAuthOptions(env));
  const cookies: Cookie[] = ([] as string[]).concat(headers.get("set-cookie") ?? []).map((line) => {
    const [pair, ...attributes] = line.split(/;\s*/);
    const at = pair.indexOf("=");
    return { name: pair.slice(0, at), value: pair.slice(at + 1), attributes };
  });
  return { body, cookies };
}

/** Signs in as the admin through next-auth: the CSRF round trip, then the credentials. */
async function signIn(env: Env) {
  const csrf = await callAuth(env, ["csrf"], { method: "GET" });
  const csrfCookie = csrf.cookies.find((c) => c.name.endsWith("next-auth.csrf-token"))!;
  const { csrfToken } = csrf.body as { csrfToken: string };
  const signedIn = await callAuth(env, ["callback", "credentials"], {
    method: "POST",
    body: { csrfToken, email: EMAIL, password: PASSWORD, callbackUrl: `${env.appUrl}/admin`, json: "true" },
    cookies: { [csrfCookie.name]: decodeURIComponent(csrfCookie.value) },
  });
  return { csrfCookie, cookies: signedIn.cookies, session: signedIn.cookies.find((c) => c.name.endsWith("next-auth.session-token")) };
}

const cookieRequest = (env: Env, cookie: Cookie) => new NextRequest(`${env.appUrl}/admin`, { headers: { cookie: `${cookie.name}=${cookie.value}` } });

describe("next-auth cookies follow APP_URL", () => {
  it("over https: every cookie is Secure with the __Secure-/__Host- prefix, and the proxy reads the session", async () => {
    expect(usesSecureCookies(HTTPS)).toBe(true);
    const { csrfCookie, cookies, session } = await signIn(HTTPS);
    expect(csrfCookie.name).toBe("__Host-next-auth.csrf-token");
    expect(session?.name).toBe("__Secure-next-auth.session-token");
    expect(cookies.length).toBeGreaterThanOrEqual(2);
    for (const cookie of [csrfCookie, ...cookies]) {
      expect(cookie.name, cookie.name).toMatch(/^__(Secure|Host)-/);
      expect(cookie.attributes, cookie.name).toEqual(expect.arrayContaining(["HttpOnly", "Secure", "SameSite=Lax"]));
    }
    expect((await readAdminToken(cookieRequest(HTTPS, session!), HTTPS))?.email).toBe(EMAIL);
    // The same cookie without its prefix is not a session (a plain-http cookie cannot stand in for it).
    expect(await readAdminToken(cookieRequest(HTTPS, { ...session!, name: "next-auth.session-token" }), HTTPS)).toBeNull();
  });

  it("over http: plain cookies (a browser drops Secure ones on http), still HttpOnly, and the proxy reads them", async () => {
    expect(usesSecureCookies(HTTP)).toBe(false);
    const { csrfCookie, cookies, session } = await signIn(HTTP);
    expect(csrfCookie.name).toBe("next-auth.csrf-token");
    expect(session?.name).toBe("next-auth.session-token");
    for (const cookie of [csrfCookie, ...cookies]) {
      expect(cookie.attributes, cookie.name).toContain("HttpOnly");
      expect(cookie.attributes, cookie.name).not.toContain("Secure");
    }
    expect((await readAdminToken(cookieRequest(HTTP, session!), HTTP))?.email).toBe(EMAIL);
  });

  it("APP_URL decides, not NEXTAUTH_URL", () => {
    expect(usesSecureCookies(parseEnv({ ...process.env, APP_URL: "https://analytics.example.com", NEXTAUTH_URL: "http://localhost:3000" }))).toBe(true);
    expect(usesSecureCookies(parseEnv({ ...process.env, APP_URL: undefined, NEXTAUTH_URL: "https://analytics.example.com" }))).toBe(true);
    expect(usesSecureCookies(parseEnv({ ...process.env, APP_URL: undefined, NEXTAUTH_URL: undefined, PORT: "3000" }))).toBe(false);
  });
});
