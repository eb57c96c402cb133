import type { ChildProcess } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import type { APIRequestContext, Frame, Page } from "@playwright/test";
import { expect, test } from "./fixtures/test";
import { startExampleHost } from "./fixtures/example-host";
import { enclaveCli } from "./fixtures/helpers";

// The embed runtime and the example host on their own origins: :4000 is an
// allowed origin of the demo dashboard, :4001 is not.

const hosts: ChildProcess[] = [];
let adminKey: string;
const SIGNUPS = { kind: "chart", id: "signups", title: "Signups", chart: "kpi", metrics: [{ id: "event_count", event: "signup" }], time_range: { kind: "last_30_days" } };
const fmt = (n: number) => new Intl.NumberFormat("en", { maximumFractionDigits: 2 }).format(n);

test.beforeAll(async () => {
  adminKey = JSON.parse(enclaveCli(["keys", "create", "--name", "e2e-runtime", "--scopes", "admin", "--json"])).secret;
  hosts.push(await startExampleHost(4000), await startExampleHost(4001));
});
test.afterAll(() => hosts.forEach((h) => h.kill()));

async function expectedSignups(request: APIRequestContext, tenant: string, filters?: object) {
  const res = await request.post("/v1/query/preview", { headers: { Authorization: `Bearer ${adminKey}` }, data: { tenant_id: tenant, spec: SIGNUPS, ...(filters ? { filters } : {}) } });
  return fmt(Number((await res.json()).rows[0].m0));
}

async function embedFrame(page: Page, side: "left" | "right"): Promise<Frame> {
  const handle = await page.locator(`#embed-${side} iframe`).elementHandle();
  const frame = await handle!.contentFrame();
  return frame!;
}

test("the example host shows acme and globex side by side, each with its own numbers, and never sees the API key", async ({ page, request }) => {
  await page.goto("http://localhost:4000/");
  expect(await page.content()).not.toContain("enc_");
  for (const [side, tenant] of [["left", "acme"], ["right", "globex"]] as const) {
    const frame = await embedFrame(page, side);
    await expect(frame.getByTestId("kpi-signups")).toHaveText(await expectedSignups(request, tenant));
  }
  await expect.poll(() => page.evaluate(() => (window as unknown as { events: { type: string }[] }).events.filter((e) => e.type === "ready").length)).toBeGreaterThanOrEqual(2);
  // Auto-height: the iframe follows the dashboard's height.
  await expect.poll(async () => (await page.locator("#embed-left iframe").boundingBox())!.height).toBeGreaterThan(800);
  // acme's users have every feature (exports, questions); globex's the defaults.
  const acme = await embedFrame(page, "left");
  await expect(acme.getByTestId("export-signups-by-country")).toBeVisible();
  await expect(acme.getByLabel("Ask a question about your data")).toBeVisible();
  const globex = await embedFrame(page, "right");
  await expect(globex.getByTestId("kpi-signups")).toBeVisible();
  await expect(globex.getByTestId("export-signups-by-country")).toHaveCount(0);
  await expect(globex.getByLabel("Ask a question about your data")).toHaveCount(0);
  // The README's picture of the example host (UPDATE_SCREENSHOTS=1 rewrites it).
  if (process.env.UPDATE_SCREENSHOTS === "1") fs.writeFileSync(path.join(__dirname, "../public/screenshots/example-host-light.png"), await page.screenshot());
});

test("switching tenant rotates the session without reloading the host page", async ({ page, request }) => {
  await page.goto("http://localhost:4000/");
  const loadedAt = await page.evaluate(() => (window as unknown as { hostLoadedAt: number }).hostLoadedAt);
  await expect((await embedFrame(page, "left")).getByTestId("kpi-signups")).toHaveText(await expectedSignups(request, "acme"));
  await page.locator("#tenant-left").selectOption("initech");
  await expect.poll(async () => (await embedFrame(page, "left")).url()).not.toContain("initech"); // the URL holds a token, not the tenant
  await expect((await embedFrame(page, "left")).getByTestId("kpi-signups")).toHaveText(await expectedSignups(request, "initech"));
  expect(await page.evaluate(() => (window as unknown as { hostLoadedAt: number }).hostLoadedAt)).toBe(loadedAt);
  expect(await page.evaluate(() => (window as unknown as { events: { type: string; side: string }[] }).events.filter((e) => e.type === "session" && e.side === "left").length)).toBe(2);
});

test("a click on a chart drills the embed and the host hears a drill event; the other tenant's embed is untouched", async ({ page, request }) => {
  await page.goto("http://localhost:4000/");
  const acme = await embedFrame(page, "left");
  await expect(acme.getByTestId("kpi-signups")).toHaveText(await expectedSignups(request, "acme"));
  const bar = acme.locator('[data-testid="widget-signups-by-country"] .mark.bar').first();
  const country = (await bar.getAttribute("data-value"))!;
  await bar.click();
  type Logged = { type: string; side?: string; field?: string; value?: string; widget_id?: string };
  await expect
    .poll(() => page.evaluate(() => (window as unknown as { events: Logged[] }).events.filter((e) => e.type === "drill")))
    .toEqual([expect.objectContaining({ type: "drill", field: "country", value: country, widget_id: "signups-by-country" })]);
  await expect(acme.getByTestId("kpi-signups")).toHaveText(await expectedSignups(request, "acme", { filters: [{ field: "country", op: "equals", value: country }] }));
  await expect((await embedFrame(page, "right")).getByTestId("kpi-signups")).toHaveText(await expectedSignups(request, "globex"));
});

test("a host on an origin the dashboard does not allow cannot frame the embed", async ({ page, csp }) => {
  csp.expectViolation(/frame-ancestors/);
  await page.goto("http://localhost:4001/");
  await page.waitForTimeout(3000);
  const frame = await embedFrame(page, "left");
  expect(await frame.getByTestId("embed-dashboard").count()).toBe(0);
  expect(await page.evaluate(() => (window as unknown as { events: { type: string }[] }).events.some((e) => e.type === "ready"))).toBe(false);
});

test("an expired session emits expired and fetchToken recovers it with the filters kept", async ({ page, request }) => {
  test.setTimeout(90_000);
  await page.goto("http://localhost:4000/?ttl=12&refreshBefore=0");
  const frame = await embedFrame(page, "left");
  await expect(frame.getByTestId("kpi-signups")).toBeVisible();
  const country = (await frame.getByTestId("filter-country").locator("option").nth(1).textContent())!;
  await frame.getByTestId("filter-country").selectOption(country);
  const filtered = await expectedSignups(request, "acme", { filters: [{ field: "country", op: "equals", value: country }] });
  await expect(frame.getByTestId("kpi-signups")).toHaveText(filtered);
  const events = () => page.evaluate(() => (window as unknown as { events: { type: string; side: string }[] }).events.filter((e) => e.side === "left").map((e) => e.type));
  await expect.poll(events, { timeout: 30_000 }).toContain("expired");
  await expect.poll(async () => (await events()).filter((t) => t === "session").length, { timeout: 30_000 }).toBe(2);
  const renewed = await embedFrame(page, "left");
  await expect(renewed.getByTestId("filter-country")).toHaveValue(country);
  await expect(renewed.getByTestId("kpi-signups")).toHaveText(filtered);
});

test("theme changes apply without a reload, and messages from other windows are ignored", async ({ page, context, csp }) => {
  // The host on :4001 is not an allowed origin: its own iframes are refused.
  csp.expectViolation(/frame-ancestors/);
  await page.goto("http://localhost:4000/");
  const frame = await embedFrame(page, "left");
  await expect(frame.getByTestId("kpi-signups")).toBeVisible();
  const loadedAt = await page.evaluate(() => (window as unknown as { hostLoadedAt: number }).hostLoadedAt);
  await page.locator("#theme").click();
  await expect(frame.locator("html")).toHaveAttribute("data-theme", "dark");
  expect(await page.evaluate(() => (window as unknown as { hostLoadedAt: number }).hostLoadedAt)).toBe(loadedAt);

  // The runtime ignores a message that does not come from its iframe.
  const before = await page.evaluate(() => (window as unknown as { events: unknown[] }).events.length);
  await page.evaluate(() => window.postMessage({ source: "enclave", type: "expired", code: "session_expired" }, "*"));
  await page.waitForTimeout(500);
  const after = await page.evaluate((from) => (window as unknown as { events: { type: string }[] }).events.slice(from), before);
  expect(after.filter((e) => e.type === "expired")).toEqual([]);

  // The embed ignores messages from a window that is not its parent (an opener on another origin).
  const minted = await page.evaluate(() => fetch("/api/session", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ tenant: "acme" }) }).then((r) => r.json()));
  const foreign = await context.newPage();
  await foreign.goto("http://localhost:4001/");
  const [popup] = await Promise.all([foreign.waitForEvent("popup"), foreign.evaluate((url) => void window.open(url, "embed"), minted.embed_url)]);
  await expect(popup.getByTestId("kpi-signups")).toBeVisible();
  await foreign.evaluate(() => {
    const w = window.open("", "embed");
    w?.postMessage({ source: "enclave-host", type: "set-theme", theme: { mode: "dark" } }, "*");
  });
  await popup.waitForTimeout(500);
  await expect(popup.locator("html")).toHaveAttribute("data-theme", "light");
});
