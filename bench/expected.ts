import { DEMO_DAYS } from "@/lib/analytics/demo-data";
import { resolveTimeRange } from "@/lib/query/time-range";
import type { BenchEvent } from "./dataset";

// Each tenant's expected dashboard numbers, computed from the generated events
// in memory (never from the engine), so the leak check is independent of the
// query path. Counts are kept per UTC day; the demo dashboard's ranges are
// whole UTC days, so any "last 30 days" is a sum of days.

const DAY = 86_400_000;
const SLOTS = DEMO_DAYS + 2; // the generated 90 days, today, and one spare

type Series = Map<string, Float64Array>;
type TenantAgg = { rows: number; signups: Float64Array; revenue: Float64Array; pages: Series; countrySignups: Series; devices: Series; pageUsers: Map<string, Map<number, number>> };

export type ExpectedWidgets = {
  signups: { m0: number; m0_previous: number };
  revenue: { m0: number; m0_previous: number };
  "page-views": Map<string, number>;
  "signups-by-country": Map<string, number>;
  devices: Map<string, number>;
  "top-pages": Map<string, { views: number; users: number }>;
};

const add = (series: Series, key: string, day: number, by = 1) => {
  let s = series.get(key);
  if (!s) series.set(key, (s = new Float64Array(SLOTS)));
  s[day] += by;
};
const sum = (s: Float64Array | undefined, from: number, to: number) => {
  let total = 0;
  for (let d = Math.max(0, from); d < Math.min(SLOTS, to); d++) total += s?.[d] ?? 0;
  return total;
};

export class ExpectedNumbers {
  private tenants = new Map<string, TenantAgg>();
  private memo = new Map<string, ExpectedWidgets>();
  private readonly start: number;

  constructor(anchor: Date) {
    this.start = anchor.getTime() - DEMO_DAYS * DAY;
  }

  /** Call once per event that the engine accepted. */
  add(e: BenchEvent): void {
    this.memo.clear();
    let t = this.tenants.get(e.tenant_id);
    if (!t) {
      t = { rows: 0, signups: new Float64Array(SLOTS), revenue: new Float64Array(SLOTS), pages: new Map(), countrySignups: new Map(), devices: new Map(), pageUsers: new Map() };
      this.tenants.set(e.tenant_id, t);
    }
    const day = Math.floor((Date.parse(e.ts) - this.start) / DAY);
    if (day < 0 || day >= SLOTS) throw new Error(`event outside the expected window: ${e.ts}`);
    t.rows++;
    add(t.devices, e.properties.device, day);
    if (e.name === "signup") {
      t.signups[day]++;
      add(t.countrySignups, e.properties.country, day);
    } else if (e.name === "order_completed") {
      t.revenue[day] += e.value ?? 0;
    } else if (e.name === "page_view") {
      const page = e.properties.page;
      add(t.pages, page, day);
      let users = t.pageUsers.get(page);
      if (!users) t.pageUsers.set(page, (users = new Map()));
      // Ranges always end today, so "seen in range" is "last seen on or after its first day".
      const user = Number(e.user_id.slice(1)); // "u123": numbers keep the map small
      if ((users.get(user) ?? -1) < day) users.set(user, day);
    }
  }

  /** Signups of one country in the dashboard's "last 30 days" and the 30 before: the signups KPI under a country filter. */
  countrySignups(tenantId: string, country: string, now = new Date()): { m0: number; m0_previous: number } {
    const series = this.tenants.get(tenantId)?.countrySignups.get(country);
    const range = resolveTimeRange({ kind: "last_30_days" }, "UTC", now);
    const from = Math.round((range.from.getTime() - this.start) / DAY);
    const to = Math.round((range.to.getTime() - this.start) / DAY);
    return { m0: sum(series, from, to), m0_previous: sum(series, from - (to - from), from) };
  }

  rows(tenantId: string): number {
    return this.tenants.get(tenantId)?.rows ?? 0;
  }

  /** The demo dashboard's six widgets for one tenant, as the server would compute them at `now`. */
  widgets(tenantId: string, now = new Date()): ExpectedWidgets {
    const t = this.tenants.get(tenantId);
    if (!t) throw new Error(`no expected numbers for ${tenantId}`);
    const range = resolveTimeRange({ kind: "last_30_days" }, "UTC", now);
    const from = Math.round((range.from.getTime() - this.start) / DAY);
    const to = Math.round((range.to.getTime() - this.start) / DAY);
    const memoKey = `${tenantId}:${from}:${to}`;
    const memo = this.memo.get(memoKey);
    if (memo) return memo;
    const prev = from - (to - from);
    const byKey = (series: Series) => new Map([...series].map(([k, s]) => [k, sum(s, from, to)] as const).filter(([, n]) => n > 0));
    const perDay = new Map<string, number>();
    for (let d = from; d < to; d++) {
      let n = 0;
      for (const s of t.pages.values()) n += s[d] ?? 0;
      if (n > 0) perDay.set(new Date(this.start + d * DAY).toISOString().slice(0, 10), n);
    }
    const topPages = new Map<string, { views: number; users: number }>();
    for (const [page, s] of t.pages) {
      const views = sum(s, from, to);
      if (views === 0) continue;
      const users = [...(t.pageUsers.get(page)?.values() ?? [])].filter((last) => last >= from).length;
      topPages.set(page, { views, users });
    }
    const result: ExpectedWidgets = {
      signups: { m0: sum(t.signups, from, to), m0_previous: sum(t.signups, prev, from) },
      revenue: { m0: sum(t.revenue, from, to), m0_previous: sum(t.revenue, prev, from) },
      "page-views": perDay,
      "signups-by-country": byKey(t.countrySignups),
      devices: byKey(t.devices),
      "top-pages": topPages,
    };
    this.memo.set(memoKey, result);
    return result;
  }
}
