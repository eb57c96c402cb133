import fs from "node:fs";
import path from "node:path";
import type { Page } from "@playwright/test";
import { expect, test } from "./fixtures/test";
import { enclaveCli } from "./fixtures/helpers";

// An accessibility check of the embed with axe-core (a maintained checker):
// no serious or critical WCAG 2.1 A/AA violation, in light and dark, with
// every feature on (filters, drill-down, CSV, questions, saved views), after
// a question is answered, and on the page of a link that no longer works.
// axe runs through the DevTools protocol, so the page's strict policy stays as it is.

const AXE = fs.readFileSync(path.join(__dirname, "../node_modules/axe-core/axe.min.js"), "utf8");
let key: string;

test.beforeAll(() => {
  key = JSON.parse(enclaveCli(["keys", "create", "--name", "e2e-a11y", "--scopes", "embed", "--json"])).secret;
});

type Violation = { id: string; impact: string | null; help: string; nodes: { target: string[] }[] };

async function seriousViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE);
  const violations = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, options: object) => Promise<{ violations: Violation[] }> } }).axe;
    return (await axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } })).violations;
  });
  return violations.filter((v) => v.impact === "serious" || v.impact === "critical").map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join("; ")}`);
}

async function embedUrl(page: Page, permissions: object) {
  const res = await page.request.post("/v1/embed-sessions", { headers: { Authorization: `Bearer ${key}` }, data: { tenant_id: "acme", dashboard_id: "dash_demo", permissions } });
  expect(res.status()).toBe(201);
  return ((await res.json()) as { embed_url: string }).embed_url;
}

const EVERYTHING = { allow_export: true, allow_ai: true };

for (const theme of ["light", "dark"] as const) {
  test(`the embed has no serious accessibility violation (${theme})`, async ({ page }) => {
    await page.goto(`${await embedUrl(page, EVERYTHING)}${theme === "dark" ? "#theme=dark" : ""}`);
    await expect(page.getByTestId("kpi-signups")).toBeVisible();
    await expect(page.locator(".chart .mark").first()).toBeAttached();
    expect(await seriousViolations(page)).toEqual([]);
  });
}

test("an answered question and the saved-views panel have no serious accessibility violation", async ({ page }) => {
  await page.goto(await embedUrl(page, EVERYTHING));
  await page.getByLabel("Ask a question about your data").fill("signups by country last 30 days");
  await page.getByRole("button", { name: "Ask", exact: true }).click();
  await expect(page.getByTestId("ask-answer").locator(".chart .mark").first()).toBeAttached();
  await page.getByTestId("views-toggle").click();
  expect(await seriousViolations(page)).toEqual([]);
});

test("the page of a link that no longer works has no serious accessibility violation", async ({ page }) => {
  await page.goto("/embed/not-a-token");
  await expect(page.locator("main.embed-error h1")).toBeVisible();
  expect(await seriousViolations(page)).toEqual([]);
});

test("the embed page has one main landmark and a top-level heading", async ({ page }) => {
  await page.goto(await embedUrl(page, EVERYTHING));
  await expect(page.getByTestId("kpi-signups")).toBeVisible();
  await page.evaluate(AXE);
  const failing = await page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, options: object) => Promise<{ violations: Violation[] }> } }).axe;
    return (await axe.run(document, { runOnly: { type: "rule", values: ["landmark-one-main", "page-has-heading-one", "landmark-no-duplicate-main", "region"] } })).violations.map((v) => v.id);
  });
  expect(failing).toEqual([]);
  await expect(page.getByRole("main")).toHaveCount(1);
});

test("would notice a violation (the check is live)", async ({ page }) => {
  await page.goto(await embedUrl(page, {}));
  await expect(page.getByTestId("kpi-signups")).toBeVisible();
  await page.evaluate(() => {
    const input = document.createElement("input");
    input.type = "text";
    document.body.append(input);
  });
  expect((await seriousViolations(page)).join("\n")).toMatch(/^label \(critical\)/m);
});
