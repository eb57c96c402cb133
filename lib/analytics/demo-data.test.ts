import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoAnchor, demoEvents, demoEventsForTenant, demoTenantRows, demoTenants, DEMO_DAYS } from "@/lib/analytics/demo-data";
import { closeAnalytics, getAnalytics, queryRows } from "@/lib/analytics/engine";
import { ensureAnalyticsSchema } from "@/lib/analytics/schema";
import { loadDemoDataIfEmpty } from "@/lib/analytics/load-demo-data";
import { toEventRow } from "@/lib/analytics/event-row";
import { migrateTestDatabase } from "@/lib/testing/test-db";

const anchor = new Date("2026-06-01T00:00:00Z");

describe("demo data generator", () => {
  it("is deterministic and includes named, look-alike and long-tail tenants", () => {
    const a = [...demoEvents(5_000, anchor)];
    const b = [...demoEvents(5_000, anchor)];
    expect(a).toEqual(b);
    const ids = demoTenants().map((t) => t.id);
    expect(ids).toEqual(expect.arrayContaining(["acme", "globex", "initech", "acme2", "acme.eu", "ACME", "tenant-001", "tenant-040"]));
    const acme = demoTenantRows(demoTenants()[0], 100_000);
    const small = demoTenantRows(demoTenants().at(-1)!, 100_000);
    expect(acme).toBeGreaterThan(small * 20);
  });

  it("gives each tenant rows that do not depend on the other tenants", () => {
    const acme = demoTenants().find((t) => t.id === "acme")!;
    const alone = [...demoEventsForTenant(acme, 10_000, anchor)];
    const together = [...demoEvents(10_000, anchor)].filter((e) => e.tenant_id === "acme");
    expect(together).toEqual(alone);
  });

  it("produces valid events within the days before the anchor, with the contract's names and properties", () => {
    const events = [...demoEvents(3_000, anchor)];
    for (const e of events) {
      const row = toEventRow(e, 0);
      expect("code" in row ? row.message : "valid").toBe("valid");
      const ts = Date.parse(e.ts);
      expect(ts).toBeLessThan(anchor.getTime());
      expect(ts).toBeGreaterThanOrEqual(anchor.getTime() - DEMO_DAYS * 86_400_000);
      expect(["signup", "page_view", "order_completed"]).toContain(e.name);
      expect(Object.keys(e.properties!)).toEqual(expect.arrayContaining(["country", "plan", "device"]));
      if (e.name === "page_view") expect(e.properties!.page).toMatch(/^\//);
      if (e.name === "order_completed") expect(e.value).toBeGreaterThan(0);
      else expect(e.value).toBeUndefined();
    }
  });

  it("anchors at the start of the UTC day", () => {
    expect(demoAnchor(new Date("2026-03-04T17:30:00Z")).toISOString()).toBe("2026-03-04T00:00:00.000Z");
  });
});

describe("loading demo data", () => {
  beforeAll(async () => {
    migrateTestDatabase();
    await ensureAnalyticsSchema(getAnalytics());
  });
  afterAll(() => closeAnalytics());

  it("loads through the ingest path once, with per-tenant counts matching the generator", async () => {
    const engine = getAnalytics();
    const first = await loadDemoDataIfEmpty(engine, 8_000);
    expect(first.loaded).toBe(true);
    const second = await loadDemoDataIfEmpty(engine, 8_000);
    expect(second).toEqual({ loaded: false, reason: "demo data was loaded before" });
    const rows = await queryRows<{ tenant_id: string; n: number }>(engine, `SELECT tenant_id, count() AS n FROM ${engine.database}.events GROUP BY tenant_id`);
    const counts = Object.fromEntries(rows.map((r) => [r.tenant_id, r.n]));
    for (const tenant of demoTenants()) {
      const expected = demoTenantRows(tenant, 8_000);
      expect(counts[tenant.id] ?? 0, tenant.id).toBe(expected);
    }
  });
});
