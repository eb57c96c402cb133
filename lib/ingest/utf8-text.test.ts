import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Utf8Text } from "@/lib/ingest/utf8-text";

// The oracle: a streaming TextDecoder (not fatal), the decoder the body was
// read with before, on the same bytes cut into the same chunks.

function both(bytes: Uint8Array, cuts: number[]): [string, string] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let from = 0;
  for (const p of [...points, bytes.length]) {
    chunks.push(bytes.subarray(from, p));
    from = p;
  }
  const decoder = new TextDecoder("utf-8", { fatal: false });
  const mine = new Utf8Text();
  let expected = "";
  let got = "";
  for (const chunk of chunks) {
    expected += decoder.decode(chunk, { stream: true });
    got += mine.push(chunk);
  }
  return [expected + decoder.decode(), got + mine.end()];
}

// Bytes around UTF-8's edges: ASCII, every lead and continuation range, overlongs, surrogates, past U+10FFFF.
const byte = fc.oneof(fc.integer({ min: 0, max: 0x7f }), fc.integer({ min: 0x80, max: 0xbf }), fc.integer({ min: 0xc0, max: 0xff }), fc.constantFrom(0xc2, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0x9f, 0xa0, 0x8f, 0x90));
const text = fc.string({ unit: "binary", maxLength: 40 }).map((s) => new Uint8Array(Buffer.from(s)));
// Pieces of text with byte order marks (EF BB BF) among them: at the start of the body, and where a chunk may start.
const withMarks = fc.array(fc.oneof(fc.constant("\ufeff"), fc.constant("a"), fc.constant("é"), fc.constant("😀"), fc.constant("{"), fc.string({ maxLength: 3 })), { maxLength: 12 }).map((parts) => new Uint8Array(Buffer.from(parts.join(""))));

describe("Utf8Text (lib/ingest/utf8-text.ts)", () => {
  it("gives a streaming TextDecoder's text for any bytes cut anywhere", () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 40 }), fc.array(byte, { maxLength: 40 }).map((a) => new Uint8Array(a)), text, withMarks), fc.array(fc.nat(), { maxLength: 8 }), (bytes, cuts) => {
        const [expected, got] = both(bytes, cuts);
        expect(got).toBe(expected);
      }),
      { numRuns: 20_000 },
    );
  });

  it("keeps a character cut between two chunks whole, one byte at a time too", () => {
    const bytes = new Uint8Array(Buffer.from("a€😀é\u2028z"));
    expect(both(bytes, Array.from({ length: bytes.length }, (_, i) => i))).toEqual(["a€😀é\u2028z", "a€😀é\u2028z"]);
    const [expected, got] = both(new Uint8Array([0x61, 0xf0, 0x9f, 0x98]), [2]);
    expect(got).toBe(expected);
    expect(got).toBe("a\ufffd");
  });

  it("drops a byte order mark only where the body opens, however the chunks are cut", () => {
    const bom = [0xef, 0xbb, 0xbf];
    const body = new Uint8Array([...bom, 0x7b, 0xc3, 0xa9, ...bom, 0x61, ...bom]); // BOM { é BOM a BOM
    for (let a = 0; a <= body.length; a++) {
      for (let b = a; b <= body.length; b++) {
        const [expected, got] = both(body, [a, b]);
        expect(expected).toBe("{é\ufeffa\ufeff");
        expect(got, `cut at ${a} and ${b}`).toBe(expected);
      }
    }
  });
});
