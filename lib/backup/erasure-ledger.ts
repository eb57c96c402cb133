import "server-only";
import fs from "node:fs";
import path from "node:path";
import { z } from "zod";
import { getEnv } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { TenantId } from "@/lib/tenant-id";

// The install's record of what must never come back, one JSON line each, kept
// outside DATA_DIR and outside every backup (ERASURE_LEDGER, default DATA_DIR's
// sibling `<name>.erasures.jsonl`): tenant and end-user erasures, and revocations of API
// keys and embed sessions. A restore re-applies every erasure made at or after
// the backup began, and every revocation, so restoring an older backup never
// brings an erased tenant's data or a revoked credential back. It holds ids
// and times, nothing else.

const at = z.iso.datetime();
const Id = z.string().min(1).max(100);
export const LedgerEntry = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("tenant_erasure"), tenant_id: TenantId, at }).strict(),
  z.object({ kind: z.literal("user_erasure"), tenant_id: TenantId, user_id: z.string().min(1).max(200), at }).strict(),
  z.object({ kind: z.literal("api_key_revocation"), key_id: Id, at }).strict(),
  z.object({ kind: z.literal("session_revocation"), session_id: Id, at }).strict(),
  z.object({ kind: z.literal("tenant_sessions_revocation"), tenant_id: TenantId, at }).strict(),
]);
export type LedgerEntry = z.infer<typeof LedgerEntry>;

export function erasureLedgerPath(): string {
  return getEnv().erasureLedger;
}

/** Creates an empty ledger if there is none (at start and at every backup), so a restore can tell "none yet" from "lost". */
export function ensureErasureLedger(file = erasureLedgerPath()): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.closeSync(fs.openSync(file, "a", 0o600));
}

/**
 * Appends one entry and syncs it to disk before the change is made: an erasure
 * or revocation the ledger could not record is refused rather than left for a
 * restore to undo.
 */
export function recordInLedger(entry: LedgerEntry, file = erasureLedgerPath()): void {
  const line = JSON.stringify(LedgerEntry.parse(entry)) + "\n";
  try {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const fd = fs.openSync(file, "a", 0o600);
    try {
      fs.writeSync(fd, line);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch (err) {
    throw new AppError(
      "store_unavailable",
      `The ${entry.kind.replace(/_/g, " ")} could not be recorded in the erasure ledger ${file} (${(err as Error).message}), so nothing was changed. Make the file writable (or set ERASURE_LEDGER) and try again.`,
    );
  }
}

// Erasures recorded but not finished in this process (the server: only it erases). A backup
// that starts while one runs dates itself no later than that erasure's entry, so a restore
// of it erases that tenant again, whatever part of the erasure the backup caught.
const running = ((globalThis as unknown as { enclaveErasures?: Map<symbol, number> }).enclaveErasures ??= new Map());

/** Records a tenant's (or one of its end users') erasure about to happen; call the returned function when it has finished (or failed). */
export function beginErasure(tenantId: string, userId?: string): () => void {
  const at = Date.now();
  const when = new Date(at).toISOString();
  recordInLedger(userId === undefined ? { kind: "tenant_erasure", tenant_id: tenantId, at: when } : { kind: "user_erasure", tenant_id: tenantId, user_id: userId, at: when });
  const id = Symbol(tenantId);
  running.set(id, at);
  return () => running.delete(id);
}

/** When a backup starting now begins, for the ledger: now, or the entry time of the oldest erasure still running. */
export function backupStartTime(): Date {
  return new Date(Math.min(Date.now(), ...running.values()));
}

/** Every entry in the ledger; undefined when there is no ledger file. A damaged line stops the read: a restore must not skip one. */
export function readLedger(file = erasureLedgerPath()): LedgerEntry[] | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
  return text.split("\n").flatMap((line, i) => {
    if (line.trim() === "") return [];
    const parsed = LedgerEntry.safeParse(parseJsonLine(line));
    if (!parsed.success) throw new AppError("validation_failed", `Line ${i + 1} of the erasure ledger ${file} is not a valid entry. Repair it (e.g. {"kind":"tenant_erasure","tenant_id":…,"at":…}) and run restore again.`);
    return [parsed.data];
  });
}

function parseJsonLine(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}
