import "server-only";
import crypto from "node:crypto";
import { getDb } from "@/lib/db";

// What was asked and what came of it — never result rows.

export type AiOutcome = "answered" | "refused" | "invalid_output" | "timeout" | "error" | "rate_limited";

export type AiLogEntry = {
  tenantId: string;
  dashboardId?: string;
  sessionId?: string;
  userId?: string | null;
  actor: string;
  source: "embed" | "admin";
  mode: "spec" | "sql";
  question: string;
  outcome: AiOutcome;
  reason?: string;
  spec?: unknown;
  sql?: string;
  provider: string;
  latencyMs: number;
};

export async function recordAiLog(entry: AiLogEntry): Promise<string> {
  const id = `ai_${crypto.randomBytes(8).toString("hex")}`;
  await getDb().aiLog.create({
    data: {
      id,
      tenantId: entry.tenantId,
      dashboardId: entry.dashboardId,
      sessionId: entry.sessionId,
      userId: entry.userId ?? null,
      actor: entry.actor,
      source: entry.source,
      mode: entry.mode,
      question: entry.question,
      outcome: entry.outcome,
      reason: (entry.reason ?? "").slice(0, 1000),
      spec: entry.spec === undefined ? null : JSON.stringify(entry.spec),
      sql: entry.sql ?? null,
      provider: entry.provider,
      latencyMs: Math.round(entry.latencyMs),
    },
  });
  return id;
}

export async function listAiLog(filter: { tenantId?: string; outcome?: string; take?: number }) {
  return getDb().aiLog.findMany({
    where: { ...(filter.tenantId ? { tenantId: filter.tenantId } : {}), ...(filter.outcome ? { outcome: filter.outcome } : {}) },
    orderBy: { createdAt: "desc" },
    take: filter.take ?? 200,
  });
}
