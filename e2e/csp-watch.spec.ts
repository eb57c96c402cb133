import type { Page } from "@playwright/test";
import { E2E } from "./fixtures/config";
import { expect, test } from "./fixtures/test";

// The watch every spec runs under (e2e/fixtures/test.ts): it sees what a
// page's policy refuses, in the page and in its frames, and a refusal the test
// did not declare fails the test. Probe pages are served by the browser's
// router under a policy of their own, so the app's pages are not involved.

const NONCE = "cHJvYmUtcHJvYmUtcHJvYmU=";
const POLICY = `default-src 'self'; script-src 'self' 'nonce-${NONCE}'; script-src-attr 'none'`;
const PROBE = `<!doctype html><title>probe</title><script nonce="${NONCE}">document.title = "ran"; try { new Function("") } catch {}</script><script>window.injected = 1</script><button onclick="window.injected = 2">x</button>`;

async function serve(page: Page, path: string, body: string, policy?: string) {
  await page.route(`${E2E.baseUrl}${path}`, (route) => route.fulfill({ status: 200, headers: { "content-type": "text/html", ...(policy ? { "content-security-policy": policy } : {}) }, body }));
}

test("records an inline script, an inline handler and an eval the policy refused, from the event and the console", async ({ page, csp }) => {
  csp.expectViolation(/script-src/);
  await serve(page, "/csp-probe", PROBE, POLICY);
  await page.goto("/csp-probe");
  await expect(page).toHaveTitle("ran");
  await page.getByRole("button").click();
  expect(await page.evaluate(() => (window as unknown as { injected?: number }).injected)).toBeUndefined();
  await expect.poll(() => csp.violations.filter((v) => v.text.startsWith("securitypolicyviolation: script-src")).length).toBeGreaterThanOrEqual(3);
  // A refused eval counts even when the page catches it (a library probing whether it may).
  await expect.poll(() => csp.violations.some((v) => /^securitypolicyviolation: script-src refused eval/.test(v.text))).toBe(true);
  const fromConsole = () => csp.violations.filter((v) => !v.text.startsWith("securitypolicyviolation"));
  await expect.poll(() => fromConsole().some((v) => /inline script violates/.test(v.text))).toBe(true);
  await expect.poll(() => fromConsole().some((v) => /inline event handler violates/.test(v.text))).toBe(true);
});

test("records a refusal inside an iframe", async ({ page, csp }) => {
  csp.expectViolation(/script-src/);
  await serve(page, "/csp-host", `<!doctype html><iframe src="/csp-probe"></iframe>`);
  await serve(page, "/csp-probe", PROBE, POLICY);
  await page.goto("/csp-host");
  await expect.poll(() => csp.violations.some((v) => v.url === `${E2E.baseUrl}/csp-probe` && v.text.startsWith("securitypolicyviolation"))).toBe(true);
});

test("a refusal the test did not declare fails it", async ({ page }) => {
  test.fail(true, "the page's policy refuses its inline script: the watch must fail this test");
  await serve(page, "/csp-probe", PROBE, POLICY);
  await page.goto("/csp-probe");
  await expect(page).toHaveTitle("ran");
});
