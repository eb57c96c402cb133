import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeAnalytics, getAnalytics, queryRows } from "@/lib/analytics/engine";
import { createApiKey } from "@/lib/auth/api-keys";
import { getDb } from "@/lib/db";
import { DashboardDefinition } from "@/lib/dashboards/definition";
import { createDashboard } from "@/lib/dashboards/drafts";
import { publishVersion } from "@/lib/dashboards/publish-version";
import { deriveRollup, rollupTableName, type RollupDefinition } from "@/lib/rollups/define";
import { killChildren, startChild, stopChild } from "@/lib/testing/crash-harness";
import { migrateTestDatabase } from "@/lib/testing/test-db";

// A server killed (SIGKILL) in the middle of ingesting loses no row it had
// acknowledged, and a client retrying its unacknowledged batches with the
// same Idempotency-Key ends with every batch stored exactly once — in events
// and in the live version's rollup, which is being built while the batches
// arrive and the server dies.

const ROWS_PER_BATCH = 20_000;
let key: string;

async function startServer() {
  const child = await startChild();
  return { child, url: `${child.baseUrl}/v1/events` };
}

function batchBody(n: number): string {
  return Array.from({ length: ROWS_PER_BATCH }, (_, i) => JSON.stringify({ tenant_id: "crash", name: "page_view", event_id: `b${n}-${i}`, properties: { page: `/p/${i % 50}` } })).join("\n");
}

async function send(url: string, n: number): Promise<boolean> {
  try {
    const res = await fetch(url, { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/x-ndjson", "idempotency-key": `batch-${n}` }, body: batchBody(n) });
    const body = await res.json();
    return res.status === 200 && body.accepted === ROWS_PER_BATCH;
  } catch {
    return false; // the connection died: not acknowledged
  }
}

let rollup: RollupDefinition;
let apiKeyId: string;

beforeAll(async () => {
  migrateTestDatabase();
  const created = await createApiKey({ name: "crash", scopes: ["ingest"] }, "test");
  key = created.secret;
  apiKeyId = created.key.id;
  // A live version whose rollup each server start builds (grp 0 counts every event by day).
  const definition = { widgets: [{ kind: "chart", id: "all", title: "All events", chart: "kpi", metrics: [{ id: "event_count" }] }, { kind: "chart", id: "pages", title: "Pages", chart: "bar", metrics: [{ id: "event_count" }], breakdown: "page" }] };
  const id = await createDashboard({ name: "Crash", actor: "test", definition });
  await publishVersion({ dashboardId: id, actor: "test" });
  rollup = deriveRollup(DashboardDefinition.parse(definition))!;
});
afterAll(async () => {
  await killChildren();
  await closeAnalytics();
});

describe("a server killed during a batch", () => {
  it("keeps every acknowledged row, and retries write each batch exactly once", async () => {
    const acked = new Set<number>();
    const unacked = new Set<number>();
    let next = 0;
    for (let round = 0; round < 2; round++) {
      const { child, url } = await startServer();
      for (let i = 0; i < 3; i++, next++) (await send(url, next) ? acked : unacked).add(next);
      // Two batches in flight; the server dies while they are being read or written.
      const inFlight = [next, next + 1].map((n) => send(url, n).then((ok) => (ok ? acked.add(n) : unacked.add(n))));
      next += 2;
      // Early (reading the body) in one round, later (parsing or inserting) in the other.
      await new Promise((r) => setTimeout(r, round === 0 ? 150 : 450));
      child.signal("SIGKILL");
      await Promise.all(inFlight);
      await child.exited;
    }
    console.log(`acknowledged batches: ${[...acked].sort((a, b) => a - b).join(",")}; cut off by the kill: ${[...unacked].sort((a, b) => a - b).join(",")}`);
    expect(acked.size).toBeGreaterThanOrEqual(6);
    expect(unacked.size, "at least one batch was cut off by the kill").toBeGreaterThan(0);

    // And one batch claimed by a server that died before it wrote anything (its number is below the
    // watermark of the rollup the next start rebuilds; only the view can count its retry).
    const orphan = next++;
    await getDb().idempotencyKey.create({ data: { apiKeyId, key: `batch-${orphan}`, bodyHash: crypto.createHash("sha256").update(batchBody(orphan)).digest("hex"), response: "", seq: BigInt(Date.now() * 1000) } });
    unacked.add(orphan);
    // As a kill during a rollup build leaves it, whether or not the kills above caught one (on a
    // quick machine the first server finishes its build before its kill): the next start rebuilds.
    await getDb().rollup.updateMany({ where: { id: rollup.id }, data: { state: "building" } });

    // The client retries what was not acknowledged, with the same keys.
    const { child, url } = await startServer();
    // The restarted server rebuilds the rollup its killed predecessors left half built; the client's
    // retries arrive after that build read the events (their batches' numbers are below its watermark).
    for (let i = 0; (await getDb().rollup.findUnique({ where: { id: rollup.id } }).catch(() => null))?.state !== "ready"; i++) {
      expect(i, "the rollup is ready within a minute").toBeLessThan(600);
      await new Promise((r) => setTimeout(r, 100));
    }
    for (const n of unacked) expect(await send(url, n), `retry of batch ${n}`).toBe(true);
    // And a retry of an acknowledged batch is a replay, not a second copy.
    expect(await send(url, 0)).toBe(true);
    // A retry that did not find its rows stored (the engine kept its token, not its rows) retires the
    // rollups, which are then built again from the events: wait for that before comparing them.
    for (let i = 0; (await getDb().rollup.findUnique({ where: { id: rollup.id } }).catch(() => null))?.state !== "ready"; i++) {
      expect(i, "the rollup is ready again within a minute").toBeLessThan(600);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect((await stopChild(child, "SIGTERM")).code, "a stopped server exits 0").toBe(0);

    const counts = await queryRows<{ batch: string; n: number; distinct_ids: number }>(
      getAnalytics(),
      "SELECT splitByChar('-', event_id)[1] AS batch, count() AS n, uniqExact(event_id) AS distinct_ids FROM enclave.events WHERE tenant_id = 'crash' GROUP BY batch ORDER BY batch",
    );
    const byBatch = Object.fromEntries(counts.map((c) => [c.batch, c]));
    for (let n = 0; n < next; n++) {
      expect(byBatch[`b${n}`], `batch ${n} (${acked.has(n) ? "acknowledged" : "retried"})`).toEqual({ batch: `b${n}`, n: ROWS_PER_BATCH, distinct_ids: ROWS_PER_BATCH });
    }
    // The rollup counts every stored event once: per page, as events do.
    const fromEvents = await queryRows<{ page: string; n: number }>(getAnalytics(), "SELECT properties['page'] AS page, count() AS n FROM enclave.events WHERE tenant_id = 'crash' GROUP BY page ORDER BY page");
    const pages = rollup.sets.findIndex((s) => s.dims.length === 1);
    const fromRollup = await queryRows<{ page: string; n: number }>(getAnalytics(), `SELECT k1 AS page, sum(n) AS n FROM enclave.${rollupTableName(rollup)} WHERE tenant_id = 'crash' AND grp = ${pages} GROUP BY page ORDER BY page`);
    expect(fromRollup.map((r) => [r.page, Number(r.n)])).toEqual(fromEvents.map((r) => [r.page, Number(r.n)]));
    const [all] = await queryRows<{ n: number }>(getAnalytics(), `SELECT sum(n) AS n FROM enclave.${rollupTableName(rollup)} WHERE tenant_id = 'crash' AND grp = ${1 - pages}`);
    expect(Number(all.n)).toBe(next * ROWS_PER_BATCH);
  }, 120_000);
});
