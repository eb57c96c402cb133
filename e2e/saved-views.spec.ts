import type { APIRequestContext, Page } from "@playwright/test";
import { expect, test } from "./fixtures/test";
import { enclaveCli } from "./fixtures/helpers";

// Saved views in Chromium, with two tenants. Tenant A saves a filtered view
// and opens it again after a reload; tenant B's embed never lists it, and B's
// own data token gets 404 for A's real view id. Expected numbers come from the
// admin preview API. Nothing here publishes, rolls back or revokes.

let key: string;
const SIGNUPS = { kind: "chart", id: "signups", title: "Signups", chart: "kpi", metrics: [{ id: "event_count", event: "signup" }], time_range: { kind: "last_30_days" } };
const fmt = (n: number) => new Intl.NumberFormat("en", { maximumFractionDigits: 2 }).format(n);

test.beforeAll(() => {
  key = JSON.parse(enclaveCli(["keys", "create", "--name", "e2e-saved-views", "--scopes", "embed,admin", "--json"])).secret;
});

async function mint(request: APIRequestContext, tenant: string, extra: object = {}) {
  const res = await request.post("/v1/embed-sessions", { headers: { Authorization: `Bearer ${key}` }, data: { tenant_id: tenant, dashboard_id: "dash_demo", ...extra } });
  expect(res.status()).toBe(201);
  return (await res.json()) as { embed_url: string };
}

async function signupsFor(request: APIRequestContext, tenant: string, filters?: object) {
  const res = await request.post("/v1/query/preview", { headers: { Authorization: `Bearer ${key}` }, data: { tenant_id: tenant, spec: SIGNUPS, ...(filters ? { filters } : {}) } });
  expect(res.status()).toBe(200);
  return fmt(Number((await res.json()).rows[0].m0));
}

/** Opens an embed, waits for its list of views, and returns the data token that request carried (it lives only in the page's memory). */
async function openEmbed(page: Page, url: string): Promise<string> {
  const listed = page.waitForResponse((r) => new URL(r.url()).pathname === "/api/embed/views" && r.request().method() === "GET");
  await page.goto(url);
  await expect(page.getByTestId("kpi-signups")).toBeVisible();
  const response = await listed;
  expect(response.status()).toBe(200);
  return (await response.request().allHeaders()).authorization;
}

test("acme saves a filtered view and reopens it after a reload; acme2 never sees it and gets 404 for its id", async ({ page, request }) => {
  const a = await mint(request, "acme", { user_id: "e2e-ana" });
  await openEmbed(page, a.embed_url);
  const country = page.getByTestId("filter-country");
  await expect(country.locator("option").nth(1)).toBeAttached();
  const value = (await country.locator("option").nth(1).getAttribute("value"))!;
  await country.selectOption(value);
  const filtered = await signupsFor(request, "acme", { filters: [{ field: "country", op: "equals", value }] });
  await expect(page.getByTestId("kpi-signups")).toHaveText(filtered);

  const name = `Only ${value}`;
  await page.getByTestId("views-toggle").click();
  await page.getByLabel("View name").fill(name);
  const created = page.waitForResponse((r) => new URL(r.url()).pathname === "/api/embed/views" && r.request().method() === "POST");
  await page.getByTestId("view-save").click();
  const viewId = ((await (await created).json()) as { view: { id: string } }).view.id;
  await expect(page.getByTestId("views-status")).toHaveText(`Saved “${name}”.`);

  // A reload starts from the dashboard's defaults; opening the view restores the filter.
  await page.reload();
  await expect(page.getByTestId("kpi-signups")).toHaveText(await signupsFor(request, "acme"));
  await expect(country).toHaveValue("");
  await page.getByTestId("views-toggle").click();
  await page.getByRole("button", { name: `Open view ${name}` }).click();
  await expect(country).toHaveValue(value);
  await expect(page.getByTestId("kpi-signups")).toHaveText(filtered);
  await expect(page.getByTestId("view-opened")).toContainText(`Showing “${name}”.`);

  // acme2, with the same user id: the list does not hold acme's view, and its id is a 404 for every method.
  const b = await mint(request, "acme2", { user_id: "e2e-ana" });
  const bToken = await openEmbed(page, b.embed_url);
  await page.getByTestId("views-toggle").click();
  await expect(page.getByTestId("views-panel")).toBeVisible();
  await expect(page.locator(`[data-view-id="${viewId}"]`)).toHaveCount(0);
  await expect(page.getByRole("button", { name: `Open view ${name}` })).toHaveCount(0);
  for (const [method, data] of [["GET"], ["PATCH", { name: "taken" }], ["DELETE"]] as const) {
    const res = await request.fetch(`/api/embed/views/${viewId}`, { method, headers: { Authorization: bToken }, data });
    expect([method, res.status(), (await res.json()).error.code]).toEqual([method, 404, "not_found"]);
  }
  const bList = await (await request.get("/api/embed/views", { headers: { Authorization: bToken } })).json();
  expect(bList.views.map((v: { id: string }) => v.id)).not.toContain(viewId);

  // acme still has it, unchanged.
  const aToken = await openEmbed(page, a.embed_url);
  const aList = await (await request.get("/api/embed/views", { headers: { Authorization: aToken } })).json();
  expect(aList.views).toContainEqual(expect.objectContaining({ id: viewId, name, owned: true }));
});

test("the owner renames, shares and deletes; a teammate with a lock sees a notice; no save permission and no views hides the control", async ({ page, request }) => {
  const owner = await mint(request, "globex", { user_id: "e2e-olga" });
  await openEmbed(page, owner.embed_url);
  const country = page.getByTestId("filter-country");
  await expect(country.locator("option").nth(1)).toBeAttached();
  await country.selectOption({ index: 1 });
  await page.getByTestId("views-toggle").click();
  await page.getByLabel("View name").fill("Draft name");
  await page.getByTestId("view-save").click();
  await expect(page.getByTestId("views-status")).toHaveText("Saved “Draft name”.");

  await page.getByRole("button", { name: "Rename Draft name" }).click();
  await page.getByLabel("New name for Draft name").fill("Team view");
  await page.getByRole("button", { name: "Save", exact: true }).click();
  await page.getByRole("button", { name: "Share Team view" }).click();
  await expect(page.getByTestId("view-item").filter({ hasText: "Team view" })).toContainText("Shared");

  // A teammate whose session locks the country opens the shared view: a notice, and no rename/delete for them.
  const teammate = await mint(request, "globex", { user_id: "e2e-tom", permissions: { locked_filters: { country: ["DE"] } } });
  await openEmbed(page, teammate.embed_url);
  await page.getByTestId("views-toggle").click();
  const row = page.getByTestId("view-item").filter({ hasText: "Team view" });
  await expect(row).toContainText("Shared with you");
  await expect(row.getByRole("button", { name: "Delete Team view" })).toHaveCount(0);
  await row.getByRole("button", { name: "Open view Team view" }).click();
  await expect(page.getByTestId("view-notices")).toContainText("Country is set for you by the site, so the saved Country filter was replaced.");

  // The owner deletes it after confirming.
  await openEmbed(page, owner.embed_url);
  await page.getByTestId("views-toggle").click();
  await page.getByRole("button", { name: "Delete Team view" }).click();
  await page.getByTestId("view-delete-confirm").click();
  await expect(page.getByTestId("view-item").filter({ hasText: "Team view" })).toHaveCount(0);

  // A session that may not save, with no views of its own or shared: no Views control at all.
  const readOnly = await mint(request, "initech", { user_id: "e2e-nobody", permissions: { allow_save_views: false } });
  await openEmbed(page, readOnly.embed_url);
  await expect(page.getByTestId("embed-dashboard")).toBeVisible();
  await expect(page.getByTestId("saved-views")).toHaveCount(0);
});
