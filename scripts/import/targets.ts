import fs from "node:fs";
import http from "node:http";
import https from "node:https";
import { Readable } from "node:stream";
import { ensureAnalyticsSchema } from "@/lib/analytics/schema";
import { getAnalytics } from "@/lib/analytics/engine";
import { importChunk } from "@/lib/import/import-chunk";
import type { ChunkOutcome, ChunkRequest } from "@/lib/import/import-spec";
import { writeImportFile } from "@/lib/import/imports-dir";
import { ledgerOf } from "@/lib/import/ledger";
import { assertEngineReadsFiles, countFileRows } from "@/lib/import/tabular-chunk";

// Where the CLI's chunks go: the running server (it owns the embedded store),
// or this process when no server runs. Both run lib/import's same code.

export type LedgerRow = ChunkOutcome & { specHash: string; done: boolean };

export type ImportTarget = {
  /** "the server at http://…" or "this process". */
  name: string;
  ledger(fileHash: string): Promise<LedgerRow[]>;
  /** Parquet: puts the file into DATA_DIR/imports/<sha256>.parquet; answers its row count. */
  upload(fileHash: string, file: string): Promise<{ rows: number }>;
  send(request: ChunkRequest, body: Buffer[] | undefined): Promise<ChunkOutcome>;
};

export class TargetError extends Error {
  constructor(message: string, readonly code?: string) {
    super(message);
  }
}

export function serverTarget(base: URL, token: string): ImportTarget {
  const call = async (method: string, path: string, options: { headers?: Record<string, string>; body?: Buffer[] | fs.ReadStream } = {}) => {
    const answer = await request(new URL(path, base), method, { authorization: `Bearer ${token}`, ...options.headers }, options.body);
    let parsed: { error?: { code: string; message: string } } | undefined;
    try {
      parsed = JSON.parse(answer.body);
    } catch {
      parsed = undefined;
    }
    if (answer.status !== 200 || !parsed || parsed.error) throw new TargetError(parsed?.error?.message ?? `The server at ${base.origin} answered ${answer.status}: is it Enclave on this DATA_DIR?`, parsed?.error?.code);
    return parsed as unknown;
  };
  return {
    name: `the server at ${base.origin}`,
    ledger: async (fileHash) => ((await call("GET", `/api/operator/import?file_hash=${fileHash}`)) as { chunks: LedgerRow[] }).chunks,
    upload: async (fileHash, file) =>
      (await call("PUT", `/api/operator/import?file=${fileHash}.parquet`, { headers: { "content-type": "application/octet-stream", "content-length": String(fs.statSync(file).size) }, body: fs.createReadStream(file) })) as { rows: number },
    send: async (req, body) =>
      (await call("POST", "/api/operator/import", {
        headers: { "enclave-import": Buffer.from(JSON.stringify(req)).toString("base64url"), "content-type": req.spec.format === "csv" ? "text/csv" : "application/x-ndjson", "content-length": String(body?.reduce((n, b) => n + b.length, 0) ?? 0) },
        body,
      })) as ChunkOutcome,
  };
}

/** node:http: a chunk's answer can take longer than fetch waits for response headers. */
function request(url: URL, method: string, headers: Record<string, string>, body: Buffer[] | fs.ReadStream | undefined): Promise<{ status: number; body: string }> {
  const send = url.protocol === "https:" ? https.request : http.request;
  return new Promise((resolve, reject) => {
    const req = send(url, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", reject);
    });
    req.on("error", reject);
    if (body instanceof fs.ReadStream) body.pipe(req);
    else Readable.from(body ?? []).pipe(req);
  });
}

/** No server runs on DATA_DIR: this process opens the store and imports itself. */
export async function localTarget(): Promise<ImportTarget> {
  const engine = getAnalytics();
  await ensureAnalyticsSchema(engine);
  return {
    name: "this process (no server was running)",
    ledger: (fileHash) => ledgerOf(fileHash),
    upload: async (fileHash, file) => {
      assertEngineReadsFiles(engine, "parquet");
      const path = await writeImportFile(`${fileHash}.parquet`, fs.createReadStream(file), fileHash);
      return { rows: await countFileRows(engine, { path, format: "parquet" }) };
    },
    send: (req, body) => importChunk(engine, req, req.spec.format === "parquet" ? { kind: "none" } : { kind: "stream", stream: Readable.from(body!) }),
  };
}
