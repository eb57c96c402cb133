import "server-only";
import fs from "node:fs";
import { recordAudit } from "@/lib/audit";
import { getDb } from "@/lib/db";
import { getEnv } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { DATA_TOKEN_TTL_SECONDS, PREVIEW_TOKEN_TTL_SECONDS } from "@/lib/embed/tokens";
import { newSigningKey, readSecretsFile, secretsFile, writeSecretsFile, type StoredSecrets } from "@/lib/secrets";

// Rotating the embed signing keys in DATA_DIR/secrets.json without downtime:
// `rotate` appends a new key, which signs from then on (the server sees the
// file change on its next token); older keys still verify the tokens they
// signed. `retire` removes an old key once no token it signed can be live:
// no embed session minted before the rotation is still active, and the
// short-lived data and preview tokens (at most an hour) have run out.

const TOKEN_TAIL_MS = Math.max(DATA_TOKEN_TTL_SECONDS, PREVIEW_TOKEN_TTL_SECONDS) * 1000;
// Clock granularity between the file's rotation time and session rows.
const SLACK_MS = 1000;

export type SigningKeyRow = {
  kid: string;
  createdAt: Date | null;
  /** The newest key signs; the others only verify. */
  signs: boolean;
  /** When it stopped signing (the next key's creation); null for the newest or when unknown. */
  supersededAt: Date | null;
  /** From when `retire` accepts it; null for the newest key or when the rotation time is unknown. */
  retirableAt: Date | null;
};

function envRefusal(action: string): AppError {
  const ttl = getEnv().EMBED_MAX_TTL_SECONDS;
  return new AppError(
    "conflict",
    `EMBED_SIGNING_KEYS is set, so the signing keys come from the environment and secrets.json's are not used; ${action} them there. ` +
      `To rotate: append a new kid:secret pair (secret of 32+ random characters, e.g. openssl rand -base64 32) at the end of EMBED_SIGNING_KEYS (newest last) and restart the server. ` +
      `Remove the old pair, and restart again, once ${ttl} s (EMBED_MAX_TTL_SECONDS, the longest embed session) plus an hour have passed.`,
  );
}

const fromEnv = () => getEnv().EMBED_SIGNING_KEYS !== undefined;

/** Runs `fn` holding DATA_DIR/secrets.json.lock, so two CLI runs cannot lose each other's change. */
function withFileLock<T>(file: string, fn: () => Promise<T>): Promise<T> {
  const lock = `${file}.lock`;
  let fd: number;
  try {
    fd = fs.openSync(lock, "wx", 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") {
      throw new AppError("conflict", `Another command is changing the signing keys (${lock} exists). Wait for it; if none is running, delete that file and try again.`);
    }
    throw err;
  }
  fs.closeSync(fd);
  return fn().finally(() => fs.rmSync(lock, { force: true }));
}

/** The latest expiry of an active embed session created before `before`: its token was signed by a key older than that. */
async function lastLiveSessionBefore(before: Date, now: Date): Promise<{ count: number; until: Date | null }> {
  const where = { createdAt: { lt: new Date(before.getTime() + SLACK_MS) }, expiresAt: { gt: now }, revokedAt: null };
  const db = getDb();
  const [count, last] = await Promise.all([db.embedSession.count({ where }), db.embedSession.findFirst({ where, orderBy: { expiresAt: "desc" }, select: { expiresAt: true } })]);
  return { count, until: last?.expiresAt ?? null };
}

async function retirableAt(supersededAt: Date, now: Date): Promise<Date> {
  const live = await lastLiveSessionBefore(supersededAt, now);
  return new Date(Math.max(supersededAt.getTime() + TOKEN_TAIL_MS, live.until?.getTime() ?? 0));
}

function keyRows(secrets: StoredSecrets) {
  return secrets.embedSigningKeys.map((key, i, keys) => {
    const next = keys[i + 1];
    return { kid: key.kid, createdAt: key.createdAt ? new Date(key.createdAt) : null, signs: !next, supersededAt: next?.createdAt ? new Date(next.createdAt) : null };
  });
}

export async function listSigningKeys(now = new Date()): Promise<{ source: "env" | "file"; keys: SigningKeyRow[] }> {
  if (fromEnv()) {
    const keys = getEnv().EMBED_SIGNING_KEYS!;
    return { source: "env", keys: keys.map((k, i) => ({ kid: k.kid, createdAt: null, signs: i === keys.length - 1, supersededAt: null, retirableAt: null })) };
  }
  const rows = keyRows(readSecretsFile(secretsFile()));
  return { source: "file", keys: await Promise.all(rows.map(async (r) => ({ ...r, retirableAt: r.supersededAt ? await retirableAt(r.supersededAt, now) : null }))) };
}

/** Adds a new newest key; the previous ones keep verifying. */
export async function rotateSigningKey(actor: string, now = new Date()): Promise<{ kid: string; previous: string }> {
  if (fromEnv()) throw envRefusal("rotate");
  const file = secretsFile();
  return withFileLock(file, async () => {
    const secrets = readSecretsFile(file);
    const previous = secrets.embedSigningKeys.at(-1)!.kid;
    const key = newSigningKey(secrets.embedSigningKeys.map((k) => k.kid), now);
    writeSecretsFile(file, { ...secrets, embedSigningKeys: [...secrets.embedSigningKeys, key] });
    await recordAudit({ actor, action: "signing_key.rotate", target: key.kid, meta: { previous } });
    return { kid: key.kid, previous };
  });
}

/**
 * Removes an old key. Refuses the newest key, and a key whose tokens may still
 * be live unless `force` (for a key that leaked: its sessions stop working).
 */
export async function retireSigningKey(kid: string, options: { actor: string; force?: boolean; now?: Date }): Promise<{ kid: string; liveSessions: number }> {
  if (fromEnv()) throw envRefusal("retire");
  const now = options.now ?? new Date();
  const file = secretsFile();
  return withFileLock(file, async () => {
    const secrets = readSecretsFile(file);
    const rows = keyRows(secrets);
    const row = rows.find((r) => r.kid === kid);
    if (!row) throw new AppError("not_found", `No signing key has the kid "${kid}" (keys: ${rows.map((r) => r.kid).join(", ")}).`);
    if (row.signs) throw new AppError("conflict", `"${kid}" is the newest key, which signs every new token. Rotate first (npm run enclave -- signing-keys rotate), then retire it once its tokens have expired.`);
    const live = row.supersededAt ? await lastLiveSessionBefore(row.supersededAt, now) : { count: 0, until: null };
    if (!options.force) {
      if (!row.supersededAt) {
        throw new AppError("conflict", `When "${kid}" stopped signing is not recorded, so tokens it signed may still be live. Retire it after the longest embed session (EMBED_MAX_TTL_SECONDS) has passed since the rotation, with --force.`);
      }
      const safeAt = await retirableAt(row.supersededAt, now);
      if (now < safeAt) {
        const sessions = live.count > 0 ? `${live.count} embed session${live.count === 1 ? "" : "s"} signed with it ${live.count === 1 ? "is" : "are"} still active` : "data and preview tokens signed with it may still be in use";
        throw new AppError("conflict", `"${kid}" still verifies live tokens: ${sessions}. Retire it after ${safeAt.toISOString()}, or now with --force (those sessions then stop working; do that for a leaked key).`);
      }
    }
    writeSecretsFile(file, { ...secrets, embedSigningKeys: secrets.embedSigningKeys.filter((k) => k.kid !== kid) });
    await recordAudit({ actor: options.actor, action: "signing_key.retire", target: kid, meta: { forced: Boolean(options.force), live_sessions: live.count } });
    return { kid, liveSessions: live.count };
  });
}
