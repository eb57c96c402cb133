import "server-only";
import { loadPublishedSource } from "@/lib/dashboards/load-source";
import { getEnv } from "@/lib/env";
import { loadActiveSession } from "@/lib/embed/sessions";
import { initialState, runDashboard } from "@/lib/query/run-dashboard";
import { scopeFromEmbedSession } from "@/lib/query/scope";
import { activeQueries } from "@/lib/query/tenant-slots";

// Warm at mint: when a backend mints a session, the first render's queries
// start at once, so the iframe's first request finds them in the result
// cache. Bounded: warms run two at a time from a short queue (a burst of mints
// drops the excess), a warm yields to a tenant whose queries are already
// running (renders come first), and the session is re-checked when its warm
// starts, so nothing is computed for one revoked before it is opened.

const RUNNING_MAX = 2;
const QUEUE_MAX = 100;

type Job = { sessionId: string; tenantId: string; dashboardId: string };
const shared = globalThis as unknown as { enclaveWarm?: { queue: Job[]; running: number; idle: Array<() => void>; stats: { done: number; skipped: number; dropped: number } } };
const state = (shared.enclaveWarm ??= { queue: [], running: 0, idle: [], stats: { done: 0, skipped: 0, dropped: 0 } });

export function warmSession(job: Job): void {
  const env = getEnv();
  if (!env.EMBED_WARM_AT_MINT || env.RESULT_CACHE_TTL_SECONDS === 0) return;
  if (state.queue.length >= QUEUE_MAX) {
    state.stats.dropped++;
    return;
  }
  state.queue.push(job);
  pump();
}

function pump() {
  while (state.running < RUNNING_MAX && state.queue.length > 0) {
    const job = state.queue.shift()!;
    state.running++;
    void warm(job).finally(() => {
      state.running--;
      pump();
      if (state.running === 0 && state.queue.length === 0) state.idle.splice(0).forEach((resolve) => resolve());
    });
  }
}

async function warm(job: Job): Promise<void> {
  try {
    // Re-checked now: a session revoked (or its tenant cut off) since minting gets nothing.
    const session = await loadActiveSession({ jti: job.sessionId, tenant: job.tenantId, dashboard: job.dashboardId });
    if (activeQueries(session.tenantId) > 0) {
      state.stats.skipped++;
      return;
    }
    const source = await loadPublishedSource(session.dashboardId);
    const scope = scopeFromEmbedSession({ verified: true, sessionId: session.id, tenantId: session.tenantId });
    await runDashboard({ scope, permissions: session.permissions, source, audience: "tenant", cache: true }, initialState(source.definition));
    state.stats.done++;
  } catch {
    // Revoked, expired, unpublished or a failing query: the page will say so when it is opened.
    state.stats.skipped++;
  }
}

/** For tests: settles when no warm is queued or running. */
export function warmIdle(): Promise<void> {
  if (state.running === 0 && state.queue.length === 0) return Promise.resolve();
  return new Promise((resolve) => state.idle.push(resolve));
}

export const warmStats = () => ({ ...state.stats, queued: state.queue.length, running: state.running });
