import "server-only";
import crypto from "node:crypto";
import { z } from "zod";
import { TenantId } from "@/lib/tenant-id";

// One incoming event, validated on its own so one bad row never sinks a batch.
// This zod schema is the reference: the ingest hot path checks rows with
// lib/ingest/check-row.ts, written out for this shape and held to the same
// answers by its oracle test; change a rule here and there together.

export const EVENT_LIMITS = {
  nameLength: 200,
  userIdLength: 200,
  eventIdLength: 128,
  propertyCount: 50,
  propertyKeyLength: 100,
  propertyValueLength: 1000,
};

export const MIN_TS = Date.UTC(2000, 0, 1);
export const MAX_FUTURE_MS = 24 * 3600 * 1000;
/** A time as text: ISO-8601 with a zone; Date.parse reads it. */
export const TS_PATTERN = /^\d{4}-\d{2}-\d{2}T.*(Z|[+-]\d{2}:?\d{2})$/;

/**
 * Text the store can hold: JSON may carry a lone UTF-16 surrogate ("\ud800"),
 * which no UTF-8 column can store (the engine refuses the whole insert).
 */
export const NOT_WELL_FORMED = "expected well-formed Unicode text (it holds a lone UTF-16 surrogate, which cannot be stored)";
const wellFormed = (s: string) => s.isWellFormed();

const Timestamp = z
  .union([z.string(), z.number()])
  .transform((v, ctx) => {
    // Epoch milliseconds as a number, or an ISO-8601 string with a zone.
    const ms = typeof v === "number" ? v : TS_PATTERN.test(v) ? Date.parse(v) : NaN;
    if (!Number.isFinite(ms) || ms < MIN_TS || ms > Date.now() + MAX_FUTURE_MS) {
      ctx.addIssue({ code: "custom", message: "expected an ISO-8601 time with a zone (2026-01-31T12:00:00Z) or epoch milliseconds, after 2000 and at most a day ahead" });
      return z.NEVER;
    }
    return new Date(ms);
  });

/**
 * Properties are stored as a map of strings: nested objects are flattened to
 * dotted keys ({"plan":{"tier":"pro"}} → "plan.tier": "pro"), arrays are kept
 * as their JSON text, numbers and booleans become text, nulls are dropped.
 */
const Properties = z.record(z.string(), z.unknown()).transform((input, ctx) => {
  const out: Record<string, string> = {};
  const visit = (value: unknown, key: string, depth: number) => {
    if (value === null || value === undefined) return;
    if (typeof value === "object" && !Array.isArray(value)) {
      if (depth >= 5) return void ctx.addIssue({ code: "custom", path: [key], message: "expected at most 5 levels of nesting" });
      for (const [k, v] of Object.entries(value)) visit(v, `${key}.${k}`, depth + 1);
      return;
    }
    const text = typeof value === "string" ? value : Array.isArray(value) ? JSON.stringify(value) : String(value);
    if (!key.isWellFormed() || !text.isWellFormed()) return void ctx.addIssue({ code: "custom", path: [key.slice(0, 40)], message: NOT_WELL_FORMED });
    if (key.length === 0 || key.length > EVENT_LIMITS.propertyKeyLength) return void ctx.addIssue({ code: "custom", path: [key.slice(0, 40)], message: `expected a key of 1 to ${EVENT_LIMITS.propertyKeyLength} characters` });
    if (text.length > EVENT_LIMITS.propertyValueLength) return void ctx.addIssue({ code: "custom", path: [key], message: `expected at most ${EVENT_LIMITS.propertyValueLength} characters (got ${text.length})` });
    out[key] = text;
  };
  for (const [k, v] of Object.entries(input)) visit(v, k, 1);
  if (Object.keys(out).length > EVENT_LIMITS.propertyCount) ctx.addIssue({ code: "custom", message: `expected at most ${EVENT_LIMITS.propertyCount} properties after flattening (got ${Object.keys(out).length})` });
  return out;
});

export const EventInput = z
  .object({
    tenant_id: TenantId,
    name: z.string().trim().min(1, "expected a non-empty event name").max(EVENT_LIMITS.nameLength).refine(wellFormed, NOT_WELL_FORMED),
    ts: Timestamp.optional(),
    event_id: z.string().min(1).max(EVENT_LIMITS.eventIdLength).refine(wellFormed, NOT_WELL_FORMED).optional(),
    user_id: z.string().max(EVENT_LIMITS.userIdLength).refine(wellFormed, NOT_WELL_FORMED).nullable().optional(),
    value: z.number().finite("expected a finite number").nullable().optional(),
    properties: Properties.optional(),
  })
  .strict();

export type EventInput = z.input<typeof EventInput>;

/** A row as stored in the events table (JSONEachRow). */
export type EventRow = {
  tenant_id: string;
  event_id: string;
  ts: string;
  name: string;
  user_id: string | null;
  value: number | null;
  properties: Record<string, string>;
};

export type RowRejection = { index: number; code: "invalid_event" | "invalid_json" | "tenant_forbidden"; message: string };

/** ClickHouse DateTime64(3) text: `2026-01-31 12:00:00.000`. */
export function formatTs(date: Date): string {
  return date.toISOString().replace("T", " ").replace("Z", "");
}

export function toEventRow(input: unknown, index: number): EventRow | RowRejection {
  const parsed = EventInput.safeParse(input);
  if (!parsed.success) {
    const message = parsed.error.issues.map((i) => `${i.path.join(".") || "event"}: ${i.message}`).join("; ");
    return { index, code: "invalid_event", message };
  }
  const e = parsed.data;
  return {
    tenant_id: e.tenant_id,
    event_id: e.event_id ?? crypto.randomUUID(),
    ts: formatTs(e.ts ?? new Date()),
    name: e.name,
    user_id: e.user_id ?? null,
    value: e.value ?? null,
    properties: e.properties ?? {},
  };
}
