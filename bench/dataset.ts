import { demoEventsForTenant } from "@/lib/analytics/demo-data";
import type { EventInput } from "@/lib/analytics/event-row";

// The benchmark's data set: T tenants whose sizes follow a Zipf law (tenant k
// gets a share ∝ 1/k), each tenant's events drawn by the demo generator, so
// the demo dashboard's six widgets have data for every tenant. Deterministic
// for a seed and an anchor day.

export type BenchTenant = { id: string; rank: number; rows: number; countries: string[] };
export type BenchEvent = EventInput & { tenant_id: string; ts: string; event_id: string; name: string; user_id: string; value?: number; properties: Record<string, string> };

const WORLD = ["US", "GB", "DE", "FR", "CA", "IN", "BR", "JP", "AU"];

/** Tenant ids look like customer slugs of varied length; the rank keeps them unique. */
export function tenantId(rank: number): string {
  return `tenant-${String(rank).padStart(4, "0")}`;
}

export function benchTenants(events: number, tenants: number): BenchTenant[] {
  const harmonic = Array.from({ length: tenants }, (_, k) => 1 / (k + 1)).reduce((a, b) => a + b, 0);
  const list = Array.from({ length: tenants }, (_, k) => {
    const countryCount = 1 + (k % 4);
    return {
      id: tenantId(k + 1),
      rank: k + 1,
      rows: Math.max(1, Math.round(events / (harmonic * (k + 1)))),
      countries: Array.from({ length: countryCount }, (_, i) => WORLD[(k + i * 2) % WORLD.length]),
    };
  });
  // Rounding: the largest tenant absorbs the difference, so the total is exact.
  list[0].rows += events - list.reduce((sum, t) => sum + t.rows, 0);
  return list;
}

/** The largest tenants' events carry a property with this many distinct values (an order or session reference): where rollups are hard. */
export const WIDE_PROPERTY = { key: "item", values: 50_000, ranks: 10 };

/** One tenant's events, `rows` of them, drawn by the demo generator with this seed. */
export function* tenantEvents(tenant: BenchTenant, rows: number, anchor: Date, seed: number): Generator<BenchEvent> {
  let i = 0;
  for (const event of demoEventsForTenant({ id: tenant.id, share: 1, countries: tenant.countries }, rows, anchor, seed) as Generator<BenchEvent>) {
    if (tenant.rank <= WIDE_PROPERTY.ranks) event.properties[WIDE_PROPERTY.key] = `item-${(i++ * 7919) % WIDE_PROPERTY.values}`;
    yield event;
  }
}

/** Every tenant's events, tenant after tenant (a backfill), in batches. */
export function* eventBatches(tenants: BenchTenant[], anchor: Date, seed: number, batchSize: number): Generator<BenchEvent[]> {
  let batch: BenchEvent[] = [];
  for (const tenant of tenants) {
    for (const event of tenantEvents(tenant, tenant.rows, anchor, seed)) {
      batch.push(event);
      if (batch.length >= batchSize) {
        yield batch;
        batch = [];
      }
    }
  }
  if (batch.length > 0) yield batch;
}
