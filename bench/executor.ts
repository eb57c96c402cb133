import fs from "node:fs";
import path from "node:path";
import type { ClickHouseClient } from "@clickhouse/client";
import { pct } from "./stats";

// Measurements taken in-process on the engine (the server must not be running:
// one process per chdb data directory):
//  - each demo widget through runScoped vs the same compiled SQL run raw,
//  - rows read by a tenant's widget queries vs the tenant's row count,
//  - guard latency over the adversarial corpus.

export type Overhead = { widget: string; raw: number[]; scoped: number[] };
export type RowsRead = { tenant: string; rows: number; perWidget: { widget: string; rowsRead: number }[] };

async function demoWidgets() {
  const { DEMO_DEFINITION } = await import("@/lib/dashboards/demo-dashboard");
  const { DashboardDefinition } = await import("@/lib/dashboards/definition");
  return DashboardDefinition.parse(DEMO_DEFINITION).widgets.flatMap((w) => (w.kind === "chart" ? [w] : []));
}

async function previewScope(tenant: string) {
  return (await import("@/lib/testing/analytics-fixture")).previewScope(tenant);
}

/**
 * Scoped: runScoped (fresh connection, row filters, limits, readonly, tenant slot).
 * Raw: the same SQL and parameters on one long-lived connection with no settings.
 * The two alternate order every round so neither always runs on a warmer cache;
 * the first round warms both and is dropped.
 */
export async function measureOverhead(tenants: string[], rounds: number): Promise<Overhead[]> {
  const { getAnalytics } = await import("@/lib/analytics/engine");
  const { compileWidget } = await import("@/lib/query/compile-widget");
  const { runScoped } = await import("@/lib/query/run-scoped");
  const engine = getAnalytics();
  let release = () => {};
  const raw = await new Promise<ClickHouseClient>((resolve) => {
    void engine.withConnection(async (client) => {
      resolve(client);
      await new Promise<void>((r) => (release = r));
    });
  });
  const out: Overhead[] = [];
  try {
    for (const widget of await demoWidgets()) {
      const result: Overhead = { widget: widget.id, raw: [], scoped: [] };
      for (let round = 0; round < rounds + 1; round++) {
        for (const tenant of tenants) {
          const scope = await previewScope(tenant);
          const compiled = compileWidget(widget, scope);
          const runs = [
            async () => {
              const t = performance.now();
              await runScoped(scope, compiled);
              if (round > 0) result.scoped.push(performance.now() - t);
            },
            async () => {
              const t = performance.now();
              await (await raw.query({ query: compiled.sql, query_params: compiled.params, format: "JSON" })).json();
              if (round > 0) result.raw.push(performance.now() - t);
            },
          ];
          if (round % 2) runs.reverse();
          for (const run of runs) await run();
        }
      }
      out.push(result);
    }
  } finally {
    release();
  }
  return out;
}

/** Each demo widget once per tenant (after one warm-up run), as the embed runs it. */
export async function measureRowsRead(tenants: { id: string; rows: number }[]): Promise<RowsRead[]> {
  const { compileWidget } = await import("@/lib/query/compile-widget");
  const { runScoped } = await import("@/lib/query/run-scoped");
  const widgets = await demoWidgets();
  const out: RowsRead[] = [];
  for (const tenant of tenants) {
    const scope = await previewScope(tenant.id);
    const perWidget = [];
    for (const widget of widgets) {
      const compiled = compileWidget(widget, scope);
      await runScoped(scope, compiled);
      perWidget.push({ widget: widget.id, rowsRead: (await runScoped(scope, compiled)).stats.rows_read });
    }
    out.push({ tenant: tenant.id, rows: tenant.rows, perWidget });
  }
  return out;
}

export async function measureGuard(rounds = 3): Promise<{ payloads: number; p50: number; p95: number }> {
  const { guardSql } = await import("@/lib/query/guard");
  const corpus = JSON.parse(fs.readFileSync(path.join(__dirname, "../lib/query/guard-corpus.json"), "utf8")) as { sql: string }[];
  const times: number[] = [];
  for (let round = 0; round < rounds; round++) {
    for (const entry of corpus) {
      const t = performance.now();
      await guardSql(entry.sql.replaceAll("{db}", "enclave"));
      times.push(performance.now() - t);
    }
  }
  return { payloads: corpus.length, p50: pct(times, 50), p95: pct(times, 95) };
}

export type RenderPlan = {
  tenant: string;
  rows: number;
  /** Each widget its own query, as the embed ran them before render planning. */
  perWidget: { queries: number; rowsRead: number; ms: number };
  /** Through the front door's render plan; undefined on a build without one. */
  planned?: { queries: number; rowsRead: number; ms: number };
  /** Each merged statement's rows read against the largest widget query it replaced. */
  merges: { widgets: string[]; rowsRead: number; largest: number }[];
};

/** One full six-widget render per tenant, both ways, after one warm-up of each. */
export async function measureRenderPlan(tenants: { id: string; rows: number }[]): Promise<RenderPlan[]> {
  const { compileWidget } = await import("@/lib/query/compile-widget");
  const { runScoped } = await import("@/lib/query/run-scoped");
  const widgets = await demoWidgets();
  const frontDoor = await import("@/lib/query/run-dashboard").catch(() => undefined);
  const planner = await import("@/lib/query/plan-render").catch(() => undefined);
  const { DEMO_DEFINITION } = await import("@/lib/dashboards/demo-dashboard");
  const { DashboardDefinition } = await import("@/lib/dashboards/definition");
  const definition = DashboardDefinition.parse(DEMO_DEFINITION);
  const out: RenderPlan[] = [];
  for (const tenant of tenants) {
    const scope = await previewScope(tenant.id);
    const single = new Map<string, number>();
    const perWidget = async () => {
      const t = performance.now();
      let rowsRead = 0;
      for (const widget of widgets) {
        const read = (await runScoped(scope, compileWidget(widget, scope))).stats.rows_read;
        single.set(widget.id, read);
        rowsRead += read;
      }
      return { queries: widgets.length, rowsRead, ms: performance.now() - t };
    };
    await perWidget();
    const before = await perWidget();
    let planned: RenderPlan["planned"];
    const merges: RenderPlan["merges"] = [];
    if (frontDoor && planner) {
      const { DEFAULT_PERMISSIONS } = await import("@/lib/query/permissions");
      const reader = { scope, permissions: DEFAULT_PERMISSIONS, source: { dashboardId: "dash_demo", versionKey: "bench", definition }, audience: "admin" as const, cache: false };
      const run = async () => {
        const t = performance.now();
        const { plan } = await frontDoor.runDashboard(reader, frontDoor.initialState(definition));
        return { ...plan, ms: performance.now() - t };
      };
      await run();
      planned = await run();
      // Which statements merged, and what each read against its widgets' own queries.
      const { planWidget } = await import("@/lib/query/compile-widget");
      const plans = widgets.map((w) => planWidget(w, scope, { filters: frontDoor.initialState(definition).filters, timezone: definition.timezone }));
      for (const query of planner.planRender(plans).filter((q) => q.widgetIds.length > 1)) {
        const read = (await runScoped(scope, query.compiled)).stats.rows_read;
        merges.push({ widgets: query.widgetIds, rowsRead: read, largest: Math.max(...query.widgetIds.map((id) => single.get(id) ?? 0)) });
      }
    }
    out.push({ tenant: tenant.id, rows: tenant.rows, perWidget: before, planned, merges });
  }
  return out;
}

export type RollupMeasure = {
  buildMs: number;
  rollupRows: number;
  rollupBytes: number;
  sets: number;
  tenants: { tenant: string; rank: number; rows: number; rawBytes: number; fromRollup: number; widgets: number; rollupRowsRead: number; rollupBytesRead: number; eventsBytesRead: number; rollupMs: number; eventsMs: number }[];
  /** Engine time of a render from rollups: the 10 largest tenants ÷ 10 median ones (median of 5 rounds each). */
  largestOverMedian: number;
  /** Insert rates with the view and without it: medians of alternating 100k-row rounds, and the median of the rounds' ratios. */
  insert: Record<"engine" | "ingest", { ratio: number; withView: number; withoutView: number; rounds: number }>;
};

/**
 * Rollups on the benchmark's data, in-process: the demo version's rollup is
 * built (timed), each picked tenant's render read from it and from events
 * (rows and bytes, against the tenant's own bytes), the 10 largest against 10
 * median tenants, and the engine's insert rate with and without its view.
 * The table is dropped afterwards: the server builds its own at start.
 */
export async function measureRollups(tenants: { id: string; rows: number; rank: number }[], all: { id: string; rank: number }[]): Promise<RollupMeasure> {
  const { getAnalytics, queryRows } = await import("@/lib/analytics/engine");
  const { ingestEvents, insertEventRows } = await import("@/lib/analytics/ingest");
  const { planWidget, widgetSql } = await import("@/lib/query/compile-widget");
  const { runScoped } = await import("@/lib/query/run-scoped");
  const { rollupQuery } = await import("@/lib/rollups/answer");
  const { deriveRollup, rollupTableName } = await import("@/lib/rollups/define");
  const { rollupSelect, rollupTableDdl, rollupViewDdl } = await import("@/lib/rollups/rollup-sql");
  const { DEMO_DEFINITION } = await import("@/lib/dashboards/demo-dashboard");
  const { DashboardDefinition } = await import("@/lib/dashboards/definition");
  const { pct } = await import("./stats");
  const engine = getAnalytics();
  const definition = DashboardDefinition.parse(DEMO_DEFINITION);
  const def = deriveRollup(definition)!;
  const table = `${engine.database}.${rollupTableName(def)}`;
  const command = (query: string, settings?: Record<string, unknown>) => engine.withConnection((c) => c.command({ query, clickhouse_settings: settings as never }));
  const widgets = await demoWidgets();

  const t = performance.now();
  await command(rollupTableDdl(engine.database, def));
  await command(`INSERT INTO ${table}\n${rollupSelect(engine.database, def, "1")}`, { insert_deduplicate: 0 });
  await command(`OPTIMIZE TABLE ${table} FINAL`);
  const buildMs = performance.now() - t;
  const [size] = await queryRows<{ rows: number; bytes: number }>(engine, `SELECT sum(rows) AS rows, sum(bytes_on_disk) AS bytes FROM system.parts WHERE database = '${engine.database}' AND table = '${rollupTableName(def)}' AND active`);

  const render = async (tenant: string) => {
    const scope = await previewScope(tenant);
    const out = { fromRollup: 0, rollupRowsRead: 0, rollupBytesRead: 0, eventsBytesRead: 0, rollupMs: 0, eventsMs: 0 };
    for (const widget of widgets) {
      const plan = planWidget(widget, scope, { timezone: definition.timezone });
      const answer = rollupQuery(plan, def);
      let s = performance.now();
      const raw = await runScoped(scope, widgetSql(plan));
      out.eventsMs += performance.now() - s;
      out.eventsBytesRead += raw.stats.bytes_read;
      if (!answer) continue;
      s = performance.now();
      const r = await runScoped(scope, answer.compiled);
      out.rollupMs += performance.now() - s;
      out.fromRollup++;
      out.rollupRowsRead += r.stats.rows_read;
      out.rollupBytesRead += r.stats.bytes_read;
    }
    return out;
  };
  const measured: RollupMeasure["tenants"] = [];
  for (const tenant of tenants) {
    await render(tenant.id);
    const r = await render(tenant.id);
    const [{ b }] = await queryRows<{ b: number }>(engine, `SELECT sum(byteSize(tenant_id, event_id, ts, name, user_id, value, properties)) AS b FROM ${engine.database}.events WHERE tenant_id = {t:String}`, { params: { t: tenant.id } });
    measured.push({ tenant: tenant.id, rank: tenant.rank, rows: tenant.rows, rawBytes: Number(b), widgets: widgets.length, ...r });
  }
  const mid = Math.floor(all.length / 2);
  const groups = { largest: all.slice(0, 10), median: all.slice(Math.max(0, mid - 5), mid + 5) };
  const groupMs = async (ids: { id: string }[]) => {
    const rounds: number[] = [];
    for (let round = 0; round < 5; round++) {
      let ms = 0;
      for (const { id } of ids) ms += (await render(id)).rollupMs;
      rounds.push(ms / ids.length);
    }
    return pct(rounds, 50);
  };
  const largestOverMedian = (await groupMs(groups.largest)) / (await groupMs(groups.median));

  // Insert rates with the rollup's view attached and without it, in alternating
  // rounds (the machine's load moves between samples; each round's ratio pairs
  // two neighbouring samples, and the median of the rounds is reported).
  // "engine": validated rows straight into the engine; "ingest": validation
  // plus insert, the work POST /v1/events does for a batch besides HTTP (which
  // adds cost to both sides, so its ratio is at least this one's).
  let sample = 0;
  const rows = () => {
    const tag = `probe${sample++}`;
    return Array.from({ length: 100_000 }, (_v, i) => ({ tenant_id: `insert-probe-${i % 50}`, event_id: `${tag}-${i}`, ts: "2026-01-15 10:00:00.000", name: ["page_view", "signup", "order_completed"][i % 3], user_id: `u${i % 997}`, value: i % 3 === 2 ? i / 10 : null, properties: { country: "DE", device: "mobile", page: `/p/${i % 40}` } }));
  };
  const rate = async (path: "engine" | "ingest") => {
    const data = rows();
    const s = performance.now();
    for (let i = 0; i < data.length; i += 10_000) {
      if (path === "engine") await insertEventRows(engine, data.slice(i, i + 10_000));
      else await ingestEvents(engine, data.slice(i, i + 10_000));
    }
    return data.length / ((performance.now() - s) / 1000);
  };
  const insert = {} as RollupMeasure["insert"];
  for (const path of ["engine", "ingest"] as const) {
    const rounds: { withView: number; withoutView: number }[] = [];
    for (let round = 0; round < 5; round++) {
      await command(`DROP VIEW IF EXISTS ${table}_mv`);
      const withoutView = await rate(path);
      await command(rollupViewDdl(engine.database, def, BigInt(0), []));
      rounds.push({ withoutView, withView: await rate(path) });
    }
    await command(`DROP VIEW IF EXISTS ${table}_mv`);
    const ratio = pct(rounds.map((r) => r.withView / r.withoutView), 50);
    insert[path] = { ratio, withView: pct(rounds.map((r) => r.withView), 50), withoutView: pct(rounds.map((r) => r.withoutView), 50), rounds: rounds.length };
  }
  await command(`DROP TABLE IF EXISTS ${table}`);
  await command(`ALTER TABLE ${engine.database}.events DELETE WHERE startsWith(tenant_id, 'insert-probe-')`, { mutations_sync: "2" });
  return { buildMs, rollupRows: Number(size?.rows ?? 0), rollupBytes: Number(size?.bytes ?? 0), sets: def.sets.length, tenants: measured, largestOverMedian, insert };
}
