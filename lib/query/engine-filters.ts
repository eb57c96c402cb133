import "server-only";
import { AppError } from "@/lib/errors";
import { VALUE_FIELD } from "@/lib/query/catalog";
import type { CatalogTable } from "@/lib/query/catalog-tables";
import { dimensionSql } from "@/lib/query/compile-widget";
import type { Filter } from "@/lib/query/widget-spec";

// Predicates for the engine's per-table row filter (`additional_table_filters`).
// That setting is a string holding a map literal, so query parameters cannot
// reach it: identifiers come from the catalog only (dimensionSql), strings are
// hex (no quoting level can break), numbers and instants are checked numbers.

/** The session's own narrowing of custom SQL, applied by the engine to every read of every catalog table. */
export type SessionRowFilter = {
  /** UTC instants (ISO strings): rows with from <= time < to. Absent: all time. */
  period?: { from: string; to: string };
  /** The end user's chosen dashboard filters. */
  filters?: Filter[];
};

/** A string literal that survives both the map literal and the setting value: hex only. */
export function hexLiteral(value: string): string {
  return `unhex('${Buffer.from(value, "utf8").toString("hex").toUpperCase()}')`;
}

function numberLiteral(value: unknown): string {
  if (typeof value !== "number" || !Number.isFinite(value)) throw new AppError("validation_failed", "A filter bound is not a finite number.");
  return String(value);
}

function instantLiteral(iso: string): string {
  const ms = Date.parse(iso);
  if (!Number.isSafeInteger(ms)) throw new AppError("validation_failed", "The period could not be read.");
  return `fromUnixTimestamp64Milli(${ms}, 'UTC')`;
}

/** One chosen filter as a literal predicate, the same meaning as the compiler's parameterised one. */
export function literalFilterSql(filter: Filter): string {
  if (filter.op === "between") return `(${VALUE_FIELD} >= ${numberLiteral(filter.min)} AND ${VALUE_FIELD} <= ${numberLiteral(filter.max)})`;
  const dim = dimensionSql(filter.field);
  switch (filter.op) {
    case "equals":
      return `${dim} = ${hexLiteral(filter.value)}`;
    case "in":
      return `${dim} IN (${filter.values.map(hexLiteral).join(", ")})`;
    case "not_in":
      return `${dim} NOT IN (${filter.values.map(hexLiteral).join(", ")})`;
    case "contains":
      return `positionCaseInsensitiveUTF8(${dim}, ${hexLiteral(filter.value)}) > 0`;
  }
}

/** The session row filter's predicates for one table: the period on its time column, then each chosen filter. */
export function sessionPredicates(table: CatalogTable, rowFilter: SessionRowFilter | undefined): string[] {
  if (!rowFilter) return [];
  const out: string[] = [];
  if (rowFilter.period) {
    out.push(`${table.timeColumn} >= ${instantLiteral(rowFilter.period.from)}`, `${table.timeColumn} < ${instantLiteral(rowFilter.period.to)}`);
  }
  for (const filter of rowFilter.filters ?? []) out.push(literalFilterSql(filter));
  return out;
}
