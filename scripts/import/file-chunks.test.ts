import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { fileChunks } from "@/scripts/import/file-chunks";

// The CLI finds record boundaries only (the engine parses CSV): chunks end
// between records, never inside a quoted line break; blank lines are neither
// sent nor counted; every CSV chunk starts with the header.

const dir = fs.mkdtempSync(path.join(process.env.DATA_DIR!, "chunks-"));
const collect = async (file: string, format: "csv" | "ndjson", rows: number) => {
  const out: { rows: number; firstIndex: number; body: string }[] = [];
  for await (const c of fileChunks(file, format, rows)) out.push({ rows: c.rows, firstIndex: c.firstIndex, body: Buffer.concat(c.body).toString("utf8") });
  return out;
};

describe("fileChunks", () => {
  it("cuts CSV between records, keeps quoted line breaks and repeats the header", async () => {
    const file = path.join(dir, "a.csv");
    fs.writeFileSync(file, 'h1,h2\n\na,"x\ny"\n  \nb,"q ""\n"" z"\r\nc,3\n\nd,4');
    expect(await collect(file, "csv", 2)).toEqual([
      { rows: 2, firstIndex: 0, body: 'h1,h2\na,"x\ny"\nb,"q ""\n"" z"\r\n' },
      { rows: 2, firstIndex: 2, body: "h1,h2\nc,3\nd,4\n" },
    ]);
  });

  it("counts NDJSON rows without blank lines, across read buffers", async () => {
    const file = path.join(dir, "b.ndjson");
    const line = (i: number) => JSON.stringify({ i, pad: "x".repeat(i % 500) });
    const lines = Array.from({ length: 20_000 }, (_, i) => (i % 7 === 0 ? `${line(i)}\n   ` : line(i)));
    fs.writeFileSync(file, `${lines.join("\n")}\n`);
    const chunks = await collect(file, "ndjson", 6_000);
    expect(chunks.map((c) => [c.rows, c.firstIndex])).toEqual([[6000, 0], [6000, 6000], [6000, 12000], [2000, 18000]]);
    const all = chunks.flatMap((c) => c.body.split("\n").filter((l) => l.trim()));
    expect(all.map((l) => JSON.parse(l).i)).toEqual(Array.from({ length: 20_000 }, (_, i) => i));
  });
});
