import type { APIRequestContext } from "@playwright/test";
import { expect, test } from "./fixtures/test";
import { demoAnchor, demoEventsForTenant, demoTenants } from "../lib/analytics/demo-data";
import { E2E } from "./fixtures/config";
import { enclaveCli, openAdminPage, saveScreenshot, signInAsAdmin } from "./fixtures/helpers";

/** Signups in the last 30 days (UTC, today included) straight from the deterministic demo generator. */
function demoSignups(tenant: string): string {
  const anchor = demoAnchor();
  const from = anchor.getTime() - 29 * 86_400_000;
  const t = demoTenants().find((x) => x.id === tenant)!;
  const n = [...demoEventsForTenant(t, E2E.demoEvents, anchor)].filter((e) => e.name === "signup" && Date.parse(e.ts) >= from).length;
  return new Intl.NumberFormat("en").format(n);
}

// Preview as any tenant: the numbers match what the server's preview API gives
// for that tenant, the banner names the tenant and what is shown, and the
// effective SQL shows the tenant predicate and the engine filter.

const SIGNUPS = { kind: "chart", id: "signups", title: "Signups", chart: "kpi", metrics: [{ id: "event_count", event: "signup" }], time_range: { kind: "last_30_days" } };
const fmt = (n: number) => new Intl.NumberFormat("en", { maximumFractionDigits: 2 }).format(n);
let key: string;

test.beforeAll(() => {
  key = JSON.parse(enclaveCli(["keys", "create", "--name", "e2e-preview", "--scopes", "admin", "--json"])).secret;
});

async function expected(request: APIRequestContext, tenant: string, permissions?: object) {
  const res = await request.post("/v1/query/preview", { headers: { Authorization: `Bearer ${key}` }, data: { tenant_id: tenant, spec: SIGNUPS, ...(permissions ? { permissions } : {}) } });
  return fmt(Number((await res.json()).rows[0].m0));
}

test("preview the demo dashboard as acme and as globex, with the tenant named and the effective SQL shown", async ({ page, request }) => {
  await signInAsAdmin(page);
  for (const tenant of ["acme", "globex"]) {
    await page.goto(`/admin/dashboards/dash_demo/preview?tenant=${tenant}&show=live`);
    await expect(page.getByTestId("preview-banner")).toContainText(`Previewing as tenant ${tenant} · showing live (v1)`);
    await expect(page.getByTestId("kpi-signups")).toHaveText(await expected(request, tenant));
    // …and the same number from the demo data generator itself.
    await expect(page.getByTestId("kpi-signups")).toHaveText(demoSignups(tenant));
    const sql = page.getByTestId("sql-signups");
    await sql.locator("summary").click();
    await expect(sql).toContainText("tenant_id = {tenant:String}");
    await expect(sql).toContainText(`"tenant": "${tenant}"`);
    await expect(sql).toContainText("tenant_id = unhex(");
    await expect(sql).toContainText("rows read");
  }
});

test("the permissions panel previews exactly what a customer with those permissions gets, and previews are audited", async ({ page, request }) => {
  await signInAsAdmin(page);
  await page.goto("/admin/dashboards/dash_demo/preview?tenant=globex&show=draft&lock_dim=country&lock_values=US&hidden=revenue&compare=1");
  await expect(page.getByTestId("preview-banner").first()).toContainText("showing draft");
  await expect(page.getByTestId("preview-banner").nth(1)).toContainText("showing live (v1)");
  await expect(page.getByTestId("preview-locks").first()).toHaveText("Country: US");
  await expect(page.getByTestId("widget-revenue")).toHaveCount(0);
  await expect(page.getByTestId("locked-country").first()).toContainText("Country: US");
  await expect(page.getByTestId("kpi-signups").first()).toHaveText(await expected(request, "globex", { locked_filters: { country: ["US"] } }));
  await openAdminPage(page, "Audit log");
  await expect(page.getByTestId("audit-table").locator("tr", { hasText: "dashboard.preview" }).first()).toContainText("globex");
});

test("side by side, the widgets whose numbers differ between draft and live are named and outlined; a date bound that removes the comparison says so", async ({ page, request }) => {
  const auth = { Authorization: `Bearer ${key}` };
  const total = { kind: "chart", id: "total", title: "All events", chart: "kpi", metrics: [{ id: "event_count" }] };
  const created = await request.post("/v1/dashboards", { headers: auth, data: { name: `E2E differs ${Date.now()}`, definition: { widgets: [SIGNUPS, total] } } });
  expect(created.status()).toBe(201);
  const { id } = await created.json();
  expect((await request.post(`/v1/dashboards/${id}/publish`, { headers: auth, data: {} })).status()).toBeLessThan(300);
  // The draft reads a shorter period for signups only.
  const put = await request.put(`/v1/dashboards/${id}`, { headers: auth, data: { draft_version: 1, definition: { widgets: [{ ...SIGNUPS, time_range: { kind: "last_7_days" } }, total] } } });
  expect(put.status()).toBe(200);

  await signInAsAdmin(page);
  await page.goto(`/admin/dashboards/${id}/preview?tenant=globex&show=draft&compare=1`);
  await expect(page.getByTestId("preview-differs")).toHaveText("Numbers differ between draft and live (v1) in one widget (outlined): Signups.");
  const outline = (pane: number, widget: string) => page.locator(".preview-pane").nth(pane).locator(`.widget[data-widget="${widget}"]`).evaluate((el) => getComputedStyle(el).outlineStyle);
  expect(await outline(0, "signups")).toBe("solid");
  expect(await outline(1, "signups")).toBe("solid");
  expect(await outline(0, "total")).toBe("none");
  await saveScreenshot(page, "preview-compare");

  // With at most 20 days, the default 30 days and the 30 before do not fit: the preview says the comparison is gone.
  await page.goto(`/admin/dashboards/${id}/preview?tenant=globex&show=draft&max_days=20`);
  await expect(page.getByTestId("compare-removed-note")).toContainText("With at most 20 days, the default period (last 30 days) and the one before it do not fit together");
  await page.goto(`/admin/dashboards/${id}/preview?tenant=globex&show=draft&max_days=90`);
  await expect(page.getByTestId("compare-removed-note")).toHaveCount(0);
});
