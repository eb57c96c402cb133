import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { BodySyntaxError, JsonArraySplitter, NdjsonSplitter, type Splitter } from "@/lib/ingest/json-stream";

function split(splitter: Splitter, chunks: string[]): unknown[] {
  const out: unknown[] = [];
  const emit = (p: { index: number; text: string }) => {
    expect(p.index).toBe(out.length);
    out.push(JSON.parse(p.text));
  };
  for (const c of chunks) splitter.push(c, emit);
  splitter.end(emit);
  return out;
}

/** Cuts text at the given positions (so pieces can end inside strings, escapes, numbers). */
function cut(text: string, at: number[]): string[] {
  const points = [...new Set(at.map((n) => n % (text.length + 1)))].sort((a, b) => a - b);
  const chunks: string[] = [];
  let last = 0;
  for (const p of points) {
    chunks.push(text.slice(last, p));
    last = p;
  }
  chunks.push(text.slice(last));
  return chunks;
}

describe("JsonArraySplitter", () => {
  it("gives back exactly the array's elements wherever the chunks are cut", () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue(), { maxLength: 20 }), fc.array(fc.nat(), { maxLength: 12 }), fc.boolean(), (values, at, pretty) => {
        const text = JSON.stringify(values, null, pretty ? 2 : undefined);
        expect(split(new JsonArraySplitter(), cut(text, at))).toEqual(JSON.parse(text));
      }),
      { numRuns: 500, seed: 20261123 },
    );
  });

  it("handles brackets, quotes and escapes inside strings", () => {
    const values = [{ a: "]}[{,\"\\" }, "x\\\"]", 1.5e3, null, true, [[]], {}];
    expect(split(new JsonArraySplitter(), [JSON.stringify(values)])).toEqual(values);
  });

  it("refuses what is not one well-formed array", () => {
    for (const bad of ["", "   ", '{"a":1}', "[1 2]", "[1,,2]", "[,1]", "[1,]x", '[{"a":1}', "[1] [2]", "[1]x", "hello"]) {
      expect(() => split(new JsonArraySplitter(), [bad]), bad).toThrow(BodySyntaxError);
    }
  });
});

describe("NdjsonSplitter", () => {
  it("gives one value per non-empty line wherever the chunks are cut, with \\r\\n too", () => {
    fc.assert(
      fc.property(fc.array(fc.jsonValue(), { maxLength: 20 }), fc.array(fc.nat(), { maxLength: 12 }), fc.boolean(), (values, at, crlf) => {
        const text = values.map((v) => JSON.stringify(v)).join(crlf ? "\r\n\r\n" : "\n") + "\n";
        expect(split(new NdjsonSplitter(), cut(text, at))).toEqual(values.map((v) => JSON.parse(JSON.stringify(v))));
      }),
      { numRuns: 300, seed: 20261123 },
    );
  });
});
