// Small helpers shared by the benchmark's parts: percentiles, number
// formatting, a progress line, and a seeded PRNG.

export function pct(xs: number[], p: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

export const ms = (n: number) => (Number.isFinite(n) ? n.toFixed(n < 10 ? 2 : 1) : "—");
export const int = (n: number) => Math.round(n).toLocaleString("en");
export const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} kB`;

/** A one-line progress bar with rows/s, redrawn in place on a terminal, every 2 s otherwise. */
export function progress(label: string, total: number) {
  const started = performance.now();
  const tty = process.stdout.isTTY;
  let shown = 0;
  return {
    update(done: number) {
      const now = performance.now();
      if (done < total && now - shown < (tty ? 200 : 2000)) return;
      shown = now;
      const pctDone = total ? Math.min(100, Math.floor((done / total) * 100)) : 100;
      const rate = done / ((now - started) / 1000);
      const bar = "#".repeat(Math.floor(pctDone / 4)).padEnd(25, ".");
      process.stdout.write(`${tty ? "\r" : ""}  ${label} [${bar}] ${pctDone}% ${int(done)}/${int(total)} rows, ${int(rate)} rows/s${tty ? "" : "\n"}`);
    },
    end() {
      if (tty) process.stdout.write("\n");
      return (performance.now() - started) / 1000;
    },
  };
}

/** mulberry32: small, fast, deterministic. */
export function seededRandom(seed: number): () => number {
  let a = seed | 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher–Yates with a seeded PRNG. */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const rand = seededRandom(seed);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** Runs `fn` over items with at most `limit` at once; results in input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
