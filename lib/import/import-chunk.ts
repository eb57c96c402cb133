import "server-only";
import { recordAudit } from "@/lib/audit";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { Readable } from "node:stream";
import type { AnalyticsEngine } from "@/lib/analytics/engine";
import { deleteInsertedRows, insertRowBatch, reserveIngestSeq, type IngestSeq } from "@/lib/analytics/ingest";
import { getDb } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { specHash, type ChunkOutcome, type ChunkRequest } from "@/lib/import/import-spec";
import { importFilePath, importsDir, removeImportFile, removeParquetUploads, writeImportFile } from "@/lib/import/imports-dir";
import { RecordCounter } from "@/lib/import/records";
import { claimChunk, dropClaim, finishChunk, ledgerOf, moveClaim } from "@/lib/import/ledger";
import { checkNdjsonFile } from "@/lib/import/ndjson-chunk";
import { assertEngineReadsFiles, countFileRows, dropImportStages, dropStage, importNdjson, importTabular } from "@/lib/import/tabular-chunk";
import { retireRollups, rollupsChanged } from "@/lib/rollups/build";

// One chunk of a bulk import, start to finish: claim it in the ledger (or
// answer from the ledger when it is done), check and insert its rows, record
// the outcome. The CLI sends chunks one after another (scripts/import/).

export type ChunkBody =
  | { kind: "stream"; stream: ReadableStream<Uint8Array> | Readable } // a CSV or NDJSON chunk, streamed to DATA_DIR/imports
  | { kind: "none" }; // Parquet: the file is in DATA_DIR/imports already

/** Per attempt: a chunk inserted again after a crash must not be dropped as a copy of rows deleted since. */
function dedupToken(fileHash: string, chunk: number, seq: number): string {
  return `${crypto.createHash("sha256").update(`import\n${fileHash}\n${chunk}`).digest("hex")}:${seq}`;
}

export async function importChunk(engine: AnalyticsEngine, request: ChunkRequest, body: ChunkBody): Promise<ChunkOutcome> {
  const { file_hash: fileHash, chunk, spec } = request;
  const expected = spec.format === "parquet" ? "none" : "stream";
  if (body.kind !== expected) throw new AppError("bad_request", `A ${spec.format} chunk is sent ${expected === "none" ? "without a body (upload the file first)" : "as the request body"}.`);
  if (spec.format === "parquet") {
    const [start, end] = request.rows ?? [-1, -1];
    // Chunk n is rows [n × chunk_rows, …): another range under its number would store rows twice.
    if (start !== chunk * spec.chunk_rows || end <= start || end - start > spec.chunk_rows) throw new AppError("bad_request", `Parquet chunk ${chunk} is rows [${chunk * spec.chunk_rows}, at most ${(chunk + 1) * spec.chunk_rows}) of the uploaded file.`);
  }
  if (spec.format !== "ndjson") assertEngineReadsFiles(engine, spec.format);
  if (spec.format !== "parquet" && request.records === undefined) throw new AppError("bad_request", `A ${spec.format.toUpperCase()} chunk states how many records it holds (\`records\`); \`npm run enclave -- import\` does.`);

  // One attempt per chunk at a time, across processes sharing this DATA_DIR (its ledger), e.g. two CLIs with CLICKHOUSE_URL.
  const lock = lockChunk(fileHash, chunk);
  if ("heldBy" in lock) {
    if (body.kind === "stream" && "cancel" in body.stream) await body.stream.cancel().catch(() => {});
    throw new AppError(
      "conflict",
      `Chunk ${chunk} of this file is being imported right now by another run (process ${lock.heldBy}, lock file ${lock.file}): let it finish, then run the import again (it skips what is done). If no import is running, that process id belongs to another program now: delete the lock file and run the import again.`,
    );
  }
  const reserved = reserveIngestSeq();
  let rollupsRetired = false;
  try {
    const claim = await claimChunk({ fileHash, chunk, specHash: specHash(spec), seq: reserved.seq });
    if ("done" in claim) {
      if (body.kind === "stream" && "cancel" in body.stream) await body.stream.cancel().catch(() => {});
      // A run cut off between a file's last chunk and its clean-up (or a second upload) leaves the upload: removed now.
      if (spec.format === "parquet") await afterParquetChunk(engine, fileHash, spec);
      return claim.done;
    }
    if (claim.seq !== reserved.seq) {
      // Claimed before and not finished: cut off by a crash. What of it reached the engine goes first
      // (rollups that counted it stop being used, and are built again after); then the claim takes this attempt's number.
      await deleteInsertedRows(engine, claim.seq, async () => {
        if ((await getDb().rollup.count()) === 0) return;
        await retireRollups();
        rollupsRetired = true;
      });
      await moveClaim(fileHash, chunk, reserved.seq);
    }
    const progress = { inserting: false };
    let outcome: ChunkOutcome;
    try {
      outcome = await insertChunk(engine, request, body, { token: dedupToken(fileHash, chunk, reserved.seq), reserved, progress });
    } catch (err) {
      // Nothing reached the engine: a corrected re-run (another --map) must not find this claim. Otherwise keep it: the re-run deletes what landed.
      if (!progress.inserting) await dropClaim(fileHash, chunk);
      throw err;
    }
    await finishChunk(fileHash, outcome);
    if (spec.format === "parquet") await afterParquetChunk(engine, fileHash, spec);
    // Imports write any tenant's events: each stored chunk is in the audit log (counts, not rows).
    await recordAudit({ actor: "operator", action: "events.import", target: fileHash, meta: { chunk, format: spec.format, rows: outcome.rows, accepted: outcome.accepted, rejected: outcome.rejected } });
    return outcome;
  } finally {
    reserved.release();
    lock.release();
    if (rollupsRetired) rollupsChanged();
  }
}

/**
 * DATA_DIR/imports/<sha256>-<chunk>.lock, created exclusively and holding the
 * pid: another attempt at the chunk, in this process or another one alive,
 * finds it and is refused. A lock whose process is gone (a crash) is taken over.
 */
function lockChunk(fileHash: string, chunk: number): { release(): void } | { heldBy: number; file: string } {
  const file = path.join(importsDir(), `${fileHash}-${chunk}.lock`);
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  let owner = 0;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: "wx", mode: 0o600 });
      return { release: () => fs.rmSync(file, { force: true }) };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    owner = Number(fs.readFileSync(file, "utf8"));
    if (Number.isInteger(owner) && owner > 0 && processAlive(owner)) return { heldBy: owner, file };
    fs.rmSync(file, { force: true }); // left by a process that is gone
  }
  // Taken again between our removal and our write: another attempt won it.
  return { heldBy: owner, file };
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** NDJSON with a ClickHouse server: every line checked here (its engine cannot read DATA_DIR/imports), then one insert. */
async function importNdjsonInJs(engine: AnalyticsEngine, options: { source: { path: string }; spec: ChunkRequest["spec"]; firstIndex: number; token: string; reserved: IngestSeq; progress: { inserting: boolean } }) {
  const checked = await checkNdjsonFile(options.source.path, options.firstIndex, options.spec);
  options.progress.inserting = true;
  await insertRowBatch(engine, checked.writer, `${options.token}:js`, options.reserved);
  return { rows: checked.rows, fast: 0, accepted: checked.writer.rows, rejected: checked.rejected };
}

/**
 * A Parquet file of more chunks than this is read from a staging table
 * (lib/query/import-source.ts, `stageQueries`); a smaller one as row ranges of
 * the file, where chunk n decodes the file up to its end, so k chunks decode
 * it (k + 1) / 2 times. Measured (bench/import.ts's file, 250,000-row chunks,
 * 2 cores): 8 chunks import in 5.6–6.0 s as ranges and 6.5–9.1 s staged; 16
 * in 12.3–15.1 s and 12.8–14.7 s; 32 in 29–32 s and 24–27 s.
 */
const STAGE_ABOVE_CHUNKS = 16;

const parquetChunks = (rows: number, chunkRows: number) => Math.ceil(rows / chunkRows);

/** When every chunk of a Parquet file is imported, its upload and staging table go (a re-run answers from the ledger). */
async function afterParquetChunk(engine: AnalyticsEngine, fileHash: string, spec: ChunkRequest["spec"]): Promise<void> {
  try {
    const upload = importFilePath(`${fileHash}.parquet`, { mustExist: false });
    if (!fs.existsSync(upload)) return; // another run finished the file
    const chunks = parquetChunks(await countFileRows(engine, { path: upload, format: "parquet" }), spec.chunk_rows);
    const mine = specHash(spec);
    const done = (await ledgerOf(fileHash)).filter((c) => c.done && c.specHash === mine).length;
    if (done < chunks) return;
    await dropStage(engine, { fileHash, specHash: mine });
    removeImportFile(upload);
  } catch (err) {
    // The chunk is stored and recorded; what is left on disk is only space, and a re-run answers from the ledger.
    console.error(`import ${fileHash.slice(0, 12)}: the finished file's upload or staging table could not be removed: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/**
 * An erasure must leave no copy of the erased rows: every Parquet import's
 * staging table is dropped and every Parquet upload removed (both hold rows of
 * all the file's tenants). An import still under way stops at its next chunk
 * (its upload is gone, or its table was dropped while read) and continues from
 * where it stopped when run again. Not in the engine's turn: an erasure does
 * not wait behind queued chunks (a DROP … SYNC waits only for a query reading
 * the table).
 */
export async function forgetImportCopies(engine: AnalyticsEngine): Promise<void> {
  await dropImportStages(engine);
  removeParquetUploads();
}

/**
 * The engine's part of a chunk (count, INSERT … SELECT, leftovers), one chunk
 * at a time in this process. One insert already keeps every core busy; two at
 * once only share them, and both finish late. In turn, the next chunk's body
 * is received while this one inserts, and starts the moment this one is done
 * (bench/import.ts, NDJSON: gaps of ~350 ms between pairs of chunks are gone).
 */
// On globalThis: Next may load this module once per route bundle, and the turn is the process's.
const shared = globalThis as unknown as { enclaveImportTurn?: Promise<unknown> };
function inEngineTurn<T>(fn: () => Promise<T>): Promise<T> {
  const mine = (shared.enclaveImportTurn ?? Promise.resolve()).then(fn, fn);
  shared.enclaveImportTurn = mine.catch(() => {});
  return mine;
}

async function insertChunk(engine: AnalyticsEngine, request: ChunkRequest, body: ChunkBody, run: { token: string; reserved: IngestSeq; progress: { inserting: boolean } }): Promise<ChunkOutcome> {
  const { file_hash: fileHash, chunk, spec } = request;
  // A CSV or NDJSON chunk's records are counted as it is written (lib/import/records.ts): the CLI's count, ours and the engine's must agree.
  const counter = body.kind === "stream" && spec.format !== "parquet" ? new RecordCounter(spec.format) : undefined;
  const path = body.kind === "stream" ? await writeImportFile(`${fileHash}-${chunk}.${spec.format}`, body.stream, undefined, (bytes) => counter?.push(bytes)) : importFilePath(`${fileHash}.parquet`, { mustExist: true });
  try {
    const scanned = counter?.finish();
    if (scanned?.unclosedQuote) throw new AppError("bad_request", `This CSV chunk (rows from ${request.first_index}) ends inside a quoted field that is never closed: the engine would read the rest of the file into it. Close the quote (a quote inside a quoted field is written ""); nothing of this chunk was stored.`);
    if (scanned && scanned.records !== request.records) {
      throw new AppError("bad_request", `This ${spec.format.toUpperCase()} chunk holds ${scanned.records} records by the server's count, not the ${request.records ?? "(unstated)"} the import sent: the body changed on the way or the CLI is of another version. Nothing of it was stored; run the import again with this version's CLI.`);
    }
    const source = { path, format: spec.format, rows: request.rows, oneThread: (scanned?.literalQuotes ?? 0) > 0 };
    const options = { source, spec, firstIndex: request.first_index, records: scanned?.records, ...run };
    const result = await inEngineTurn(async () => {
      if (spec.format === "ndjson") return engine.kind === "chdb" ? importNdjson(engine, options) : importNdjsonInJs(engine, options);
      const manyChunks = spec.format === "parquet" && parquetChunks(await countFileRows(engine, source), spec.chunk_rows) > STAGE_ABOVE_CHUNKS;
      return importTabular(engine, { ...options, stage: manyChunks ? { fileHash, specHash: specHash(spec) } : undefined });
    });
    return { chunk, rows: result.rows, accepted: result.accepted, rejected: result.rejected.length, fast: result.fast, rejections: result.rejected, replayed: false };
  } finally {
    if (body.kind === "stream") removeImportFile(path);
  }
}
