import { describe, expect, it } from "vitest";
import { DashboardDefinition } from "@/lib/dashboards/definition";
import { diffDefinitions, isEmptyDiff } from "@/lib/dashboards/diff";

// The version diff in words: each changed field as its old and new value.

const kpi = { kind: "chart", id: "signups", title: "Signups", chart: "kpi", metrics: [{ id: "event_count", event: "signup" }] };
const bar = { kind: "chart", id: "by-country", title: "By country", chart: "bar", metrics: [{ id: "event_count" }], breakdown: "country" };
const sql = { kind: "sql", id: "top", title: "Top events", chart: "table", sql: "SELECT name, count() AS n FROM events GROUP BY name" };
const def = (d: Record<string, unknown>) => DashboardDefinition.parse(d);

describe("diffDefinitions", () => {
  it("says each changed field as old → new, in words", () => {
    const from = def({ widgets: [kpi, bar, sql], layout: [{ widget_id: "signups", x: 0, y: 0, w: 6, h: 4 }] });
    const to = def({
      widgets: [
        { ...kpi, title: "New signups", metrics: [{ id: "unique_users", format: { kind: "percent" } }] },
        { ...bar, chart: "line", breakdown: undefined, filters: [{ field: "country", op: "in", values: ["US", "CA"] }], time_range: { kind: "last_7_days" }, limit: 10 },
        { ...sql, sql: "SELECT name FROM events", all_time: true },
      ],
      layout: [{ widget_id: "signups", x: 6, y: 0, w: 6, h: 4 }],
      timezone: "Europe/Berlin",
      filters: [{ kind: "date_range", default: { kind: "last_7_days" } }, { kind: "dimension", dimension: "country" }],
    });
    const diff = diffDefinitions(from, to);
    const changes = Object.fromEntries(diff.changed.map((w) => [w.id, Object.fromEntries(w.changes.map((c) => [c.field, `${c.from} → ${c.to}`]))]));
    expect(changes.signups).toEqual({ Title: '"Signups" → "New signups"', Metric: "Events of signup → Unique users as percent", "Position and size": "column 1, row 1, 6 wide × 4 tall → column 7, row 1, 6 wide × 4 tall" });
    expect(changes["by-country"]).toEqual({ "Chart type": "Bar → Line", Breakdown: "Country → none", Filters: "none → Country is one of US, CA", Period: "Last 30 days → Last 7 days", Top: "no limit → top 10" });
    expect(changes.top).toEqual({ SQL: "SELECT name, count() AS n FROM events GROUP BY name → SELECT name FROM events", Period: "the dashboard's period → all time" });
    expect(diff.changed.find((w) => w.id === "top")!.changes[0].code).toBe(true);
    expect(diff.dashboard).toEqual([
      { field: "Time zone", from: "UTC", to: "Europe/Berlin" },
      { field: "End users may change", from: "none", to: "period (default last 7 days); Country" },
    ]);
  });

  it("names widgets added (with what they show) and removed, and a new order", () => {
    const diff = diffDefinitions(def({ widgets: [kpi, bar] }), def({ widgets: [bar, sql] }));
    expect(diff.added).toEqual([{ id: "top", title: "Top events", summary: "Table from custom SQL" }]);
    expect(diff.removed).toEqual([{ id: "signups", title: "Signups" }]);
    const added = diffDefinitions(def({ widgets: [] }), def({ widgets: [bar] })).added[0];
    expect(added.summary).toBe("Bar of Events by Country, last 30 days");
    const reordered = diffDefinitions(def({ widgets: [kpi, bar] }), def({ widgets: [bar, kpi] }));
    expect(reordered.dashboard).toEqual([{ field: "Widget order", from: "Signups, By country", to: "By country, Signups" }]);
  });

  it("finds nothing when only defaults are written out", () => {
    expect(isEmptyDiff(diffDefinitions(def({ widgets: [kpi] }), def({ widgets: [{ ...kpi, filters: [], time_range: { kind: "last_30_days" } }], timezone: "UTC" })))).toBe(true);
  });
});
