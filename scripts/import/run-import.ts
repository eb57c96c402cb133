import crypto from "node:crypto";
import fs from "node:fs";
import { specHash, type ChunkOutcome, type ChunkRequest, type ImportSpec } from "@/lib/import/import-spec";
import { fileChunks } from "@/scripts/import/file-chunks";
import { TargetError, type ImportTarget } from "@/scripts/import/targets";

// `npm run enclave -- import FILE`: hashes the file, asks the ledger which
// chunks are done, and sends the others one after another (the next chunk is
// read while the server works on the current one). Rejected rows go to
// FILE.rejected.ndjson as {index, code, message}, index being the 0-based data
// row of the file. Progress (rows, rows/s) on stderr.

export type ImportSummary = {
  file: string;
  file_hash: string;
  format: ImportSpec["format"];
  target: string;
  rows: number;
  accepted: number;
  rejected: number;
  /** Of `rows`, checked by the SQL fast path (CSV, Parquet). */
  fast: number;
  chunks: number;
  /** Chunks an earlier run had imported already (nothing written for them now). */
  chunks_already_imported: number;
  rejections_file: string | null;
  seconds: number;
  rows_per_second: number;
};

export async function sha256File(file: string): Promise<string> {
  const hash = crypto.createHash("sha256");
  for await (const c of fs.createReadStream(file, { highWaterMark: 1 << 20 })) hash.update(c as Buffer);
  return hash.digest("hex");
}

type Job = { request: ChunkRequest; body: Buffer[] | undefined; bytesRead: number };

export async function runImport(options: { file: string; spec: ImportSpec; target: ImportTarget; rejectedPath?: string; progress?: (line: string, done: boolean) => void }): Promise<ImportSummary> {
  const { file, spec, target } = options;
  const started = process.hrtime.bigint();
  const size = fs.statSync(file).size;
  const fileHash = await sha256File(file);
  const ledger = new Map((await target.ledger(fileHash)).map((r) => [r.chunk, r]));
  const mine = specHash(spec);
  const other = [...ledger.values()].find((r) => r.specHash !== mine);
  if (other) throw new TargetError(`This file was imported before with another format or mapping (chunk ${other.chunk}). Importing it again differently would store its rows twice; import it as it was.`, "conflict");

  const rejectedPath = options.rejectedPath ?? `${file}.rejected.ndjson`;
  const rejectedOut = fs.createWriteStream(rejectedPath);
  const summary: ImportSummary = { file, file_hash: fileHash, format: spec.format, target: target.name, rows: 0, accepted: 0, rejected: 0, fast: 0, chunks: 0, chunks_already_imported: 0, rejections_file: null, seconds: 0, rows_per_second: 0 };
  const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
  const record = (outcome: ChunkOutcome, bytesRead: number) => {
    summary.chunks++;
    summary.rows += outcome.rows;
    summary.accepted += outcome.accepted;
    summary.rejected += outcome.rejected;
    summary.fast += outcome.fast;
    if (outcome.replayed) summary.chunks_already_imported++;
    for (const r of outcome.rejections) rejectedOut.write(`${JSON.stringify({ index: r.index, code: r.code, message: r.message })}\n`);
    options.progress?.(progressLine(summary, bytesRead / size, seconds()), false);
  };

  try {
    // The next chunk is read (or taken from the ledger) while the current one is in flight.
    let inFlight: Promise<void> = Promise.resolve();
    const source = jobs(file, spec, fileHash, target, ledger);
    // A file that cannot be read further (an unclosed quote) stops the run once the chunk in flight is settled.
    const settled = async function* () {
      try {
        yield* source;
      } catch (err) {
        // A chunk that failed in flight is the first thing to report; otherwise the chunks before stay imported.
        await inFlight;
        throw err;
      }
    };
    for await (const job of settled()) {
      const previous = inFlight;
      if ("done" in job) {
        await previous;
        record(job.done, job.bytesRead);
        inFlight = Promise.resolve();
        continue;
      }
      const sent = target.send(job.request, job.body);
      sent.catch(() => {});
      inFlight = previous.then(async () => record(await sent, job.bytesRead));
      inFlight.catch(() => {}); // awaited below or at the end; a failure then ends the run
      await previous;
    }
    await inFlight;
  } finally {
    await new Promise((resolve) => rejectedOut.end(resolve));
  }
  if (summary.rejected > 0) summary.rejections_file = rejectedPath;
  else fs.rmSync(rejectedPath, { force: true });
  summary.seconds = Math.round(seconds() * 100) / 100;
  summary.rows_per_second = summary.seconds > 0 ? Math.round(summary.rows / summary.seconds) : summary.rows;
  options.progress?.(progressLine(summary, 1, seconds()), true);
  return summary;
}

async function* jobs(file: string, spec: ImportSpec, fileHash: string, target: ImportTarget, ledger: Map<number, { done: boolean } & ChunkOutcome>): AsyncGenerator<Job | { done: ChunkOutcome; bytesRead: number }> {
  const base = { file_hash: fileHash, spec };
  if (spec.format === "parquet") {
    // Uploaded whole (streamed), unless every chunk is done already; chunks are row ranges of it.
    const size = spec.chunk_rows;
    const chunkCount = (rows: number) => Math.ceil(rows / size);
    const known = [...ledger.values()];
    const allDone = known.length > 0 && known.every((r) => r.done) && known.length === chunkCount(known.reduce((n, r) => n + r.rows, 0));
    if (allDone) {
      for (const r of known) yield { done: r, bytesRead: 0 };
      return;
    }
    const { rows } = await target.upload(fileHash, file);
    const bytes = fs.statSync(file).size;
    for (let chunk = 0; chunk < chunkCount(rows); chunk++) {
      const start = chunk * size;
      const bytesRead = Math.round((bytes * Math.min(rows, start + size)) / Math.max(rows, 1));
      const prior = ledger.get(chunk);
      if (prior?.done) yield { done: prior, bytesRead };
      else yield { request: { ...base, chunk, first_index: start, rows: [start, Math.min(rows, start + size)] }, body: undefined, bytesRead };
    }
    return;
  }
  for await (const c of fileChunks(file, spec.format, spec.chunk_rows)) {
    const prior = ledger.get(c.chunk);
    if (prior?.done) yield { done: prior, bytesRead: c.bytesRead };
    else yield { request: { ...base, chunk: c.chunk, first_index: c.firstIndex, records: c.rows }, body: c.body, bytesRead: c.bytesRead };
  }
}

function progressLine(s: ImportSummary, fraction: number, seconds: number): string {
  const width = 24;
  const filled = Math.max(0, Math.min(width, Math.round(fraction * width)));
  const rate = seconds > 0 ? Math.round(s.rows / seconds) : 0;
  return `[${"#".repeat(filled)}${".".repeat(width - filled)}] ${Math.round(fraction * 100)}%  ${s.rows.toLocaleString("en")} rows  ${rate.toLocaleString("en")} rows/s  ${s.rejected.toLocaleString("en")} rejected  chunk ${s.chunks}`;
}
