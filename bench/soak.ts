// The soak run: the production server on a temporary data directory, several
// tenants seeded with deterministic events, then for --seconds: --concurrency
// embed users over those tenants (mint, page, filter changes through the data
// endpoints), ingest with retried batches, sessions revoked one by one and per
// tenant, and a new version published half-way. Every answer is checked
// against its own tenant's numbers. Exits non-zero when a check fails.
//   npm run soak -- [--seconds 60] [--concurrency 50] [--tenants 60] [--events 60000] [--think-ms 600] [--seed 20261130] [--port 3310] [--json FILE] [--keep]
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { demoAnchor } from "@/lib/analytics/demo-data";
import { readOrCreateOperatorToken } from "@/lib/backup/operator-token";
import { cpuMs, serverPid } from "./cpu";
import { benchTenants, tenantEvents, type BenchEvent } from "./dataset";
import { ExpectedNumbers } from "./expected";
import { httpIngest } from "./http-ingest";
import { newTally } from "./leak-check";
import { createApiKey, startServer } from "./server";
import { SoakBook } from "./soak-book";
import { runLoad, type SoakContext } from "./soak-load";
import { describeParts, engineRestGrowthMb, heldGrowthMb, heldMb, partsSampler, rssSampler } from "./soak-memory";
import { ms } from "./stats";

const { values } = parseArgs({
  options: {
    seconds: { type: "string", default: "60" },
    concurrency: { type: "string", default: "50" },
    tenants: { type: "string", default: "60" },
    events: { type: "string", default: "60000" },
    "think-ms": { type: "string", default: "600" },
    seed: { type: "string", default: "20261130" },
    port: { type: "string", default: "3310" },
    json: { type: "string" },
    keep: { type: "boolean", default: false },
  },
});
const n = (name: keyof typeof values) => Number(values[name]);
const [SECONDS, CONCURRENCY, TENANTS, EVENTS, THINK_MS, SEED, PORT] = (["seconds", "concurrency", "tenants", "events", "think-ms", "seed", "port"] as const).map(n);
if (![SECONDS, CONCURRENCY, TENANTS, EVENTS, THINK_MS, SEED, PORT].every(Number.isSafeInteger) || SECONDS < 35 || CONCURRENCY < 1 || TENANTS < 2 || EVENTS < TENANTS * 20) {
  console.error("usage: npm run soak -- [--seconds N ≥ 35] [--concurrency N] [--tenants T ≥ 2] [--events N ≥ 20·T] [--think-ms MS] [--seed S] [--port P] [--json FILE] [--keep]");
  process.exit(2);
}
/**
 * A leak is judged by what the server holds: what JavaScript holds after a full collection (live
 * heap and buffers; its trend over the last 30 s, once the result cache has its size) and the
 * engine's tracked memory at rest (after the load against before it). Each may rise by this much.
 */
const MAX_HELD_GROWTH_MB = 10;
/**
 * RSS is a backstop for memory nothing above tracks (the C allocator, native add-ons). It moves
 * with V8's heap sizing and the allocator's arenas by tens of MB without any leak (SECURITY.md,
 * soak), so its bound is wider: the rise of its floor over the last 30 s.
 */
const MAX_RSS_GROWTH_MB = 64;

const fmt = (mb: number | undefined) => (mb === undefined ? "?" : mb.toFixed(1));
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "enclave-soak-"));
const step = (text: string) => console.log(`\n▶ ${text}`);

async function main(): Promise<boolean> {
  const url = `http://localhost:${PORT}`;
  if (await fetch(url).then(() => true, () => false)) throw new Error(`something already listens on ${url}; pick another --port`);
  step(`starting the server on ${url}, data in ${dataDir}`);
  const server = await startServer({ dataDir, port: PORT, logFile: path.join(dataDir, "server.log"), exposeGc: true });
  console.log(`  ready in ${server.startSeconds.toFixed(1)} s`);
  try {
    const key = createApiKey(dataDir, ["embed", "ingest", "admin"]);
    const pid = serverPid(dataDir);
    if (!pid) throw new Error("the server's pid was not found (clickhouse/enclave-owner.pid)");

    const anchor = demoAnchor();
    const tenants = benchTenants(EVENTS, TENANTS);
    const expected = new ExpectedNumbers(anchor);
    const events: BenchEvent[] = tenants.flatMap((t) => [...tenantEvents(t, t.rows, anchor, SEED)]);
    const countries = new Map<string, Map<string, number>>();
    for (const e of events) {
      const perTenant = countries.get(e.tenant_id) ?? countries.set(e.tenant_id, new Map()).get(e.tenant_id)!;
      perTenant.set(e.properties.country, (perTenant.get(e.properties.country) ?? 0) + 1);
    }
    step(`seeding ${events.length.toLocaleString("en")} events over ${TENANTS} tenants through POST /v1/events`);
    const seeded = await httpIngest({ url, key, events, expected, batchSize: 5_000, concurrency: 2 });
    if (!seeded.ok) throw new Error(`seeding failed: ${seeded.reason}`);
    if (seeded.rejected > 0) throw new Error(`seeding: ${seeded.rejected} rows rejected`);

    const book = new SoakBook();
    const tally = newTally();
    const ctx: SoakContext = { url, key, tenants, expected, countries, anchor, book, tally, until: performance.now() + SECONDS * 1000, thinkMs: THINK_MS, seed: SEED };
    const rss = rssSampler(pid);
    const parts = await partsSampler(url, readOrCreateOperatorToken(dataDir));
    const cpuClient = process.cpuUsage();
    const cpuServer = cpuMs(pid);
    const started = performance.now();
    step(`load for ${SECONDS} s: ${CONCURRENCY} embed users over ${TENANTS} tenants, ingest with retries, revocations, a publish at ${SECONDS / 2} s`);
    await runLoad(ctx, CONCURRENCY, SECONDS * 1000);
    const wall = (performance.now() - started) / 1000;
    const memory = rss.stop();
    const memoryParts = await parts.stop();
    const heldGrowth = heldGrowthMb(memoryParts);
    const engineGrowth = engineRestGrowthMb(memoryParts);
    const clientCpu = process.cpuUsage(cpuClient);
    const serverCpu = (cpuMs(pid) ?? NaN) - (cpuServer ?? NaN);

    step("after the load: each tenant's row count (retried batches written once)");
    const counted = await countRows(ctx, tenants.map((t) => t.id));

    const lat = book.latency();
    const reads = book.latency(["page", "render", "render-country", "filter-values"]);
    const byKind = [...book.times].map(([k, v]) => `${k} ${v.length}`).join(", ");
    const result = {
      seconds: SECONDS,
      concurrency: CONCURRENCY,
      tenants: TENANTS,
      seeded_events: events.length,
      requests: book.requests,
      requests_by_kind: Object.fromEntries([...book.times].map(([k, v]) => [k, v.length])),
      errors: book.errorCount,
      revoked_401: book.revoked401,
      served_after_revocation: book.servedAfterRevocation,
      latency_ms: { p50: lat.p50, p95: lat.p95, p99: lat.p99 },
      read_latency_ms: { p50: reads.p50, p95: reads.p95, p99: reads.p99 },
      checked_answers: tally.responses,
      checked_values: tally.values,
      cross_tenant_or_wrong_values: tally.mismatches.length,
      widget_errors: Object.fromEntries(tally.widgetErrors),
      row_count_mismatches: counted.mismatches.length,
      published: Boolean(ctx.published),
      memory_parts: memoryParts.map((s) => ({ ...s, at: Math.round(s.at) })),
      held_mb: { start: memoryParts[0] && heldMb(memoryParts[0].parts), end: memoryParts.at(-1) && heldMb(memoryParts.at(-1)!.parts), growth_last_30s: heldGrowth, engine_growth_at_rest: engineGrowth },
      rss_mb: { start: memory.startMb, end: memory.endMb, growth_last_30s: memory.growthLast30Mb, trend_last_30s: memory.trendLast30Mb, samples: memory.samples },
      cpu_percent: { server: (serverCpu / 10 / wall), soak_client: ((clientCpu.user + clientCpu.system) / 1000 / 10 / wall) },
      load_average: os.loadavg()[0],
    };
    console.log(`\nSoak: ${SECONDS} s, ${CONCURRENCY} users, ${TENANTS} tenants (seed ${SEED})`);
    console.log(`  requests       ${book.requests} (${byKind}); ${(book.requests / wall).toFixed(1)}/s`);
    console.log(`  errors         ${book.errorCount}   (revoked sessions' 401, expected: ${book.revoked401}; served > 5 s after revocation: ${book.servedAfterRevocation})`);
    console.log(`  latency        p50 ${ms(lat.p50)} ms, p95 ${ms(lat.p95)} ms, p99 ${ms(lat.p99)} ms (reads only: p50 ${ms(reads.p50)}, p95 ${ms(reads.p95)}, p99 ${ms(reads.p99)})`);
    console.log(`  leak check     ${tally.responses} answers, ${tally.values} values; cross-tenant or wrong values: ${tally.mismatches.length}; widget errors: ${JSON.stringify(result.widget_errors)}`);
    console.log(`  ingest         row counts of ${counted.checked} tenants after retried batches: ${counted.mismatches.length} mismatches`);
    console.log(`  publish        ${ctx.published ? "a new version went live half-way" : "did not happen"}`);
    console.log(`  server RSS     ${memory.startMb.toFixed(1)} MB at start, ${memory.endMb.toFixed(1)} MB at end, ${memory.growthLast30Mb >= 0 ? "+" : ""}${memory.growthLast30Mb.toFixed(1)} MB over the last 30 s (rise of the lowest RSS; limit ${MAX_RSS_GROWTH_MB}; a line through the last 30 s: ${memory.trendLast30Mb >= 0 ? "+" : ""}${memory.trendLast30Mb.toFixed(1)} MB)`);
    console.log(`  held           ${fmt(memoryParts[0] && heldMb(memoryParts[0].parts))} MB at start, ${fmt(memoryParts.at(-1) && heldMb(memoryParts.at(-1)!.parts))} MB at end (JavaScript after a collection), ${heldGrowth >= 0 ? "+" : ""}${heldGrowth.toFixed(1)} MB over the last 30 s (a line through the samples; limit ${MAX_HELD_GROWTH_MB}); engine's tracked memory at rest ${engineGrowth >= 0 ? "+" : ""}${engineGrowth.toFixed(1)} MB after the load than before (limit ${MAX_HELD_GROWTH_MB})`);
    console.log(`  memory at start ${describeParts(memoryParts[0]?.parts)}`);
    console.log(`  memory at end   ${describeParts(memoryParts.at(-1)?.parts)}`);
    console.log(`  CPU            server ${result.cpu_percent.server.toFixed(0)}% of one core, soak client ${result.cpu_percent.soak_client.toFixed(0)}%; load average ${result.load_average.toFixed(2)}`);
    for (const e of [...book.errors, ...tally.mismatches, ...counted.mismatches].slice(0, 20)) console.log(`  ✗ ${e}`);
    if (values.json) fs.writeFileSync(values.json, JSON.stringify(result, null, 2));

    const failed = [
      book.errorCount > 0 && `${book.errorCount} errors`,
      tally.mismatches.length > 0 && `${tally.mismatches.length} cross-tenant or wrong values`,
      tally.widgetErrors.size > 0 && "widget errors",
      tally.responses === 0 && "no answer was checked",
      counted.mismatches.length > 0 && "row counts differ",
      !ctx.published && "the publish did not happen",
      book.revoked401 === 0 && "no revoked session was seen refused",
      !(heldGrowth <= MAX_HELD_GROWTH_MB) && `what JavaScript holds after a collection grew ${heldGrowth.toFixed(1)} MB over the last 30 s`,
      !(engineGrowth <= MAX_HELD_GROWTH_MB) && `the engine's tracked memory at rest rose ${engineGrowth.toFixed(1)} MB over the load`,
      !(memory.growthLast30Mb <= MAX_RSS_GROWTH_MB) && `RSS grew ${memory.growthLast30Mb.toFixed(1)} MB over the last 30 s`,
    ].filter(Boolean);
    console.log(failed.length === 0 ? "\nsoak: PASS" : `\nsoak: FAIL (${failed.join("; ")})`);
    return failed.length === 0;
  } finally {
    await server.stop();
  }
}

/** Each tenant's rows, through the admin preview: seeded plus soak events, retries counted once. */
async function countRows(ctx: SoakContext, tenants: string[]) {
  const mismatches: string[] = [];
  for (const tenant of tenants) {
    const res = await fetch(`${ctx.url}/v1/query/preview`, { method: "POST", headers: { authorization: `Bearer ${ctx.key}`, "content-type": "application/json" }, body: JSON.stringify({ tenant_id: tenant, sql: "SELECT count() AS n FROM events" }) });
    const body = (await res.json()) as { rows?: { n: number | string }[] };
    const got = Number(body.rows?.[0]?.n);
    if (got !== ctx.expected.rows(tenant)) mismatches.push(`${tenant}: ${got} rows, expected ${ctx.expected.rows(tenant)}`);
  }
  return { checked: tenants.length, mismatches };
}

main()
  .then((ok) => {
    // A failed run keeps its data directory and server log for a look.
    if (ok && !values.keep) fs.rmSync(dataDir, { recursive: true, force: true });
    else console.log(`data directory and server log kept in ${dataDir}`);
    process.exit(ok ? 0 : 1);
  })
  .catch((err: Error) => {
    console.error(`\nsoak: FAIL (${err.message}); server log in ${dataDir}/server.log`);
    process.exit(1);
  });
