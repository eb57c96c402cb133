import { spawnSync } from "node:child_process";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeAnalytics, getAnalytics, queryRows, setStatement, type ClickHouseSettings } from "@/lib/analytics/engine";
import { ensureAnalyticsSchema } from "@/lib/analytics/schema";
import { ingestEvents } from "@/lib/analytics/ingest";
import { getEnv } from "@/lib/env";

describe("analytics engine (chdb)", () => {
  beforeAll(async () => {
    await ensureAnalyticsSchema(getAnalytics());
  });
  afterAll(async () => {
    await closeAnalytics();
  });

  it("runs a query and returns 64-bit integers as numbers", async () => {
    const rows = await queryRows<{ n: unknown; big: unknown }>(getAnalytics(), "SELECT count() AS n, toUInt64(12345678901) AS big FROM numbers(10)");
    expect(rows).toEqual([{ n: 10, big: 12345678901 }]);
  });

  it("binds query parameters instead of splicing text", async () => {
    const rows = await queryRows<{ v: string }>(getAnalytics(), "SELECT {v:String} AS v", { params: { v: "it's ; DROP" } });
    expect(rows[0].v).toBe("it's ; DROP");
  });

  it("does not leak settings from one query to the next", async () => {
    const engine = getAnalytics();
    const limited = await queryRows<{ v: string }>(engine, "SELECT getSetting('max_result_rows') AS v", { settings: { max_result_rows: "7" } });
    expect(String(limited[0].v)).toBe("7");
    const after = await queryRows<{ v: string }>(engine, "SELECT getSetting('max_result_rows') AS v");
    expect(String(after[0].v)).toBe("0");
    // readonly on one query must not make the next one read-only.
    await queryRows(engine, "SELECT 1", { settings: { readonly: "1" } });
    const ro = await queryRows<{ v: string }>(engine, "SELECT getSetting('readonly') AS v");
    expect(String(ro[0].v)).toBe("0");
  });

  it("applies a query's settings in one SET statement, in order, with values quoted", () => {
    expect(setStatement({ additional_table_filters: "{'db.t':'x = ''a\\b'''}", max_execution_time: 10, readonly: "1" } as unknown as ClickHouseSettings)).toBe(
      "SET additional_table_filters = '{''db.t'':''x = ''''a\\\\b''''''}', max_execution_time = 10, readonly = '1'",
    );
    expect(() => setStatement({ "readonly = 0, x": 1 } as unknown as ClickHouseSettings)).toThrow(/invalid setting name/);
  });

  it("creates the events table idempotently, ordered by tenant first", async () => {
    const engine = getAnalytics();
    await ensureAnalyticsSchema(engine);
    const [table] = await queryRows<{ sorting_key: string; partition_key: string }>(
      engine,
      "SELECT sorting_key, partition_key FROM system.tables WHERE database = {db:String} AND name = 'events'",
      { params: { db: engine.database } },
    );
    expect(table.sorting_key.startsWith("tenant_id")).toBe(true);
    expect(table.partition_key).toBe("toYYYYMM(ts)");
  });

  it("stores an absent value as NULL and ignores a retried batch with the same dedup token", async () => {
    const engine = getAnalytics();
    const batch = [
      { tenant_id: "dedup-t", name: "signup", ts: "2026-01-01T00:00:00Z" },
      { tenant_id: "dedup-t", name: "order_completed", value: 12.5, ts: 1767225600000 },
      { tenant_id: "bad tenant!", name: "signup" },
    ];
    const first = await ingestEvents(engine, batch, { dedupToken: "batch-1" });
    expect(first.accepted).toBe(2);
    expect(first.rejected).toEqual([expect.objectContaining({ index: 2, code: "invalid_event" })]);
    await ingestEvents(engine, batch, { dedupToken: "batch-1" });
    const rows = await queryRows<{ n: number; nulls: number }>(
      engine,
      `SELECT count() AS n, countIf(value IS NULL) AS nulls FROM ${engine.database}.events WHERE tenant_id = 'dedup-t'`,
    );
    expect(rows[0]).toEqual({ n: 2, nulls: 1 });
  });

  it("tells a second process on the same data directory what to do", () => {
    const root = path.resolve(__dirname, "../..");
    const child = spawnSync(process.execPath, ["scripts/run-ts.mjs", "lib/testing/open-engine.ts"], { cwd: root, encoding: "utf8", env: process.env });
    expect(child.stdout).not.toContain("opened");
    expect(child.stdout).toContain(`error: The analytics data directory ${path.join(getEnv().DATA_DIR, "clickhouse")} is already in use by another process (pid ${process.pid})`);
    expect(child.stdout).toContain("stop the other Enclave process");
  });
});
