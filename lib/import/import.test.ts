import fs from "node:fs";
import path from "node:path";
import { spawn } from "node:child_process";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeAnalytics, getAnalytics, queryRows } from "@/lib/analytics/engine";
import { ingestEvents, insertEventRows } from "@/lib/analytics/ingest";
import { DEDUP_WINDOW } from "@/lib/analytics/schema";
import { getDb } from "@/lib/db";
import { importChunk } from "@/lib/import/import-chunk";
import { specFromFlags, specHash } from "@/lib/import/import-spec";
import { importFilePath, importsDir } from "@/lib/import/imports-dir";
import { migrateTestDatabase } from "@/lib/testing/test-db";
import { runImport, sha256File } from "@/scripts/import/run-import";
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

describe("a CSV file with quotes as text", () => {
  // A quote inside an unquoted field (`5" screen`) is text to the engine; the
  // CLI once read it as opening a quoted field and cut chunks elsewhere than
  // the engine ends records, so a chunk's fields shifted between rows.
  it("is cut where the engine ends records: every row keeps its own tenant and fields", async () => {
    const file = path.join(dir, "inches.csv");
    fs.writeFileSync(file, 'tenant_id,name,event_id,properties.size\nacme,q_view,q1,5" screen\nglobex,q_view,q2,"a\nb"\nacme,q_view,q3,y"z\nacme,q_view,q4,w\n');
    const summary = await runImport({ file, spec: specFromFlags({ format: "csv", chunkRows: 2 }), target });
    expect(summary).toMatchObject({ rows: 4, accepted: 4, rejected: 0, chunks: 2 });
    const stored = await queryRows<{ tenant_id: string; event_id: string; size: string }>(getAnalytics(), "SELECT tenant_id, event_id, properties['size'] AS size FROM enclave.events WHERE name = 'q_view' ORDER BY event_id");
    expect(stored).toEqual([
      { tenant_id: "acme", event_id: "q1", size: '5" screen' },
      { tenant_id: "globex", event_id: "q2", size: "a\nb" },
      { tenant_id: "acme", event_id: "q3", size: 'y"z' },
      { tenant_id: "acme", event_id: "q4", size: "w" },
    ]);
  });

  it("is parsed on one thread when it is larger than the engine's parallel pieces (which read such quotes wrongly)", async () => {
    // Over 10 MiB (the engine's min_chunk_bytes_for_parallel_parsing): in parallel it would read 2 rows too many here.
    const file = path.join(dir, "inches-large.csv");
    const lines = ["tenant_id,name,event_id,properties.note", 'acme,big_q,b-first,12" pizza'];
    for (let i = 0; i < 160_000; i++) lines.push(i % 1000 === 0 ? `acme2,big_q,b${i},"two\nlines ${i}"` : `acme2,big_q,b${i},plain note number ${i} with some padding to make it long`);
    fs.writeFileSync(file, `${lines.join("\n")}\n`);
    expect(fs.statSync(file).size).toBeGreaterThan(10 * 1024 * 1024);
    const summary = await runImport({ file, spec: specFromFlags({ format: "csv" }), target });
    expect(summary).toMatchObject({ rows: 160_001, accepted: 160_001, rejected: 0 });
    const [r] = await queryRows<{ n: number; ids: number; multi: number; first: string }>(
      getAnalytics(),
      "SELECT count() AS n, uniqExact(event_id) AS ids, countIf(properties['note'] LIKE 'two\nlines %') AS multi, anyIf(properties['note'], event_id = 'b-first') AS first FROM enclave.events WHERE name = 'big_q'",
    );
    expect({ n: Number(r.n), ids: Number(r.ids), multi: Number(r.multi), first: r.first }).toEqual({ n: 160_001, ids: 160_001, multi: 160, first: '12" pizza' });
  }, 120_000);

  it("is refused whole, before anything is stored, when the counts of its records disagree", async () => {
    const before = await count();
    const spec = specFromFlags({ format: "csv" });
    const chunk = (body: string, records: number, hash: string) => importChunk(getAnalytics(), { file_hash: hash, chunk: 0, first_index: 0, spec, records }, { kind: "stream", stream: Readable.from([Buffer.from(body)]) });
    // The body does not hold what the CLI said it cut.
    await expect(chunk("tenant_id,name\nacme,x1\nacme,x2\n", 3, "b".repeat(64))).rejects.toThrow(/holds 2 records by the server's count, not the 3/);
    // A blank line sent inside a chunk: the engine reads a row of nulls there, where the import counts no record.
    await expect(chunk("tenant_id,name\nacme,x1\n\nacme,x2\n", 2, "c".repeat(64))).rejects.toThrow(/engine reads 3 rows .* where the import cut 2 records/);
    expect(await count()).toBe(before);
    // The refused chunk left no claim: sent right, it is stored.
    expect(await chunk("tenant_id,name\nacme,x1\nacme,x2\n", 2, "c".repeat(64))).toMatchObject({ rows: 2, accepted: 2 });
  });
});

describe("two runs of the same crashed chunk at once", () => {
  it("one imports it, the other is refused with 409: its rows are stored once", async () => {
    const hash = "f".repeat(64);
    const spec = specFromFlags({ format: "ndjson" });
    // The crash: a claim without an outcome, and one of its rows stored under its number.
    await getDb().importChunk.create({ data: { fileHash: hash, chunk: 0, specHash: specHash(spec), seq: BigInt(12345) } });
    await insertEventRows(getAnalytics(), [{ tenant_id: "acme", event_id: "twice-0", ts: "2025-05-01 00:00:00.000", name: "twice", user_id: null, value: null, properties: {} }], undefined, { seq: 12345, release: () => {} });
    const body = () => ({ kind: "stream" as const, stream: Readable.from([Buffer.from(`${Array.from({ length: 5 }, (_, i) => JSON.stringify({ tenant_id: "acme", name: "twice", event_id: `twice-${i}` })).join("\n")}\n`)]) });
    const request = { file_hash: hash, chunk: 0, first_index: 0, spec, records: 5 };
    const results = await Promise.allSettled([importChunk(getAnalytics(), request, body()), importChunk(getAnalytics(), request, body())]);
    expect(results.map((r) => r.status).sort()).toEqual(["fulfilled", "rejected"]);
    expect(String((results.find((r) => r.status === "rejected") as PromiseRejectedResult).reason)).toMatch(/being imported right now/);
    const [r] = await queryRows<{ n: number; ids: number }>(getAnalytics(), "SELECT count() AS n, uniqExact(event_id) AS ids FROM enclave.events WHERE name = 'twice'");
    expect({ n: Number(r.n), ids: Number(r.ids) }).toEqual({ n: 5, ids: 5 });
  });

  it("another process importing the chunk holds it too (a lock file with its pid); a dead process's lock is taken over", async () => {
    const hash = "7".repeat(64);
    const request = { file_hash: hash, chunk: 0, first_index: 0, spec: specFromFlags({ format: "ndjson" }), records: 1 };
    const body = () => ({ kind: "stream" as const, stream: Readable.from([Buffer.from('{"tenant_id":"acme","name":"locked","event_id":"l0"}\n')]) });
    const lock = path.join(importsDir(), `${hash}-0.lock`);
    const other = spawn("sleep", ["30"]);
    try {
      fs.mkdirSync(path.dirname(lock), { recursive: true });
      fs.writeFileSync(lock, String(other.pid));
      // The refusal names the process and the lock file: a pid reused after a crash can be cleared by hand.
      await expect(importChunk(getAnalytics(), request, body())).rejects.toThrow(new RegExp(`being imported right now by another run \\(process ${other.pid}, lock file ${lock.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\).*delete the lock file`));
    } finally {
      other.kill();
    }
    await new Promise((resolve) => other.once("exit", resolve));
    // Its process is gone: the lock is stale.
    expect(await importChunk(getAnalytics(), request, body())).toMatchObject({ accepted: 1 });
    expect(fs.existsSync(lock)).toBe(false);
  });
});

describe("a run stopped by the file while a chunk is in flight", () => {
  it("reports the chunk's failure first (the chunks before it are not all imported)", async () => {
    const file = path.join(dir, "unclosed-and-failing.csv");
    fs.writeFileSync(file, 'tenant_id,name\nacme,a\nacme,b\nacme,"c\n');
    const failing: ImportTarget = { ...target, send: () => new Promise((_, reject) => setTimeout(() => reject(new Error("the server went away")), 200)) };
    await expect(runImport({ file, spec: specFromFlags({ format: "csv", chunkRows: 2 }), target: failing })).rejects.toThrow(/the server went away/);
  });
});

describe("a CSV whose last quoted field is never closed", () => {
  it("is refused with the row it opens in (the engine would read the rest of the file into that field)", async () => {
    const file = path.join(dir, "unclosed.csv");
    fs.writeFileSync(file, 'tenant_id,name,event_id\nacme,unclosed_ok,u0\nacme,unclosed_ok,u1\nacme,"x,u2\nacme,y,u3\nacme,z,u4\n');
    await expect(runImport({ file, spec: specFromFlags({ format: "csv", chunkRows: 2 }), target })).rejects.toThrow(/never closed: it opens in data row 2/);
    expect(await count("name = 'unclosed_ok'")).toBe(2); // the chunk before it
    const request = { file_hash: "9".repeat(64), chunk: 0, first_index: 0, spec: specFromFlags({ format: "csv" }), records: 1 };
    await expect(importChunk(getAnalytics(), request, { kind: "stream", stream: Readable.from([Buffer.from('tenant_id,name\nacme,"x\nacme,y\n')]) })).rejects.toThrow(/never closed/);
  });
});

describe("a chunk cut off by a crash", () => {
  it("is stored once when the import runs again long after (the engine's deduplication has forgotten it)", async () => {
    const file = path.join(dir, "crashed.csv");
    fs.writeFileSync(file, `tenant_id,name,event_id\n${Array.from({ length: 10 }, (_, i) => `${i % 2 ? "acme" : "acme2"},late_rerun,l${i}`).join("\n")}\n`);
    const spec = specFromFlags({ format: "csv" });
    const first = await runImport({ file, spec, target });
    expect(first).toMatchObject({ rows: 10, accepted: 10 });
    // The crash: the rows reached the engine, the outcome never reached the ledger.
    await getDb().importChunk.updateMany({ where: { fileHash: first.file_hash }, data: { doneAt: null } });
    // Then more inserts than the engine's deduplication window remembers.
    for (let i = 0; i <= DEDUP_WINDOW; i++) await ingestEvents(getAnalytics(), [{ tenant_id: "acme", name: "late_filler", event_id: `f${i}` }]);
    const again = await runImport({ file, spec, target });
    expect(again).toMatchObject({ rows: 10, accepted: 10, chunks_already_imported: 0 });
    const [r] = await queryRows<{ n: number; ids: number }>(getAnalytics(), "SELECT count() AS n, uniqExact(event_id) AS ids FROM enclave.events WHERE name = 'late_rerun'");
    expect({ n: Number(r.n), ids: Number(r.ids) }).toEqual({ n: 10, ids: 10 });
    expect(await runImport({ file, spec, target })).toMatchObject({ chunks_already_imported: 1 });
  }, 300_000);
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

  it("with many row groups and chunks across them, stores each row once and names each bad row by its index (the insert reads out of order)", async () => {
    const many = path.join(dir, "groups.parquet");
    await getAnalytics().withConnection((c) =>
      c.command({
        query: `INSERT INTO FUNCTION file('${many}', Parquet) SELECT if(number % 97 = 13, 'bad tenant', concat('rg', toString(number % 3))) AS tenant_id, 'rg_event' AS name, concat('rg-', toString(number)) AS event_id FROM numbers(30000) SETTINGS output_format_parquet_row_group_size = 997`,
      }),
    );
    const summary = await runImport({ file: many, spec: specFromFlags({ format: "parquet", chunkRows: 7_000 }), target });
    const bad = Array.from({ length: 30000 }, (_, i) => i).filter((i) => i % 97 === 13);
    expect(summary).toMatchObject({ rows: 30000, accepted: 30000 - bad.length, rejected: bad.length, chunks: 5 });
    const [r] = await queryRows<{ n: number; ids: number }>(getAnalytics(), "SELECT count() AS n, uniqExact(event_id) AS ids FROM enclave.events WHERE name = 'rg_event'");
    expect({ n: Number(r.n), ids: Number(r.ids) }).toEqual({ n: 30000 - bad.length, ids: 30000 - bad.length });
    const rejected = fs.readFileSync(summary.rejections_file!, "utf8").trim().split("\n").map((l) => (JSON.parse(l) as { index: number }).index);
    expect(rejected).toEqual(bad);
  });

  it("of more than 16 chunks is read from a staging table: the same rows, values and rejections as row ranges of the file; the table and the upload go when done", async () => {
    // Rows for the SQL fast path, rows only checkRow takes (a time with an offset) and rows it refuses (a bad tenant id).
    const make = (file: string, run: string) =>
      getAnalytics().withConnection((c) =>
        c.command({
          query: `INSERT INTO FUNCTION file('${file}', Parquet) SELECT if(number % 97 = 13, 'bad tenant', concat('st', toString(number % 3))) AS tenant_id, 'st_event' AS name, if(number % 50 = 7, '2025-06-01T12:00:00+02:00', toString(1748779200000 + number * 1000)) AS ts, number / 4 AS value, concat('st-', toString(number)) AS event_id, if(number % 5 = 0, NULL, concat('/p/', toString(number % 11))) AS page, '${run}' AS run FROM numbers(30000) SETTINGS output_format_parquet_row_group_size = 997`,
        }),
      );
    const ranges = path.join(dir, "ranges.parquet");
    const staged = path.join(dir, "staged.parquet");
    await make(ranges, "ranges");
    await make(staged, "staged");
    const map = ["page=properties.page", "run=properties.run"];
    const rangesSpec = specFromFlags({ format: "parquet", map, chunkRows: 7_000 }); // 5 chunks: row ranges of the file
    const stagedSpec = specFromFlags({ format: "parquet", map, chunkRows: 1_500 }); // 20 chunks: the staging table
    const stagedHash = await sha256File(staged);
    const stageTable = `p_${stagedHash}_${specHash(stagedSpec).slice(0, 16)}`;
    const stageTables = async () => (await queryRows<{ name: string }>(getAnalytics(), "SELECT name FROM system.tables WHERE database = 'enclave_imports'")).map((t) => t.name);
    // A crash while the table was being filled leaves it under its temporary name: it is made again, not used.
    await getAnalytics().withConnection(async (c) => {
      await c.command({ query: "CREATE DATABASE IF NOT EXISTS enclave_imports" });
      await c.command({ query: `CREATE TABLE enclave_imports.${stageTable}_filling (x UInt8) ENGINE = MergeTree ORDER BY x` });
    });
    const seen: string[][] = [];
    const watching: ImportTarget = { ...target, send: async (req, body) => (await target.send(req, body).finally(async () => seen.push(await stageTables()))) };

    const a = await runImport({ file: ranges, spec: rangesSpec, target: watching });
    expect(seen.flat().filter((t) => t.includes(stageTable.slice(0, 40)) && !t.endsWith("_filling"))).toEqual([]);
    seen.length = 0;
    const b = await runImport({ file: staged, spec: stagedSpec, target: watching });
    expect(seen.slice(0, -1).every((tables) => tables.includes(stageTable))).toBe(true); // read from the table while chunks remained
    expect(await stageTables()).not.toContain(stageTable);
    expect(await stageTables()).not.toContain(`${stageTable}_filling`);
    // Dropped with SYNC: the engine keeps no files of them (a plain DROP would, for minutes and across restarts).
    expect(await queryRows(getAnalytics(), "SELECT table FROM system.dropped_tables WHERE database = 'enclave_imports'")).toEqual([]);
    expect(fs.existsSync(importFilePath(`${stagedHash}.parquet`, { mustExist: false }))).toBe(false);

    const bad = Array.from({ length: 30000 }, (_, i) => i).filter((i) => i % 97 === 13);
    for (const [summary, chunks] of [[a, 5], [b, 20]] as const) {
      expect(summary).toMatchObject({ rows: 30000, accepted: 30000 - bad.length, rejected: bad.length, chunks });
      expect(summary.fast).toBeLessThan(30000 - bad.length); // the offset times went through checkRow
      expect(readRejections(summary.rejections_file!).map((r) => r.index)).toEqual(bad);
    }
    const stored = (run: string) =>
      queryRows(getAnalytics(), `SELECT tenant_id, event_id, ts, name, user_id, value, mapFilter((k, v) -> k != 'run', properties) AS props FROM enclave.events WHERE name = 'st_event' AND properties['run'] = {run:String} ORDER BY event_id`, { params: { run } });
    const fromRanges = await stored("ranges");
    expect(fromRanges).toHaveLength(30000 - bad.length);
    expect(await stored("staged")).toEqual(fromRanges);
    // A re-run stores nothing twice and needs neither the upload nor the table.
    expect(await runImport({ file: staged, spec: stagedSpec, target })).toMatchObject({ accepted: 30000 - bad.length, chunks_already_imported: 20 });
    expect(await count("name = 'st_event'")).toBe(2 * (30000 - bad.length));
  });
});

describe("with CLICKHOUSE_URL (a ClickHouse server)", () => {
  it("refuses CSV and Parquet before anything is claimed: the server's engine cannot read this server's files", async () => {
    const remote = { ...getAnalytics(), kind: "server" as const };
    const hash = "d".repeat(64);
    const csv = { file_hash: hash, chunk: 0, first_index: 0, spec: specFromFlags({ format: "csv" }), records: 1 };
    await expect(importChunk(remote, csv, { kind: "stream", stream: Readable.from([Buffer.from("tenant_id,name\nacme,x\n")]) })).rejects.toThrow(/CLICKHOUSE_URL set, the ClickHouse server cannot read this server's files.*Convert it to NDJSON/);
    await expect(importChunk(remote, { ...csv, spec: specFromFlags({ format: "parquet" }), rows: [0, 1] }, { kind: "none" })).rejects.toThrow(/A PARQUET file is imported by the embedded engine/);
    expect(await getDb().importChunk.count({ where: { fileHash: hash } })).toBe(0);
  });

  it("imports NDJSON with every line checked in JavaScript (the server's engine cannot read the chunk file)", async () => {
    const remote = { ...getAnalytics(), kind: "server" as const };
    const lines = ['{"tenant_id":"acme","name":"remote_nd","event_id":"r1"}', '{"tenant_id":"acme2","name":"remote_nd","event_id":"r2","properties":{"a":{"b":"c"}}}', "{bad", '{"tenant_id":"acme",\r"name":"remote_nd","event_id":"r3"}'];
    const request = { file_hash: "e".repeat(64), chunk: 0, first_index: 0, spec: specFromFlags({ format: "ndjson" }), records: 4 };
    const outcome = await importChunk(remote, request, { kind: "stream", stream: Readable.from([Buffer.from(`${lines.join("\n")}\n`)]) });
    expect(outcome).toMatchObject({ rows: 4, accepted: 3, rejected: 1, fast: 0, rejections: [{ index: 2, code: "invalid_json" }] });
    expect(await count("name = 'remote_nd'")).toBe(3);
  });
});

describe("a Parquet chunk's rows", () => {
  it("must be its own range of the file: another range under its number is refused", async () => {
    const spec = specFromFlags({ format: "parquet", chunkRows: 10 });
    const base = { file_hash: "8".repeat(64), first_index: 0, spec };
    for (const [chunk, rows] of [[1, [0, 10]], [0, [0, 11]], [0, [5, 5]], [2, [20, 31]]] as [number, [number, number]][]) {
      await expect(importChunk(getAnalytics(), { ...base, chunk, rows }, { kind: "none" }), JSON.stringify({ chunk, rows })).rejects.toThrow(/Parquet chunk \d+ is rows/);
    }
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
