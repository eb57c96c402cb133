import { describe, expect, it } from "vitest";
import { contentSecurityPolicy, HSTS_VALUE, newNonce, strictTransportSecurity } from "./security-headers.mjs";

const directives = (csp: string) => new Map(csp.split("; ").map((d) => [d.split(" ")[0], d.slice(d.indexOf(" ") + 1)]));

describe("contentSecurityPolicy", () => {
  it("runs scripts only from this origin or with the nonce, and allows inline styles only", () => {
    const nonce = newNonce();
    const d = directives(contentSecurityPolicy({ nonce, frameAncestors: "none" }));
    expect(Object.fromEntries(d)).toEqual({
      "default-src": "'self'",
      "script-src": `'self' 'nonce-${nonce}'`,
      "script-src-attr": "'none'",
      "style-src": "'self' 'unsafe-inline'",
      "img-src": "'self' data:",
      "connect-src": "'self'",
      "object-src": "'none'",
      "base-uri": "'none'",
      "form-action": "'self'",
      "frame-ancestors": "'none'",
    });
  });

  it("runs no script at all without a nonce, and evaluates strings only in development", () => {
    expect(directives(contentSecurityPolicy({ frameAncestors: "none" })).get("script-src")).toBe("'none'");
    expect(directives(contentSecurityPolicy({ frameAncestors: "none", dev: true })).get("script-src")).toBe("'none'");
    const nonce = newNonce();
    expect(directives(contentSecurityPolicy({ nonce, frameAncestors: "none", dev: true })).get("script-src")).toBe(`'self' 'nonce-${nonce}' 'unsafe-eval'`);
    expect(directives(contentSecurityPolicy({ nonce, frameAncestors: "none" })).get("script-src")).not.toMatch(/unsafe/);
  });

  it("frames only under exact origins; anything else in the list is dropped, and an empty list is 'none'", () => {
    const nonce = newNonce();
    const ancestors = (list: string[] | "self" | "none") => directives(contentSecurityPolicy({ nonce, frameAncestors: list, formAction: "none" })).get("frame-ancestors");
    expect(ancestors(["https://app.example.com", "http://localhost:4000"])).toBe("https://app.example.com http://localhost:4000");
    expect(ancestors(["https://a.example.com; script-src *", "*", "https://*.example.com", "javascript:alert(1)", "https://b.example.com/path"])).toBe("'none'");
    expect(ancestors([])).toBe("'none'");
    expect(ancestors("self")).toBe("'self'");
    expect(directives(contentSecurityPolicy({ nonce, frameAncestors: "none", formAction: "none" })).get("form-action")).toBe("'none'");
  });

  it("refuses a nonce that could break out of the header", () => {
    for (const bad of ["", "short", "abc' 'unsafe-inline", "a".repeat(20) + "; script-src *"]) {
      expect(() => contentSecurityPolicy({ nonce: bad, frameAncestors: "none" }), JSON.stringify(bad)).toThrow(/nonce/);
    }
  });

  it("makes a fresh 128-bit nonce each time", () => {
    const nonces = new Set(Array.from({ length: 1000 }, () => newNonce()));
    expect(nonces.size).toBe(1000);
    for (const n of nonces) expect(Buffer.from(n, "base64")).toHaveLength(16);
  });
});

describe("strictTransportSecurity", () => {
  it("is sent when the app is served over https, and never over http", () => {
    expect(strictTransportSecurity("https://analytics.example.com")).toBe("max-age=63072000; includeSubDomains");
    expect(strictTransportSecurity(" HTTPS://analytics.example.com/ ")).toBe(HSTS_VALUE);
    for (const url of ["http://localhost:3000", "http://analytics.example.com", "", undefined, "httpsx://x"]) {
      expect(strictTransportSecurity(url), String(url)).toBeUndefined();
    }
  });
});
