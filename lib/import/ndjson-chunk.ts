import "server-only";
import type { RowRejection } from "@/lib/analytics/event-row";
import { checkRow } from "@/lib/ingest/check-row";
import { RowWriter } from "@/lib/ingest/row-line";
import type { ImportSpec } from "@/lib/import/import-spec";

// An NDJSON chunk is checked in JavaScript by the ingest rules themselves
// (checkRow): nested properties, types and limits exactly as POST /v1/events.
// `--map` renames top-level keys first; keys it does not name pass through,
// so an unknown key is refused row by row, as the API refuses it.

export type CheckedRows = { writer: RowWriter; rows: number; rejected: RowRejection[] };

/** Checks each non-blank line of `text`; row i of the chunk is row `firstIndex + i` of the file. */
export function checkNdjsonChunk(text: string, firstIndex: number, spec: ImportSpec): CheckedRows {
  const out: CheckedRows = { writer: new RowWriter(), rows: 0, rejected: [] };
  const remap = Object.keys(spec.map).length ? remapper(spec.map) : undefined;
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf("\n", start);
    if (end === -1) end = text.length;
    const line = text.slice(start, end).trim();
    start = end + 1;
    if (!line) continue;
    const index = firstIndex + out.rows++;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      out.rejected.push({ index, code: "invalid_json", message: `row ${index} is not valid JSON` });
      continue;
    }
    const refused = checkRow(remap ? remap(value) : value, index, out.writer);
    if (refused) out.rejected.push(refused);
  }
  return out;
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
      } else out[dest] = v;
    }
    if (properties) {
      const own = out.properties;
      // Mapped columns join the row's own properties object; anything else there is the rules' to judge.
      out.properties = typeof own === "object" && own !== null && !Array.isArray(own) ? { ...own, ...properties } : own === undefined ? properties : own;
    }
    return out;
  };
}
