import { expect, test } from "./fixtures/test";
import { demoTenantRows, demoTenants } from "../lib/analytics/demo-data";
import { E2E } from "./fixtures/config";
import { enclaveCli, openAdminPage, signIn, signInAsAdmin } from "./fixtures/helpers";

test("the admin console redirects to the login page when signed out", async ({ page }) => {
  await page.goto("/admin/keys");
  await expect(page).toHaveURL(/\/login\?callbackUrl=%2Fadmin%2Fkeys$/);
  await expect(page.getByRole("heading", { name: "Sign in" })).toBeVisible();
  // Server actions and pages check the session too: no admin content in the redirect.
  const response = await page.request.get("/admin", { maxRedirects: 0 });
  expect(response.status()).toBe(307);
  expect(await response.text()).not.toContain("API keys");
});

test("a wrong password is refused with a clear message", async ({ page }) => {
  await signIn(page, E2E.adminEmail, "not-the-password");
  await expect(page.getByTestId("form-error")).toHaveText("Wrong email or password.");
  await expect(page).toHaveURL(/\/login/);
});

test("an admin signs in, sees the demo data, returns to the page asked for, and signs out", async ({ page }) => {
  await page.goto("/admin/audit");
  await expect(page).toHaveURL(/callbackUrl/);
  await page.getByLabel("Email").fill(E2E.adminEmail);
  await page.getByLabel("Password").fill(E2E.adminPassword);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await expect(page).toHaveURL(/\/admin\/audit$/);
  await expect(page.getByTestId("signed-in-as")).toHaveText(E2E.adminEmail);

  await openAdminPage(page, "Overview");
  const expectedEvents = demoTenants().reduce((sum, t) => sum + demoTenantRows(t, E2E.demoEvents), 0);
  await expect(page.getByTestId("stat-events")).toHaveText(expectedEvents.toLocaleString("en"));
  await expect(page.getByTestId("stat-tenants")).toHaveText(String(demoTenants().length));

  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page).toHaveURL(/\/login/);
  await page.goto("/admin");
  await expect(page).toHaveURL(/\/login\?callbackUrl=%2Fadmin$/);
});

test("repeated failures throttle sign-in even with the right password", async ({ page }) => {
  const email = "throttle@e2e.test";
  const password = "throttle-password-123";
  enclaveCli(["admin", "create", "--email", email, "--password", password]);
  for (let i = 0; i < E2E.maxLoginFailures; i++) {
    await signIn(page, email, `wrong-${i}`);
    await expect(page.getByTestId("form-error")).toHaveText("Wrong email or password.");
  }
  await signIn(page, email, password);
  await expect(page.getByTestId("form-error")).toHaveText("Too many failed sign-ins. Wait a few minutes and try again.");
  await expect(page).toHaveURL(/\/login/);
  // Throttling is per email: the main admin can still sign in.
  await signInAsAdmin(page);
});

test("the theme toggle switches to dark and is remembered", async ({ page }) => {
  await signInAsAdmin(page);
  const html = page.locator("html");
  const before = await html.getAttribute("data-theme");
  const target = before === "dark" ? "light" : "dark";
  await page.getByRole("button", { name: `Switch to ${target} theme` }).click();
  await expect(html).toHaveAttribute("data-theme", target);
  await page.reload();
  await expect(html).toHaveAttribute("data-theme", target);
});
