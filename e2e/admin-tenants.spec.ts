import { expect, test } from "./fixtures/test";
import { demoAnchor, demoEventsForTenant, demoTenants } from "../lib/analytics/demo-data";
import { formatDateTime } from "../lib/format";
import { E2E } from "./fixtures/config";
import { enclaveCli, openAdminPage, signInAsAdmin } from "./fixtures/helpers";

// The audit page (filters, CSV export) and the tenants page (counts from both
// stores, revoke-all). Specs share one server: this one revokes sessions of
// "umbrella" only, a demo tenant no other spec uses.

const TENANT = "umbrella";
const fmt = (n: number) => new Intl.NumberFormat("en").format(n);

test("an admin's action shows in the filtered audit log with its actor, and in the CSV export of that filter", async ({ page, request }) => {
  await signInAsAdmin(page);
  const name = `audit-probe-${Date.now()}`;
  await openAdminPage(page, "API keys");
  await page.getByLabel("Name", { exact: true }).fill(name);
  await page.getByRole("button", { name: "Create key" }).click();
  await expect(page.getByTestId("new-key-secret")).toBeVisible();

  await openAdminPage(page, "Audit log");
  await page.getByLabel("Action", { exact: true }).selectOption("api_key.create");
  await page.getByLabel("Actor", { exact: true }).fill(E2E.adminEmail);
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(page).toHaveURL(/\/admin\/audit\?.*action=api_key\.create/);
  const table = page.getByTestId("audit-table");
  const row = table.locator("tr", { hasText: name });
  await expect(row).toContainText(`admin:${E2E.adminEmail}`);
  await expect(row).toContainText("api_key.create");
  await expect(page.getByTestId("audit-count")).toContainText(/\d+ (entry matches|entries match) these filters/);
  expect(new Set(await table.locator("tbody tr td:nth-child(3)").allTextContents())).toEqual(new Set(["api_key.create"]));

  // The filtered view is a link: opened afresh it shows the same filter.
  await page.goto(page.url());
  await expect(page.getByLabel("Action", { exact: true })).toHaveValue("api_key.create");
  await expect(table.locator("tr", { hasText: name })).toBeVisible();

  const download = page.waitForEvent("download");
  await page.getByTestId("audit-export").click();
  expect((await download).suggestedFilename()).toMatch(/^enclave-audit-\d{8}-\d{6}\.csv$/);
  const csv = Buffer.concat(await (await (await download).createReadStream()).toArray()).toString("utf8");
  const lines = csv.trim().split("\r\n");
  expect(lines[0]).toBe("id,time_utc,actor,action,target,details");
  expect(lines.find((l) => l.includes(name))).toContain(`,admin:${E2E.adminEmail},api_key.create,`);
  expect(lines.slice(1).every((l) => l.includes(",api_key.create,"))).toBe(true);

  // A bad filter is a message on the page, not an error page; the export refuses it too.
  await page.goto("/admin/audit?from=2026-02-30");
  await expect(page.getByTestId("audit-filter-error")).toContainText("2026-02-30 is not a calendar date");
  const refused = await page.request.get("/admin/audit/export?from=2026-02-30");
  expect(refused.status()).toBe(400);
  // Signed out, the export is not served.
  const signedOut = await request.get("/admin/audit/export", { maxRedirects: 0 });
  expect(signedOut.status()).toBe(307);
  expect(signedOut.headers()["location"]).toContain("/login");
});

test("revoke-all on the tenants page ends the tenant's open embed on its next request", async ({ page, context, request }) => {
  const key = JSON.parse(enclaveCli(["keys", "create", "--name", "e2e-tenants", "--scopes", "embed", "--json"])).secret;
  const minted = await request.post("/v1/embed-sessions", { headers: { Authorization: `Bearer ${key}` }, data: { tenant_id: TENANT, dashboard_id: "dash_demo" } });
  expect(minted.status()).toBe(201);
  const embed = await context.newPage();
  await embed.goto((await minted.json()).embed_url);
  await expect(embed.getByTestId("kpi-signups")).toBeVisible();

  await signInAsAdmin(page);
  await openAdminPage(page, "Tenants");
  await expect(page.getByRole("navigation", { name: "Admin" }).getByRole("link")).toHaveText(["Overview", "Dashboards", "API keys", "Tenants", "AI", "Team", "Audit log"]);
  await page.getByLabel("Search tenants", { exact: true }).fill(TENANT);
  await page.getByRole("button", { name: "Search" }).click();
  await expect(page.getByTestId("tenants-table").locator("tbody tr")).toHaveCount(1);
  const row = page.locator(`tr[data-tenant="${TENANT}"]`);
  // Event numbers come from the analytics store; the demo data is deterministic.
  const events = [...demoEventsForTenant(demoTenants().find((t) => t.id === TENANT)!, E2E.demoEvents, demoAnchor())].map((e) => Date.parse(e.ts));
  await expect(row.getByTestId("tenant-events")).toHaveText(fmt(events.length));
  await expect(row).toContainText(formatDateTime(new Date(Math.max(...events))));
  await expect(row.getByTestId("tenant-active-sessions")).toHaveText("1");
  await expect(row.getByTestId("tenant-sessions-24h")).toHaveText("1");

  // The row's menu is a disclosure the keyboard opens and Escape closes.
  const menu = row.getByText("⋯");
  const revoke = row.getByRole("button", { name: "Revoke all sessions…" });
  await expect(revoke).toBeHidden();
  await menu.focus();
  await page.keyboard.press("Enter");
  await expect(revoke).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(revoke).toBeHidden();
  await expect(menu).toBeFocused();

  let asked = "";
  page.once("dialog", (dialog) => {
    asked = dialog.message();
    void dialog.accept();
  });
  await page.keyboard.press("Enter");
  await revoke.click();
  await expect(row.getByTestId("revoke-result")).toHaveText(`Revoked 1 session of ${TENANT}. Sessions minted from now on work.`);
  expect(asked).toContain(`Revoke every embed session of "${TENANT}"?`);
  await expect(row.getByTestId("tenant-active-sessions")).toHaveText("0");

  // The open embed learns on its next data request, without a reload.
  await embed.getByTestId("filter-period").selectOption("last_7_days");
  await expect(embed.getByTestId("embed-session-error")).toHaveAttribute("data-enclave-error", "session_revoked");
  await expect(embed.getByTestId("embed-session-error")).toContainText("revoked");
  await expect(embed.getByTestId("kpi-signups")).toHaveCount(0);
  await embed.reload();
  await expect(embed.locator("[data-enclave-error=session_revoked]")).toContainText("revoked");

  // And the revocation is in the tenant's audit log, linked from its row, under this admin.
  await row.getByRole("link", { name: `Audit log for ${TENANT}` }).click();
  await expect(page).toHaveURL(new RegExp(`/admin/audit\\?target=${TENANT}$`));
  await expect(page.getByLabel("Target", { exact: true })).toHaveValue(TENANT);
  const audit = page.getByTestId("audit-table").locator("tr", { hasText: "embed_session.revoke_tenant" }).first();
  await expect(audit).toContainText(`admin:${E2E.adminEmail}`);
  await expect(audit).toContainText("sessions_revoked: 1");
});

test("each tenant links to a preview of its live dashboard as that tenant", async ({ page }) => {
  await signInAsAdmin(page);
  await page.goto(`/admin/tenants?q=${TENANT}`);
  const preview = page.locator(`tr[data-tenant="${TENANT}"]`).getByRole("link", { name: `Preview as ${TENANT}` });
  await expect(preview).toHaveAttribute("href", new RegExp(`^/admin/dashboards/[\\w-]+/preview\\?tenant=${TENANT}&show=live$`));
  await preview.click();
  await expect(page.getByTestId("preview-banner")).toContainText(`Previewing as tenant ${TENANT} · showing live`);
});
