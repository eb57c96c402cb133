import { describe, expect, it } from "vitest";
import { DashboardDefinition } from "@/lib/dashboards/definition";
import type { ActiveSession } from "@/lib/embed/sessions";
import { Permissions } from "@/lib/query/permissions";
import { DashboardState } from "@/lib/query/run-dashboard";
import { canCompare, previousTimeRange, rangeDates, resolveTimeRange, todayIn } from "@/lib/query/time-range";
import { previewScope } from "@/lib/testing/analytics-fixture";
import { recheckViewState } from "@/lib/views/recheck-view";
import { ViewState } from "@/lib/views/view-state";

// The end user's dates as state: a custom range is an absolute time range,
// "compare to previous period" a strict boolean (absent: off) the embed
// endpoints take and saved views keep; and the date arithmetic behind them.

const NOW = new Date("2026-05-31T15:00:00Z");

describe("the dashboard state's dates", () => {
  it("takes compare as a boolean among the filters, off when absent, and nothing else new", () => {
    expect(DashboardState.parse({ filters: { compare: true } }).filters.compare).toBe(true);
    expect(DashboardState.parse({}).filters.compare).toBeUndefined();
    expect(DashboardState.safeParse({ filters: { compare: "yes" } }).success).toBe(false);
    expect(DashboardState.safeParse({ filters: {}, compare: true }).success).toBe(false); // strict: only inside filters
    expect(DashboardState.safeParse({ filters: { compare: true, tenant_id: "globex" } }).success).toBe(false);
  });

  it("takes a custom range as absolute dates, in order", () => {
    const custom = { kind: "absolute", from: "2026-05-01", to: "2026-05-14" };
    expect(DashboardState.parse({ filters: { time_range: custom, compare: true } }).filters.time_range).toEqual(custom);
    expect(DashboardState.safeParse({ filters: { time_range: { ...custom, from: "2026-05-15" } } }).success).toBe(false);
    expect(DashboardState.safeParse({ filters: { time_range: { ...custom, to: "14.05.2026" } } }).success).toBe(false);
    expect(DashboardState.safeParse({ filters: { time_range: { ...custom, days: 400 } } }).success).toBe(false);
  });

  it("is kept by saved views: the range (bounded by the opening session) and compare", () => {
    const definition = DashboardDefinition.parse({ widgets: [], timezone: "Europe/Berlin" });
    const stored = ViewState.parse({ filters: { time_range: { kind: "absolute", from: "2026-03-01", to: "2026-05-10" }, compare: true } });
    const open = (permissions: unknown) =>
      recheckViewState(stored, { session: { permissions: Permissions.parse(permissions) } as ActiveSession, scope: previewScope("acme"), definition, now: NOW });
    expect(open({}).state.filters).toEqual({ time_range: { kind: "absolute", from: "2026-03-01", to: "2026-05-10" }, compare: true });
    const bounded = open({ max_date_range_days: 14 });
    expect(bounded.state.filters).toEqual({ time_range: { kind: "absolute", from: "2026-04-27", to: "2026-05-10" }, compare: true });
    expect(bounded.notices.map((n) => n.code)).toEqual(["date_range_shortened"]);
  });
});

describe("date arithmetic of custom ranges and the period before", () => {
  it("puts the period before right before, as many days long, in the dashboard's zone", () => {
    expect(previousTimeRange({ kind: "last_7_days" }, "UTC", NOW)).toEqual({ kind: "absolute", from: "2026-05-18", to: "2026-05-24" });
    expect(previousTimeRange({ kind: "absolute", from: "2026-05-10", to: "2026-05-10" }, "UTC", NOW)).toEqual({ kind: "absolute", from: "2026-05-09", to: "2026-05-09" });
    // Over a DST change (Berlin, 29 March) it is still whole local days.
    expect(previousTimeRange({ kind: "absolute", from: "2026-03-30", to: "2026-04-05" }, "Europe/Berlin", NOW)).toEqual({ kind: "absolute", from: "2026-03-23", to: "2026-03-29" });
    expect(previousTimeRange({ kind: "this_month" }, "America/New_York", NOW)).toEqual({ kind: "absolute", from: "2026-03-31", to: "2026-04-30" });
  });

  it("compares only when twice the period fits the bound", () => {
    const week = resolveTimeRange({ kind: "last_7_days" }, "UTC", NOW);
    expect(canCompare(week, undefined)).toBe(true);
    expect(canCompare(week, 14)).toBe(true);
    expect(canCompare(week, 13)).toBe(false);
  });

  it("knows today and a range's days in the zone", () => {
    expect(todayIn("Pacific/Auckland", NOW)).toBe("2026-06-01");
    expect(todayIn("America/Los_Angeles", NOW)).toBe("2026-05-31");
    expect(rangeDates({ kind: "last_7_days" }, "Pacific/Auckland", NOW)).toEqual({ from: "2026-05-26", to: "2026-06-01" });
  });
});
