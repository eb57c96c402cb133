import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { RowRejection } from "@/lib/analytics/event-row";
import { checkRow } from "@/lib/ingest/check-row";
import { readEventBatch } from "@/lib/ingest/read-batch";
import { RowWriter } from "@/lib/ingest/row-line";

// The oracle for reading a whole body as it streams in (the decoder, the
// splitters, the common element read in place, the rest parsed): for any cut
// of the body into network chunks, the batch holds what JSON.parse of the
// whole body and checkRow of each event give — the same engine bytes and the
// same rejections, with and without a tenant-restricted key.

function request(chunks: Uint8Array[], type: string): Request {
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const c of chunks) controller.enqueue(c);
      controller.close();
    },
  });
  return new Request("http://enclave.test/v1/events", { method: "POST", headers: { "content-type": type }, body, duplex: "half" } as RequestInit);
}

function cut(bytes: Uint8Array, points: number[]): Uint8Array[] {
  const at = [...new Set(points.map((p) => p % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let from = 0;
  for (const p of [...at, bytes.length]) {
    out.push(bytes.slice(from, p));
    from = p;
  }
  return out;
}

/** What JSON.parse of the whole body and checkRow of each event give. */
function reference(text: string, ndjson: boolean, onlyTenant?: string): { body: string; rejected: RowRejection[] } {
  const sink = new RowWriter();
  const rejected: RowRejection[] = [];
  const values: { index: number; value?: unknown; invalid?: boolean }[] = ndjson
    ? text
        .split("\n")
        .map((l) => l.trim())
        .filter((l) => l !== "")
        .map((l, index) => {
          try {
            return { index, value: JSON.parse(l) as unknown };
          } catch {
            return { index, invalid: true };
          }
        })
    : (JSON.parse(text) as unknown[]).map((value, index) => ({ index, value }));
  for (const v of values) {
    if (v.invalid) rejected.push({ index: v.index, code: "invalid_json", message: `line ${v.index + 1} is not valid JSON` });
    else {
      const refused = checkRow(v.value, v.index, sink, onlyTenant);
      if (refused) rejected.push(refused);
    }
  }
  const body = sink.rows ? sink.body(9).toString("utf8") : "";
  sink.release();
  return { body, rejected };
}

const plain = fc.string({ unit: fc.constantFrom(..."abcxyz09 .-_:/@", "é", "漢", "😀", "\u00a0", "\u2028", "\ufeff"), maxLength: 10 });
const event = fc.record({
  tenant_id: fc.constantFrom("acme", "globex", "bad tenant", "acme"),
  name: fc.oneof(plain, fc.constantFrom("signup", " padded ", "", "quote\"d", "back\\slash", "tab\tbed")),
  event_id: fc.string({ minLength: 1, maxLength: 8 }),
  ts: fc.constantFrom("2026-01-02T03:04:05.678Z", "2026-01-02T03:04:05+02:00", 1767225600000, "yesterday"),
  user_id: fc.oneof(fc.constant(null), plain),
  value: fc.oneof(fc.constant(null), fc.double({ noNaN: true, noDefaultInfinity: true })),
  properties: fc.oneof(fc.dictionary(fc.oneof(plain, fc.constantFrom("a", "1", "a.b")), plain, { maxKeys: 4 }), fc.constant({ plan: { tier: "pro" } }), fc.constant({ n: 5, ok: true })),
});

describe("reading a body as it streams in (lib/ingest/read-batch.ts)", () => {
  it("holds what JSON.parse of the whole body and checkRow give, however the body is cut into chunks", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(event, { minLength: 1, maxLength: 12 }), fc.array(fc.nat(), { maxLength: 10 }), fc.constantFrom("array", "array-spaced", "ndjson"), fc.boolean(), async (events, points, shape, restricted) => {
        const text = shape === "ndjson" ? events.map((e) => JSON.stringify(e)).join("\n") + "\n" : shape === "array" ? JSON.stringify(events) : JSON.stringify(events, null, 1);
        const onlyTenant = restricted ? "acme" : undefined;
        const batch = await readEventBatch(request(cut(new TextEncoder().encode(text), points), shape === "ndjson" ? "application/x-ndjson" : "application/json"), { maxBytes: 1 << 20, onlyTenant });
        const expected = reference(text, shape === "ndjson", onlyTenant);
        expect(batch.rejected).toEqual(expected.rejected);
        const body = batch.rows.rows ? batch.rows.body(9).toString("utf8") : "";
        batch.rows.release();
        expect(body).toBe(expected.body);
        expect(batch.total).toBe(events.length);
      }),
      { numRuns: 400 },
    );
  });
});
