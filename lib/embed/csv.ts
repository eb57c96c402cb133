// RFC 4180 CSV. Text cells a spreadsheet would run as a formula are prefixed
// with ' (formula injection); numbers stay numbers.

function cell(v: unknown): string {
  let s = v === null || v === undefined ? "" : String(v);
  if (typeof v === "string" && /^[\s\u3000]*[=+\-@\uFF1D\uFF0B\uFF0D\uFF20\t\r\n]/.test(s)) s = `'${s}`;
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One record with its line ending; lets a long export be streamed line by line. */
export function csvLine(values: unknown[]): string {
  return values.map(cell).join(",") + "\r\n";
}

/** A header line, then one line per row. */
export function toCsv(columns: string[], rows: Record<string, unknown>[]): string {
  return csvLine(columns) + rows.map((r) => csvLine(columns.map((c) => r[c]))).join("");
}
