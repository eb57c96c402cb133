import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { closeAnalytics } from "@/lib/analytics/engine";
import type { EventRow } from "@/lib/analytics/event-row";
import { Permissions } from "@/lib/query/permissions";
import { compileWidget } from "@/lib/query/compile-widget";
import { readFilterValues } from "@/lib/query/filter-values";
import { getEnv } from "@/lib/env";
import { cachedResult, cacheResult, forgetTenantResults, resultCacheKey, resultCacheSize, runScopedCached, tenantCacheGeneration } from "@/lib/query/result-cache";
import { ChartWidget } from "@/lib/query/widget-spec";
import { loadDemoFixture, previewScope } from "@/lib/testing/analytics-fixture";

const ANCHOR = new Date("2026-06-01T00:00:00Z");
let rows: EventRow[];
beforeAll(async () => {
  ({ rows } = await loadDemoFixture(8_000, ANCHOR));
});
afterAll(() => closeAnalytics());

const distinct = (tenant: string, key: string) => new Set(rows.filter((r) => r.tenant_id === tenant).map((r) => r.properties[key]).filter(Boolean));

describe("filter values", () => {
  it("lists exactly the tenant's own values (acme vs its look-alike acme.eu)", async () => {
    const acme = await readFilterValues(previewScope("acme"), { dimension: "country" });
    const eu = await readFilterValues(previewScope("acme.eu"), { dimension: "country" });
    expect(new Set(acme.values.map((v) => v.value))).toEqual(distinct("acme", "country"));
    expect(new Set(eu.values.map((v) => v.value))).toEqual(distinct("acme.eu", "country"));
    // Values only the other tenant has never show up.
    expect(acme.values.map((v) => v.value)).not.toContain("NL");
    expect(eu.values.map((v) => v.value)).not.toContain("US");
  });

  it("honours locked filters, search, limit and allowed dimensions", async () => {
    const locked = await readFilterValues(previewScope("acme"), { dimension: "country" }, { permissions: Permissions.parse({ locked_filters: { country: ["US"] } }) });
    expect(locked.values.map((v) => v.value)).toEqual(["US"]);
    const searched = await readFilterValues(previewScope("acme"), { dimension: "page", search: "APP" });
    expect(searched.values.length).toBeGreaterThan(0);
    for (const v of searched.values) expect(v.value.toLowerCase()).toContain("app");
    expect((await readFilterValues(previewScope("globex"), { dimension: "country", limit: 2 })).values).toHaveLength(2);
    await expect(readFilterValues(previewScope("acme"), { dimension: "plan" }, { permissions: Permissions.parse({ allowed_dimensions: ["country"] }) })).rejects.toThrow(/not allowed/);
    await expect(readFilterValues(previewScope("acme"), { dimension: "tenant_id" } as never)).rejects.toThrow(/tenant column/);
  });
});

describe("result cache", () => {
  const spec = ChartWidget.parse({ kind: "chart", id: "w1", title: "t", chart: "kpi", metrics: [{ id: "event_count" }], time_range: { kind: "last_90_days" } });
  const base = { dashboardVersionId: "v1", widgetId: "w1", permissions: Permissions.parse({}), filters: {} };
  const now = new Date("2026-05-31T12:00:00Z");

  it("never serves one tenant's or one permission set's result to another", async () => {
    const a = previewScope("acme");
    const b = previewScope("acme2");
    const first = await runScopedCached(a, compileWidget(spec, a, { now }), base);
    const again = await runScopedCached(a, compileWidget(spec, a, { now }), base);
    expect(first.cached).toBe(false);
    expect(again.cached).toBe(true);
    expect(again.rows).toEqual(first.rows);

    const other = await runScopedCached(b, compileWidget(spec, b, { now }), base);
    expect(other.cached).toBe(false);
    expect(other.rows[0].m0).not.toEqual(first.rows[0].m0);

    const locked = Permissions.parse({ locked_filters: { country: ["US"] } });
    const narrowed = await runScopedCached(a, compileWidget(spec, a, { now, permissions: locked }), { ...base, permissions: locked });
    expect(narrowed.cached).toBe(false);
    expect(Number(narrowed.rows[0].m0)).toBeLessThan(Number(first.rows[0].m0));
  });

  it("keys differ on every part, and forgetting a tenant drops its entries only", async () => {
    const a = previewScope("acme");
    const compiled = compileWidget(spec, a, { now });
    const key = resultCacheKey(a, compiled, base);
    expect(resultCacheKey(previewScope("acme2"), compiled, base)).not.toBe(key);
    expect(resultCacheKey(a, compiled, { ...base, dashboardVersionId: "v2" })).not.toBe(key);
    expect(resultCacheKey(a, compiled, { ...base, widgetId: "w2" })).not.toBe(key);
    expect(resultCacheKey(a, compiled, { ...base, filters: { breakdown: "country" } })).not.toBe(key);
    expect(resultCacheKey(a, compiled, { ...base, permissions: Permissions.parse({ allow_export: true }) })).not.toBe(key);

    const b = previewScope("globex");
    await runScopedCached(b, compileWidget(spec, b, { now }), base);
    forgetTenantResults("acme");
    expect((await runScopedCached(a, compileWidget(spec, a, { now }), base)).cached).toBe(false);
    expect((await runScopedCached(b, compileWidget(spec, b, { now }), base)).cached).toBe(true);
  });

  it("does not keep a result read before the tenant's results were forgotten (an erasure during a render)", () => {
    const value = { rows: [{ n: 1 }], columns: [], stats: { elapsed_ms: 0, rows_read: 0, bytes_read: 0 } };
    const before = tenantCacheGeneration("erased");
    forgetTenantResults("erased"); // the erasure lands while the query runs
    cacheResult("stale-read", "erased", value, before);
    expect(cachedResult("stale-read")).toBeUndefined();
    cacheResult("fresh-read", "erased", value, tenantCacheGeneration("erased"));
    expect(cachedResult("fresh-read")).toEqual(value);
    // Another tenant's generation is its own.
    cacheResult("other", "acme-unrelated", value, tenantCacheGeneration("acme-unrelated"));
    expect(cachedResult("other")).toEqual(value);
  });

  it("holds a result for one TTL: expired results are swept as new ones arrive, not kept until the cap", () => {
    const ttl = getEnv().RESULT_CACHE_TTL_SECONDS * 1000;
    expect(ttl).toBeGreaterThan(0);
    const t0 = Date.now();
    const clock = vi.spyOn(Date, "now").mockReturnValue(t0);
    try {
      const value = { rows: [], columns: [], stats: { elapsed_ms: 0, rows_read: 0, bytes_read: 0 } };
      const before = resultCacheSize();
      for (let i = 0; i < 100; i++) cacheResult(`sweep-${i}`, "sweep", value, tenantCacheGeneration("sweep"));
      expect(resultCacheSize()).toBe(before + 100);
      // One TTL later every entry so far has expired: the next one stored finds them gone.
      clock.mockReturnValue(t0 + ttl + 1);
      cacheResult("sweep-late", "sweep", value, tenantCacheGeneration("sweep"));
      expect(resultCacheSize()).toBe(1);
    } finally {
      clock.mockRestore();
    }
  });
});
