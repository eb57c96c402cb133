import "server-only";
import { getDb } from "@/lib/db";
import { AppError } from "@/lib/errors";
import type { ChunkOutcome } from "@/lib/import/import-spec";

// The import ledger (model ImportChunk): file hash + chunk → outcome. A chunk
// is claimed before its insert with the ingest sequence number its rows will
// carry. A re-run after a crash finds the claim without an outcome: whatever
// of the chunk reached the engine is deleted by that number (however long ago:
// the engine's deduplication remembers only its last inserts), the claim moves
// to a new number, and the chunk is inserted again (lib/import/import-chunk.ts).

/** Rejections kept per chunk in the ledger (the first run's file has them all). */
export const LEDGER_REJECTIONS = 1000;

export type Claim = { done: ChunkOutcome } | { seq: number };

export async function claimChunk(options: { fileHash: string; chunk: number; specHash: string; seq: number }): Promise<Claim> {
  const db = getDb();
  const { fileHash, chunk, specHash, seq } = options;
  try {
    await db.importChunk.create({ data: { fileHash, chunk, specHash, seq: BigInt(seq) } });
    return { seq };
  } catch (err) {
    if ((err as { code?: string }).code !== "P2002") throw err;
  }
  const prior = await db.importChunk.findUniqueOrThrow({ where: { fileHash_chunk: { fileHash, chunk } } });
  if (prior.specHash !== specHash) {
    throw new AppError("conflict", `This file was imported before with another format or mapping (chunk ${chunk}). Importing it again differently would store its rows twice; delete the rows first or import the file as it was.`);
  }
  if (prior.doneAt) return { done: outcomeOf(prior) };
  return { seq: Number(prior.seq) };
}

export async function finishChunk(fileHash: string, outcome: ChunkOutcome): Promise<void> {
  await getDb().importChunk.update({
    where: { fileHash_chunk: { fileHash, chunk: outcome.chunk } },
    data: { rows: outcome.rows, accepted: outcome.accepted, rejected: outcome.rejected, rejections: JSON.stringify(outcome.rejections.slice(0, LEDGER_REJECTIONS)), doneAt: new Date() },
  });
}

/** The claim of a chunk cut off by a crash takes the number of the attempt that inserts it again. */
export async function moveClaim(fileHash: string, chunk: number, seq: number): Promise<void> {
  await getDb().importChunk.updateMany({ where: { fileHash, chunk, doneAt: null }, data: { seq: BigInt(seq) } });
}

/** A claim whose chunk failed before any insert began (a refused mapping, a parse error): free it for a corrected re-run. */
export async function dropClaim(fileHash: string, chunk: number): Promise<void> {
  await getDb().importChunk.deleteMany({ where: { fileHash, chunk, doneAt: null } });
}

/** What the ledger holds for a file, chunk by chunk. */
export async function ledgerOf(fileHash: string): Promise<(ChunkOutcome & { specHash: string; done: boolean })[]> {
  const rows = await getDb().importChunk.findMany({ where: { fileHash }, orderBy: { chunk: "asc" } });
  return rows.map((r) => ({ ...outcomeOf(r), specHash: r.specHash, done: r.doneAt !== null }));
}

function outcomeOf(r: { chunk: number; rows: number; accepted: number; rejected: number; rejections: string }): ChunkOutcome {
  return { chunk: r.chunk, rows: r.rows, accepted: r.accepted, rejected: r.rejected, fast: 0, rejections: JSON.parse(r.rejections), replayed: true };
}
