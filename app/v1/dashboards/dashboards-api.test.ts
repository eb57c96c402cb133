import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeAnalytics } from "@/lib/analytics/engine";
import { createApiKey } from "@/lib/auth/api-keys";
import { getDb } from "@/lib/db";
import { migrateTestDatabase } from "@/lib/testing/test-db";
import { GET as getOne, PUT as putOne } from "./[id]/route";
import { GET as exportOne } from "./[id]/export/route";
import { POST as publish } from "./[id]/publish/route";
import { POST as rollback } from "./[id]/rollback/route";
import { GET as versions } from "./[id]/versions/route";
import { POST as importOne } from "./import/route";
import { GET as list, POST as create } from "./route";

type Handler = (req: Request, route: { params: Promise<Record<string, string>> }) => Promise<Response>;

let admin: string;
let acmeAdmin: string;
let embedOnly: string;
let adminPrefix: string;

const kpi = { kind: "chart", id: "signups", title: "Signups", chart: "kpi", metrics: [{ id: "event_count", event: "signup" }] };
const bar = { kind: "chart", id: "by-country", title: "By country", chart: "bar", metrics: [{ id: "event_count" }], breakdown: "country" };

async function call(handler: Handler, options: { key?: string; id?: string; body?: unknown; query?: string; method?: string } = {}) {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (options.key) headers.authorization = `Bearer ${options.key}`;
  const body = options.body === undefined ? undefined : typeof options.body === "string" ? options.body : JSON.stringify(options.body);
  const res = await handler(new Request(`http://test/v1/dashboards${options.query ?? ""}`, { method: options.method ?? (body ? "POST" : "GET"), headers, body }), { params: Promise.resolve<Record<string, string>>(options.id ? { id: options.id } : {}) });
  return { status: res.status, body: await res.json(), headers: res.headers };
}

async function createOne(name: string, definition: unknown = { widgets: [kpi] }) {
  const res = await call(create, { key: admin, body: { name, definition } });
  expect(res.status).toBe(201);
  return res.body as { id: string; draft_version: number };
}

beforeAll(async () => {
  migrateTestDatabase();
  const a = await createApiKey({ name: "ci", scopes: ["admin"] }, "test");
  admin = a.secret;
  adminPrefix = a.key.prefix;
  acmeAdmin = (await createApiKey({ name: "acme admin", scopes: ["admin"], tenant_id: "acme" }, "test")).secret;
  embedOnly = (await createApiKey({ name: "embed", scopes: ["embed", "ingest"] }, "test")).secret;
});
afterAll(() => closeAnalytics());

describe("dashboards as code", () => {
  it("creates, lists and reads a dashboard with the designer's schema", async () => {
    const created = await call(create, { key: admin, body: { name: "Ops", description: "For the ops team", definition: { widgets: [kpi] } } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: "Ops", description: "For the ops team", draft_version: 1, live_version: null, archived: false, updated_by: `apikey:${adminPrefix}` });
    // Defaults are filled in exactly as the designer's save fills them.
    expect(created.body.definition).toEqual({ widgets: [{ ...kpi, filters: [], time_range: { kind: "last_30_days" } }], layout: [], filters: [], timezone: "UTC" });

    const listed = await call(list, { key: admin, query: "?search=Ops" });
    expect(listed.status).toBe(200);
    expect(listed.body.dashboards).toContainEqual(expect.objectContaining({ id: created.body.id, name: "Ops", widgets: 1, draft_version: 1 }));
    expect((await call(getOne, { key: admin, id: created.body.id })).body.definition.widgets[0].id).toBe("signups");
    const missing = await call(getOne, { key: admin, id: "dash_nope" });
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toContain("dash_nope");
  });

  it("refuses invalid definitions with what to fix, and writes nothing", async () => {
    const before = await getDb().dashboard.count();
    const tenantColumn = await call(create, { key: admin, body: { name: "Leak", definition: { widgets: [{ ...kpi, breakdown: "tenant_id" }] } } });
    expect(tenantColumn.status).toBe(400);
    expect(tenantColumn.body.error.message).toMatch(/definition\.widgets\.0\.breakdown/);
    const noName = await call(create, { key: admin, body: { name: " ", definition: { widgets: [] } } });
    expect(noName.status).toBe(400);
    expect(noName.body.error.message).toContain("give the dashboard a name");
    const extra = await call(create, { key: admin, body: { name: "X", tenant_id: "acme" } });
    expect(extra.status).toBe(400);
    expect((await call(create, { key: admin, body: "{not json" })).status).toBe(400);
    expect(await getDb().dashboard.count()).toBe(before);
  });

  it("replaces the draft with the version read, and answers 409 to a stale version without losing the newer draft", async () => {
    const { id } = await createOne("Sales");
    const first = await call(putOne, { key: admin, id, method: "PUT", body: { draft_version: 1, definition: { widgets: [kpi, bar] } } });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ draft_version: 2, name: "Sales" });
    const stale = await call(putOne, { key: admin, id, method: "PUT", body: { draft_version: 1, name: "Overwritten", definition: { widgets: [] } } });
    expect(stale.status).toBe(409);
    expect(stale.body.error).toMatchObject({ code: "conflict", details: { draft_version: 2, updated_by: `apikey:${adminPrefix}` } });
    const now = await call(getOne, { key: admin, id });
    expect(now.body.name).toBe("Sales");
    expect(now.body.definition.widgets.map((w: { id: string }) => w.id)).toEqual(["signups", "by-country"]);
    const invalid = await call(putOne, { key: admin, id, method: "PUT", body: { draft_version: 2, definition: { widgets: [kpi, kpi] } } });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.message).toContain('widget id "signups" is used twice');
    expect((await call(putOne, { key: admin, id: "dash_nope", method: "PUT", body: { draft_version: 1, definition: { widgets: [] } } })).status).toBe(404);
  });

  it("publishes, lists versions and rolls back", async () => {
    const { id } = await createOne("Growth");
    const v1 = await call(publish, { key: admin, id, body: { note: "first" } });
    expect(v1.status).toBe(201);
    expect(v1.body).toMatchObject({ number: 1, note: "first", live: true, created_by: `apikey:${adminPrefix}` });
    await call(putOne, { key: admin, id, method: "PUT", body: { draft_version: 1, definition: { widgets: [kpi, bar] } } });
    // Publishing with the draft_version you checked refuses a draft someone changed since.
    const stalePublish = await call(publish, { key: admin, id, body: { draft_version: 1 } });
    expect(stalePublish.status).toBe(409);
    expect(stalePublish.body.error.details).toMatchObject({ draft_version: 2 });
    const v2 = await call(publish, { key: admin, id, body: { draft_version: 2, note: "with countries" } });
    expect(v2.body.number).toBe(2);
    expect((await call(getOne, { key: admin, id })).body.live_version).toBe(2);

    const back = await call(rollback, { key: admin, id, body: { version: 1 } });
    expect(back.status).toBe(200);
    expect(back.body).toMatchObject({ number: 1, live: true });
    const listed = await call(versions, { key: admin, id });
    expect(listed.body.versions.map((v: { number: number; live: boolean }) => [v.number, v.live])).toEqual([[2, false], [1, true]]);
    expect((await call(rollback, { key: admin, id, body: { version: 9 } })).status).toBe(404);
    expect((await call(rollback, { key: admin, id, body: { version: "1" } })).status).toBe(400);

    const actions = await getDb().auditLog.findMany({ where: { target: id }, orderBy: { id: "asc" } });
    expect(actions.map((a) => a.action)).toEqual(["dashboard.create", "dashboard.publish", "dashboard.save_draft", "dashboard.publish", "dashboard.rollback"]);
    expect(new Set(actions.map((a) => a.actor))).toEqual(new Set([`apikey:${adminPrefix}`]));
  });

  it("refuses to publish a draft whose SQL the guard rejects, naming the widget", async () => {
    const { id } = await createOne("Raw", { widgets: [{ kind: "sql", id: "raw", title: "Raw", chart: "table", sql: "SELECT * FROM system.tables" }] });
    const res = await call(publish, { key: admin, id, body: {} });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toMatch(/Widget "Raw" \(raw\): the SQL was rejected/);
    expect((await call(versions, { key: admin, id })).body.versions).toEqual([]);
  });
});

describe("export and import", () => {
  it("round-trips the draft and a published version into a new draft", async () => {
    const { id } = await createOne("Exported", { widgets: [kpi], timezone: "Europe/Paris" });
    await call(publish, { key: admin, id, body: {} });
    await call(putOne, { key: admin, id, method: "PUT", body: { draft_version: 1, definition: { widgets: [kpi, bar], timezone: "Europe/Paris" } } });

    const draft = await call(exportOne, { key: admin, id });
    expect(draft.status).toBe(200);
    expect(draft.headers.get("content-disposition")).toBe('attachment; filename="exported-draft.enclave.json"');
    expect(draft.body).toMatchObject({ format: "enclave.dashboard", format_version: 1, name: "Exported", exported_from: { dashboard_id: id, version: null } });
    expect(draft.body.definition.widgets).toHaveLength(2);
    const v1 = await call(exportOne, { key: admin, id, query: "?version=1" });
    expect(v1.body.definition.widgets).toHaveLength(1);
    expect((await call(exportOne, { key: admin, id, query: "?version=7" })).status).toBe(404);
    expect((await call(exportOne, { key: admin, id, query: "?version=first" })).status).toBe(400);

    const imported = await call(importOne, { key: admin, body: draft.body });
    expect(imported.status).toBe(201);
    expect(imported.body.id).not.toBe(id);
    expect(imported.body).toMatchObject({ name: "Exported", draft_version: 1, live_version: null });
    expect(imported.body.definition).toEqual(draft.body.definition);
    const audit = await getDb().auditLog.findFirst({ where: { target: imported.body.id } });
    expect(audit).toMatchObject({ action: "dashboard.import", actor: `apikey:${adminPrefix}` });
  });

  it("explains what is wrong with a file that is not a valid export, and creates nothing", async () => {
    const before = await getDb().dashboard.count();
    const doc = { format: "enclave.dashboard", format_version: 1, name: "Bad", definition: { widgets: [kpi] } };
    const cases: Array<[unknown, RegExp]> = [
      ["{ nope", /not valid JSON/],
      [[1, 2], /not an Enclave dashboard export/],
      [{ widgets: [kpi] }, /needs "format": "enclave.dashboard"/],
      [{ ...doc, format_version: 2 }, /newer Enclave \(format_version 2\)/],
      [{ ...doc, definition: { widgets: [{ ...kpi, filters: [{ dimension: "tenant_id", op: "eq", value: "globex" }] }] } }, /definition\.widgets\.0\.filters/],
      [{ ...doc, definition: { widgets: [kpi], layout: [{ widget_id: "ghost", x: 0, y: 0, w: 1, h: 1 }] } }, /layout names unknown widget "ghost"/],
      [{ ...doc, tenant_id: "acme" }, /Invalid dashboard file: .*tenant_id/],
    ];
    for (const [body, message] of cases) {
      const res = await call(importOne, { key: admin, body: typeof body === "string" ? body : JSON.stringify(body) });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.message, JSON.stringify(body)).toMatch(message);
    }
    expect(await getDb().dashboard.count()).toBe(before);
  });
});

describe("who may call it", () => {
  const every: Array<[string, Handler, { id?: string; body?: unknown; method?: string }]> = [
    ["GET /v1/dashboards", list, {}],
    ["POST /v1/dashboards", create, { body: { name: "x" } }],
    ["GET /v1/dashboards/:id", getOne, { id: "dash_demo" }],
    ["PUT /v1/dashboards/:id", putOne, { id: "dash_demo", method: "PUT", body: { draft_version: 1, definition: { widgets: [] } } }],
    ["POST /v1/dashboards/:id/publish", publish, { id: "dash_demo", body: {} }],
    ["GET /v1/dashboards/:id/versions", versions, { id: "dash_demo" }],
    ["POST /v1/dashboards/:id/rollback", rollback, { id: "dash_demo", body: { version: 1 } }],
    ["GET /v1/dashboards/:id/export", exportOne, { id: "dash_demo" }],
    ["POST /v1/dashboards/import", importOne, { body: { format: "enclave.dashboard", format_version: 1, name: "x", definition: { widgets: [] } } }],
  ];

  it("needs a key, the admin scope, and no tenant restriction, and changes nothing otherwise", async () => {
    const before = { dashboards: await getDb().dashboard.count(), versions: await getDb().dashboardVersion.count() };
    for (const [name, handler, options] of every) {
      expect((await call(handler, options)).status, name).toBe(401);
      expect((await call(handler, { ...options, key: "enc_not_a_real_key" })).status, name).toBe(401);
      const scope = await call(handler, { ...options, key: embedOnly });
      expect([scope.status, scope.body.error.code], name).toEqual([403, "insufficient_scope"]);
      const restricted = await call(handler, { ...options, key: acmeAdmin });
      expect([restricted.status, restricted.body.error.code], name).toEqual([403, "tenant_forbidden"]);
      expect(Object.keys(restricted.body), name).toEqual(["error"]);
    }
    expect({ dashboards: await getDb().dashboard.count(), versions: await getDb().dashboardVersion.count() }).toEqual(before);
  });
});
