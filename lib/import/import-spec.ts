import crypto from "node:crypto";
import { z } from "zod";

// What an import is asked to do, shared by the CLI and the server: the file's
// format and how its columns (or NDJSON keys) map to event fields. The spec's
// hash is kept per chunk in the ledger, so a re-run with another mapping is
// refused instead of storing the file a second time, differently.

/**
 * Rows per chunk: one engine insert and one ledger row each; part of the spec
 * (another size would renumber the chunks). What the server holds grows with
 * it (bench/import.ts --memory: 1M-row CSV chunks peaked at +500 MB RSS).
 */
export const CHUNK_ROWS = { ndjson: 250_000, csv: 250_000, parquet: 250_000 } as const;

export const EVENT_FIELDS = ["tenant_id", "name", "ts", "user_id", "value", "event_id"] as const;
export type EventField = (typeof EVENT_FIELDS)[number];

/** `--map src=dest`: dest is an event field, `properties.<key>`, or `-` (skip the column). */
const Dest = z.union([z.enum(EVENT_FIELDS), z.string().regex(/^properties\..+$/, "expected properties.<key>"), z.literal("-")]);

export const ImportFormat = z.enum(["ndjson", "csv", "parquet"]);
export type ImportFormat = z.infer<typeof ImportFormat>;

export const ImportSpec = z.object({
  format: ImportFormat,
  /** Source column (or key) → destination. */
  map: z.record(z.string().min(1), Dest).default({}),
  chunk_rows: z.number().int().min(1).max(5_000_000),
});
export type ImportSpec = z.infer<typeof ImportSpec>;

/** The spec from the CLI's flags: `--tenant-column NAME` is `--map NAME=tenant_id`. */
export function specFromFlags(options: { format: ImportFormat; tenantColumn?: string; map?: string[]; chunkRows?: number }): ImportSpec {
  const map: Record<string, string> = {};
  for (const pair of options.map ?? []) {
    const at = pair.indexOf("=");
    if (at <= 0) throw new Error(`--map ${pair}: expected SOURCE=DEST, e.g. --map account=tenant_id or --map page=properties.page`);
    const [src, dest] = [pair.slice(0, at), pair.slice(at + 1)];
    if (src === "__proto__") throw new Error(`--map ${pair}: a column named __proto__ cannot be mapped; rename it in the file`);
    if (Object.hasOwn(map, src)) throw new Error(`--map ${src} is given twice`);
    map[src] = dest;
  }
  if (options.tenantColumn) {
    if (Object.hasOwn(map, options.tenantColumn) && map[options.tenantColumn] !== "tenant_id") throw new Error(`--tenant-column ${options.tenantColumn} is also mapped to ${map[options.tenantColumn]}`);
    map[options.tenantColumn] = "tenant_id";
  }
  const parsed = ImportSpec.safeParse({ format: options.format, map, chunk_rows: options.chunkRows ?? CHUNK_ROWS[options.format] });
  if (!parsed.success) throw new Error(`--map: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  const dests = Object.values(parsed.data.map).filter((d) => d !== "-");
  const twice = dests.find((d, i) => dests.indexOf(d) !== i);
  if (twice) throw new Error(`--map: two columns are mapped to ${twice}`);
  return parsed.data;
}

/** Stable over key order; covers the chunk size so chunk numbers mean the same thing on every run. */
export function specHash(spec: ImportSpec): string {
  const map = Object.keys(spec.map).sort().map((k) => [k, spec.map[k]]);
  return crypto.createHash("sha256").update(JSON.stringify({ v: 1, format: spec.format, map, chunkRows: spec.chunk_rows })).digest("hex");
}

/** The format a file name implies, if any. */
export function formatOfPath(file: string): ImportFormat | undefined {
  const ext = file.toLowerCase().match(/\.([a-z]+)$/)?.[1];
  if (ext === "ndjson" || ext === "jsonl" || ext === "json") return "ndjson";
  if (ext === "csv") return "csv";
  if (ext === "parquet") return "parquet";
  return undefined;
}

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, "expected the file's sha256 in hex");

/** One chunk sent to the server (header `Enclave-Import`, base64url JSON). */
export const ChunkRequest = z.object({
  file_hash: Sha256,
  chunk: z.number().int().min(0),
  /** The 0-based index of the chunk's first data row in the file. */
  first_index: z.number().int().min(0),
  spec: ImportSpec,
  /** Parquet: rows [start, end) of the uploaded DATA_DIR/imports/<file_hash>.parquet. CSV and NDJSON: the body holds the chunk. */
  rows: z.tuple([z.number().int().min(0), z.number().int().min(1)]).optional(),
  /** CSV and NDJSON: the data records the CLI cut into the body. The server counts them again, and so does the engine: a chunk whose counts differ is refused before anything is stored. */
  records: z.number().int().min(0).optional(),
});
export type ChunkRequest = z.infer<typeof ChunkRequest>;

export const RowRejectionOut = z.object({ index: z.number(), code: z.string(), message: z.string() });

export type ChunkOutcome = {
  chunk: number;
  rows: number;
  accepted: number;
  rejected: number;
  /** Rows checked by the SQL fast path (CSV, Parquet) rather than in JavaScript. */
  fast: number;
  rejections: { index: number; code: string; message: string }[];
  /** True when the ledger already had this chunk: nothing was written. */
  replayed: boolean;
};
