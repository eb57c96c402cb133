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
