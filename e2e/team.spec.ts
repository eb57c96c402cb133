import { expect, test } from "./fixtures/test";
import { openAdminPage, signIn, signInAsAdmin } from "./fixtures/helpers";

// A team: the owner invites a viewer by link; the viewer joins, signs in for
// real, sees only what a viewer may open, and is refused on the server (a
// route, and a server action posted with an action id taken from the owner's
// page); a promotion and a removal apply on the viewer's next request.

test("an invited viewer joins, sees and may do only a viewer's part; promotion and removal apply at once", async ({ page, browser }) => {
  const email = `viewer-${Date.now()}@e2e.test`;
  const password = "viewer-password-1234";
  await signInAsAdmin(page);
  await openAdminPage(page, "Team");
  await page.getByLabel("Email").fill(email);
  await page.getByRole("radio", { name: /Viewer —/ }).check();
  await page.getByRole("button", { name: "Create invite link" }).click();
  const url = (await page.getByTestId("invite-url").textContent())!.trim();
  expect(url).toMatch(/\/invite\/[A-Za-z0-9_-]{43}$/);
  await expect(page.locator(`tr[data-invite="${email}"]`)).toContainText("Viewer");

  // The owner's page holds the id of a server action only editors may run (duplicate a dashboard).
  await page.goto("/admin/dashboards");
  const firstRow = page.locator("tr[data-dashboard]").first();
  const dashboardId = (await firstRow.getAttribute("data-dashboard"))!;
  const actionField = (await firstRow.locator('form input[name^="$ACTION_ID_"]').first().getAttribute("name"))!;
  expect(actionField).toMatch(/^\$ACTION_ID_/);
  const dashboards = async () => page.locator("tr[data-dashboard]").count();
  const before = await dashboards();

  const viewerContext = await browser.newContext();
  const viewer = await viewerContext.newPage();
  await viewer.goto(new URL(url).pathname);
  await expect(viewer.getByText(`You were invited as ${email}`)).toBeVisible();
  await viewer.getByLabel("Your name").fill("Vera Viewer");
  await viewer.getByLabel("Password").fill(password);
  await viewer.getByRole("button", { name: "Join" }).click();
  await expect(viewer.getByTestId("invite-joined")).toContainText(email);
  await viewer.goto(new URL(url).pathname); // used up
  await expect(viewer.getByTestId("invite-gone")).toContainText("used already");

  await signIn(viewer, email, password);
  await expect(viewer).toHaveURL(/\/admin$/);
  await expect(viewer.getByTestId("signed-in-role")).toHaveText("Viewer");
  const nav = viewer.getByRole("navigation", { name: "Admin" });
  await expect(nav.getByRole("link")).toHaveText(["Overview", "Dashboards"]);
  await viewer.goto("/admin/keys");
  await expect(viewer).toHaveURL(/\/admin\?denied=/);
  await expect(viewer.getByTestId("role-denied")).toContainText("needs the owner role or above; you are a viewer");
  await viewer.goto("/admin/dashboards");
  await expect(viewer.getByRole("button", { name: "Create dashboard" })).toHaveCount(0);
  await expect(viewer.locator("tr[data-dashboard] form")).toHaveCount(0);

  // Refused on the server, not only hidden: an owner-only route, and the editor-only action posted by hand.
  const audit = await viewer.request.get("/admin/audit/export");
  expect(audit.status()).toBe(403);
  expect(await audit.json()).toMatchObject({ error: { code: "forbidden" } });
  const postAction = (as: typeof page) => as.request.post("/admin/dashboards", { multipart: { [actionField]: "", id: dashboardId }, headers: { origin: new URL(page.url()).origin } });
  // Control: the owner's same post duplicates the dashboard, so the viewer's refusal below is the role's.
  expect((await postAction(page)).status()).toBeLessThan(400);
  await page.reload();
  expect(await dashboards()).toBe(before + 1);
  expect((await postAction(viewer)).status()).toBeGreaterThanOrEqual(400);
  await page.reload();
  expect(await dashboards()).toBe(before + 1);

  // The owner promotes the viewer: their next request may create dashboards.
  await page.goto("/admin/team");
  const row = page.locator(`tr[data-teammate="${email}"]`);
  await row.getByTestId("teammate-role").selectOption("editor");
  await row.getByRole("button", { name: "Change role" }).click();
  await expect(row.getByTestId("teammate-answer")).toContainText("Role changed");
  await viewer.reload();
  await expect(viewer.getByRole("button", { name: "Create dashboard" })).toBeVisible();

  // The owner removes them: their next request goes to sign-in.
  page.once("dialog", (dialog) => dialog.accept());
  await row.getByRole("button", { name: "Remove" }).click();
  await expect(page.locator(`tr[data-teammate="${email}"]`)).toHaveCount(0);
  await viewer.goto("/admin/dashboards");
  await expect(viewer).toHaveURL(/\/login/);
  await viewerContext.close();
});

test("the last owner cannot demote or remove themselves", async ({ page }) => {
  await signInAsAdmin(page);
  await openAdminPage(page, "Team");
  const me = page.locator("tr[data-teammate]").filter({ hasText: "(you)" });
  await expect(me).toHaveCount(1);
  // Other specs create owners (the CLI's default): they become editors, so this one is the last owner.
  const others = page.locator("tr[data-teammate]").filter({ hasNotText: "(you)" }).filter({ has: page.locator(".badge", { hasText: "Owner" }) });
  while ((await others.count()) > 0) {
    const other = page.locator(`tr[data-teammate="${await others.first().getAttribute("data-teammate")}"]`);
    await other.getByTestId("teammate-role").selectOption("editor");
    await other.getByRole("button", { name: "Change role" }).click();
    await expect(other.getByTestId("teammate-answer")).toContainText("Role changed");
    await page.reload();
    await expect(me).toHaveCount(1);
  }
  await me.getByTestId("teammate-role").selectOption("viewer");
  await me.getByRole("button", { name: "Change role" }).click();
  await expect(me.getByTestId("teammate-answer")).toContainText("at least one owner");
  page.once("dialog", (dialog) => dialog.accept());
  await me.getByRole("button", { name: "Remove" }).click();
  await expect(me.getByTestId("teammate-answer")).toContainText("at least one owner");
  await page.reload();
  await expect(page.getByTestId("signed-in-role")).toHaveText("Owner");
});
