import type { Page } from "@playwright/test";
import { expect, test } from "./fixtures/test";
import { openAdminPage, saveScreenshot, signInAsAdmin } from "./fixtures/helpers";

// The designer in Chromium: build a dashboard from scratch, arrange it, reload
// and find it as left; a rejected custom SQL shows the guard's reason; a
// second admin's stale save is refused and nothing is lost.

async function saved(page: Page) {
  await expect(page.getByTestId("save-status")).toHaveAttribute("data-state", "saved", { timeout: 15_000 });
  await expect(page.getByTestId("save-status")).toHaveText(/All changes saved/);
}

async function addChart(page: Page, id: string) {
  await page.getByRole("button", { name: "Add chart" }).click();
  await expect(page.getByTestId(`designer-widget-${id}`)).toBeVisible();
}

test("build a dashboard with three chart types and a custom-SQL widget, arrange it, reload and find it as left", async ({ page }) => {
  await signInAsAdmin(page);
  await openAdminPage(page, "Dashboards");
  await page.getByPlaceholder("New dashboard name").fill("E2E designer");
  await page.getByRole("button", { name: "Create dashboard" }).click();
  await expect(page).toHaveURL(/\/admin\/dashboards\/dash_[0-9a-f]+$/);
  await expect(page.getByText("No widgets yet.")).toBeVisible();

  await addChart(page, "w1");
  // Titled from its spec, not by its id.
  await expect(page.getByTestId("designer-widget-w1").locator("h2")).toHaveText("⋮⋮ Events");
  await expect(page.getByTestId("selected-widget-title")).toContainText("Events");
  await page.getByLabel("Title", { exact: true }).fill("Total events");
  await expect(page.getByTestId("designer-widget-w1")).toContainText(/\d/); // live preview as the chosen tenant

  await addChart(page, "w2");
  await page.getByLabel("Title", { exact: true }).fill("Events per day");
  await page.getByLabel("Chart type").selectOption("line");
  await expect(page.getByTestId("designer-widget-w2").locator("svg.recharts-surface").first()).toBeVisible();

  await addChart(page, "w3");
  await page.getByLabel("Chart type").selectOption("bar");
  await page.getByLabel("Breakdown").fill("tenant_id");
  await expect(page.getByTestId("widget-editor").getByRole("alert")).toContainText("tenant column cannot be used");
  await page.getByLabel("Breakdown").fill("country");
  // A title no one wrote follows the spec.
  await expect(page.getByLabel("Title", { exact: true })).toHaveValue("Events by country");
  await page.getByLabel("Title", { exact: true }).fill("By country");
  await expect(page.getByTestId("designer-widget-w3").locator(".recharts-bar-rectangle").first()).toBeVisible();

  await page.getByRole("button", { name: "Add custom SQL" }).click();
  await expect(page.getByTestId("designer-widget-w4")).toBeInViewport();
  await expect(page.getByTestId("guard-verdict")).toHaveText("✓ Allowed");
  await page.getByLabel(/^SQL/).fill("SELECT tenant_id, count() FROM events GROUP BY tenant_id");
  await expect(page.getByTestId("guard-verdict")).toContainText("The tenant column may not be referenced");
  await page.getByLabel(/^SQL/).fill("SELECT count() FROM numbers(10)");
  await expect(page.getByTestId("guard-verdict")).toContainText("Table functions");
  await page.getByLabel(/^SQL/).fill("SELECT name, count() AS n FROM events GROUP BY name ORDER BY n DESC");
  await expect(page.getByTestId("guard-verdict")).toHaveText("✓ Allowed");
  await page.getByLabel("Title", { exact: true }).fill("Events by name (SQL)");
  await saveScreenshot(page, "designer");

  // Rearrange and resize: keyboard controls, and a real drag of a widget's handle.
  const w1 = page.getByTestId("designer-widget-w1");
  await w1.click();
  await page.getByRole("button", { name: "Make Total events wider" }).click();
  await page.getByRole("button", { name: "Make Total events taller" }).click();
  await expect(w1).toHaveAttribute("data-layout", "0,0,7,5");
  // The selected card's tools sit in a row of their own: they never cover its chart.
  const tools = (await w1.locator(".widget-tools").boundingBox())!;
  const body = (await w1.locator(".widget-body").boundingBox())!;
  expect(tools.y + tools.height).toBeLessThanOrEqual(body.y + 0.5);
  const w4 = page.getByTestId("designer-widget-w4");
  await saved(page); // let autosave and previews settle before a real drag
  await page.waitForTimeout(1000);
  const before = await w4.getAttribute("data-layout");
  const handle = w4.locator(".drag-handle");
  await handle.scrollIntoViewIfNeeded();
  const box = (await handle.boundingBox())!;
  await page.mouse.move(box.x + 8, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + 30, box.y - 40, { steps: 8 });
  // Where it will land looks like a drop target, not an error (react-grid-layout's own is red).
  const placeholder = await page.locator(".react-grid-placeholder").evaluate((el) => ({ background: getComputedStyle(el).backgroundColor, border: getComputedStyle(el).borderTopStyle }));
  expect(placeholder.background).not.toMatch(/^rgba?\(255, 0, 0/);
  expect(placeholder.border).toBe("dashed");
  await page.mouse.move(box.x + 30, Math.max(10, box.y - 400), { steps: 16 });
  await page.mouse.up();
  await expect(w4).not.toHaveAttribute("data-layout", before!);
  const moved = await w4.getAttribute("data-layout");
  expect(Number(moved!.split(",")[1])).toBeLessThan(Number(before!.split(",")[1]));
  await saved(page);

  const layouts = await Promise.all(["w1", "w2", "w3", "w4"].map((id) => page.getByTestId(`designer-widget-${id}`).getAttribute("data-layout")));
  expect(layouts[3]).toBe(moved);
  await page.reload();
  for (const [id, title] of [["w1", "Total events"], ["w2", "Events per day"], ["w3", "By country"], ["w4", "Events by name (SQL)"]]) {
    await expect(page.getByTestId(`designer-widget-${id}`)).toContainText(title);
  }
  expect(await Promise.all(["w1", "w2", "w3", "w4"].map((id) => page.getByTestId(`designer-widget-${id}`).getAttribute("data-layout")))).toEqual(layouts);
  await page.getByTestId("designer-widget-w2").click();
  await expect(page.getByLabel("Chart type")).toHaveValue("line");
  await page.getByTestId("designer-widget-w3").click();
  await expect(page.getByLabel("Breakdown")).toHaveValue("country");

  // Undo restores the last change.
  await page.getByLabel("Title", { exact: true }).fill("By country, renamed");
  await saved(page);
  await page.getByRole("button", { name: "Undo" }).click();
  await expect(page.getByTestId("designer-widget-w3")).toContainText("By country");
  await expect(page.getByTestId("designer-widget-w3")).not.toContainText("renamed");
  await saved(page);
});

test("a second admin's stale save is refused, and nothing is lost", async ({ browser }) => {
  const a = await browser.newPage();
  const b = await browser.newPage();
  await signInAsAdmin(a);
  await signInAsAdmin(b);
  await openAdminPage(a, "Dashboards");
  await a.getByPlaceholder("New dashboard name").fill("Shared draft");
  await a.getByRole("button", { name: "Create dashboard" }).click();
  await expect(a).toHaveURL(/dash_/);
  await addChart(a, "w1");
  await saved(a);
  await b.goto(a.url());
  await expect(b.getByTestId("designer-widget-w1")).toBeVisible();

  // A saves first.
  await a.getByTestId("designer-widget-w1").click();
  await a.getByLabel("Title", { exact: true }).fill("Title from A");
  await saved(a);
  // B's save is based on the revision it opened: refused, and B's text stays on screen.
  await b.getByTestId("designer-widget-w1").click();
  await b.getByLabel("Title", { exact: true }).fill("Title from B");
  await expect(b.getByTestId("save-status")).toHaveAttribute("data-state", "conflict", { timeout: 15_000 });
  await expect(b.getByTestId("save-status")).toContainText("saved this draft after you opened it");
  await expect(b.getByLabel("Title", { exact: true })).toHaveValue("Title from B");
  // The stored draft still has A's title.
  await a.reload();
  await expect(a.getByTestId("designer-widget-w1")).toContainText("Title from A");
  // B chooses to keep its version.
  await b.getByRole("button", { name: "Keep mine (overwrite)" }).click();
  await saved(b);
  await a.reload();
  await expect(a.getByTestId("designer-widget-w1")).toContainText("Title from B");
});

test("the dashboards list searches, duplicates and archives with versions kept", async ({ page }) => {
  await signInAsAdmin(page);
  await openAdminPage(page, "Dashboards");
  await page.getByLabel("Search dashboards").fill("Product");
  await page.getByRole("button", { name: "Search" }).click();
  const rows = page.getByTestId("dashboards-table").locator("tbody tr");
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText("Product analytics");
  await expect(rows.first()).toContainText("v1");
  await rows.first().getByRole("button", { name: "Duplicate" }).click();
  await expect(page.getByText("Product analytics (copy)")).toBeVisible();
  const copy = page.locator("tr", { hasText: "Product analytics (copy)" });
  await expect(copy).toContainText("draft only");
  page.once("dialog", (d) => d.accept());
  await copy.getByRole("button", { name: "Archive" }).click();
  await expect(page.getByText("Product analytics (copy)")).toHaveCount(0);
  await page.getByRole("link", { name: "Show archived" }).click();
  await expect(page.getByText("Product analytics (copy)")).toBeVisible();
});
