import crypto from "node:crypto";
import type { EventInput } from "@/lib/analytics/event-row";

// Deterministic demo events (pure: no I/O, safe to import from tests).
// Each tenant draws from its own PRNG, so a tenant's rows depend only on the
// seed, its share of the total and the anchor day, never on other tenants.

export const DEMO_SEED = 20261123;
export const DEMO_DAYS = 90;

export type DemoTenant = { id: string; share: number; countries: string[] };

const EU = ["DE", "FR", "NL", "ES", "IT", "SE", "PL"];
const WORLD = ["US", "GB", "DE", "FR", "CA", "IN", "BR", "JP", "AU"];

/** Named tenants of different sizes, look-alike ids, and a long tail of small ones. */
export function demoTenants(): DemoTenant[] {
  const named: DemoTenant[] = [
    { id: "acme", share: 0.2, countries: ["US", "CA", "GB", "DE"] },
    { id: "globex", share: 0.13, countries: WORLD },
    { id: "initech", share: 0.09, countries: ["US", "IN"] },
    { id: "umbrella", share: 0.05, countries: ["GB", "FR", "JP"] },
    { id: "hooli", share: 0.04, countries: ["US"] },
    // Look-alikes: prefixes, suffixes and separators of a real tenant id.
    { id: "acme2", share: 0.03, countries: ["BR", "US"] },
    { id: "acme.eu", share: 0.03, countries: EU },
    { id: "acme-staging", share: 0.01, countries: ["US"] },
    { id: "ACME", share: 0.01, countries: ["AU"] },
  ];
  const tailCount = 40;
  const tailShare = 1 - named.reduce((s, t) => s + t.share, 0);
  // Zipf-like long tail: tenant k gets a share proportional to 1/k.
  const harmonic = Array.from({ length: tailCount }, (_, k) => 1 / (k + 1)).reduce((a, b) => a + b, 0);
  const tail = Array.from({ length: tailCount }, (_, k) => ({
    id: `tenant-${String(k + 1).padStart(3, "0")}`,
    share: (tailShare * (1 / (k + 1))) / harmonic,
    countries: [WORLD[k % WORLD.length], WORLD[(k + 3) % WORLD.length]],
  }));
  return [...named, ...tail];
}

/** Rows a tenant gets out of `total`. */
export function demoTenantRows(tenant: DemoTenant, total: number): number {
  return Math.round(total * tenant.share);
}

function prng(seedText: string): () => number {
  // mulberry32 seeded from a hash of the text.
  let a = crypto.createHash("sha256").update(seedText).digest().readUInt32LE(0);
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T,>(rand: () => number, items: readonly T[]): T => items[Math.floor(rand() * items.length)];

const PAGES = ["/", "/pricing", "/docs", "/blog", "/app/reports", "/app/settings", "/app/billing"];
const PLANS = ["free", "free", "free", "pro", "pro", "enterprise"];
const DEVICES = ["desktop", "desktop", "desktop", "mobile", "mobile", "tablet"];

/** Start of the UTC day: demo data covers the DEMO_DAYS days before it. */
export function demoAnchor(now = new Date()): Date {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
}

/** One tenant's demo events, in a fixed order. */
export function* demoEventsForTenant(tenant: DemoTenant, total: number, anchor: Date, seed = DEMO_SEED): Generator<EventInput & { ts: string; event_id: string }> {
  const rand = prng(`${seed}:${tenant.id}`);
  const rows = demoTenantRows(tenant, total);
  const users = Math.max(5, Math.round(rows / 12));
  const start = anchor.getTime() - DEMO_DAYS * 86_400_000;
  for (let i = 0; i < rows; i++) {
    // More traffic in recent weeks: sqrt skews day offsets towards the anchor.
    const dayOffset = Math.floor(Math.sqrt(rand()) * DEMO_DAYS);
    const ts = new Date(start + dayOffset * 86_400_000 + Math.floor(rand() * 86_400_000));
    const r = rand();
    const name = r < 0.1 ? "signup" : r < 0.85 ? "page_view" : "order_completed";
    const userNumber = 1 + Math.floor(rand() * users);
    const properties: Record<string, string> = {
      country: pick(rand, tenant.countries),
      plan: pick(rand, PLANS),
      device: pick(rand, DEVICES),
    };
    if (name === "page_view") properties.page = pick(rand, PAGES);
    const amount = name === "order_completed" ? Math.round((20 + rand() * rand() * 480) * 100) / 100 : undefined;
    yield {
      tenant_id: tenant.id,
      event_id: `demo_${crypto.createHash("sha1").update(`${seed}:${tenant.id}:${i}`).digest("hex").slice(0, 20)}`,
      name,
      ts: ts.toISOString(),
      user_id: `u${userNumber}`,
      ...(amount !== undefined ? { value: amount } : {}),
      properties,
    };
  }
}

/** Every demo event of every tenant. */
export function* demoEvents(total: number, anchor: Date, seed = DEMO_SEED) {
  for (const tenant of demoTenants()) yield* demoEventsForTenant(tenant, total, anchor, seed);
}
