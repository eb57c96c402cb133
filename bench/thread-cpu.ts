import fs from "node:fs";

// CPU time of a process's threads by name, from /proc (Linux): the event loop
// is the thread whose id is the process's; libuv's pool and V8's helper
// threads (the garbage collector's among them) are all named "node"; the
// engine's are named by their pool (ThreadPool, MergeMutate, …).

const TICK_US = 1e6 / 100; // USER_HZ

function ticksOf(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[11]) + Number(fields[12]); // utime + stime
}

/** Clock ticks per thread name now. Threads that end between two readings are missed (the process total counts them). */
export function threadTicks(pid: number): Map<string, number> {
  const ticks = new Map<string, number>();
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
      const name = tid === String(pid) ? "event loop" : stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")).replace(/\d+$/, "");
      ticks.set(name, (ticks.get(name) ?? 0) + ticksOf(stat));
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return ticks;
}

/** The whole process's clock ticks, threads that have ended included. */
export function processTicks(pid: number): number {
  return ticksOf(fs.readFileSync(`/proc/${pid}/stat`, "utf8"));
}

export type ThreadCpu = { name: string; usPerRow: number }[];

/** Starts a measurement of `pid`; the returned function ends it: µs per row, in all and by thread name (largest first). */
export function measureThreads(pid: number): (rows: number) => { usPerRow: number; byThread: ThreadCpu } {
  const before = threadTicks(pid);
  const total = processTicks(pid);
  return (rows) => {
    const after = threadTicks(pid);
    const byThread = [...after]
      .map(([name, t]) => ({ name, usPerRow: ((t - (before.get(name) ?? 0)) * TICK_US) / rows }))
      .filter((x) => x.usPerRow > 0)
      .sort((a, b) => b.usPerRow - a.usPerRow);
    return { usPerRow: ((processTicks(pid) - total) * TICK_US) / rows, byThread };
  };
}

/** "event loop 4.2 µs; MergeMutate 5.0 µs; …" */
export function describeThreads(byThread: ThreadCpu, top = 8): string {
  return byThread
    .slice(0, top)
    .map((x) => `${x.name} ${x.usPerRow.toFixed(1)} µs`)
    .join("; ");
}

/** Clock ticks of the engine's merge threads (named "Merge…") of `pid` now. */
function mergeTicks(pid: number): number {
  let n = 0;
  for (const [name, t] of threadTicks(pid)) if (name.startsWith("Merge")) n += t;
  return n;
}

/**
 * Waits until the engine in `pid` has stopped merging (no merge thread used
 * CPU for `quietMs`, or `capMs` passed) and answers when it last did
 * (performance.now()): inserts leave parts that background merges rewrite,
 * work a run has caused but whose clock stopped before it was done.
 */
export async function mergesSettled(pid: number, quietMs = 1_500, capMs = 60_000): Promise<number> {
  const start = performance.now();
  let last = start;
  let ticks = mergeTicks(pid);
  while (performance.now() - last < quietMs && performance.now() - start < capMs) {
    await new Promise((r) => setTimeout(r, 50));
    const now = mergeTicks(pid);
    if (now !== ticks) {
      ticks = now;
      last = performance.now();
    }
  }
  return last;
}
