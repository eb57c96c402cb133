import { DEFAULT_LOCALE, t } from "@/lib/embed/messages";
import { heldFormatter } from "./held-formatter";

// Time buckets and category labels as they read, in the viewer's locale:
// English keeps its own short forms ("6 Apr 2026", ISO dates on axes); other
// locales get Intl's. Buckets are the dashboard's wall time, formatted as UTC
// so no time zone moves them.

/** A category or bucket label as shown: day buckets drop their " 00:00:00". */
export function formatLabel(v: unknown): string {
  if (v === null || v === undefined) return "—";
  const s = String(v);
  return s.endsWith(" 00:00:00") ? s.slice(0, -9) : s;
}

export const MONTH_NAMES = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
const MONTHS = MONTH_NAMES.map((name) => name.slice(0, 3));

const dateFormats = new Map<string, Intl.DateTimeFormat>();

/** One DateTimeFormat per (locale, shape), reading wall times given as UTC. */
const dateFormat = (locale: string, shape: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat =>
  heldFormatter(dateFormats, locale, shape, (l) => new Intl.DateTimeFormat(l, { ...options, timeZone: "UTC" }));

const BUCKET = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2}))?/;

const SHAPES: Record<string, Intl.DateTimeFormatOptions> = {
  hour: { day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit" },
  day: { day: "numeric", month: "short", year: "numeric" },
  month: { month: "long", year: "numeric" },
  short: { day: "2-digit", month: "2-digit", year: "numeric" },
  shortTime: { day: "2-digit", month: "2-digit", year: "numeric", hour: "2-digit", minute: "2-digit" },
};

/**
 * A time bucket ("2026-04-06 00:00:00", the dashboard's wall time) at the
 * chart's granularity: "6 Apr 2026, 14:00", "6 Apr 2026", "Week of 6 Apr
 * 2026", "April 2026" in English, as Intl writes them in other locales
 * ("6. Apr. 2026"). Anything else is shown as formatLabel shows it.
 */
export function formatBucket(v: unknown, granularity: "hour" | "day" | "week" | "month" | undefined, locale: string = DEFAULT_LOCALE): string {
  const m = BUCKET.exec(String(v ?? ""));
  if (!m || !granularity) return formatLabel(v);
  const [, y, mo, d, hh = "00", mm = "00"] = m;
  let day: string;
  if (locale === DEFAULT_LOCALE) {
    day = `${Number(d)} ${MONTHS[Number(mo) - 1]} ${y}`;
    if (granularity === "hour") return `${day}, ${hh}:${mm}`;
    if (granularity === "month") return `${MONTH_NAMES[Number(mo) - 1]} ${y}`;
  } else {
    const at = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(hh), Number(mm)));
    if (granularity !== "week") return dateFormat(locale, granularity, SHAPES[granularity]).format(at);
    day = dateFormat(locale, "day", SHAPES.day).format(at);
  }
  return granularity === "week" ? t(locale, "chart.week_of", { day }) : day;
}

/**
 * A bucket on an axis or in a table: formatLabel's ISO date in English, the
 * locale's short numeric date elsewhere ("06.04.2026", with the time when it
 * is not midnight). Anything that is not a date is shown as formatLabel shows it.
 */
export function formatBucketLabel(v: unknown, locale: string = DEFAULT_LOCALE): string {
  const m = locale === DEFAULT_LOCALE ? null : BUCKET.exec(String(v ?? ""));
  if (!m) return formatLabel(v);
  const [, y, mo, d, hh = "00", mm = "00"] = m;
  const at = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(hh), Number(mm)));
  return hh === "00" && mm === "00" ? dateFormat(locale, "short", SHAPES.short).format(at) : dateFormat(locale, "shortTime", SHAPES.shortTime).format(at);
}

