import "server-only";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { getEnv } from "@/lib/env";
import { AppError } from "@/lib/errors";

// The only files the server's import reads: DATA_DIR/imports/<sha256>.parquet
// (an uploaded file) and <sha256>-<chunk>.csv or .ndjson (one chunk, deleted
// once imported). A name is checked against that shape before any path is built,
// and the file must be a regular file inside the directory (no symlink out of it).

const NAME = /^[0-9a-f]{64}(-[0-9]{1,9})?\.(csv|ndjson|parquet)$/;

export function importsDir(dataDir = getEnv().DATA_DIR): string {
  return path.join(dataDir, "imports");
}

/** The absolute path of an import file; refuses any other name, a symlink, or a path that leaves the directory. */
export function importFilePath(name: string, options: { mustExist: boolean }): string {
  if (!NAME.test(name)) throw new AppError("bad_request", `"${name}" is not an import file name: the server reads only DATA_DIR/imports/<sha256>.parquet or <sha256>-<chunk>.csv|.ndjson, which the CLI uploads.`);
  const dir = importsDir();
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, name);
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT" && !options.mustExist) return file;
    if ((err as NodeJS.ErrnoException).code === "ENOENT") throw new AppError("not_found", `DATA_DIR/imports/${name} does not exist: upload the file first (the CLI does).`);
    throw err;
  }
  if (!stat.isFile() || path.dirname(fs.realpathSync(file)) !== fs.realpathSync(dir)) {
    throw new AppError("forbidden", `DATA_DIR/imports/${name} is not a regular file inside DATA_DIR/imports (a symlink or a directory): refused.`);
  }
  return file;
}

/**
 * Streams `body` into DATA_DIR/imports/<name> (through a temporary file, renamed
 * when complete). With `sha256`, the bytes must hash to it or nothing is kept;
 * `observe` sees each piece of the bytes as they pass.
 */
export async function writeImportFile(name: string, body: ReadableStream<Uint8Array> | Readable, sha256?: string, observe?: (bytes: Buffer) => void): Promise<string> {
  const file = importFilePath(name, { mustExist: false });
  const part = `${file}.${process.pid}.${crypto.randomBytes(4).toString("hex")}.part`;
  const hash = crypto.createHash("sha256");
  const source = body instanceof Readable ? body : Readable.fromWeb(body as import("node:stream/web").ReadableStream<Uint8Array>);
  try {
    await pipeline(
      source,
      async function* (chunks: AsyncIterable<Buffer>) {
        for await (const c of chunks) {
          hash.update(c);
          observe?.(c);
          yield c;
        }
      },
      fs.createWriteStream(part, { flags: "wx", mode: 0o600 }),
    );
    const got = hash.digest("hex");
    if (sha256 && got !== sha256) throw new AppError("bad_request", `The uploaded bytes hash to ${got}, not ${sha256}: the upload was cut short or the file changed. Run the import again.`);
    fs.renameSync(part, file);
    return file;
  } finally {
    fs.rmSync(part, { force: true });
  }
}

export function removeImportFile(file: string): void {
  fs.rmSync(file, { force: true });
}

/** Every Parquet upload (DATA_DIR/imports/<sha256>.parquet): an erasure removes them (lib/import/import-chunk.ts). */
export function removeParquetUploads(): void {
  const dir = importsDir();
  if (!fs.existsSync(dir)) return;
  for (const name of fs.readdirSync(dir)) if (/^[0-9a-f]{64}\.parquet$/.test(name)) fs.rmSync(path.join(dir, name), { force: true });
}
