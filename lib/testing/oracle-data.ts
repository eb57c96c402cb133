import fc from "fast-check";
import { getAnalytics } from "@/lib/analytics/engine";
import { eventsDdl } from "@/lib/analytics/schema";
import { AppError } from "@/lib/errors";
import { getCatalog, type Catalog } from "@/lib/query/catalog-tables";
import { loadDemoFixture } from "@/lib/testing/analytics-fixture";

// Shared by the oracles: the demo data plus hostile rows only other tenants
// hold, a tenant-only copy of each tenant's rows in its own database, and
// generators of specs, filters and permissions weighted towards real values.

export const ANCHOR = new Date("2026-06-01T00:00:00Z");
export const NOW = new Date("2026-05-31T15:00:00Z");
export const TENANTS = ["acme", "acme2", "acme.eu", "ACME", "acme-staging", "globex", "tenant-007"];

/** Loads the shared data and one tenant-only database per tenant; returns their catalogs. */
export async function loadOracleData(events = 30_000): Promise<{ shared: Catalog; solo: Map<string, Catalog> }> {
  await loadDemoFixture(events, ANCHOR);
  const engine = getAnalytics();
  const shared = getCatalog();
  // Hostile rows the look-alike tenants do not have: values only another tenant holds.
  await engine.withConnection((c) =>
    c.insert({
      table: `${shared.database}.events`,
      format: "JSONEachRow",
      values: [
        { tenant_id: "globex", event_id: "x1", ts: "2026-05-20 10:00:00.000", name: "secret_event", user_id: "u1", value: 1e9, properties: { country: "ZZ", plan: "x' OR '1'='1", secret: "not-a-number" } },
        { tenant_id: "acme2", event_id: "x2", ts: "2026-05-21 10:00:00.000", name: "signup", user_id: "u1", value: null, properties: { country: "acme", page: "%" } },
      ],
    }),
  );
  const solo = new Map<string, Catalog>();
  for (const [i, tenant] of TENANTS.entries()) {
    const database = `solo_${i}`;
    await engine.withConnection(async (c) => {
      for (const statement of eventsDdl(database)) await c.command({ query: statement });
      await c.command({ query: `INSERT INTO ${database}.events SELECT * FROM ${shared.database}.events WHERE tenant_id = {t:String}`, query_params: { t: tenant } });
    });
    solo.set(tenant, getCatalog(database));
  }
  return { shared, solo };
}

export type Outcome = { ok: true; rows: Record<string, unknown>[] } | { ok: false; code: string };

export async function outcome(run: () => Promise<{ rows: Record<string, unknown>[] }>): Promise<Outcome> {
  try {
    return { ok: true, rows: (await run()).rows };
  } catch (err) {
    if (err instanceof AppError) return { ok: false, code: err.code };
    return { ok: false, code: `thrown:${err instanceof Error ? err.message.slice(0, 80) : String(err)}` };
  }
}

/** Equal results: same rows in the same order; floats equal to 1e-9 relative (summation order may differ). */
export function sameOutcome(a: Outcome, b: Outcome, ordered = true): boolean {
  if (a.ok !== b.ok) return false;
  if (!a.ok || !b.ok) return !a.ok && !b.ok && a.code === b.code;
  if (a.rows.length !== b.rows.length) return false;
  const canon = (rows: Record<string, unknown>[]) => {
    const mapped = rows.map((r) => JSON.stringify(r, (_k, v) => (typeof v === "number" && !Number.isInteger(v) ? Number(v.toPrecision(9)) : v)));
    return ordered ? mapped : mapped.sort();
  };
  const [x, y] = [canon(a.rows), canon(b.rows)];
  return x.every((row, i) => row === y[i]);
}

const close = (x: unknown, y: unknown) =>
  typeof x === "number" && typeof y === "number" && !(Number.isInteger(x) && Number.isInteger(y)) ? Math.abs(x - y) <= 1e-9 * Math.max(Math.abs(x), Math.abs(y)) : x === y;
const closeRow = (a: Record<string, unknown>, b: Record<string, unknown>) => Object.keys(a).length === Object.keys(b).length && Object.entries(a).every(([k, v]) => close(v, b[k]));

/**
 * Equal answers of two ways of summing: counts, minimums, maximums and
 * distinct counts identical; sums and averages to a relative 1e-9 (summation
 * order differs). Rows in the same order or, where rounding reorders rows
 * ranked by a float, the same rows.
 */
export function closeOutcome(a: Outcome, b: Outcome): boolean {
  if (sameOutcome(a, b)) return true;
  if (!a.ok || !b.ok || a.rows.length !== b.rows.length) return false;
  if (a.rows.every((row, i) => closeRow(row, b.rows[i]))) return true;
  const rest = [...b.rows];
  return a.rows.every((row) => {
    const i = rest.findIndex((other) => closeRow(row, other));
    return i >= 0 && rest.splice(i, 1).length === 1;
  });
}

/** Some metric is non-zero: a label alone proves nothing. */
export const hasData = (o: Outcome) => o.ok && o.rows.some((r) => Object.entries(r).some(([k, v]) => /^m\d+/.test(k) && v !== 0 && v !== null));

// Values per field: real ones, and hostile ones only another tenant holds (or nobody).
export const REAL: Record<string, string[]> = {
  country: ["US", "DE", "GB", "FR", "CA", "IN"],
  plan: ["free", "pro", "enterprise"],
  device: ["desktop", "mobile", "tablet"],
  page: ["/", "/pricing", "/docs", "/app/reports"],
  event: ["signup", "page_view", "order_completed"],
  "property:secret": [""],
  "property:page": ["/", "/blog"],
};
export const HOSTILE: Record<string, string[]> = {
  country: ["ZZ", "acme"],
  plan: ["x' OR '1'='1"],
  device: ["phone"],
  page: ["%"],
  event: ["secret_event"],
  "property:secret": ["not-a-number"],
  "property:page": ["ü"],
};
export const dimensionIds = Object.keys(REAL);
export const breakdownArb = fc.oneof({ weight: 5, arbitrary: fc.constantFrom("country", "plan", "device", "page", "event") }, { weight: 1, arbitrary: fc.constantFrom("property:secret", "property:page") });
export const valueArb = (field: string) => fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...REAL[field]) }, { weight: 1, arbitrary: fc.constantFrom(...HOSTILE[field]) });
export const filterArb = fc.constantFrom(...dimensionIds).chain((field) =>
  fc.oneof(
    { weight: 3, arbitrary: fc.record({ field: fc.constant(field), op: fc.constant("equals" as const), value: valueArb(field) }) },
    { weight: 3, arbitrary: fc.record({ field: fc.constant(field), op: fc.constantFrom("in" as const, "not_in" as const), values: fc.uniqueArray(valueArb(field), { minLength: 1, maxLength: 3 }) }) },
    { weight: 1, arbitrary: fc.record({ field: fc.constant(field), op: fc.constant("contains" as const), value: fc.constantFrom("a", "p", "%", "'", "s") }) },
    { weight: 1, arbitrary: fc.record({ field: fc.constant("value" as const), op: fc.constant("between" as const), min: fc.integer({ min: 0, max: 300 }), max: fc.integer({ min: 300, max: 2_000_000_000 }) }) },
  ),
);
export const lockedArb = fc.dictionary(fc.constantFrom("country", "plan", "device", "event"), fc.constant([] as string[]), { maxKeys: 2 }).chain((keys) =>
  fc.record(Object.fromEntries(Object.keys(keys).map((k) => [k, fc.uniqueArray(valueArb(k), { minLength: 1, maxLength: 3 })]))),
);
export const eventArb = fc.oneof({ weight: 6, arbitrary: fc.constantFrom("signup", "page_view", "order_completed") }, { weight: 1, arbitrary: fc.constant("secret_event") });
export const metricArb = fc.oneof(
  fc.record({ id: fc.constantFrom("event_count", "unique_users", "value_sum", "value_avg", "value_min", "value_max", "value_p50", "value_p90", "value_p99") }, { requiredKeys: ["id"] }),
  fc.record({ id: fc.constantFrom("event_count", "value_sum", "unique_users", "value_avg", "value_max"), event: eventArb }),
  fc.record({ id: fc.constant("conversion_rate"), from_event: fc.constantFrom("signup", "page_view"), to_event: fc.oneof({ weight: 4, arbitrary: fc.constant("order_completed") }, { weight: 1, arbitrary: fc.constant("secret_event") }) }),
);
export const timeRangeArb = fc.oneof(
  fc.constantFrom({ kind: "last_7_days" as const }, { kind: "last_30_days" as const }, { kind: "last_90_days" as const }, { kind: "this_month" as const }),
  fc.tuple(fc.integer({ min: 0, max: 80 }), fc.integer({ min: 0, max: 40 })).map(([back, len]) => {
    const day = (offset: number) => new Date(ANCHOR.getTime() - offset * 86_400_000).toISOString().slice(0, 10);
    return { kind: "absolute" as const, from: day(back + len), to: day(back) };
  }),
);
export const tenantArb = fc.oneof({ weight: 3, arbitrary: fc.constantFrom("acme", "globex", "acme2", "acme.eu") }, { weight: 1, arbitrary: fc.constantFrom(...TENANTS) });
export const permissionsArb = fc.record({
  locked_filters: fc.oneof({ weight: 2, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: lockedArb }),
  max_date_range_days: fc.option(fc.integer({ min: 1, max: 120 }), { nil: undefined }),
  allowed_dimensions: fc.oneof({ weight: 7, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.uniqueArray(fc.constantFrom(...dimensionIds), { maxLength: 4 }) }),
  allow_drill_down: fc.oneof({ weight: 7, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
  hidden_widgets: fc.constant(["w-hidden"]),
});
/** The fields of a widget spec, each as a generator. */
export const widgetFields = {
  chart: fc.constantFrom("kpi", "line", "area", "bar", "stacked_bar", "pie", "donut", "table"),
  metrics: fc.array(metricArb, { minLength: 1, maxLength: 3 }),
  breakdown: fc.option(breakdownArb, { nil: undefined }),
  granularity: fc.option(fc.constantFrom("hour", "day", "week", "month"), { nil: undefined }),
  filters: fc.array(filterArb, { maxLength: 1 }),
  time_range: timeRangeArb,
  limit: fc.option(fc.integer({ min: 1, max: 20 }), { nil: undefined }),
};
/** A widget spec's raw fields (parse with ChartWidget; invalid ones never reach the compiler). */
export const widgetArb = fc.record({
  ...widgetFields,
  sort: fc.option(fc.record({ by: fc.constantFrom("metric", "dimension"), direction: fc.constantFrom("asc", "desc") }), { nil: undefined, freq: 4 }),
});
