import type { WidgetView } from "@/lib/dashboards/describe-widget";
import { DEFAULT_LOCALE, t } from "@/lib/embed/messages";

// RFC 4180 CSV. Text cells a spreadsheet would run as a formula are prefixed
// with ' (formula injection); numbers stay numbers: raw, unformatted and with
// a "." decimal point whatever the metric's format or the viewer's locale, so
// a spreadsheet reads them as numbers. Only the header words follow the locale.

function cell(v: unknown): string {
  let s = v === null || v === undefined ? "" : String(v);
  if (typeof v === "string" && /^[\s\u3000]*[=+\-@\uFF1D\uFF0B\uFF0D\uFF20\t\r\n]/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One record with its line ending; lets a long export be streamed line by line. */
export function csvLine(values: unknown[]): string {
  return values.map(cell).join(",") + "\r\n";
}

/** A header line (`headers`, default the column names), then one line per row. */
export function toCsv(columns: string[], rows: Record<string, unknown>[], headers: string[] = columns): string {
  return csvLine(headers) + rows.map((r) => csvLine(columns.map((c) => r[c]))).join("");
}

/**
 * The words a chart widget's export puts above its columns: what the user
 * reads on the card (the breakdown in effect, the series labels), not the
 * result's column names (`dimension`, `m0`). Custom-SQL widgets keep their own.
 */
export function csvHeaders(view: WidgetView, columns: string[], breakdownLabel = view.breakdown?.label, locale: string = DEFAULT_LOCALE): string[] {
  if (view.kind === "sql") return columns;
  return columns.map((c) => {
    if (c === "bucket") return t(locale, "csv.date");
    if (c === "dimension") return breakdownLabel ?? t(locale, "table.value");
    if (c === "bucket_previous") return t(locale, "csv.previous", { metric: t(locale, "csv.date") });
    // A KPI's delta (m0_previous), or a compared time series' period before (m0_previous, m1_previous…).
    const previous = /^m(\d+)_previous$/.exec(c)?.[1];
    if (previous !== undefined) return t(locale, "csv.previous", { metric: view.metricLabels[Number(previous)] ?? t(locale, "table.value") });
    const i = /^m(\d+)$/.exec(c)?.[1];
    return i === undefined ? c : (view.metricLabels[Number(i)] ?? c);
  });
}
