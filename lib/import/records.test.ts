import fs from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { closeAnalytics, getAnalytics, queryRows } from "@/lib/analytics/engine";
import { RecordCounter } from "@/lib/import/records";
import { fileChunks } from "@/scripts/import/file-chunks";

// The oracle for where CSV records end is the engine itself: for random CSV
// with quoted fields (commas, line breaks, "" inside), quotes as text in
// unquoted fields (`5" screen`) and spaces before an opening quote, the CLI's
// chunks of one record each must each parse to exactly the row the engine
// reads at that place in the whole file, and the server's count (fed in
// random pieces) must equal the engine's. Without a quote as text, so must
// the engine's shortcut count, which the import uses then.

const dir = fs.mkdtempSync(path.join(process.env.DATA_DIR!, "csv-records-"));
const SETTINGS = { input_format_csv_use_best_effort_in_schema_inference: 0, schema_inference_make_columns_nullable: 1, input_format_csv_allow_variable_number_of_columns: 1, optimize_count_from_files: 0, input_format_parallel_parsing: 0 } as const;
const fastCount = async (file: string) => Number((await queryRows<{ n: number }>(getAnalytics(), `SELECT count() AS n FROM file('${file}', CSVWithNames)`, { settings: { ...SETTINGS, optimize_count_from_files: 1, input_format_parallel_parsing: 1 } }))[0].n);
const parse = (file: string) => queryRows<Record<string, string | null>>(getAnalytics(), `SELECT * FROM file('${file}', CSVWithNames)`, { settings: SETTINGS });

afterAll(async () => {
  await closeAnalytics();
});

const unquoted = (textQuotes: boolean) => fc.tuple(fc.constantFrom("a", "b", "7"), fc.array(fc.constantFrom("a", "b", " ", "'", ...(textQuotes ? ['"'] : [])), { maxLength: 6 })).map(([first, rest]) => first + rest.join(""));
const quoted = fc.tuple(fc.constantFrom("", " ", "\t", "  "), fc.array(fc.constantFrom("a", ",", "\n", "\r\n", '""', " ", "'"), { maxLength: 6 })).map(([lead, body]) => `${lead}"${body.join("")}"`);
const record = (textQuotes: boolean) => fc.array(fc.oneof(unquoted(textQuotes), quoted, fc.constant("")), { minLength: 3, maxLength: 3 }).map((fields) => fields.join(","));
// Half the files have no quote as text, so the shortcut count is checked on many.
const csvFile = fc
  .boolean()
  .chain((textQuotes) => fc.tuple(fc.array(record(textQuotes), { minLength: 1, maxLength: 8 }), fc.constantFrom("\n", "\r\n", "\n\r"), fc.boolean()))
  .map(([records, eol, lastBreak]) => ({ text: `c1,c2,c3${eol}${records.join(eol)}${lastBreak ? eol : ""}`, eol }));

function countInPieces(bytes: Buffer, cuts: number[]): { records: number; literalQuotes: number } {
  const counter = new RecordCounter("csv");
  let at = 0;
  for (const cut of [...cuts.map((c) => c % (bytes.length + 1)).sort((a, b) => a - b), bytes.length]) {
    if (cut > at) counter.push(bytes.subarray(at, cut));
    at = Math.max(at, cut);
  }
  return counter.finish();
}

describe("CSV records as the engine reads them", () => {
  it("a quote inside an unquoted field is text: the 4-row file cuts into 4 records", async () => {
    const text = 'tenant_id,name,s\nacme,a,5" screen\nglobex,b,x\nacme,c,y"z\nacme,d,w\n';
    const file = path.join(dir, "inner.csv");
    fs.writeFileSync(file, text);
    const chunks = [];
    for await (const c of fileChunks(file, "csv", 2)) chunks.push({ rows: c.rows, body: Buffer.concat(c.body).toString("utf8") });
    expect(chunks).toEqual([
      { rows: 2, body: 'tenant_id,name,s\nacme,a,5" screen\nglobex,b,x\n' },
      { rows: 2, body: 'tenant_id,name,s\nacme,c,y"z\nacme,d,w\n' },
    ]);
    expect(countInPieces(Buffer.from(text), [25, 26])).toEqual({ records: 4, literalQuotes: 2, unclosedQuote: false });
    expect((await parse(file)).map((r) => r.s)).toEqual(['5" screen', "x", 'y"z', "w"]);
  });

  it("agrees with the engine on random CSV, record by record and across read pieces", async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(csvFile, fc.array(fc.nat(), { maxLength: 4 }), async ({ text, eol }, cuts) => {
        const file = path.join(dir, `random-${n++}.csv`);
        fs.writeFileSync(file, text);
        // The oracle reads the file ending in a line break, as the CLI sends its last record (at the very end of a file the engine keeps a field's trailing spaces).
        const wholeFile = `${file}.whole.csv`;
        fs.writeFileSync(wholeFile, text.endsWith(eol) ? text : text + eol);
        const whole = await parse(wholeFile);
        const counted = countInPieces(Buffer.from(text), cuts);
        expect(counted.records).toBe(whole.length);
        // Without a quote as text, the engine's shortcut count (which the import then uses) is the parse's count too.
        if (counted.literalQuotes === 0) expect(await fastCount(wholeFile)).toBe(whole.length);
        let i = 0;
        for await (const c of fileChunks(file, "csv", 1)) {
          const piece = path.join(dir, `random-${n}-${c.chunk}.csv`);
          fs.writeFileSync(piece, Buffer.concat(c.body));
          expect(await parse(piece)).toEqual([whole[i++]]);
        }
        expect(i).toBe(whole.length);
      }),
      { numRuns: 120, seed: 20261130 },
    );
  }, 120_000);
});
