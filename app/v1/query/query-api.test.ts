import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeAnalytics, getAnalytics } from "@/lib/analytics/engine";
import { toEventRow, type EventRow } from "@/lib/analytics/event-row";
import { insertEventRows } from "@/lib/analytics/ingest";
import { createApiKey } from "@/lib/auth/api-keys";
import { getDb } from "@/lib/db";
import { loadDemoFixture } from "@/lib/testing/analytics-fixture";
import { migrateTestDatabase } from "@/lib/testing/test-db";
import { POST as preview } from "./preview/route";
import { POST as validate } from "./validate/route";

// Low enough that one tenant's 20,000 rows overflow it, high enough for every other read here.
process.env.QUERY_MAX_ROWS_READ = "15000";

const route = { params: Promise.resolve({}) };
let rows: EventRow[];
let admin: string;
let acmeOnly: string;
let embedOnly: string;
const restricted: Record<string, string> = {};

// A big tenant and a small one written in one batch, so they share a part and a
// granule; "zz-empty" has no rows and sorts between them.
const BIG = 20_000;
const SMALL = 3;
function neighbourRows(): EventRow[] {
  const make = (tenant: string, i: number) => toEventRow({ tenant_id: tenant, name: "page_view", ts: new Date(Date.now() - (i % 500) * 60_000).toISOString(), properties: { page: `/p${i % 7}` } }, i) as EventRow;
  return [...Array.from({ length: BIG }, (_, i) => make("zz-big", i)), ...Array.from({ length: SMALL }, (_, i) => make("zz-small", i))];
}

function call(handler: typeof preview, key: string, body: unknown) {
  return handler(new Request("http://test/v1/query", { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: typeof body === "string" ? body : JSON.stringify(body) }), route);
}

beforeAll(async () => {
  migrateTestDatabase();
  ({ rows } = await loadDemoFixture(6_000));
  admin = (await createApiKey({ name: "admin", scopes: ["admin"] }, "test")).secret;
  acmeOnly = (await createApiKey({ name: "acme admin", scopes: ["admin"], tenant_id: "acme" }, "test")).secret;
  embedOnly = (await createApiKey({ name: "embed", scopes: ["embed"] }, "test")).secret;
  await insertEventRows(getAnalytics(), neighbourRows());
  for (const tenant of ["zz-big", "zz-empty", "zz-small"]) restricted[tenant] = (await createApiKey({ name: `${tenant} admin`, scopes: ["admin"], tenant_id: tenant }, "test")).secret;
});
afterAll(() => closeAnalytics());

const count = (tenant: string) => rows.filter((r) => r.tenant_id === tenant).length;

describe("POST /v1/query/validate", () => {
  it("answers the guard's verdict and reason", async () => {
    expect(await (await call(validate, admin, { sql: "SELECT count() FROM events" })).json()).toEqual({ ok: true, tables: ["events"], dimensions: [], unnamedMapKeys: false });
    const bad = await (await call(validate, admin, { sql: "SELECT tenant_id FROM events" })).json();
    expect(bad).toMatchObject({ ok: false, reason: expect.stringContaining("tenant column") });
  });

  it("needs the admin scope and a valid body", async () => {
    expect((await call(validate, embedOnly, { sql: "SELECT 1" })).status).toBe(403);
    expect((await call(validate, admin, "{not json")).status).toBe(400);
    expect((await call(validate, admin, { sql: "SELECT 1", extra: 1 })).status).toBe(400);
  });
});

describe("POST /v1/query/preview", () => {
  it("previews a spec as a tenant with the effective SQL and stats", async () => {
    const res = await call(preview, admin, { tenant_id: "acme2", spec: { kind: "chart", id: "w", title: "t", chart: "table", metrics: [{ id: "event_count" }], time_range: { kind: "last_90_days" } } });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.rows).toEqual([{ m0: count("acme2") }]);
    expect(body.effective_sql).toContain("tenant_id = {tenant:String}");
    expect(body.params.tenant).toBe("acme2");
    expect(body.engine_filter).toContain("tenant_id = unhex(");
    expect(body.stats.rows_read).toBeGreaterThan(0);
  });

  it("previews admin SQL scoped by the engine layer, with locked filters", async () => {
    const body = await (await call(preview, admin, { tenant_id: "globex", sql: "SELECT count() AS n FROM events" })).json();
    expect(body.rows).toEqual([{ n: count("globex") }]);
    const locked = await (await call(preview, admin, { tenant_id: "globex", sql: "SELECT count() AS n FROM events", permissions: { locked_filters: { country: ["US"] } } })).json();
    expect(locked.rows).toEqual([{ n: rows.filter((r) => r.tenant_id === "globex" && r.properties.country === "US").length }]);
  });

  it("refuses SQL the guard rejects, with the reason", async () => {
    const res = await call(preview, admin, { tenant_id: "acme", sql: "SELECT count() FROM system.tables" });
    expect(res.status).toBe(400);
    expect((await res.json()).error.message).toMatch(/rejected: .*system/);
  });

  it("lets a tenant-restricted key preview only its tenant, and audits previews", async () => {
    const own = await call(preview, acmeOnly, { tenant_id: "acme", sql: "SELECT count() AS n FROM events" });
    expect(own.status).toBe(200);
    for (const other of ["globex", "acme2", "ACME"]) {
      const res = await call(preview, acmeOnly, { tenant_id: other, sql: "SELECT count() AS n FROM events" });
      expect(res.status, other).toBe(403);
      const body = await res.json();
      expect(Object.keys(body)).toEqual(["error"]);
      expect(body.error.code).toBe("tenant_forbidden");
    }
    expect(await getDb().auditLog.count({ where: { action: "query.preview" } })).toBeGreaterThanOrEqual(3);
  });

  it("refuses bad tenant ids, both sql and spec, and an embed-scoped key", async () => {
    expect((await call(preview, admin, { tenant_id: "a'b", sql: "SELECT 1" })).status).toBe(400);
    expect((await call(preview, admin, { tenant_id: "acme", sql: "SELECT count() FROM events", spec: { kind: "chart", id: "w", title: "t", chart: "kpi", metrics: [{ id: "event_count" }] } })).status).toBe(400);
    expect((await call(preview, embedOnly, { tenant_id: "acme", sql: "SELECT count() FROM events" })).status).toBe(403);
  });
});

describe("engine statistics and tenant-restricted keys", () => {
  const countSql = { sql: "SELECT count() AS n FROM events" };
  const countSpec = { spec: { kind: "chart", id: "w", title: "t", chart: "kpi", metrics: [{ id: "event_count" }], time_range: { kind: "last_90_days" } } };

  it("gives a restricted key for an empty tenant, or a small one beside a big one, no engine figures", async () => {
    for (const [tenant, own] of [["zz-empty", 0], ["zz-small", SMALL]] as const) {
      for (const query of [countSql, countSpec]) {
        const res = await call(preview, restricted[tenant], { tenant_id: tenant, ...query });
        expect(res.status, tenant).toBe(200);
        const body = await res.json();
        expect(Object.values(body.rows[0])[0], tenant).toBe(own);
        // Nothing the engine measured: its rows read count the big neighbour's rows in the shared granule.
        expect(body.stats?.rows_read ?? 0, `${tenant} rows_read`).toBeLessThanOrEqual(own);
        expect(body, tenant).not.toHaveProperty("stats");
        expect(JSON.stringify(body), tenant).not.toMatch(/rows_read|bytes_read|elapsed/);
      }
    }
  });

  it("keeps the engine's figures for an admin key without a tenant restriction", async () => {
    const body = await (await call(preview, admin, { tenant_id: "zz-empty", ...countSql })).json();
    expect(body.rows).toEqual([{ n: 0 }]);
    expect(body.stats).toEqual({ elapsed_ms: expect.any(Number), rows_read: expect.any(Number), bytes_read: expect.any(Number) });
  });

  it("gives a restricted key an engine error's code and request id, not the engine's text with its counts", async () => {
    // Reads a column of every row (a bare count() is answered without reading them).
    const scan = { sql: "SELECT count() AS n, sum(length(name)) AS l FROM events" };
    const own = await call(preview, restricted["zz-big"], { tenant_id: "zz-big", ...scan });
    expect(own.status).toBe(422);
    const body = await own.json();
    expect(body.error).toMatchObject({ code: "query_too_large", request_id: expect.any(String) });
    expect(body.error).not.toHaveProperty("details");
    expect(JSON.stringify(body)).not.toMatch(/current rows|max_rows_to_read|rows_read/i);
    // The unrestricted admin still gets the engine's detail to debug with.
    const adminBody = await (await call(preview, admin, { tenant_id: "zz-big", ...scan })).json();
    expect(adminBody.error.code).toBe("query_too_large");
    expect(adminBody.error.details.engine_error).toMatch(/rows/i);
  });
});
