import "server-only";
import fs from "node:fs";
import type { RowRejection } from "@/lib/analytics/event-row";
import { checkRow } from "@/lib/ingest/check-row";
import { checkRowText } from "@/lib/ingest/row-text";
import { RowWriter } from "@/lib/ingest/row-line";
import type { ImportSpec } from "@/lib/import/import-spec";

// An NDJSON line the engine's fast path did not take (lib/query/import-sql.ts,
// ndjsonQueries) is checked in JavaScript by the ingest rules themselves
// (checkRow): nested properties, types and limits exactly as POST /v1/events.
// `--map` renames top-level keys first; keys it does not name pass through,
// so an unknown key is refused row by row, as the API refuses it.

/**
 * A whole NDJSON chunk file in JavaScript, line by line (with a ClickHouse
 * server, whose engine cannot read this server's files): its accepted rows,
 * ready for one insert, and its rejections. Blank lines are not rows.
 */
export async function checkNdjsonFile(file: string, firstIndex: number, spec: ImportSpec): Promise<{ writer: RowWriter; rows: number; rejected: RowRejection[] }> {
  const check = ndjsonLineChecker(spec);
  const out = { writer: new RowWriter(), rows: 0, rejected: [] as RowRejection[] };
  const take = (bytes: Buffer) => {
    const line = bytes.toString("utf8");
    if (!/[^ \t\r]/.test(line)) return; // blank, as the CLI counts lines (lib/import/records.ts)
    const refused = check(line, firstIndex + out.rows++, out.writer);
    if (refused) out.rejected.push(refused);
  };
  // Lines end at \n only, as the engine's LineAsString reads them (a \r is JSON whitespace).
  let open: Buffer[] = []; // the line still open: pieces kept, joined once it ends
  for await (const piece of fs.createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Buffer>) {
    let start = 0;
    for (let nl = piece.indexOf(0x0a); nl !== -1; nl = piece.indexOf(0x0a, start)) {
      take(open.length ? Buffer.concat([...open, piece.subarray(start, nl)]) : piece.subarray(start, nl));
      open = [];
      start = nl + 1;
    }
    if (start < piece.length) open.push(piece.subarray(start));
  }
  if (open.length) take(Buffer.concat(open));
  return out;
}

/** Checks one line (row `index` of the file): its event goes into `sink`, or its rejection comes back. */
export function ndjsonLineChecker(spec: ImportSpec): (line: string, index: number, sink: RowWriter) => RowRejection | undefined {
  const remap = Object.keys(spec.map).length ? remapper(spec.map) : undefined;
  return (line, index, sink) => {
    const text = line.trim();
    if (!remap) {
      // The common event is read from its text (lib/ingest/row-text.ts), as the ingest API reads it.
      const read = checkRowText(text, index, sink);
      if (read !== false) return read;
    }
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return { index, code: "invalid_json", message: `row ${index} is not valid JSON` };
    }
    return checkRow(remap ? remap(value) : value, index, sink);
  };
}

function remapper(map: Record<string, string>): (value: unknown) => unknown {
  return (value) => {
    if (typeof value !== "object" || value === null || Array.isArray(value)) return value;
    const out: Record<string, unknown> = {};
    let properties: Record<string, unknown> | undefined;
    for (const [key, v] of Object.entries(value)) {
      const dest = (Object.hasOwn(map, key) ? map[key] : undefined) ?? key; // own keys only: "constructor" is a column, not a mapping
      if (dest === "-") continue;
      if (dest.startsWith("properties.")) {
        properties ??= {};
        Object.defineProperty(properties, dest.slice("properties.".length), { value: v, enumerable: true, writable: true, configurable: true });
      } else Object.defineProperty(out, dest, { value: v, enumerable: true, writable: true, configurable: true }); // "__proto__" stays a key (the rules refuse it)
    }
    if (properties) {
      const own = out.properties;
      // Mapped columns join the row's own properties object; anything else there is the rules' to judge.
      out.properties = typeof own === "object" && own !== null && !Array.isArray(own) ? { ...own, ...properties } : own === undefined ? properties : own;
    }
    return out;
  };
}
