import type { APIRequestContext } from "@playwright/test";
import { expect, test } from "./fixtures/test";
import { enclaveCli } from "./fixtures/helpers";

// The viewer's locale, a claim of the session: a German session of the demo
// dashboard shows German words, German numbers and German dates in Chromium
// — the same values as an English session of the same tenant, written the
// German way — for two tenants. A locale the server cannot format in is
// refused at mint.

let key: string;

test.beforeAll(() => {
  key = JSON.parse(enclaveCli(["keys", "create", "--name", "e2e-locale", "--scopes", "embed", "--json"])).secret;
});

async function mint(request: APIRequestContext, tenant: string, locale?: string) {
  const res = await request.post("/v1/embed-sessions", { headers: { Authorization: `Bearer ${key}` }, data: { tenant_id: tenant, dashboard_id: "dash_demo", ...(locale ? { locale } : {}) } });
  return { status: res.status(), body: await res.json() };
}

/** "12,345.6" (en) written as German does: "12.345,6". */
const asGerman = (en: string) => en.replace(/[,.]/g, (c) => (c === "," ? "." : ","));

test("a German session reads in German: words, numbers, dates and <html lang>", async ({ page, request }) => {
  for (const tenant of ["acme", "globex"]) {
    const en = await mint(request, tenant);
    expect(en.status).toBe(201);
    await page.goto(en.body.embed_url);
    const enRevenue = (await page.getByTestId("kpi-revenue").textContent())!.trim();
    expect(enRevenue).toMatch(/^\d{1,3}(,\d{3})*(\.\d{1,2})?$/);

    const de = await mint(request, tenant, "de");
    expect(de.status).toBe(201);
    await page.goto(de.body.embed_url);
    await expect(page.locator("html")).toHaveAttribute("lang", "de");
    await expect(page.getByTestId("embed-dashboard").getByText("Zeitraum", { exact: true }).first()).toBeVisible();
    await expect(page.getByTestId("filter-country").locator("option").first()).toHaveText("Alle");
    await expect(page.getByTestId("kpi-revenue")).toHaveText(asGerman(enRevenue));
    // A day's tooltip in German ("3. Apr. 2026 — …"), the line chart's text alternative too.
    const tip = await page.getByTestId("widget-page-views").locator(".hit").first().getAttribute("data-tip");
    expect(tip).toMatch(/^\d{1,2}\. \S+ \d{4} — /);
    await expect(page.getByTestId("widget-page-views").locator('[role="img"]')).toHaveAttribute("aria-label", /Liniendiagramm/);
  }
});

test("a locale the server cannot format in is refused at mint", async ({ request }) => {
  for (const locale of ["not a locale", "de_DE"]) {
    const res = await mint(request, "acme", locale);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("validation_failed");
    expect(res.body.error.message).toContain("locale");
  }
});
