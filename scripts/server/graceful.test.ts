import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeAnalytics, getAnalytics, queryRows } from "@/lib/analytics/engine";
import { createApiKey } from "@/lib/auth/api-keys";
import { killChildren, startChild, stopChild } from "@/lib/testing/crash-harness";
import { postSlowly, requestInTwoParts, type Answer } from "@/lib/testing/http-client";
import { migrateTestDatabase } from "@/lib/testing/test-db";
import { parseDrainSeconds } from "./graceful.mjs";

// SIGTERM while ingest batches are in flight: the server (the production
// server's drain, scripts/server/graceful.mjs, in front of the real
// POST /v1/events) finishes them, refuses what arrives meanwhile with 503 and
// Retry-After or a refused connection, closes the stores and exits 0 within
// its bound. Every acknowledged batch is stored once; the refused ones are
// stored once when retried after the restart.

const ROWS = 20_000;
const DRAIN_SECONDS = 20;
let key: string;

// Batch 5 is small: it is refused before its body is read, and a large unread body could reset the connection.
const rowsOf = (n: number) => (n === 5 ? 100 : ROWS);
const batchBody = (n: number) => Array.from({ length: rowsOf(n) }, (_, i) => JSON.stringify({ tenant_id: "drain", name: "page_view", event_id: `b${n}-${i}`, properties: { page: `/p/${i % 50}` } })).join("\n");
const headersFor = (n: number) => ({ authorization: `Bearer ${key}`, "content-type": "application/x-ndjson", "idempotency-key": `batch-${n}` });
const acknowledged = (a: Answer, n: number) => "status" in a && a.status === 200 && JSON.parse(a.body).accepted === rowsOf(n);

async function storedBatches(): Promise<Record<string, { n: number; distinct_ids: number }>> {
  const rows = await queryRows<{ batch: string; n: number; distinct_ids: number }>(
    getAnalytics(),
    "SELECT splitByChar('-', event_id)[1] AS batch, count() AS n, uniqExact(event_id) AS distinct_ids FROM enclave.events WHERE tenant_id = 'drain' GROUP BY batch",
  );
  await closeAnalytics(); // the data directory is the child's again
  return Object.fromEntries(rows.map((r) => [r.batch, { n: Number(r.n), distinct_ids: Number(r.distinct_ids) }]));
}

beforeAll(async () => {
  migrateTestDatabase();
  key = (await createApiKey({ name: "drain", scopes: ["ingest"] }, "test")).secret;
});
afterAll(async () => {
  await killChildren();
  await closeAnalytics();
});

describe("SHUTDOWN_DRAIN_SECONDS", () => {
  it("defaults to 25 s and refuses what is not whole seconds from 1 to 3600", () => {
    expect(parseDrainSeconds(undefined)).toBe(25_000);
    expect(parseDrainSeconds("3")).toBe(3000);
    for (const bad of ["0", "-1", "2.5", "10s", "3601"]) expect(() => parseDrainSeconds(bad), bad).toThrow(/SHUTDOWN_DRAIN_SECONDS: expected whole seconds/);
  });
});

describe("a server stopped with SIGTERM during ingest", () => {
  it("finishes the batches in flight, refuses new ones, closes the stores and exits 0", async () => {
    const child = await startChild({ env: { SHUTDOWN_DRAIN_SECONDS: String(DRAIN_SECONDS) } });
    const url = `${child.baseUrl}/v1/events`;
    const port = Number(new URL(child.baseUrl).port);
    const agent = new http.Agent({ keepAlive: true });
    for (let n = 0; n < 3; n++) expect(acknowledged(await postSlowly(url, batchBody(n), { headers: headersFor(n), agent }).answer, n), `batch ${n}`).toBe(true);

    // In flight when the signal arrives: batch 3 still being sent (its body trickles in over
    // ~2 s), batch 4 sent whole and being parsed or inserted; batch 5 has sent part of its
    // headers on an open connection and finishes them during the drain.
    const slow = postSlowly(url, batchBody(3), { headers: headersFor(3), chunks: 20, gapMs: 100, agent });
    await slow.started;
    const late = await requestInTwoParts(port, `POST /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${key}\r\n`);
    await new Promise((r) => setTimeout(r, 300));
    const whole = postSlowly(url, batchBody(4), { headers: headersFor(4), agent });
    await whole.started;
    // Long enough for the server to take batch 4 in (had it answered by the signal, it is simply acknowledged).
    await new Promise((r) => setTimeout(r, 150));
    const signalled = Date.now();
    child.signal("SIGTERM");
    await new Promise((r) => setTimeout(r, 200));
    const body5 = batchBody(5);
    const refusedOnOpenConnection = late(`Content-Type: application/x-ndjson\r\nIdempotency-Key: batch-5\r\nContent-Length: ${Buffer.byteLength(body5)}\r\n\r\n${body5}`);
    // A new connection after the listener closed.
    const newConnection = postSlowly(url, batchBody(6), { headers: headersFor(6) }).answer;

    const [a3, a4, a5, a6, exit] = await Promise.all([slow.answer, whole.answer, refusedOnOpenConnection, newConnection, child.exited]);
    agent.destroy();
    expect(acknowledged(a3, 3), `batch 3, being sent at the signal: ${JSON.stringify(a3).slice(0, 200)}`).toBe(true);
    expect(acknowledged(a4, 4), `batch 4, in the server at the signal: ${JSON.stringify(a4).slice(0, 200)}`).toBe(true);
    expect(a5, "a request finished during the drain is refused with 503").toMatchObject({ status: 503, headers: { "retry-after": "5" } });
    expect("body" in a5 && JSON.parse(a5.body).error.code).toBe("shutting_down");
    expect(a6, "a new connection during the drain is refused").toMatchObject({ error: "ECONNREFUSED" });
    expect(exit, child.output()).toMatchObject({ code: 0, signal: null });
    expect(exit.at - signalled, "exited within the drain bound").toBeLessThan(DRAIN_SECONDS * 1000);
    expect(child.output()).toMatch(/shutdown: \d+ request\(s\) drained, 1 refused; stores closed/);

    // After the stop: the acknowledged batches are stored once, the refused ones not at all.
    const afterStop = await storedBatches();
    for (const n of [0, 1, 2, 3, 4]) expect(afterStop[`b${n}`], `batch ${n}`).toEqual({ n: ROWS, distinct_ids: ROWS });
    for (const n of [5, 6]) expect(afterStop[`b${n}`], `batch ${n}`).toBeUndefined();

    // Restarted on the same data: the client retries the refused batches with the same keys,
    // and a retry of an acknowledged batch is a replay.
    const again = await startChild();
    for (const n of [5, 6]) expect(acknowledged(await postSlowly(`${again.baseUrl}/v1/events`, batchBody(n), { headers: headersFor(n) }).answer, n), `retry of batch ${n}`).toBe(true);
    const replay = await postSlowly(`${again.baseUrl}/v1/events`, batchBody(3), { headers: headersFor(3) }).answer;
    expect(replay).toMatchObject({ status: 200, headers: { "idempotent-replayed": "true" } });
    expect((await stopChild(again)).code).toBe(0);
    const final = await storedBatches();
    for (let n = 0; n <= 6; n++) expect(final[`b${n}`], `batch ${n}`).toEqual({ n: rowsOf(n), distinct_ids: rowsOf(n) });
  }, 90_000);

  it("cuts off what is still running after SHUTDOWN_DRAIN_SECONDS and exits 1", async () => {
    const child = await startChild({ env: { SHUTDOWN_DRAIN_SECONDS: "2" } });
    // A client that sends half a body and then nothing.
    const body = batchBody(7);
    const stalled = await requestInTwoParts(Number(new URL(child.baseUrl).port), `POST /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${key}\r\nContent-Type: application/x-ndjson\r\nIdempotency-Key: batch-7\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body.slice(0, 1000)}`);
    await new Promise((r) => setTimeout(r, 300));
    const signalled = Date.now();
    const exit = await stopChild(child, "SIGTERM");
    expect(exit, child.output()).toMatchObject({ code: 1, signal: null });
    expect(exit.at - signalled).toBeGreaterThanOrEqual(2000);
    expect(exit.at - signalled).toBeLessThan(10_000);
    expect(child.output()).toMatch(/1 request\(s\) still running after 2 s; cutting them off/);
    expect(await stalled(""), "the cut-off request got no acknowledgement").toMatchObject({ error: expect.stringMatching(/no answer/) });
    expect((await storedBatches()).b7, "nothing of the cut-off batch is stored").toBeUndefined();
  }, 60_000);
});
