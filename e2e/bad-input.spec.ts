import http from "node:http";
import { expect, test } from "./fixtures/test";
import { E2E } from "./fixtures/config";
import { signIn, signInAsAdmin } from "./fixtures/helpers";
import { appRoutes, concretePath, isApiPath } from "./fixtures/routes";

// Malformed requests get a clear 4xx, never a 500: the project's JSON error
// body on /v1 and /api, a page elsewhere. Routes come from app/ itself.

type Answer = { status: number; type: string; body: string };

/** node:http, because fetch refuses TRACE and rewrites malformed escapes. */
function raw(method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "localhost", port: E2E.port, method, path, headers }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c) => (text += c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, type: String(res.headers["content-type"] ?? ""), body: text }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

function expectClientError(answer: Answer, path: string, status: number, label = path) {
  expect(answer.status, `${label}: ${answer.body.slice(0, 200)}`).toBe(status);
  if (isApiPath(path)) {
    expect(answer.type, label).toMatch(/application\/json/);
    const error = JSON.parse(answer.body).error;
    expect(error.code, label).toMatch(/^[a-z_]+$/);
    expect(error.message.length, label).toBeGreaterThan(20);
  } else {
    expect(answer.type, label).toMatch(/text\/html/);
  }
}

test("TRACE and other methods the app does not serve get 405 on every route; unparseable ones 400", async () => {
  const routes = appRoutes();
  expect(routes.length).toBeGreaterThan(30);
  for (const route of routes) {
    const path = concretePath(route);
    for (const method of ["TRACE", "PROPFIND", "PURGE"]) expectClientError(await raw(method, path), path, 405, `${method} ${path}`);
  }
  // Methods Node's HTTP parser does not know never reach the app: a JSON 400 whatever the path.
  for (const path of ["/v1/me", "/admin"]) {
    const answer = await raw("TRACK", path);
    expect(answer.status, `TRACK ${path}`).toBe(400);
    expect(JSON.parse(answer.body).error.code).toBe("bad_request");
  }
});

test("a malformed %-escape in any dynamic segment gets 400, not 500", async () => {
  const dynamic = appRoutes().filter((r) => r.segments.some((s) => s.startsWith("[")));
  expect(dynamic.length).toBeGreaterThan(8);
  for (const route of dynamic) {
    for (const bad of ["%E0%A4%A", "%", "%zz"]) {
      const path = concretePath(route, (s) => (s.startsWith("[") ? bad : s));
      for (const method of ["GET", "POST", "DELETE"]) expectClientError(await raw(method, path), path, 400, `${method} ${path}`);
    }
  }
});

test("malformed sign-in requests get a JSON 4xx, and the login page still works", async ({ page }) => {
  expectClientError(await raw("GET", "/api/auth/callback/credentials"), "/api/auth/callback/credentials", 405);
  for (const path of ["/api/auth/callback/credentials", "/api/auth/signin/credentials"]) {
    expectClientError(await raw("POST", path, { "content-type": "application/json" }, "email=a%40b.c&password=x"), path, 400);
    expectClientError(await raw("POST", path, { "content-type": "application/json" }, "[1,2]"), path, 400);
    expectClientError(await raw("POST", path, { "content-type": "text/plain" }, "email=a"), path, 415);
  }
  await signInAsAdmin(page);
});

test("admin pages of a dashboard that does not exist answer 404 with a page", async ({ page }) => {
  await signInAsAdmin(page);
  for (const path of ["/admin/dashboards/nonexistent", "/admin/dashboards/nonexistent/preview", "/admin/dashboards/nonexistent/versions", "/admin/dashboards/nonexistent/embed", "/admin/dashboards/dash_demo/preview?show=999"]) {
    const res = await page.request.get(path, { maxRedirects: 0 });
    expect(res.status(), path).toBe(404);
    expect(res.headers()["content-type"], path).toMatch(/text\/html/);
  }
  const res = await page.request.get("/admin/dashboards/nonexistent/export");
  expect(res.status()).toBe(404);
  expect((await res.json()).error.code).toBe("not_found");
});

test("sign-in throttling and the audit log see the connection's address, not an X-Forwarded-For the client sends", async ({ page }) => {
  // Each failure claims a new address; the server must still see one client.
  const email = "xff-probe@e2e.test";
  for (let i = 0; i < E2E.maxLoginFailures; i++) {
    await page.setExtraHTTPHeaders({ "x-forwarded-for": `203.0.113.${i + 1}`, "x-enclave-client-ip": `203.0.113.${i + 1}` });
    await signIn(page, email, `wrong-${i}`);
    await expect(page.getByTestId("form-error")).toHaveText("Wrong email or password.");
  }
  await page.setExtraHTTPHeaders({ "x-forwarded-for": "203.0.113.250" });
  await signIn(page, email, "still-wrong");
  await expect(page.getByTestId("form-error")).toHaveText("Too many failed sign-ins. Wait a few minutes and try again.");
  // What was recorded: the loopback address every attempt really came from.
  await page.setExtraHTTPHeaders({});
  await signInAsAdmin(page);
  const csv = await (await page.request.get(`/admin/audit/export?target=${encodeURIComponent(email)}`)).text();
  const lines = csv.trim().split("\n").slice(1);
  expect(lines.length).toBe(E2E.maxLoginFailures + 1);
  expect(csv).not.toContain("203.0.113.");
  for (const line of lines) expect(line).toMatch(/127\.0\.0\.1|::1/);
});
