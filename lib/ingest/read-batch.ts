import "server-only";
import crypto from "node:crypto";
import type { RowRejection } from "@/lib/analytics/event-row";
import { checkRow } from "@/lib/ingest/check-row";
import { RowWriter } from "@/lib/ingest/row-line";
import { checkRowAt, checkRowText } from "@/lib/ingest/row-text";
import { Utf8Text } from "@/lib/ingest/utf8-text";
import { AppError } from "@/lib/errors";
import { BodySyntaxError, JsonArraySplitter, NdjsonSplitter, type InPlace, type Piece, type Splitter } from "@/lib/ingest/json-stream";

// Reads a POST /v1/events body as it streams in: gunzips it, counts and
// hashes the decompressed bytes, cuts it into events and checks each one.
// Only the checked rows are kept, never the body text: the accepted rows as
// the engine's input bytes (lib/ingest/row-line.ts), so what a request holds
// is bounded by INGEST_MAX_BODY_BYTES (see README, "Sending events").

export type Batch = { rows: RowWriter; rejected: RowRejection[]; bodyHash: string; total: number };

function decompressed(req: Request): ReadableStream<Uint8Array> {
  const encoding = (req.headers.get("content-encoding") ?? "identity").trim().toLowerCase();
  const body = req.body ?? new ReadableStream<Uint8Array>({ start: (c) => c.close() });
  if (encoding === "identity" || encoding === "") return body;
  if (encoding === "gzip" || encoding === "x-gzip") return body.pipeThrough(new DecompressionStream("gzip") as unknown as ReadableWritablePair<Uint8Array, Uint8Array>);
  throw new AppError("unsupported_media_type", `Content-Encoding "${encoding}" is not supported; send the body as is or gzip it (Content-Encoding: gzip).`);
}

function splitterFor(req: Request, firstChar: string, inPlace: InPlace): Splitter {
  const type = req.headers.get("content-type") ?? "";
  if (/ndjson|jsonl|json-seq/i.test(type) || firstChar === "{") return new NdjsonSplitter();
  if (firstChar === "[") return new JsonArraySplitter(inPlace);
  throw new AppError("bad_request", `The body is not JSON or NDJSON: it starts with "${firstChar}". Send a JSON array of events, or one event object per line (NDJSON).`);
}

export async function readEventBatch(req: Request, options: { maxBytes: number; onlyTenant?: string }): Promise<Batch> {
  const declared = Number(req.headers.get("content-length"));
  const gzip = /gzip/i.test(req.headers.get("content-encoding") ?? "");
  if (!gzip && declared > options.maxBytes) throw tooLarge(options.maxBytes);

  const reader = decompressed(req).getReader();
  const decoder = new Utf8Text();
  const hash = crypto.createHash("sha256");
  const batch: Batch = { rows: new RowWriter(), rejected: [], bodyHash: "", total: 0 };
  let bytes = 0;
  let splitter: Splitter | undefined;
  let parsedAny = false;
  const onPiece = (piece: Piece) => {
    batch.total++;
    // The common event is read from its text (lib/ingest/row-text.ts); the rest is parsed and checked.
    const read = checkRowText(piece.text, piece.index, batch.rows, options.onlyTenant);
    if (read !== false) {
      parsedAny = true;
      if (read) batch.rejected.push(read);
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(piece.text);
    } catch {
      if (splitter instanceof JsonArraySplitter) throw new BodySyntaxError(`element ${piece.index} is not valid JSON`);
      batch.rejected.push({ index: piece.index, code: "invalid_json", message: `line ${piece.index + 1} is not valid JSON` });
      return;
    }
    parsedAny = true;
    const refused = checkRow(value, piece.index, batch.rows, options.onlyTenant);
    if (refused) batch.rejected.push(refused);
  };
  // A JSON array's common element, read where it lies in the chunk (the rest become pieces as above).
  const inPlace: InPlace = (chunk, start, index) => {
    const end = checkRowAt(chunk, start, index, batch.rows, batch.rejected, options.onlyTenant);
    if (end >= 0) {
      batch.total++;
      parsedAny = true;
    }
    return end;
  };

  try {
    for (;;) {
      const { done, value } = await reader.read().catch((err: unknown) => {
        throw gzip ? new AppError("bad_request", "The body is not valid gzip data. Nothing was written.") : err;
      });
      if (done) break;
      bytes += value.byteLength;
      if (bytes > options.maxBytes) {
        await reader.cancel().catch(() => {});
        throw tooLarge(options.maxBytes);
      }
      hash.update(value);
      const text = decoder.push(value);
      if (!splitter) {
        const first = text.trimStart()[0];
        if (first === undefined) continue;
        splitter = splitterFor(req, first, inPlace);
      }
      splitter.push(text, onPiece);
    }
    const tail = decoder.end();
    if (!splitter) throw new AppError("bad_request", "The body is empty. Send a JSON array of events, or one event object per line (NDJSON).");
    if (tail) splitter.push(tail, onPiece);
    splitter.end(onPiece);
  } catch (err) {
    if (err instanceof BodySyntaxError) throw new AppError("bad_request", `The body is not valid JSON: ${err.message}. Nothing was written.`);
    throw err;
  }
  if (!parsedAny && batch.total > 0) throw new AppError("bad_request", "No line of the body is valid JSON: send a JSON array of events, or one event object per line (NDJSON). Nothing was written.");
  batch.bodyHash = hash.digest("hex");
  return batch;
}

function tooLarge(max: number) {
  return new AppError("payload_too_large", `The body is larger than ${max.toLocaleString("en")} bytes (after decompression); split it into smaller batches. Nothing was written.`);
}
