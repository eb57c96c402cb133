import type { APIRequestContext } from "@playwright/test";
import { expect, test } from "./fixtures/test";
import { E2E } from "./fixtures/config";
import { enclaveCli } from "./fixtures/helpers";
import { directives, expectScriptsByNonce, expectStrictPolicy } from "./fixtures/policy";

// Two tenants of one published dashboard in Chromium. Expected numbers come
// from the server's own admin preview API, never from opening the engine here.

let key: string;
const SIGNUPS = { kind: "chart", id: "signups", title: "Signups", chart: "kpi", metrics: [{ id: "event_count", event: "signup" }], time_range: { kind: "last_30_days" } };
const BY_COUNTRY = { kind: "chart", id: "signups-by-country", title: "Signups by country", chart: "bar", metrics: [{ id: "event_count", event: "signup" }], breakdown: "country", limit: 10, time_range: { kind: "last_30_days" } };
const fmt = (n: number) => new Intl.NumberFormat("en", { maximumFractionDigits: 2 }).format(n);

test.beforeAll(() => {
  key = JSON.parse(enclaveCli(["keys", "create", "--name", "e2e-embed", "--scopes", "embed,admin", "--json"])).secret;
});

async function mint(request: APIRequestContext, tenant: string, permissions: object = {}) {
  const res = await request.post("/v1/embed-sessions", { headers: { Authorization: `Bearer ${key}` }, data: { tenant_id: tenant, dashboard_id: "dash_demo", permissions } });
  expect(res.status()).toBe(201);
  return (await res.json()) as { embed_url: string; session_id: string; token: string };
}

async function preview(request: APIRequestContext, tenant: string, body: object) {
  const res = await request.post("/v1/query/preview", { headers: { Authorization: `Bearer ${key}` }, data: { tenant_id: tenant, ...body } });
  expect(res.status()).toBe(200);
  return (await res.json()).rows as Record<string, unknown>[];
}

test("acme and acme2 each see exactly their own numbers and filter values", async ({ page, request }) => {
  for (const tenant of ["acme", "acme2"]) {
    const session = await mint(request, tenant);
    const [expected] = await preview(request, tenant, { spec: SIGNUPS });
    const countries = (await preview(request, tenant, { sql: "SELECT DISTINCT properties['country'] AS c FROM events ORDER BY c" })).map((r) => String(r.c));

    const response = await page.goto(session.embed_url);
    // The page's policy, with frame-ancestors from the dashboard's signed origins; its scripts by this response's nonce.
    const nonce = expectStrictPolicy(response!.headers()["content-security-policy"], { frameAncestors: `${E2E.baseUrl} http://localhost:3000 http://localhost:4000`, formAction: "'none'" })!;
    expectScriptsByNonce(await response!.text(), nonce);
    expect(response!.headers()["x-frame-options"]).toBeUndefined();
    await expect(page.getByTestId("kpi-signups")).toHaveText(fmt(Number(expected.m0)));
    const options = page.getByTestId("filter-country").locator("option");
    await expect(options).toHaveCount(countries.length + 1);
    expect((await options.allTextContents()).slice(1).sort()).toEqual(countries);

    // Filtering re-queries through the data endpoint, still scoped.
    const country = countries[0];
    const [filtered] = await preview(request, tenant, { spec: SIGNUPS, filters: { filters: [{ field: "country", op: "equals", value: country }] } });
    await page.getByTestId("filter-country").selectOption(country);
    await expect(page.getByTestId("kpi-signups")).toHaveText(fmt(Number(filtered.m0)));
  }
});

test("export is scoped, locked filters show as locked chips, hidden widgets are absent", async ({ page, request }) => {
  const session = await mint(request, "acme2", { allow_export: true, locked_filters: { device: ["mobile"] }, hidden_widgets: ["revenue"] });
  await page.goto(session.embed_url);
  await expect(page.getByTestId("locked-device")).toContainText("Device: mobile");
  await expect(page.getByTestId("widget-revenue")).toHaveCount(0);
  const expected = await preview(request, "acme2", { spec: BY_COUNTRY, permissions: { locked_filters: { device: ["mobile"] } } });
  const download = page.waitForEvent("download");
  await page.getByTestId("export-signups-by-country").click();
  const csv = await (await (await download).createReadStream()).toArray();
  const lines = Buffer.concat(csv).toString("utf8").trim().split("\r\n");
  // The words on the card, not the result's column names (dimension, m0).
  expect(lines[0]).toBe("Country,Events (signup)");
  expect(lines.slice(1)).toEqual(expected.map((r) => `${r.dimension},${r.m0}`));
});

test("no export button without the permission (the server refusing it is in lib/embed/embed.test.ts)", async ({ page, request }) => {
  const session = await mint(request, "acme");
  await page.goto(session.embed_url);
  await expect(page.getByTestId("kpi-signups")).toBeVisible();
  await expect(page.getByTestId("export-signups-by-country")).toHaveCount(0);
});

test("a revoked session shows the revoked state and no data on its next load; a bad token gets 401", async ({ page, request }) => {
  const session = await mint(request, "globex");
  await page.goto(session.embed_url);
  await expect(page.getByTestId("kpi-signups")).toBeVisible();
  const del = await request.delete(`/v1/embed-sessions/${session.session_id}`, { headers: { Authorization: `Bearer ${key}` } });
  expect(del.status()).toBe(200);
  await page.reload();
  await expect(page.locator("[data-enclave-error=session_revoked]")).toContainText("revoked");
  await expect(page.getByTestId("embed-dashboard")).toHaveCount(0);
  expect(await page.content()).not.toContain("Product analytics");

  const bad = await page.goto(`${E2E.baseUrl}/embed/not-a-token`);
  expect(bad!.status()).toBe(401);
  expect(directives(bad!.headers()["content-security-policy"]).get("frame-ancestors")).toBe("'none'");
});
