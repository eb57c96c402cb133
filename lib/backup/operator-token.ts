import "server-only";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { getEnv } from "@/lib/env";
import { AppError } from "@/lib/errors";

// The operator token lets the local CLI ask the running server for a backup.
// It is generated into DATA_DIR/operator-token (mode 600) by whichever of the
// two needs it first, so only someone who can read the data directory (and
// thus everything in it) can use it. It is per install: never in a backup.

const FILE = "operator-token";

export function operatorTokenPath(dataDir = getEnv().DATA_DIR): string {
  return path.join(dataDir, FILE);
}

/** The install's operator token, created on first use. */
export function readOrCreateOperatorToken(dataDir = getEnv().DATA_DIR): string {
  const file = operatorTokenPath(dataDir);
  fs.mkdirSync(dataDir, { recursive: true });
  try {
    // "wx": if another process created it first, read theirs.
    fs.writeFileSync(file, `${crypto.randomBytes(32).toString("base64url")}\n`, { flag: "wx", mode: 0o600 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
  }
  const token = fs.readFileSync(file, "utf8").trim();
  if (token.length < 32) throw new Error(`${file} holds no valid operator token: delete it and try again (a new one is generated).`);
  return token;
}

/** Throws 401 unless the request carries this install's operator token. Read on every call, so a token made by the CLI works at once. */
export function assertOperator(req: Request): void {
  const sent = req.headers.get("authorization")?.match(/^Bearer\s+(\S+)\s*$/i)?.[1];
  if (!sent) throw new AppError("unauthenticated", "Send the operator token (DATA_DIR/operator-token) as `Authorization: Bearer …`; `npm run enclave -- backup` does this for you.");
  const digest = (s: string) => crypto.createHash("sha256").update(s).digest();
  if (!crypto.timingSafeEqual(digest(sent), digest(readOrCreateOperatorToken()))) {
    throw new AppError("unauthenticated", "The operator token is not this server's. Run the CLI with the same DATA_DIR as the server.");
  }
}
