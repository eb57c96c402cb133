import fs from "node:fs";
import { CsvRecordScanner, LineScanner, type RecordEnds } from "@/lib/import/records";

// Cuts a file into the chunks the server imports, reading it as a stream (one
// chunk in memory at a time). Only record boundaries are found here — the
// engine parses CSV and JSON.parse reads NDJSON on the server:
//   NDJSON: chunkRows non-blank lines;
//   CSV: the header line, then chunkRows records, cut where the engine's CSV
//        reading ends a record (lib/import/records.ts).
// Row indexes count data rows from 0 (no header, no blank lines). Blank
// records are neither sent nor counted (the engine would read a row of nulls).

export type FileChunk = {
  chunk: number;
  firstIndex: number;
  rows: number;
  /** The chunk's bytes, as slices of the read buffers (sent one after another, never copied into one). */
  body: Buffer[];
  bytesRead: number;
};

type Scanner = { scan(buf: Buffer): RecordEnds; blankSoFar: boolean };

export async function* fileChunks(file: string, format: "ndjson" | "csv", chunkRows: number): AsyncGenerator<FileChunk> {
  const scanner: Scanner = format === "csv" ? new CsvRecordScanner() : new LineScanner();
  let header: Buffer | undefined;
  let headerParts: Buffer[] | undefined = format === "csv" ? [] : undefined;
  let parts: Buffer[] = []; // slices of the read buffers: the chunk's bytes
  let rows = 0;
  let chunk = 0;
  let firstIndex = 0;
  let bytesRead = 0;
  let held: Buffer[] = []; // the bytes of a record still blank from earlier buffers: dropped if it ends blank

  const finish = (): FileChunk => {
    const body = header ? [header, ...parts] : parts;
    const out = { chunk, firstIndex, rows, body, bytesRead };
    chunk++;
    firstIndex += rows;
    parts = [];
    rows = 0;
    return out;
  };

  for await (const buf of fs.createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    bytesRead += buf.length;
    let pending = 0; // start of the bytes of this buffer not yet handed to the chunk (or header)
    let recordStart = 0;
    const ends = scanner.scan(buf);
    for (let r = 0; r < ends.count; r++) {
      const next = ends.end[r] + 1;
      const blank = ends.blank[r] === 1;
      if (headerParts) {
        headerParts.push(...held, buf.subarray(pending, next));
        header = Buffer.concat(headerParts);
        headerParts = undefined;
        pending = next;
      } else if (blank) {
        if (recordStart > pending) parts.push(buf.subarray(pending, recordStart));
        pending = next;
      } else {
        parts.push(...held);
        if (++rows >= chunkRows) {
          parts.push(buf.subarray(pending, next));
          pending = next;
          yield finish();
        }
      }
      held = [];
      recordStart = next;
    }
    // The record still open at the end of this buffer.
    if (scanner.blankSoFar) {
      if (recordStart > pending) (headerParts ?? parts).push(buf.subarray(pending, recordStart));
      if (recordStart < buf.length) held.push(buf.subarray(recordStart));
    } else {
      (headerParts ?? parts).push(...held);
      held = [];
      if (pending < buf.length) (headerParts ?? parts).push(buf.subarray(pending));
    }
  }
  if (scanner instanceof CsvRecordScanner && scanner.unclosedQuote) {
    // The engine would read the rest of the file into that one field.
    throw new Error(`A quoted field is never closed: it opens in data row ${firstIndex + rows} (0-based, rows before it in this chunk: ${rows}) and runs to the end of the file. Close the quote (a quote inside a quoted field is written ""), then run the import again; chunks before it stay imported.`);
  }
  if (!scanner.blankSoFar && !headerParts) {
    parts.push(Buffer.from("\n"));
    rows++;
  }
  if (rows > 0) yield finish();
}
