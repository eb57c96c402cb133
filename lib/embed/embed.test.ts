import { SignJWT, decodeJwt, type JWTPayload } from "jose";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { closeAnalytics } from "@/lib/analytics/engine";
import type { EventRow } from "@/lib/analytics/event-row";
import { createApiKey } from "@/lib/auth/api-keys";
import { getDb } from "@/lib/db";
import { ensureDemoDashboard, DEMO_DASHBOARD_ID } from "@/lib/dashboards/demo-dashboard";
import { openEmbed, type OpenedEmbed } from "@/lib/embed/open-embed";
import { embedPage, embedPageHead } from "@/lib/embed/embed-page";
import { pageModel } from "@/lib/dashboards/page-model";
import { initialState, runDashboard } from "@/lib/query/run-dashboard";
import { DATA_AUDIENCE, EMBED_AUDIENCE, ISSUER } from "@/lib/embed/tokens";
import { getSecrets } from "@/lib/secrets";
import { DEMO_DAYS, demoAnchor } from "@/lib/analytics/demo-data";
import { loadDemoFixture } from "@/lib/testing/analytics-fixture";
import { migrateTestDatabase } from "@/lib/testing/test-db";
import { POST as mintRoute } from "@/app/v1/embed-sessions/route";
import { DELETE as revokeRoute, GET as getRoute } from "@/app/v1/embed-sessions/[id]/route";
import { POST as revokeTenantRoute } from "@/app/v1/tenants/[tenant_id]/revoke-sessions/route";
import { POST as queryRoute } from "@/app/api/embed/query/route";
import { POST as valuesRoute } from "@/app/api/embed/filter-values/route";
import { POST as exportRoute } from "@/app/api/embed/export/route";

let rows: EventRow[];
let embedKey: string;
let acmeKey: string;
let ingestKey: string;
const logs: string[] = [];

function api(handler: (req: Request, ctx: { params: Promise<Record<string, string>> }) => Promise<Response>, key: string, body?: unknown, params: Record<string, string> = {}, method = "POST") {
  const init: RequestInit = { method, headers: { authorization: `Bearer ${key}`, "content-type": "application/json" } };
  if (body !== undefined) init.body = JSON.stringify(body);
  return handler(new Request("http://test/v1", init), { params: Promise.resolve(params) });
}

async function mint(body: Record<string, unknown>, key = embedKey) {
  const res = await api(mintRoute as never, key, { dashboard_id: DEMO_DASHBOARD_ID, ...body });
  return { status: res.status, body: await res.json() };
}

function data(handler: (req: Request) => Promise<Response>, token: string | undefined, body: unknown, url = "http://test/api/embed") {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  return handler(new Request(url, { method: "POST", headers, body: JSON.stringify(body) }));
}

/** What the embed page renders for the token: the opened session, and the first render through the front door. */
async function open(tenant: string, extra: Record<string, unknown> = {}) {
  const minted = await mint({ tenant_id: tenant, ...extra });
  const opened = await openEmbed(minted.body.token);
  if (!opened.ok) throw new Error(`open failed: ${opened.code}`);
  return { minted: minted.body, view: await rendered(opened) };
}

async function rendered(opened: OpenedEmbed) {
  const state = initialState(opened.source.definition);
  const render = await runDashboard(opened.reader, state);
  const model = pageModel({ title: opened.source.name, definition: opened.source.definition, permissions: opened.session.permissions, widgets: render.widgets, layout: render.layout, state, session: { mode: "embed", dataToken: opened.dataToken, sessionExpiresAt: opened.sessionExpiresAt, sessionExpiresInMs: opened.sessionExpiresInMs, origins: opened.origins, locale: opened.session.locale } });
  return { ...opened, widgets: render.widgets, results: render.outcomes, layout: render.layout, locked: model.locked, dimensions: model.client.dimensions };
}
type EmbedView = Awaited<ReturnType<typeof rendered>>;

const kpi = (view: EmbedView, id: string) => {
  const r = view.results.find((x) => x.widget_id === id)!;
  return "rows" in r ? r.rows[0].m0 : r.error.code;
};

beforeAll(async () => {
  migrateTestDatabase();
  ({ rows } = await loadDemoFixture(20_000));
  await ensureDemoDashboard();
  embedKey = (await createApiKey({ name: "embed", scopes: ["embed"] }, "test")).secret;
  acmeKey = (await createApiKey({ name: "acme embed", scopes: ["embed"], tenant_id: "acme" }, "test")).secret;
  ingestKey = (await createApiKey({ name: "ingest", scopes: ["ingest"] }, "test")).secret;
  for (const level of ["log", "info", "warn", "error"] as const) {
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => void logs.push(args.map(String).join(" ")));
  }
});
afterAll(async () => {
  vi.restoreAllMocks();
  await closeAnalytics();
});

describe("POST /v1/embed-sessions", () => {
  it("mints a session with the seed's contract", async () => {
    const { status, body } = await mint({ tenant_id: "acme" });
    expect(status).toBe(201);
    expect(Object.keys(body).sort()).toEqual(["embed_url", "expires_at", "session_id", "token"]);
    expect(body.embed_url).toBe(`http://localhost:3000/embed/${body.token}`);
    const expiresIn = (Date.parse(body.expires_at) - Date.now()) / 1000;
    expect(expiresIn).toBeGreaterThan(3590);
    expect(expiresIn).toBeLessThanOrEqual(3600);
    const claims = decodeJwt(body.token);
    expect(claims).toMatchObject({ iss: ISSUER, aud: EMBED_AUDIENCE, jti: body.session_id, tenant: "acme", dashboard: DEMO_DASHBOARD_ID });
    expect(claims.origins).toEqual(expect.arrayContaining(["http://localhost:3000", "http://localhost:4000"]));
  });

  it.each([
    [{ tenant_id: "acme", dashboard_id: "dash_nope" }, 404, "not_found"],
    [{ tenant_id: "bad tenant" }, 400, "validation_failed"],
    [{ tenant_id: "acme", permissions: { locked_filters: { country: ["US"] }, surprise: true } }, 400, "validation_failed"],
    [{ tenant_id: "acme", permissions: { locked_filters: { tenant_id: ["globex"] } } }, 400, "validation_failed"],
    [{ tenant_id: "acme", expires_in: 999_999 }, 400, "validation_failed"],
    [{ tenant_id: "acme", expires_in: 5 }, 400, "validation_failed"],
    [{ tenant_id: "acme", tenant: "globex" }, 400, "validation_failed"],
  ])("refuses %j with %i %s", async (body, status, code) => {
    const res = await mint(body);
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(code);
    expect(res.body.error.message.length).toBeGreaterThan(15);
  });

  it("refuses a dashboard that was never published", async () => {
    await getDb().dashboard.create({ data: { id: "dash_draft", name: "Draft", draft: JSON.stringify({ widgets: [] }), createdBy: "t", updatedBy: "t" } });
    const res = await mint({ tenant_id: "acme", dashboard_id: "dash_draft" });
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: "not_published", message: expect.stringContaining("never been published") });
  });

  it("lets a tenant-restricted key mint only for its tenant, and an ingest key not at all", async () => {
    expect((await mint({ tenant_id: "acme" }, acmeKey)).status).toBe(201);
    expect((await mint({ tenant_id: "acme2" }, acmeKey)).body.error.code).toBe("tenant_forbidden");
    expect((await mint({ tenant_id: "acme" }, ingestKey)).status).toBe(403);
  });

  it("reads, revokes one, and revokes a tenant's sessions; a restricted key cannot see other tenants' sessions", async () => {
    const { minted } = await open("globex");
    const got = await (await api(getRoute as never, embedKey, undefined, { id: minted.session_id }, "GET")).json();
    expect(got).toMatchObject({ session_id: minted.session_id, tenant_id: "globex", status: "active" });
    expect((await api(getRoute as never, acmeKey, undefined, { id: minted.session_id }, "GET")).status).toBe(404);
    expect((await api(revokeRoute as never, acmeKey, undefined, { id: minted.session_id }, "DELETE")).status).toBe(404);
    const revoked = await (await api(revokeRoute as never, embedKey, undefined, { id: minted.session_id }, "DELETE")).json();
    expect(revoked.status).toBe("revoked");
    expect((await openEmbed(minted.token)) as unknown).toMatchObject({ ok: false, code: "session_revoked" });

    const a = await open("initech");
    const b = await open("initech");
    expect((await api(revokeTenantRoute as never, acmeKey, undefined, { tenant_id: "initech" })).status).toBe(403);
    const cut = await (await api(revokeTenantRoute as never, embedKey, undefined, { tenant_id: "initech" })).json();
    expect(cut.sessions_revoked).toBeGreaterThanOrEqual(2);
    for (const s of [a, b]) {
      const res = await data(queryRoute, s.view.dataToken, { widget_id: "signups" });
      expect(res.status).toBe(401);
      expect((await res.json()).error.code).toBe("session_revoked");
    }
    // Sessions minted after the cutoff work.
    const fresh = await open("initech");
    expect(kpi(fresh.view, "signups")).toEqual(expect.any(Number));
  });
});

describe("the embed for two tenants", () => {
  it("shows each tenant exactly its own numbers (acme vs acme2)", async () => {
    // The whole demo period, as an absolute range: every demo row is inside it.
    const day = (offset: number) => new Date(demoAnchor().getTime() - offset * 86_400_000).toISOString().slice(0, 10);
    const everything = { time_range: { kind: "absolute", from: day(DEMO_DAYS), to: day(1) } };
    for (const tenant of ["acme", "acme2"]) {
      const { view } = await open(tenant, { permissions: { allow_export: true } });
      expect(view.widgets.map((w) => w.id)).toEqual(["signups", "revenue", "page-views", "signups-by-country", "devices", "top-pages"]);
      const res = await data(queryRoute, view.dataToken, { widget_id: "signups", filters: everything });
      expect((await res.json()).rows[0].m0).toBe(rows.filter((r) => r.tenant_id === tenant && r.name === "signup").length);
      const revenue = await (await data(queryRoute, view.dataToken, { widget_id: "revenue", filters: everything })).json();
      const expectedRevenue = rows.filter((r) => r.tenant_id === tenant && r.name === "order_completed").reduce((sum, r) => sum + (r.value ?? 0), 0);
      expect(revenue.rows[0].m0).toBeCloseTo(expectedRevenue, 6);
      const countries = await (await data(valuesRoute, view.dataToken, { dimension: "country" })).json();
      const own = new Set(rows.filter((r) => r.tenant_id === tenant).map((r) => r.properties.country));
      expect(new Set(countries.values.map((v: { value: string }) => v.value))).toEqual(own);
      const csv = await (await data(exportRoute, view.dataToken, { widget_id: "signups-by-country", filters: everything })).text();
      const byCountry = new Map<string, number>();
      for (const r of rows) if (r.tenant_id === tenant && r.name === "signup") byCountry.set(r.properties.country, (byCountry.get(r.properties.country) ?? 0) + 1);
      const exported = Object.fromEntries(csv.trim().split("\r\n").slice(1).map((line) => [line.split(",")[0], Number(line.split(",")[1])]));
      expect(exported).toEqual(Object.fromEntries(byCountry));
      // The header says what the card says, for the breakdown in effect.
      expect(csv.split("\r\n")[0]).toBe("Country,Events (signup)");
      const byPlan = await (await data(exportRoute, view.dataToken, { widget_id: "signups-by-country", filters: { ...everything, breakdown: "plan" } })).text();
      expect(byPlan.split("\r\n")[0]).toBe("Plan,Events (signup)");
      const kpi = await (await data(exportRoute, view.dataToken, { widget_id: "signups", filters: everything })).text();
      expect(kpi.split("\r\n")[0]).toBe("Events (signup),Events (signup) (previous period)");
      const daily = await (await data(exportRoute, view.dataToken, { widget_id: "page-views", filters: everything })).text();
      expect(daily.split("\r\n")[0]).toMatch(/^Date,/);
      expect(daily).not.toMatch(/^bucket|dimension|\bm0\b/m);
    }
  });

  it("sends no SQL, no spec internals and no tenant id of another tenant to the browser", async () => {
    const { view } = await open("acme2");
    const text = JSON.stringify(view);
    expect(text).not.toMatch(/SELECT|FROM enclave|tenant_id|"acme"|globex/);
  });
});

describe("permissions: the server refuses what the UI hides", () => {
  it("never queries nor sends hidden widgets", async () => {
    const { view } = await open("acme", { permissions: { hidden_widgets: ["revenue"] } });
    expect(view.widgets.map((w) => w.id)).not.toContain("revenue");
    expect(view.results.map((r) => r.widget_id)).not.toContain("revenue");
    // No hole where it was: the KPI beside it takes the row.
    expect(view.layout.find((l) => l.widget_id === "signups")).toMatchObject({ x: 0, y: 0, w: 12 });
    expect((await open("acme")).view.layout.find((l) => l.widget_id === "signups")).toMatchObject({ x: 0, y: 0, w: 6 });
    const res = await data(queryRoute, view.dataToken, { widget_id: "revenue" });
    expect(res.status).toBe(404);
  });

  it("applies locked filters to every widget and refuses to widen them", async () => {
    const { view } = await open("acme", { permissions: { locked_filters: { country: ["US"] } } });
    const res = await (await data(queryRoute, view.dataToken, { widget_id: "signups-by-country", filters: { filters: [{ field: "country", op: "in", values: ["US", "CA", "GB"] }] } })).json();
    expect(res.rows.map((r: { dimension: string }) => r.dimension)).toEqual(["US"]);
    const values = await (await data(valuesRoute, view.dataToken, { dimension: "country" })).json();
    expect(values.values.map((v: { value: string }) => v.value)).toEqual(["US"]);
    expect(view.locked).toEqual({ country: ["US"] });
  });

  it("limits breakdowns and filters to allowed dimensions, and drill-down when off", async () => {
    const { view } = await open("acme", { permissions: { allowed_dimensions: ["country"] } });
    expect((await data(queryRoute, view.dataToken, { widget_id: "signups-by-country", filters: { breakdown: "plan" } })).status).toBe(403);
    expect((await data(valuesRoute, view.dataToken, { dimension: "plan" })).status).toBe(403);
    expect(view.dimensions.map((d) => d.id)).toEqual(["country"]);
    const noDrill = await open("acme", { permissions: { allow_drill_down: false } });
    expect(noDrill.view.widgets.every((w) => !w.drillable)).toBe(true);
    expect((await data(queryRoute, noDrill.view.dataToken, { widget_id: "signups-by-country", filters: { breakdown: "device" } })).status).toBe(403);
  });

  it("bounds the date range and refuses export unless allowed", async () => {
    const { view } = await open("acme", { permissions: { max_date_range_days: 7 } });
    const week = await (await data(queryRoute, view.dataToken, { widget_id: "signups", filters: { time_range: { kind: "last_7_days" } } })).json();
    const asked90 = await (await data(queryRoute, view.dataToken, { widget_id: "signups", filters: { time_range: { kind: "last_90_days" } } })).json();
    expect(asked90.rows[0].m0).toBe(week.rows[0].m0);
    expect((await data(exportRoute, view.dataToken, { widget_id: "signups" })).status).toBe(403);
  });

  it("refuses a tenant field anywhere in a data request", async () => {
    const { view } = await open("acme");
    for (const body of [{ widget_id: "signups", tenant_id: "globex" }, { widget_id: "signups", filters: { tenant_id: "globex" } }, { widget_id: "signups", filters: { filters: [{ field: "tenant_id", op: "equals", value: "globex" }] } }]) {
      expect((await data(queryRoute, view.dataToken, body)).status).toBe(400);
    }
    expect((await data(valuesRoute, view.dataToken, { dimension: "tenant_id" })).status).toBe(400);
  });
});

describe("token attacks: each gets no data", () => {
  const secret = () => new TextEncoder().encode(getSecrets().embedSigningKeys.at(-1)!.secret);
  const kid = () => getSecrets().embedSigningKeys.at(-1)!.kid;
  const forge = (payload: JWTPayload, opts: { aud?: string; iss?: string; kid?: string; key?: Uint8Array; exp?: number; nbf?: number } = {}) =>
    new SignJWT(payload)
      .setProtectedHeader({ alg: "HS256", kid: opts.kid ?? kid() })
      .setIssuer(opts.iss ?? ISSUER)
      .setAudience(opts.aud ?? EMBED_AUDIENCE)
      .setIssuedAt()
      .setNotBefore(opts.nbf ?? Math.floor(Date.now() / 1000))
      .setExpirationTime(opts.exp ?? Math.floor(Date.now() / 1000) + 600)
      .sign(opts.key ?? secret());

  async function refused(token: string, code: string) {
    const page = await openEmbed(token);
    expect(page, code).toMatchObject({ ok: false, code });
    expect(JSON.stringify(page)).not.toMatch(/Product analytics|signups|m0/);
  }

  it("refuses alg none, a wrong key, unknown or odd kids, wrong aud/iss, expired and not-yet-valid tokens", async () => {
    const { minted } = await open("acme");
    const claims = decodeJwt(minted.token);
    const body = { jti: claims.jti, tenant: claims.tenant, dashboard: claims.dashboard, permissions: claims.permissions, origins: claims.origins };
    const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString("base64url");
    await refused(`${b64({ alg: "none", kid: kid() })}.${minted.token.split(".")[1]}.`, "invalid_token");
    await refused(`${b64({ alg: "HS512", kid: kid() })}.${minted.token.split(".")[1]}.${minted.token.split(".")[2]}`, "invalid_token");
    await refused(await forge(body, { key: new TextEncoder().encode("x".repeat(40)) }), "invalid_token");
    await refused(await forge(body, { kid: "nope" }), "invalid_token");
    await refused(await forge(body, { kid: "../../etc/passwd" }), "invalid_token");
    await refused(await forge(body, { aud: DATA_AUDIENCE }), "invalid_token");
    await refused(await forge(body, { iss: "someone-else" }), "invalid_token");
    await refused(await forge(body, { exp: Math.floor(Date.now() / 1000) - 10, nbf: Math.floor(Date.now() / 1000) - 100 }), "session_expired");
    await refused(await forge(body, { nbf: Math.floor(Date.now() / 1000) + 3600 }), "invalid_token");
    await refused("not.a.token", "invalid_token");
    await refused("", "invalid_token");
  });

  it("refuses tampered tenant, dashboard, permissions and origins claims", async () => {
    const { minted } = await open("acme", { permissions: { hidden_widgets: ["revenue"] } });
    const [h, p, s] = minted.token.split(".");
    const payload = JSON.parse(Buffer.from(p, "base64url").toString());
    for (const change of [{ tenant: "globex" }, { dashboard: "dash_other" }, { permissions: { ...payload.permissions, hidden_widgets: [] } }, { origins: ["https://evil.example"] }]) {
      const tampered = `${h}.${Buffer.from(JSON.stringify({ ...payload, ...change })).toString("base64url")}.${s}`;
      await refused(tampered, "invalid_token");
    }
    // Correctly signed but naming another tenant than the stored session: still refused.
    await refused(await forge({ ...payload, tenant: "globex" }), "invalid_token");
  });

  it("refuses a spent single-use session on its second load", async () => {
    const { body } = await mint({ tenant_id: "acme", single_use: true });
    expect((await openEmbed(body.token)).ok).toBe(true);
    await refused(body.token, "session_spent");
  });

  it("answers HEAD with GET's status and framing, without spending a single-use link", async () => {
    const { body } = await mint({ tenant_id: "acme", single_use: true });
    expect(body.token).toBeTruthy();
    for (let i = 0; i < 2; i++) {
      const head = await embedPageHead(encodeURIComponent(body.token));
      expect(head.status).toBe(200);
      expect(head.headers.get("content-security-policy")).toContain("frame-ancestors http://localhost:3000 http://localhost:4000");
    }
    const page = await embedPage(encodeURIComponent(body.token));
    expect(page.status).toBe(200);
    // Spent now: HEAD says so as GET would, and shows no dashboard.
    expect((await embedPageHead(body.token)).status).toBe(401);
    expect((await embedPage(body.token)).status).toBe(401);
    expect((await embedPageHead("not-a-token")).status).toBe(401);
    expect((await embedPageHead("%E0%A4%A")).headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
  });

  it("refuses a token for dashboard X used with widget ids of Y, a data token of another session, and an embed token as a data token", async () => {
    await getDb().dashboard.update({ where: { id: "dash_draft" }, data: { draft: JSON.stringify({ widgets: [{ kind: "chart", id: "secret-widget", title: "S", chart: "kpi", metrics: [{ id: "event_count" }] }] }) } });
    const { publishVersion } = await import("@/lib/dashboards/publish-version");
    await publishVersion({ dashboardId: "dash_draft", actor: "test" });
    const { view } = await open("acme");
    expect((await data(queryRoute, view.dataToken, { widget_id: "secret-widget" })).status).toBe(404);

    const a = await open("acme");
    const b = await open("globex");
    const aSignups = (await (await data(queryRoute, a.view.dataToken, { widget_id: "signups" })).json()).rows[0].m0;
    const bSignups = (await (await data(queryRoute, b.view.dataToken, { widget_id: "signups" })).json()).rows[0].m0;
    expect(aSignups).not.toBe(bSignups);
    // Revoking A does not let B's token read A, and A's data token stops working.
    await api(revokeRoute as never, embedKey, undefined, { id: a.minted.session_id }, "DELETE");
    expect((await data(queryRoute, a.view.dataToken, { widget_id: "signups" })).status).toBe(401);
    expect((await (await data(queryRoute, b.view.dataToken, { widget_id: "signups" })).json()).rows[0].m0).toBe(bSignups);
    // An embed (URL) token is not a data token.
    expect((await data(queryRoute, b.minted.token, { widget_id: "signups" })).status).toBe(401);
    // A forged data token with another tenant and the right session id is refused (claims must match the session).
    const dataClaims = decodeJwt(b.view.dataToken);
    const forgedData = await forge({ jti: dataClaims.jti, tenant: "acme", dashboard: dataClaims.dashboard, version: dataClaims.version }, { aud: DATA_AUDIENCE });
    expect((await data(queryRoute, forgedData, { widget_id: "signups" })).status).toBe(401);
  });

  it("ignores a token in the query string: no header, no data", async () => {
    const { view } = await open("acme");
    const res = await data(queryRoute, undefined, { widget_id: "signups" }, `http://test/api/embed/query?token=${view.dataToken}&access_token=${view.dataToken}`);
    expect(res.status).toBe(401);
    expect(JSON.stringify(await res.json())).not.toContain("m0");
  });
});

describe("engine statistics", () => {
  it("never reach a tenant: the data endpoints answer rows, not what the engine read", async () => {
    const { view } = await open("acme");
    const query = await (await data(queryRoute, view.dataToken, { widget_id: "signups" })).json();
    expect(Object.keys(query).sort()).toEqual(["columns", "rows", "widget_id"]);
    const values = await (await data(valuesRoute, view.dataToken, { dimension: "country" })).json();
    expect(Object.keys(values).sort()).toEqual(["dimension", "values"]);
    for (const body of [query, values]) expect(JSON.stringify(body)).not.toMatch(/rows_read|bytes_read|elapsed|statistics/);
  });
});

describe("logs", () => {
  it("never contain tokens or API keys", async () => {
    const { minted, view } = await open("acme");
    await data(queryRoute, view.dataToken, { widget_id: "nope" });
    await data(queryRoute, `${view.dataToken}x`, { widget_id: "signups" });
    const all = logs.join("\n");
    for (const secret of [minted.token, view.dataToken, embedKey, acmeKey, ingestKey]) {
      expect(all).not.toContain(secret);
      expect(all).not.toContain(secret.split(".").at(-1));
    }
  });
});

describe("review findings, fixed", () => {
  it("the session-state cache forgets sessions not used for 5 s instead of keeping every session ever opened", async () => {
    const { createEmbedSession, loadActiveSession, sessionCacheSize } = await import("@/lib/embed/sessions");
    const ctx = { actor: "test", assertTenant: () => {} };
    const claims = async (tenant: string) => ({ jti: (await createEmbedSession({ tenant_id: tenant, dashboard_id: DEMO_DASHBOARD_ID }, ctx)).session_id, tenant, dashboard: DEMO_DASHBOARD_ID });
    const opened = await Promise.all(Array.from({ length: 20 }, (_, i) => claims(i % 2 ? "acme" : "globex")));
    for (const c of opened) await loadActiveSession(c);
    expect(sessionCacheSize()).toBeGreaterThanOrEqual(20);
    const later = Date.now() + 6_000;
    const now = vi.spyOn(Date, "now").mockReturnValue(later);
    try {
      const fresh = await claims("acme");
      expect((await loadActiveSession(fresh)).tenantId).toBe("acme");
      expect(sessionCacheSize()).toBe(1);
      // A forgotten session is read again from the store, with the same answer.
      expect((await loadActiveSession(opened[1])).tenantId).toBe("acme");
      expect(sessionCacheSize()).toBe(2);
    } finally {
      now.mockRestore();
    }
  });

  it("a tenant-restricted admin key may not read or change a shared dashboard's allowed origins", async () => {
    const { GET, PUT } = await import("@/app/v1/dashboards/[id]/allowed-origins/route");
    const restricted = (await createApiKey({ name: "acme admin", scopes: ["admin", "embed"], tenant_id: "acme" }, "test")).secret;
    const admin = (await createApiKey({ name: "admin", scopes: ["admin"] }, "test")).secret;
    expect((await api(GET as never, restricted, undefined, { id: DEMO_DASHBOARD_ID }, "GET")).status).toBe(403);
    expect((await api(PUT as never, restricted, { origins: ["https://evil.example"] }, { id: DEMO_DASHBOARD_ID }, "PUT")).status).toBe(403);
    const before = decodeJwt((await mint({ tenant_id: "globex" })).body.token).origins;
    expect(before).not.toContain("https://evil.example");
    const put = await api(PUT as never, admin, { origins: ["http://localhost:3000", "http://localhost:4000", "https://app.example.com"] }, { id: DEMO_DASHBOARD_ID }, "PUT");
    expect(await put.json()).toMatchObject({ origins: ["http://localhost:3000", "http://localhost:4000", "https://app.example.com"] });
    expect(decodeJwt((await mint({ tenant_id: "globex" })).body.token).origins).toContain("https://app.example.com");
    expect((await api(PUT as never, admin, { origins: ["https://x.example/path"] }, { id: DEMO_DASHBOARD_ID }, "PUT")).status).toBe(400);
    expect((await api(PUT as never, admin, { origins: ["https://x.example; script-src *"] }, { id: DEMO_DASHBOARD_ID }, "PUT")).status).toBe(400);
  });

  it("filter values honour max_date_range_days", async () => {
    const all = await open("acme");
    const bounded = await open("acme", { permissions: { max_date_range_days: 1 } });
    const sum = async (token: string) => ((await (await data(valuesRoute, token, { dimension: "plan" })).json()).values as { events: number }[]).reduce((a, v) => a + v.events, 0);
    const everything = await sum(all.view.dataToken);
    expect(everything).toBe(rows.filter((r) => r.tenant_id === "acme").length);
    expect(await sum(bounded.view.dataToken)).toBeLessThan(everything / 10);
  });

  it("a data token cannot be refreshed onto a dashboard published anew, so a removed widget stops answering", async () => {
    const { POST: refresh } = await import("@/app/api/embed/refresh/route");
    const { view } = await open("acme2");
    const fresh = await data(refresh, view.dataToken, {});
    expect(fresh.status).toBe(200);
    const { publishVersion } = await import("@/lib/dashboards/publish-version");
    const db = getDb();
    const draft = JSON.parse((await db.dashboard.findUniqueOrThrow({ where: { id: DEMO_DASHBOARD_ID } })).draft);
    draft.widgets = draft.widgets.filter((w: { id: string }) => w.id !== "revenue");
    draft.layout = draft.layout.filter((l: { widget_id: string }) => l.widget_id !== "revenue");
    const original = await db.dashboard.findUniqueOrThrow({ where: { id: DEMO_DASHBOARD_ID } });
    await db.dashboard.update({ where: { id: DEMO_DASHBOARD_ID }, data: { draft: JSON.stringify(draft) } });
    await publishVersion({ dashboardId: DEMO_DASHBOARD_ID, actor: "test" });
    const refused = await data(refresh, (await fresh.json()).data_token, {});
    expect(refused.status).toBe(409);
    const next = await open("acme2");
    expect(next.view.widgets.map((w) => w.id)).not.toContain("revenue");
    // Put the original back for the other tests.
    await db.dashboard.update({ where: { id: DEMO_DASHBOARD_ID }, data: { draft: original.draft } });
    await publishVersion({ dashboardId: DEMO_DASHBOARD_ID, actor: "test" });
  });

  it("treats a malformed token as invalid", async () => {
    expect(await openEmbed("%E0%A4%A")).toMatchObject({ ok: false, code: "invalid_token", origins: [] });
  });

  it("exports CSV without formula injection and keeps numbers numbers", async () => {
    const { toCsv } = await import("@/lib/embed/csv");
    expect(toCsv(["a", "b"], [{ a: "=1+1", b: -5 }, { a: " @x", b: 1.5 }, { a: 'say "hi", ok', b: null }, { a: "＝1", b: 0 }])).toBe(
      `a,b\r\n'=1+1,-5\r\n' @x,1.5\r\n"say ""hi"", ok",\r\n'＝1,0\r\n`,
    );
  });
});
