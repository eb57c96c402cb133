import "server-only";
import { getAnalytics } from "@/lib/analytics/engine";
import { ensureAnalyticsSchema } from "@/lib/analytics/schema";
import { loadDemoDataIfEmpty, type DemoLoad } from "@/lib/analytics/load-demo-data";
import { ensureFirstAdmin, type FirstAdmin } from "@/lib/auth/admin-users";
import { ensureDemoDashboard } from "@/lib/dashboards/demo-dashboard";
import { sweepLoginAttempts } from "@/lib/auth/login";
import { getDb } from "@/lib/db";
import { getEnv } from "@/lib/env";
import { getSecrets } from "@/lib/secrets";
import { ensureErasureLedger } from "@/lib/backup/erasure-ledger";

export type PrepareResult = { admin: FirstAdmin; demo: DemoLoad };

/**
 * Everything a start needs after migrations: secrets, the first admin, the
 * analytics schema and the demo data. Idempotent; safe to run on every start.
 */
export async function prepareStores(onProgress?: (done: number, total: number) => void): Promise<PrepareResult> {
  const env = getEnv();
  getSecrets();
  // An empty ledger from the first start on: a restore tells "no erasures yet" from "ledger lost".
  ensureErasureLedger();
  // WAL lets the CLI write keys while the server reads; the setting persists in the file.
  await getDb().$queryRawUnsafe("PRAGMA journal_mode = WAL");
  const admin = await ensureFirstAdmin();
  await sweepLoginAttempts();
  const engine = getAnalytics();
  await ensureAnalyticsSchema(engine);
  const demo = await loadDemoDataIfEmpty(engine, env.DEMO_EVENTS, onProgress);
  if (env.DEMO_EVENTS > 0) await ensureDemoDashboard();
  return { admin, demo };
}
