import type { MetricFormat } from "@/lib/query/widget-spec";
import { heldFormatter, MAX_HELD } from "./held-formatter";

// Numbers in the viewer's locale and a metric's format (number, currency,
// percent, duration). Constructing an Intl.NumberFormat costs far more than
// formatting with one, so each (locale, format) gets one, kept here; and whole
// numbers skip Intl when the locale groups them plainly ("1,234" in en,
// "1.234" in de): most values are counts, and Intl#format was the renderer's
// largest cost.

export type ValueFormat = MetricFormat | null | undefined;

const formatters = new Map<string, Intl.NumberFormat>();

const numberFormat = (locale: string, id: string, options: Intl.NumberFormatOptions): Intl.NumberFormat =>
  heldFormatter(formatters, locale, id, (l) => new Intl.NumberFormat(l, options));

const PLAIN: Intl.NumberFormatOptions = { maximumFractionDigits: 2 };
const COMPACT: Intl.NumberFormatOptions = { notation: "compact", maximumFractionDigits: 1 };

/** How many formatters are held (for tests: one per locale and format, not one per value). */
export const heldFormatters = () => formatters.size;

const separators = new Map<string, string | null>();

/**
 * The locale's group separator when Intl writes whole numbers as plain digits
 * grouped by three from 1,000 up with "-" for minus; null when it does
 * anything else (en-IN's lakhs, es's ungrouped 1234, other digits), and then
 * Intl formats every number. Checked against Intl once per locale.
 */
function plainSeparator(locale: string): string | null {
  let sep = separators.get(locale);
  if (sep === undefined) {
    const intl = numberFormat(locale, "n", PLAIN);
    const s = intl.format(1234567).charAt(1);
    const expected: [number, string][] = [[123, "123"], [-123, "-123"], [1234, `1${s}234`], [1234567, `1${s}234${s}567`], [-1234567, `-1${s}234${s}567`]];
    sep = /^\D$/.test(s) && expected.every(([n, text]) => intl.format(n) === text) ? s : null;
    if (separators.size >= MAX_HELD) separators.clear();
    separators.set(locale, sep);
  }
  return sep;
}

function grouped(n: number, sep: string): string {
  const digits = String(n < 0 ? -n : n);
  if (digits.length <= 3) return n < 0 ? `-${digits}` : digits;
  let out = digits.slice(0, digits.length % 3 || 3);
  for (let i = out.length; i < digits.length; i += 3) out += sep + digits.slice(i, i + 3);
  return n < 0 ? `-${out}` : out;
}

/** A plain number with at most two decimals, as Intl writes it in the locale. */
export function formatNumber(n: number, locale: string): string {
  if (Number.isSafeInteger(n) && !Object.is(n, -0)) {
    const sep = plainSeparator(locale);
    if (sep !== null) return grouped(n, sep);
  }
  return numberFormat(locale, "n", PLAIN).format(n);
}

const UNITS: [string, number][] = [["d", 86_400], ["h", 3_600], ["m", 60], ["s", 1]];

/** Seconds as their two largest units: "45s", "12m 5s", "1h 5m", "2d 3h"; under 10 s with one decimal ("4.5s"). */
export function formatDuration(seconds: number, locale: string): string {
  if (!Number.isFinite(seconds)) return formatNumber(seconds, locale);
  const sign = seconds < 0 ? "-" : "";
  const abs = Math.abs(seconds);
  let rest = Math.round(abs);
  if (abs < 10) return `${sign}${numberFormat(locale, "s", { maximumFractionDigits: 1 }).format(abs)}s`;
  if (rest < 60) return `${sign}${rest}s`;
  const parts: string[] = [];
  for (const [unit, size] of UNITS) {
    const count = Math.floor(rest / size);
    rest -= count * size;
    if (parts.length > 0 || count > 0) parts.push(count > 0 ? `${formatNumber(count, locale)}${unit}` : "");
    if (parts.length === 2) break;
  }
  return sign + parts.filter(Boolean).join(" ");
}

/** A value in its metric's format. Percent takes a ratio: 0.253 reads "25.3%". */
export function formatNumberAs(n: number, format: ValueFormat, locale: string): string {
  switch (format?.kind) {
    case "currency":
      return numberFormat(locale, `c:${format.currency}`, { style: "currency", currency: format.currency }).format(n);
    case "percent":
      return numberFormat(locale, "p", { style: "percent", maximumFractionDigits: 1 }).format(n);
    case "duration":
      return formatDuration(n, locale);
    default:
      return formatNumber(n, locale);
  }
}

/** A change in percent with one decimal ("23.5%"; "23,5 %" in de), as a KPI compares periods. */
export function formatChange(percent: number, locale: string): string {
  if (locale === "en") return `${percent.toFixed(1)}%`;
  return numberFormat(locale, "change", { style: "percent", minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(percent / 100);
}

/** A y-axis tick in its metric's format, compact from 10,000 up so it fits the 48px axis ("12.5K", "€3M"). */
export function formatTickAs(n: number, format: ValueFormat, locale: string): string {
  const large = Math.abs(n) >= 10_000;
  switch (format?.kind) {
    case "currency": {
      const currency = format.currency;
      const options: Intl.NumberFormatOptions = large ? { style: "currency", currency, notation: "compact", minimumFractionDigits: 0, maximumFractionDigits: 1 } : { style: "currency", currency, minimumFractionDigits: 0, maximumFractionDigits: 2 };
      return numberFormat(locale, `${large ? "cc" : "ct"}:${currency}`, options).format(n);
    }
    case "percent":
    case "duration":
      return formatNumberAs(n, format, locale);
    default:
      return large ? numberFormat(locale, "nc", COMPACT).format(n) : formatNumber(n, locale);
  }
}
