import fs from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeAnalytics, getAnalytics, queryRows } from "@/lib/analytics/engine";
import { reserveIngestSeq } from "@/lib/analytics/ingest";
import { ensureAnalyticsSchema } from "@/lib/analytics/schema";
import { checkRow } from "@/lib/ingest/check-row";
import { RowWriter } from "@/lib/ingest/row-line";
import { specFromFlags, type ImportSpec } from "@/lib/import/import-spec";
import { importNdjson, importTabular } from "@/lib/import/tabular-chunk";
import { ndjsonLineChecker } from "@/lib/import/ndjson-chunk";
import { planColumns, tabularInput, type ProjectedRow } from "@/lib/import/tabular-input";
import { describeQuery, importQueries } from "@/lib/query/import-sql";
import { READ_SETTINGS, type FileSource } from "@/lib/query/import-source";

// One set of rules, two places they run: a CSV or Parquet row is checked by
// the SQL fast path (lib/query/import-sql.ts) and, when that does not pass it,
// by checkRow in JavaScript. This corpus — every limit at and past its edge,
// bad tenant ids, bad and edge times, wrong types, nested JSON text, spaces
// JavaScript trims and SQL would not — goes through the import (SQL, then
// JavaScript for the rest) and, separately, through checkRow alone. Both
// must accept the same rows and store the same values.

const BAD = "@@not-utf8@@";
const a = (n: number) => "a".repeat(n);
const e = (n: number) => "é".repeat(n); // 2 bytes, 1 code point, 1 UTF-16 unit
const astral = (n: number) => "😀".repeat(n); // 4 bytes, 1 code point, 2 UTF-16 units
const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

type Row = { tenant_id?: string; name?: string; ts?: string; user_id?: string; value?: string; event_id?: string; page?: string; meta?: string };
const ok: Row = { tenant_id: "acme", name: "page_view", ts: "2025-06-01T12:00:00Z" };
const corpus: Row[] = [
  ok,
  { ...ok, tenant_id: "acme2" },
  { ...ok, tenant_id: a(128) },
  { ...ok, tenant_id: a(129) },
  { ...ok, tenant_id: "acme!" },
  { ...ok, tenant_id: "-acme" },
  { ...ok, tenant_id: "acme corp" },
  { ...ok, tenant_id: "a:b@c.d-e_f" },
  { ...ok, tenant_id: "äcme" },
  { ...ok, tenant_id: undefined },
  { ...ok, name: undefined },
  { ...ok, name: a(200) },
  { ...ok, name: a(201) },
  { ...ok, name: e(200) },
  { ...ok, name: e(201) },
  { ...ok, name: astral(200) },
  { ...ok, name: astral(201) },
  { ...ok, name: "  padded  " },
  { ...ok, name: `\u00a0nbsp\u3000` },
  { ...ok, name: `${a(199)} ` },
  { ...ok, name: ` ${a(200)} ` },
  { ...ok, name: "   " },
  { ...ok, name: "tab\tinside" },
  { ...ok, name: "line\nbreak" },
  { ...ok, name: "quote \"x\", comma" },
  { ...ok, ts: undefined },
  { ...ok, ts: "2025-06-01T12:00:00.5Z" },
  { ...ok, ts: "2025-06-01T12:00:00.123Z" },
  { ...ok, ts: "2025-06-01T12:00:00.123456Z" },
  { ...ok, ts: "2025-06-01T12:00:00+02:00" },
  { ...ok, ts: "2025-06-01T12:00:00+0200" },
  { ...ok, ts: "2025-06-01T12:00Z" },
  { ...ok, ts: "2025-06-01 12:00:00" },
  { ...ok, ts: "2025-06-01T12:00:00" },
  { ...ok, ts: "2025-02-30T00:00:00Z" },
  { ...ok, ts: "2025-06-01T24:00:00Z" },
  { ...ok, ts: "1999-12-31T23:59:59.999Z" },
  { ...ok, ts: "2000-01-01T00:00:00Z" },
  { ...ok, ts: iso(Date.now() + DAY - 60_000) },
  { ...ok, ts: iso(Date.now() + DAY + 60_000) },
  { ...ok, ts: "1748779200000" },
  { ...ok, ts: "946684799999" },
  { ...ok, ts: "946684800000" },
  { ...ok, ts: String(Date.now() + 2 * DAY) },
  { ...ok, ts: "yesterday" },
  { ...ok, ts: "-1" },
  { ...ok, event_id: a(128) },
  { ...ok, event_id: a(129) },
  { ...ok, event_id: astral(128) },
  { ...ok, event_id: astral(129) },
  { ...ok, user_id: a(200) },
  { ...ok, user_id: a(201) },
  { ...ok, user_id: e(201) },
  { ...ok, value: "1" },
  { ...ok, value: "-0.5" },
  { ...ok, value: ".5" },
  { ...ok, value: "5." },
  { ...ok, value: "1e3" },
  { ...ok, value: "1E-3" },
  { ...ok, value: "0.1" },
  { ...ok, value: "12345678901234567890" },
  { ...ok, value: "1e400" },
  { ...ok, value: "-0" },
  { ...ok, value: "-0.0" },
  { ...ok, value: "-1e-400" },
  { ...ok, value: "1e-400" },
  { ...ok, value: "4.9e-324" },
  { ...ok, value: "2.2250738585072014e-308" },
  { ...ok, value: "1234567890123456789012345" },
  { ...ok, value: "0.1000000000000000055511151231257827" },
  { ...ok, value: "9007199254740993" },
  { ...ok, value: "1.7976931348623157e308" },
  { ...ok, value: "1.7976931348623159e308" },
  { ...ok, value: "abc" },
  { ...ok, value: "0x10" },
  { ...ok, value: "Infinity" },
  { ...ok, value: " 1" },
  { ...ok, value: "1,5" },
  { ...ok, page: a(1000) },
  { ...ok, page: a(1001) },
  { ...ok, page: e(500) },
  { ...ok, page: e(1000) },
  { ...ok, page: e(1001) },
  { ...ok, page: astral(500) },
  { ...ok, page: astral(501) },
  { ...ok, meta: '{"plan":{"tier":"pro"}}' },
  { ...ok, meta: "[1,2,3]" },
  { ...ok, page: "/p", meta: "x" },
  // Bytes that are not UTF-8 (BAD is replaced by C3 28 in the file).
  { ...ok, page: `x${BAD}y` },
  { ...ok, meta: BAD },
  { ...ok, name: `n${BAD}` },
  { ...ok, user_id: `u${BAD}` },
  { ...ok, event_id: `e${BAD}` },
  { ...ok, tenant_id: `acme${BAD}` },
  { ...ok, value: `1${BAD}` },
  { ...ok, ts: `2025-06-01T12:00:00Z${BAD}` },
];

const COLUMNS = ["tenant_id", "name", "ts", "user_id", "value", "event_id", "page", "meta", "case"] as const;
const csvField = (v: string | undefined) => (v === undefined ? "" : `"${v.replace(/"/g, '""')}"`);

let dir: string;
beforeAll(async () => {
  dir = path.join(process.env.DATA_DIR!, "imports");
  fs.mkdirSync(dir, { recursive: true });
  await ensureAnalyticsSchema(getAnalytics());
});
afterAll(async () => {
  await closeAnalytics();
});

type Stored = { tenant_id: string; name: string; ts: string; user_id: string | null; value: number | null; properties: Record<string, string>; event_id: string };

/** checkRow alone, on every row the engine reads from the file. */
async function javascriptOnly(source: FileSource, spec: ImportSpec): Promise<Map<string, Stored | "rejected">> {
  const engine = getAnalytics();
  const columns = await queryRows<{ name: string; type: string }>(engine, describeQuery(source), { settings: READ_SETTINGS });
  const plan = planColumns(columns, spec);
  const q = importQueries({ source, plan, types: Object.fromEntries(columns.map((c) => [c.name, c.type])), table: "enclave.events", seq: 0 });
  const rows = await queryRows<ProjectedRow>(engine, q.all, { params: q.params, settings: READ_SETTINGS });
  const out = new Map<string, Stored | "rejected">();
  for (const [i, row] of rows.entries()) {
    const input = tabularInput(row, plan) as { properties: Record<string, string> };
    const id = input.properties.case;
    const writer = new RowWriter();
    if (checkRow(input, i, writer)) out.set(id, "rejected");
    else out.set(id, normalise(JSON.parse(writer.body(0).toString("utf8"))));
  }
  return out;
}

function normalise(r: Stored & { ingest_seq?: number }): Stored {
  const { ingest_seq: _, ...rest } = r;
  return { ...rest, value: rest.value === null ? null : Number(rest.value), user_id: rest.user_id ?? null };
}

/** A row without a time is stored at the time it is checked: the two paths check it a moment apart. */
const isNow = (ts: string) => Math.abs(Date.parse(`${ts.replace(" ", "T")}Z`) - Date.now()) < 120_000;

async function compare(source: FileSource, spec: ImportSpec, marker: string) {
  const engine = getAnalytics();
  const reserved = reserveIngestSeq();
  const result = await importTabular(engine, { source, spec, firstIndex: 0, token: `corpus-${marker}`, reserved, progress: { inserting: false } }).finally(() => reserved.release());
  const stored = await queryRows<Stored>(engine, `SELECT tenant_id, name, ts, user_id, value, properties, event_id FROM enclave.events WHERE properties['set'] = {marker:String}`, { params: { marker } });
  // What JavaScript writes is always UTF-8 (its strings are text); the engine must not store other bytes for it (read back, they would look alike).
  const [{ bad }] = await queryRows<{ bad: number }>(
    engine,
    `SELECT count() AS bad FROM enclave.events WHERE properties['set'] = {marker:String} AND NOT (isValidUTF8(tenant_id) AND isValidUTF8(name) AND isValidUTF8(event_id) AND isValidUTF8(ifNull(user_id, '')) AND arrayAll(v -> isValidUTF8(v), mapValues(properties)) AND arrayAll(k -> isValidUTF8(k), mapKeys(properties)))`,
    { params: { marker } },
  );
  expect(Number(bad)).toBe(0);
  const viaImport = new Map<string, Stored | "rejected">(corpus.map((_, i) => [String(i), "rejected"]));
  for (const r of stored) viaImport.set(r.properties.case, r);
  const viaJs = await javascriptOnly(source, spec);
  const generated = (m: Map<string, Stored | "rejected">) => new Map([...m].map(([k, v]) => [k, v === "rejected" ? v : { ...v, event_id: corpus[Number(k)].event_id ?? "(generated)", ts: isNow(v.ts) ? "(now)" : v.ts }]));
  expect(generated(viaImport)).toEqual(generated(viaJs));
  return { result, accepted: [...viaJs.values()].filter((v) => v !== "rejected").length };
}

function writeCorpusCsv(): string {
  const file = path.join(dir, "corpus.csv");
  const lines = [COLUMNS.join(","), ...corpus.map((r, i) => [...COLUMNS.slice(0, -1).map((c) => csvField(r[c as keyof Row])), csvField(String(i))].join(","))];
  fs.writeFileSync(file, withBadBytes(Buffer.from(`${lines.join("\n")}\n`)));
  return file;
}

/** The corpus as Parquet, written by the engine; value and ts also as typed columns where they parse. */
async function writeCorpusParquet(set: string): Promise<string> {
  const file = path.join(dir, `corpus-${set}.parquet`);
  await getAnalytics().withConnection((c) =>
    c.command({
      query: `INSERT INTO FUNCTION file('${file}', Parquet) SELECT tenant_id, name, ts, parseDateTime64BestEffortOrNull(ts, 3, 'UTC') AS ts_typed, user_id, value, toFloat64OrNull(value) AS value_typed, event_id, page, meta, \`case\`, '${set}' AS set FROM file('${writeCorpusCsv()}', CSVWithNames) SETTINGS engine_file_truncate_on_insert = 1, input_format_csv_use_best_effort_in_schema_inference = 0, schema_inference_make_columns_nullable = 1`,
    }),
  );
  return file;
}

/** The file's bytes with each BAD marker replaced by C3 28 (not UTF-8). */
function withBadBytes(text: Buffer): Buffer {
  const parts: Buffer[] = [];
  let at = 0;
  for (let i = text.indexOf(BAD); i !== -1; i = text.indexOf(BAD, at)) {
    parts.push(text.subarray(at, i), Buffer.from([0xc3, 0x28]));
    at = i + BAD.length;
  }
  return Buffer.concat([...parts, text.subarray(at)]);
}

/** The file's lines as bytes (it holds bytes that are not UTF-8); quoted line breaks do not matter here, the tag goes after the last one. */
function splitLines(bytes: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let at = 0;
  for (let i = bytes.indexOf(0x0a); i !== -1; i = bytes.indexOf(0x0a, at)) {
    out.push(bytes.subarray(at, i));
    at = i + 1;
  }
  if (at < bytes.length) out.push(bytes.subarray(at));
  return out;
}

const PROPS = ["page=properties.page", "meta=properties.meta", "case=properties.case", "set=properties.set"];

describe("the import's SQL fast path and checkRow", () => {
  it("decide every CSV row alike and store the same values", async () => {
    const file = writeCorpusCsv();
    // Tag the rows of this run: a constant column the rules see as one more property.
    const tagged = path.join(dir, "corpus-tagged.csv");
    fs.writeFileSync(tagged, Buffer.concat(splitLines(fs.readFileSync(file)).map((l, i) => (l.length ? Buffer.concat([l, Buffer.from(`,${i === 0 ? "set" : "csv"}\n`)]) : Buffer.from("\n")))));
    const { result, accepted } = await compare({ path: tagged, format: "csv" }, specFromFlags({ format: "csv", map: PROPS }), "csv");
    expect(result.rows).toBe(corpus.length);
    expect(result.accepted).toBe(accepted);
    // The fast path decides most rows; the rest are the edge cases it leaves to JavaScript.
    expect(result.fast).toBeGreaterThan(corpus.length / 3);
    console.log(`corpus: ${corpus.length} rows, ${accepted} accepted, ${result.fast} passed by SQL, ${result.rows - result.fast} decided by checkRow`);
  });

  it("decide every Parquet row alike, as text columns and as typed ones", async () => {
    const text = await writeCorpusParquet("pq");
    const asText = await compare({ path: text, format: "parquet", rows: [0, corpus.length] }, specFromFlags({ format: "parquet", map: [...PROPS, "ts_typed=-", "value_typed=-"] }), "pq");
    expect(asText.result.accepted).toBe(asText.accepted);
    const typed = await writeCorpusParquet("pq-typed");
    const asTyped = await compare({ path: typed, format: "parquet", rows: [0, corpus.length] }, specFromFlags({ format: "parquet", map: [...PROPS, "ts=-", "ts_typed=ts", "value=-", "value_typed=value"] }), "pq-typed");
    expect(asTyped.result.accepted).toBe(asTyped.accepted);
    expect(asTyped.result.fast).toBeGreaterThan(corpus.length / 3);
  });
});

// NDJSON: the same corpus as API-shaped lines (value a JSON number where it is
// one), the shapes only JSON has, and random numbers. Lines are raw text, so a
// number keeps the spelling it was written with.
const JSON_NUMBER = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?$/;
function corpusLine(r: Row, i: number): string {
  const parts: string[] = [];
  for (const field of ["tenant_id", "name", "ts", "user_id", "event_id"] as const) if (r[field] !== undefined) parts.push(`${JSON.stringify(field)}:${JSON.stringify(r[field])}`);
  if (r.value !== undefined) parts.push(`"value":${JSON_NUMBER.test(r.value) ? r.value : JSON.stringify(r.value)}`);
  const props: Record<string, string> = { case: `c${i}` };
  if (r.page !== undefined) props.page = r.page;
  if (r.meta !== undefined) props.meta = r.meta;
  parts.push(`"properties":${JSON.stringify(props)}`);
  return `{${parts.join(",")}}`;
}
const base = (k: string) => `"tenant_id":"acme","name":"page_view","ts":"2025-06-01T12:00:00Z","event_id":"${k}"`;
const ndjsonOnly: string[] = [
  `{${base("n-nested")},"properties":{"plan":{"tier":"pro","seats":5}}}`,
  `{${base("n-number-prop")},"properties":{"seats":5,"on":true,"off":false,"none":null,"list":[1,"a"]}}`,
  `{${base("n-empty-props")},"properties":{}}`,
  `{${base("n-null-props")},"properties":null}`,
  `{${base("n-array-props")},"properties":["a"]}`,
  `{${base("n-dup-top")},"name":"other"}`,
  `{${base("n-dup-prop")},"properties":{"a":"1","a":"2"}}`,
  `{${base("n-dot-collide")},"properties":{"a.b":"1","a":{"b":"2"}}}`,
  `{${base("n-dots")},"properties":{"a.b":"1","c.d.e":"2"}}`,
  `{${base("n-unknown")},"extra":1}`,
  `{${base("n-proto")},"properties":{"__proto__":"x"}}`,
  `{${base("n-proto-top")},"__proto__":{"a":"b"}}`,
  `{${base("n-escapes")},"properties":{"q":"a\\"b\\\\c\\n\\t\\u0000\\u00e9\\ud83d\\ude00","k\\"ey":"v"}}`,
  `{${base("n-lone-surrogate")},"properties":{"s":"\\ud800"}}`,
  `{${base("n-emoji-key")},"properties":{"😀":"v"}}`,
  `{${base("n-51-props")},"properties":{${Array.from({ length: 51 }, (_, i) => `"k${i}":"v"`).join(",")}}}`,
  `{${base("n-50-props")},"properties":{${Array.from({ length: 50 }, (_, i) => `"k${i}":"v"`).join(",")}}}`,
  `{${base("n-key-100")},"properties":{"${a(100)}":"v"}}`,
  `{${base("n-key-101")},"properties":{"${a(101)}":"v"}}`,
  `{${base("n-key-e50")},"properties":{"${e(50)}":"v","${e(100)}":"w"}}`,
  `{${base("n-empty-key")},"properties":{"":"v"}}`,
  `{"tenant_id":"acme","name":"page_view","ts":1748779200000,"event_id":"n-ts-int"}`,
  `{"tenant_id":"acme","name":"page_view","ts":1748779200000.0,"event_id":"n-ts-float-int"}`,
  `{"tenant_id":"acme","name":"page_view","ts":1748779200000.5,"event_id":"n-ts-frac"}`,
  `{"tenant_id":"acme","name":"page_view","ts":1.7487792e12,"event_id":"n-ts-exp"}`,
  `{"tenant_id":"acme","name":"page_view","ts":-1,"event_id":"n-ts-neg"}`,
  `{"tenant_id":"acme","name":"page_view","ts":null,"event_id":"n-ts-null"}`,
  `{"tenant_id":"acme","name":"page_view","ts":"","event_id":"n-ts-empty"}`,
  `{"tenant_id":"acme","name":"page_view","user_id":null,"value":null,"event_id":"n-nulls"}`,
  `{"tenant_id":"acme","name":"page_view","value":-0,"event_id":"n-minus-zero"}`,
  `{"tenant_id":"acme","name":"page_view","value":-0.0,"event_id":"n-minus-zero-point"}`,
  `{"tenant_id":"acme","name":"page_view","value":-1e-400,"event_id":"n-minus-underflow"}`,
  `{"tenant_id":"acme","name":"page_view","value":"5","event_id":"n-value-text"}`,
  `{"tenant_id":"acme","name":"page_view","value":true,"event_id":"n-value-bool"}`,
  `{"tenant_id":"acme","name":"page_view","event_id":""}`,
  `{"tenant_id":"acme","name":"page_view","event_id":null}`,
  `{"tenant_id":"acme","name":"page_view","event_id":7}`,
  `{"tenant_id":7,"name":"page_view","event_id":"n-tenant-number"}`,
  `{"tenant_id":"acme","name":["page_view"],"event_id":"n-name-array"}`,
  `{"tenant_id":"acme","event_id":"n-no-name"}`,
  `  {"tenant_id":"acme","name":"page_view","event_id":"n-spaces"}  `,
  `{"tenant_id":"acme","name":"page_view","event_id":"n-cr"}\r`,
  `\u00a0{"tenant_id":"acme","name":"page_view","event_id":"n-nbsp"}`,
  `{"tenant_id":"acme","name":"page_view","event_id":"n-trailing"} x`,
  `{"tenant_id":"acme","name":"page_view","event_id":"n-comma",}`,
  `{"tenant_id":"acme","name":"page_view","event_id":"n-nan","value":NaN}`,
  `{"tenant_id":"acme","name":"page_view","event_id":"n-bad-utf8","properties":{"x":"${BAD}"}}`,
  `{"tenant_id":"acme","name":"page_view","event_id":"n-bad-utf8-name${BAD}"}`,
  "[1,2]",
  '"page_view"',
  "5",
  "null",
  "{not json",
  "{}",
];

describe("the import's NDJSON fast path and checkRow", () => {
  it("decide every line alike, store the same values and word the same rejections", async () => {
    const numbers = fc.sample(fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer(), fc.double({ min: -1e6, max: 1e6, noNaN: true })), { numRuns: 300, seed: 20261130 });
    const lines = [
      ...corpus.map(corpusLine),
      ...ndjsonOnly,
      ...numbers.map((n, i) => `{"tenant_id":"acme","name":"num","value":${JSON.stringify(n)},"event_id":"n-num-${i}"}`),
      ...numbers.map((n, i) => `{"tenant_id":"acme","name":"num","value":${n.toExponential()},"event_id":"n-exp-${i}"}`),
    ];
    const file = path.join(dir, "corpus.ndjson");
    fs.writeFileSync(file, withBadBytes(Buffer.from(`${lines.join("\n")}\n`)));
    const texts = splitLines(fs.readFileSync(file)).map((l) => l.toString("utf8"));
    expect(texts).toHaveLength(lines.length);

    // checkRow alone, line by line.
    const check = ndjsonLineChecker(specFromFlags({ format: "ndjson" }));
    const viaJs = texts.map((line, i) => {
      const writer = new RowWriter();
      const refused = check(line, i, writer);
      return refused ?? normalise(JSON.parse(writer.body(0).toString("utf8")));
    });

    const engine = getAnalytics();
    const reserved = reserveIngestSeq();
    const result = await importNdjson(engine, { source: { path: file, format: "ndjson" }, spec: specFromFlags({ format: "ndjson" }), firstIndex: 0, records: lines.length, token: "corpus-ndjson", reserved, progress: { inserting: false } }).finally(() => reserved.release());
    const stored = await queryRows<Stored>(engine, "SELECT tenant_id, name, ts, user_id, value, properties, event_id FROM enclave.events WHERE ingest_seq = {seq:UInt64}", { params: { seq: reserved.seq } });
    const [{ bad }] = await queryRows<{ bad: number }>(engine, "SELECT count() AS bad FROM enclave.events WHERE ingest_seq = {seq:UInt64} AND NOT (isValidUTF8(name) AND isValidUTF8(event_id) AND arrayAll(v -> isValidUTF8(v), mapValues(properties)))", { params: { seq: reserved.seq } });
    expect(Number(bad)).toBe(0);

    const key = (r: Stored) => r.properties.case ?? r.event_id;
    const byKey = new Map(stored.map((r) => [key(r), r]));
    const rejections = new Map(result.rejected.map((r) => [r.index, r]));
    const same = (r: Stored) => ({ ...r, event_id: r.event_id.length === 36 && !r.event_id.startsWith("n-") ? "(generated)" : r.event_id, ts: isNow(r.ts) ? "(now)" : r.ts });
    viaJs.forEach((js, i) => {
      if ("code" in js) expect(rejections.get(i), `line ${i}: ${texts[i]}`).toEqual(js);
      else expect(same(byKey.get(key(js)) ?? ({ missing: texts[i] } as never)), `line ${i}: ${texts[i]}`).toEqual(same(js));
    });
    expect(result.rows).toBe(lines.length);
    expect(stored).toHaveLength(viaJs.filter((v) => !("code" in v)).length);
    expect(result.fast).toBeGreaterThan(lines.length / 2);
    console.log(`NDJSON corpus: ${lines.length} lines, ${stored.length} accepted, ${result.fast} passed by SQL, ${result.rows - result.fast} decided by checkRow`);
  });

  it("decide alike with --map: renamed keys, skipped keys, and two keys for one field", async () => {
    const map = ["account=tenant_id", "event=name", "internal=-", "ts=-", "when=ts"];
    const renamed = [...corpus.map(corpusLine), ...ndjsonOnly].map((l) => l.replace('"tenant_id":', '"account":').replace('"name":', '"event":').replace('"ts":', '"when":'));
    const lines = [
      ...renamed,
      '{"account":"acme","event":"m","internal":{"x":1},"event_id":"m-skip"}',
      '{"account":"acme","event":"m","ts":"2025-06-01T12:00:00Z","event_id":"m-ts-skipped"}',
      '{"account":"acme","tenant_id":"globex","event":"m","event_id":"m-two-tenants"}',
      '{"tenant_id":"acme","event":"m","event_id":"m-unmapped-tenant"}',
      '{"account":"acme","event":"m","name":"n","event_id":"m-two-names"}',
      '{"account":"acme","event":"m","__proto__":{"a":"b"},"event_id":"m-proto"}',
      '{"account":"ac\\"me","event":"m","event_id":"m-escaped-tenant"}',
    ];
    const spec = specFromFlags({ format: "ndjson", map });
    const file = path.join(dir, "corpus-mapped.ndjson");
    fs.writeFileSync(file, withBadBytes(Buffer.from(`${lines.join("\n")}\n`)));
    const texts = splitLines(fs.readFileSync(file)).map((l) => l.toString("utf8"));
    const check = ndjsonLineChecker(spec);
    const viaJs = texts.map((line, i) => {
      const writer = new RowWriter();
      return check(line, i, writer) ?? normalise(JSON.parse(writer.body(0).toString("utf8")));
    });
    const engine = getAnalytics();
    const reserved = reserveIngestSeq();
    const result = await importNdjson(engine, { source: { path: file, format: "ndjson" }, spec, firstIndex: 0, records: lines.length, token: "corpus-ndjson-map", reserved, progress: { inserting: false } }).finally(() => reserved.release());
    const stored = await queryRows<Stored>(engine, "SELECT tenant_id, name, ts, user_id, value, properties, event_id FROM enclave.events WHERE ingest_seq = {seq:UInt64}", { params: { seq: reserved.seq } });
    const key = (r: Stored) => r.properties.case ?? r.event_id;
    const byKey = new Map(stored.map((r) => [key(r), r]));
    const rejections = new Map(result.rejected.map((r) => [r.index, r]));
    const same = (r: Stored) => ({ ...r, event_id: r.event_id.length === 36 && !/^[nm]-/.test(r.event_id) ? "(generated)" : r.event_id, ts: isNow(r.ts) ? "(now)" : r.ts });
    viaJs.forEach((js, i) => {
      if ("code" in js) expect(rejections.get(i), `line ${i}: ${texts[i]}`).toEqual(js);
      else expect(same(byKey.get(key(js)) ?? ({ missing: texts[i] } as never)), `line ${i}: ${texts[i]}`).toEqual(same(js));
    });
    expect(stored).toHaveLength(viaJs.filter((v) => !("code" in v)).length);
    expect(result.fast).toBeGreaterThan(lines.length / 3);
    console.log(`NDJSON with --map: ${lines.length} lines, ${stored.length} accepted, ${result.fast} passed by SQL`);
  });
});
