import "server-only";
import type { Prisma } from "@prisma/client";
import { getDb } from "@/lib/db";

// Embed sessions per tenant for the admin tenants page: cross-tenant, so
// admin-only (lib/query/embed-imports.test.ts keeps embed code away from it).

export type SessionCounts = { active: number; minted24h: number };

const DAY_MS = 86_400_000;
// Each tenant with a cutoff adds one OR term; SQLite nests them, so keep a query well under its depth limit of 1000.
const CUTOFFS_PER_QUERY = 200;

/**
 * Sessions usable right now — the rule of `loadActiveSession` in
 * lib/embed/sessions.ts: not revoked, not expired, not a spent single-use
 * session, and minted after the tenant's cutoff — and sessions minted in
 * the last 24 h whatever their state. Tenants without sessions get zeros.
 */
export async function countSessionsByTenant(tenantIds: string[], now = new Date()): Promise<Map<string, SessionCounts>> {
  const counts = new Map(tenantIds.map((t) => [t, { active: 0, minted24h: 0 }]));
  if (tenantIds.length === 0) return counts;
  const db = getDb();
  const cutoffs = await db.tenantCutoff.findMany({ where: { tenantId: { in: tenantIds } } });
  const withCutoff = new Set(cutoffs.map((c) => c.tenantId));
  const usable: Prisma.EmbedSessionWhereInput = { revokedAt: null, expiresAt: { gt: now }, NOT: { singleUse: true, consumedAt: { not: null } } };
  const scopes: Prisma.EmbedSessionWhereInput[] = [
    { tenantId: { in: tenantIds.filter((t) => !withCutoff.has(t)) } },
    ...chunk(cutoffs, CUTOFFS_PER_QUERY).map((part) => ({ OR: part.map((c) => ({ tenantId: c.tenantId, createdAt: { gt: c.revokedBefore } })) })),
  ];
  const [active, recent] = await Promise.all([
    Promise.all(scopes.map((scope) => db.embedSession.groupBy({ by: ["tenantId"], where: { AND: [usable, scope] }, _count: { _all: true } }))),
    db.embedSession.groupBy({ by: ["tenantId"], where: { tenantId: { in: tenantIds }, createdAt: { gte: new Date(now.getTime() - DAY_MS) } }, _count: { _all: true } }),
  ]);
  for (const g of active.flat()) counts.get(g.tenantId)!.active += g._count._all;
  for (const g of recent) counts.get(g.tenantId)!.minted24h = g._count._all;
  return counts;
}

/**
 * Tenants with a session that has not expired or was minted in the last 24 h,
 * so a tenant without events (sessions can be minted for any valid id) still
 * shows on the tenants page. `search` is "contains", like the event list's.
 */
export async function listTenantsWithSessions({ search, limit, now = new Date() }: { search?: string; limit: number; now?: Date }): Promise<string[]> {
  const groups = await getDb().embedSession.groupBy({
    by: ["tenantId"],
    where: {
      OR: [{ expiresAt: { gt: now } }, { createdAt: { gte: new Date(now.getTime() - DAY_MS) } }],
      ...(search ? { tenantId: { contains: search } } : {}),
    },
    orderBy: { tenantId: "asc" },
    take: limit,
  });
  return groups.map((g) => g.tenantId);
}

function chunk<T>(items: T[], size: number): T[][] {
  return Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));
}
