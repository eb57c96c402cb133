import "server-only";
import { getDb } from "@/lib/db";

// The overview's "Get started": create a key → publish a dashboard → mint a
// session → send events, each step ticked from the install's real state (an
// active key, a live non-archived dashboard, a session ever minted, a batch
// POST /v1/events ever accepted), never from what the admin clicked.

export type Milestone = "events_received";
export type FirstRunStep = { key: "key" | "publish" | "session" | "events"; done: boolean };

// Recorded once per process at most: a milestone is written on its first occurrence, then remembered.
const shared = globalThis as unknown as { enclaveMilestones?: Set<string> };
const known = (shared.enclaveMilestones ??= new Set<string>());

/** Records that `name` happened (once; later calls cost nothing). Never fails the caller. */
export async function recordMilestone(name: Milestone): Promise<void> {
  if (known.has(name)) return;
  try {
    await getDb().milestone.upsert({ where: { name }, create: { name }, update: {} });
    known.add(name);
  } catch (err) {
    console.error(`milestone ${name} not recorded: ${err instanceof Error ? err.message : String(err)}`);
  }
}

export async function firstRunSteps(now = new Date()): Promise<FirstRunStep[]> {
  const db = getDb();
  const [keys, live, sessions, events] = await Promise.all([
    db.apiKey.count({ where: { revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] } }),
    db.dashboard.count({ where: { archivedAt: null, liveVersionId: { not: null } } }),
    db.embedSession.count(),
    db.milestone.count({ where: { name: "events_received" } }),
  ]);
  return [
    { key: "key", done: keys > 0 },
    { key: "publish", done: live > 0 },
    { key: "session", done: sessions > 0 },
    { key: "events", done: events > 0 },
  ];
}
