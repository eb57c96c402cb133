import { expect, test } from "./fixtures/test";
import { E2E } from "./fixtures/config";
import { buildPlan, templates, wantsJsonError, type Case } from "./fixtures/fuzz-plan";
import { call, MARKER, setUpWorld, TENANT_A, TENANT_B } from "./fixtures/fuzz-world";
import { signInAsAdmin } from "./fixtures/helpers";
import { rawRequest, type RawAnswer } from "./fixtures/raw-http";

// A seeded fuzz run against the production server: every route of app/ and
// every operation of /v1/openapi.json, with every kind of method, odd path
// segments, malformed escapes and queries, wrong and missing content types,
// oversized, deeply nested and invalid UTF-8 bodies, duplicate headers and
// bad, forged or revoked credentials. What must hold for every answer:
// no 5xx; a 4xx on /v1 or /api is the JSON error; bad credentials never get a
// 2xx on a protected route; nothing of tenant B reaches tenant A.

const SEED = Number(process.env.FUZZ_SEED ?? 20261130);
const MAX_REQUESTS = 2_000;
const MAX_SECONDS = 120;
const CONCURRENCY = 4;

/** What is wrong with one answer, or undefined. */
function problem(c: Case, answer: RawAnswer | Error): string | undefined {
  if (answer instanceof Error) return `no answer: ${answer.message}`;
  if (answer.status >= 500) return `status ${answer.status}: ${answer.body.slice(0, 200)}`;
  if (wantsJsonError(c, answer)) {
    let error: { code?: unknown; message?: unknown } | undefined;
    try {
      error = (JSON.parse(answer.body) as { error?: typeof error }).error;
    } catch {
      error = undefined;
    }
    if (!/application\/json/.test(String(answer.headers["content-type"])) || typeof error?.code !== "string" || !/^[a-z_]+$/.test(error.code) || typeof error.message !== "string" || error.message.length < 10) {
      return `status ${answer.status} without the JSON error body (${answer.headers["content-type"]}): ${answer.body.slice(0, 160)}`;
    }
  }
  // A bare OPTIONS answer (204, the Allow header, no body) shows nothing a caller could not read in the API description.
  const bareOptions = c.request.method === "OPTIONS" && answer.body.length === 0;
  if (c.auth === "bad" && answer.status >= 200 && answer.status < 300 && !bareOptions) return `bad credentials got ${answer.status}: ${answer.body.slice(0, 160)}`;
  if (!c.admin && answer.body.includes(MARKER[TENANT_B])) return `tenant ${TENANT_B}'s marker in the answer: ${answer.body.slice(Math.max(0, answer.body.indexOf(MARKER[TENANT_B]) - 80), answer.body.indexOf(MARKER[TENANT_B]) + 40)}`;
  return c.check?.(answer);
}

test("fuzz: no 5xx, JSON errors on the API, no access with bad credentials, no other tenant's data", async ({ page }) => {
  test.setTimeout(6 * 60_000);
  const world = await setUpWorld(page);
  const openapi = await call("GET", "/v1/openapi.json", {});
  expect(openapi.status).toBe(200);
  const { list, undocumented, missing } = templates(JSON.parse(openapi.body));
  expect(list.length, "routes found in app/").toBeGreaterThan(30);
  expect(missing, "OpenAPI paths without a route file").toEqual([]);
  expect(undocumented, "/v1 route methods missing from the OpenAPI document").toEqual([]);

  // The credentials work: tenant A's own data comes back, so a refusal below is the server's choice, not a broken setup.
  const a = { authorization: `Bearer ${world.dataTokenA}` };
  for (const control of [
    await call("GET", `/embed/${world.urlTokenA}`, {}),
    await call("POST", "/api/embed/filter-values", a, { dimension: "country", limit: 200 }),
    await call("POST", "/v1/query/preview", { authorization: `Bearer ${world.keyA}` }, { tenant_id: TENANT_A, sql: "SELECT DISTINCT properties['country'] AS c FROM events" }),
  ]) {
    expect(control.status, control.body.slice(0, 200)).toBe(200);
    expect(control.body).toContain(MARKER[TENANT_A]);
    expect(control.body).not.toContain(MARKER[TENANT_B]);
  }
  // Revocation reaches every request within 5 s: the revoked session's tokens count as bad after that.
  await new Promise((r) => setTimeout(r, Math.max(0, world.revokedAt + 5_500 - Date.now())));

  const plan = buildPlan(world, list, SEED);
  // Revoking or erasing tenant A's own sessions and data (allowed with A's key) goes last, so the cases before keep working credentials.
  const destructive = (c: Case) => Number(c.request.path.startsWith(`/v1/tenants/${TENANT_A}/`) || (c.request.method === "DELETE" && c.request.path.includes(world.sessionA)));
  plan.sort((x, y) => destructive(x) - destructive(y));
  expect(plan.length).toBeLessThanOrEqual(MAX_REQUESTS);

  const started = performance.now();
  const failures: string[] = [];
  const byClass = new Map<string, number>();
  let next = 0;
  let sent = 0;
  const worker = async () => {
    while (next < plan.length && performance.now() - started < MAX_SECONDS * 1000) {
      const c = plan[next++];
      const answer = await rawRequest(E2E.port, c.request, { timeoutMs: 30_000 });
      sent++;
      const cls = answer instanceof Error ? "no answer" : `${Math.floor(answer.status / 100)}xx`;
      byClass.set(cls, (byClass.get(cls) ?? 0) + 1);
      const wrong = problem(c, answer);
      if (wrong) failures.push(`${c.label} → ${wrong}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (performance.now() - started) / 1000;
  const classes = [...byClass].sort().map(([k, n]) => `${k} ${n}`).join(", ");
  console.log(`fuzz (seed ${SEED}): ${sent} requests over ${list.length} routes in ${seconds.toFixed(1)} s; ${classes}; ${failures.length} failures`);
  for (const f of failures.slice(0, 40)) console.log(`  ✗ ${f}`);

  expect(sent, `all ${plan.length} planned requests within ${MAX_SECONDS} s`).toBe(plan.length);
  expect(failures, failures.slice(0, 20).join("\n")).toEqual([]);
  // The server still serves, and sign-in works (the fuzz sent no credentials that count as failed sign-ins).
  expect((await call("GET", "/api/health", {})).status).toBe(200);
  await page.context().clearCookies();
  await signInAsAdmin(page);
});
