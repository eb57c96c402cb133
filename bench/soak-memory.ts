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

type Parts = { process_mb: Record<string, number>; engine_mb: Record<string, number>; caches: Record<string, number> };

/**
 * The server's memory by part (GET /api/operator/memory: JavaScript heap, the
 * engine's tracker and caches, in-process cache sizes) every few seconds, so a
 * rise in RSS can be put on the part that holds it.
 */
export function partsSampler(url: string, operatorToken: string, everyMs = 5_000) {
  const samples: Array<{ at: number; parts: Parts }> = [];
  const t0 = performance.now();
  const take = () =>
    fetch(`${url}/api/operator/memory`, { headers: { authorization: `Bearer ${operatorToken}` } })
      .then((res) => (res.ok ? (res.json() as Promise<Parts>) : undefined))
      .then((parts) => void (parts && samples.push({ at: Math.round((performance.now() - t0) / 1000), parts })), () => undefined);
  void take();
  const timer = setInterval(take, everyMs);
  return {
    async stop() {
      clearInterval(timer);
      await take();
      return samples;
    },
  };
}

/** One line: heap used, engine tracked memory, caches. */
export function describeParts(p: Parts | undefined): string {
  if (!p) return "not sampled";
  const cacheBytes = Object.entries(p.engine_mb).filter(([k]) => k !== "MemoryTracking").map(([k, v]) => `${k} ${v}`).join(", ");
  return `JS heap used ${p.process_mb.heap_used} MB of ${p.process_mb.heap_total}, external ${p.process_mb.external} MB; engine tracked ${p.engine_mb.MemoryTracking ?? "?"} MB${cacheBytes ? ` (${cacheBytes})` : ""}; cached results ${p.caches.results}, sessions ${p.caches.sessions}`;
}
