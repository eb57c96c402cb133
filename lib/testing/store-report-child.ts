// Opens DATA_DIR's stores as a start does (schema, then the rollups the live
// versions need, built to the end) and prints, as JSON, per tenant and batch
// the events' count and value sum, and the tenants each rollup table holds.
// Run with scripts/run-ts.mjs after the server on DATA_DIR has stopped.
import { closeAnalytics, getAnalytics, queryRows } from "@/lib/analytics/engine";
import { ensureAnalyticsSchema } from "@/lib/analytics/schema";
import { getDb } from "@/lib/db";
import { reconcileRollups, rollupBuildsSettled } from "@/lib/rollups/build";
import { rollupTableName } from "@/lib/rollups/define";

async function main() {
  const engine = getAnalytics();
  await ensureAnalyticsSchema(engine);
  await reconcileRollups(engine);
  await rollupBuildsSettled();
  const events = await queryRows<{ tenant_id: string; batch: string; n: number; sum: number }>(
    engine,
    "SELECT tenant_id, properties['batch'] AS batch, count() AS n, sum(value) AS sum FROM enclave.events GROUP BY tenant_id, batch ORDER BY tenant_id, batch",
  );
  const rollups: Record<string, { state: string; tenants: string[] }> = {};
  for (const row of await getDb().rollup.findMany()) {
    const tenants = await queryRows<{ tenant_id: string }>(engine, `SELECT DISTINCT tenant_id FROM enclave.${rollupTableName(row)} ORDER BY tenant_id`);
    rollups[row.id] = { state: row.state, tenants: tenants.map((t) => t.tenant_id) };
  }
  console.log(`REPORT ${JSON.stringify({ events: events.map((e) => ({ ...e, n: Number(e.n), sum: Number(e.sum) })), rollups })}`);
  await closeAnalytics();
  await getDb().$disconnect();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
