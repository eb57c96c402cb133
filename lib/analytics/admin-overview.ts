import "server-only";
import type { AdminContext } from "@/lib/auth/admin-session";
import { getAnalytics, queryRows } from "@/lib/analytics/engine";

// Admin-only, cross-tenant totals. Demands an admin context; never imported by embed code.

export type StoreOverview = { events: number; tenants: number; lastEventAt: string | null };

export async function readStoreOverviewForAdmin(admin: AdminContext): Promise<StoreOverview> {
  void admin; // the parameter is the proof that an admin asked
  const engine = getAnalytics();
  const [row] = await queryRows<{ events: number; tenants: number; last: string | null }>(
    engine,
    `SELECT count() AS events, uniqExact(tenant_id) AS tenants, if(count() = 0, NULL, toString(max(ts))) AS last FROM ${engine.database}.events`,
  );
  return { events: row.events, tenants: row.tenants, lastEventAt: row.last };
}
