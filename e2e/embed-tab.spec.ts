import { expect, test } from "./fixtures/test";
import { E2E } from "./fixtures/config";
import { enclaveCli, signInAsAdmin } from "./fixtures/helpers";

// The embed tab: allowed origins editor, a real test session in an iframe, and snippets.

const SIGNUPS = { kind: "chart", id: "signups", title: "Signups", chart: "kpi", metrics: [{ id: "event_count", event: "signup" }], time_range: { kind: "last_30_days" } };

test("edit allowed origins, mint a test session for a tenant and see its own numbers framed in the admin", async ({ page, request }) => {
  const key = JSON.parse(enclaveCli(["keys", "create", "--name", "e2e-embed-tab", "--scopes", "admin", "--json"])).secret;
  await signInAsAdmin(page);
  await page.goto("/admin/dashboards/dash_demo/embed");
  const origins = page.getByLabel("Origins", { exact: true });
  await expect(origins).toHaveValue(new RegExp(E2E.baseUrl));
  const current = await origins.inputValue();

  await origins.fill(`${current}\nftp://nope.example`);
  await page.getByRole("button", { name: "Save origins" }).click();
  await expect(page.getByTestId("origins-error")).toContainText("is not an origin");
  await origins.fill(`${current}\nhttps://app.example.com`);
  await page.getByRole("button", { name: "Save origins" }).click();
  await expect(page.getByTestId("origins-saved")).toHaveText(/Saved \d+ origins/);
  await page.reload();
  await expect(page.getByLabel("Origins", { exact: true })).toHaveValue(/https:\/\/app\.example\.com/);

  await page.getByTestId("mint-tenant").fill("globex");
  await page.getByRole("button", { name: "Mint and open" }).click();
  const frame = page.frameLocator("[data-testid=embed-test-frame]");
  const res = await request.post("/v1/query/preview", { headers: { Authorization: `Bearer ${key}` }, data: { tenant_id: "globex", spec: SIGNUPS } });
  const expected = new Intl.NumberFormat("en", { maximumFractionDigits: 2 }).format(Number((await res.json()).rows[0].m0));
  await expect(frame.getByTestId("kpi-signups")).toHaveText(expected);
  await expect(page.getByText(`"dashboard_id":"dash_demo"`).first()).toBeVisible();

  // Leave the shared demo dashboard as it was for the other specs.
  await page.getByLabel("Origins", { exact: true }).fill(current);
  await page.getByRole("button", { name: "Save origins" }).click();
  await expect(page.getByTestId("origins-saved")).toBeVisible();
});

test("the test minter offers every session permission, and a refused form mints nothing", async ({ page }) => {
  await signInAsAdmin(page);
  await page.goto("/admin/dashboards/dash_demo/embed");
  const minter = page.getByRole("form", { name: "Try it: mint a test session" });
  await minter.getByTestId("mint-tenant").fill("globex");

  // A lock without values passes the browser's checks; the session schema refuses it.
  await minter.getByLabel("Lock").selectOption("country");
  await minter.getByRole("button", { name: "Mint and open" }).click();
  await expect(minter.getByTestId("mint-error")).toHaveText("Lock: a locked filter needs at least one value. Nothing was minted.");
  await expect(minter.getByTestId("embed-test-frame")).toHaveCount(0);

  await minter.getByTestId("mint-tenant").fill("globex");
  await minter.getByLabel("User id").fill("user-42");
  await minter.getByLabel("Max date range (days)").fill("31");
  await minter.getByLabel("AI questions").check();
  await minter.getByLabel("drill-down").uncheck();
  await minter.getByRole("group", { name: "Hidden widgets" }).getByLabel("Revenue").check();
  await minter.getByTestId("mint-locale").fill("de");
  await minter.getByRole("button", { name: "Mint and open" }).click();

  const frame = page.frameLocator("[data-testid=embed-test-frame]");
  await expect(frame.getByTestId("widget-signups")).toBeVisible();
  await expect(frame.getByTestId("widget-revenue")).toHaveCount(0);
  await expect(frame.getByTestId("ask-box")).toBeVisible();
  await expect(frame.getByTestId("drill-signups-by-country")).toHaveCount(0);
  await expect(frame.locator("html")).toHaveAttribute("lang", "de");
  await expect(minter.getByTestId("mint-error")).toHaveCount(0);
});

test("integration snippets are numbered steps, and each copy button copies its snippet exactly", async ({ page, context }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await signInAsAdmin(page);
  await page.goto("/admin/dashboards/dash_demo/embed");
  const steps = page.locator("ol.snippet-steps > li");
  await expect(steps.locator("h3")).toHaveText(["Your backend mints a session for the signed-in customer", "Your page mounts the embed with it"]);
  const snippets = page.getByTestId("snippet");
  await expect(snippets).toHaveCount(4);
  for (const [i, name] of ["curl", "Node", "HTML", "React"].entries()) {
    const button = snippets.nth(i).getByRole("button");
    await expect(button).toHaveAccessibleName(`Copy the ${name} snippet`);
    await button.click();
    await expect(button).toHaveAccessibleName(`Copied the ${name} snippet`);
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(await snippets.nth(i).locator("pre").textContent());
  }
  expect(await page.evaluate(() => navigator.clipboard.readText())).toContain("<EnclaveEmbed");

  // The overview's Get started steps copy their commands the same way.
  await page.goto("/admin");
  await page.getByRole("button", { name: "Copy the events command" }).click();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toMatch(/^curl -X POST http:\/\/localhost:\d+\/v1\/events -H "Authorization: Bearer enc_…" -d '\[\{"tenant_id":"acme","name":"signup"\}\]'$/);
});
