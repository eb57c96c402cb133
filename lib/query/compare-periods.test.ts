import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeAnalytics } from "@/lib/analytics/engine";
import { DashboardDefinition } from "@/lib/dashboards/definition";
import type { Catalog } from "@/lib/query/catalog-tables";
import { planWidget, widgetSql } from "@/lib/query/compile-widget";
import { DEFAULT_PERMISSIONS, Permissions } from "@/lib/query/permissions";
import { DashboardState, runDashboard, type DashboardReader, type WidgetOutcome } from "@/lib/query/run-dashboard";
import { runScoped } from "@/lib/query/run-scoped";
import { previousTimeRange } from "@/lib/query/time-range";
import { ChartWidget, type TimeRange } from "@/lib/query/widget-spec";
import { previewScope } from "@/lib/testing/analytics-fixture";
import { loadOracleData, NOW, sameOutcome } from "@/lib/testing/oracle-data";
import { migrateTestDatabase } from "@/lib/testing/test-db";

// "Compare to previous period" through the front door, on the real engine,
// for look-alike tenants: a compared series' previous values are exactly a
// separate render of the previous period as an absolute range, bucket i
// beside bucket i; they equal the same read on a database holding only that
// tenant's rows (nothing of another tenant reaches them); the date bound drops
// the comparison (and says so) where twice the period does not fit; compare
// off runs no extra statement; and a forged range longer than the session
// allows reads only the allowed days.

let shared: Catalog;
let solo: Map<string, Catalog>;

beforeAll(async () => {
  migrateTestDatabase(); // the render looks up the version's rollup (none is built: events answer)
  ({ shared, solo } = await loadOracleData(20_000));
}, 180_000);
afterAll(() => closeAnalytics());

const widgets = [
  { kind: "chart", id: "daily", title: "Signups and revenue", chart: "line", metrics: [{ id: "event_count", event: "signup" }, { id: "value_sum" }], granularity: "day" },
  { kind: "chart", id: "weekly", title: "Users", chart: "area", metrics: [{ id: "unique_users" }], granularity: "week" },
  { kind: "chart", id: "hourly", title: "Orders", chart: "bar", metrics: [{ id: "event_count", event: "order_completed" }], granularity: "hour" },
  { kind: "chart", id: "stacked", title: "Views and signups", chart: "stacked_bar", metrics: [{ id: "event_count", event: "page_view" }, { id: "event_count", event: "signup" }] },
  { kind: "chart", id: "kpi", title: "Signups", chart: "kpi", metrics: [{ id: "event_count", event: "signup" }] },
  { kind: "chart", id: "by_country", title: "Events by country", chart: "line", metrics: [{ id: "event_count" }], breakdown: "country" },
  { kind: "chart", id: "pie", title: "Plans", chart: "pie", metrics: [{ id: "event_count" }], breakdown: "plan" },
];
const SERIES = ["daily", "weekly", "hourly", "stacked"];

function reader(tenant: string, timezone: string, permissions: Permissions = DEFAULT_PERMISSIONS, cache = false): DashboardReader {
  const definition = DashboardDefinition.parse({ widgets, timezone, filters: [{ kind: "date_range", default: { kind: "last_30_days" } }] });
  return { scope: previewScope(tenant), permissions, source: { dashboardId: "d_compare", versionKey: `v_${timezone}`, definition }, audience: "tenant", cache, now: NOW };
}

async function render(r: DashboardReader, filters: Record<string, unknown>) {
  const out = await runDashboard(r, DashboardState.parse({ filters }));
  const byId = new Map(out.outcomes.map((o) => [o.widget_id, o]));
  return { byId, queries: out.plan.queries, rowsRead: out.plan.rowsRead };
}

const rowsOf = (o: WidgetOutcome | undefined) => {
  if (!o || !("rows" in o)) throw new Error(`no rows: ${JSON.stringify(o)}`);
  return o.rows;
};
/** Only the current period's columns of a compared row. */
const current = (row: Record<string, unknown>) => Object.fromEntries(Object.entries(row).filter(([k]) => !k.endsWith("_previous")));
/** The previous period's columns of a compared row, named as a render of that period names them. */
const previous = (row: Record<string, unknown>) => Object.fromEntries(Object.entries(row).flatMap(([k, v]) => (k === "bucket_previous" ? [["bucket", v]] : k.endsWith("_previous") ? [[k.slice(0, -9), v]] : [])));

const RANGES: TimeRange[] = [{ kind: "last_7_days" }, { kind: "last_30_days" }, { kind: "this_month" }, { kind: "absolute", from: "2026-05-03", to: "2026-05-16" }];
const TENANTS = ["acme", "acme2", "globex"];

describe("compare to previous period", () => {
  it("equals a separate render of the previous absolute range, bucket by bucket, for look-alike tenants and zones", async () => {
    let [checked, withData] = [0, 0];
    for (const tenant of TENANTS) {
      for (const timezone of ["UTC", "Europe/Berlin", "America/New_York"]) {
        const r = reader(tenant, timezone);
        for (const time_range of RANGES) {
          const [on, off, before] = [
            await render(r, { time_range, compare: true }),
            await render(r, { time_range }),
            await render(r, { time_range: previousTimeRange(time_range, timezone, NOW) }),
          ];
          for (const id of SERIES) {
            const label = `${tenant} ${timezone} ${JSON.stringify(time_range)} ${id}`;
            expect(on.byId.get(id), label).toMatchObject({ compare: "shown" });
            const rows = rowsOf(on.byId.get(id));
            const [now, then] = [rowsOf(off.byId.get(id)), rowsOf(before.byId.get(id))];
            expect(rows.map(current), label).toEqual(now);
            // Bucket i of the period before beside bucket i of the period shown; a shorter period before leaves gaps.
            expect(rows.map(previous), label).toEqual(now.map((_r, i) => (then[i] ? then[i] : Object.fromEntries(Object.keys(previous(rows[0])).map((k) => [k, null])))));
            if (then.some((x) => Object.entries(x).some(([k, v]) => k.startsWith("m") && v !== 0 && v !== null))) withData++;
            checked++;
          }
          // KPIs keep their own delta; charts that are not a time series are untouched.
          expect(rowsOf(on.byId.get("kpi"))).toEqual(rowsOf(off.byId.get("kpi")));
          expect(on.byId.get("pie")).toEqual(off.byId.get("pie"));
          expect(on.byId.get("by_country")).toMatchObject({ compare: "broken_down" });
          expect(rowsOf(on.byId.get("by_country"))).toEqual(rowsOf(off.byId.get("by_country")));
        }
      }
    }
    expect(checked).toBe(TENANTS.length * 3 * RANGES.length * SERIES.length);
    expect(withData).toBeGreaterThan(checked * 0.8); // a period before with data: equality over empty buckets proves little
  }, 300_000);

  it("reads only the tenant's own rows: the period before equals the same read on a database holding only that tenant's", async () => {
    for (const tenant of TENANTS) {
      const r = reader(tenant, "Europe/Berlin");
      const { byId } = await render(r, { time_range: { kind: "last_30_days" }, compare: true });
      const before = previousTimeRange({ kind: "last_30_days" }, "Europe/Berlin", NOW);
      for (const id of SERIES) {
        const spec = ChartWidget.parse(widgets.find((w) => w.id === id));
        const alone = async (catalog: Catalog) => {
          const plan = planWidget(spec, r.scope, { filters: { time_range: before }, timezone: "Europe/Berlin", now: NOW, catalog });
          return { ok: true as const, rows: (await runScoped(r.scope, widgetSql(plan))).rows };
        };
        const compared = { ok: true as const, rows: rowsOf(byId.get(id)).map(previous) };
        const [onShared, onSolo] = [await alone(shared), await alone(solo.get(tenant)!)];
        expect(sameOutcome(onSolo, onShared), `${tenant} ${id}`).toBe(true);
        expect(sameOutcome(compared, { ok: true, rows: onSolo.rows.slice(0, compared.rows.length) }), `${tenant} ${id}`).toBe(true);
      }
      // globex holds a 1e9 row on 2026-05-20 (in acme's period before last_7_days… and its look-alikes'): never theirs.
      if (tenant !== "globex") {
        const week = await render(r, { time_range: { kind: "last_7_days" }, compare: true });
        const values = rowsOf(week.byId.get("daily")).flatMap((row) => [row.m1, row.m1_previous]);
        expect(values.every((v) => typeof v !== "number" || v < 1e9)).toBe(true);
      }
    }
  }, 120_000);

  it("is dropped, and says why, where the date bound does not allow twice the period; KPIs follow the same rule", async () => {
    const r = reader("acme", "UTC", Permissions.parse({ max_date_range_days: 20 }));
    const week = await render(r, { time_range: { kind: "last_7_days" }, compare: true });
    expect(week.byId.get("daily")).toMatchObject({ compare: "shown" });
    expect(rowsOf(week.byId.get("kpi"))[0].m0_previous).not.toBeNull();
    const ten = await render(r, { time_range: { kind: "absolute", from: "2026-05-22", to: "2026-05-31" }, compare: true });
    expect(ten.byId.get("daily")).toMatchObject({ compare: "shown" });
    const eleven = await render(r, { time_range: { kind: "absolute", from: "2026-05-21", to: "2026-05-31" }, compare: true });
    expect(eleven.byId.get("daily")).toMatchObject({ compare: "too_long" });
    expect(rowsOf(eleven.byId.get("daily"))[0]).not.toHaveProperty("m0_previous");
    expect(rowsOf(eleven.byId.get("kpi"))[0].m0_previous).toBeNull();
    // A period clamped to the bound is as long as the bound: never compared.
    const month = await render(r, { time_range: { kind: "last_30_days" }, compare: true });
    for (const id of SERIES) expect(month.byId.get(id)).toMatchObject({ compare: "too_long" });
  }, 60_000);

  it("runs no extra statement with compare off, and one more for every compared series of a period with it on", async () => {
    const r = reader("acme", "Europe/Berlin");
    const [plain, off, on] = [await render(r, { time_range: { kind: "last_30_days" } }), await render(r, { time_range: { kind: "last_30_days" }, compare: false }), await render(r, { time_range: { kind: "last_30_days" }, compare: true })];
    expect(off.queries).toBe(plain.queries);
    expect(on.queries).toBe(plain.queries + 1);
    for (const id of SERIES) expect(off.byId.get(id)).not.toHaveProperty("compare");
  }, 60_000);

  it("keys cached results by the compare flag: a cached render without it never answers one with it", async () => {
    const r = reader("acme2", "UTC", DEFAULT_PERMISSIONS, true);
    const state = { time_range: { kind: "absolute", from: "2026-05-10", to: "2026-05-23" } };
    await render(r, state);
    const on = await render(r, { ...state, compare: true });
    expect(rowsOf(on.byId.get("daily"))[0]).toHaveProperty("m0_previous");
    const again = await render(r, { ...state, compare: true });
    expect(again.queries).toBe(0);
    expect(again.byId.get("daily")).toEqual(on.byId.get("daily"));
  }, 60_000);

  it("reads no more than the session's days for a forged longer custom range, on shared and tenant-only data", async () => {
    const forged = { kind: "absolute", from: "2025-06-01", to: "2026-05-31" } as const;
    const allowed = { kind: "absolute", from: "2026-05-25", to: "2026-05-31" } as const;
    // The schema takes any well-formed range (it knows no session); the front door bounds it, as it bounds presets.
    expect(DashboardState.safeParse({ filters: { time_range: forged } }).success).toBe(true);
    for (const tenant of ["acme", "globex"]) {
      const r = reader(tenant, "UTC", Permissions.parse({ max_date_range_days: 7 }));
      const [long, week] = [await render(r, { time_range: forged, compare: true }), await render(r, { time_range: allowed })];
      const daily = rowsOf(long.byId.get("daily"));
      expect(daily.map((row) => String(row.bucket).slice(0, 10))).toEqual(["2026-05-25", "2026-05-26", "2026-05-27", "2026-05-28", "2026-05-29", "2026-05-30", "2026-05-31"]);
      expect(long.byId.get("daily")).toMatchObject({ compare: "too_long" });
      for (const id of SERIES) expect(rowsOf(long.byId.get(id)), `${tenant} ${id}`).toEqual(rowsOf(week.byId.get(id)));
      expect(long.rowsRead).toBeLessThanOrEqual(week.rowsRead);
      // The same bounded read on a database holding only this tenant's rows.
      const spec = ChartWidget.parse(widgets[0]);
      const plan = (catalog: Catalog) => planWidget(spec, r.scope, { permissions: r.permissions, filters: { time_range: forged }, timezone: "UTC", now: NOW, catalog });
      expect(plan(shared).range).toEqual({ from: new Date("2026-05-25T00:00:00Z"), to: new Date("2026-06-01T00:00:00Z") });
      expect((await runScoped(r.scope, widgetSql(plan(solo.get(tenant)!)))).rows).toEqual(daily);
    }
  }, 60_000);
});
