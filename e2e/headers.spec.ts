import http from "node:http";
import type { AddressInfo } from "node:net";
import { expect, test } from "./fixtures/test";
import { E2E } from "./fixtures/config";
import { signInAsAdmin } from "./fixtures/helpers";
import { directives, expectScriptsByNonce, expectStrictPolicy } from "./fixtures/policy";

for (const route of ["/login", "/admin", "/api/health", "/does-not-exist"]) {
  test(`${route} refuses to be framed and hides the framework`, async ({ request }) => {
    const response = await request.get(route, { maxRedirects: 0 });
    const headers = response.headers();
    expect(directives(headers["content-security-policy"]).get("frame-ancestors")).toBe("'none'");
    expect(headers["x-frame-options"]).toBe("DENY");
    expect(headers["x-powered-by"]).toBeUndefined();
    // This server is plain http: pinning the host to https would lock browsers out of it.
    expect(headers["strict-transport-security"]).toBeUndefined();
  });
}

test("the login page, a missing page and admin pages run scripts only by a fresh nonce", async ({ page }) => {
  await signInAsAdmin(page);
  const nonces = new Set<string>();
  for (const path of ["/login?callbackUrl=%2Fadmin%2Fkeys", "/does-not-exist", "/admin", "/admin/keys", "/admin/dashboards/dash_demo", "/admin/dashboards/dash_demo/preview", "/admin/dashboards/nonexistent"]) {
    const response = await page.request.get(path, { maxRedirects: 0 });
    expect(response.headers()["content-type"], path).toMatch(/text\/html/);
    const nonce = expectStrictPolicy(response.headers()["content-security-policy"], { frameAncestors: "'none'", formAction: "'self'" })!;
    expectScriptsByNonce(await response.text(), nonce);
    nonces.add(nonce);
  }
  expect(nonces.size).toBe(7);
  // And in the browser: the pages run (client navigation, the theme script) with nothing refused (the csp fixture).
  await page.goto("/admin/keys");
  await expect(page.locator("html")).toHaveAttribute("data-theme", /^(light|dark)$/);
});

test("a signed-out admin page redirects under the same policy", async ({ request }) => {
  const response = await request.get("/admin/keys", { maxRedirects: 0 });
  expect(response.status()).toBe(307);
  expectStrictPolicy(response.headers()["content-security-policy"], { frameAncestors: "'none'", formAction: "'self'" });
});

test("API answers carry the policy with no script at all", async ({ request }) => {
  for (const path of ["/api/health", "/v1/me", "/api/auth/signout"]) {
    const response = await request.get(path, { maxRedirects: 0 });
    expectStrictPolicy(response.headers()["content-security-policy"], { frameAncestors: "'none'", formAction: "'self'", scripts: "none" });
  }
});

test("the server's own error page runs no script at all", async () => {
  // node:http: fetch would rewrite the malformed escape.
  const headers = await new Promise<http.IncomingHttpHeaders>((resolve, reject) => {
    http.get({ host: "localhost", port: E2E.port, path: "/admin/%E0%A4%A" }, (res) => (res.resume(), resolve(res.headers))).on("error", reject);
  });
  expect(headers["content-type"]).toMatch(/text\/html/);
  expectStrictPolicy(headers["content-security-policy"] as string, { frameAncestors: "'none'", formAction: "'self'", scripts: "none" });
});

test("/embed/ paths carry no X-Frame-Options, are never cached or referred, and a bad token may not be framed", async ({ request }) => {
  const response = await request.get("/embed/some-token", { maxRedirects: 0 });
  const headers = response.headers();
  expect(response.status()).toBe(401);
  // Framing of a valid embed comes from its signed origins (e2e/embed.spec.ts); a bad token has none.
  expect(headers["x-frame-options"]).toBeUndefined();
  // The page's own policy: its scripts by nonce only, nothing inline without one, no plugins, no base tag, no form posts.
  const nonce = expectStrictPolicy(headers["content-security-policy"], { frameAncestors: "'none'", formAction: "'none'" })!;
  expectScriptsByNonce(await response.text(), nonce);
  expect(headers["referrer-policy"]).toBe("no-referrer");
  expect(headers["cache-control"]).toContain("no-store");
  expect(headers["x-powered-by"]).toBeUndefined();
});

test("a page on another origin cannot frame the login page", async ({ page, csp }) => {
  csp.expectViolation(/frame-ancestors 'none'/);
  // A real host page on another origin (127.0.0.1:<any free port> vs localhost:<E2E port>).
  const host = http.createServer((_req, res) => {
    res.setHeader("content-type", "text/html");
    res.end(`<iframe src="${E2E.baseUrl}/login" width="600" height="400"></iframe>`);
  });
  await new Promise<void>((resolve) => host.listen(0, "127.0.0.1", resolve));
  try {
    await page.goto(`http://127.0.0.1:${(host.address() as AddressInfo).port}/`);
    await page.waitForTimeout(1500);
    const frames = page.frames().filter((f) => f !== page.mainFrame());
    expect(frames).toHaveLength(1);
    // Without the headers the login form renders here (checked by hand); with them Chromium blocks it.
    expect(await frames[0].locator("#email").count()).toBe(0);
  } finally {
    host.close();
  }
});
