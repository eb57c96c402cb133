import "server-only";
import { AppError } from "@/lib/errors";
import { z } from "zod";
import type { AdminContext } from "@/lib/auth/admin-session";
import { listTenantsForAdmin, type TenantSummary } from "@/lib/query/cross-tenant";
import { searchParam } from "@/lib/search-params";
import { countSessionsByTenant, listTenantsWithSessions } from "@/lib/tenants/session-counts";

// The admin tenants page: tenants as the event data knows them (ClickHouse,
// through the admin-only reader) joined with their embed sessions (SQLite).
// Tenants have no table of their own: a tenant exists once it has events or
// sessions, so tenants with sessions but no events are listed too.

export const TENANT_LIST_LIMIT = 200;

export const TenantSearch = z.object({ q: searchParam(z.string().max(128, "Search: at most 128 characters.")) });

export type TenantOverviewRow = {
  tenant_id: string;
  /** null: not in the event list (no events, or beyond the list's limit: see `eventsTruncated`). */
  events: number | null;
  firstSeen: Date | null;
  lastSeen: Date | null;
  activeSessions: number;
  sessionsLast24h: number;
};

export type TenantOverview = {
  tenants: TenantOverviewRow[];
  /** The event list stopped at the limit: a tenant outside it may still have events. */
  eventsTruncated: boolean;
  /** The analytics store failed; sessions are still listed. */
  eventsError?: string;
};

/** ClickHouse's `toString(DateTime64)` is "YYYY-MM-DD hh:mm:ss.sss" in UTC. */
const fromClickHouse = (s: string) => new Date(`${s.replace(" ", "T")}Z`);

export async function listTenantOverview(admin: AdminContext, { search, limit = TENANT_LIST_LIMIT }: { search?: string; limit?: number } = {}): Promise<TenantOverview> {
  let eventsError: string | undefined;
  const [withEvents, withSessions] = await Promise.all([
    listTenantsForAdmin({ kind: "admin", admin }, { search, limit }).catch((err: unknown): TenantSummary[] => {
      if (err instanceof AppError) throw err; // a refused proof is not a store outage
      console.error("tenants page: listing tenants from the analytics store failed", err);
      eventsError = "The analytics store did not answer, so event counts are missing. Check Overview → Stores.";
      return [];
    }),
    listTenantsWithSessions({ search, limit }),
  ]);
  const listed = new Set(withEvents.map((t) => t.tenant_id));
  const sessionOnly = withSessions.filter((t) => !listed.has(t));
  const counts = await countSessionsByTenant([...listed, ...sessionOnly]);
  const sessions = (tenant: string) => {
    const c = counts.get(tenant)!;
    return { activeSessions: c.active, sessionsLast24h: c.minted24h };
  };
  return {
    tenants: [
      ...withEvents.map((t) => ({ tenant_id: t.tenant_id, events: Number(t.events), firstSeen: fromClickHouse(t.first_seen), lastSeen: fromClickHouse(t.last_seen), ...sessions(t.tenant_id) })),
      ...sessionOnly.map((tenant_id) => ({ tenant_id, events: null, firstSeen: null, lastSeen: null, ...sessions(tenant_id) })),
    ],
    eventsTruncated: withEvents.length >= limit,
    ...(eventsError ? { eventsError } : {}),
  };
}
