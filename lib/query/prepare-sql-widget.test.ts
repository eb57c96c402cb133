import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeAnalytics } from "@/lib/analytics/engine";
import type { EventRow } from "@/lib/analytics/event-row";
import { Permissions, type PermissionsInput } from "@/lib/query/permissions";
import { prepareWidget } from "@/lib/query/prepare-widget";
import { runScoped } from "@/lib/query/run-scoped";
import { FilterState, SqlWidget } from "@/lib/query/widget-spec";
import { loadDemoFixture, previewScope } from "@/lib/testing/analytics-fixture";

// A custom-SQL widget obeys the session exactly as a chart widget does: the
// end user's period and filters, the date bound and allowed dimensions. The
// expected numbers are counted here from the fixture rows, never by the code
// under test.

const ANCHOR = new Date("2026-06-01T00:00:00Z");
const NOW = new Date("2026-05-31T15:00:00Z");
const TENANTS = ["acme", "acme2", "acme.eu", "ACME", "globex"];
const DAY = 86_400_000;

let rows: EventRow[];

beforeAll(async () => {
  ({ rows } = await loadDemoFixture(20_000, ANCHOR));
});
afterAll(() => closeAnalytics());

const countSql = SqlWidget.parse({ kind: "sql", id: "sql-count", title: "Events", chart: "kpi", sql: "SELECT count() AS n FROM events" });

/** Rows of one tenant in [from, to) (UTC instants), optionally in one country. */
function expected(tenant: string, from: Date | undefined, to: Date | undefined, country?: string): number {
  const ms = (ts: string) => Date.parse(`${ts.replace(" ", "T")}Z`);
  return rows.filter((r) => r.tenant_id === tenant && (!from || ms(r.ts) >= from.getTime()) && (!to || ms(r.ts) < to.getTime()) && (!country || r.properties.country === country)).length;
}

async function count(tenant: string, options: { filters?: unknown; permissions?: PermissionsInput; widget?: SqlWidget } = {}): Promise<number> {
  const scope = previewScope(tenant);
  const compiled = await prepareWidget(options.widget ?? countSql, scope, {
    permissions: Permissions.parse(options.permissions ?? {}),
    filters: FilterState.parse(options.filters ?? {}),
    timezone: "UTC",
    now: NOW,
  });
  const result = await runScoped(scope, compiled);
  return Number(result.rows[0].n);
}

// Last N days in UTC as the dashboard resolves it at NOW: from local midnight N-1 days back to tomorrow's midnight.
const TOMORROW = new Date("2026-06-01T00:00:00Z");
const lastDays = (n: number) => new Date(TOMORROW.getTime() - n * DAY);

describe("custom-SQL widgets obey the session's period and filters", () => {
  it.each(TENANTS)("SELECT count() FROM events for %s: 30 days, 7 days and 7 days in DE are three different counts, each the fixture's", async (tenant) => {
    const thirty = await count(tenant);
    const seven = await count(tenant, { filters: { time_range: { kind: "last_7_days" } } });
    const sevenDe = await count(tenant, { filters: { time_range: { kind: "last_7_days" }, filters: [{ field: "country", op: "equals", value: "DE" }] } });
    expect(thirty).toBe(expected(tenant, lastDays(30), TOMORROW));
    expect(seven).toBe(expected(tenant, lastDays(7), TOMORROW));
    expect(sevenDe).toBe(expected(tenant, lastDays(7), TOMORROW, "DE"));
    // Not the tenant's whole history, and the numbers really differ (when the tenant has rows to tell them apart).
    if (tenant === "acme" || tenant === "globex") {
      expect(thirty).toBeLessThan(expected(tenant, undefined, undefined));
      expect(new Set([thirty, seven, sevenDe]).size).toBe(3);
    }
  });

  it("an absolute period and an in-list filter apply too, and other tenants' rows never count", async () => {
    const filters = { time_range: { kind: "absolute", from: "2026-05-01", to: "2026-05-10" }, filters: [{ field: "country", op: "in", values: ["US", "DE"] }] };
    for (const tenant of ["acme", "acme2"]) {
      const n = await count(tenant, { filters });
      const want = rows.filter((r) => r.tenant_id === tenant && r.ts >= "2026-05-01" && r.ts < "2026-05-11" && ["US", "DE"].includes(r.properties.country)).length;
      expect(n).toBe(want);
    }
  });

  it("a value typed by the end user is data, never SQL", async () => {
    const hostile = ["x' OR '1'='1", "DE') OR (1=1", "\\'", "'; DROP TABLE events"];
    for (const value of hostile) expect(await count("acme", { filters: { filters: [{ field: "plan", op: "equals", value }] } })).toBe(0);
    expect(await count("acme", { filters: { filters: [{ field: "country", op: "not_in", values: hostile }] } })).toBe(expected("acme", lastDays(30), TOMORROW));
  });

  it("a session bounded to 1 day gets exactly one day's events, whatever period it asks for", async () => {
    for (const tenant of ["acme", "globex"]) {
      const oneDay = expected(tenant, lastDays(1), TOMORROW);
      expect(oneDay).toBeGreaterThan(0);
      expect(await count(tenant, { permissions: { max_date_range_days: 1 } })).toBe(oneDay);
      expect(await count(tenant, { permissions: { max_date_range_days: 1 }, filters: { time_range: { kind: "last_90_days" } } })).toBe(oneDay);
    }
  });

  it("the date bound holds against SQL that reads every row itself (subqueries, joins)", async () => {
    const widget = SqlWidget.parse({ ...countSql, sql: "SELECT (SELECT count() FROM events) AS n FROM events AS a INNER JOIN events AS b ON a.event_id = b.event_id LIMIT 1" });
    expect(await count("acme", { widget, permissions: { max_date_range_days: 1 } })).toBe(expected("acme", lastDays(1), TOMORROW));
  });

  it("an all-time widget reads the whole history without a bound, and is refused with one", async () => {
    const allTime = SqlWidget.parse({ ...countSql, all_time: true });
    expect(await count("acme", { widget: allTime })).toBe(expected("acme", undefined, undefined));
    expect(await count("acme", { widget: allTime, filters: { time_range: { kind: "last_7_days" } } })).toBe(expected("acme", undefined, undefined));
    // Chosen filters still apply to an all-time widget.
    expect(await count("acme", { widget: allTime, filters: { filters: [{ field: "country", op: "equals", value: "DE" }] } })).toBe(expected("acme", undefined, undefined, "DE"));
    const refusal = count("acme", { widget: allTime, permissions: { max_date_range_days: 30 } });
    await expect(refusal).rejects.toMatchObject({ code: "forbidden", message: expect.stringMatching(/all time/) });
  });
});

describe("custom-SQL widgets obey allowed_dimensions", () => {
  const by = (sql: string) => SqlWidget.parse({ kind: "sql", id: "sql-dim", title: "By", chart: "table", sql });
  const ONLY_COUNTRY: PermissionsInput = { allowed_dimensions: ["country"] };

  it.each([
    "SELECT properties['plan'], count() FROM events GROUP BY 1",
    "SELECT properties[concat('pl','an')] AS p, count() AS n FROM events GROUP BY p",
    "SELECT mapKeys(properties) AS k, count() AS n FROM events GROUP BY k",
    "SELECT count() AS n FROM events WHERE has(mapKeys(properties), 'plan')",
    "SELECT name, count() AS n FROM events GROUP BY name",
  ])("%s is refused with a plain message when only country is allowed, and runs without the restriction", async (sql) => {
    const scope = previewScope("acme");
    const options = { timezone: "UTC", now: NOW };
    const refused = prepareWidget(by(sql), scope, { ...options, permissions: Permissions.parse(ONLY_COUNTRY) });
    await expect(refused).rejects.toMatchObject({ code: "forbidden" });
    const message = await refused.catch((e: Error) => e.message);
    // Tenants read this: no SQL, no engine words, no map keys.
    expect(message).not.toMatch(/SELECT|FROM|properties|mapKeys|concat|plan|Code:|AST/i);
    const allowed = await runScoped(scope, await prepareWidget(by(sql), scope, { ...options, permissions: Permissions.parse({}) }));
    expect(allowed.rows.length).toBeGreaterThan(0);
  });

  it("SQL that touches only allowed dimensions runs", async () => {
    const scope = previewScope("acme");
    const widget = by("SELECT properties['country'] AS c, count() AS n FROM events GROUP BY c ORDER BY c");
    const result = await runScoped(scope, await prepareWidget(widget, scope, { timezone: "UTC", now: NOW, permissions: Permissions.parse(ONLY_COUNTRY) }));
    expect(result.rows.map((r) => r.c)).toEqual(["CA", "DE", "GB", "US"]);
  });

  it("a chosen filter on a dimension the session may not use is refused, as for chart widgets", async () => {
    const refused = count("acme", { permissions: ONLY_COUNTRY, filters: { filters: [{ field: "plan", op: "equals", value: "pro" }] } });
    await expect(refused).rejects.toMatchObject({ code: "forbidden", message: expect.stringMatching(/Filtering by "plan" is not allowed/) });
  });
});
