import "server-only";

// Sliding one-minute windows per key (a session, a tenant), shared by every
// route bundle of the process. A refusal says when to try again.

const WINDOW_MS = 60_000;
const shared = globalThis as unknown as { enclaveAiWindows?: Map<string, number[]> };
const windows = (shared.enclaveAiWindows ??= new Map<string, number[]>());

export type Take = { ok: true } | { ok: false; retryAfterSeconds: number };

/** Takes one slot from every key, or none if any key is full. */
export function takeSlots(limits: Array<{ key: string; perMinute: number }>, now = Date.now()): Take {
  // Forget idle keys now and then, so ended sessions do not pile up.
  if (windows.size > 10_000) for (const [key, times] of windows) if (times[times.length - 1] <= now - WINDOW_MS) windows.delete(key);
  let wait = 0;
  for (const { key, perMinute } of limits) {
    const recent = (windows.get(key) ?? []).filter((t) => t > now - WINDOW_MS);
    windows.set(key, recent);
    if (recent.length >= perMinute) wait = Math.max(wait, recent[0] + WINDOW_MS - now);
  }
  if (wait > 0) return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil(wait / 1000)) };
  for (const { key } of limits) windows.get(key)!.push(now);
  return { ok: true };
}
