import type { ChildProcess } from "node:child_process";
import type { Page } from "@playwright/test";
import { expect, test } from "./fixtures/test";
import { startExampleHost } from "./fixtures/example-host";

// How often the runtime asks the host's backend for a session. Every call is a
// POST /v1/embed-sessions on the customer's server and a row in ours, so it
// must follow the session's own lifetime (exp - iat), whatever the browser's
// clock says, and back off when minting fails.

let host: ChildProcess;
test.beforeAll(async () => {
  host = await startExampleHost(4000);
});
test.afterAll(() => host.kill());

/** Counts the left embed's (acme's) calls to the host backend's /api/session; `fail` makes them fail. */
async function countMints(page: Page, fail: (n: number) => boolean = () => false) {
  const calls: number[] = [];
  const started = Date.now();
  await page.route("**/api/session", async (route) => {
    const body = route.request().postDataJSON() as { tenant?: string };
    if (body.tenant !== "acme") return route.continue();
    calls.push(Date.now() - started);
    if (fail(calls.length)) return route.fulfill({ status: 502, contentType: "application/json", body: JSON.stringify({ error: "upstream down" }) });
    return route.continue();
  });
  return calls;
}

/** Shifts the page's clock (and its frames') by `offsetMs`: Date and Date.now, not timers. */
async function skewClock(page: Page, offsetMs: number) {
  await page.addInitScript((offset) => {
    const RealDate = Date;
    class SkewedDate extends RealDate {
      constructor(...args: unknown[]) {
        if (args.length === 0) super(RealDate.now() + offset);
        else super(...(args as [number]));
      }
      static now() {
        return RealDate.now() + offset;
      }
    }
    (window as unknown as { Date: DateConstructor }).Date = SkewedDate as DateConstructor;
  }, offsetMs);
}

const leftEvents = (page: Page) => page.evaluate(() => (window as unknown as { events: { type: string; side: string; code?: string }[] }).events.filter((e) => e.side === "left"));

for (const [label, skew] of [["an accurate clock", 0], ["a clock 5 minutes ahead", 5 * 60_000], ["a clock 5 minutes behind", -5 * 60_000]] as const) {
  test(`10-second sessions are renewed at most 4 times in 20 s with ${label}, and the dashboard stays up`, async ({ page }) => {
    test.setTimeout(60_000);
    if (skew) await skewClock(page, skew);
    const calls = await countMints(page);
    await page.goto("http://localhost:4000/?ttl=10");
    const frame = page.frameLocator("#embed-left iframe");
    await expect(frame.getByTestId("kpi-signups")).toBeVisible();
    await page.waitForTimeout(20_000);
    console.log(`runtime renewal with ${label}: ${calls.length} mints in 20 s, at ${calls.join(", ")} ms`);
    expect(calls.length, `mints at ${calls.join(", ")} ms`).toBeGreaterThanOrEqual(2); // it does renew
    expect(calls.length, `mints at ${calls.join(", ")} ms`).toBeLessThanOrEqual(4);
    // Renewed before expiry: the dashboard never showed the expired state.
    expect((await leftEvents(page)).filter((e) => e.type === "expired")).toEqual([]);
    await expect(frame.getByTestId("kpi-signups")).toBeVisible();
  });
}

test("a fetchToken that fails is retried with backoff, then given up with the expired state shown", async ({ page }) => {
  test.setTimeout(90_000);
  // The first session mints; every renewal fails.
  const calls = await countMints(page, (n) => n > 1);
  await page.goto("http://localhost:4000/?ttl=10");
  const frame = page.frameLocator("#embed-left iframe");
  await expect(frame.getByTestId("kpi-signups")).toBeVisible();
  await page.waitForTimeout(20_000);
  expect(calls.length, `calls at ${calls.join(", ")} ms`).toBeLessThanOrEqual(5);
  // The session runs out while renewals fail: the embed says so, and the host hears it.
  await expect(frame.getByText(/session has expired/i)).toBeVisible({ timeout: 15_000 });
  await expect.poll(async () => (await leftEvents(page)).some((e) => e.type === "expired"), { timeout: 15_000 }).toBe(true);
  // It stops after repeated failures instead of calling forever.
  await expect.poll(async () => (await leftEvents(page)).some((e) => e.type === "error" && e.code === "renewal_failed"), { timeout: 45_000 }).toBe(true);
  const settled = calls.length;
  console.log(`runtime renewal with failing fetchToken: ${settled} calls, at ${calls.join(", ")} ms`);
  await page.waitForTimeout(10_000);
  expect(calls.length).toBe(settled);
  expect(settled).toBeLessThanOrEqual(7);
});

test("a host whose backend never mints gets a few attempts and a plain message, not a storm", async ({ page }) => {
  test.setTimeout(90_000);
  const calls = await countMints(page, () => true);
  await page.goto("http://localhost:4000/?ttl=10");
  await expect.poll(async () => (await leftEvents(page)).some((e) => e.type === "error" && e.code === "renewal_failed"), { timeout: 60_000 }).toBe(true);
  expect(calls.length, `calls at ${calls.join(", ")} ms`).toBeLessThanOrEqual(6);
  await expect(page.frameLocator("#embed-left iframe").getByText(/could not be started/i)).toBeVisible();
  // The host may try again on purpose: refresh() starts over.
  const before = calls.length;
  await page.unroute("**/api/session");
  await page.evaluate(() => (window as unknown as { embeds: { refresh(): Promise<void> }[] }).embeds[0].refresh());
  await expect(page.frameLocator("#embed-left iframe").getByTestId("kpi-signups")).toBeVisible();
  expect(calls.length).toBe(before); // counted only while routed
});
