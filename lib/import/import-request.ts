import "server-only";
import { Readable } from "node:stream";
import { getAnalytics } from "@/lib/analytics/engine";
import { AppError, validationError } from "@/lib/errors";
import { importChunk } from "@/lib/import/import-chunk";
import { ChunkRequest, type ChunkOutcome } from "@/lib/import/import-spec";
import { writeImportFile } from "@/lib/import/imports-dir";
import { ledgerOf } from "@/lib/import/ledger";
import { assertEngineReadsFiles, countFileRows } from "@/lib/import/tabular-chunk";

// What app/api/operator/import answers, from a Request: the CLI's three calls.
//   GET  ?file_hash=…           the ledger of a file (which chunks are done)
//   PUT  ?file=<sha256>.parquet a Parquet file, streamed into DATA_DIR/imports
//   POST (Enclave-Import: …)    one chunk; NDJSON and CSV chunks are the body (streamed to DATA_DIR/imports)

export async function answerLedger(url: URL): Promise<unknown> {
  const hash = url.searchParams.get("file_hash") ?? "";
  if (!/^[0-9a-f]{64}$/.test(hash)) throw new AppError("bad_request", "Pass ?file_hash=<sha256 of the file, hex>.");
  return { chunks: await ledgerOf(hash) };
}

export async function answerUpload(req: Request, url: URL): Promise<{ file: string; rows: number }> {
  const name = url.searchParams.get("file") ?? "";
  const m = /^([0-9a-f]{64})\.parquet$/.exec(name);
  if (!m) throw new AppError("bad_request", "Upload a Parquet file as ?file=<sha256>.parquet; NDJSON and CSV are sent chunk by chunk.");
  if (!req.body) throw new AppError("bad_request", "The upload has no body.");
  assertEngineReadsFiles(getAnalytics(), "parquet");
  const file = await writeImportFile(name, req.body, m[1]);
  return { file: name, rows: await countFileRows(getAnalytics(), { path: file, format: "parquet" }) };
}

export async function answerChunk(req: Request): Promise<ChunkOutcome> {
  const header = req.headers.get("enclave-import");
  let meta: unknown;
  try {
    meta = JSON.parse(Buffer.from(header ?? "", "base64url").toString("utf8"));
  } catch {
    throw new AppError("bad_request", "Send the chunk's description as the Enclave-Import header (base64url JSON); `npm run enclave -- import` does.");
  }
  const parsed = ChunkRequest.safeParse(meta);
  if (!parsed.success) throw validationError(parsed.error, "Enclave-Import header");
  const request = parsed.data;
  const engine = getAnalytics();
  if (request.spec.format === "parquet") return importChunk(engine, request, { kind: "none" });
  return importChunk(engine, request, { kind: "stream", stream: req.body ?? Readable.from([]) });
}
