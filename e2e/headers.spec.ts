import http from "node:http";
import { expect, test } from "@playwright/test";
import { E2E } from "./fixtures/config";

for (const route of ["/login", "/admin", "/api/health", "/does-not-exist"]) {
  test(`${route} refuses to be framed and hides the framework`, async ({ request }) => {
    const response = await request.get(route, { maxRedirects: 0 });
    const headers = response.headers();
    expect(headers["content-security-policy"]).toContain("frame-ancestors 'none'");
    expect(headers["x-frame-options"]).toBe("DENY");
    expect(headers["x-powered-by"]).toBeUndefined();
  });
}

test("/embed/ paths carry no X-Frame-Options, are never cached or referred, and a bad token may not be framed", async ({ request }) => {
  const response = await request.get("/embed/some-token", { maxRedirects: 0 });
  const headers = response.headers();
  expect(response.status()).toBe(401);
  // Framing of a valid embed comes from its signed origins (e2e/embed.spec.ts); a bad token has none.
  expect(headers["x-frame-options"]).toBeUndefined();
  const csp = (headers["content-security-policy"] ?? "").split(";").map((d) => d.trim());
  expect(csp).toContain("frame-ancestors 'none'");
  // The page's own policy: its scripts by nonce only, nothing inline without one, no plugins, no base tag.
  expect(csp.find((d) => d.startsWith("script-src"))).toMatch(/^script-src 'self' 'nonce-[A-Za-z0-9+/=]+'$/);
  expect(csp).toEqual(expect.arrayContaining(["default-src 'self'", "object-src 'none'", "base-uri 'none'", "connect-src 'self'"]));
  expect(headers["referrer-policy"]).toBe("no-referrer");
  expect(headers["cache-control"]).toContain("no-store");
  expect(headers["x-powered-by"]).toBeUndefined();
});

test("a page on another origin cannot frame the login page", async ({ page }) => {
  // A real host page on another origin (127.0.0.1:4999 vs localhost:3100).
  const host = http.createServer((_req, res) => {
    res.setHeader("content-type", "text/html");
    res.end(`<iframe src="${E2E.baseUrl}/login" width="600" height="400"></iframe>`);
  });
  await new Promise<void>((resolve) => host.listen(4999, "127.0.0.1", resolve));
  try {
    await page.goto("http://127.0.0.1:4999/");
    await page.waitForTimeout(1500);
    const frames = page.frames().filter((f) => f !== page.mainFrame());
    expect(frames).toHaveLength(1);
    // Without the headers the login form renders here (checked by hand); with them Chromium blocks it.
    expect(await frames[0].locator("#email").count()).toBe(0);
  } finally {
    host.close();
  }
});
