// How values read in the rendered widgets: the same formats as the recharts
// widgets of the admin console (components/admin/recharts-widget.tsx), kept here so the server
// renderer does not import a client component.

const number = new Intl.NumberFormat("en", { maximumFractionDigits: 2 });
const compact = new Intl.NumberFormat("en", { notation: "compact", maximumFractionDigits: 1 });

/**
 * Intl's output for whole numbers, without Intl: most values are counts, and
 * Intl.NumberFormat#format was the renderer's largest cost. Everything else
 * (fractions, -0, beyond 2^53) goes to Intl.
 */
function formatNumber(n: number): string {
  if (!Number.isSafeInteger(n) || Object.is(n, -0)) return number.format(n);
  const digits = String(n < 0 ? -n : n);
  if (digits.length <= 3) return n < 0 ? `-${digits}` : digits;
  let out = digits.slice(0, digits.length % 3 || 3);
  for (let i = out.length; i < digits.length; i += 3) out += `,${digits.slice(i, i + 3)}`;
  return n < 0 ? `-${out}` : out;
}

/** A cell or tooltip value: numbers grouped with at most two decimals, null as "—". */
export function formatValue(v: unknown): string {
  if (v === null || v === undefined) return "—";
  return typeof v === "number" ? formatNumber(v) : String(v);
}

/** A y-axis tick: compact from 10,000 up so ticks fit the 48px axis ("12.5K", "3M"). */
export function formatTick(n: number): string {
  return Math.abs(n) >= 10_000 ? compact.format(n) : formatNumber(n);
}

/** A category or bucket label as shown: day buckets drop their " 00:00:00". */
export function formatLabel(v: unknown): string {
  if (v === null || v === undefined) return "—";
  const s = String(v);
  return s.endsWith(" 00:00:00") ? s.slice(0, -9) : s;
}

export const MONTH_NAMES = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
const MONTHS = MONTH_NAMES.map((name) => name.slice(0, 3));

/**
 * A time bucket ("2026-04-06 00:00:00", the dashboard's wall time) at the
 * chart's granularity: "6 Apr 2026, 14:00", "6 Apr 2026", "Week of 6 Apr
 * 2026", "April 2026". Anything else is shown as formatLabel shows it.
 */
export function formatBucket(v: unknown, granularity: "hour" | "day" | "week" | "month" | undefined): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2}))?/.exec(String(v ?? ""));
  if (!m || !granularity) return formatLabel(v);
  const [, y, mo, d, hh = "00", mm = "00"] = m;
  const day = `${Number(d)} ${MONTHS[Number(mo) - 1]} ${y}`;
  if (granularity === "hour") return `${day}, ${hh}:${mm}`;
  if (granularity === "week") return `Week of ${day}`;
  if (granularity === "month") return `${MONTH_NAMES[Number(mo) - 1]} ${y}`;
  return day;
}

/** A plotted value: finite numbers only; anything else is a gap, never a zero. */
export function toNumber(v: unknown): number | null {
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

/** Whole numbers with thousands separators, for counts in notes ("2,000 of 8,760"). */
export function formatCount(n: number): string {
  return formatNumber(n);
}
