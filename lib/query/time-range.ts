import type { TimeRange } from "@/lib/query/widget-spec";

// Resolves a time range to UTC instants in the dashboard's time zone. Bounds
// are computed once here and passed as query parameters, so the same spec
// gives the same SQL parameters on every engine.

const DAY = 86_400_000;

// Building an Intl.DateTimeFormat costs far more than using one, and every
// widget compile resolves a range: keep one formatter per zone.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(tz: string): Intl.DateTimeFormat {
  let f = formatters.get(tz);
  if (!f) {
    // Throws a RangeError for an unknown zone, which is then not cached.
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: tz, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23",
    });
    if (formatters.size >= 1000) formatters.clear(); // zone names vary in case: keep it bounded
    formatters.set(tz, f);
  }
  return f;
}

export function isTimeZone(tz: string): boolean {
  try {
    formatter(tz);
    return true;
  } catch {
    return false;
  }
}

export function zonedParts(instant: number, tz: string) {
  const parts = formatter(tz).formatToParts(new Date(instant));
  const get = (t: string) => Number(parts.find((p) => p.type === t)!.value);
  return { y: get("year"), m: get("month"), d: get("day"), h: get("hour"), min: get("minute"), s: get("second") };
}

/** Offset of the zone from UTC at an instant, in ms. */
function offsetAt(instant: number, tz: string): number {
  const p = zonedParts(instant, tz);
  return Date.UTC(p.y, p.m - 1, p.d, p.h, p.min, p.s) - Math.floor(instant / 1000) * 1000;
}

/** The UTC instant of local midnight on y-m-d in the zone (DST-aware). */
export function zonedMidnight(y: number, m: number, d: number, tz: string): number {
  const guess = Date.UTC(y, m - 1, d);
  const first = guess - offsetAt(guess, tz);
  return guess - offsetAt(first, tz);
}

export type ResolvedRange = { from: Date; to: Date };

export function resolveTimeRange(range: TimeRange, tz: string, now: Date): ResolvedRange {
  const today = zonedParts(now.getTime(), tz);
  const tomorrow = zonedMidnight(today.y, today.m, today.d + 1, tz);
  switch (range.kind) {
    case "last_7_days":
    case "last_30_days":
    case "last_90_days": {
      const days = Number(range.kind.split("_")[1]);
      return { from: new Date(zonedMidnight(today.y, today.m, today.d - (days - 1), tz)), to: new Date(tomorrow) };
    }
    case "this_month":
      return { from: new Date(zonedMidnight(today.y, today.m, 1, tz)), to: new Date(zonedMidnight(today.y, today.m + 1, 1, tz)) };
    case "absolute": {
      const [fy, fm, fd] = range.from.split("-").map(Number);
      const [ty, tm, td] = range.to.split("-").map(Number);
      // `to` is inclusive: the range ends at the midnight after it.
      return { from: new Date(zonedMidnight(fy, fm, fd, tz)), to: new Date(zonedMidnight(ty, tm, td + 1, tz)) };
    }
  }
}

/** Shortens a range to at most `maxDays`, keeping its end. */
export function clampRange(range: ResolvedRange, maxDays: number | undefined): ResolvedRange {
  if (!maxDays || range.to.getTime() - range.from.getTime() <= maxDays * DAY) return range;
  return { from: new Date(range.to.getTime() - maxDays * DAY), to: range.to };
}

/**
 * Whether a period and the one before it, as long again, may both be read:
 * a date bound allows it only when twice the period fits (KPI deltas and
 * compared time series follow the same rule).
 */
export function canCompare(range: ResolvedRange, maxDays: number | undefined): boolean {
  return !maxDays || 2 * (range.to.getTime() - range.from.getTime()) <= maxDays * DAY;
}

/**
 * The period before a range, as many whole days long, ending the day before
 * it starts (in the zone): what a compared time series reads, as dates an
 * end user could have picked themselves.
 */
export function previousTimeRange(range: TimeRange, tz: string, now: Date): TimeRange {
  const start = localDate(resolveTimeRange(range, tz, now).from.getTime(), tz);
  return { kind: "absolute", from: addDays(start, -rangeDays(range, tz, now)), to: addDays(start, -1) };
}

/** A range's first and last day in the zone (YYYY-MM-DD, both inclusive). */
export function rangeDates(range: TimeRange, tz: string, now: Date): { from: string; to: string } {
  const { from, to } = resolveTimeRange(range, tz, now);
  return { from: localDate(from.getTime(), tz), to: localDate(to.getTime() - 1, tz) };
}

/** Adds whole days to a YYYY-MM-DD date. */
export function addDays(date: string, days: number): string {
  const [y, m, d] = date.split("-").map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** Today's date in the zone (YYYY-MM-DD): the latest day a custom range may end on. */
export function todayIn(tz: string, now: Date): string {
  return localDate(now.getTime(), tz);
}

/** Whole days a range covers in the zone (rounded: a DST day is still one day). */
export function rangeDays(range: TimeRange, tz: string, now: Date): number {
  const { from, to } = resolveTimeRange(range, tz, now);
  return Math.round((to.getTime() - from.getTime()) / DAY);
}

function localDate(instant: number, tz: string): string {
  const p = zonedParts(instant, tz);
  return new Date(Date.UTC(p.y, p.m - 1, p.d)).toISOString().slice(0, 10);
}

const PRESETS_LONGEST_FIRST = ["last_90_days", "last_30_days", "last_7_days"] as const;

/**
 * A range an end user chose (a saved view, an AI answer), brought within
 * `maxDays` the way clampRange shortens it at query time, but as a range the
 * embed can show: the longest preset that fits, else the last `maxDays` days
 * up to the range's end. A range that fits comes back as it is (same object).
 */
export function boundTimeRange(range: TimeRange, maxDays: number | undefined, tz: string, now: Date): TimeRange {
  if (!maxDays || rangeDays(range, tz, now) <= maxDays) return range;
  if (range.kind !== "absolute") {
    const preset = PRESETS_LONGEST_FIRST.map((kind) => ({ kind })).find((r) => rangeDays(r, tz, now) <= maxDays);
    if (preset) return preset;
  }
  const to = localDate(resolveTimeRange(range, tz, now).to.getTime() - 1, tz);
  return { kind: "absolute", from: addDays(to, -(maxDays - 1)), to };
}

/** ClickHouse DateTime64(3) text in UTC. */
export function chTime(date: Date): string {
  return date.toISOString().replace("T", " ").replace("Z", "");
}
