import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeAnalytics } from "@/lib/analytics/engine";
import type { EventRow } from "@/lib/analytics/event-row";
import { Permissions } from "@/lib/query/permissions";
import { compileWidget } from "@/lib/query/compile-widget";
import { runScoped } from "@/lib/query/run-scoped";
import { ChartWidget, type WidgetInput } from "@/lib/query/widget-spec";
import { loadDemoFixture, previewScope } from "@/lib/testing/analytics-fixture";

const NOW = new Date("2026-06-01T12:00:00Z");
const ANCHOR = new Date("2026-06-01T00:00:00Z");
const widget = (input: Partial<WidgetInput> & { chart: ChartWidget["chart"] }) =>
  ChartWidget.parse({ kind: "chart", id: "w1", title: "t", metrics: [{ id: "event_count" }], ...input });

let rows: EventRow[];
beforeAll(async () => {
  ({ rows } = await loadDemoFixture(6_000, ANCHOR));
});
afterAll(() => closeAnalytics());

describe("compileWidget SQL", () => {
  it("snapshots a KPI, a time series with a top-N breakdown, and a filtered bar chart", () => {
    const scope = previewScope("acme");
    const kpi = compileWidget(widget({ chart: "kpi", metrics: [{ id: "value_sum", event: "order_completed" }], time_range: { kind: "last_30_days" } }), scope, { now: NOW });
    expect(kpi.sql).toMatchSnapshot();
    expect(kpi.params).toMatchSnapshot();
    const series = compileWidget(widget({ chart: "line", breakdown: "country", granularity: "week", limit: 3, time_range: { kind: "last_90_days" } }), scope, { now: NOW, timezone: "Europe/Berlin" });
    expect(series.sql).toMatchSnapshot();
    const bar = compileWidget(
      widget({ chart: "bar", breakdown: "page", filters: [{ field: "event", op: "equals", value: "page_view" }, { field: "device", op: "in", values: ["mobile"] }, { field: "plan", op: "not_in", values: ["free"] }, { field: "page", op: "contains", value: "app" }, { field: "value", op: "between", min: 1, max: 9 }], metrics: [{ id: "unique_users" }, { id: "conversion_rate", from_event: "signup", to_event: "order_completed" }] }),
      scope,
      { now: NOW, permissions: Permissions.parse({ locked_filters: { plan: ["pro", "enterprise"] } }) },
    );
    expect(bar.sql).toMatchSnapshot();
  });

  it("puts the tenant predicate on every table reference and no user text in the SQL", () => {
    const scope = previewScope("acme");
    const evil = "x' OR 1=1 --";
    const compiled = compileWidget(widget({ chart: "stacked_bar", breakdown: "property:custom_key", filters: [{ field: "country", op: "equals", value: evil }] }), scope, { now: NOW });
    const tableRefs = compiled.sql.match(/FROM \S+/g)!;
    const tenantPredicates = compiled.sql.match(/tenant_id = \{tenant:String\}/g)!;
    expect(tableRefs.length).toBe(2);
    expect(tenantPredicates.length).toBe(tableRefs.length);
    expect(compiled.sql).not.toContain(evil);
    expect(compiled.sql).not.toContain("acme");
    expect(Object.values(compiled.params)).toContain(evil);
  });

  it("refuses hidden widgets, disallowed breakdowns and filters, and drill-down when off", () => {
    const scope = previewScope("acme");
    const spec = widget({ chart: "bar", breakdown: "country" });
    expect(() => compileWidget(spec, scope, { permissions: Permissions.parse({ hidden_widgets: ["w1"] }) })).toThrow(/not available/);
    expect(() => compileWidget(spec, scope, { permissions: Permissions.parse({ allowed_dimensions: ["plan"] }) })).toThrow(/Breaking down by "country" is not allowed/);
    expect(() => compileWidget(spec, scope, { permissions: Permissions.parse({ allowed_dimensions: ["country"] }), filters: { filters: [{ field: "plan", op: "equals", value: "pro" }] } })).toThrow(/Filtering by "plan"/);
    expect(() => compileWidget(spec, scope, { permissions: Permissions.parse({ allow_drill_down: false }), filters: { breakdown: "device" } })).toThrow(/Drill-down/);
  });

  it("clamps the date range to max_date_range_days", () => {
    const compiled = compileWidget(widget({ chart: "table", time_range: { kind: "last_90_days" } }), previewScope("acme"), { now: NOW, permissions: Permissions.parse({ max_date_range_days: 7 }) });
    expect(Date.parse(compiled.range!.to) - Date.parse(compiled.range!.from)).toBe(7 * 86_400_000);
  });

  it("refuses specs on the tenant column, unknown dimensions and tenant fields", () => {
    expect(() => widget({ chart: "bar", breakdown: "tenant_id" })).toThrow(/tenant column/);
    expect(() => widget({ chart: "bar", breakdown: "property:tenant_id" })).toThrow(/tenant column/);
    expect(() => widget({ chart: "bar", filters: [{ field: "tenant_id", op: "equals", value: "globex" }] })).toThrow(/tenant column/);
    expect(() => ChartWidget.parse({ kind: "chart", id: "w", title: "t", chart: "kpi", metrics: [{ id: "event_count" }], tenant_id: "globex" })).toThrow(/tenant_id/);
    expect(() => widget({ chart: "bar", breakdown: "properties['x']" })).toThrow(/unknown dimension/);
  });
});

describe("compiled queries on the engine, two tenants", () => {
  const count = (tenant: string, pred: (r: EventRow) => boolean = () => true) => rows.filter((r) => r.tenant_id === tenant && pred(r)).length;

  it("counts exactly the tenant's rows for acme and its look-alikes", async () => {
    for (const tenant of ["acme", "acme2", "acme.eu", "ACME", "globex"]) {
      const compiled = compileWidget(widget({ chart: "table", time_range: { kind: "last_90_days" } }), previewScope(tenant), { now: NOW });
      const result = await runScoped(previewScope(tenant), compiled);
      expect(result.rows[0].m0, tenant).toBe(count(tenant));
    }
  });

  it("breaks down by country within the tenant only, honouring locked filters at both layers", async () => {
    const spec = widget({ chart: "bar", breakdown: "country", time_range: { kind: "last_90_days" }, limit: 50 });
    const acme = await runScoped(previewScope("acme"), compileWidget(spec, previewScope("acme"), { now: NOW }));
    const expected = new Map<string, number>();
    for (const r of rows) if (r.tenant_id === "acme") expected.set(r.properties.country, (expected.get(r.properties.country) ?? 0) + 1);
    expect(Object.fromEntries(acme.rows.map((r) => [r.dimension, r.m0]))).toEqual(Object.fromEntries(expected));

    const permissions = Permissions.parse({ locked_filters: { country: ["US"] } });
    const locked = await runScoped(previewScope("acme"), compileWidget(spec, previewScope("acme"), { now: NOW, permissions }));
    expect(locked.rows).toEqual([{ dimension: "US", m0: expected.get("US") }]);
  });

  it("groups only rows some metric counts: no empty page row in Top pages, for any tenant", async () => {
    const topPages = widget({ chart: "table", breakdown: "page", limit: 50, time_range: { kind: "last_90_days" }, metrics: [{ id: "event_count", event: "page_view" }, { id: "unique_users", event: "page_view" }] });
    for (const tenant of ["acme", "acme2", "globex", "tenant-040"]) {
      const result = await runScoped(previewScope(tenant), compileWidget(topPages, previewScope(tenant), { now: NOW }));
      const expected = new Map<string, number>();
      for (const r of rows) if (r.tenant_id === tenant && r.name === "page_view") expected.set(r.properties.page, (expected.get(r.properties.page) ?? 0) + 1);
      expect(result.rows.map((r) => r.dimension), tenant).not.toContain("");
      expect(Object.fromEntries(result.rows.map((r) => [r.dimension, r.m0])), tenant).toEqual(Object.fromEntries(expected));
    }
  });

  it("still shows an empty group when the data has one (events without the property)", async () => {
    const allByPage = widget({ chart: "bar", breakdown: "page", limit: 50, time_range: { kind: "last_90_days" } });
    const result = await runScoped(previewScope("acme"), compileWidget(allByPage, previewScope("acme"), { now: NOW }));
    const withoutPage = count("acme", (r) => r.properties.page === undefined);
    expect(withoutPage).toBeGreaterThan(0);
    expect(result.rows.find((r) => r.dimension === "")?.m0).toBe(withoutPage);
  });

  it("keeps every bucket of a time series, with zero where a metric counted nothing", async () => {
    const days = (tz: string) => {
      // A day with no signups at all: only a page view.
      const series = widget({ chart: "line", granularity: "day", time_range: { kind: "absolute", from: "2026-05-01", to: "2026-05-31" }, metrics: [{ id: "event_count", event: "signup" }, { id: "value_avg", event: "signup" }] });
      return compileWidget(series, previewScope("tenant-040"), { now: NOW, timezone: tz });
    };
    for (const tz of ["UTC", "Asia/Kathmandu", "America/New_York"]) {
      const result = await runScoped(previewScope("tenant-040"), days(tz));
      expect(result.rows.map((r) => String(r.bucket).slice(0, 10)), tz).toEqual(Array.from({ length: 31 }, (_, i) => `2026-05-${String(i + 1).padStart(2, "0")}`));
      const signups = rows.filter((r) => r.tenant_id === "tenant-040" && r.name === "signup").length;
      expect(result.rows.reduce((sum, r) => sum + Number(r.m0), 0), tz).toBeLessThanOrEqual(signups);
      const empty = result.rows.filter((r) => r.m0 === 0);
      expect(empty.length, tz).toBeGreaterThan(0);
      // An average over nothing is unknown, not zero.
      expect(empty.every((r) => r.m1 === null), tz).toBe(true);
    }
  });

  it("keeps zero buckets per breakdown value in a broken-down series", async () => {
    const series = widget({ chart: "stacked_bar", breakdown: "country", granularity: "week", limit: 5, time_range: { kind: "last_90_days" }, metrics: [{ id: "event_count", event: "order_completed" }] });
    const result = await runScoped(previewScope("acme2"), compileWidget(series, previewScope("acme2"), { now: NOW }));
    const buckets = new Set(result.rows.map((r) => r.bucket));
    const countries = new Set(result.rows.map((r) => r.dimension));
    expect(result.rows.length).toBe(buckets.size * countries.size);
    expect(countries).not.toContain("");
  });

  it("reports rows read, bytes read and elapsed time", async () => {
    // Granule pruning needs more rows than one granule (8192); the benchmark measures it at scale.
    const result = await runScoped(previewScope("tenant-040"), compileWidget(widget({ chart: "table", time_range: { kind: "last_90_days" } }), previewScope("tenant-040"), { now: NOW }));
    expect(result.stats.rows_read).toBeGreaterThanOrEqual(count("tenant-040"));
    expect(result.stats.bytes_read).toBeGreaterThan(0);
    expect(result.stats.elapsed_ms).toBeGreaterThan(0);
  });
});
