import fs from "node:fs";

// The server's resident memory (VmRSS from /proc/<pid>/status), sampled every
// half second. Growth over the last 30 s is the slope of a least-squares line
// through that window's samples, times 30 s: garbage collections make RSS
// saw up and down by tens of MB, and a line through the window follows the
// trend where two end points would follow the saw. Linux only.

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
      const t0 = samples[0].at;
      return {
        startMb: samples[0].mb,
        endMb: end.mb,
        growthLast30Mb: slopePerMs(window) * 30_000,
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
