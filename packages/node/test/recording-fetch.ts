import { gunzipSync } from "node:zlib";
import type { FetchLike } from "../src/index.js";

// A fetch for the SDK that sends every request to the real server and records
// what the SDK sent: headers and the NDJSON lines of each /v1/events batch.

export type SentBatch = { idempotencyKey: string; encoding: string | null; contentType: string | null; lines: string[]; rawBytes: number; at: number; status?: number; settled?: boolean };

export function recordingFetch(options: { rewrite?: () => string; before?: (batch: SentBatch, attempt: number) => Response | void | Promise<Response | void>; after?: (batch: SentBatch, response: Response) => void } = {}) {
  const batches: SentBatch[] = [];
  const fetchLike: FetchLike = async (url, init) => {
    const target = options.rewrite ? url.replace(/^https?:\/\/[^/]+/, options.rewrite()) : url;
    if (!url.endsWith("/v1/events")) return fetch(target, init);
    const headers = new Headers(init.headers);
    const raw = Buffer.from(init.body as Uint8Array);
    const text = (headers.get("content-encoding") === "gzip" ? gunzipSync(raw) : raw).toString("utf8");
    const batch: SentBatch = { idempotencyKey: headers.get("idempotency-key") ?? "", encoding: headers.get("content-encoding"), contentType: headers.get("content-type"), lines: text.split("\n"), rawBytes: raw.length, at: Date.now() };
    batches.push(batch);
    try {
      const injected = await options.before?.(batch, batches.filter((b) => b.idempotencyKey === batch.idempotencyKey).length);
      const response = injected ?? (await fetch(target, init));
      batch.status = response.status;
      options.after?.(batch, response);
      return response;
    } finally {
      batch.settled = true;
    }
  };
  return { fetch: fetchLike, batches };
}

/** Batches grouped by Idempotency-Key: how often each was sent. */
export function attemptsByKey(batches: SentBatch[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const b of batches) counts.set(b.idempotencyKey, (counts.get(b.idempotencyKey) ?? 0) + 1);
  return counts;
}
