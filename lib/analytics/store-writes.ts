import "server-only";
import fs from "node:fs";
import type { EngineKind } from "@/lib/analytics/engine";
import { AppError } from "@/lib/errors";

// When the analytics store cannot write — a full disk, a file size limit, a
// quota, a read-only file system, parts piling up faster than merges — an
// insert fails as a whole (ClickHouse writes a part to a temporary directory
// and renames it only when complete). Ingest then answers 503
// store_unavailable with Retry-After and acknowledges nothing, and the health
// check says why until a write succeeds again. The state is on globalThis:
// Next's bundles may each load this module, and health must see ingest's.
//
// A file size limit on the process (RLIMIT_FSIZE, `ulimit -f`) is refused
// before any write: the embedded engine does not notice a write it cuts short
// (EFBIG; Node ignores SIGXFSZ). It acknowledged an insert whose data file
// ended at the limit, and the part was unreadable and set aside at the next
// start (verified with chdb 3.4). A full disk is refused by the engine itself
// (NOT_ENOUGH_SPACE: it reserves the space before writing).

const CONDITIONS: { reason: string; test: RegExp }[] = [
  { reason: "the disk is full", test: /No space left on device|ENOSPC|NOT_ENOUGH_SPACE|Code: 243\b/i },
  { reason: "a file size limit was reached", test: /File too large|EFBIG/ },
  { reason: "a disk quota was reached", test: /Disk quota exceeded|EDQUOT/i },
  { reason: "the file system is read-only", test: /Read-only file system|EROFS|TABLE_IS_READ_ONLY|Code: 242\b/i },
  { reason: "too many parts are waiting to be merged", test: /TOO_MANY_PARTS|Code: 252\b/ },
  { reason: "the engine could not write its files", test: /CANNOT_WRITE_TO_FILE_DESCRIPTOR|CANNOT_FSYNC|Code: (?:75|95)\b/ },
];

/** The process's file size limit in bytes (Linux), or undefined when there is none or it cannot be read. */
export function fileSizeLimit(): number | undefined {
  try {
    const line = fs.readFileSync("/proc/self/limits", "utf8").split("\n").find((l) => l.startsWith("Max file size"));
    const soft = line?.slice("Max file size".length).trim().split(/\s+/)[0];
    return soft && /^\d+$/.test(soft) ? Number(soft) : undefined;
  } catch {
    return undefined;
  }
}

/** Why the store must not be written at all, before trying: the embedded engine under a file size limit. */
export function writeBlocker(kind: EngineKind): string | undefined {
  const limit = kind === "chdb" ? fileSizeLimit() : undefined;
  return limit === undefined ? undefined : `the server process has a file size limit of ${limit} bytes (ulimit -f), which the embedded engine does not survive intact: remove it`;
}

export type WriteFailure = { reason: string; since: Date; last: Date; failures: number };

const state = ((globalThis as unknown as { enclaveStoreWrites?: { failure?: WriteFailure } }).enclaveStoreWrites ??= {});

/** Why an engine error means the store cannot write, or undefined for any other error. */
export function writeFailureReason(err: unknown): string | undefined {
  const text = err instanceof Error ? `${err.message} ${(err as { code?: unknown }).code ?? ""}` : String(err);
  return CONDITIONS.find((c) => c.test.test(text))?.reason;
}

/**
 * Runs one write. A failure because the store cannot write is recorded and
 * rethrown as a 503 that says so; any other error is rethrown as it is.
 */
export async function storeWrite<T>(kind: EngineKind, write: () => Promise<T>): Promise<T> {
  let result: T;
  try {
    const blocker = writeBlocker(kind);
    if (blocker) throw new StoreBlocked(blocker);
    result = await write();
  } catch (err) {
    const reason = err instanceof StoreBlocked ? err.message : writeFailureReason(err);
    if (!reason) throw err;
    const now = new Date();
    state.failure = { reason, since: state.failure?.since ?? now, last: now, failures: (state.failure?.failures ?? 0) + 1 };
    console.error(`analytics store cannot write (${reason}): ${err instanceof Error ? err.message.split("\n")[0].slice(0, 500) : String(err)}`);
    throw new AppError("store_unavailable", `The analytics store cannot write right now (${reason}). Nothing from this request was stored. Retry later with the same Idempotency-Key; GET /api/health shows when the store writes again.`);
  }
  state.failure = undefined;
  return result;
}

class StoreBlocked extends Error {}

/** The store's writes are failing since when, and why; undefined when the last write succeeded. */
export function currentWriteFailure(): WriteFailure | undefined {
  return state.failure;
}
