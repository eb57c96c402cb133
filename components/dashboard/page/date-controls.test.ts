import { describe, expect, it } from "vitest";
import { tags, textOf } from "@/components/dashboard/render/testing";
import { DashboardDefinition } from "@/lib/dashboards/definition";
import { describeWidget } from "@/lib/dashboards/describe-widget";
import { pageModel } from "@/lib/dashboards/page-model";
import { Permissions } from "@/lib/query/permissions";
import { DashboardState } from "@/lib/query/run-dashboard";
import { dashboardMarkup } from "./document";
import { rangeBounds } from "./date-controls";

// The filter bar's dates as the server draws them (the embed and the admin
// preview share it): a "Custom range…" period with two labelled date inputs
// whose min/max keep the span within max_date_range_days and the end at
// today in the dashboard's zone, the compare toggle, and the time zone.

const NOW = new Date("2026-05-31T23:30:00Z"); // already 1 June in Berlin
const line = { kind: "chart", id: "daily", title: "Signups", chart: "line", metrics: [{ id: "event_count", event: "signup" }] } as const;
const pie = { kind: "chart", id: "plans", title: "Plans", chart: "pie", metrics: [{ id: "event_count" }], breakdown: "plan" } as const;

function bar(options: { state?: unknown; permissions?: unknown; widgets?: unknown[]; timezone?: string; locale?: string } = {}) {
  const definition = DashboardDefinition.parse({ widgets: options.widgets ?? [line, pie], timezone: options.timezone ?? "Europe/Berlin", filters: [{ kind: "date_range", default: { kind: "last_30_days" } }] });
  const model = pageModel({
    title: "Dates",
    definition,
    permissions: Permissions.parse(options.permissions ?? {}),
    widgets: definition.widgets.map((w) => describeWidget(w)),
    layout: [],
    state: DashboardState.parse(options.state ?? { filters: { time_range: { kind: "last_30_days" } } }),
    session: { mode: "embed", dataToken: "t", sessionExpiresAt: "", sessionExpiresInMs: 0, origins: [], locale: options.locale ?? "en" },
    now: NOW,
  });
  const markup = dashboardMarkup(model, new Map());
  const head = markup.match(/<div class="filter-bar".*?<\/div>/)![0];
  const input = (end: string) => tags(head).find((t) => t.name === "input" && t.attrs["data-range"] === end)!.attrs;
  return { head, model, input, form: tags(head).find((t) => t.name === "form")!.attrs };
}

describe("the filter bar's dates", () => {
  it("offers a custom range: two labelled date inputs and Apply, hidden until chosen", () => {
    const { head, input, form } = bar();
    expect(head).toMatch(/<option value="custom">Custom range…<\/option><\/select>/);
    expect(form).toMatchObject({ "data-custom-range": "", hidden: "" });
    expect(input("from")).toMatchObject({ type: "date", required: "" });
    expect(head).toMatch(/<label class="filter"><span>From<\/span><input type="date"[^>]*data-range="from"/);
    expect(head).toMatch(/<label class="filter"><span>To<\/span><input type="date"[^>]*data-range="to"/);
    expect(head).toMatch(/<button type="submit"[^>]*>Apply<\/button>/);
    // Prefilled with the current period's days, ending today in Berlin (1 June), not later.
    expect(input("to")).toMatchObject({ value: "2026-06-01", max: "2026-06-01" });
    expect(input("from")).toMatchObject({ value: "2026-05-03" });
  });

  it("keeps the inputs within max_date_range_days and today, and lists only the presets that fit", () => {
    const { head, input, form } = bar({ permissions: { max_date_range_days: 14 } });
    expect(form["data-max-days"]).toBe("14");
    expect(textOf(head)).toContain("Up to 14 days");
    expect(head).not.toContain('value="last_30_days"');
    // last_30_days is bounded to the last 14 days, as the server reads it.
    expect(input("from")).toMatchObject({ value: "2026-05-19", min: "2026-05-19", max: "2026-06-01" });
    expect(input("to")).toMatchObject({ value: "2026-06-01", min: "2026-05-19", max: "2026-06-01" });
    expect(rangeBounds("2026-01-01", "2026-01-05", "2026-06-01", 14)).toEqual({ from: { min: "2025-12-23", max: "2026-01-05" }, to: { min: "2026-01-01", max: "2026-01-14" } });
    expect(rangeBounds("2026-05-20", "2026-05-25", "2026-06-01", undefined)).toEqual({ from: { min: undefined, max: "2026-05-25" }, to: { min: "2026-05-20", max: "2026-06-01" } });
  });

  it("shows a chosen custom range after a reload of the state, within the bound", () => {
    const chosen = bar({ state: { filters: { time_range: { kind: "absolute", from: "2026-04-01", to: "2026-04-10" } } }, permissions: { max_date_range_days: 30 } });
    expect(chosen.head).toMatch(/<option value="custom" selected>/);
    expect(chosen.form.hidden).toBeUndefined();
    expect(chosen.input("from")).toMatchObject({ value: "2026-04-01", min: "2026-03-12", max: "2026-04-10" });
    expect(chosen.input("to")).toMatchObject({ value: "2026-04-10", min: "2026-04-01", max: "2026-04-30" });
    // A forged longer range shows as what is read: its last 30 days.
    const forged = bar({ state: { filters: { time_range: { kind: "absolute", from: "2025-01-01", to: "2026-04-10" } } }, permissions: { max_date_range_days: 30 } });
    expect(forged.input("from").value).toBe("2026-03-12");
  });

  it("has a compare toggle when a chart draws a time series, checked from the state", () => {
    expect(bar().head).toMatch(/<label class="filter filter-check"><input type="checkbox" data-filter="compare" data-testid="filter-compare"><span>Compare to previous period<\/span><\/label>/);
    expect(bar({ state: { filters: { compare: true } } }).head).toMatch(/data-filter="compare" data-testid="filter-compare" checked>/);
    expect(bar({ widgets: [pie] }).head).not.toContain('data-filter="compare"');
  });

  it("states the dashboard's time zone, in the viewer's language", () => {
    expect(textOf(bar().head)).toContain("Times in Europe/Berlin");
    expect(textOf(bar({ timezone: "UTC" }).head)).toContain("Times in UTC");
    const german = bar({ locale: "de" }).head;
    expect(textOf(german)).toContain("Zeiten in Europe/Berlin");
    expect(textOf(german)).toContain("Eigener Zeitraum…");
  });
});
