import { cpuMs } from "./cpu";
import type { ExpectedNumbers } from "./expected";
import { checkEmbed, type LeakTally } from "./leak-check";
import type { EmbedSession } from "./server";
import { mapLimit, pct } from "./stats";

// Full server renders of /embed/<token> (six widgets computed on the server),
// timed from request to the last byte, each response checked for leaks.

export const LEVELS = [1, 10, 50] as const;

/** One load level: each render's time, and the server's CPU (from its own accounting) per render over the level. */
export type Latencies = { level: number; samples: number[]; failures: number; cpuMsPerRender?: number };
export type LoadContext = { expected: ExpectedNumbers; tally: LeakTally; serverPid?: number };

async function render(session: EmbedSession, ctx: LoadContext): Promise<number | undefined> {
  const started = performance.now();
  const res = await fetch(session.url, { headers: { "accept-encoding": "gzip" } });
  const html = await res.text();
  const elapsed = performance.now() - started;
  if (res.status !== 200) return undefined;
  checkEmbed(html, session.tenant, ctx.expected, ctx.tally);
  return elapsed;
}

async function measure(level: number, sessions: EmbedSession[], ctx: LoadContext): Promise<Latencies> {
  const cpuBefore = cpuMs(ctx.serverPid);
  const times = await mapLimit(sessions, level, (s) => render(s, ctx).catch(() => undefined));
  const cpuAfter = cpuMs(ctx.serverPid);
  const samples = times.filter((t): t is number => t !== undefined);
  const cpuMsPerRender = cpuBefore !== undefined && cpuAfter !== undefined && times.length > 0 ? (cpuAfter - cpuBefore) / times.length : undefined;
  return { level, samples, failures: times.length - samples.length, cpuMsPerRender };
}

/** Renders each session once, untimed (still leak-checked). */
export async function renderOnce(sessions: EmbedSession[], ctx: LoadContext): Promise<void> {
  await mapLimit(sessions, 10, (s) => render(s, ctx).catch(() => undefined));
}

/**
 * Cold: each level gets tenants nobody has queried since the server started,
 * each rendered once, `level` different tenants at a time.
 */
export async function coldLoad(cold: Record<number, EmbedSession[]>, ctx: LoadContext): Promise<Latencies[]> {
  const out: Latencies[] = [];
  for (const level of LEVELS) out.push(await measure(level, cold[level], ctx));
  return out;
}

/**
 * Warm: a pool of tenants rendered once beforehand (not timed), then rendered
 * round-robin so that `level` requests of different tenants are always in flight.
 */
export async function warmLoad(pool: EmbedSession[], ctx: LoadContext, samplesPerLevel: number): Promise<Latencies[]> {
  const out: Latencies[] = [];
  for (const level of LEVELS) {
    const tenants = pool.slice(0, Math.max(level, Math.min(pool.length, 20)));
    await renderOnce(tenants, ctx);
    const rounds = Math.max(2, Math.ceil(Math.max(samplesPerLevel, level * 4) / tenants.length));
    const sequence = Array.from({ length: rounds }, () => tenants).flat();
    out.push(await measure(level, sequence, ctx));
  }
  return out;
}

export const summarize = (l: Latencies) => ({ level: l.level, n: l.samples.length, failures: l.failures, p50: pct(l.samples, 50), p95: pct(l.samples, 95), p99: pct(l.samples, 99) });

/** Splits tenants (already shuffled) into disjoint cold sets per level, scaled down to what exists. */
export function planColdSets<T>(tenants: T[], wanted: Record<number, number> = { 1: 30, 10: 100, 50: 200 }): Record<number, T[]> {
  const scale = Math.min(1, tenants.length / LEVELS.reduce((sum, l) => sum + wanted[l], 0));
  let at = 0;
  return Object.fromEntries(LEVELS.map((l) => [l, tenants.slice(at, (at += Math.max(1, Math.floor(wanted[l] * scale))))]));
}
