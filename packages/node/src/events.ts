import { randomUUID } from "node:crypto";
import { EnclaveError } from "./errors.js";
import { RETRY_DEFAULTS, type RetryOptions } from "./retry.js";
import { sendBatch, type BatchOutcome, type FailedBatch, type RejectedEvent, type TrackedEvent } from "./send-batch.js";
import type { Transport } from "./transport.js";
import type { EventInput } from "./types.js";

// The background batcher behind `enclave.events`: track() queues an event and
// returns at once; a batch is cut when it holds maxBatchEvents events or
// maxBatchBytes bytes, or flushIntervalMs after its first event, and sent with
// at most maxConcurrentBatches in flight.

export type EventsOptions = {
  /** Events per batch (default 500). */
  maxBatchEvents?: number;
  /** NDJSON bytes per batch before gzip (default 1 000 000); an event larger than this goes alone. */
  maxBatchBytes?: number;
  /** A batch is sent at most this long after its first event (default 1 000). */
  flushIntervalMs?: number;
  /** Batches in flight at once (default 2). */
  maxConcurrentBatches?: number;
  /** Events tracked but not yet acknowledged; track() throws `queue_full` beyond it (default 100 000). */
  maxQueuedEvents?: number;
  /** gzip each batch (default true). */
  gzip?: boolean;
  /** Retries of a batch (default 8 retries, 250 ms doubling to 30 s, jittered). */
  retry?: RetryOptions;
  /** Events the server refused in a batch it accepted (invalid_event, tenant_forbidden…). */
  onRejected?: (rejected: RejectedEvent[]) => void;
  /** A batch that was not acknowledged after its retries, or refused whole (401, 403, 413…). Default: logs it. */
  onError?: (failed: FailedBatch) => void;
};

export type FlushResult = { accepted: number; rejected: RejectedEvent[]; failed: FailedBatch[] };

type Batch = { idempotencyKey: string; events: TrackedEvent[]; done: Promise<BatchOutcome>; settle: (outcome: BatchOutcome) => void };
type Settings = Required<Omit<EventsOptions, "retry" | "onRejected" | "onError">> & Pick<EventsOptions, "onRejected" | "onError"> & { retry: Required<RetryOptions> };

export class Events {
  private readonly settings: Settings;
  private open: { events: TrackedEvent[]; bytes: number } = { events: [], bytes: 0 };
  private readonly waiting: Batch[] = [];
  private readonly sending = new Set<Batch>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private queued = 0;
  private closed = false;

  constructor(
    private readonly transport: Transport,
    options: EventsOptions = {},
  ) {
    this.settings = { maxBatchEvents: 500, maxBatchBytes: 1_000_000, flushIntervalMs: 1_000, maxConcurrentBatches: 2, maxQueuedEvents: 100_000, gzip: true, ...options, retry: { ...RETRY_DEFAULTS, ...options.retry } };
  }

  /**
   * Queues an event and returns it with its `event_id` and `ts` (filled in when
   * absent). It counts as acknowledged once the server answered 200 for its
   * batch without listing it in `rejected`: the server answers only after
   * writing the batch. Until then it is in this process's memory only.
   */
  track(input: EventInput): TrackedEvent {
    if (this.closed) throw new EnclaveError({ code: "client_closed", status: 0, message: "events.track() was called after shutdown(); create a new Enclave client to send more events." });
    if (this.queued >= this.settings.maxQueuedEvents) {
      throw new EnclaveError({ code: "queue_full", status: 0, message: `${this.queued} events are waiting to be acknowledged (maxQueuedEvents): the server is unreachable or not keeping up. Retry later, or raise maxQueuedEvents.` });
    }
    const event: TrackedEvent = { ...input, event_id: input.event_id ?? randomUUID(), ts: input.ts ?? new Date().toISOString() };
    const bytes = Buffer.byteLength(JSON.stringify(event)) + 1;
    if (this.open.events.length > 0 && this.open.bytes + bytes > this.settings.maxBatchBytes) this.cut();
    this.open.events.push(event);
    this.open.bytes += bytes;
    this.queued++;
    if (this.open.events.length >= this.settings.maxBatchEvents || this.open.bytes >= this.settings.maxBatchBytes) this.cut();
    else this.timer ??= setTimeout(() => this.cut(), this.settings.flushIntervalMs);
    return event;
  }

  /**
   * Sends what is queued and waits for every batch queued or in flight to be
   * acknowledged or given up on. Outcomes also go to onRejected and onError.
   */
  async flush(): Promise<FlushResult> {
    this.cut();
    const outcomes = await Promise.all([...this.waiting, ...this.sending].map((b) => b.done));
    const result: FlushResult = { accepted: 0, rejected: [], failed: [] };
    for (const o of outcomes) {
      result.accepted += o.accepted;
      result.rejected.push(...o.rejected);
      if (o.error) result.failed.push({ error: o.error, idempotencyKey: o.idempotencyKey, events: o.events });
    }
    return result;
  }

  /** Flushes, then refuses further track() calls. Call it before the process exits. */
  shutdown(): Promise<FlushResult> {
    this.closed = true;
    return this.flush();
  }

  /**
   * Sends a failed batch again with its Idempotency-Key: within the server's
   * 24 h idempotency window it is stored once even if the first try was stored.
   */
  async resend(failed: FailedBatch): Promise<FlushResult> {
    this.queued += failed.events.length;
    this.enqueue(failed.idempotencyKey, failed.events);
    return this.flush();
  }

  private cut(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.open.events.length === 0) return;
    const { events } = this.open;
    this.open = { events: [], bytes: 0 };
    this.enqueue(`sdk-${randomUUID()}`, events);
  }

  private enqueue(idempotencyKey: string, events: TrackedEvent[]): void {
    let settle!: (outcome: BatchOutcome) => void;
    const done = new Promise<BatchOutcome>((resolve) => (settle = resolve));
    this.waiting.push({ idempotencyKey, events, done, settle });
    this.pump();
  }

  private pump(): void {
    while (this.sending.size < this.settings.maxConcurrentBatches && this.waiting.length > 0) {
      const batch = this.waiting.shift()!;
      this.sending.add(batch);
      void sendBatch(this.transport, batch, { gzip: this.settings.gzip, retry: this.settings.retry }).then((outcome) => {
        this.sending.delete(batch);
        this.queued -= batch.events.length;
        this.report(outcome);
        batch.settle(outcome);
        this.pump();
      });
    }
  }

  private report(outcome: BatchOutcome): void {
    // A callback that throws must not stop the batcher.
    try {
      if (outcome.rejected.length > 0) this.settings.onRejected?.(outcome.rejected);
      if (!outcome.error) return;
      const failed = { error: outcome.error, idempotencyKey: outcome.idempotencyKey, events: outcome.events };
      if (this.settings.onError) this.settings.onError(failed);
      else console.error(`[enclave] ${failed.events.length} events were not acknowledged (${failed.error.code}): ${failed.error.message}`);
    } catch {
      // ignored, as documented
    }
  }
}
