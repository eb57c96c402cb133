import fs from "node:fs";
import path from "node:path";
import { analyticsOwnerPid } from "@/lib/analytics/engine";
import { readOrCreateOperatorToken } from "@/lib/backup/operator-token";
import { getEnv } from "@/lib/env";
import { ImportFormat, formatOfPath, specFromFlags } from "@/lib/import/import-spec";
import { runImport, type ImportSummary } from "@/scripts/import/run-import";
import { localTarget, serverTarget, type ImportTarget } from "@/scripts/import/targets";

// `npm run enclave -- import FILE …` (scripts/enclave.ts): through the server
// when one answers (it owns the embedded store), else with the store opened here.

type Flags = { format?: string; "tenant-column"?: string; map?: string[]; rejected?: string; url?: string; json: boolean };

export async function importFile(file: string, flags: Flags): Promise<void> {
  const abs = path.resolve(file);
  if (!fs.existsSync(abs) || !fs.statSync(abs).isFile()) throw new Error(`${file} is not a file.`);
  const format = flags.format ? ImportFormat.parse(flags.format) : formatOfPath(abs);
  if (!format) throw new Error(`Cannot tell the format of ${file} from its name: pass --format ndjson, csv or parquet.`);
  const spec = specFromFlags({ format, tenantColumn: flags["tenant-column"], map: flags.map });
  const target = await pickTarget(flags.url);
  const tty = process.stderr.isTTY;
  const summary = await runImport({
    file: abs,
    spec,
    target,
    rejectedPath: flags.rejected ? path.resolve(flags.rejected) : undefined,
    progress: (line, done) => {
      if (tty) process.stderr.write(`\r${line}${done ? "\n" : ""}`);
      else if (done) process.stderr.write(`${line}\n`);
    },
  });
  if (flags.json) return console.log(JSON.stringify(summary));
  report(summary);
}

function report(s: ImportSummary): void {
  const n = (x: number) => x.toLocaleString("en");
  console.log(`Imported ${s.file} (${s.format}, sha256 ${s.file_hash.slice(0, 12)}…) through ${s.target}.`);
  console.log(`${n(s.rows)} rows: ${n(s.accepted)} stored, ${n(s.rejected)} rejected${s.rejections_file ? ` (index, code, message in ${s.rejections_file})` : ""}.`);
  if (s.chunks_already_imported) console.log(`${s.chunks_already_imported} of ${s.chunks} chunks were imported by an earlier run: nothing of them was stored again.`);
  console.log(`${s.seconds} s, ${n(s.rows_per_second)} rows/s.`);
}

async function pickTarget(url: string | undefined): Promise<ImportTarget> {
  const env = getEnv();
  const base = new URL(url ?? `http://127.0.0.1:${env.PORT}`);
  const server = serverTarget(base, readOrCreateOperatorToken());
  try {
    await server.ledger("0".repeat(64));
    return server;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== "ECONNREFUSED") throw new Error(`Could not reach the server at ${base.origin} for the import: ${(err as Error).message}`);
  }
  const owner = analyticsOwnerPid(path.join(env.DATA_DIR, "clickhouse"));
  if (owner !== undefined) throw new Error(`No server answered at ${base.origin}, but process ${owner} holds ${env.DATA_DIR}. Pass the server's address with --url.`);
  return localTarget();
}
