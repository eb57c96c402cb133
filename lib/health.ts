import "server-only";
import { getAnalytics } from "@/lib/analytics/engine";
import { currentWriteFailure, writeBlocker } from "@/lib/analytics/store-writes";
import { probeAnalyticsStore } from "@/lib/query/cross-tenant";
import { getDb } from "@/lib/db";

export type StoreHealth = { status: "ok"; latency_ms: number } | { status: "error"; error: string };
export type Health = {
  status: "ok" | "degraded";
  stores: { metadata: StoreHealth & { engine: "sqlite" }; analytics: StoreHealth & { engine: "chdb" | "server" | "unknown" } };
};

/** Error text without credentials that a URL might carry. */
function describe(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.replace(/\/\/[^/@\s]+@/g, "//***@").slice(0, 300);
}

async function probe(check: () => Promise<unknown>): Promise<StoreHealth> {
  const started = performance.now();
  try {
    await check();
    return { status: "ok", latency_ms: Math.round((performance.now() - started) * 10) / 10 };
  } catch (err) {
    return { status: "error", error: describe(err) };
  }
}

export async function checkHealth(): Promise<Health> {
  let kind: "chdb" | "server" | "unknown" = "unknown";
  const [metadata, probed] = await Promise.all([
    probe(() => getDb().$queryRawUnsafe("SELECT 1")),
    probe(async () => {
      kind = getAnalytics().kind;
      await probeAnalyticsStore();
    }),
  ]);
  let analytics = probed;
  // The probe only reads: a store that answers but cannot write is reported from what refuses its
  // writes before they start, or from the last failed write.
  const engineKind = kind as "chdb" | "server" | "unknown"; // set in the probe above
  const blocker = engineKind === "unknown" ? undefined : writeBlocker(engineKind);
  const failure = currentWriteFailure();
  if (analytics.status === "ok" && blocker) {
    analytics = { status: "error", error: `writes are refused: ${blocker}; ingest answers 503 store_unavailable` };
  } else if (analytics.status === "ok" && failure) {
    analytics = {
      status: "error",
      error: `writes fail since ${failure.since.toISOString()} (${failure.reason}; ${failure.failures} failed, the last at ${failure.last.toISOString()}): ingest answers 503 store_unavailable until a write succeeds`,
    };
  }
  const status = metadata.status === "ok" && analytics.status === "ok" ? "ok" : "degraded";
  return { status, stores: { metadata: { ...metadata, engine: "sqlite" }, analytics: { ...analytics, engine: kind } } };
}
