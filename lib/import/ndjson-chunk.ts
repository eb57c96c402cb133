import "server-only";
import type { RowRejection } from "@/lib/analytics/event-row";
import { checkRow } from "@/lib/ingest/check-row";
import { RowWriter } from "@/lib/ingest/row-line";
import type { ImportSpec } from "@/lib/import/import-spec";

// An NDJSON line the engine's fast path did not take (lib/query/import-sql.ts,
// ndjsonQueries) is checked in JavaScript by the ingest rules themselves
// (checkRow): nested properties, types and limits exactly as POST /v1/events.
// `--map` renames top-level keys first; keys it does not name pass through,
// so an unknown key is refused row by row, as the API refuses it.

/** Checks one line (row `index` of the file): its event goes into `sink`, or its rejection comes back. */
export function ndjsonLineChecker(spec: ImportSpec): (line: string, index: number, sink: RowWriter) => RowRejection | undefined {
  const remap = Object.keys(spec.map).length ? remapper(spec.map) : undefined;
  return (line, index, sink) => {
    let value: unknown;
    try {
      value = JSON.parse(line.trim());
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
