import { getAnalytics, type AnalyticsEngine } from "@/lib/analytics/engine";
import { ensureAnalyticsSchema } from "@/lib/analytics/schema";
import { insertEventRows } from "@/lib/analytics/ingest";
import { demoEvents, demoAnchor } from "@/lib/analytics/demo-data";
import { toEventRow, type EventRow } from "@/lib/analytics/event-row";
import { issueProofSubject } from "@/lib/auth/admin-proof";
import { scopeForAdminPreview, type TenantScope } from "@/lib/query/scope";

/** The demo data set at a fixed anchor, as rows, for tests that compute expected values. */
export function demoRows(total: number, anchor = demoAnchor()): EventRow[] {
  return [...demoEvents(total, anchor)].map((e, i) => {
    const row = toEventRow(e, i);
    if ("code" in row) throw new Error(row.message);
    return row;
  });
}

/** Loads demo rows into the engine's events table (real chdb, this test file's data dir). */
export async function loadDemoFixture(total: number, anchor = demoAnchor()): Promise<{ engine: AnalyticsEngine; rows: EventRow[] }> {
  const engine = getAnalytics();
  await ensureAnalyticsSchema(engine);
  const rows = demoRows(total, anchor);
  for (let i = 0; i < rows.length; i += 10_000) await insertEventRows(engine, rows.slice(i, i + 10_000));
  return { engine, rows };
}

// As getAdmin() would give it: an issued proof subject.
const testAdmin = issueProofSubject({ id: "adm_test", email: "tester@example.com", name: "Tester", actor: "admin:tester@example.com", role: "owner" });

/** A scope as an admin previewing the tenant would get. */
export function previewScope(tenantId: string): TenantScope {
  return scopeForAdminPreview({ kind: "admin", admin: testAdmin }, tenantId);
}
