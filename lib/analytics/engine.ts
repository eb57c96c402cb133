import "server-only";
import fs from "node:fs";
import path from "node:path";
import { createClient, type ClickHouseClient, type ClickHouseSettings } from "@clickhouse/client";

export type { ClickHouseSettings };
import { fileSizeLimit } from "@/lib/analytics/store-writes";
import { AppError } from "@/lib/errors";
import { getEnv } from "@/lib/env";

// The one factory for the analytics store: embedded chdb by default, a
// ClickHouse server when CLICKHOUSE_URL is set. Both go through @clickhouse/client.

export type EngineKind = "chdb" | "server";

export type JsonQuery = { sql: string; params?: Record<string, unknown>; settings: ClickHouseSettings };

export type AnalyticsEngine = {
  kind: EngineKind;
  /** Database holding the catalog tables (`enclave` unless configured). */
  database: string;
  /**
   * Runs `fn` on a fresh connection and closes it afterwards. On chdb, settings
   * persist on a connection, so no two queries may share one.
   */
  withConnection<T>(fn: (client: ClickHouseClient) => Promise<T>): Promise<T>;
  /** Makes unqualified table names on this connection resolve in `database`. */
  useDatabase(client: ClickHouseClient, database: string): Promise<void>;
  /** Runs one query on `client` with `settings` applied first, in their order; returns the JSON format's body. */
  queryJson<T>(client: ClickHouseClient, query: JsonQuery): Promise<T>;
  close(): Promise<void>;
};

/** chdb returns 64-bit integers as JSON numbers, a server quotes them: make both numbers. */
export const BASE_SETTINGS: ClickHouseSettings = { output_format_json_quote_64bit_integers: 0 };

/**
 * Per-query work the embedded engine does for a server's operators, which
 * nobody reads in one process: query and processor logs written into the data
 * directory, the sampling profiler's timers, a formatter thread per result.
 * Measured on 10M events: a small tenant's query 7.8 → 4.5 ms of CPU, a
 * render's three statements 41 → 31 ms. A ClickHouse server keeps its own
 * configuration (operators read its query log).
 */
export const EMBEDDED_QUERY_SETTINGS: ClickHouseSettings = {
  log_queries: 0,
  log_processors_profiles: 0,
  log_profile_events: 0,
  query_profiler_real_time_period_ns: "0",
  query_profiler_cpu_time_period_ns: "0",
  output_format_parallel_formatting: 0,
};

/**
 * `SET a = 1, b = 'x'`: one statement applies every setting, in order. Its
 * constraints are checked against the connection as it was, so `readonly = 1`
 * at the end does not block the settings before it and holds for the query
 * that follows. Names are checked; strings are quoted as ClickHouse literals.
 */
export function setStatement(settings: ClickHouseSettings): string {
  const parts = Object.entries(settings).flatMap(([name, value]) => {
    if (value === undefined) return [];
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new Error(`invalid setting name ${JSON.stringify(name)}`);
    if (typeof value === "number" && Number.isFinite(value)) return [`${name} = ${value}`];
    if (typeof value === "boolean") return [`${name} = ${value ? 1 : 0}`];
    if (typeof value !== "string") throw new Error(`setting ${name} needs a number, boolean or string value`);
    return [`${name} = '${value.replace(/\\/g, "\\\\").replace(/'/g, "''")}'`];
  });
  if (parts.length === 0) throw new Error("a SET statement needs at least one setting");
  return `SET ${parts.join(", ")}`;
}

type ConnectionOption = NonNullable<Parameters<typeof createClient>[0]>["connection"];

function chdbConnection(dataPath: string): ConnectionOption {
  // Loaded on demand so `next build` and server mode never touch the native addon.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { createChdbConnection } = require("chdb/connection") as typeof import("chdb/connection");
  try {
    // @clickhouse/client and chdb carry two identical copies of the connection types.
    return createChdbConnection({ path: dataPath }) as unknown as ConnectionOption;
  } catch (err) {
    throw explainChdbOpenError(err, dataPath);
  }
}

const OWNER_FILE = "enclave-owner.pid";

/** The live process (not this one) that last opened the embedded store at `dataPath`, if any. */
export function analyticsOwnerPid(dataPath: string): number | undefined {
  try {
    const pid = Number(fs.readFileSync(path.join(dataPath, OWNER_FILE), "utf8").trim());
    if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return undefined;
    process.kill(pid, 0); // throws when no such process
    return pid;
  } catch {
    return undefined;
  }
}

/** chdb says only "Failed to create connection"; say who holds the directory and what to do. */
export function explainChdbOpenError(err: unknown, dataPath: string): Error {
  const text = err instanceof Error ? err.message : String(err);
  const pid = analyticsOwnerPid(dataPath);
  if (pid !== undefined || /Cannot lock file|Another server instance/i.test(text)) {
    return new AppError(
      "store_unavailable",
      `The analytics data directory ${dataPath} is already in use by another process${pid ? ` (pid ${pid})` : ""}. ` +
        `An embedded data directory can be open in one process only: stop the other Enclave process ` +
        `(a running "npm start" or "next dev"), point DATA_DIR at another directory, ` +
        `or set CLICKHOUSE_URL to use a ClickHouse server.`,
    );
  }
  return new AppError(
    "store_unavailable",
    `Could not open the embedded analytics store at ${dataPath} (${text}). Check that the directory is writable ` +
      `and not used by another process, or set CLICKHOUSE_URL to use a ClickHouse server.`,
  );
}

function openChdb(dataPath: string, database: string): AnalyticsEngine {
  fs.mkdirSync(dataPath, { recursive: true });
  const open = () => createClient({ connection: chdbConnection(dataPath), clickhouse_settings: BASE_SETTINGS });
  // Held open for the life of the process: when the last connection closes,
  // chdb shuts the engine down and the next query pays to reopen it.
  const keeper = open();
  fs.writeFileSync(path.join(dataPath, OWNER_FILE), `${process.pid}\n`);
  // Under a file size limit the engine would commit parts cut short at the limit, merged ones
  // included (lib/analytics/store-writes.ts refuses inserts): no merges then either.
  if (fileSizeLimit() !== undefined) void keeper.command({ query: "SYSTEM STOP MERGES" }).catch((err) => console.error(`could not stop merges: ${err instanceof Error ? err.message : String(err)}`));
  return {
    kind: "chdb",
    database,
    async withConnection(fn) {
      const client = open();
      try {
        return await fn(client);
      } finally {
        await client.close();
      }
    },
    async useDatabase(client, db) {
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(db)) throw new Error(`invalid database name ${db}`);
      await client.command({ query: `USE ${db}` });
    },
    async queryJson<T>(client: ClickHouseClient, { sql, params, settings }: JsonQuery): Promise<T> {
      // The chdb adapter would send one SET statement per setting, each run
      // on its own (~0.2 ms apiece); one SET in the same call does the same.
      // The embedded engine's own tuning first, the caller's settings (readonly last) after.
      const rs = await client.query({ query: `${setStatement({ ...EMBEDDED_QUERY_SETTINGS, ...settings })}; ${sql}`, query_params: params, format: "JSON" });
      return (await rs.json()) as T;
    },
    async close() {
      await keeper.close();
    },
  };
}

function openServer(url: string, database: string): AnalyticsEngine {
  const env = getEnv();
  // Over HTTP every request carries its own settings, so one pooled client is safe.
  const client = createClient({
    url,
    username: env.CLICKHOUSE_USER ?? "default",
    password: env.CLICKHOUSE_PASSWORD ?? "",
    clickhouse_settings: BASE_SETTINGS,
    database,
    application: "enclave",
  });
  return {
    kind: "server",
    database,
    withConnection: (fn) => fn(client),
    // The HTTP client already sends the configured database with every request.
    async useDatabase(_client, db) {
      if (db !== database) throw new Error(`a ClickHouse server connection serves database ${database} only`);
    },
    // Over HTTP the settings travel with the request: nothing persists.
    async queryJson<T>(c: ClickHouseClient, { sql, params, settings }: JsonQuery): Promise<T> {
      const rs = await c.query({ query: sql, query_params: params, clickhouse_settings: settings, format: "JSON" });
      return (await rs.json()) as T;
    },
    close: () => client.close(),
  };
}

const globalForEngine = globalThis as unknown as { enclaveEngine?: AnalyticsEngine };

/** The process's analytics engine, opened on first use. */
export function getAnalytics(): AnalyticsEngine {
  if (!globalForEngine.enclaveEngine) {
    const env = getEnv();
    globalForEngine.enclaveEngine = env.CLICKHOUSE_URL
      ? openServer(env.CLICKHOUSE_URL, env.CLICKHOUSE_DATABASE)
      : openChdb(path.join(env.DATA_DIR, "clickhouse"), env.CLICKHOUSE_DATABASE);
  }
  return globalForEngine.enclaveEngine;
}

export async function closeAnalytics(): Promise<void> {
  const engine = globalForEngine.enclaveEngine;
  globalForEngine.enclaveEngine = undefined;
  await engine?.close();
}

/** Runs a SELECT on a fresh connection and returns its rows as objects. */
export async function queryRows<T = Record<string, unknown>>(
  engine: AnalyticsEngine,
  query: string,
  options: { params?: Record<string, unknown>; settings?: ClickHouseSettings } = {},
): Promise<T[]> {
  return engine.withConnection(async (client) => {
    const result = await client.query({
      query,
      query_params: options.params,
      clickhouse_settings: options.settings,
      format: "JSONEachRow",
    });
    return result.json<T>();
  });
}

/**
 * The engine's own memory figures in bytes, from system.metrics: what its
 * allocations hold now (MemoryTracking) and each cache that holds bytes. No
 * table is read; it describes the process, not any tenant's data.
 */
export async function engineMemoryBytes(): Promise<Record<string, number>> {
  const rows = await queryRows<{ metric: string; value: number }>(
    getAnalytics(),
    "SELECT metric, value FROM system.metrics WHERE metric = 'MemoryTracking' OR (metric LIKE '%CacheBytes' AND value > 0) ORDER BY metric",
  );
  return Object.fromEntries(rows.map((r) => [r.metric, Number(r.value)]));
}
