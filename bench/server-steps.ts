import path from "node:path";
import { measureBrowser, type BrowserResult } from "./browser";
import type { BenchEvent, BenchTenant } from "./dataset";
import { coldLoad, planColdSets, renderOnce, warmLoad, type Latencies } from "./embed-load";
import type { ExpectedNumbers } from "./expected";
import { BATCH } from "./generate";
import { httpIngest, type HttpIngest } from "./http-ingest";
import { newTally, type LeakTally } from "./leak-check";
import { serverPid } from "./cpu";
import { createApiKey, mintSession, startServer, type RunningServer } from "./server";
import { mapLimit, shuffled } from "./stats";

// Step 3 against the running production server: HTTP ingest, embed renders
// cold and warm with the result cache off, then (after a restart with the
// default TTL) warm with it on and the browser's cost. Every embed response
// goes through the leak check.

export type ServerResults = { http: HttpIngest; cold: Latencies[]; warmOff: Latencies[]; warmOn: Latencies[]; browser: BrowserResult | { error: string }; leaks: LeakTally; serverStart: number[] };

type Options = { dataDir: string; port: number; seed: number; browserSamples: number; engine: { generated: { tenants: BenchTenant[]; expected: ExpectedNumbers }; forHttp: BenchEvent[] } };

const WARM_SAMPLES = 200;
const step = (text: string) => console.log(`\n▶ ${text}`);

async function start(options: Options, resultCacheTtl: number | undefined, starts: number[]): Promise<RunningServer> {
  const url = `http://localhost:${options.port}`;
  if (await fetch(url).then(() => true, () => false)) throw new Error(`something already listens on ${url}; pick another --port`);
  step(`starting the server on ${url} (result cache ${resultCacheTtl === 0 ? "off" : "on, default TTL"}); log in ${path.relative(process.cwd(), options.dataDir)}/server.log`);
  const server = await startServer({ dataDir: options.dataDir, port: options.port, resultCacheTtl, logFile: path.join(options.dataDir, "server.log") });
  starts.push(server.startSeconds);
  console.log(`  ready in ${server.startSeconds.toFixed(1)} s`);
  return server;
}

export async function serverSteps(options: Options): Promise<ServerResults> {
  const { tenants, expected } = options.engine.generated;
  const tally = newTally();
  const ctx: { expected: ExpectedNumbers; tally: LeakTally; serverPid?: number } = { expected, tally };
  const serverStart: number[] = [];
  const order = shuffled(tenants.map((t) => t.id), options.seed);
  const coldSets = planColdSets(order.slice(1));

  let server = await start(options, 0, serverStart);
  let http: HttpIngest;
  let cold: Latencies[];
  let warmOff: Latencies[];
  let pool: Awaited<ReturnType<typeof mintSession>>[];
  try {
    const key = createApiKey(options.dataDir, ["embed", "ingest", "admin"]);
    ctx.serverPid = serverPid(options.dataDir);
    const mint = (ids: string[]) => mapLimit(ids, 8, (id) => mintSession(server, key, id));
    // The first render after a start loads route code and opens the stores: not a tenant's cold cost.
    await renderOnce(await mint([order[0]]), ctx);
    await rollupsReady();

    step(`HTTP ingest: ${options.engine.forHttp.length.toLocaleString("en")} rows`);
    http = await httpIngest({ url: server.url, key, events: options.engine.forHttp, expected, batchSize: BATCH, concurrency: 4 });
    if (!http.ok) console.log(`  skipped: ${http.reason}`);

    const sessions = Object.fromEntries(await Promise.all(Object.entries(coldSets).map(async ([level, ids]) => [level, await mint(ids)] as const)));
    step(`cold renders: ${Object.entries(coldSets).map(([l, ids]) => `${ids.length} tenants at ${l} at once`).join(", ")}`);
    cold = await coldLoad(sessions, ctx);
    pool = Object.values(sessions).flat();
    step("warm renders, result cache off");
    warmOff = await warmLoad(pool, ctx, WARM_SAMPLES);
  } finally {
    await server.stop();
  }

  server = await start(options, undefined, serverStart);
  let warmOn: Latencies[];
  let browser: BrowserResult | { error: string };
  try {
    ctx.serverPid = serverPid(options.dataDir);
    step("warm renders, result cache on");
    warmOn = await warmLoad(pool, ctx, WARM_SAMPLES);
    step(`browser: ${options.browserSamples} cold-cache page loads`);
    browser = await measureBrowser(pool.slice(0, options.browserSamples + 1).map((s) => s.url), options.port + 1).catch((err: Error) => ({ error: err.message }));
  } finally {
    await server.stop();
  }
  return { http, cold, warmOff, warmOn, browser, leaks: tally, serverStart };
}

/** The server builds the live version's rollup at start, in the background: renders are measured once it is ready. */
async function rollupsReady(): Promise<void> {
  const { PrismaClient } = await import("@prisma/client");
  const { PrismaBetterSQLite3 } = await import("@prisma/adapter-better-sqlite3");
  const { databaseUrl } = await import("@/lib/db");
  // A client of its own, closed afterwards: an open one would hold the file when the next start migrates it.
  const db = new PrismaClient({ adapter: new PrismaBetterSQLite3({ url: databaseUrl() }) });
  try {
    await waitForRollups(db);
  } finally {
    await db.$disconnect();
  }
}

async function waitForRollups(db: import("@prisma/client").PrismaClient): Promise<void> {
  const started = Date.now();
  step("waiting for the server to build the demo version's rollup");
  for (;;) {
    const rows = await db.rollup.findMany({ select: { state: true, partsDone: true, partsTotal: true, error: true } });
    if (rows.length > 0 && rows.every((r) => r.state === "ready")) break;
    const failed = rows.find((r) => r.state === "failed");
    if (failed) throw new Error(`the rollup build failed: ${failed.error}`);
    if (Date.now() - started > 15 * 60_000) throw new Error("the rollup was not ready after 15 minutes");
    await new Promise((r) => setTimeout(r, 1000));
  }
  console.log(`  ready after ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
