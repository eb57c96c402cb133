import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { closeAnalytics, getAnalytics } from "@/lib/analytics/engine";
import { ensureAnalyticsSchema } from "@/lib/analytics/schema";
import { createApiKey } from "@/lib/auth/api-keys";
import { getDb } from "@/lib/db";
import { DEMO_DASHBOARD_ID, ensureDemoDashboard } from "@/lib/dashboards/demo-dashboard";
import { createDashboard } from "@/lib/dashboards/drafts";
import { publishVersion } from "@/lib/dashboards/publish-version";
import { openEmbed } from "@/lib/embed/open-embed";
import { migrateTestDatabase } from "@/lib/testing/test-db";
import { MAX_VIEWS_PER_USER } from "@/lib/views/saved-views";
import { POST as mintRoute } from "@/app/v1/embed-sessions/route";
import { DELETE as revokeRoute } from "@/app/v1/embed-sessions/[id]/route";
import { POST as queryRoute } from "@/app/api/embed/query/route";
import { GET as listRoute, POST as createRoute } from "./route";
import { DELETE as deleteRoute, GET as openRoute, PATCH as patchRoute } from "./[id]/route";

// Saved views through the real routes, real sessions (minted by the /v1 API,
// opened by the embed page's own code) and a real SQLite database. Every
// isolation claim is made with two tenants, including look-alike ids.

let embedKey: string;
const logs: string[] = [];

type Session = { token: string; sessionId: string; embedToken: string };

async function session(tenant: string, extra: Record<string, unknown> = {}, dashboardId = DEMO_DASHBOARD_ID): Promise<Session> {
  const res = await mintRoute(new Request("http://test/v1/embed-sessions", { method: "POST", headers: { authorization: `Bearer ${embedKey}`, "content-type": "application/json" }, body: JSON.stringify({ tenant_id: tenant, dashboard_id: dashboardId, ...extra }) }), { params: Promise.resolve({}) });
  const minted = await res.json();
  if (res.status !== 201) throw new Error(`mint failed: ${JSON.stringify(minted)}`);
  const view = await openEmbed(minted.token);
  if (!view.ok) throw new Error(`open failed: ${view.code}`);
  return { token: view.dataToken, sessionId: minted.session_id, embedToken: minted.token };
}

type Method = "GET" | "POST" | "PATCH" | "DELETE";
async function call(method: Method, token: string | undefined, id?: string, body?: unknown) {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (token !== undefined) headers.authorization = `Bearer ${token}`;
  const init: RequestInit = { method, headers };
  if (body !== undefined) init.body = typeof body === "string" ? body : JSON.stringify(body);
  const req = new Request(`http://test/api/embed/views${id ? `/${id}` : ""}`, init);
  const route = { params: Promise.resolve({ id: id ?? "" }) };
  const handler = id === undefined ? { GET: listRoute, POST: createRoute }[method as "GET" | "POST"] : { GET: openRoute, PATCH: patchRoute, DELETE: deleteRoute }[method as "GET" | "PATCH" | "DELETE"];
  const res = await handler(req, route);
  return { status: res.status, body: await res.json() };
}

const list = async (s: Session) => (await call("GET", s.token)).body.views as { id: string; name: string; owned: boolean; shared: boolean }[];
async function save(s: Session, name: string, state: unknown = {}, shared = false): Promise<string> {
  const res = await call("POST", s.token, undefined, { name, state, shared });
  if (res.status !== 201) throw new Error(`save failed: ${JSON.stringify(res.body)}`);
  return res.body.view.id;
}
const row = (id: string) => getDb().savedView.findUnique({ where: { id } });

const BY_COUNTRY_DE = { filters: [{ field: "country", op: "equals", value: "DE" }] };

beforeAll(async () => {
  migrateTestDatabase();
  await ensureAnalyticsSchema(getAnalytics());
  await ensureDemoDashboard();
  embedKey = (await createApiKey({ name: "embed", scopes: ["embed"] }, "test")).secret;
  for (const level of ["log", "info", "warn", "error"] as const) {
    vi.spyOn(console, level).mockImplementation((...args: unknown[]) => void logs.push(args.map(String).join(" ")));
  }
});
afterAll(async () => {
  vi.restoreAllMocks();
  await closeAnalytics();
});

describe("tenant isolation", () => {
  it.each([
    ["acme", "globex"],
    ["acme", "acme2"],
    ["acme", "ACME"],
    ["acme2", "acme"],
  ])("%s's views are invisible and untouchable for %s, even with the real view id", async (a, b) => {
    // Same user id and a shared view: only the tenant separates them.
    const sa = await session(a, { user_id: "u1" });
    const sb = await session(b, { user_id: "u1" });
    const id = await save(sa, `${a} revenue view`, { filters: BY_COUNTRY_DE }, true);
    const before = await row(id);

    expect((await list(sb)).map((v) => v.id)).not.toContain(id);
    for (const [method, body] of [["GET"], ["PATCH", { name: "taken over" }], ["PATCH", { shared: false }], ["DELETE"]] as const) {
      const res = await call(method, sb.token, id, body);
      expect([method, res.status, res.body.error.code]).toEqual([method, 404, "not_found"]);
      expect(JSON.stringify(res.body)).not.toContain("revenue view");
    }
    expect(await row(id)).toEqual(before);
    expect((await list(sa)).map((v) => v.id)).toContain(id);
  });

  it("never takes a tenant, user or dashboard from the body", async () => {
    const s = await session("acme", { user_id: "u1" });
    for (const body of [
      { name: "x", state: {}, tenant_id: "globex" },
      { name: "x", state: {}, user_id: "u2" },
      { name: "x", state: {}, dashboard_id: "dash_other" },
      { name: "x", state: { tenant_id: "globex" } },
      { name: "x", state: { filters: { filters: [{ field: "tenant_id", op: "equals", value: "globex" }] } } },
    ]) {
      const res = await call("POST", s.token, undefined, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.error.code).toBe("validation_failed");
    }
    const id = await save(s, "mine");
    expect((await call("PATCH", s.token, id, { name: "y", tenant_id: "globex" })).status).toBe(400);
    expect(await row(id)).toMatchObject({ tenantId: "acme", userId: "u1", dashboardId: DEMO_DASHBOARD_ID, name: "mine" });
  });

  it("keeps a tenant's views to the dashboard they were saved on", async () => {
    const other = await createDashboard({ name: "Other", actor: "test", definition: { widgets: [{ kind: "chart", id: "signups", title: "Signups", chart: "kpi", metrics: [{ id: "event_count" }] }] } });
    await publishVersion({ dashboardId: other, actor: "test" });
    const demo = await session("initech", { user_id: "u1" });
    const elsewhere = await session("initech", { user_id: "u1" }, other);
    const id = await save(demo, "demo only", {}, true);
    expect((await list(elsewhere)).map((v) => v.id)).not.toContain(id);
    expect((await call("GET", elsewhere.token, id)).status).toBe(404);
    expect((await call("DELETE", elsewhere.token, id)).status).toBe(404);
    expect(await row(id)).not.toBeNull();
  });
});

describe("users within a tenant", () => {
  it("shows a private view only to its user; a shared one to the team, who cannot change it", async () => {
    const u1 = await session("umbrella", { user_id: "u1" });
    const u2 = await session("umbrella", { user_id: "u2" });
    const privateId = await save(u1, "u1 private", { filters: BY_COUNTRY_DE });
    const sharedId = await save(u1, "u1 shared", { filters: BY_COUNTRY_DE }, true);

    expect((await list(u2)).map((v) => [v.id, v.owned])).toEqual([[sharedId, false]]);
    expect((await call("GET", u2.token, privateId)).status).toBe(404);
    const opened = await call("GET", u2.token, sharedId);
    expect(opened.status).toBe(200);
    expect(opened.body.state.filters).toEqual(BY_COUNTRY_DE);
    expect(opened.body.view).toMatchObject({ id: sharedId, name: "u1 shared", shared: true, owned: false });
    expect(Object.keys(opened.body.view).sort()).toEqual(["created_at", "id", "name", "owned", "shared", "updated_at", "version_number"]);

    const before = [await row(privateId), await row(sharedId)];
    for (const id of [privateId, sharedId]) {
      for (const [method, body] of [["PATCH", { name: "mine now" }], ["PATCH", { shared: false }], ["PATCH", { shared: true }], ["DELETE"]] as const) {
        const res = await call(method, u2.token, id, body);
        expect([id, method, res.status, res.body.error.code]).toEqual([id, method, 404, "not_found"]);
      }
    }
    expect([await row(privateId), await row(sharedId)]).toEqual(before);

    // The owner unshares: u2 loses it at once.
    const unshared = await call("PATCH", u1.token, sharedId, { shared: false });
    expect(unshared.body.view).toMatchObject({ shared: false, owned: true });
    expect(await list(u2)).toEqual([]);
    expect((await call("GET", u2.token, sharedId)).status).toBe(404);
  });

  it("gives sessions without a user id the views without one, and keeps them apart from named users", async () => {
    const anon = await session("hooli");
    const anon2 = await session("hooli");
    const named = await session("hooli", { user_id: "u1" });
    const anonId = await save(anon, "anonymous view");
    const namedId = await save(named, "named view");
    expect((await list(anon2)).map((v) => [v.id, v.owned])).toEqual([[anonId, true]]);
    expect((await list(named)).map((v) => v.id)).toEqual([namedId]);
    expect((await call("GET", anon.token, namedId)).status).toBe(404);
    expect((await call("DELETE", named.token, anonId)).status).toBe(404);
    expect((await row(anonId))?.userId).toBeNull();
    // Sharing makes an anonymous view visible to named users too, still read-only for them.
    await call("PATCH", anon.token, anonId, { shared: true });
    expect((await list(named)).map((v) => [v.id, v.owned])).toContainEqual([anonId, false]);
    expect((await call("PATCH", named.token, anonId, { name: "x" })).status).toBe(404);
  });
});

describe("create, rename, share, delete", () => {
  it("saves with the session's tenant, user, dashboard and version; renames, shares and deletes", async () => {
    const s = await session("acme", { user_id: "owner" });
    const res = await call("POST", s.token, undefined, { name: "  Germany, last 7 days  ", state: { filters: { ...BY_COUNTRY_DE, time_range: { kind: "last_7_days" } }, widgets: { "signups-by-country": { breakdown: "plan" } } } });
    expect(res.status).toBe(201);
    expect(Object.keys(res.body.view).sort()).toEqual(["created_at", "id", "name", "owned", "shared", "updated_at", "version_number"]);
    expect(res.body.view).toMatchObject({ name: "Germany, last 7 days", shared: false, owned: true, version_number: 1 });
    const id = res.body.view.id;
    expect(await row(id)).toMatchObject({ tenantId: "acme", userId: "owner", dashboardId: DEMO_DASHBOARD_ID, versionNumber: 1 });

    const renamed = await call("PATCH", s.token, id, { name: "Germany", shared: true });
    expect(renamed.body.view).toMatchObject({ id, name: "Germany", shared: true });
    const opened = await call("GET", s.token, id);
    expect(opened.body).toMatchObject({ view: { name: "Germany" }, live_version_number: 1, notices: [] });
    expect(opened.body.state).toEqual({ filters: { ...BY_COUNTRY_DE, time_range: { kind: "last_7_days" } }, widgets: { "signups-by-country": { breakdown: "plan" } }, ai_answers: [] });

    expect((await call("DELETE", s.token, id)).body).toEqual({ id, deleted: true });
    expect(await row(id)).toBeNull();
    expect((await call("DELETE", s.token, id)).status).toBe(404);
  });

  it("refuses to save, rename or delete without allow_save_views, but lists and opens", async () => {
    const writer = await session("readonly-co", { user_id: "ro" });
    const id = await save(writer, "made while allowed");
    const reader = await session("readonly-co", { user_id: "ro", permissions: { allow_save_views: false } });
    const created = await call("POST", reader.token, undefined, { name: "nope", state: {} });
    expect(created.status).toBe(403);
    expect(created.body.error).toMatchObject({ code: "forbidden", message: expect.stringContaining("Saving views is turned off") });
    expect((await call("PATCH", reader.token, id, { name: "renamed" })).status).toBe(403);
    expect((await call("DELETE", reader.token, id)).status).toBe(403);
    expect((await row(id))?.name).toBe("made while allowed");
    const listed = await call("GET", reader.token);
    expect(listed.body).toMatchObject({ can_save: false, views: [{ id, owned: true }] });
    expect((await call("GET", reader.token, id)).status).toBe(200);
  });

  it.each([
    ["a blank name", { name: "   ", state: {} }, "name: give the view a name"],
    ["a name over 100 characters", { name: "x".repeat(101), state: {} }, "name: a view name is at most 100 characters"],
    ["a control character in the name", { name: "a\u0007b", state: {} }, "control characters"],
    ["no name", { state: {} }, "name:"],
    ["no state", { name: "x" }, "state:"],
    ["shared that is not a boolean", { name: "x", state: {}, shared: "yes" }, "shared:"],
    ["an unknown period", { name: "x", state: { filters: { time_range: { kind: "last_year" } } } }, "state.filters.time_range"],
    ["a bad widget id", { name: "x", state: { widgets: { "bad id!": { breakdown: "country" } } } }, "state.widgets"],
    ["an unknown per-widget field", { name: "x", state: { widgets: { signups: { breakdown: "country", chart: "pie" } } } }, "state.widgets.signups"],
    ["11 AI answers", { name: "x", state: { ai_answers: Array.from({ length: 11 }, (_, i) => ({ id: `a${i}`, question: "q", spec: { kind: "chart", id: `a${i}`, title: "t", chart: "kpi", metrics: [{ id: "event_count" }] } })) } }, "at most 10 AI answers"],
    ["an AI answer that is SQL", { name: "x", state: { ai_answers: [{ id: "a", question: "q", spec: { kind: "sql", id: "a", title: "t", chart: "table", sql: "SELECT 1" } }] } }, "state.ai_answers.0.spec"],
    ["a state over 64 KB", { name: "x", state: { filters: { filters: Array.from({ length: 20 }, () => ({ field: "country", op: "in", values: Array.from({ length: 10 }, () => "x".repeat(400)) })) } } }, "at most 64000 bytes"],
  ])("answers 400 with a message for %s", async (_label, body, message) => {
    const s = await session("acme", { user_id: "validator" });
    const res = await call("POST", s.token, undefined, body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe("validation_failed");
    expect(res.body.error.message).toContain(message);
  });

  it("answers 400 for a body that is not JSON and for an empty update", async () => {
    const s = await session("acme", { user_id: "validator" });
    expect((await call("POST", s.token, undefined, "{not json")).body.error).toMatchObject({ code: "bad_request", message: expect.stringContaining("not valid JSON") });
    const id = await save(s, "keep");
    const empty = await call("PATCH", s.token, id, {});
    expect([empty.status, empty.body.error.message]).toEqual([400, expect.stringContaining("send a new name, shared, or both")]);
    expect((await call("PATCH", s.token, id, { name: "" })).status).toBe(400);
  });

  it(`caps views at ${MAX_VIEWS_PER_USER} per tenant and user, with a clear error`, async () => {
    const s = await session("capped", { user_id: "hoarder" });
    await getDb().savedView.createMany({
      data: Array.from({ length: MAX_VIEWS_PER_USER }, (_, i) => ({ id: `view_${i.toString(16).padStart(24, "0")}`, tenantId: "capped", userId: "hoarder", dashboardId: DEMO_DASHBOARD_ID, versionNumber: 1, name: `v${i}`, state: "{}" })),
    });
    const res = await call("POST", s.token, undefined, { name: "one more", state: {} });
    expect(res.status).toBe(409);
    expect(res.body.error.message).toContain(`You already have ${MAX_VIEWS_PER_USER} saved views`);
    // Another user of the tenant, and the same user id in another tenant, are not affected.
    expect((await call("POST", (await session("capped", { user_id: "other" })).token, undefined, { name: "fine", state: {} })).status).toBe(201);
    expect((await call("POST", (await session("capped2", { user_id: "hoarder" })).token, undefined, { name: "fine", state: {} })).status).toBe(201);
  });
});

describe("opening re-checks the view against the session and the live version", () => {
  it("lets a locked filter win over the saved one", async () => {
    const free = await session("acme", { user_id: "u-lock" });
    const id = await save(free, "Germany", { filters: { filters: [{ field: "country", op: "equals", value: "DE" }, { field: "plan", op: "equals", value: "pro" }] } });
    const locked = await session("acme", { user_id: "u-lock", permissions: { locked_filters: { country: ["US"] } } });
    const opened = (await call("GET", locked.token, id)).body;
    expect(opened.state.filters.filters).toEqual([{ field: "plan", op: "equals", value: "pro" }]);
    expect(opened.notices).toEqual([{ code: "filter_locked", message: "Country is set for you by the site, so the saved Country filter was replaced." }]);
    // The stored view is untouched: the owner's unlocked session still gets Germany.
    expect((await call("GET", free.token, id)).body.state.filters.filters).toHaveLength(2);
  });

  it("drops filters and breakdowns outside allowed_dimensions and shortens the period, with notices", async () => {
    const owner = await session("acme", { user_id: "u-dims" });
    const id = await save(owner, "wide", { filters: { time_range: { kind: "last_90_days" }, filters: [{ field: "country", op: "equals", value: "DE" }, { field: "plan", op: "equals", value: "pro" }] }, widgets: { "signups-by-country": { breakdown: "device" }, devices: { breakdown: "country" } } }, true);
    const narrow = await session("acme", { user_id: "u-other", permissions: { allowed_dimensions: ["country", "device"], max_date_range_days: 30, allow_drill_down: true } });
    const opened = (await call("GET", narrow.token, id)).body;
    expect(opened.state.filters).toEqual({ time_range: { kind: "last_30_days" }, filters: [{ field: "country", op: "equals", value: "DE" }] });
    expect(opened.state.widgets).toEqual({ "signups-by-country": { breakdown: "device" }, devices: { breakdown: "country" } });
    expect(opened.notices.map((n: { code: string }) => n.code)).toEqual(["date_range_shortened", "filter_not_allowed"]);
    expect(opened.notices[1].message).toBe("Filtering by Plan is not available here, so the saved Plan filter was removed.");

    const noDrill = await session("acme", { user_id: "u-other", permissions: { allow_drill_down: false, allowed_dimensions: ["country", "plan", "page"] } });
    const reopened = (await call("GET", noDrill.token, id)).body;
    expect(reopened.state.widgets).toEqual({});
    expect(reopened.notices).toEqual([
      { code: "breakdown_dropped", widget_id: "signups-by-country", message: "Breaking “Signups by country” down by Device is not available here, so the saved breakdown was removed." },
      { code: "breakdown_dropped", widget_id: "devices", message: "Breaking “Events by device” down by Country is not available here, so the saved breakdown was removed." },
    ]);
    // What the view re-check keeps, the query endpoint accepts for the same session.
    const query = await queryRoute(new Request("http://test/api/embed/query", { method: "POST", headers: { authorization: `Bearer ${narrow.token}`, "content-type": "application/json" }, body: JSON.stringify({ widget_id: "signups-by-country", filters: { ...opened.state.filters, breakdown: "device" } }) }));
    expect(query.status).toBe(200);
  });

  it("drops a drilled filter (a dimension that is not one of the dashboard's filters) in a session without drill-down", async () => {
    const owner = await session("acme", { user_id: "u-drill" });
    const id = await save(owner, "drilled into mobile", { filters: { filters: [{ field: "device", op: "equals", value: "mobile" }, { field: "country", op: "equals", value: "DE" }] } });
    const noDrill = await session("acme", { user_id: "u-drill", permissions: { allow_drill_down: false } });
    const opened = (await call("GET", noDrill.token, id)).body;
    expect(opened.state.filters.filters).toEqual([{ field: "country", op: "equals", value: "DE" }]);
    expect(opened.notices).toEqual([{ code: "filter_not_allowed", message: "Filtering by Device is not available here, so the saved Device filter was removed." }]);
    // The owner's session, which may drill, keeps both.
    expect((await call("GET", owner.token, id)).body.state.filters.filters).toHaveLength(2);
  });

  it("drops per-widget state of widgets removed from the live version or hidden, with a notice", async () => {
    const chart = (id: string, breakdown: string) => ({ kind: "chart", id, title: `By ${breakdown}`, chart: "bar", metrics: [{ id: "event_count" }], breakdown });
    const dashboardId = await createDashboard({ name: "Versions", actor: "test", definition: { widgets: [chart("by-country", "country"), chart("by-plan", "plan"), chart("by-device", "device")] } });
    await publishVersion({ dashboardId, actor: "test" });
    const owner = await session("acme", { user_id: "u-ver" }, dashboardId);
    const id = await save(owner, "drilled", { widgets: { "by-country": { breakdown: "plan" }, "by-plan": { breakdown: "country" }, "by-device": { breakdown: "page" } } });

    const db = getDb();
    await db.dashboard.update({ where: { id: dashboardId }, data: { draft: JSON.stringify({ widgets: [chart("by-country", "country"), chart("by-device", "device")], layout: [], filters: [], timezone: "UTC" }) } });
    await publishVersion({ dashboardId, actor: "test" });
    const later = await session("acme", { user_id: "u-ver", permissions: { hidden_widgets: ["by-device"] } }, dashboardId);
    const opened = (await call("GET", later.token, id)).body;
    expect(opened).toMatchObject({ view: { version_number: 1 }, live_version_number: 2 });
    expect(opened.state.widgets).toEqual({ "by-country": { breakdown: "plan" } });
    expect(opened.notices).toEqual([
      { code: "dashboard_updated", message: "This dashboard has changed since the view was saved; it opens on the current dashboard." },
      { code: "widget_removed", widget_id: "by-plan", message: "A chart saved in this view is no longer on this dashboard, so its settings were left out." },
      { code: "widget_removed", widget_id: "by-device", message: "A chart saved in this view is no longer on this dashboard, so its settings were left out." },
    ]);
  });

  it("re-validates AI answers as specs under the session's scope and permissions", async () => {
    const spec = (id: string, extra: object = {}) => ({ kind: "chart", id, title: id, chart: "bar", metrics: [{ id: "event_count" }], breakdown: "country", filters: [], time_range: { kind: "last_30_days" }, ...extra });
    const answers = [
      { id: "by-country", question: "Signups by country?", spec: spec("by-country") },
      { id: "by-plan", question: "Which plans are busiest?", spec: spec("by-plan", { breakdown: "plan" }) },
      { id: "pro-only", question: "Countries of pro users?", spec: spec("pro-only", { filters: [{ field: "plan", op: "equals", value: "pro" }] }) },
      { id: "long", question: "Countries this quarter?", spec: spec("long", { time_range: { kind: "last_90_days" } }) },
    ];
    const owner = await session("acme", { user_id: "u-ai", permissions: { allow_ai: true } });
    const id = await save(owner, "answers", { ai_answers: answers }, true);
    expect((await call("GET", owner.token, id)).body.state.ai_answers).toEqual(answers);

    const narrow = await session("acme", { user_id: "u-ai2", permissions: { allow_ai: true, allowed_dimensions: ["country"], max_date_range_days: 30 } });
    const opened = (await call("GET", narrow.token, id)).body;
    expect(opened.state.ai_answers.map((a: { id: string }) => a.id)).toEqual(["by-country", "long"]);
    expect(opened.state.ai_answers[1].spec.time_range).toEqual({ kind: "last_30_days" });
    expect(opened.notices).toEqual([
      { code: "ai_answer_dropped", answer_id: "by-plan", message: "The AI answer to “Which plans are busiest?” can no longer be shown here, so it was left out." },
      { code: "ai_answer_dropped", answer_id: "pro-only", message: "The AI answer to “Countries of pro users?” uses data this session cannot see, so it was left out." },
      { code: "ai_answer_shortened", answer_id: "long", message: "The AI answer to “Countries this quarter?” covered a longer period than this session allows, so it was shortened." },
    ]);

    const noAi = await session("acme", { user_id: "u-ai2" });
    const closed = (await call("GET", noAi.token, id)).body;
    expect(closed.state.ai_answers).toEqual([]);
    expect(closed.notices).toHaveLength(4);
    expect(closed.notices.every((n: { code: string }) => n.code === "ai_not_allowed")).toBe(true);
  });

  it("says nothing about tenants or SQL in notices, and opens a view whose stored state no longer parses", async () => {
    const s = await session("acme", { user_id: "u-old", permissions: { allow_ai: true } });
    const id = await save(s, "old");
    await getDb().savedView.update({ where: { id }, data: { state: JSON.stringify({ filters: { filters: [{ field: "country", op: "regex", value: ".*" }] }, widgets: { signups: { breakdown: 3 } }, ai_answers: [{ id: "x", question: "Old question?", spec: { kind: "chart" } }] }) } });
    const opened = (await call("GET", s.token, id)).body;
    expect(opened.state).toEqual({ filters: {}, widgets: {}, ai_answers: [] });
    expect(opened.notices.map((n: { code: string }) => n.code)).toEqual(["filters_unreadable", "widget_removed", "ai_answer_dropped"]);
    expect(opened.notices[2].message).toContain("“Old question?”");
    expect(JSON.stringify(opened.notices)).not.toMatch(/acme|tenant|SELECT|WHERE|\{p\d/i);
  });
});

describe("credentials", () => {
  it("gives no data to a missing, bad, wrong-audience or revoked token", async () => {
    const s = await session("acme", { user_id: "u-cred" });
    const id = await save(s, "secret plans", { filters: BY_COUNTRY_DE }, true);
    const revoked = await session("acme", { user_id: "u-cred" });
    await revokeRoute(new Request("http://test/v1", { method: "DELETE", headers: { authorization: `Bearer ${embedKey}` } }), { params: Promise.resolve({ id: revoked.sessionId }) });
    const tampered = s.token.slice(0, -4) + (s.token.endsWith("AAAA") ? "BBBB" : "AAAA");
    for (const [label, token] of [["none", undefined], ["garbage", "not-a-token"], ["tampered", tampered], ["embed token", s.embedToken], ["revoked", revoked.token]] as const) {
      for (const [method, viewId, body] of [["GET"], ["POST", undefined, { name: "x", state: {} }], ["GET", id], ["PATCH", id, { name: "x" }], ["DELETE", id]] as const) {
        const res = await call(method, token, viewId, body);
        expect([label, method, res.status]).toEqual([label, method, 401]);
        expect(Object.keys(res.body)).toEqual(["error"]);
        expect(JSON.stringify(res.body)).not.toContain("secret plans");
      }
    }
    expect(await row(id)).toMatchObject({ name: "secret plans", shared: true });
    expect(await getDb().savedView.count({ where: { name: "x" } })).toBe(0);
  });

  it("never logs a token", () => {
    expect(logs.join("\n")).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]+/);
  });
});
