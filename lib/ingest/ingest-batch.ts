import "server-only";
import crypto from "node:crypto";
import { z } from "zod";
import { getAnalytics, type AnalyticsEngine } from "@/lib/analytics/engine";
import { deleteInsertedRows, insertedRows, insertRowBatch, reserveIngestSeq, type IngestResult, type IngestSeq } from "@/lib/analytics/ingest";
import type { ApiKeyContext } from "@/lib/auth/with-api-key";
import { getDb } from "@/lib/db";
import { getEnv } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { readEventBatch, type Batch } from "@/lib/ingest/read-batch";
import { retireRollups, rollupsChanged } from "@/lib/rollups/build";

// POST /v1/events: the valid rows of a batch are inserted together, and the
// answer is sent only after the insert returned. With an Idempotency-Key, a
// retried batch is written once: the key is namespaced per API key, the same
// key with another body is a 409, and the engine insert carries a
// deduplication token, so a retry after a crash between insert and
// acknowledgement is a no-op in the engine too; such a retry is acknowledged
// only once its rows are counted in the store (insertRetry).

export const IDEMPOTENCY_HOURS = 24;
const IdempotencyKey = z.string().regex(/^[\x21-\x7e]{1,200}$/, "expected 1 to 200 printable ASCII characters without spaces");

const PENDING = "";
const sweep = { last: 0 };

export type IngestAnswer = { status: 200; body: IngestResult; replayed: boolean };

// The attempt in this process for each (API key, Idempotency-Key): a second request with the same key
// waits for it to settle, then gets its answer (or, if it failed, makes its own attempt).
const attempts = ((globalThis as unknown as { enclaveIngestAttempts?: Map<string, Promise<unknown>> }).enclaveIngestAttempts ??= new Map());

export async function ingestRequest(req: Request, ctx: ApiKeyContext): Promise<IngestAnswer> {
  const rawKey = req.headers.get("idempotency-key");
  const parsedKey = rawKey === null ? undefined : IdempotencyKey.safeParse(rawKey.trim());
  if (parsedKey && !parsedKey.success) throw new AppError("validation_failed", `Idempotency-Key: ${parsedKey.error.issues[0].message}.`);
  const key = parsedKey?.data;

  const batch = await readEventBatch(req, { maxBytes: getEnv().INGEST_MAX_BODY_BYTES, onlyTenant: ctx.key.tenantId ?? undefined });
  if (!key) return ingestBatch(batch, ctx);
  const slot = `${ctx.key.id}\n${key}`;
  for (let prior = attempts.get(slot); prior; prior = attempts.get(slot)) await prior.catch(() => {});
  const mine = ingestBatch(batch, ctx, key);
  attempts.set(slot, mine);
  try {
    return await mine;
  } finally {
    if (attempts.get(slot) === mine) attempts.delete(slot);
  }
}

async function ingestBatch(batch: Batch, ctx: ApiKeyContext, key?: string): Promise<IngestAnswer> {
  // Reserved from the claim to the acknowledgement: a rollup build waits for it (lib/rollups/build.ts).
  let reservation = reserveIngestSeq();
  let retry = false;
  const rollups = { retired: false };
  try {
    if (key) {
      const claim = await claimKey(ctx.key.id, key, batch.bodyHash, reservation.seq);
      if ("replay" in claim) {
        batch.rows.release();
        return { status: 200, body: claim.replay, replayed: true };
      }
      if (claim.seq !== reservation.seq) {
        // A retry of a batch cut off by a crash: the same number as its first attempt.
        reservation.release();
        reservation = reserveIngestSeq(claim.seq);
        retry = true;
      }
    }
    const dedupToken = key ? crypto.createHash("sha256").update(`${ctx.key.id}\n${key}\n${batch.bodyHash}`).digest("hex") : undefined;
    const body: IngestResult = { accepted: batch.rows.rows, rejected: batch.rejected };
    const engine = getAnalytics();
    try {
      if (!retry) await insertRowBatch(engine, batch.rows, dedupToken, reservation);
      else await insertRetry(engine, batch, dedupToken!, reservation, rollups);
    } catch (err) {
      // Nothing was acknowledged, but the insert may have reached the engine (or left it holding the
      // token): the claim stays, so the client's retry with the same key is not refused and goes through
      // insertRetry, which acknowledges only rows it finds stored. A fresh claim would insert with the
      // same token and could be dropped as a duplicate of rows that are not there.
      throw err;
    }
    if (key) {
      const data = { bodyHash: batch.bodyHash, response: JSON.stringify(body) };
      await getDb().idempotencyKey.upsert({ where: { apiKeyId_key: { apiKeyId: ctx.key.id, key } }, create: { apiKeyId: ctx.key.id, key, seq: BigInt(reservation.seq), ...data }, update: data });
    }
    return { status: 200, body, replayed: false };
  } finally {
    reservation.release();
    if (rollups.retired) rollupsChanged();
  }
}

/**
 * The insert of a retried batch whose earlier attempt was cut off: with the
 * batch's own deduplication token first (rows that landed then are not
 * stored twice), then a count of the rows under its number. The engine can
 * remember a token whose rows never landed (a server killed while it
 * committed them): it then drops the retry as a duplicate and nothing is
 * stored. So a retry is acknowledged only once its rows are there: when the
 * count is off, what landed is deleted, rollups (whose views may have counted
 * the lost rows) are built again from the events, and the batch is inserted
 * under a token of this attempt (a failure anywhere leaves the claim for the
 * next retry, which counts again).
 */
async function insertRetry(engine: AnalyticsEngine, batch: Batch, dedupToken: string, reservation: IngestSeq, rollups: { retired: boolean }): Promise<void> {
  const rows = batch.rows.rows;
  // The rows are written twice at most: keep them for the second insert.
  const again = batch.rows.copy();
  await insertRowBatch(engine, batch.rows, dedupToken, reservation);
  if ((await insertedRows(engine, reservation.seq)) === rows) {
    again.release();
    return;
  }
  // Set before anything is deleted: if what follows fails, the rollups are still built again.
  rollups.retired = true;
  await retireRollups();
  await deleteInsertedRows(engine, reservation.seq);
  await insertRowBatch(engine, again, `${dedupToken}:${crypto.randomUUID()}`, reservation);
}

/**
 * Claims the key for this body before inserting. Returns the stored answer
 * when the same batch was already written; throws 409 when the key belongs to
 * another body. A claim left unanswered (an attempt cut off by a crash, or
 * one whose insert failed) is taken over with its ingest sequence number, so
 * each rollup counts the batch once; insertRetry then makes sure its rows are
 * stored once. (An attempt still running in this process is waited for
 * before this is called.)
 */
async function claimKey(apiKeyId: string, key: string, bodyHash: string, seq: number): Promise<{ replay: IngestResult } | { seq: number }> {
  const db = getDb();
  const now = Date.now();
  // Expired keys go at most once a minute: each SQLite write waits for the disk on the event loop
  // (bench/ingest-profile.ts: the three writes per batch were 12% of the server's CPU).
  if (now - sweep.last > 60_000) {
    sweep.last = now;
    await db.idempotencyKey.deleteMany({ where: { createdAt: { lt: new Date(now - IDEMPOTENCY_HOURS * 3600_000) } } });
  }
  try {
    await db.idempotencyKey.create({ data: { apiKeyId, key, bodyHash, response: PENDING, seq: BigInt(seq) } });
    return { seq };
  } catch (err) {
    if ((err as { code?: string }).code !== "P2002") throw err;
  }
  const prior = await db.idempotencyKey.findUniqueOrThrow({ where: { apiKeyId_key: { apiKeyId, key } } });
  if (prior.createdAt.getTime() < now - IDEMPOTENCY_HOURS * 3600_000) {
    // Expired but not swept yet: as if it were gone.
    await db.idempotencyKey.deleteMany({ where: { apiKeyId, key, createdAt: prior.createdAt } });
    return claimKey(apiKeyId, key, bodyHash, seq);
  }
  if (prior.bodyHash !== bodyHash) {
    throw new AppError("conflict", `The Idempotency-Key "${key}" was used with a different body in the last ${IDEMPOTENCY_HOURS} h. Use a new key for a new batch.`);
  }
  if (prior.response !== PENDING) return { replay: JSON.parse(prior.response) as IngestResult };
  return { seq: prior.seq > BigInt(0) ? Number(prior.seq) : seq };
}
