import { promisify } from "node:util";
import { gzip as gzipCallback } from "node:zlib";
import { EnclaveError } from "./errors.js";
import { withRetries, type RetryOptions } from "./retry.js";
import type { Transport } from "./transport.js";
import type { EventInput, IngestRejection, IngestResult } from "./types.js";

// Sends one batch of events to POST /v1/events: NDJSON, gzip, and one
// Idempotency-Key for every attempt, so a batch the server stored before the
// connection broke is stored once however often it is retried. The body is
// encoded once and the same bytes are sent on each attempt.

const gzip = promisify(gzipCallback);

/** An event as `track()` queued it: with `event_id` and `ts` filled in, so a retry sends the same event. */
export type TrackedEvent = EventInput & { event_id: string; ts: string | number };

/** An event the server refused in a batch it otherwise accepted; sending it again will not help. */
export type RejectedEvent = { event: TrackedEvent; code: IngestRejection["code"]; message: string };

/** A batch that was not acknowledged: the error that ended its retries, and its events. */
export type FailedBatch = { error: EnclaveError; idempotencyKey: string; events: TrackedEvent[] };

export type BatchOutcome = {
  idempotencyKey: string;
  events: TrackedEvent[];
  /** Events the server stored (it answered 200 for the batch and did not list them as rejected). */
  accepted: number;
  rejected: RejectedEvent[];
  /** Set when the batch was not acknowledged. */
  error?: EnclaveError;
};

export type SendOptions = { gzip: boolean; retry: Required<RetryOptions> };

export async function sendBatch(transport: Transport, batch: { idempotencyKey: string; events: TrackedEvent[] }, options: SendOptions): Promise<BatchOutcome> {
  const outcome: BatchOutcome = { idempotencyKey: batch.idempotencyKey, events: batch.events, accepted: 0, rejected: [] };
  try {
    const text = Buffer.from(batch.events.map((e) => JSON.stringify(e)).join("\n"));
    const body = options.gzip ? await gzip(text) : text;
    const headers: Record<string, string> = { "content-type": "application/x-ndjson", "idempotency-key": batch.idempotencyKey };
    if (options.gzip) headers["content-encoding"] = "gzip";
    const result = await withRetries(() => transport.request<IngestResult>({ method: "POST", path: "/v1/events", body, headers }), options.retry);
    outcome.accepted = result.accepted;
    outcome.rejected = result.rejected.map((r) => ({ event: batch.events[r.index], code: r.code, message: r.message }));
  } catch (err) {
    outcome.error = err instanceof EnclaveError ? err : new EnclaveError({ code: "invalid_response", status: 0, message: `Sending a batch failed: ${(err as Error)?.message ?? err}`, cause: err });
  }
  return outcome;
}
