import fs from "node:fs";

// The server's resident memory (VmRSS from /proc/<pid>/status), sampled every
// half second. Garbage collections make RSS saw up and down by 40–70 MB about
// every 40 s here, so neither two end points nor a line through 30 s of
// samples (which follows the saw when the window holds its rising half) say
// whether memory is kept. Growth over the last 30 s is the rise of the floor:
// the lowest RSS in the last 30 s minus the lowest in the 30 s before it.
// What a leak keeps raises the floor; what a collection frees does not.
// The line's slope is reported too. Linux only.

export function readRssMb(pid: number): number | undefined {
  try {
    const kb = /VmRSS:\s+(\d+)\s+kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
    return kb ? Number(kb) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

export function rssSampler(pid: number, everyMs = 500) {
  const samples: { at: number; mb: number }[] = [];
  const take = () => {
    const mb = readRssMb(pid);
    if (mb !== undefined) samples.push({ at: performance.now(), mb });
  };
  take();
  if (samples.length === 0) throw new Error(`cannot read /proc/${pid}/status: the soak measures memory on Linux only`);
  const timer = setInterval(take, everyMs);
  return {
    stop() {
      clearInterval(timer);
      take();
      const end = samples.at(-1)!;
      const window = samples.filter((s) => s.at >= end.at - 30_000);
      const before = samples.filter((s) => s.at >= end.at - 60_000 && s.at < end.at - 30_000);
      const floor = (points: { mb: number }[]) => Math.min(...points.map((p) => p.mb));
      const t0 = samples[0].at;
      return {
        startMb: samples[0].mb,
        endMb: end.mb,
        /** The lowest RSS of the last 30 s minus the lowest of the 30 s before (the first sample when the run is shorter). */
        growthLast30Mb: floor(window) - floor(before.length ? before : [samples[0]]),
        /** The slope of a least-squares line through the last 30 s, times 30 s: follows the saw. */
        trendLast30Mb: slopePerMs(window) * 30_000,
        /** [seconds since the start, MB] every second, for a look at the curve. */
        samples: samples.filter((_, i) => i % 2 === 0).map((s) => [Math.round((s.at - t0) / 1000), Math.round(s.mb)]),
      };
    },
  };
}

function slopePerMs(points: { at: number; mb: number }[]): number {
  const n = points.length;
  const mx = points.reduce((s, p) => s + p.at, 0) / n;
  const my = points.reduce((s, p) => s + p.mb, 0) / n;
  const sxx = points.reduce((s, p) => s + (p.at - mx) ** 2, 0);
  return sxx === 0 ? 0 : points.reduce((s, p) => s + (p.at - mx) * (p.mb - my), 0) / sxx;
}

type Parts = { collected?: boolean; process_mb: Record<string, number>; engine_mb: Record<string, number>; caches: Record<string, number> };
type PartsSample = { at: number; parts: Parts };

/**
 * The server's memory by part (GET /api/operator/memory?collect=1: a full
 * garbage collection, then the JavaScript heap, the engine's tracker and
 * caches, in-process cache sizes) every few seconds, so a rise in RSS can be
 * put on the part that holds it. The server must run with --expose-gc (the
 * soak starts it so); a sample taken without a collection is not kept. The
 * first sample is taken before this returns: start it before the load.
 */
export async function partsSampler(url: string, operatorToken: string, everyMs = 5_000) {
  const samples: PartsSample[] = [];
  let uncollected = 0;
  const t0 = performance.now();
  const take = () =>
    fetch(`${url}/api/operator/memory?collect=1`, { headers: { authorization: `Bearer ${operatorToken}` } })
      .then((res) => (res.ok ? (res.json() as Promise<Parts>) : undefined))
      .then((parts) => {
        if (parts?.collected) samples.push({ at: (performance.now() - t0) / 1000, parts });
        else if (parts) uncollected++;
      }, () => undefined);
  await take();
  const timer = setInterval(take, everyMs);
  return {
    /** Call once the load has stopped: the last sample is taken at rest. */
    async stop() {
      clearInterval(timer);
      await take();
      if (uncollected > 0 && samples.length === 0) throw new Error("the server did not collect garbage on request: start it with --expose-gc in SERVER_NODE_FLAGS");
      return samples;
    },
  };
}

/** What JavaScript holds after a collection: the live heap and the buffers outside it. */
export const heldMb = (p: Parts): number => p.process_mb.heap_used + p.process_mb.external;

/**
 * The rise of what JavaScript holds over the last `seconds` of the samples: a
 * least-squares line through them, times the window. After a collection there
 * is no saw to follow, so the line is the trend; by then the result cache
 * (30 s TTL) has reached its size.
 */
export function heldGrowthMb(samples: PartsSample[], seconds = 30): number {
  const end = samples.at(-1)?.at ?? 0;
  const window = samples.filter((s) => s.at >= end - seconds).map((s) => ({ at: s.at * 1000, mb: heldMb(s.parts) }));
  return window.length < 3 ? NaN : slopePerMs(window) * seconds * 1000;
}

/**
 * The engine's tracked memory holds the queries running at that moment too
 * (20–170 MB under the soak's load, never idle for long), so what it keeps is
 * judged at rest: the last sample (taken once the load has stopped) minus the
 * first (taken before it started). Its caches are bounded by configuration.
 */
export function engineRestGrowthMb(samples: PartsSample[]): number {
  const tracked = (s: PartsSample | undefined) => s?.parts.engine_mb.MemoryTracking ?? NaN;
  return samples.length < 2 ? NaN : tracked(samples.at(-1)) - tracked(samples[0]);
}

/** One line: heap used, engine tracked memory, caches. */
export function describeParts(p: Parts | undefined): string {
  if (!p) return "not sampled";
  const cacheBytes = Object.entries(p.engine_mb).filter(([k]) => k !== "MemoryTracking").map(([k, v]) => `${k} ${v}`).join(", ");
  return `JS heap live ${p.process_mb.heap_used} MB of ${p.process_mb.heap_total}, external ${p.process_mb.external} MB; engine tracked ${p.engine_mb.MemoryTracking ?? "?"} MB${cacheBytes ? ` (${cacheBytes})` : ""}; cached results ${p.caches.results}, sessions ${p.caches.sessions}`;
}
