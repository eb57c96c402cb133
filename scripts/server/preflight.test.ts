import type { IncomingMessage } from "node:http";
import { describe, expect, it } from "vitest";
import { parseTrustProxy } from "./client-address.mjs";
import { CLIENT_ADDRESS_HEADER, preflight } from "./preflight.mjs";

const request = (method: string, url: string, headers: Record<string, string> = {}, remoteAddress = "127.0.0.1") =>
  ({ method, url, headers: { ...headers }, socket: { remoteAddress } }) as unknown as IncomingMessage;

describe("preflight", () => {
  it("answers TRACE, TRACK, CONNECT and unknown methods with 405 and the allowed list", () => {
    for (const method of ["TRACE", "TRACK", "CONNECT", "PROPFIND", "PURGE"]) {
      const res = preflight(request(method, "/v1/me"), parseTrustProxy(undefined))!;
      expect(res.status, method).toBe(405);
      expect(res.headers.allow).toBe("GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS");
      expect(JSON.parse(res.body).error.code).toBe("method_not_allowed");
    }
    const page = preflight(request("TRACE", "/admin"), parseTrustProxy(undefined))!;
    expect(page.headers["content-type"]).toMatch(/text\/html/);
    // The error page runs no script and may not be framed.
    expect(page.headers["content-security-policy"]).toContain("script-src 'none'");
    expect(page.headers["content-security-policy"]).toContain("frame-ancestors 'none'");
    expect(page.body).not.toMatch(/<script/i);
    expect(page.body).toContain("The method TRACE is not allowed");
  });

  it("answers a malformed %-escape anywhere in the path with 400, JSON on the API", () => {
    for (const url of ["/v1/embed-sessions/%E0%A4%A", "/v1/dashboards/%E0%A4%A/versions", "/api/embed/views/%", "/v1/tenants/%ZZ/revoke-sessions"]) {
      const res = preflight(request("GET", url), parseTrustProxy(undefined))!;
      expect(res.status, url).toBe(400);
      expect(JSON.parse(res.body).error).toMatchObject({ code: "bad_request", message: expect.stringMatching(/malformed %-escape/) });
    }
    const page = preflight(request("GET", "/admin/dashboards/%E0%A4%A?x=%"), parseTrustProxy(undefined))!;
    expect(page.status).toBe(400);
    expect(page.body).toMatch(/<h1[^>]*>The address contains a malformed %-escape/);
    // The query string is Next's to parse; a good path passes.
    expect(preflight(request("GET", "/v1/dashboards/d%C3%A9mo?q=%"), parseTrustProxy(undefined))).toBeUndefined();
  });

  it("refuses a request that repeats Authorization, Cookie, Content-Type, Host or Idempotency-Key", () => {
    const raw = (pairs: string[]) => Object.assign(request("POST", "/v1/events"), { rawHeaders: pairs });
    for (const name of ["Authorization", "cookie", "Content-Type", "Host", "Idempotency-Key"]) {
      const res = preflight(raw([name, "a", "X-Other", "1", name.toUpperCase(), "b"]), parseTrustProxy(undefined))!;
      expect(res.status, name).toBe(400);
      expect(JSON.parse(res.body).error).toMatchObject({ code: "bad_request", message: `The request has more than one ${name.toLowerCase()} header. Send it once.` });
    }
    // Headers that may repeat, and each single header once, pass.
    expect(preflight(raw(["Accept", "a", "Accept", "b", "X-Forwarded-For", "1", "X-Forwarded-For", "2", "Authorization", "Bearer x", "Cookie", "a=1; b=2"]), parseTrustProxy(undefined))).toBeUndefined();
  });

  it("replaces the client address headers with the socket's peer, whatever the client sent", () => {
    const req = request("POST", "/api/auth/callback/credentials", { "x-forwarded-for": "203.0.113.9", [CLIENT_ADDRESS_HEADER]: "203.0.113.9" }, "::ffff:192.0.2.1");
    expect(preflight(req, parseTrustProxy(undefined))).toBeUndefined();
    expect(req.headers[CLIENT_ADDRESS_HEADER]).toBe("192.0.2.1");
    expect(req.headers["x-forwarded-for"]).toBe("192.0.2.1");
    const proxied = request("GET", "/", { "x-forwarded-for": "6.6.6.6, 198.51.100.4" }, "10.0.0.2");
    preflight(proxied, parseTrustProxy("1"));
    expect(proxied.headers[CLIENT_ADDRESS_HEADER]).toBe("198.51.100.4");
  });
});
