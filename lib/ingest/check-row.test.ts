import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { toEventRow, type EventRow } from "@/lib/analytics/event-row";
import { base, corpus, eventRows, protoRows } from "@/lib/ingest/event-corpus";
import { checkEvent } from "@/lib/analytics/ingest";
import { checkRow, compiledLine } from "@/lib/ingest/check-row";
import { encodeEventRow, RowWriter } from "@/lib/ingest/row-line";

// The oracle: the compiled checker against the zod schema (the reference) on
// a corpus of tricky rows and on generated ones. For every input, after a
// JSON round trip as the ingest path sees it:
//   - checkRow decides as checkEvent does, with the same index, code and message;
//   - an accepted row's line is, byte for byte, the line of the reference's row;
//   - the compiled decision alone (no fallback) is the reference's, except for
//     the shapes it leaves to the reference on purpose (`deferred` below).

const roundTrip = (x: unknown): unknown => (x === undefined ? undefined : JSON.parse(JSON.stringify(x)));

/** A reference row's fields that a default fills (now, a random id) are taken from the compiled line. */
function lineOfReference(input: unknown, row: EventRow, compiled: string): string {
  const mine = JSON.parse(compiled) as EventRow;
  const fixed = { ...row };
  const given = input as { ts?: unknown; event_id?: unknown };
  if (given.event_id === undefined) {
    expect(mine.event_id).toMatch(/^[0-9a-f-]{36}$/);
    fixed.event_id = mine.event_id;
  }
  if (given.ts === undefined) {
    expect(Math.abs(Date.parse(`${mine.ts}Z`) - Date.parse(`${row.ts}Z`))).toBeLessThan(5_000);
    fixed.ts = mine.ts;
  }
  return encodeEventRow(fixed);
}

/** Shapes the compiled checker leaves to the reference even when the reference accepts them. */
function deferred(input: unknown): boolean {
  const props = (input as { properties?: unknown })?.properties;
  if (props === null || typeof props !== "object" || Array.isArray(props)) return false;
  const flat: string[] = [];
  const walk = (v: unknown, key: string, depth: number) => {
    if (v === null) return;
    if (typeof v === "object" && !Array.isArray(v)) for (const [k, w] of Object.entries(v as object)) walk(w, `${key}.${k}`, depth + 1);
    else flat.push(key);
  };
  for (const [k, v] of Object.entries(props)) walk(v, k, 1);
  return new Set(flat).size !== flat.length;
}

function compare(raw: unknown, onlyTenant?: string) {
  const input = roundTrip(raw);
  const reference = checkEvent(input, 7, onlyTenant);
  const sink = new RowWriter();
  const refused = checkRow(input, 7, sink, onlyTenant);
  const label = JSON.stringify(raw)?.slice(0, 200);
  if ("code" in reference) {
    expect(refused, label).toEqual(reference);
    expect(sink.rows, label).toBe(0);
  } else {
    expect(refused, label).toBeUndefined();
    const written = sink.body(5).toString("utf8");
    expect(written.endsWith(`,"ingest_seq":5${" ".repeat(19)}}\n`), label).toBe(true);
    const line = `${written.slice(0, written.lastIndexOf(',"ingest_seq":'))}}`;
    expect(line, label).toBe(lineOfReference(input, reference, line));
  }
  // The compiled decision on its own.
  const zod = toEventRow(input, 7);
  const compiled = compiledLine(input);
  if ("code" in zod) expect(compiled, label).toBeUndefined();
  else if (compiled === undefined) expect(deferred(input), `${label} was left to the reference`).toBe(true);
  else expect(compiled, label).toBe(lineOfReference(input, zod, compiled));
}

describe("the compiled row check (lib/ingest/check-row.ts) against the zod reference", () => {
  it("decides, words errors and writes rows as the reference does, on the corpus", () => {
    for (const row of corpus) compare(row);
    for (const text of protoRows) {
      const input = JSON.parse(text) as unknown;
      const reference = checkEvent(input, 7);
      const sink = new RowWriter();
      const refused = checkRow(input, 7, sink);
      if ("code" in reference) expect(refused).toEqual(reference);
      else {
        const line = compiledLine(input) ?? encodeEventRow(reference);
        expect(sink.rows).toBe(1);
        expect(JSON.parse(line)).toMatchObject({ tenant_id: "a", name: "x" });
      }
    }
  });

  it("lets a tenant-restricted key write only its tenant, after the row's own checks", () => {
    for (const row of corpus) compare(row, "acme");
    const sink = new RowWriter();
    expect(checkRow({ tenant_id: "ACME", name: "x" }, 2, sink, "acme")).toEqual({ index: 2, code: "tenant_forbidden", message: 'tenant_id: this API key may only write tenant "acme"' });
    expect(checkRow({ tenant_id: "globex", name: "" }, 3, sink, "acme")).toMatchObject({ index: 3, code: "invalid_event" });
    expect(sink.rows).toBe(0);
  });

  it("writes a JSONEachRow body whose every row carries the batch's ingest_seq, across buffer chunks", () => {
    const sink = new RowWriter();
    checkRow(base, 0, sink);
    checkRow({ ...base, properties: { "a\nb": "c\u2028", big: "😀".repeat(500) } }, 1, sink);
    for (let i = 0; i < 3_000; i++) checkRow({ ...base, event_id: `e${i}`, properties: { page: "é".repeat(900) } }, i + 2, sink);
    expect(sink.rows).toBe(3_002);
    expect(sink.bytes).toBeGreaterThan(1 << 20);
    expect(() => new RowWriter().body(1.5)).toThrow();
    const body = sink.body(1_780_000_000_000_123).toString("utf8");
    expect(body.endsWith("}\n")).toBe(true);
    const rows = body.trimEnd().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows.length).toBe(3_002);
    expect(new Set(rows.map((r) => r.ingest_seq))).toEqual(new Set([1_780_000_000_000_123]));
    expect(rows[1].properties).toEqual({ "a\nb": "c\u2028", big: "😀".repeat(500) });
    expect(rows.at(-1)).toMatchObject({ event_id: "e2999", properties: { page: "é".repeat(900) } });
  });

  it("agrees with the reference on generated rows (fast-check)", () => {
    const row = eventRows();
    fc.assert(fc.property(row, (r) => compare(r)), { numRuns: 3_000 });
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 4 }), (v) => compare(v)), { numRuns: 500 });
  });
});
