import fs from "node:fs";
import path from "node:path";
import type { Page } from "@playwright/test";
import { expect, test } from "./fixtures/test";
import { enclaveCli } from "./fixtures/helpers";

// How the embed looks in Chromium: light, dark (the host's #theme=dark, set
// before first paint) and a 390 px phone. Each is checked, not only pictured:
// every chart drew marks, nothing overflows sideways, no two cards overlap,
// and the text a customer reads keeps a readable contrast. The screenshots are
// attached to the report; UPDATE_SCREENSHOTS=1 also writes them to
// public/screenshots/ (the README's pictures).

let key: string;

test.beforeAll(() => {
  key = JSON.parse(enclaveCli(["keys", "create", "--name", "e2e-look", "--scopes", "embed", "--json"])).secret;
});

type Box = { id: string; x: number; y: number; width: number; height: number };

/** WCAG contrast of an element's text against the nearest opaque background behind it. */
async function contrast(page: Page, selector: string): Promise<number> {
  return page.locator(selector).first().evaluate((el) => {
    const rgb = (c: string) => (c.match(/[\d.]+/g) ?? []).map(Number);
    const lum = ([r, g, b]: number[]) => {
      const ch = (v: number) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
      return 0.2126 * ch(r) + 0.7152 * ch(g) + 0.0722 * ch(b);
    };
    let bg: number[] | undefined;
    for (let node: Element | null = el; node && !bg; node = node.parentElement) {
      const c = rgb(getComputedStyle(node).backgroundColor);
      if (c.length >= 3 && (c.length < 4 || c[3] === 1)) bg = c;
    }
    bg ??= [255, 255, 255];
    const [a, b] = [lum(rgb(getComputedStyle(el).color)), lum(bg)];
    return (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
  });
}

async function look(page: Page, name: string, url: string, expectedTheme: "light" | "dark") {
  await page.goto(url);
  await expect(page.locator("html")).toHaveAttribute("data-theme", expectedTheme);
  // Every chart widget drew with data (the demo tenant has data in every widget).
  const charts = page.locator('[data-testid^="widget-"] .chart');
  expect(await charts.count()).toBeGreaterThanOrEqual(3);
  for (const chart of await charts.all()) expect(await chart.locator(".mark").count()).toBeGreaterThan(0);
  await expect(page.getByTestId("kpi-signups")).toHaveText(/^\d[\d,.]*$/);

  const layout = await page.evaluate(() => ({
    viewport: window.innerWidth,
    scrollWidth: document.documentElement.scrollWidth,
    cards: [...document.querySelectorAll<HTMLElement>('[data-testid^="widget-"]')].map((el) => {
      const r = el.getBoundingClientRect();
      return { id: el.dataset.testid!, x: r.x, y: r.y, width: r.width, height: r.height };
    }),
  }));
  expect(layout.scrollWidth, `${name}: nothing scrolls sideways`).toBeLessThanOrEqual(layout.viewport);
  for (const card of layout.cards) {
    expect(card.x, `${card.id} starts inside the page`).toBeGreaterThanOrEqual(0);
    expect(card.x + card.width, `${card.id} ends inside the page`).toBeLessThanOrEqual(layout.viewport + 0.5);
    expect(card.height, `${card.id} has room for its chart`).toBeGreaterThan(100);
  }
  const overlap = (a: Box, b: Box) => a.x < b.x + b.width - 1 && b.x < a.x + a.width - 1 && a.y < b.y + b.height - 1 && b.y < a.y + a.height - 1;
  for (const [i, a] of layout.cards.entries()) for (const b of layout.cards.slice(i + 1)) expect(overlap(a, b), `${a.id} and ${b.id} overlap`).toBe(false);

  for (const selector of ["h1", '[data-testid^="widget-"] h2', '[data-testid="kpi-signups"]', ".widget-body table td", ".chart .tick text, .chart text"]) {
    if ((await page.locator(selector).count()) === 0) continue;
    expect(await contrast(page, selector), `${name}: contrast of ${selector}`).toBeGreaterThanOrEqual(4.5);
  }

  const shot = await page.screenshot({ fullPage: true });
  await test.info().attach(`embed-${name}.png`, { body: shot, contentType: "image/png" });
  if (process.env.UPDATE_SCREENSHOTS === "1") fs.writeFileSync(path.join(__dirname, "../public/screenshots", `embed-${name}.png`), shot);
  return layout;
}

async function embedUrl(page: Page) {
  const res = await page.request.post("/v1/embed-sessions", { headers: { Authorization: `Bearer ${key}` }, data: { tenant_id: "acme", dashboard_id: "dash_demo" } });
  expect(res.status()).toBe(201);
  return ((await res.json()) as { embed_url: string }).embed_url;
}

test("light and dark at desktop width: charts drawn, readable, side by side", async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 900 });
  const light = await look(page, "light", await embedUrl(page), "light");
  // A desktop grid puts some cards next to each other.
  expect(new Set(light.cards.map((c) => Math.round(c.y))).size).toBeLessThan(light.cards.length);
  await look(page, "dark", `${await embedUrl(page)}#theme=dark`, "dark");
});

test("a 390 px phone: one column, nothing cut off", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  const mobile = await look(page, "mobile", await embedUrl(page), "light");
  for (const card of mobile.cards) expect(card.width, `${card.id} spans the column`).toBeGreaterThan(300);
  // Tables fit (no numbers clipped behind a sideways scroll), and a KPI card is no taller than its number needs.
  const fit = await page.evaluate(() => ({
    tables: [...document.querySelectorAll<HTMLElement>(".table-wrap")].map((el) => el.scrollWidth - el.clientWidth),
    kpis: [...document.querySelectorAll<HTMLElement>('[data-testid^="widget-"]:has(.kpi)')].map((el) => el.getBoundingClientRect().height),
  }));
  expect(fit.tables.length).toBeGreaterThan(0);
  for (const overflow of fit.tables) expect(overflow, "a table scrolls sideways on a phone").toBeLessThanOrEqual(1);
  for (const height of fit.kpis) expect(height, "a KPI card's height").toBeLessThan(200);
  // Stacked: every card on a row of its own.
  expect(new Set(mobile.cards.map((c) => Math.round(c.y))).size).toBe(mobile.cards.length);
  // Every card's tools (breakdown, CSV) sit inside the card, where a thumb can reach them.
  const tools = await page.evaluate(() =>
    [...document.querySelectorAll<HTMLElement>(".widget-tools")].map((el) => ({ tools: el.getBoundingClientRect().right, card: el.closest(".widget")!.getBoundingClientRect().right })),
  );
  for (const t of tools) expect(t.tools).toBeLessThanOrEqual(t.card);
  // Narrower still, the table scrolls sideways inside its card and says so; wide enough again, the hint goes.
  const hint = page.locator('[data-testid="widget-top-pages"] .scroll-hint');
  await page.setViewportSize({ width: 220, height: 844 });
  await expect(hint).toBeVisible();
  await expect(hint).toHaveText("Scroll sideways for more columns →");
  await page.setViewportSize({ width: 390, height: 844 });
  await expect(hint).toHaveCount(0);
});
