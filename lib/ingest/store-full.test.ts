import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeAnalytics, getAnalytics, queryRows } from "@/lib/analytics/engine";
import { createApiKey } from "@/lib/auth/api-keys";
import { killChildren, startChild, stopChild } from "@/lib/testing/crash-harness";
import { getDb } from "@/lib/db";
import { migrateTestDatabase } from "@/lib/testing/test-db";

// The analytics store cannot write: the server runs under a file size limit
// (RLIMIT_FSIZE, as `ulimit -f` sets it). The embedded engine does not notice
// a write the limit cuts short: it acknowledged a large batch whose data file
// ended at the limit, and after a restart the batch was gone (its part set
// aside as broken). So the server refuses every write under a limit: ingest
// answers 503 store_unavailable with Retry-After and acknowledges nothing it
// did not store; the health check says why. Restarted without the limit, the
// client's retries with the same Idempotency-Keys are stored exactly once.

const LIMIT = 1_500_000;
const SMALL = 200;
const LARGE = 60_000;
let key: string;
const bodies = new Map<string, string>();

/** One batch per name; its body is kept, as a client keeps what it must retry. */
function batch(name: string, rows: number): string {
  let body = bodies.get(name);
  if (!body) {
    // Random ids: a part that compresses poorly, larger than the limit when the batch is large.
    body = Array.from({ length: rows }, (_, i) => JSON.stringify({ tenant_id: "full", name: "page_view", event_id: `${name}-${i}-${crypto.randomBytes(16).toString("hex")}`, user_id: crypto.randomBytes(16).toString("hex") })).join("\n");
    bodies.set(name, body);
  }
  return body;
}

async function send(baseUrl: string, name: string, rows: number) {
  const res = await fetch(`${baseUrl}/v1/events`, { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/x-ndjson", "idempotency-key": name }, body: batch(name, rows) });
  return { status: res.status, retryAfter: res.headers.get("retry-after"), replayed: res.headers.get("idempotent-replayed") === "true", body: (await res.json()) as { accepted?: number; error?: { code: string; message: string } } };
}

async function storedBatches(): Promise<Record<string, { n: number; distinct_ids: number }>> {
  const rows = await queryRows<{ batch: string; n: number; distinct_ids: number }>(
    getAnalytics(),
    "SELECT splitByChar('-', event_id)[1] AS batch, count() AS n, uniqExact(event_id) AS distinct_ids FROM enclave.events WHERE tenant_id = 'full' GROUP BY batch",
  );
  await closeAnalytics(); // the data directory is the child's again
  return Object.fromEntries(rows.map((r) => [r.batch, { n: Number(r.n), distinct_ids: Number(r.distinct_ids) }]));
}

beforeAll(async () => {
  migrateTestDatabase();
  key = (await createApiKey({ name: "full", scopes: ["ingest"] }, "test")).secret;
});
afterAll(async () => {
  await killChildren();
  await closeAnalytics();
});

describe("ingest when the analytics store cannot write", () => {
  it("answers 503 store_unavailable, acknowledges only what it stored, and stores the retries once after recovery", async () => {
    const metadataBytes = fs.statSync(path.join(process.env.DATA_DIR!, "app.db")).size;
    expect(metadataBytes, "the metadata database stays under the limit: only the analytics store is refused").toBeLessThan(LIMIT / 2);
    const acknowledged = new Set<string>();
    const refused = new Set<string>();

    const before = await startChild();
    expect(await send(before.baseUrl, "s1", SMALL), "a batch before the limit").toMatchObject({ status: 200, body: { accepted: SMALL } });
    acknowledged.add("s1");
    expect((await stopChild(before)).code).toBe(0);

    const limited = await startChild({ fileSizeLimit: LIMIT });
    const answers = new Map<string, Awaited<ReturnType<typeof send>>>();
    for (const [name, rows] of [["g1", LARGE], ["s2", SMALL], ["g2", LARGE]] as const) {
      const answer = await send(limited.baseUrl, name, rows);
      answers.set(name, answer);
      (answer.status === 200 ? acknowledged : refused).add(name);
    }
    const health = await fetch(`${limited.baseUrl}/api/health`);
    const report = { status: health.status, body: (await health.json()) as unknown };
    expect(limited.proc.exitCode, "the server survives the limit (SIGXFSZ is ignored)").toBeNull();
    expect((await stopChild(limited)).code, limited.output()).toBe(0);

    // A refused batch keeps its claim (its insert may have reached the engine): the retry with the same
    // key takes it over and is acknowledged only once its rows are counted in the store.
    const claims = await getDb().idempotencyKey.findMany({ where: { key: { in: [...refused] } } });
    expect(claims.map((c) => [c.key, c.response]).sort()).toEqual([...refused].sort().map((k) => [k, ""]));

    // The condition clears: restarted without the limit, the client retries with the same keys.
    const recovered = await startChild();
    for (const name of refused) expect(await send(recovered.baseUrl, name, name.startsWith("g") ? LARGE : SMALL), `retry of ${name}`).toMatchObject({ status: 200 });
    expect(await send(recovered.baseUrl, "s1", SMALL), "a retried acknowledged batch is a replay").toMatchObject({ status: 200, replayed: true });
    expect((await fetch(`${recovered.baseUrl}/api/health`)).status).toBe(200);
    expect((await stopChild(recovered)).code).toBe(0);

    // Every batch acknowledged at any point is stored, once: the restarts set nothing aside.
    const stored = await storedBatches();
    for (const name of [...acknowledged, ...refused]) {
      const rows = name.startsWith("g") ? LARGE : SMALL;
      expect(stored[name], `batch ${name} (${acknowledged.has(name) ? "acknowledged" : "retried"})`).toEqual({ n: rows, distinct_ids: rows });
    }
    // Under the limit every batch was refused, saying why and when to retry, and the health check said why.
    expect(report).toMatchObject({ status: 503, body: { status: "degraded", stores: { analytics: { status: "error", error: expect.stringMatching(/^writes are refused: the server process has a file size limit of 1500000 bytes .*; ingest answers 503 store_unavailable$/) } } } });
    for (const [name, answer] of answers) {
      expect(answer, `batch ${name} under the limit`).toMatchObject({
        status: 503,
        retryAfter: "30",
        body: { error: { code: "store_unavailable", message: expect.stringMatching(/^The analytics store cannot write right now \(the server process has a file size limit of 1500000 bytes \(ulimit -f\), .*\)\. Nothing from this request was stored\. Retry later with the same Idempotency-Key/) } },
      });
    }
  }, 90_000);
});
