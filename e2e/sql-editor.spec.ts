import { expect, test } from "./fixtures/test";
import { openAdminPage, saveScreenshot, signInAsAdmin } from "./fixtures/helpers";

// The custom-SQL editor in Chromium: CodeMirror completes the catalog's
// tables, columns and property keys; the guard's verdict is marked inline (the
// engine's position for a syntax error, the refused name otherwise) and the
// designer card of a refused query says why; Ctrl+Enter runs the preview now.

test("the SQL editor completes the catalog, marks the guard's verdict where it points, and runs the preview on Ctrl+Enter", async ({ page }) => {
  await signInAsAdmin(page);
  await openAdminPage(page, "Dashboards");
  await page.getByPlaceholder("New dashboard name").fill(`E2E SQL editor ${Date.now()}`);
  await page.getByRole("button", { name: "Create dashboard" }).click();
  await expect(page).toHaveURL(/\/admin\/dashboards\/dash_[0-9a-f]+$/);
  await page.getByRole("button", { name: "Add custom SQL" }).click();
  const editor = page.getByTestId("sql-editor");
  const verdict = page.getByTestId("guard-verdict");
  await expect(verdict).toHaveText("✓ Allowed");

  // Completion: a table, a column, a property key seen in the data.
  await editor.click();
  await page.keyboard.press("ControlOrMeta+a");
  await page.keyboard.type("SELECT count() AS n FROM ev");
  await page.keyboard.press("Control+Space");
  const options = page.locator(".cm-tooltip-autocomplete li");
  await expect(options.filter({ hasText: /^events/ })).toHaveCount(1);
  await options.filter({ hasText: /^events/ }).click();
  await expect(editor).toHaveText("SELECT count() AS n FROM events");
  await page.keyboard.press("ControlOrMeta+a");
  await page.keyboard.type("SELECT user_");
  await page.keyboard.press("Control+Space");
  await expect(options.filter({ hasText: /^user_id/ })).toHaveCount(1);
  await page.keyboard.press("Escape");
  await page.keyboard.type(" FROM events WHERE properties['");
  await page.keyboard.press("Control+Space");
  await expect(options.filter({ hasText: /^country/ })).toHaveCount(1);
  await expect(options.filter({ hasText: /^tenant_id/ })).toHaveCount(0); // never offered
  await page.keyboard.press("Escape");

  // A refused name is marked where it is, on its line.
  await page.getByLabel(/^SQL/).fill("SELECT name,\n  tenant_id\nFROM events");
  await expect(verdict).toContainText("The tenant column may not be referenced");
  await expect(page.locator(".cm-line").nth(1).locator(".cm-lintRange-error")).toHaveText("tenant_id");
  await expect(page.locator(".cm-line").nth(0).locator(".cm-lintRange-error")).toHaveCount(0);

  // A syntax error at the engine's position, in the admin's own text.
  await page.getByLabel(/^SQL/).fill("SELECT name,\n  count( AS n\nFROM events");
  await expect(verdict).toContainText("Syntax error at line 2, column 8");
  await expect(page.locator(".cm-line").nth(1).locator(".cm-lintRange-error")).toHaveText("(");
  await page.locator(".cm-line").nth(1).locator(".cm-lintRange-error").hover();
  await expect(page.locator(".cm-tooltip-lint")).toContainText("Syntax error at line 2, column 8");
  await saveScreenshot(page, "sql-editor");

  // The designer card of a query the guard refuses says why (not "could not be loaded").
  const widget = page.locator("[data-testid^='designer-widget-']").first();
  const id = (await widget.getAttribute("data-testid"))!.replace("designer-widget-", "");
  await page.getByLabel(/^SQL/).fill("SELECT count() AS n FROM system.tables");
  await expect(verdict).toContainText('The database "system" is not readable');
  await expect(page.getByTestId(`preview-error-${id}`)).toContainText('The SQL guard refused this query: The database "system" is not readable');

  // Ctrl+Enter runs the preview now: with the text unchanged, the only request it can cause is the preview's.
  await page.getByLabel(/^SQL/).fill("SELECT name, count() AS n FROM events GROUP BY name ORDER BY n DESC");
  await expect(verdict).toHaveText("✓ Allowed");
  await expect(widget.locator("table")).toBeVisible();
  await page.waitForTimeout(1_000); // the debounced previews have run
  const previewRequest = page.waitForRequest((r) => r.method() === "POST" && Boolean(r.headers()["next-action"]), { timeout: 5_000 });
  await editor.click();
  await page.keyboard.press("ControlOrMeta+Enter");
  await previewRequest;
  // Ctrl+Enter ran the preview, not the editor's own Mod-Enter (a blank line, which would also post a guard check).
  await expect(page.locator(".cm-line")).toHaveCount(1);
});
