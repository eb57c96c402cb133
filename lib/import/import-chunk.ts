import "server-only";
import { recordAudit } from "@/lib/audit";
import crypto from "node:crypto";
import type { Readable } from "node:stream";
import type { AnalyticsEngine } from "@/lib/analytics/engine";
import { insertRowBatch, reserveIngestSeq, type IngestSeq } from "@/lib/analytics/ingest";
import { AppError } from "@/lib/errors";
import { specHash, type ChunkOutcome, type ChunkRequest } from "@/lib/import/import-spec";
import { importFilePath, removeImportFile, writeImportFile } from "@/lib/import/imports-dir";
import { claimChunk, dropClaim, finishChunk } from "@/lib/import/ledger";
import { checkNdjsonChunk } from "@/lib/import/ndjson-chunk";
import { importTabular } from "@/lib/import/tabular-chunk";

// One chunk of a bulk import, start to finish: claim it in the ledger (or
// answer from the ledger when it is done), check and insert its rows, record
// the outcome. The CLI sends chunks one after another (scripts/import/).

export type ChunkBody =
  | { kind: "text"; text: string } // NDJSON
  | { kind: "stream"; stream: ReadableStream<Uint8Array> | Readable } // a CSV chunk, streamed to DATA_DIR/imports
  | { kind: "none" }; // Parquet: the file is in DATA_DIR/imports already

function dedupToken(fileHash: string, chunk: number): string {
  return crypto.createHash("sha256").update(`import\n${fileHash}\n${chunk}`).digest("hex");
}

export async function importChunk(engine: AnalyticsEngine, request: ChunkRequest, body: ChunkBody): Promise<ChunkOutcome> {
  const { file_hash: fileHash, chunk, spec } = request;
  const expected = spec.format === "ndjson" ? "text" : spec.format === "csv" ? "stream" : "none";
  if (body.kind !== expected) throw new AppError("bad_request", `A ${spec.format} chunk is sent ${expected === "none" ? "without a body (upload the file first)" : "as the request body"}.`);
  if (spec.format === "parquet" && !request.rows) throw new AppError("bad_request", "A Parquet chunk names its rows: [start, end).");

  let reserved = reserveIngestSeq();
  try {
    const claim = await claimChunk({ fileHash, chunk, specHash: specHash(spec), seq: reserved.seq });
    if ("done" in claim) {
      if (body.kind === "stream" && "cancel" in body.stream) await body.stream.cancel().catch(() => {});
      return claim.done;
    }
    if (claim.seq !== reserved.seq) {
      // A chunk cut off by a crash: the same number as its first attempt, so rollups count it once.
      reserved.release();
      reserved = reserveIngestSeq(claim.seq);
    }
    const progress = { inserting: false };
    let outcome: ChunkOutcome;
    try {
      outcome = await insertChunk(engine, request, body, { token: dedupToken(fileHash, chunk), reserved, progress });
    } catch (err) {
      // Nothing reached the engine: a corrected re-run (another --map) must not find this claim. Otherwise keep it: the re-run reuses its number.
      if (!progress.inserting) await dropClaim(fileHash, chunk);
      throw err;
    }
    await finishChunk(fileHash, outcome);
    // Imports write any tenant's events: each stored chunk is in the audit log (counts, not rows).
    await recordAudit({ actor: "operator", action: "events.import", target: fileHash, meta: { chunk, format: spec.format, rows: outcome.rows, accepted: outcome.accepted, rejected: outcome.rejected } });
    return outcome;
  } finally {
    reserved.release();
  }
}

async function insertChunk(engine: AnalyticsEngine, request: ChunkRequest, body: ChunkBody, run: { token: string; reserved: IngestSeq; progress: { inserting: boolean } }): Promise<ChunkOutcome> {
  const { file_hash: fileHash, chunk, spec } = request;
  if (body.kind === "text") {
    const checked = checkNdjsonChunk(body.text, request.first_index, spec);
    const accepted = checked.writer.rows;
    run.progress.inserting = true;
    await insertRowBatch(engine, checked.writer, run.token, run.reserved);
    return { chunk, rows: checked.rows, accepted, rejected: checked.rejected.length, fast: 0, rejections: checked.rejected, replayed: false };
  }
  const path = body.kind === "stream" ? await writeImportFile(`${fileHash}-${chunk}.csv`, body.stream) : importFilePath(`${fileHash}.parquet`, { mustExist: true });
  try {
    const source = { path, format: spec.format === "csv" ? ("csv" as const) : ("parquet" as const), rows: request.rows };
    const result = await importTabular(engine, { source, spec, firstIndex: request.first_index, ...run });
    return { chunk, rows: result.rows, accepted: result.accepted, rejected: result.rejected.length, fast: result.fast, rejections: result.rejected, replayed: false };
  } finally {
    if (body.kind === "stream") removeImportFile(path);
  }
}
