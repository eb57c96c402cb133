import "server-only";
import crypto from "node:crypto";
import { z } from "zod";
import { getAnalytics } from "@/lib/analytics/engine";
import { insertRowBatch, reserveIngestSeq, type IngestResult } from "@/lib/analytics/ingest";
import type { ApiKeyContext } from "@/lib/auth/with-api-key";
import { getDb } from "@/lib/db";
import { getEnv } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { readEventBatch } from "@/lib/ingest/read-batch";

// POST /v1/events: the valid rows of a batch are inserted together, and the
// answer is sent only after the insert returned. With an Idempotency-Key, a
// retried batch is written once: the key is namespaced per API key, the same
// key with another body is a 409, and the engine insert carries a
// deduplication token, so a retry after a crash between insert and
// acknowledgement is a no-op in the engine too.

export const IDEMPOTENCY_HOURS = 24;
const IdempotencyKey = z.string().regex(/^[\x21-\x7e]{1,200}$/, "expected 1 to 200 printable ASCII characters without spaces");

const PENDING = "";
const sweep = { last: 0 };

export type IngestAnswer = { status: 200; body: IngestResult; replayed: boolean };

export async function ingestRequest(req: Request, ctx: ApiKeyContext): Promise<IngestAnswer> {
  const rawKey = req.headers.get("idempotency-key");
  const parsedKey = rawKey === null ? undefined : IdempotencyKey.safeParse(rawKey.trim());
  if (parsedKey && !parsedKey.success) throw new AppError("validation_failed", `Idempotency-Key: ${parsedKey.error.issues[0].message}.`);
  const key = parsedKey?.data;

  const batch = await readEventBatch(req, { maxBytes: getEnv().INGEST_MAX_BODY_BYTES, onlyTenant: ctx.key.tenantId ?? undefined });
  // Reserved from the claim to the acknowledgement: a rollup build waits for it (lib/rollups/build.ts).
  let reservation = reserveIngestSeq();
  try {
    if (key) {
      const claim = await claimKey(ctx.key.id, key, batch.bodyHash, reservation.seq);
      if ("replay" in claim) return { status: 200, body: claim.replay, replayed: true };
      if (claim.seq !== reservation.seq) {
        // A retry of a batch cut off by a crash: the same number as its first attempt.
        reservation.release();
        reservation = reserveIngestSeq(claim.seq);
      }
    }
    const dedupToken = key ? crypto.createHash("sha256").update(`${ctx.key.id}\n${key}\n${batch.bodyHash}`).digest("hex") : undefined;
    const body: IngestResult = { accepted: batch.rows.rows, rejected: batch.rejected };
    try {
      await insertRowBatch(getAnalytics(), batch.rows, dedupToken, reservation);
    } catch (err) {
      // Nothing was acknowledged: free the key so the client's retry is not refused.
      if (key) await getDb().idempotencyKey.deleteMany({ where: { apiKeyId: ctx.key.id, key, response: PENDING } });
      throw err;
    }
    if (key) {
      const data = { bodyHash: batch.bodyHash, response: JSON.stringify(body) };
      await getDb().idempotencyKey.upsert({ where: { apiKeyId_key: { apiKeyId: ctx.key.id, key } }, create: { apiKeyId: ctx.key.id, key, seq: BigInt(reservation.seq), ...data }, update: data });
    }
    return { status: 200, body, replayed: false };
  } finally {
    reservation.release();
  }
}

/**
 * Claims the key for this body before inserting. Returns the stored answer
 * when the same batch was already written; throws 409 when the key belongs to
 * another body. The same body still in flight (or cut off by a crash) is
 * written again: its engine insert carries the same deduplication token, so
 * it is stored once and the client is not kept waiting, and the same ingest
 * sequence number, so each rollup counts it once too.
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
