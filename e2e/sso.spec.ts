import type { Server } from "node:http";
import type { Browser, Page } from "@playwright/test";
import { expect, test } from "./fixtures/test";
import { E2E } from "./fixtures/config";
import { openAdminPage, saveScreenshot, signInAsAdmin } from "./fixtures/helpers";

// Single sign-on through a real OpenID provider: oidc-provider (a maintained,
// certified implementation) on E2E.sso.port, with its development login form,
// which signs in any login name. The e2e server is configured for it
// (e2e/fixtures/config.ts); its email is released at the userinfo endpoint, not
// in the ID token, as OpenID Connect Core 5.4 has it for code flows.

let idp: Server;

test.beforeAll(async () => {
  const { default: Provider } = await import("oidc-provider");
  const provider = new Provider(E2E.sso.issuer, {
    clients: [
      {
        client_id: E2E.sso.clientId,
        client_secret: E2E.sso.clientSecret,
        redirect_uris: [`${E2E.baseUrl}/api/auth/callback/oidc`],
        grant_types: ["authorization_code"],
        response_types: ["code"],
      },
    ],
    claims: { openid: ["sub"], email: ["email", "email_verified"], profile: ["name"] },
    // The login name is the email; one starting with "unverified" is not vouched for.
    findAccount: async (_ctx: unknown, id: string) => ({
      accountId: id,
      claims: async () => ({ sub: `sub-${id}`, email: id, email_verified: !id.startsWith("unverified"), name: `Person ${id.split("@")[0]}` }),
    }),
    cookies: { keys: ["e2e-idp-cookie-key-0123456789abcdef"] },
  });
  idp = provider.listen(E2E.sso.port);
});

test.afterAll(async () => {
  await new Promise<void>((resolve) => (idp ? idp.close(() => resolve()) : resolve()));
});

/** Signs in through the provider in a fresh browser (no provider session), as `email`; returns the page where Enclave lands. */
async function ssoSignIn(browser: Browser, email: string): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  // The provider's development pages load a web font; nothing leaves this machine.
  await page.route(/fonts\.googleapis\.com/, (route) => route.abort());
  await page.goto("/login");
  await page.getByTestId("sso-sign-in").click();
  await expect(page).toHaveURL(new RegExp(`^${E2E.sso.issuer}/interaction/`));
  await page.locator('input[name="login"]').fill(email);
  await page.locator('input[name="password"]').fill("any password: the development form takes any");
  await page.getByRole("button", { name: "Sign-in" }).click();
  await page.getByRole("button", { name: "Continue" }).click();
  return page;
}

test("single sign-on through a real OpenID provider: an allowed domain joins as a viewer, others are refused with the reason", async ({ page, browser }) => {
  await page.goto("/login");
  await expect(page.getByTestId("sso-sign-in")).toHaveText(`Sign in with ${E2E.sso.name}`);
  await expect(page.getByLabel("Password")).toBeVisible(); // password sign-in stays on here
  await saveScreenshot(page, "sign-in");

  const email = `pat-${Date.now()}@${E2E.sso.domain}`;
  const pat = await ssoSignIn(browser, email);
  await expect(pat).toHaveURL(/\/admin$/);
  await expect(pat.getByTestId("signed-in-role")).toHaveText("Viewer");
  await expect(pat.getByText(email)).toBeVisible();
  // A viewer's part only, decided on the server.
  expect((await pat.request.get("/admin/audit/export")).status()).toBe(403);
  await pat.context().close();

  // The owner sees them on the team page, joined through single sign-on.
  await signInAsAdmin(page);
  await openAdminPage(page, "Team");
  const row = page.locator(`tr[data-teammate="${email}"]`);
  await expect(row.locator(".badge")).toHaveText("Viewer");
  await expect(row.getByTestId("teammate-sso")).toBeVisible();
  await saveScreenshot(page, "team");

  // Another domain (the owner's own, not in OIDC_ALLOWED_DOMAINS), a look-alike, and an unverified address: refused, with the reason.
  for (const [who, message] of [
    [E2E.adminEmail, "domain may not sign in"],
    [`pat@evil${E2E.sso.domain}`, "domain may not sign in"],
    [`unverified@${E2E.sso.domain}`, "did not share a verified email"],
  ] as const) {
    const refused = await ssoSignIn(browser, who);
    await expect(refused).toHaveURL(/\/login\?error=/);
    await expect(refused.getByTestId("form-error")).toContainText(message);
    // Not signed in: the admin console sends the browser to sign-in.
    const audit = await refused.request.get("/admin/audit/export", { maxRedirects: 0 });
    expect(audit.status(), "no session after a refused sign-in").toBeGreaterThanOrEqual(300);
    expect(audit.status()).not.toBe(403);
    await refused.goto("/admin");
    await expect(refused).toHaveURL(/\/login/);
    await refused.context().close();
  }
});

test("a teammate the owner removed cannot come back through single sign-on until invited again, then joins with the invite's role", async ({ page, browser }) => {
  const email = `sam-${Date.now()}@${E2E.sso.domain}`;
  await (await ssoSignIn(browser, email)).context().close();

  await signInAsAdmin(page);
  await openAdminPage(page, "Team");
  const row = page.locator(`tr[data-teammate="${email}"]`);
  await expect(row.locator(".badge")).toHaveText("Viewer");
  page.once("dialog", (dialog) => dialog.accept());
  await row.getByRole("button", { name: "Remove" }).click();
  await expect(row).toHaveCount(0);

  const back = await ssoSignIn(browser, email);
  await expect(back).toHaveURL(/\/login\?error=sso_removed/);
  await expect(back.getByTestId("form-error")).toContainText("An owner removed you");
  await back.context().close();

  await page.getByLabel("Email").fill(email);
  await page.getByRole("radio", { name: /Editor —/ }).check();
  await page.getByRole("button", { name: "Create invite link" }).click();
  await expect(page.locator(`tr[data-invite="${email}"]`)).toContainText("Editor");

  const invited = await ssoSignIn(browser, email);
  await expect(invited).toHaveURL(/\/admin$/);
  await expect(invited.getByTestId("signed-in-role")).toHaveText("Editor");
  await invited.context().close();
  await page.reload();
  await expect(page.locator(`tr[data-invite="${email}"]`)).toHaveCount(0);
  await expect(row.locator(".badge")).toHaveText("Editor");
});
