import "server-only";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { z } from "zod";
import { getEnv } from "@/lib/env";

// Secrets come from env, or are generated once into DATA_DIR/secrets.json (mode 600).
// There is deliberately no fallback string anywhere in the code.

export type SigningKey = { kid: string; secret: string };
export type Secrets = { nextAuthSecret: string; embedSigningKeys: SigningKey[] };

const StoredSecrets = z.object({
  nextAuthSecret: z.string().min(32),
  embedSigningKeys: z.array(z.object({ kid: z.string().min(1), secret: z.string().min(32) })).min(1),
});

function generate(): z.infer<typeof StoredSecrets> {
  return {
    nextAuthSecret: crypto.randomBytes(32).toString("base64url"),
    embedSigningKeys: [{ kid: `k${Date.now().toString(36)}`, secret: crypto.randomBytes(32).toString("base64url") }],
  };
}

function readOrCreate(file: string): z.infer<typeof StoredSecrets> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  try {
    // "wx" fails if another process created the file first; then we read theirs.
    fs.writeFileSync(file, JSON.stringify(generate(), null, 2) + "\n", { flag: "wx", mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  }
  const parsed = StoredSecrets.safeParse(JSON.parse(fs.readFileSync(file, "utf8")));
  if (!parsed.success) {
    throw new Error(`${file} is not a valid secrets file. Restore it from a backup, or delete it to generate new secrets (this signs out every admin and invalidates every embed link).`);
  }
  return parsed.data;
}

let cached: Secrets | undefined;

export function getSecrets(): Secrets {
  if (cached) return cached;
  const env = getEnv();
  const needFile = !env.NEXTAUTH_SECRET || !env.EMBED_SIGNING_KEYS;
  const stored = needFile ? readOrCreate(path.join(env.DATA_DIR, "secrets.json")) : undefined;
  cached = {
    nextAuthSecret: env.NEXTAUTH_SECRET ?? stored!.nextAuthSecret,
    embedSigningKeys: env.EMBED_SIGNING_KEYS ?? stored!.embedSigningKeys,
  };
  return cached;
}
