import type { APIRequestContext } from "@playwright/test";
import { expect, test } from "./fixtures/test";
import { enclaveCli } from "./fixtures/helpers";

// Dates in the embed, in Chromium, for two tenants of the demo dashboard
// (time zone UTC): a custom range from the Period select redraws the chart
// over exactly those days; "compare to previous period" adds a dashed line
// whose values are the tenant's own for the days before (checked against the
// server's admin preview API); where twice the period exceeds the session's
// max_date_range_days the card says it is not compared.

let key: string;
const PAGE_VIEWS = { kind: "chart", id: "page-views", title: "Page views per day", chart: "line", metrics: [{ id: "event_count", event: "page_view" }], granularity: "day", time_range: { kind: "last_30_days" } };
const fmt = (n: number) => new Intl.NumberFormat("en", { maximumFractionDigits: 2 }).format(n);
const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);

test.beforeAll(() => {
  key = JSON.parse(enclaveCli(["keys", "create", "--name", "e2e-dates", "--scopes", "embed,admin", "--json"])).secret;
});

async function mint(request: APIRequestContext, tenant: string, permissions: object = {}) {
  const res = await request.post("/v1/embed-sessions", { headers: { Authorization: `Bearer ${key}` }, data: { tenant_id: tenant, dashboard_id: "dash_demo", permissions } });
  expect(res.status()).toBe(201);
  return (await res.json()) as { embed_url: string };
}

async function preview(request: APIRequestContext, tenant: string, body: object) {
  const res = await request.post("/v1/query/preview", { headers: { Authorization: `Bearer ${key}` }, data: { tenant_id: tenant, ...body } });
  expect(res.status()).toBe(200);
  return (await res.json()).rows as Record<string, unknown>[];
}

test("a custom range and compare to previous period redraw the chart with the tenant's own days", async ({ page, request }) => {
  const [from, to] = [day(-10), day(-1)];
  const before = { kind: "absolute", from: day(-20), to: day(-11) };
  for (const tenant of ["acme", "acme2"]) {
    await page.goto((await mint(request, tenant, { max_date_range_days: 30 })).embed_url);
    const chart = page.getByTestId("widget-page-views");
    await expect(page.getByTestId("filter-timezone")).toHaveText("Times in UTC");
    await expect(chart.locator(".hit")).toHaveCount(30);

    // Custom range: hidden until chosen; the inputs keep the span within 30 days and end today at the latest.
    await expect(page.getByTestId("custom-range")).toBeHidden();
    await page.getByTestId("filter-period").selectOption("custom");
    await expect(page.getByTestId("custom-range")).toBeVisible();
    await expect(page.getByTestId("range-to")).toHaveAttribute("max", day(0));
    await page.getByTestId("range-from").fill(from);
    await page.getByTestId("range-to").fill(to);
    await expect(page.getByTestId("range-from")).toHaveAttribute("min", day(-30));
    await page.getByTestId("range-apply").click();
    await expect(chart.locator(".hit")).toHaveCount(10);
    await expect(chart.locator(".hit").first()).toHaveAttribute("data-value", `${from} 00:00:00`);

    // Compare: a dashed line per metric, named in the legend; the tooltip holds the period before's own values.
    await expect(chart.getByTestId("previous-period")).toHaveCount(0);
    await page.getByTestId("filter-compare").check();
    await expect(chart.getByTestId("previous-period")).toHaveCount(1);
    await expect(chart.locator(".chart-legend")).toContainText("Events (page_view) (previous period)");
    const expected = await preview(request, tenant, { spec: PAGE_VIEWS, filters: { time_range: before }, timezone: "UTC" });
    const tips = await chart.locator(".hit").evaluateAll((hits) => hits.map((h) => h.getAttribute("data-tip") ?? ""));
    expect(tips).toHaveLength(10);
    tips.forEach((tip, i) => expect(tip).toMatch(new RegExp(`\\(previous period, [^)]*\\): ${fmt(Number(expected[i].m0)).replace(/[.,]/g, "\\$&")}$`)));

    // The bar shows the state it sent: the custom range and the toggle.
    await expect(page.getByTestId("filter-period")).toHaveValue("custom");
    await expect(page.getByTestId("range-from")).toHaveValue(from);
    await expect(page.getByTestId("filter-compare")).toBeChecked();
  }
});

test("compare is dropped, and the card says so, where twice the period exceeds the session's bound", async ({ page, request }) => {
  await page.goto((await mint(request, "globex", { max_date_range_days: 30 })).embed_url);
  const chart = page.getByTestId("widget-page-views");
  await page.getByTestId("filter-compare").check();
  await expect(chart.getByTestId("compare-note")).toContainText("Not compared with the previous period");
  await expect(chart.getByTestId("previous-period")).toHaveCount(0);
  // Seven days fit twice in 30: compared.
  await page.getByTestId("filter-period").selectOption("last_7_days");
  await expect(chart.getByTestId("previous-period")).toHaveCount(1);
  await expect(chart.getByTestId("compare-note")).toHaveCount(0);
});
