import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { checkRow } from "@/lib/ingest/check-row";
import { BodySyntaxError, JsonArraySplitter } from "@/lib/ingest/json-stream";
import { base, corpus, eventRows, protoRows } from "@/lib/ingest/event-corpus";
import { RowWriter } from "@/lib/ingest/row-line";
import { checkRowAt, checkRowText } from "@/lib/ingest/row-text";
import type { RowRejection } from "@/lib/analytics/event-row";

// The oracle for reading an event's text without JSON.parse
// (lib/ingest/row-text.ts): for any text at all, checkRowText either leaves
// it to the general path (false) or gives checkRow(JSON.parse(text))'s
// answer — the same refusal, or the same engine line byte for byte. It never
// decides a text JSON.parse refuses. checkRow is itself held to the zod
// reference by check-row.test.ts.

type Outcome = "invalid" | "deferred" | "decided";

function lineOf(sink: RowWriter): string {
  const body = sink.body(5).toString("utf8");
  sink.release();
  return body.slice(0, body.lastIndexOf(',"ingest_seq":')) + "}";
}

function compareText(text: string, onlyTenant?: string): Outcome {
  compareInPlace(text, onlyTenant);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    const sink = new RowWriter();
    expect(checkRowText(text, 7, sink, onlyTenant), text.slice(0, 200)).toBe(false);
    expect(sink.rows).toBe(0);
    return "invalid";
  }
  const sink = new RowWriter();
  const got = checkRowText(text, 7, sink, onlyTenant);
  if (got === false) {
    expect(sink.rows).toBe(0);
    return "deferred";
  }
  const referenceSink = new RowWriter();
  const reference = checkRow(parsed, 7, referenceSink, onlyTenant);
  const label = text.slice(0, 200);
  expect(got, label).toEqual(reference);
  expect(sink.rows, label).toBe(referenceSink.rows);
  if (sink.rows === 1) {
    let mine = lineOf(sink);
    const theirs = lineOf(referenceSink);
    const given = parsed as Record<string, unknown>;
    const fields = (line: string) => JSON.parse(line) as { event_id: string; ts: string };
    // A default (a random id, the time now) differs between two calls: checked, then set aside; the rest byte for byte.
    if (given.event_id === undefined) {
      const id = fields(mine).event_id;
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      mine = mine.replace(`"event_id":"${id}"`, `"event_id":"${fields(theirs).event_id}"`);
    }
    if (given.ts === undefined) {
      const [a, b] = [fields(mine).ts, fields(theirs).ts];
      expect(Math.abs(Date.parse(`${a}Z`) - Date.parse(`${b}Z`))).toBeLessThan(5_000);
      mine = mine.replace(`"ts":"${a}"`, `"ts":"${b}"`);
    }
    expect(mine, label).toBe(theirs);
  }
  return "decided";
}

/**
 * checkRowAt, reading the text where it lies in a chunk of a JSON array body:
 * when it decides, it ends the element exactly where the splitter would cut
 * it, and decides as checkRowText does on that piece (which the test above
 * holds to checkRow(JSON.parse(piece))); it decides nothing when the chunk
 * cuts the object short. For every text, valid JSON or not.
 */
function compareInPlace(text: string, onlyTenant?: string) {
  const open = text.search(/[^ \t\n\r]/); // JSON whitespace only: the splitter starts an element at anything else
  if (open < 0 || text[open] !== "{") return;
  const chunk = `[${text},{"tenant_id":"acme","name":"next"}]`;
  const pieces: string[] = [];
  try {
    new JsonArraySplitter().push(chunk, (p) => pieces.push(p.text));
  } catch (err) {
    if (!(err instanceof BodySyntaxError)) throw err;
  }
  const sink = new RowWriter();
  const refused: RowRejection[] = [];
  const end = checkRowAt(chunk, 1 + open, 7, sink, refused, onlyTenant);
  const label = text.slice(0, 200);
  if (end < 0) {
    expect(sink.rows + refused.length, label).toBe(0);
    return;
  }
  expect(chunk.slice(1 + open, end), label).toBe(pieces[0]);
  const alone = new RowWriter();
  const expected = checkRowText(pieces[0], 7, alone, onlyTenant);
  expect(expected, label).not.toBe(false);
  expect(refused[0], label).toEqual(expected === undefined ? undefined : expected);
  expect(sink.rows, label).toBe(alone.rows);
  if (sink.rows === 1) {
    const [a, b] = [JSON.parse(lineOf(sink)) as Record<string, unknown>, JSON.parse(lineOf(alone)) as Record<string, unknown>];
    const given = JSON.parse(pieces[0]) as { event_id?: unknown; ts?: unknown };
    if (given.event_id === undefined) b.event_id = a.event_id;
    if (given.ts === undefined) b.ts = a.ts;
    expect(a, label).toEqual(b);
  }
  // Cut short anywhere inside the object: nothing decided.
  for (const cut of [2 + open, Math.floor((1 + open + end) / 2), end - 1]) {
    const short = new RowWriter();
    const none: RowRejection[] = [];
    expect(checkRowAt(chunk.slice(0, cut), 1 + open, 7, short, none, onlyTenant), `${label} cut at ${cut}`).toBe(-1);
    expect(short.rows + none.length).toBe(0);
  }
}

/** The same value written with whitespace around every token (JSON's four kinds), outside strings. */
function respaced(text: string, pick: (i: number) => number): string {
  const spaces = [" ", "\t", "\n", "\r", "  ", ""];
  let out = "";
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      out += c;
      if (c === "\\") out += text[++i];
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    if ("{}[],:".includes(c)) out += spaces[pick(i) % spaces.length] + c + spaces[pick(i + 1) % spaces.length];
    else out += c;
  }
  return out;
}

/** The object with its keys in reverse order (JSON.parse keeps the text's order). */
const reversed = (v: unknown) => (v !== null && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).reverse()) : v);

function variants(value: unknown, seed = 1): string[] {
  const text = JSON.stringify(value);
  if (text === undefined) return [];
  return [text, JSON.stringify(value, null, 1), JSON.stringify(reversed(value)), respaced(text, (i) => (i * 7 + seed) % 11), ` ${text}\t`];
}

/** Events of the shape this path reads (strings, numbers, nulls, flat string properties), their values at and past every limit. */
function plainEventRows(): fc.Arbitrary<Record<string, unknown>> {
  const now = Date.now();
  const edge = (n: number) => fc.constantFrom("", " ", "x".repeat(n), "x".repeat(n + 1), `${"x".repeat(n)} `, "😀".repeat(Math.ceil(n / 2)), "é".repeat(n + 1), "\u00a0x", "a.b", "1", "/", "x\u2028");
  const plain = fc.string({ unit: fc.constantFrom(..."abcxyzABC019 .-_:/@é漢", "😀", "\u00a0", "\u2028"), maxLength: 14 });
  const text = (n: number) => fc.oneof(plain, plain, plain, fc.string({ maxLength: 12 }), fc.string({ unit: "grapheme", maxLength: 6 }), edge(n));
  const key = fc.oneof(fc.constantFrom("a", "b", "a.b", "1", "0x", "", "k".repeat(100), "k".repeat(101), "__proto__", "constructor", "é", "😀"), plain, plain, fc.string({ maxLength: 5 }));
  return fc.record(
    {
      tenant_id: fc.oneof(fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,8}$/), fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.:@-]{120,130}$/), fc.constantFrom("acme", "globex", "ACME", "a b", "")),
      name: text(200),
      ts: fc.oneof(
        fc.date({ min: new Date(Date.UTC(1999, 11, 1)), max: new Date(now + 2 * 86_400_000), noInvalidDate: true }).map((d) => d.toISOString()),
        fc.integer({ min: Date.UTC(1999, 11, 1), max: now + 2 * 86_400_000 }),
        fc.double({ min: 9e11, max: now + 2 * 86_400_000, noNaN: true }),
        fc.constantFrom("2026-01-02T03:04:05+02:00", "2026-02-29T00:00:00.000Z", "2024-02-29T00:00:00.000Z", "2026-01-02T03:04:05.678Z"),
      ),
      event_id: text(128),
      user_id: fc.oneof(text(200), fc.constant(null)),
      value: fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer(), fc.constant(null)),
      properties: fc.oneof(fc.dictionary(key, text(1000), { maxKeys: 6 }), fc.dictionary(fc.string({ maxLength: 3 }), fc.string({ maxLength: 3 }), { minKeys: 45, maxKeys: 55 })),
    },
    { requiredKeys: ["tenant_id", "name"] },
  );
}

describe("reading an event's text without JSON.parse (lib/ingest/row-text.ts)", () => {
  it("gives checkRow's answer on the corpus, written every way JSON allows, with and without a tenant restriction", () => {
    const counts: Record<Outcome, number> = { invalid: 0, deferred: 0, decided: 0 };
    for (const [i, row] of corpus.entries()) {
      for (const text of variants(row, i)) {
        counts[compareText(text)]++;
        compareText(text, "acme");
      }
    }
    for (const text of protoRows) counts[compareText(text)]++;
    // The corpus is mostly edge cases; this path must still decide a good share of it, or it tests nothing.
    console.log(`corpus texts: ${JSON.stringify(counts)}`);
    expect(counts.decided).toBeGreaterThan(300);
    expect(counts.deferred).toBeGreaterThan(300);
  });

  it("decides the common shapes itself", () => {
    const common = [
      base,
      { ...base, properties: { plan: "pro", page: "/pricing", country: "DE" } },
      { ...base, user_id: "u-1", value: 12.5 },
      { ...base, user_id: null, value: null, properties: {} },
      { tenant_id: "acme", name: "signup" },
      { ...base, ts: 1767225600000 },
      { ...base, name: "Käse 😀", properties: { "a.b": "ünïcode ✓", emoji: "🎉" } },
      { ...base, value: -0 },
      { ...base, value: 1e21 },
    ];
    // Numbers written as JSON allows but JSON.stringify does not: the line holds the number's own spelling.
    for (const literal of ["1.50", "1e2", "1E+2", "-0", "-0.0", "0.0000001", "123456789012345678901234567890", "2.5e-3", "1e-400"]) {
      expect(compareText(`{"tenant_id":"acme","name":"x","event_id":"e","ts":"2026-01-02T03:04:05.678Z","value":${literal}}`), literal).toBe("decided");
      expect(compareText(`{"tenant_id":"acme","name":"x","ts":${literal.startsWith("-") ? "" : "17672256"}${literal.replace(/^-/, "")}}`), literal).not.toBe("invalid");
    }
    for (const row of common) {
      const sink = new RowWriter();
      expect(checkRowText(JSON.stringify(row), 0, sink), JSON.stringify(row)).toBeUndefined();
      expect(sink.rows).toBe(1);
      expect(compareText(JSON.stringify(row))).toBe("decided");
    }
    // A restricted key: another tenant's row is refused as checkRow refuses it, and nothing is written.
    const sink = new RowWriter();
    expect(checkRowText(JSON.stringify({ ...base, tenant_id: "globex" }), 4, sink, "acme")).toEqual({ index: 4, code: "tenant_forbidden", message: 'tenant_id: this API key may only write tenant "acme"' });
    expect(sink.rows).toBe(0);
  });

  it("leaves repeated keys to JSON.parse, which keeps the last (a second tenant_id is never read as the first)", () => {
    const text = '{"tenant_id":"acme","name":"x","tenant_id":"globex"}';
    expect(checkRowText(text, 0, new RowWriter())).toBe(false);
    const sink = new RowWriter();
    expect(checkRowText(text, 0, sink, "acme") === false && checkRow(JSON.parse(text), 0, sink, "acme")).toMatchObject({ code: "tenant_forbidden" });
    for (const dup of ['{"tenant_id":"acme","name":"x","properties":{"a":"1","a":"2"}}', '{"tenant_id":"acme","name":"x","name":"y"}', '{"tenant_id":"acme","name":"x","value":1,"value":null}']) expect(compareText(dup)).toBe("deferred");
  });

  it("gives checkRow's answer on generated rows written every way (fast-check)", () => {
    const counts: Record<Outcome, number> = { invalid: 0, deferred: 0, decided: 0 };
    fc.assert(
      fc.property(fc.oneof(plainEventRows(), plainEventRows(), eventRows()), fc.nat(), (row, seed) => {
        for (const text of variants(row, seed)) counts[compareText(text, seed % 3 === 0 ? "acme" : undefined)]++;
      }),
      { numRuns: 2_000 },
    );
    console.log(`generated texts: ${JSON.stringify(counts)}`);
    expect(counts.decided).toBeGreaterThan(800);
  });

  it("never decides a text JSON.parse refuses, nor one it reads differently: damaged rows and arbitrary JSON (fast-check)", () => {
    const edit = fc.record({ at: fc.nat(), kind: fc.constantFrom("delete", "insert", "double"), char: fc.constantFrom(..."{}[],:\"\\ 0159-.eEnul\t\nx\u00a0\ud800😀") });
    fc.assert(
      fc.property(fc.oneof(plainEventRows(), eventRows(), fc.constant(base), fc.constant({ ...base, properties: { a: "b", c: "d" }, value: 1.5, user_id: null })), fc.array(edit, { minLength: 1, maxLength: 3 }), (row, edits) => {
        let text = JSON.stringify(row);
        for (const e of edits) {
          const at = e.at % (text.length + 1);
          if (e.kind === "delete") text = text.slice(0, at) + text.slice(at + 1);
          else if (e.kind === "insert") text = text.slice(0, at) + e.char + text.slice(at);
          else text = text.slice(0, at) + text.slice(Math.max(0, at - 8), at) + text.slice(at);
        }
        compareText(text);
      }),
      { numRuns: 5_000 },
    );
    fc.assert(fc.property(fc.json({ maxDepth: 3 }), (text) => void compareText(text)), { numRuns: 1_000 });
    fc.assert(fc.property(fc.string({ unit: "binary", maxLength: 60 }), (text) => void compareText(`{"tenant_id":"acme","name":${text}}`)), { numRuns: 1_000 });
  });
});
