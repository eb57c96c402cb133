import "server-only";
import { recordAudit } from "@/lib/audit";
import crypto from "node:crypto";
import type { Readable } from "node:stream";
import type { AnalyticsEngine } from "@/lib/analytics/engine";
import { deleteInsertedRows, liveIngestSeqs, reserveIngestSeq, type IngestSeq } from "@/lib/analytics/ingest";
import { getDb } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { specHash, type ChunkOutcome, type ChunkRequest } from "@/lib/import/import-spec";
import { importFilePath, removeImportFile, writeImportFile } from "@/lib/import/imports-dir";
import { RecordCounter } from "@/lib/import/records";
import { claimChunk, dropClaim, finishChunk, moveClaim } from "@/lib/import/ledger";
import { assertEngineReadsFiles, importNdjson, importTabular } from "@/lib/import/tabular-chunk";
import { reconcileRollups, retireRollups } from "@/lib/rollups/build";

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
  if (spec.format === "parquet" && !request.rows) throw new AppError("bad_request", "A Parquet chunk names its rows: [start, end).");
  assertEngineReadsFiles(engine, spec.format);
  if (spec.format !== "parquet" && request.records === undefined) throw new AppError("bad_request", `A ${spec.format.toUpperCase()} chunk states how many records it holds (\`records\`); \`npm run enclave -- import\` does.`);

  const reserved = reserveIngestSeq();
  let rebuildRollups = false;
  try {
    const claim = await claimChunk({ fileHash, chunk, specHash: specHash(spec), seq: reserved.seq });
    if ("done" in claim) {
      if (body.kind === "stream" && "cancel" in body.stream) await body.stream.cancel().catch(() => {});
      return claim.done;
    }
    if (claim.seq !== reserved.seq) {
      // Claimed before and not finished: another run's chunk in flight in this process, or one cut off by a crash.
      if (liveIngestSeqs().has(claim.seq)) throw new AppError("conflict", `Chunk ${chunk} of this file is being imported right now by another run: let it finish, then run the import again (it skips what is done).`);
      // Its rows that reached the engine go first; rollups that counted them are built again after.
      rebuildRollups = (await getDb().rollup.count()) > 0;
      if (rebuildRollups) await retireRollups();
      await deleteInsertedRows(engine, claim.seq);
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
    // Imports write any tenant's events: each stored chunk is in the audit log (counts, not rows).
    await recordAudit({ actor: "operator", action: "events.import", target: fileHash, meta: { chunk, format: spec.format, rows: outcome.rows, accepted: outcome.accepted, rejected: outcome.rejected } });
    return outcome;
  } finally {
    reserved.release();
    if (rebuildRollups) await reconcileRollups(engine).catch((err) => console.error(`import: rollups were not rebuilt after a crashed chunk was deleted: ${err instanceof Error ? err.message : err}`));
  }
}

async function insertChunk(engine: AnalyticsEngine, request: ChunkRequest, body: ChunkBody, run: { token: string; reserved: IngestSeq; progress: { inserting: boolean } }): Promise<ChunkOutcome> {
  const { file_hash: fileHash, chunk, spec } = request;
  // A CSV or NDJSON chunk's records are counted as it is written (lib/import/records.ts): the CLI's count, ours and the engine's must agree.
  const counter = body.kind === "stream" && spec.format !== "parquet" ? new RecordCounter(spec.format) : undefined;
  const path = body.kind === "stream" ? await writeImportFile(`${fileHash}-${chunk}.${spec.format}`, body.stream, undefined, (bytes) => counter?.push(bytes)) : importFilePath(`${fileHash}.parquet`, { mustExist: true });
  try {
    const scanned = counter?.finish();
    if (scanned && scanned.records !== request.records) {
      throw new AppError("bad_request", `This ${spec.format.toUpperCase()} chunk holds ${scanned.records} records by the server's count, not the ${request.records ?? "(unstated)"} the import sent: the body changed on the way or the CLI is of another version. Nothing of it was stored; run the import again with this version's CLI.`);
    }
    const source = { path, format: spec.format, rows: request.rows, oneThread: (scanned?.literalQuotes ?? 0) > 0 };
    const options = { source, spec, firstIndex: request.first_index, records: scanned?.records, ...run };
    const result = spec.format === "ndjson" ? await importNdjson(engine, options) : await importTabular(engine, options);
    return { chunk, rows: result.rows, accepted: result.accepted, rejected: result.rejected.length, fast: result.fast, rejections: result.rejected, replayed: false };
  } finally {
    if (body.kind === "stream") removeImportFile(path);
  }
}
