import { DEFAULT_LOCALE } from "@/lib/embed/messages";
import { formatNumber, formatNumberAs, formatTickAs, type ValueFormat } from "./format-number";

// How values read in the rendered widgets, in the viewer's locale (the
// session's claim; "en" by default). The admin console's recharts widgets
// (components/admin/recharts-widget.tsx) use these too; they are kept here so
// the server renderer does not import a client component.

export { formatBucket, formatBucketLabel, formatLabel, MONTH_NAMES } from "./format-date";
export type { ValueFormat };
/** How a number reads: its metric's format and the viewer's locale. */
export type NumberStyle = { format?: ValueFormat; locale?: string };

/** A cell or tooltip value in its format (numbers grouped with at most two decimals by default), null as "—". */
export function formatValue(v: unknown, style?: NumberStyle): string {
  if (v === null || v === undefined) return "—";
  return typeof v === "number" ? formatNumberAs(v, style?.format, style?.locale ?? DEFAULT_LOCALE) : String(v);
}

/** A y-axis tick: compact from 10,000 up so ticks fit the 48px axis ("12.5K", "3M"). */
export function formatTick(n: number, style?: NumberStyle): string {
  return formatTickAs(n, style?.format, style?.locale ?? DEFAULT_LOCALE);
}

/** A plotted value: finite numbers only; anything else is a gap, never a zero. */
export function toNumber(v: unknown): number | null {
  return typeof v === "number" && Number.isFinite(v) ? v : null;
}

/** Whole numbers grouped in the locale, for counts in notes ("2,000 of 8,760"). */
export function formatCount(n: number, locale: string = DEFAULT_LOCALE): string {
  return formatNumber(n, locale);
}
