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

test("/embed/ paths are not covered by the blanket framing ban and are never cached or referred", async ({ request }) => {
  const response = await request.get("/embed/some-token", { maxRedirects: 0 });
  const headers = response.headers();
  expect(headers["x-frame-options"]).toBeUndefined();
  expect(headers["content-security-policy"] ?? "").not.toContain("frame-ancestors 'none'");
  expect(headers["referrer-policy"]).toBe("no-referrer");
  expect(headers["cache-control"]).toContain("no-store");
  expect(headers["x-powered-by"]).toBeUndefined();
});

test("a page on another origin cannot frame the login page", async ({ page }) => {
  // Served from a different origin than the app: 127.0.0.1 vs localhost.
  await page.route("http://127.0.0.1:4999/host", (route) =>
    route.fulfill({ contentType: "text/html", body: `<iframe id="f" src="${E2E.baseUrl}/login" width="600" height="400"></iframe>` }),
  );
  await page.goto("http://127.0.0.1:4999/host");
  await page.waitForTimeout(1500);
  const frame = page.frames().find((f) => f.url().startsWith(E2E.baseUrl));
  const rendered = frame ? await frame.locator("#email").count().catch(() => 0) : 0;
  expect(rendered).toBe(0);
});
