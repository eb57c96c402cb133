import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeAnalytics, getAnalytics, queryRows } from "@/lib/analytics/engine";
import { importChunk } from "@/lib/import/import-chunk";
import { specFromFlags } from "@/lib/import/import-spec";
import { importFilePath, importsDir } from "@/lib/import/imports-dir";
import { migrateTestDatabase } from "@/lib/testing/test-db";
import { runImport } from "@/scripts/import/run-import";
import { localTarget, type ImportTarget } from "@/scripts/import/targets";

// The bulk import end to end, in this process (as the CLI runs when no server
// does): real engine, real ledger. Two tenants with look-alike ids, malformed
// rows reported by index and code with nothing else lost, re-runs that store
// nothing twice, NDJSON, CSV and a Parquet file the engine writes itself.

const dir = path.join(process.env.DATA_DIR!, "files");
let target: ImportTarget;

const count = async (where = "1") => Number((await queryRows<{ n: number }>(getAnalytics(), `SELECT count() AS n FROM enclave.events WHERE ${where}`))[0].n);
const readRejections = (file: string) => fs.readFileSync(file, "utf8").trim().split("\n").map((l) => JSON.parse(l) as { index: number; code: string; message: string });

beforeAll(async () => {
  migrateTestDatabase();
  fs.mkdirSync(dir, { recursive: true });
  target = await localTarget();
});
afterAll(async () => {
  await closeAnalytics();
});

describe("an NDJSON file", () => {
  const file = path.join(dir, "history.ndjson");
  const lines = [
    ...Array.from({ length: 30 }, (_, i) => JSON.stringify({ tenant_id: i % 3 === 0 ? "acme2" : "acme", name: "page_view", ts: `2025-03-0${1 + (i % 9)}T10:00:00Z`, event_id: `n${i}`, properties: { plan: { tier: "pro" } } })),
    "{not json", // 30: invalid_json
    JSON.stringify({ tenant_id: "acme", name: "x".repeat(201), event_id: "long" }), // 31: name too long
    JSON.stringify({ tenant_id: "acme!", name: "page_view", event_id: "badtenant" }), // 32: bad tenant id
    "",
    JSON.stringify({ tenant_id: "acme", name: "page_view", ts: "1999-12-31T23:59:59Z", event_id: "old" }), // 33: before 2000
    JSON.stringify({ tenant_id: "acme2", name: "signup", ts: 1740000000000, value: 9.5, event_id: "n-last" }),
  ];

  it("stores the valid rows per tenant and writes each rejection with its index and code", async () => {
    fs.writeFileSync(file, `${lines.join("\n")}\n`);
    const summary = await runImport({ file, spec: specFromFlags({ format: "ndjson" }), target });
    expect(summary).toMatchObject({ rows: 35, accepted: 31, rejected: 4, chunks: 1, chunks_already_imported: 0, rejections_file: `${file}.rejected.ndjson` });
    expect(readRejections(`${file}.rejected.ndjson`).map((r) => [r.index, r.code])).toEqual([[30, "invalid_json"], [31, "invalid_event"], [32, "invalid_event"], [33, "invalid_event"]]);
    expect(await count("tenant_id = 'acme'")).toBe(20);
    expect(await count("tenant_id = 'acme2'")).toBe(11);
    const stored = await queryRows<{ properties: Record<string, string>; value: number | null }>(getAnalytics(), "SELECT properties, value FROM enclave.events WHERE event_id IN ('n0', 'n-last') ORDER BY event_id");
    expect(stored).toEqual([{ properties: {}, value: 9.5 }, { properties: { "plan.tier": "pro" }, value: null }]);
  });

  it("a key named like an Object.prototype member is a row's problem, not the import's (with --map given)", async () => {
    const odd = path.join(dir, "odd-keys.ndjson");
    const rows = ['{"tenant_id":"acme","name":"page_view","event_id":"odd-ok"}', '{"tenant_id":"acme","name":"page_view","event_id":"odd-ctor","constructor":1}', '{"tenant_id":"acme","name":"page_view","event_id":"odd-tostring","toString":"x"}'];
    fs.writeFileSync(odd, `${rows.join("\n")}\n`);
    const summary = await runImport({ file: odd, spec: specFromFlags({ format: "ndjson", map: ["unused=-"] }), target });
    // Unknown top-level keys are refused by the ingest rules row by row; the import itself goes through.
    expect(summary).toMatchObject({ rows: 3, accepted: 1, rejected: 2 });
    expect(readRejections(`${odd}.rejected.ndjson`).map((r) => [r.index, r.code])).toEqual([[1, "invalid_event"], [2, "invalid_event"]]);
    expect(() => specFromFlags({ format: "csv", map: ["__proto__=name"] })).toThrow(/__proto__ cannot be mapped/);
    expect(specFromFlags({ format: "csv", map: ["constructor=name"] }).map).toEqual({ constructor: "name" });
  });

  it("stores nothing twice when the same file is imported again", async () => {
    const before = await count();
    const again = await runImport({ file, spec: specFromFlags({ format: "ndjson" }), target });
    expect(again).toMatchObject({ rows: 35, accepted: 31, rejected: 4, chunks_already_imported: 1 });
    expect(await count()).toBe(before);
    expect(readRejections(`${file}.rejected.ndjson`)).toHaveLength(4);
  });

  it("refuses a re-run with another mapping instead of storing the file differently", async () => {
    await expect(runImport({ file, spec: specFromFlags({ format: "ndjson", map: ["name=-"] }), target })).rejects.toThrow(/another format or mapping/);
  });
});

describe("a CSV file", () => {
  const file = path.join(dir, "export.csv");
  const rows = [
    "account,event,ts,user,amount,id,page,ignored",
    ...Array.from({ length: 20 }, (_, i) => `${i % 2 ? "acme" : "acme2"},purchase,2025-04-0${1 + (i % 9)}T08:00:00Z,u${i},${i}.5,c${i},"/p/${i}, with comma",x`),
    'acme,"multi\nline name",2025-04-01T08:00:00+02:00,u,1,c-offset,/p,x', // 20: accepted by checkRow (a name with a line break, an offset time)
    "acme,purchase,2025-04-01T08:00:00Z,u,not-a-number,c-nan,/p,x", // 21: value not a number
    ",purchase,2025-04-01T08:00:00Z,u,1,c-notenant,/p,x", // 22: no tenant
    "acme,purchase,yesterday,u,1,c-badts,/p,x", // 23: bad time
  ];
  const spec = () => specFromFlags({ format: "csv", tenantColumn: "account", map: ["event=name", "user=user_id", "amount=value", "id=event_id", "page=properties.page", "ignored=-"] });

  it("is parsed by the engine, checked by the same rules, and rejections carry the row's index", async () => {
    fs.writeFileSync(file, `${rows.join("\n")}\n`);
    const summary = await runImport({ file, spec: spec(), target });
    expect(summary).toMatchObject({ rows: 24, accepted: 21, rejected: 3, fast: 20 });
    expect(readRejections(`${file}.rejected.ndjson`).map((r) => [r.index, r.code])).toEqual([[21, "invalid_event"], [22, "invalid_event"], [23, "invalid_event"]]);
    const stored = await queryRows<{ name: string; ts: string; value: number; properties: Record<string, string> }>(getAnalytics(), "SELECT name, ts, value, properties FROM enclave.events WHERE event_id IN ('c3', 'c-offset') ORDER BY event_id");
    expect(stored).toEqual([
      { name: "multi\nline name", ts: "2025-04-01 06:00:00.000", value: 1, properties: { page: "/p" } },
      { name: "purchase", ts: "2025-04-04 08:00:00.000", value: 3.5, properties: { page: "/p/3, with comma" } },
    ]);
    expect(await count("event_id LIKE 'c%' AND tenant_id = 'acme'")).toBe(11);
    expect(await count("event_id LIKE 'c%' AND tenant_id = 'acme2'")).toBe(10);
  });

  it("stores nothing twice on a re-run", async () => {
    const before = await count();
    expect(await runImport({ file, spec: spec(), target })).toMatchObject({ accepted: 21, chunks_already_imported: 1 });
    expect(await count()).toBe(before);
  });

  it("refuses a column that is not mapped, before storing anything", async () => {
    const other = path.join(dir, "unmapped.csv");
    fs.writeFileSync(other, "tenant_id,name,colour\nacme,click,red\n");
    const before = await count();
    await expect(runImport({ file: other, spec: specFromFlags({ format: "csv" }), target })).rejects.toThrow(/"colour"/);
    expect(await count()).toBe(before);
    // Fixed mapping, same file: the failed attempt left no claim behind.
    expect(await runImport({ file: other, spec: specFromFlags({ format: "csv", map: ["colour=properties.colour"] }), target })).toMatchObject({ accepted: 1 });
  });
});

describe("a Parquet file", () => {
  const file = path.join(dir, "made.parquet");
  it("is read by the engine, typed columns included, and stored once", async () => {
    await getAnalytics().withConnection((c) =>
      c.command({
        query: `INSERT INTO FUNCTION file('${file}', Parquet) SELECT if(number % 2 = 0, 'acme', 'acme2') AS tenant_id, 'pq_event' AS name, toDateTime64('2025-05-01 00:00:00', 3, 'UTC') + INTERVAL number MINUTE AS ts, toFloat64(number) / 4 AS value, concat('pq', toString(number)) AS event_id, if(number = 7, 'bad tenant', 'ok') AS check FROM numbers(40)`,
      }),
    );
    const spec = specFromFlags({ format: "parquet", map: ["check=properties.check"] });
    const summary = await runImport({ file, spec, target });
    expect(summary).toMatchObject({ rows: 40, accepted: 40, rejected: 0, fast: 40 });
    expect(await count("name = 'pq_event' AND tenant_id = 'acme'")).toBe(20);
    const [r] = await queryRows<{ ts: string; value: number }>(getAnalytics(), "SELECT ts, value FROM enclave.events WHERE event_id = 'pq5'");
    expect(r).toEqual({ ts: "2025-05-01 00:05:00.000", value: 1.25 });
    expect(await runImport({ file, spec, target })).toMatchObject({ accepted: 40, chunks_already_imported: 1 });
    expect(await count("name = 'pq_event'")).toBe(40);
  });
});

describe("the server reads only DATA_DIR/imports", () => {
  const hash = "a".repeat(64);
  const request = { file_hash: hash, chunk: 0, first_index: 0, spec: specFromFlags({ format: "parquet" }), rows: [0, 10] as [number, number] };

  it("refuses a name that is not an import file's", () => {
    for (const name of ["../secrets.json", "/etc/passwd", `${hash}.parquet/../../x`, `../${hash}.parquet`, `${hash}.txt`]) {
      expect(() => importFilePath(name, { mustExist: true }), name).toThrow(/not an import file name/);
    }
  });

  it("refuses a symlink that leads out of the directory", async () => {
    const outside = path.join(dir, "outside.parquet");
    fs.copyFileSync(path.join(dir, "made.parquet"), outside);
    fs.symlinkSync(outside, path.join(importsDir(), `${hash}.parquet`));
    await expect(importChunk(getAnalytics(), request, { kind: "none" })).rejects.toThrow(/not a regular file inside DATA_DIR\/imports/);
  });
});
