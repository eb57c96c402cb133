import "server-only";
import type { Prisma } from "@prisma/client";
import { getDb } from "@/lib/db";

// Every admin action and every API-key call that changes something is recorded here.

export type AuditEntry = {
  /** "admin:<email>", "apikey:<prefix>" or "system". */
  actor: string;
  /** Dotted verb, e.g. "auth.login", "api_key.create". */
  action: string;
  target?: string;
  meta?: Record<string, unknown>;
};

/** `db`: the transaction of the change being recorded, so the change and its record commit together. */
export async function recordAudit(entry: AuditEntry, db: Prisma.TransactionClient = getDb()): Promise<void> {
  await db.auditLog.create({
    data: {
      actor: entry.actor,
      action: entry.action,
      target: entry.target ?? "",
      meta: JSON.stringify(entry.meta ?? {}),
    },
  });
}

export const adminActor = (email: string) => `admin:${email}`;
export const apiKeyActor = (prefix: string) => `apikey:${prefix}`;
