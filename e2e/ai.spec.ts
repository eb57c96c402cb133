import type { APIRequestContext } from "@playwright/test";
import { expect, test } from "./fixtures/test";
import { enclaveCli, openAdminPage, signInAsAdmin } from "./fixtures/helpers";

// AI questions with the built-in offline provider: a customer's answer is a
// chart of their own tenant's data with a plain-words rationale; an admin
// asks as a tenant with the debug view, and sends an answer through review
// into a dashboard draft.

const QUESTION = "signups by country last 30 days";
let embedKey: string;
let adminKey: string;

test.beforeAll(() => {
  embedKey = JSON.parse(enclaveCli(["keys", "create", "--name", "e2e-ai-embed", "--scopes", "embed", "--json"])).secret;
  adminKey = JSON.parse(enclaveCli(["keys", "create", "--name", "e2e-ai-admin", "--scopes", "admin", "--json"])).secret;
});

async function embedUrl(request: APIRequestContext, tenant: string) {
  const res = await request.post("/v1/embed-sessions", { headers: { Authorization: `Bearer ${embedKey}` }, data: { tenant_id: tenant, dashboard_id: "dash_demo", permissions: { allow_ai: true } } });
  expect(res.status()).toBe(201);
  return (await res.json()).embed_url as string;
}

const fmt = (n: number) => new Intl.NumberFormat("en", { maximumFractionDigits: 2 }).format(n);

test("each tenant's question is answered with its own data, as a chart with a rationale and no SQL", async ({ page, request }) => {
  for (const tenant of ["acme", "globex"]) {
    await page.goto(await embedUrl(request, tenant));
    await page.getByLabel("Ask a question about your data").fill(QUESTION);
    const answered = page.waitForResponse((r) => r.url().endsWith("/api/embed/ask"));
    await page.getByRole("button", { name: "Ask", exact: true }).click();
    const body = await (await answered).json();
    const answer = page.getByTestId("ask-answer");
    await expect(answer).toContainText("Signup events by country");
    await expect(page.getByTestId("ask-rationale")).toHaveText("Showing the number of signup events, by country (top 10), over the last 30 days. Only your own data is included.");
    // Drawn by the server like every card: the page gets the chart, not rows to draw again.
    await expect(answer.locator(".chart svg").first()).toBeVisible();
    expect(body.answer.rows).toBeUndefined();
    expect(JSON.stringify(body)).not.toMatch(/SELECT|tenant_id|effective_sql/);

    // The same spec previewed as this tenant through the admin API gives the bars the answer drew.
    const preview = await request.post("/v1/query/preview", { headers: { Authorization: `Bearer ${adminKey}` }, data: { tenant_id: tenant, spec: { ...body.answer.spec, id: "check", title: "check" } } });
    const rows = (await preview.json()).rows as { dimension: string; m0: number }[];
    expect(rows.length).toBeGreaterThan(1);
    await expect(answer.locator(".mark.bar")).toHaveCount(rows.length);
    for (const row of rows) await expect(answer.locator(`.mark.bar[data-value="${row.dimension}"]`)).toHaveAttribute("data-tip", new RegExp(`: ${fmt(row.m0)}$`));
  }
});

test("an answer saved in a view reopens after a reload, and reaches the admins' review queue", async ({ page, request }) => {
  await page.goto(await embedUrl(request, "initech"));
  await page.getByLabel("Ask a question about your data").fill("revenue last 30 days");
  await page.getByRole("button", { name: "Ask", exact: true }).click();
  const answer = page.getByTestId("ask-answer");
  await expect(answer).toContainText("Total value of order completed events");
  const value = (await answer.locator(".widget-body").innerText()).split(/\s/)[0];
  expect(value).toMatch(/^[\d,.]+$/);
  await page.getByTestId("views-toggle").click();
  await page.getByLabel("View name").fill("Revenue answer");
  await page.getByTestId("view-save").click();
  await expect(page.getByTestId("views-status")).toHaveText("Saved “Revenue answer”.");

  await page.reload();
  await expect(page.getByTestId("ask-answer")).toHaveCount(0);
  await page.getByTestId("views-toggle").click();
  await page.getByRole("button", { name: "Open view Revenue answer" }).click();
  await expect(page.getByTestId("ask-answer")).toContainText("Total value of order completed events");
  await expect(page.getByTestId("ask-answer").locator(".widget-body")).toContainText(value);

  await signInAsAdmin(page);
  await openAdminPage(page, "AI");
  const row = page.getByTestId("review-table").locator("tr", { hasText: "revenue last 30 days" }).first();
  await expect(row).toContainText("initech · customer");
  await expect(row).toContainText("pending");
});

test("a question about other customers is refused in plain words", async ({ page, request }) => {
  await page.goto(await embedUrl(request, "acme"));
  await page.getByLabel("Ask a question about your data").fill("show signups for all other customers");
  await page.getByRole("button", { name: "Ask", exact: true }).click();
  await expect(page.getByTestId("ask-message")).toHaveText("I can only answer questions about your own data in this dashboard.");
  await expect(page.getByTestId("ask-answer")).toHaveCount(0);
  // Naming one customer gets the same words as naming none that exists.
  for (const question of ["revenue for globex", "revenue for zorblax"]) {
    await page.getByLabel("Ask a question about your data").fill(question);
    const answered = page.waitForResponse((r) => r.url().endsWith("/api/embed/ask"));
    await page.getByRole("button", { name: "Ask", exact: true }).click();
    expect(await (await answered).json()).toEqual({ status: "refused", message: "I can only answer questions about your own data in this dashboard." });
    await expect(page.getByTestId("ask-message")).toHaveText("I can only answer questions about your own data in this dashboard.");
    await expect(page.getByTestId("ask-answer")).toHaveCount(0);
  }
});

test("an admin asks as a tenant with the debug view, sends the answer to review, approves it and adds it to a draft", async ({ page }) => {
  await signInAsAdmin(page);
  await openAdminPage(page, "Dashboards");
  await page.getByLabel("New dashboard name").fill("AI answers");
  await page.getByRole("button", { name: "Create dashboard" }).click();
  await expect(page).toHaveURL(/\/admin\/dashboards\/dash_[0-9a-f]+$/);
  const target = page.url().split("/").pop()!;

  await page.goto("/admin/dashboards/dash_demo/preview?tenant=acme2");
  const panel = page.getByTestId("admin-ask");
  await panel.getByLabel("Question").fill("top pages this month");
  await panel.getByRole("button", { name: "Ask", exact: true }).click();
  await expect(panel.getByTestId("admin-ask-answer")).toContainText("Page view events by page");
  const debug = panel.getByTestId("admin-ask-debug");
  await expect(debug).toContainText('"breakdown": "page"');
  await expect(panel.getByTestId("admin-ask-sql")).toContainText("tenant_id = {tenant:String}");
  await expect(debug).toContainText("Raw model output");

  await panel.getByLabel("Answer as").selectOption("sql");
  await panel.getByRole("button", { name: "Ask", exact: true }).click();
  await expect(panel.getByTestId("admin-ask-sql")).toContainText("SELECT properties['page'] AS dimension, count() AS total FROM events");
  await expect(panel.getByTestId("admin-ask-answer")).toContainText("Custom SQL, checked by the guard and run as this tenant.");
  await panel.getByLabel("Answer as").selectOption("spec");
  await panel.getByRole("button", { name: "Ask", exact: true }).click();
  await expect(panel.getByTestId("admin-ask-answer")).toContainText("Page view events by page");
  await panel.getByRole("button", { name: "Send to review queue" }).click();
  await expect(panel.getByTestId("admin-ask-note")).toContainText("Sent to the review queue");

  await openAdminPage(page, "AI");
  const row = page.getByTestId("review-table").locator("tr", { hasText: "top pages this month" }).first();
  await expect(row).toContainText("acme2");
  await expect(row).toContainText("pending");
  await row.getByRole("button", { name: "Approve" }).click();
  await expect(row).toContainText("approved");
  await row.getByLabel("Dashboard").selectOption(target);
  await row.getByRole("button", { name: "Add to draft" }).click();
  await expect(row).toContainText(`Added to ${target}`);
  await expect(page.getByTestId("ai-log-table")).toContainText("top pages this month");

  await page.goto(`/admin/dashboards/${target}`);
  await expect(page.locator("[data-testid^='designer-widget-']")).toHaveCount(1);
});
