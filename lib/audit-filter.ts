import { z } from "zod";
import type { Prisma } from "@prisma/client";
import { searchParam as param } from "@/lib/search-params";

// The audit page, its pagination links and its CSV export all read the same
// URL search params through this one schema, so an export holds exactly the
// rows the page counted.

/** A day as `<input type="date">` sends it; read as a whole UTC day. */
const Day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, { message: "expected a date as YYYY-MM-DD", abort: true })
  .refine((s) => {
    const day = startOfDay(s);
    return !Number.isNaN(day.getTime()) && day.toISOString().slice(0, 10) === s;
  }, { error: (issue) => `${String(issue.input)} is not a calendar date` });

const Cursor = z.coerce.number({ error: "expected a row id" }).int("expected a row id").positive("expected a row id");

export const AuditQuery = z
  .object({
    actor: param(z.string().max(200, "at most 200 characters")),
    action: param(z.string().max(100, "at most 100 characters")),
    target: param(z.string().max(200, "at most 200 characters")),
    from: param(Day),
    to: param(Day),
    // Keyset cursors: rows older than `before`, or newer than `after`.
    before: param(Cursor),
    after: param(Cursor),
  })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { message: "the start date is after the end date", path: ["from"] })
  .refine((q) => !(q.before && q.after), { message: "use either an older or a newer page, not both", path: ["before"] });
export type AuditQuery = z.infer<typeof AuditQuery>;
export type AuditFilter = Omit<AuditQuery, "before" | "after">;

const LABELS: Record<string, string> = { actor: "Actor", action: "Action", target: "Target", from: "From", to: "To", before: "Page", after: "Page" };

/** Parses search params; a bad one becomes a message for the page, never a 500. */
export function parseAuditQuery(params: Record<string, string | string[] | undefined>): { ok: true; query: AuditQuery } | { ok: false; message: string } {
  const parsed = AuditQuery.safeParse(params);
  if (parsed.success) return { ok: true, query: parsed.data };
  const problems = parsed.error.issues.map((i) => `${LABELS[String(i.path[0])] ?? "Filter"}: ${i.message}`);
  return { ok: false, message: `These filters cannot be used. ${problems.join("; ")}. Fix them or clear the filters.` };
}

function startOfDay(day: string): Date {
  return new Date(`${day}T00:00:00.000Z`);
}

const nextDay = (day: string) => new Date(startOfDay(day).getTime() + 86_400_000);

/** The filter without the page cursor: what an export covers. */
export function filterOf(query: AuditQuery): AuditFilter {
  return { actor: query.actor, action: query.action, target: query.target, from: query.from, to: query.to };
}

/**
 * Prisma conditions for a filter; `to` includes the whole day. Actor and target
 * are "contains" through SQLite LIKE: ASCII case-insensitive, and Prisma does
 * not escape `%` or `_`, so those two match any text / any one character.
 */
export function auditWhere(filter: AuditFilter): Prisma.AuditLogWhereInput {
  const at = { ...(filter.from ? { gte: startOfDay(filter.from) } : {}), ...(filter.to ? { lt: nextDay(filter.to) } : {}) };
  return {
    ...(filter.actor ? { actor: { contains: filter.actor } } : {}),
    ...(filter.action ? { action: filter.action } : {}),
    ...(filter.target ? { target: { contains: filter.target } } : {}),
    ...(filter.from || filter.to ? { at } : {}),
  };
}

/** The filter (and optionally a cursor) as a query string, for links that keep the current view. */
export function auditSearchParams(filter: AuditFilter, cursor: { before?: number; after?: number } = {}): string {
  const params = new URLSearchParams();
  for (const key of ["actor", "action", "target", "from", "to"] as const) if (filter[key]) params.set(key, filter[key]);
  if (cursor.before) params.set("before", String(cursor.before));
  if (cursor.after) params.set("after", String(cursor.after));
  return params.toString();
}

/** Stored meta JSON as key/value pairs for reading; anything else is shown as it was stored. */
export function describeMeta(meta: string): { key: string; value: string }[] | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(meta);
  } catch {
    return meta;
  }
  const object = z.record(z.string(), z.unknown()).safeParse(parsed);
  if (!object.success) return meta;
  return Object.entries(object.data).map(([key, value]) => ({ key, value: typeof value === "string" ? value : JSON.stringify(value) }));
}
