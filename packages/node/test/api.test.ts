import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { killChildren } from "@/lib/testing/crash-harness";
import { AuthenticationError, ConflictError, ConnectionError, Enclave, EnclaveError, InvalidRequestError, NotFoundError, PermissionDeniedError, type DashboardDefinitionInput } from "../src/index.js";
import { createKey, startEnclave } from "./enclave-server";

// The SDK against a real server: embed sessions for two tenants and a key
// restricted to one, tenant operations, dashboards as code, and the typed
// errors the API's answers become.

let baseUrl = "";
const client = (apiKey: string, extra: Partial<ConstructorParameters<typeof Enclave>[0]> = {}) => new Enclave({ baseUrl, apiKey, ...extra });
let admin: Enclave;
let embed: Enclave;
let embedKey = "";
let acmeOnly: Enclave;
let dashboardId = "";

const definition: DashboardDefinitionInput = { widgets: [{ kind: "chart", id: "events", title: "Events", chart: "kpi", metrics: [{ id: "event_count" }] }] };

async function rejection(promise: Promise<unknown>): Promise<EnclaveError> {
  const error = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error, "the call failed").toBeInstanceOf(EnclaveError);
  return error as EnclaveError;
}

beforeAll(async () => {
  baseUrl = (await startEnclave()).baseUrl;
  admin = client(await createKey(["admin", "embed"]));
  embedKey = await createKey(["embed"]);
  embed = client(embedKey);
  acmeOnly = client(await createKey(["embed"], "acme"));
  const created = await admin.dashboards.create({ name: "SDK sessions", definition });
  await admin.dashboards.publish(created.id, { note: "for sessions" });
  dashboardId = created.id;
});
afterAll(() => killChildren());

describe("embed sessions", () => {
  it("mints, reads and revokes a session for each of two tenants", async () => {
    for (const tenant of ["acme", "globex"]) {
      const minted = await embed.embedSessions.create({ tenant_id: tenant, dashboard_id: dashboardId, expires_in: 600, user_id: `u@${tenant}` });
      expect(minted.embed_url).toContain(minted.token);
      const read = await embed.embedSessions.get(minted.session_id);
      expect(read).toMatchObject({ session_id: minted.session_id, tenant_id: tenant, dashboard_id: dashboardId, user_id: `u@${tenant}`, status: "active" });
      expect((await embed.embedSessions.revoke(minted.session_id)).status).toBe("revoked");
      expect((await embed.embedSessions.get(minted.session_id)).revoked_at).not.toBeNull();
    }
  });

  it("refuses an id a URL would resolve to another route (., ..), and never prints its key", async () => {
    expect(() => embed.embedSessions.get("..")).toThrow(/is not an id/);
    expect(() => embed.embedSessions.get(".")).toThrow(/is not an id/);
    const { inspect } = await import("node:util");
    expect(inspect(embed, { depth: 10 })).not.toContain(embedKey);
  });

  it("a key restricted to acme mints for acme only, and cannot read or revoke globex's sessions", async () => {
    const own = await acmeOnly.embedSessions.create({ tenant_id: "acme", dashboard_id: dashboardId });
    expect((await acmeOnly.embedSessions.get(own.session_id)).tenant_id).toBe("acme");

    const refused = await rejection(acmeOnly.embedSessions.create({ tenant_id: "globex", dashboard_id: dashboardId }));
    expect(refused).toBeInstanceOf(PermissionDeniedError);
    expect(refused).toMatchObject({ code: "tenant_forbidden", status: 403 });
    expect(refused.message).toMatch(/restricted to one tenant/);

    const globex = await embed.embedSessions.create({ tenant_id: "globex", dashboard_id: dashboardId });
    for (const call of [acmeOnly.embedSessions.get(globex.session_id), acmeOnly.embedSessions.revoke(globex.session_id)]) {
      const error = await rejection(call);
      expect(error).toBeInstanceOf(NotFoundError);
      expect(error.code).toBe("not_found");
    }
    expect((await embed.embedSessions.get(globex.session_id)).status, "the refused revoke changed nothing").toBe("active");
    expect((await rejection(acmeOnly.tenants.revokeSessions("globex"))).code).toBe("tenant_forbidden");
    expect((await embed.embedSessions.get(globex.session_id)).status).toBe("active");
  });

  it("revokes every session of a tenant, and erases a tenant's data", async () => {
    const minted = await Promise.all([1, 2].map(() => embed.embedSessions.create({ tenant_id: "initech", dashboard_id: dashboardId })));
    const revoked = await embed.tenants.revokeSessions("initech");
    expect(revoked).toMatchObject({ tenant_id: "initech" });
    expect(revoked.sessions_revoked).toBeGreaterThanOrEqual(2);
    for (const m of minted) expect((await embed.embedSessions.get(m.session_id)).status).toBe("revoked");

    const deleted = await admin.tenants.deleteData("initech");
    expect(deleted).toMatchObject({ tenant_id: "initech", events_deleted: expect.any(Number), sessions_revoked: expect.any(Number) });
    expect((await rejection(embed.tenants.deleteData("initech"))).code, "erasure needs the admin scope").toBe("insufficient_scope");
  });
});

describe("dashboards as code", () => {
  it("creates, updates, publishes, lists versions, rolls back, exports and imports", async () => {
    const created = await admin.dashboards.create({ name: "SDK round trip", description: "from the SDK test", definition });
    expect(await admin.dashboards.get(created.id)).toMatchObject({ name: "SDK round trip", live_version: null, definition: { widgets: [{ id: "events" }] } });

    const v1 = await admin.dashboards.publish(created.id, { note: "first", draft_version: created.draft_version });
    expect(v1).toMatchObject({ number: 1, note: "first", live: true });

    const second: DashboardDefinitionInput = { widgets: [...definition.widgets, { kind: "chart", id: "signups", title: "Signups", chart: "kpi", metrics: [{ id: "event_count", event: "signup" }] }] };
    const updated = await admin.dashboards.update(created.id, { draft_version: created.draft_version, definition: second });
    expect(updated.draft_version).toBeGreaterThan(created.draft_version);
    const stale = await rejection(admin.dashboards.update(created.id, { draft_version: created.draft_version, definition }));
    expect(stale).toBeInstanceOf(ConflictError);
    expect(stale.status).toBe(409);

    await admin.dashboards.publish(created.id, { note: "second" });
    expect((await admin.dashboards.versions(created.id)).map((v) => [v.number, v.live])).toEqual([[2, true], [1, false]]);
    expect(await admin.dashboards.rollback(created.id, { version: 1 })).toMatchObject({ number: 1, live: true });
    expect((await admin.dashboards.get(created.id)).live_version).toBe(1);

    const file = await admin.dashboards.export(created.id, { version: 1 });
    expect(file).toMatchObject({ format: "enclave.dashboard", name: "SDK round trip" });
    const imported = await admin.dashboards.import({ ...file, name: "SDK imported" });
    expect(imported.id).not.toBe(created.id);
    expect(imported.definition.widgets.map((w) => w.id)).toEqual(["events"]);
    const listed = await admin.dashboards.list({ search: "SDK" });
    expect(listed.map((d) => d.name)).toEqual(expect.arrayContaining(["SDK round trip", "SDK imported"]));

    expect(await admin.dashboards.setAllowedOrigins(created.id, ["https://app.example.com"])).toEqual(["https://app.example.com"]);
    expect(await admin.dashboards.allowedOrigins(created.id)).toEqual(["https://app.example.com"]);
  });

  it("refuses a key restricted to one tenant, since dashboards are shared", async () => {
    const restrictedAdmin = client(await createKey(["admin"], "acme"));
    const error = await rejection(restrictedAdmin.dashboards.list());
    expect(error).toBeInstanceOf(PermissionDeniedError);
    expect(error.code).toBe("tenant_forbidden");
  });
});

describe("errors", () => {
  it("an unknown key is an AuthenticationError carrying the API's code, message and request id", async () => {
    const error = await rejection(client("enc_not_a_real_key").me());
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(error).toMatchObject({ code: "invalid_api_key", status: 401, retryable: false });
    expect(error.message).toMatch(/not valid/);
    expect(error.requestId).toEqual(expect.any(String));
  });

  it("a body the API refuses is an InvalidRequestError naming the field", async () => {
    const error = await rejection(embed.embedSessions.create({ tenant_id: "acme", dashboard_id: dashboardId, expires_in: 5 }));
    expect(error).toBeInstanceOf(InvalidRequestError);
    expect(error).toMatchObject({ code: "validation_failed", status: 400 });
    expect(error.message).toMatch(/expires_in/);
  });

  it("a key without the scope, and an unknown id, are typed too", async () => {
    expect(await rejection(client(await createKey(["ingest"])).embedSessions.create({ tenant_id: "acme", dashboard_id: dashboardId }))).toMatchObject({ code: "insufficient_scope", status: 403 });
    expect(await rejection(admin.dashboards.get("no-such-dashboard"))).toBeInstanceOf(NotFoundError);
    expect(await admin.me()).toMatchObject({ scopes: ["admin", "embed"], tenant_id: null });
  });

  it("no answer is a retryable ConnectionError (refused, or past timeoutMs)", async () => {
    const refused = await rejection(new Enclave({ baseUrl: "http://127.0.0.1:9", apiKey: "enc_x", retry: { maxRetries: 0 } }).me());
    expect(refused).toBeInstanceOf(ConnectionError);
    expect(refused).toMatchObject({ code: "connection_failed", status: 0, retryable: true });

    let attempts = 0;
    const silent = (_url: string, init: RequestInit) => {
      attempts++;
      return new Promise<Response>((_resolve, reject) => init.signal?.addEventListener("abort", () => reject(init.signal?.reason)));
    };
    const timedOut = await rejection(client("enc_x", { fetch: silent, timeoutMs: 100, retry: { maxRetries: 1, baseDelayMs: 10 } }).me());
    expect(timedOut).toMatchObject({ code: "timeout", status: 0 });
    expect(attempts, "a read is retried").toBe(2);
  });
});
