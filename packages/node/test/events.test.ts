import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { killChildren } from "@/lib/testing/crash-harness";
import { AuthenticationError, Enclave, type EnclaveOptions, type FailedBatch, type RejectedEvent } from "../src/index.js";
import { createKey, startEnclave, storedCounts } from "./enclave-server";
import { attemptsByKey, recordingFetch } from "./recording-fetch";

// The event batcher against a real server: batches cut by count, bytes and
// time, gzip, per-row rejections, a refused batch surfaced and not retried,
// retries with the batch's Idempotency-Key (after a lost answer and after a
// 503 with Retry-After), and shutdown() sending everything.

let baseUrl = "";
let ingestKey = "";
let adminKey = "";
let acmeKey = "";

beforeAll(async () => {
  baseUrl = (await startEnclave()).baseUrl;
  ingestKey = await createKey(["ingest"]);
  adminKey = await createKey(["admin"]);
  acmeKey = await createKey(["ingest"], "acme");
});
afterAll(() => killChildren());

function client(recorder: ReturnType<typeof recordingFetch>, events: EnclaveOptions["events"] = {}, apiKey = ingestKey) {
  return new Enclave({ baseUrl, apiKey, fetch: recorder.fetch, events: { flushIntervalMs: 60_000, ...events } });
}
const page = (tenant: string, i: number) => ({ tenant_id: tenant, name: "page_view", properties: { page: `/p/${i}` } });

describe("the batcher", () => {
  it("sends a batch when it holds maxBatchEvents events, gzip NDJSON with its own Idempotency-Key", async () => {
    const recorder = recordingFetch();
    const enclave = client(recorder, { maxBatchEvents: 10 });
    for (let i = 0; i < 25; i++) enclave.events.track(page("t-count", i));
    await vi.waitFor(() => expect(recorder.batches.map((b) => b.lines.length), "two full batches left without a flush").toEqual([10, 10]), { timeout: 5_000, interval: 10 });
    await enclave.shutdown();
    expect(recorder.batches.map((b) => b.lines.length)).toEqual([10, 10, 5]);
    for (const b of recorder.batches) expect(b).toMatchObject({ encoding: "gzip", contentType: "application/x-ndjson", status: 200 });
    expect(recorder.batches[0].rawBytes, "gzip made the body smaller").toBeLessThan(recorder.batches[0].lines.join("\n").length);
    expect(new Set(recorder.batches.map((b) => b.idempotencyKey)).size).toBe(3);
    expect(await storedCounts(baseUrl, adminKey, "t-count")).toEqual({ rows: 25, distinctIds: 25 });
  });

  it("cuts a batch before it passes maxBatchBytes", async () => {
    const recorder = recordingFetch();
    const enclave = client(recorder, { maxBatchBytes: 2_000, gzip: false });
    for (let i = 0; i < 30; i++) enclave.events.track({ ...page("t-bytes", i), properties: { text: "x".repeat(300) } });
    const result = await enclave.shutdown();
    expect(result).toEqual({ accepted: 30, rejected: [], failed: [] });
    expect(recorder.batches.length).toBeGreaterThan(5);
    for (const b of recorder.batches) {
      expect(b.encoding).toBeNull();
      expect(Buffer.byteLength(b.lines.join("\n")) + 1).toBeLessThanOrEqual(2_000);
    }
    expect(await storedCounts(baseUrl, adminKey, "t-bytes")).toEqual({ rows: 30, distinctIds: 30 });
  });

  it("sends a batch flushIntervalMs after its first event without a flush", async () => {
    const recorder = recordingFetch();
    const enclave = client(recorder, { flushIntervalMs: 200 });
    const started = Date.now();
    for (let i = 0; i < 3; i++) enclave.events.track(page("t-time", i));
    await vi.waitFor(() => expect(recorder.batches.map((b) => b.status)).toEqual([200]), { timeout: 5_000, interval: 20 });
    expect(recorder.batches[0].at - started).toBeGreaterThanOrEqual(190);
    expect(recorder.batches[0].lines.length).toBe(3);
    expect(await enclave.shutdown()).toEqual({ accepted: 0, rejected: [], failed: [] });
    expect(await storedCounts(baseUrl, adminKey, "t-time")).toEqual({ rows: 3, distinctIds: 3 });
  });

  it("reports rows the server refused, with the event, and stores the rest", async () => {
    const rejected: RejectedEvent[] = [];
    const enclave = client(recordingFetch(), { onRejected: (r) => rejected.push(...r) }, acmeKey);
    enclave.events.track(page("acme", 1));
    const other = enclave.events.track(page("globex", 2));
    const invalid = enclave.events.track({ tenant_id: "acme", name: " " });
    const result = await enclave.events.flush();
    expect(result.accepted).toBe(1);
    expect(result.rejected.map((r) => [r.event.event_id, r.code])).toEqual([
      [other.event_id, "tenant_forbidden"],
      [invalid.event_id, "invalid_event"],
    ]);
    expect(rejected).toEqual(result.rejected);
  });

  it("surfaces a batch refused whole (401) once, without retrying it", async () => {
    const recorder = recordingFetch();
    const failures: FailedBatch[] = [];
    const enclave = client(recorder, { onError: (f) => failures.push(f), retry: { baseDelayMs: 1 } }, "enc_revoked_or_wrong");
    const tracked = [enclave.events.track(page("acme", 1)), enclave.events.track(page("acme", 2))];
    const result = await enclave.shutdown();
    expect(result.accepted).toBe(0);
    expect(result.failed).toHaveLength(1);
    expect(result.failed[0].error).toBeInstanceOf(AuthenticationError);
    expect(result.failed[0].events.map((e) => e.event_id)).toEqual(tracked.map((e) => e.event_id));
    expect(failures).toEqual(result.failed);
    expect(recorder.batches, "a 401 is not retried").toHaveLength(1);
    expect(() => enclave.events.track(page("acme", 3))).toThrow(expect.objectContaining({ code: "client_closed" }));
  });

  it("retries a batch whose answer was lost with the same Idempotency-Key, and the server stores it once", async () => {
    // The server stores the batch and answers; the connection breaks before the answer arrives.
    let lost = 0;
    const recorder = recordingFetch({
      after: (_batch, response) => {
        if (response.status === 200 && lost++ < 2) throw new TypeError("socket hang up");
      },
    });
    const enclave = client(recorder, { maxBatchEvents: 50, retry: { baseDelayMs: 10 } });
    for (let i = 0; i < 100; i++) enclave.events.track(page("t-lost", i));
    expect(await enclave.shutdown()).toEqual({ accepted: 100, rejected: [], failed: [] });
    expect([...attemptsByKey(recorder.batches).values()].reduce((a, b) => a + b), "two lost answers, two retries").toBe(4);
    expect(await storedCounts(baseUrl, adminKey, "t-lost")).toEqual({ rows: 100, distinctIds: 100 });
  });

  it("waits out a 503's Retry-After before retrying with the same key", async () => {
    const recorder = recordingFetch({
      before: (_batch, attempt) => (attempt === 1 ? Response.json({ error: { code: "shutting_down", message: "stopping" } }, { status: 503, headers: { "retry-after": "1" } }) : undefined),
    });
    const enclave = client(recorder, { retry: { baseDelayMs: 1 } });
    enclave.events.track(page("t-503", 1));
    expect((await enclave.shutdown()).accepted).toBe(1);
    const [first, second] = recorder.batches;
    expect([first.status, second.status]).toEqual([503, 200]);
    expect(second.idempotencyKey).toBe(first.idempotencyKey);
    expect(second.at - first.at).toBeGreaterThanOrEqual(1_000);
  });

  it("gives up after maxRetries and returns the batch, which resend() stores once", async () => {
    let down = true;
    const recorder = recordingFetch({ before: () => (down ? Response.json({ error: { code: "store_unavailable", message: "full" } }, { status: 503 }) : undefined) });
    const failures: FailedBatch[] = [];
    const enclave = client(recorder, { retry: { maxRetries: 2, baseDelayMs: 1 }, onError: (f) => failures.push(f) });
    for (let i = 0; i < 5; i++) enclave.events.track(page("t-resend", i));
    const result = await enclave.events.flush();
    expect(result.failed).toHaveLength(1);
    expect(result.failed[0].error).toMatchObject({ code: "store_unavailable", status: 503 });
    expect(recorder.batches, "the first try and two retries").toHaveLength(3);
    expect(failures).toEqual(result.failed);
    down = false;
    expect(await enclave.events.resend(result.failed[0])).toEqual({ accepted: 5, rejected: [], failed: [] });
    expect(await enclave.events.resend(result.failed[0]), "a second resend is a replay").toEqual({ accepted: 5, rejected: [], failed: [] });
    expect(new Set(recorder.batches.map((b) => b.idempotencyKey)).size).toBe(1);
    expect(await storedCounts(baseUrl, adminKey, "t-resend")).toEqual({ rows: 5, distinctIds: 5 });
  });

  it("shutdown() sends every tracked event and resolves once all are acknowledged", async () => {
    const enclave = client(recordingFetch(), { maxBatchEvents: 400, maxConcurrentBatches: 3 });
    for (let i = 0; i < 2_345; i++) enclave.events.track(page("t-shutdown", i));
    expect(await enclave.shutdown()).toEqual({ accepted: 2_345, rejected: [], failed: [] });
    expect(await storedCounts(baseUrl, adminKey, "t-shutdown")).toEqual({ rows: 2_345, distinctIds: 2_345 });
  });
});
