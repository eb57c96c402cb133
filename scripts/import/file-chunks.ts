import fs from "node:fs";

// Cuts a file into the chunks the server imports, reading it as a stream (one
// chunk in memory at a time). Only record boundaries are found here — the
// engine parses CSV and JSON.parse reads NDJSON on the server:
//   NDJSON: chunkRows non-blank lines;
//   CSV: the header line, then chunkRows records, a record ending at a line
//        break outside double quotes (RFC 4180: "" inside quotes toggles twice).
// Row indexes count data rows from 0 (no header, no blank lines).

export type FileChunk = { chunk: number; firstIndex: number; rows: number; body: Buffer; bytesRead: number };

const isSpace = (c: number) => c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;

export async function* fileChunks(file: string, format: "ndjson" | "csv", chunkRows: number): AsyncGenerator<FileChunk> {
  const csv = format === "csv";
  let header: Buffer | undefined;
  let headerParts: Buffer[] | undefined = csv ? [] : undefined;
  let parts: Buffer[] = []; // slices of the read buffers: the chunk's bytes, copied once when it is sent
  let rows = 0;
  let chunk = 0;
  let firstIndex = 0;
  let bytesRead = 0;
  let inQuotes = false;
  let blank = true; // the record being read holds only whitespace so far
  let held: Buffer[] = []; // the bytes of such a record from earlier buffers: dropped if it ends blank (the engine would read a row of nulls)

  const finish = (): FileChunk => {
    const body = Buffer.concat(header ? [header, ...parts] : parts);
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
    let i = 0;
    let quote = csv ? -2 : -1; // the next quote at or after i (-1: none left in this buffer), found once per quote, not per record
    while (i < buf.length) {
      // The next byte that matters: a quote (CSV) or a line break outside quotes.
      const nl = inQuotes ? -1 : buf.indexOf(0x0a, i);
      if (csv && quote !== -1 && quote < i) quote = buf.indexOf(0x22, i);
      const at = inQuotes ? quote : quote !== -1 && (nl === -1 || quote < nl) ? quote : nl;
      if (blank) for (let j = i; j < (at === -1 ? buf.length : at + 1) && blank; j++) if (!isSpace(buf[j])) blank = false;
      if (at === -1) break;
      i = at + 1;
      if (buf[at] === 0x22) {
        inQuotes = !inQuotes;
        continue;
      }
      // A record ends at `at`.
      if (headerParts) {
        headerParts.push(...held, buf.subarray(pending, i));
        header = Buffer.concat(headerParts);
        headerParts = undefined;
        pending = i;
      } else if (blank) {
        if (recordStart > pending) parts.push(buf.subarray(pending, recordStart));
        pending = i;
      } else {
        parts.push(...held);
        if (++rows >= chunkRows) {
          parts.push(buf.subarray(pending, i));
          pending = i;
          yield finish();
        }
      }
      held = [];
      blank = true;
      recordStart = i;
    }
    if (blank) {
      if (recordStart > pending) (headerParts ?? parts).push(buf.subarray(pending, recordStart));
      if (recordStart < buf.length) held.push(Buffer.from(buf.subarray(recordStart)));
    } else if (pending < buf.length) (headerParts ?? parts).push(buf.subarray(pending));
  }
  if (!blank && !headerParts) {
    parts.push(...held, Buffer.from("\n"));
    rows++;
  }
  if (rows > 0) yield finish();
}
