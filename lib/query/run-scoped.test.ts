import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { closeAnalytics } from "@/lib/analytics/engine";
import { AppError } from "@/lib/errors";
import { issueProofSubject } from "@/lib/auth/admin-proof";
import { getCatalog } from "@/lib/query/catalog-tables";
import { compileWidget, type CompiledQuery } from "@/lib/query/compile-widget";
import { runScoped, scopedSettings, tableFilters } from "@/lib/query/run-scoped";
import type { TenantScope } from "@/lib/query/scope";
import { activeQueries, withTenantSlot } from "@/lib/query/tenant-slots";
import { ChartWidget } from "@/lib/query/widget-spec";
import { loadDemoFixture, previewScope } from "@/lib/testing/analytics-fixture";

beforeAll(async () => {
  await loadDemoFixture(3_000);
});
afterAll(() => closeAnalytics());

const sql = (text: string): CompiledQuery => ({ kind: "sql", sql: text, params: {}, catalog: getCatalog(), lockedFilters: {} });

describe("runScoped", () => {
  it("sets the row filter keyed by database.table, limits, and readonly last", () => {
    const scope = previewScope("acme.eu");
    const settings = scopedSettings(scope, { ...sql("SELECT 1"), lockedFilters: { country: ["it's"] } });
    const keys = Object.keys(settings);
    expect(keys[keys.length - 1]).toBe("readonly");
    expect(settings.readonly).toBe("1");
    expect(settings.allow_reorder_prewhere_conditions).toBe(0);
    for (const k of ["max_execution_time", "max_rows_to_read", "max_result_rows", "max_memory_usage"]) expect(settings).toHaveProperty(k);
    const filters = tableFilters(scope, { ...sql("SELECT 1"), lockedFilters: { country: ["it's"] } });
    const hex = (s: string) => Buffer.from(s).toString("hex").toUpperCase();
    expect(filters).toBe(`{'enclave.events':'tenant_id = unhex(''${hex("acme.eu")}'') AND properties[''country''] IN (unhex(''${hex("it's")}''))'}`);
  });

  it("adds the session row filter of custom SQL after the tenant and the locks: instants as numbers, values in hex", () => {
    const hex = (s: string) => Buffer.from(s).toString("hex").toUpperCase();
    const filters = tableFilters(previewScope("acme"), {
      ...sql("SELECT 1"),
      lockedFilters: { country: ["US"] },
      rowFilter: {
        period: { from: "2026-05-02T00:00:00.000Z", to: "2026-06-01T00:00:00.000Z" },
        filters: [
          { field: "plan", op: "in", values: ["x' OR '1'='1"] },
          { field: "event", op: "contains", value: "sign" },
          { field: "value", op: "between", min: -1.5, max: 1e21 },
        ],
      },
    });
    expect(filters).toBe(
      `{'enclave.events':'tenant_id = unhex(''${hex("acme")}'') AND properties[''country''] IN (unhex(''${hex("US")}''))` +
        ` AND ts >= fromUnixTimestamp64Milli(${Date.parse("2026-05-02T00:00:00Z")}, ''UTC'') AND ts < fromUnixTimestamp64Milli(${Date.parse("2026-06-01T00:00:00Z")}, ''UTC'')` +
        ` AND properties[''plan''] IN (unhex(''${hex("x' OR '1'='1")}'')) AND positionCaseInsensitiveUTF8(name, unhex(''${hex("sign")}'')) > 0 AND (value >= -1.5 AND value <= 1e+21)'}`,
    );
    // A bound that is not a number never reaches the setting.
    expect(() => tableFilters(previewScope("acme"), { ...sql("SELECT 1"), rowFilter: { filters: [{ field: "value", op: "between", min: 0, max: "1) OR (1" as unknown as number }] } })).toThrow(/not a finite number/);
  });

  it("has the row filter, limits and readonly in force on the engine when the query runs", async () => {
    const probe = sql(
      "SELECT count() AS n, countIf(tenant_id != 'acme') AS others, getSetting('readonly') AS ro, getSetting('max_result_rows') AS max_rows, " +
        "getSetting('allow_reorder_prewhere_conditions') AS reorder, toString(getSetting('additional_table_filters')) AS filters FROM events",
    );
    const [row] = (await runScoped(previewScope("acme"), probe)).rows;
    const [all] = (await runScoped(previewScope("acme"), sql("SELECT count() AS n FROM events WHERE tenant_id = 'acme'"))).rows;
    expect(row).toMatchObject({ n: all.n, others: 0, ro: 1, max_rows: 50_000, reorder: false });
    expect(row.filters).toContain(Buffer.from("acme").toString("hex").toUpperCase());
    // The query's connection stays read-only to the end: nothing after the settings may change them.
    const spy = vi.spyOn(console, "error").mockImplementation(() => {});
    await expect(runScoped(previewScope("acme"), sql("SELECT 1 SETTINGS readonly = 0"), { audience: "admin" })).rejects.toMatchObject({ details: { engine_error: expect.stringMatching(/readonly/i) } });
    spy.mockRestore();
  });

  it("refuses a scope it did not issue, even a perfect copy", async () => {
    const forged = { ...previewScope("acme") } as TenantScope;
    await expect(runScoped(forged, sql("SELECT count() FROM events"))).rejects.toThrow(/tenant scope issued by the server/);
  });

  it("refuses a query compiled for another tenant's scope", async () => {
    const spec = ChartWidget.parse({ kind: "chart", id: "w", title: "t", chart: "kpi", metrics: [{ id: "event_count" }] });
    const compiled = compileWidget(spec, previewScope("globex"));
    await expect(runScoped(previewScope("acme"), compiled)).rejects.toThrow(/compiled for another scope/);
  });

  it("gives tenants a code, a plain message and a request id, never the engine's text", async () => {
    const spy = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      await runScoped(previewScope("acme"), sql("SELECT no_such_column FROM events"), { requestId: "req-123" });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(AppError);
      const e = err as AppError;
      expect(e.code).toBe("query_failed");
      expect(e.message).toBe("This query could not be run. (request req-123)");
      expect(e.details).toBeUndefined();
      expect(JSON.stringify(e)).not.toMatch(/no_such_column|UNKNOWN_IDENTIFIER|Code:/);
    }
    // The detail goes to the server log with the request id.
    expect(spy.mock.calls.flat().join(" ")).toMatch(/req-123.*no_such_column/);
    // Admins get the engine's detail.
    await expect(runScoped(previewScope("acme"), sql("SELECT no_such_column FROM events"), { audience: "admin" })).rejects.toMatchObject({ details: { engine_error: expect.stringContaining("no_such_column") } });
    spy.mockRestore();
  });

  it("enforces the row limit as an error, not a silent truncation", async () => {
    vi.stubEnv("QUERY_MAX_RESULT_ROWS", "5");
    vi.resetModules();
    const { runScoped: fresh } = await import("@/lib/query/run-scoped");
    const { scopeForAdminPreview } = await import("@/lib/query/scope");
    const scope = scopeForAdminPreview({ kind: "admin", admin: issueProofSubject({ id: "a", email: "a@b.co", name: "a", actor: "admin:a@b.co", role: "viewer" }) }, "acme");
    await expect(fresh(scope, sql("SELECT event_id FROM events"))).rejects.toMatchObject({ code: "query_too_large" });
    vi.unstubAllEnvs();
  });
});

describe("per-tenant concurrency cap", () => {
  it("lets at most QUERY_CONCURRENCY_PER_TENANT queries of one tenant run at once, without blocking others", async () => {
    let peak = 0;
    const release: Array<() => void> = [];
    const job = () =>
      withTenantSlot("busy", async () => {
        peak = Math.max(peak, activeQueries("busy"));
        await new Promise<void>((r) => release.push(r));
      });
    const jobs = Array.from({ length: 10 }, job);
    await new Promise((r) => setTimeout(r, 10));
    expect(activeQueries("busy")).toBe(4);
    // Another tenant is not held up by the busy one.
    await expect(withTenantSlot("quiet", async () => "ran")).resolves.toBe("ran");
    while (release.length || activeQueries("busy")) {
      release.splice(0).forEach((r) => r());
      await new Promise((r) => setTimeout(r, 1));
    }
    await Promise.all(jobs);
    expect(peak).toBe(4);
  });
});

describe("prepareWidget for custom-SQL widgets", () => {
  it("guards the SQL again and applies the session's locked filters at the engine layer", async () => {
    const { prepareWidget } = await import("@/lib/query/prepare-widget");
    const { Permissions } = await import("@/lib/query/permissions");
    const { SqlWidget } = await import("@/lib/query/widget-spec");
    const widget = SqlWidget.parse({ kind: "sql", id: "s1", title: "By country", chart: "table", sql: "SELECT properties['country'] AS c, count() AS n FROM events GROUP BY c ORDER BY c" });
    const scope = previewScope("acme");
    const all = await runScoped(scope, await prepareWidget(widget, scope));
    const locked = await runScoped(scope, await prepareWidget(widget, scope, { permissions: Permissions.parse({ locked_filters: { country: ["US"] } }) }));
    expect(all.rows.length).toBeGreaterThan(1);
    expect(locked.rows.map((r) => r.c)).toEqual(["US"]);
    const bad = SqlWidget.parse({ ...widget, sql: "SELECT count() FROM merge('enclave', 'events')" });
    const spy = vi.spyOn(console, "error").mockImplementation(() => {});
    await expect(prepareWidget(bad, scope)).rejects.toMatchObject({ code: "query_failed", message: "This chart could not be loaded." });
    expect(spy.mock.calls.flat().join(" ")).toMatch(/Table functions/);
    spy.mockRestore();
    await expect(prepareWidget(widget, scope, { permissions: Permissions.parse({ hidden_widgets: ["s1"] }) })).rejects.toThrow(/not available/);
  });
  it("a refused SQL's reason reaches an admin's render (the designer's card), never a tenant's", async () => {
    const { runDashboard, initialState } = await import("@/lib/query/run-dashboard");
    const { DashboardDefinition } = await import("@/lib/dashboards/definition");
    const { DEFAULT_PERMISSIONS } = await import("@/lib/query/permissions");
    const definition = DashboardDefinition.parse({ widgets: [{ kind: "sql", id: "s1", title: "Refused", chart: "table", sql: "SELECT count() FROM system.tables" }] });
    const spy = vi.spyOn(console, "error").mockImplementation(() => {});
    const render = async (audience: "admin" | "tenant") => {
      const reader = { scope: previewScope("acme"), permissions: DEFAULT_PERMISSIONS, source: { dashboardId: "d_refused", versionKey: `refused_${audience}`, definition }, audience, cache: false };
      const { outcomes } = await runDashboard(reader, initialState(definition));
      return outcomes[0];
    };
    expect(await render("admin")).toEqual({ widget_id: "s1", error: { code: "query_failed", message: expect.stringMatching(/^The SQL guard refused this query: The database "system" is not readable/) } });
    const tenant = await render("tenant");
    expect(tenant).toEqual({ widget_id: "s1", error: { code: "query_failed", message: "This chart could not be loaded." } });
    expect(JSON.stringify(tenant)).not.toMatch(/system|guard/);
    spy.mockRestore();
  });
});
