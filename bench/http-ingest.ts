import { tenantEvents, type BenchEvent, type BenchTenant } from "./dataset";
import type { ExpectedNumbers } from "./expected";
import { mapLimit, progress, shuffled } from "./stats";

// Ingest through the public API: POST /v1/events with 10k-row JSON batches
// and an Idempotency-Key each, tenants interleaved as live traffic would be. Accepted rows are added to
// the expected numbers, so the leak check covers them too.

export type HttpIngest =
  | { ok: true; rows: number; accepted: number; rejected: number; seconds: number; batches: number; concurrency: number; bodyBytes: number }
  | { ok: false; reason: string };

type Answer = { accepted?: number; rejected?: { index: number; code: string; message: string }[]; error?: { code: string; message: string } };

/** `rows` events over the tenants in proportion to their size, seeded apart from the bulk load. */
export function httpEvents(tenants: BenchTenant[], rows: number, anchor: Date, seed: number): BenchEvent[] {
  const total = tenants.reduce((sum, t) => sum + t.rows, 0);
  const events: BenchEvent[] = [];
  for (const tenant of tenants) {
    const n = Math.round((rows * tenant.rows) / total);
    if (n > 0) events.push(...tenantEvents(tenant, n, anchor, seed));
  }
  return shuffled(events, seed);
}

export async function httpIngest(options: { url: string; key: string; events: BenchEvent[]; expected: ExpectedNumbers; batchSize: number; concurrency: number }): Promise<HttpIngest> {
  const batches: BenchEvent[][] = [];
  for (let i = 0; i < options.events.length; i += options.batchSize) batches.push(options.events.slice(i, i + options.batchSize));
  const bodies = batches.map((b) => JSON.stringify(b));
  // An Idempotency-Key per batch, as a client that retries would send.
  const runId = Date.now().toString(36);
  const post = (body: string, batch: number | "probe") =>
    fetch(`${options.url}/v1/events`, {
      method: "POST",
      headers: { authorization: `Bearer ${options.key}`, "content-type": "application/json", "idempotency-key": `bench-${runId}-${batch}` },
      body,
    });

  // One small request first: is the endpoint there, and does it take our rows?
  const probe = await post(JSON.stringify(batches[0].slice(0, 1)), "probe").catch((err: Error) => err);
  if (probe instanceof Error) return { ok: false, reason: `POST /v1/events failed: ${probe.message}` };
  if (probe.status === 404 || probe.status === 405) return { ok: false, reason: `POST /v1/events is not available on this build (HTTP ${probe.status})` };
  const probeBody = (await probe.json().catch(() => ({}))) as Answer;
  if (!probe.ok || probeBody.accepted !== 1) return { ok: false, reason: `POST /v1/events refused a valid event: HTTP ${probe.status} ${JSON.stringify(probeBody).slice(0, 300)}` };
  options.expected.add(batches[0][0]);
  batches[0] = batches[0].slice(1);
  bodies[0] = JSON.stringify(batches[0]);

  const bar = progress("HTTP ingest", options.events.length - 1);
  let accepted = 0;
  let rejected = 0;
  let done = 0;
  const failures: string[] = [];
  await mapLimit(bodies, options.concurrency, async (body, i) => {
    const res = await post(body, i);
    const answer = (await res.json().catch(() => ({}))) as Answer;
    if (!res.ok || typeof answer.accepted !== "number") {
      failures.push(`HTTP ${res.status} ${answer.error?.message ?? ""}`);
      return;
    }
    const refused = new Set((answer.rejected ?? []).map((r) => r.index));
    batches[i].forEach((event, index) => !refused.has(index) && options.expected.add(event));
    accepted += answer.accepted;
    rejected += refused.size;
    bar.update((done += batches[i].length));
  });
  const seconds = bar.end();
  if (failures.length > 0) return { ok: false, reason: `${failures.length} of ${bodies.length} batches failed, first: ${failures[0]}` };
  return { ok: true, rows: options.events.length - 1, accepted, rejected, seconds, batches: bodies.length, concurrency: options.concurrency, bodyBytes: bodies.reduce((s, b) => s + Buffer.byteLength(b), 0) };
}
