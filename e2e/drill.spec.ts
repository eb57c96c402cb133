import fs from "node:fs";
import { join } from "node:path";
import type { APIRequestContext, Page } from "@playwright/test";
import { expect, test } from "./fixtures/test";
import { enclaveCli } from "./fixtures/helpers";

// Drilling in Chromium: a click (or Enter) on a bar, slice, point or row
// filters the whole dashboard by that value, on the server; a breadcrumb
// steps back. And the page's one banner, with the action that helps.

let embedKey: string;
let adminKey: string;
const SIGNUPS = { kind: "chart", id: "signups", title: "Signups", chart: "kpi", metrics: [{ id: "event_count", event: "signup" }], time_range: { kind: "last_30_days" } };
const fmt = (n: number) => new Intl.NumberFormat("en", { maximumFractionDigits: 2 }).format(n);

test.beforeAll(() => {
  embedKey = JSON.parse(enclaveCli(["keys", "create", "--name", "e2e-drill", "--scopes", "embed", "--json"])).secret;
  adminKey = JSON.parse(enclaveCli(["keys", "create", "--name", "e2e-drill-admin", "--scopes", "admin", "--json"])).secret;
});

async function mint(request: APIRequestContext, permissions: object = {}) {
  const res = await request.post("/v1/embed-sessions", { headers: { Authorization: `Bearer ${embedKey}` }, data: { tenant_id: "acme", dashboard_id: "dash_demo", permissions } });
  expect(res.status()).toBe(201);
  return (await res.json()) as { embed_url: string; session_id: string };
}

/** acme's signups as the admin preview computes them, with the given dashboard filters. */
async function signups(request: APIRequestContext, filters?: object) {
  const res = await request.post("/v1/query/preview", { headers: { Authorization: `Bearer ${adminKey}` }, data: { tenant_id: "acme", spec: SIGNUPS, ...(filters ? { filters } : {}) } });
  return fmt(Number((await res.json()).rows[0].m0));
}

async function openEmbed(page: Page, url: string) {
  await page.goto(url);
  await expect(page.getByTestId("kpi-signups")).toHaveText(/\d/);
  await expect(page.locator("[data-enclave-root]")).toHaveAttribute("data-enclave-ready", "true");
}

test("clicking a bar filters the dashboard by its country, on the server; the breadcrumb steps back", async ({ page, request }) => {
  const { embed_url } = await mint(request);
  await openEmbed(page, embed_url);
  const whole = await signups(request);
  await expect(page.getByTestId("kpi-signups")).toHaveText(whole);

  const bar = page.locator('[data-testid="widget-signups-by-country"] .mark.bar').first();
  const country = (await bar.getAttribute("data-value"))!;
  await bar.click();
  const path = page.getByTestId("drill-path");
  await expect(path).toBeVisible();
  await expect(path).toContainText(`Country: ${country}`);
  await expect(page.getByTestId("filter-country")).toHaveValue(country);
  await expect(page.getByTestId("kpi-signups")).toHaveText(await signups(request, { filters: [{ field: "country", op: "equals", value: country }] }));
  // The README's picture of a drilled dashboard (UPDATE_SCREENSHOTS=1 rewrites it).
  if (process.env.UPDATE_SCREENSHOTS === "1") {
    await page.evaluate(() => window.scrollTo(0, 0));
    fs.writeFileSync(join(__dirname, "../public/screenshots/embed-drill.png"), await page.screenshot());
  }

  await path.getByRole("button", { name: "Back to Whole dashboard" }).click();
  await expect(path).toBeHidden();
  await expect(page.getByTestId("filter-country")).toHaveValue("");
  await expect(page.getByTestId("kpi-signups")).toHaveText(whole);
});

test("drilling by keyboard, twice, and stepping back one level", async ({ page, request }) => {
  const { embed_url } = await mint(request);
  await openEmbed(page, embed_url);
  const slice = page.locator('[data-testid="widget-devices"] .mark.slice').first();
  const device = (await slice.getAttribute("data-value"))!;
  await slice.focus();
  await page.keyboard.press("Enter");
  const path = page.getByTestId("drill-path");
  await expect(path).toContainText(`Device: ${device}`);
  await expect(page.getByTestId("kpi-signups")).toHaveText(await signups(request, { filters: [{ field: "device", op: "equals", value: device }] }));

  const row = page.locator('[data-testid="widget-top-pages"] tr[data-value]').first();
  const pagePath = (await row.getAttribute("data-value"))!;
  await row.click();
  await expect(path).toContainText(`Page: ${pagePath}`);
  await expect(path.locator("li")).toHaveCount(3);

  await path.getByRole("button", { name: `Back to Device: ${device}` }).click();
  await expect(path.locator("li")).toHaveCount(2);
  await expect(page.getByTestId("kpi-signups")).toHaveText(await signups(request, { filters: [{ field: "device", op: "equals", value: device }] }));
});

test("after another filter change the drilled value stays in sight as a removable chip", async ({ page, request }) => {
  const { embed_url } = await mint(request);
  await openEmbed(page, embed_url);
  const row = page.locator('[data-testid="widget-top-pages"] tr[data-value]').first();
  const pagePath = (await row.getAttribute("data-value"))!;
  await row.click();
  await expect(page.getByTestId("drill-path")).toContainText(`Page: ${pagePath}`);
  await page.getByTestId("filter-period").selectOption("last_7_days");
  await expect(page.getByTestId("drill-path")).toBeHidden();
  const chips = page.getByTestId("active-filters");
  await expect(chips).toContainText(`Page: ${pagePath}`);
  await expect(page.getByTestId("kpi-signups")).toHaveText(await signups(request, { time_range: { kind: "last_7_days" }, filters: [{ field: "page", op: "equals", value: pagePath }] }));
  await chips.getByRole("button", { name: `Remove the filter Page: ${pagePath}` }).click();
  await expect(chips).toHaveCount(0);
  await expect(page.getByTestId("kpi-signups")).toHaveText(await signups(request, { time_range: { kind: "last_7_days" } }));
});

test("clicking a day of the line chart narrows the period to that day", async ({ page, request }) => {
  const { embed_url } = await mint(request);
  await openEmbed(page, embed_url);
  const point = page.locator('[data-testid="widget-page-views"] .mark.hit').last();
  const bucket = (await point.getAttribute("data-value"))!;
  const day = bucket.slice(0, 10);
  await point.click({ force: true });
  await expect(page.getByTestId("drill-path")).toBeVisible();
  await expect(page.getByTestId("kpi-signups")).toHaveText(await signups(request, { time_range: { kind: "absolute", from: day, to: day } }));
});

test("a session without drill-down: clicking a bar changes nothing", async ({ page, request }) => {
  const { embed_url } = await mint(request, { allow_drill_down: false });
  await openEmbed(page, embed_url);
  const before = await page.getByTestId("kpi-signups").textContent();
  let renders = 0;
  page.on("request", (r) => void (r.url().includes("/api/embed/render") && renders++));
  await page.locator('[data-testid="widget-signups-by-country"] .mark.bar').first().click();
  await page.waitForTimeout(500);
  expect(renders).toBe(0);
  await expect(page.getByTestId("drill-path")).toBeHidden();
  await expect(page.getByTestId("kpi-signups")).toHaveText(before!);
});

test("a failed re-render shows one banner with Try again, which recovers", async ({ page, request }) => {
  const { embed_url } = await mint(request);
  await openEmbed(page, embed_url);
  const planFilter = page.getByTestId("filter-plan");
  await expect(planFilter.locator("option")).not.toHaveCount(1); // its values come from the server
  await page.route("**/api/embed/render", (route) => route.abort());
  await planFilter.selectOption({ index: 1 });
  const banner = page.locator(".embed-alerts [role=alert]");
  await expect(banner).toHaveCount(1);
  await expect(banner).toContainText("Could not reach the server");
  await page.unroute("**/api/embed/render");
  await banner.getByRole("button", { name: "Try again" }).click();
  const plan = await planFilter.inputValue();
  await expect(banner).toHaveCount(0);
  await expect(page.getByTestId("kpi-signups")).toHaveText(await signups(request, { filters: [{ field: "plan", op: "equals", value: plan }] }));
});

test("a session revoked while open: one banner that offers a reload, and no data left on screen", async ({ page, request }) => {
  const { embed_url, session_id } = await mint(request);
  await openEmbed(page, embed_url);
  const revoked = await request.delete(`/v1/embed-sessions/${session_id}`, { headers: { Authorization: `Bearer ${embedKey}` } });
  expect(revoked.ok()).toBe(true);
  // Revocation is seen within the session cache's 5 s.
  await page.waitForTimeout(5_500);
  await page.locator('[data-testid="widget-signups-by-country"] .mark.bar').first().click();
  const banner = page.getByTestId("embed-session-error");
  await expect(banner).toBeVisible();
  await expect(page.locator(".embed-alerts [role=alert]")).toHaveCount(1);
  await expect(page.getByTestId("kpi-signups")).toHaveCount(0);
  await banner.getByRole("button", { name: "Reload" }).click();
  await expect(page.locator("[data-enclave-error]")).toHaveAttribute("data-enclave-error", "session_revoked");
});
