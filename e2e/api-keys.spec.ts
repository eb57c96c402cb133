import { expect, test } from "./fixtures/test";
import { E2E } from "./fixtures/config";
import { enclaveCli, openAdminPage, signInAsAdmin } from "./fixtures/helpers";

test("an admin creates a tenant-restricted key, sees the secret once, uses it, and revokes it", async ({ page, request }) => {
  await signInAsAdmin(page);
  await openAdminPage(page, "API keys");
  await page.getByLabel("Name").fill("e2e backend");
  await page.getByLabel(/admin — dashboards/).check();
  await page.getByLabel("Restrict to one tenant (optional)").fill("acme");
  await page.getByRole("button", { name: "Create key" }).click();
  const secret = (await page.getByTestId("new-key-secret").textContent())!.trim();
  expect(secret).toMatch(/^enc_[A-Za-z0-9_-]{40,}$/);

  const me = await request.get("/v1/me", { headers: { Authorization: `Bearer ${secret}` } });
  expect(me.status()).toBe(200);
  // An audited act of the key: the log names the key, not only its prefix.
  const minted = await request.post("/v1/embed-sessions", { headers: { Authorization: `Bearer ${secret}` }, data: { tenant_id: "acme", dashboard_id: "dash_demo" } });
  expect(minted.status()).toBe(201);
  // The overview's first-run steps follow the install: a key is active, the demo is published, a session was minted.
  await page.goto("/admin");
  for (const step of ["key", "publish", "session"]) await expect(page.getByTestId("get-started").locator(`li[data-step="${step}"]`)).toHaveAttribute("data-done", "true");
  await openAdminPage(page, "API keys");
  await expect(page).toHaveURL(/\/admin\/keys$/);
  expect(await me.json()).toMatchObject({ name: "e2e backend", scopes: ["admin", "embed"], tenant_id: "acme" });

  // Shown once: after a reload the page holds only the prefix.
  await page.reload();
  expect(await page.content()).not.toContain(secret);
  const row = page.locator(`tr[data-key-prefix="${secret.slice(0, 12)}"]`);
  await expect(row).toContainText("e2e backend");
  await expect(row).toContainText("acme");
  await expect(row.getByTestId("last-used")).toContainText("UTC"); // not "never": the call above used it

  page.once("dialog", (dialog) => dialog.accept());
  await row.getByRole("button", { name: "Revoke" }).click();
  await expect(row).toContainText("revoked");
  const after = await request.get("/v1/me", { headers: { Authorization: `Bearer ${secret}` } });
  expect(after.status()).toBe(401);
  expect((await after.json()).error.code).toBe("revoked_api_key");

  await openAdminPage(page, "Audit log");
  const audit = page.getByTestId("audit-table");
  await expect(audit.locator("tr", { hasText: "api_key.revoke" }).first()).toContainText(`admin:${E2E.adminEmail}`);
  await expect(audit.locator("tr", { hasText: "api_key.create" }).first()).toContainText(`admin:${E2E.adminEmail}`);
  await expect(audit.locator("tr", { hasText: "auth.login" }).first()).toBeVisible();
  await expect(audit.locator("tr", { hasText: "embed_session.create" }).first().getByTestId("audit-key-name")).toHaveText("key “e2e backend”");
});

test("an admin gives a key an expiry date, sees it listed, and a bad expiry creates nothing", async ({ page, request }) => {
  await signInAsAdmin(page);
  await openAdminPage(page, "API keys");
  await page.getByLabel("Name").fill("e2e past expiry");
  await page.getByLabel("Expires (optional)").fill("2001-01-01");
  await page.getByRole("button", { name: "Create key" }).click();
  await expect(page.locator(".alert-error")).toContainText("expires_at: 2001-01-01T23:59:59.999Z is in the past");
  await expect(page.getByTestId("new-key-secret")).toHaveCount(0);

  await page.getByLabel("Name").fill("e2e expiring");
  await page.getByLabel("Expires (optional)").fill("2099-12-31");
  await page.getByRole("button", { name: "Create key" }).click();
  await expect(page.getByTestId("new-key-expires")).toHaveText("31 Dec 2099, 23:59 UTC");
  const secret = (await page.getByTestId("new-key-secret").textContent())!.trim();
  const me = await request.get("/v1/me", { headers: { Authorization: `Bearer ${secret}` } });
  expect(me.status()).toBe(200);
  expect((await me.json()).expires_at).toBe("2099-12-31T23:59:59.999Z");

  await page.reload();
  await expect(page.locator("tr", { hasText: "e2e past expiry" })).toHaveCount(0);
  const row = page.locator(`tr[data-key-prefix="${secret.slice(0, 12)}"]`);
  await expect(row.getByTestId("expires")).toHaveText("31 Dec 2099, 23:59 UTC");
  await expect(row).toContainText("active");
});

test("a key made by the CLI while the server runs works at once; bad keys get 401 JSON", async ({ request }) => {
  const created = JSON.parse(enclaveCli(["keys", "create", "--name", "cli-e2e", "--scopes", "ingest", "--json"]));
  const ok = await request.get("/v1/me", { headers: { Authorization: `Bearer ${created.secret}` } });
  expect(ok.status()).toBe(200);
  expect(await ok.json()).toMatchObject({ scopes: ["ingest"], expires_at: null });

  const expiring = JSON.parse(enclaveCli(["keys", "create", "--name", "cli-e2e-30d", "--scopes", "ingest", "--expires", "30d", "--json"]));
  const days = (Date.parse(expiring.expires_at) - Date.now()) / 86_400_000;
  expect(days).toBeGreaterThan(29.9);
  expect(days).toBeLessThanOrEqual(30);

  const missing = await request.get("/v1/me");
  expect(missing.status()).toBe(401);
  expect((await missing.json()).error).toMatchObject({ code: "missing_api_key" });
  const wrong = await request.get("/v1/me", { headers: { Authorization: "Bearer enc_not-a-real-key" } });
  expect(wrong.status()).toBe(401);
  expect((await wrong.json()).error).toMatchObject({ code: "invalid_api_key" });
});

test("health reports both stores without secrets", async ({ request }) => {
  const response = await request.get("/api/health");
  expect(response.status()).toBe(200);
  const body = await response.json();
  expect(body).toMatchObject({ status: "ok", stores: { metadata: { status: "ok", engine: "sqlite" }, analytics: { status: "ok", engine: "chdb" } } });
  const text = JSON.stringify(body);
  expect(text).not.toContain(E2E.adminPassword);
  expect(text).not.toMatch(/secret|password|enc_/i);
});

test("the running server signs with a rotated key at once, still opens older links, and refuses them once their key is retired", async ({ request }) => {
  const key = JSON.parse(enclaveCli(["keys", "create", "--name", "rotation-e2e", "--scopes", "embed", "--json"])).secret;
  const mint = async () => {
    const res = await request.post("/v1/embed-sessions", { headers: { Authorization: `Bearer ${key}` }, data: { tenant_id: "acme", dashboard_id: "dash_demo" } });
    expect(res.status()).toBe(201);
    const body = await res.json();
    return { path: new URL(body.embed_url).pathname, kid: JSON.parse(Buffer.from(body.token.split(".")[0], "base64url").toString()).kid as string };
  };
  const before = await mint();
  expect(enclaveCli(["signing-keys", "rotate"])).toContain("Added signing key");
  const after = await mint();
  expect(after.kid).not.toBe(before.kid);
  expect((await request.get(before.path)).status()).toBe(200);
  expect((await request.get(after.path)).status()).toBe(200);

  expect(enclaveCli(["signing-keys", "retire", before.kid, "--force"])).toContain(`Retired signing key ${before.kid}`);
  expect((await request.get(before.path)).status()).toBe(401);
  expect((await request.get(after.path)).status()).toBe(200);
});
