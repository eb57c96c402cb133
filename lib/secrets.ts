import "server-only";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { z } from "zod";
import { getEnv } from "@/lib/env";

// Secrets come from env, or are generated once into DATA_DIR/secrets.json (mode 600).
// There is deliberately no fallback string anywhere in the code.
// The file is read again when it changes (a cheap stat per call), so a signing
// key added by `enclave signing-keys rotate` is used without a restart.

export type SigningKey = { kid: string; secret: string };
export type Secrets = { nextAuthSecret: string; embedSigningKeys: SigningKey[] };

export const StoredSigningKey = z.object({
  kid: z.string().min(1),
  secret: z.string().min(32),
  /** When the key was added: the key before it stopped signing then. Absent in files written before rotation existed. */
  createdAt: z.iso.datetime().optional(),
});
export type StoredSigningKey = z.infer<typeof StoredSigningKey>;

// Loose at the top level: a field this version does not know survives a rewrite by the CLI.
export const StoredSecrets = z.looseObject({
  nextAuthSecret: z.string().min(32),
  embedSigningKeys: z.array(StoredSigningKey).min(1),
});
export type StoredSecrets = z.infer<typeof StoredSecrets>;

export const secretsFile = () => path.join(getEnv().DATA_DIR, "secrets.json");

export function newSigningKey(taken: string[], now = new Date()): StoredSigningKey {
  let kid = `k${now.getTime().toString(36)}`;
  while (taken.includes(kid)) kid = `k${now.getTime().toString(36)}${crypto.randomBytes(2).toString("hex")}`;
  return { kid, secret: crypto.randomBytes(32).toString("base64url"), createdAt: now.toISOString() };
}

function generate(): StoredSecrets {
  return { nextAuthSecret: crypto.randomBytes(32).toString("base64url"), embedSigningKeys: [newSigningKey([])] };
}

/** Reads and checks the secrets file; the message says what to do when it is broken. */
export function readSecretsFile(file: string): StoredSecrets {
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, "utf8"));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") throw new Error(`${file} is missing. Restore it from a backup (deleting it for good signs out every admin and invalidates every embed link).`);
    raw = undefined;
  }
  const parsed = StoredSecrets.safeParse(raw);
  if (!parsed.success) {
    throw new Error(`${file} is not a valid secrets file. Restore it from a backup, or delete it to generate new secrets (this signs out every admin and invalidates every embed link).`);
  }
  return parsed.data;
}

/** Replaces the secrets file atomically: a reader sees the old file or the new one, never half of one. */
export function writeSecretsFile(file: string, secrets: StoredSecrets): void {
  const temp = `${file}.${process.pid}.${crypto.randomBytes(4).toString("hex")}.tmp`;
  const fd = fs.openSync(temp, "wx", 0o600);
  try {
    fs.writeFileSync(fd, JSON.stringify(secrets, null, 2) + "\n");
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    fs.chmodSync(temp, 0o600);
    fs.renameSync(temp, file);
  } catch (err) {
    fs.rmSync(temp, { force: true });
    throw err;
  }
}

function readOrCreate(file: string): StoredSecrets {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  try {
    // "wx" fails if another process created the file first; then we read theirs.
    fs.writeFileSync(file, JSON.stringify(generate(), null, 2) + "\n", { flag: "wx", mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  }
  return readSecretsFile(file);
}

/** Changes on a rename (new inode), a rewrite in place (mtime, size) or a removal. */
function stamp(file: string): string {
  try {
    const s = fs.statSync(file);
    return `${s.ino}:${s.mtimeMs}:${s.size}`;
  } catch {
    return "missing";
  }
}

let cached: { secrets: Secrets; file?: string; stamp?: string } | undefined;

export function getSecrets(): Secrets {
  if (cached && (!cached.file || stamp(cached.file) === cached.stamp)) return cached.secrets;
  const env = getEnv();
  const needFile = !env.NEXTAUTH_SECRET || !env.EMBED_SIGNING_KEYS;
  const file = needFile ? secretsFile() : undefined;
  // Stamped before reading, so a change made while we read is read again next time.
  let seen = file ? stamp(file) : undefined;
  // Created only on the first read: a file that disappears later is an error, not a reason to make new secrets.
  const stored = file ? (cached ? readSecretsFile(file) : readOrCreate(file)) : undefined;
  if (file && seen === "missing") seen = stamp(file);
  const secrets = {
    nextAuthSecret: env.NEXTAUTH_SECRET ?? stored!.nextAuthSecret,
    embedSigningKeys: (env.EMBED_SIGNING_KEYS ?? stored!.embedSigningKeys).map(({ kid, secret }) => ({ kid, secret })),
  };
  cached = { secrets, file, stamp: seen };
  return secrets;
}
