import "server-only";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { z } from "zod";
import { AppError } from "@/lib/errors";

// manifest.json: what a backup holds, written last, so a directory without
// one is a backup that did not finish. Every file is listed with its size and
// sha256; restore checks them all before it writes anything.

export const BACKUP_FORMAT = "enclave-backup/1";
export const MANIFEST_FILE = "manifest.json";

const BackupFile = z.object({ name: z.string().min(1), bytes: z.number().int().min(0), sha256: z.string().regex(/^[0-9a-f]{64}$/) }).strict();

export const Manifest = z
  .object({
    format: z.literal(BACKUP_FORMAT),
    /** When the backup began: erasures at or after it are re-applied by a restore. */
    started_at: z.iso.datetime(),
    finished_at: z.iso.datetime(),
    database: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/),
    /** Metadata migrations applied in the backed-up app.db. */
    migrations: z.array(z.string()),
    /** "from_environment": NEXTAUTH_SECRET and EMBED_SIGNING_KEYS came from env and are not in the backup. */
    secrets: z.enum(["included", "from_environment"]),
    events: z.number().int().min(0),
    files: z.array(BackupFile),
  })
  .strict();
export type Manifest = z.infer<typeof Manifest>;

/** Every regular file under `dir`, relative, sorted (the manifest itself excluded). */
export function listFiles(dir: string, rel = ""): string[] {
  return fs
    .readdirSync(path.join(dir, rel), { withFileTypes: true })
    .flatMap((entry) => {
      const name = path.join(rel, entry.name);
      if (entry.isDirectory()) return listFiles(dir, name);
      return entry.isFile() && name !== MANIFEST_FILE ? [name] : [];
    })
    .sort();
}

async function sha256(file: string): Promise<string> {
  const hash = crypto.createHash("sha256");
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

export async function describeFiles(dir: string): Promise<Manifest["files"]> {
  const files: Manifest["files"] = [];
  for (const name of listFiles(dir)) {
    const file = path.join(dir, name);
    files.push({ name, bytes: fs.statSync(file).size, sha256: await sha256(file) });
  }
  return files;
}

export function writeManifest(dir: string, manifest: Manifest): void {
  fs.writeFileSync(path.join(dir, MANIFEST_FILE), JSON.stringify(Manifest.parse(manifest), null, 2) + "\n", { mode: 0o600 });
}

/** Reads the manifest and checks every file against it; a missing, extra, changed or truncated file is refused. */
export async function readVerifiedManifest(dir: string): Promise<Manifest> {
  const damaged = (what: string) => new AppError("validation_failed", `${dir} is not a complete Enclave backup: ${what}. Use another backup, or make a new one with: npm run enclave -- backup --to DIR`);
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(path.join(dir, MANIFEST_FILE), "utf8"));
  } catch (err) {
    throw damaged((err as NodeJS.ErrnoException).code === "ENOENT" ? `it has no ${MANIFEST_FILE} (a backup writes it last)` : `${MANIFEST_FILE} is not valid JSON`);
  }
  const parsed = Manifest.safeParse(raw);
  if (!parsed.success) throw damaged(`${MANIFEST_FILE} is not a ${BACKUP_FORMAT} manifest (${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")})`);
  const manifest = parsed.data;
  const present = listFiles(dir);
  const listed = manifest.files.map((f) => f.name);
  const extra = present.filter((name) => !listed.includes(name));
  if (extra.length) throw damaged(`files not in its manifest: ${extra.slice(0, 5).join(", ")}`);
  for (const f of manifest.files) {
    const file = path.join(dir, f.name);
    // Only names found in the directory itself: a manifest cannot point outside it.
    if (!present.includes(f.name)) throw damaged(`${f.name} is missing`);
    if (fs.statSync(file).size !== f.bytes || (await sha256(file)) !== f.sha256) throw damaged(`${f.name} differs from the file the backup wrote`);
  }
  return manifest;
}
