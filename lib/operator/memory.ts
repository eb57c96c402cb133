import "server-only";
import { engineMemoryBytes } from "@/lib/analytics/engine";
import { sessionCacheSize } from "@/lib/embed/sessions";
import { resultCacheSize } from "@/lib/query/result-cache";

// Where the server's memory is: the JavaScript heap, the engine's own tracker
// and caches (the embedded engine lives in this process), and the sizes of the
// in-process caches. Operator-only (it describes the install, no tenant's
// data); the soak samples it to tell a leak in JavaScript from one in the engine.

const MB = 1024 * 1024;
const mb = (bytes: number) => Math.round((bytes / MB) * 10) / 10;

export type MemoryReport = {
  /** True when a full collection ran just before the figures: heap_used is then what the heap really holds. */
  collected: boolean;
  process_mb: { rss: number; heap_total: number; heap_used: number; external: number; array_buffers: number };
  /** MemoryTracking (what the engine's allocations hold now) and each of its caches that holds bytes. */
  engine_mb: Record<string, number>;
  caches: { results: number; sessions: number };
};

/**
 * The report. With `collect`, a full garbage collection runs first when the
 * server was started with `--expose-gc` (SERVER_NODE_FLAGS); it pauses the
 * process for tens of milliseconds, so it is the operator's (and the soak's)
 * choice, never a default. Without that flag `collected` says false.
 */
export async function memoryReport(options: { collect?: boolean } = {}): Promise<MemoryReport> {
  const gc = (globalThis as { gc?: () => void }).gc;
  const collected = Boolean(options.collect) && typeof gc === "function";
  if (collected) gc!();
  const m = process.memoryUsage();
  const engine = await engineMemoryBytes();
  return {
    collected,
    process_mb: { rss: mb(m.rss), heap_total: mb(m.heapTotal), heap_used: mb(m.heapUsed), external: mb(m.external), array_buffers: mb(m.arrayBuffers) },
    engine_mb: Object.fromEntries(Object.entries(engine).map(([metric, bytes]) => [metric, mb(bytes)])),
    caches: { results: resultCacheSize(), sessions: sessionCacheSize() },
  };
}
