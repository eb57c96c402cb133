import type { Page } from "@playwright/test";
import { expect, test } from "./fixtures/test";
import { enclaveCli, saveScreenshot, signInAsAdmin } from "./fixtures/helpers";

// Publish immutable versions, see them in the embed, compare, roll back.

async function saved(page: Page) {
  await expect(page.getByTestId("save-status")).toHaveAttribute("data-state", "saved", { timeout: 15_000 });
}

test("publish v2 from the designer, see it in the embed, diff names the change, roll back to v1", async ({ page, request }) => {
  const key = JSON.parse(enclaveCli(["keys", "create", "--name", "e2e-versions", "--scopes", "embed", "--json"])).secret;
  const embedUrl = async () => {
    const res = await request.post("/v1/embed-sessions", { headers: { Authorization: `Bearer ${key}` }, data: { tenant_id: "acme", dashboard_id: "dash_demo" } });
    return (await res.json()).embed_url as string;
  };

  await signInAsAdmin(page);
  await page.goto("/admin/dashboards/dash_demo");
  await page.getByTestId("designer-widget-devices").locator("h2").click();
  await page.getByLabel("Title", { exact: true }).fill("Events by device type");
  await saved(page);
  await page.getByRole("link", { name: "Versions & publish" }).click();
  await expect(page.getByTestId("changes-since-live").locator('li[data-widget="devices"]')).toContainText('Title: "Events by device" → "Events by device type"');
  await page.getByLabel("Note").fill("rename the device widget");
  await page.getByRole("button", { name: "Publish" }).click();
  await expect(page.getByTestId("publish-ok")).toHaveText("Version 2 is live.");
  await expect(page.locator("tr[data-version='2']")).toContainText("live");
  await expect(page.getByTestId("version-diff").locator('li[data-widget="devices"]')).toContainText('Title: "Events by device" → "Events by device type"');
  await expect(page.getByTestId("changes-since-live")).toContainText("The draft is the same as v2");
  await page.getByTestId("version-diff").scrollIntoViewIfNeeded();
  await saveScreenshot(page, "versions");

  const embed = await page.context().newPage();
  await embed.goto(await embedUrl());
  await expect(embed.getByTestId("widget-devices")).toContainText("Events by device type");

  page.once("dialog", (d) => d.accept());
  await page.getByRole("button", { name: "Roll back to v1" }).click();
  await expect(page.getByTestId("rollback-ok")).toContainText("v1 is live again");
  await expect(page.locator("tr[data-version='1']")).toContainText("live");
  // The draft still holds the rename: publishing again would change the title back.
  await expect(page.getByTestId("changes-since-live").locator('li[data-widget="devices"]')).toContainText('Title: "Events by device" → "Events by device type"');
  await embed.goto(await embedUrl());
  await expect(embed.getByTestId("widget-devices")).toContainText("Events by device");
  await expect(embed.getByTestId("widget-devices")).not.toContainText("device type");
});

test("publish refuses a custom SQL the guard rejects, naming the widget and the reason", async ({ page }) => {
  await signInAsAdmin(page);
  await page.goto("/admin/dashboards/dash_demo");
  await page.getByRole("button", { name: "Add custom SQL" }).click();
  await page.getByLabel("Title", { exact: true }).fill("Leaky");
  await page.getByLabel(/^SQL/).fill("SELECT count() FROM system.tables");
  await expect(page.getByTestId("guard-verdict")).toContainText("not readable");
  await saved(page);
  await page.getByRole("link", { name: "Versions & publish" }).click();
  await page.getByRole("button", { name: "Publish" }).click();
  await expect(page.getByTestId("publish-error")).toContainText('Widget "Leaky"');
  await expect(page.getByTestId("publish-error")).toContainText("the SQL was rejected");
  await expect(page.locator("tr[data-version='3']")).toHaveCount(0);
});

test("export a version as JSON and import it as a new draft; a bad file is explained and creates nothing", async ({ page }, testInfo) => {
  await signInAsAdmin(page);
  await page.goto("/admin/dashboards/dash_demo/versions");
  const download = page.waitForEvent("download");
  await page.locator("tr[data-version='1']").getByRole("link", { name: "Export JSON" }).click();
  const file = await download;
  expect(file.suggestedFilename()).toBe("product-analytics-v1.enclave.json");
  const exported = testInfo.outputPath("v1.json");
  await file.saveAs(exported);

  await page.goto("/admin/dashboards");
  const rowsBefore = await page.getByTestId("dashboards-table").locator("tbody tr").count();
  await page.getByLabel("Import JSON", { exact: true }).setInputFiles({ name: "notes.json", mimeType: "application/json", buffer: Buffer.from('{"widgets": []}') });
  await page.getByRole("button", { name: "Import", exact: true }).click();
  await expect(page.getByTestId("import-error")).toContainText('notes.json: This is not an Enclave dashboard export: it needs "format": "enclave.dashboard"');
  await page.goto("/admin/dashboards");
  await expect(page.getByTestId("dashboards-table").locator("tbody tr")).toHaveCount(rowsBefore);

  await page.getByLabel("Import JSON", { exact: true }).setInputFiles(exported);
  await page.getByRole("button", { name: "Import", exact: true }).click();
  await expect(page).toHaveURL(/\/admin\/dashboards\/dash_[0-9a-f]{12}$/);
  // v1 of the demo has the six demo widgets, with the device widget's original title.
  await expect(page.locator("[data-testid^='designer-widget-']")).toHaveCount(6);
  await expect(page.getByTestId("designer-widget-devices")).toContainText("Events by device");
  await expect(page.getByTestId("designer-widget-devices")).not.toContainText("device type");
});

test("the live version's rollup is built in the background, and the preview says which widgets it answered", async ({ page }) => {
  await signInAsAdmin(page);
  await page.goto("/admin/dashboards/dash_demo/versions");
  const card = page.getByTestId("rollup-card");
  await expect(card).toContainText("day × country");
  // The page refreshes itself while the rollup builds.
  await expect(page.getByTestId("rollup-state")).toContainText("ready", { timeout: 90_000 });
  await expect(page.getByTestId("rollup-state")).toContainText(/rows, .* on disk/);
  await page.goto("/admin/dashboards/dash_demo/preview?tenant=acme&show=live");
  // A rollup's readiness is read at most every two seconds.
  await expect(async () => {
    await page.reload();
    await expect(page.getByTestId("sql-signups").getByTestId("answered-from")).toHaveText("from the rollup", { timeout: 1_000 });
  }).toPass({ timeout: 20_000 });
  await page.getByTestId("sql-top-pages").locator("summary").click();
  await expect(page.getByTestId("sql-top-pages")).toContainText("FROM enclave.rollup_");
  await expect(page.getByTestId("sql-top-pages")).toContainText("tenant_id = unhex(");
});
