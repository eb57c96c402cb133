import "server-only";
import crypto from "node:crypto";
import { EVENT_LIMITS, MAX_FUTURE_MS, MIN_TS, TS_PATTERN, formatTs, toEventRow, type EventRow, type RowRejection } from "@/lib/analytics/event-row";
import { tenantForbidden } from "@/lib/analytics/ingest";
import { encodeEventRow, RowWriter } from "@/lib/ingest/row-line";

// The ingest hot path's row check, written out for EventInput's shape
// (lib/analytics/event-row.ts, the zod schema, stays the reference). It reads
// the JSON.parse output once and writes the engine's input line (one JSON.stringify of a reused object):
// no parsed copy, no row object, no closure per row. It only ever accepts a
// row the reference accepts, with the same stored values; every row it does
// not accept (refused ones and a few rare shapes: colliding flattened keys,
// `__proto__`, non-plain objects) goes to the reference, which decides and
// words the error. check-row.test.ts holds the two to the same answers.

// Module constants, read once: imported bindings can be getters (tsx, some bundles) on every use.
const NAME_MAX = EVENT_LIMITS.nameLength;
const USER_ID_MAX = EVENT_LIMITS.userIdLength;
const EVENT_ID_MAX = EVENT_LIMITS.eventIdLength;
const PROPERTY_MAX = EVENT_LIMITS.propertyCount;
const KEY_MAX = EVENT_LIMITS.propertyKeyLength;
const VALUE_MAX = EVENT_LIMITS.propertyValueLength;
const EARLIEST = MIN_TS;
const AHEAD = MAX_FUTURE_MS;
const TS_TEXT = TS_PATTERN;
const OBJECT = Object.prototype;

const isPlain = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && Object.getPrototypeOf(v) === OBJECT;

// The flattened properties of the row being checked, reused from row to row.
const keys: string[] = [];
const texts: string[] = [];
let count = 0;
let dotted = false;
// Date.now() only grows: a time at or before the last reading's horizon is before any later one's too.
let horizon = 0;

/** `[A-Za-z0-9][A-Za-z0-9_.:@-]{0,127}` (lib/tenant-id.ts), without a regex run. */
export function isTenantId(s: string): boolean {
  const n = s.length;
  if (n === 0 || n > 128) return false;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if ((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122)) continue;
    if (i > 0 && (c === 95 || c === 46 || c === 58 || c === 64 || c === 45)) continue;
    return false;
  }
  return true;
}

/** zod measures strings in code points (a surrogate pair once, a lone surrogate as itself); units only matter past the limit. */
export function longerThan(s: string, max: number): boolean {
  let n = s.length;
  if (n <= max) return false;
  for (let i = 0; i < s.length - 1 && n > max; i++) {
    if ((s.charCodeAt(i) & 0xfc00) === 0xd800 && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n--;
      i++;
    }
  }
  return n > max;
}

const digit = (s: string, i: number) => s.charCodeAt(i) - 48;
const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * `YYYY-MM-DDTHH:MM:SS.sssZ` (what toISOString writes, the common case) read
 * by hand: for a valid date and time Date.parse gives Date.UTC of its parts,
 * and the stored text is the input's own digits. Anything else: undefined,
 * and the general path (the reference's regex and Date.parse) reads it.
 */
function canonicalTs(v: string): string | undefined {
  if (v.length !== 24 || v.charCodeAt(23) !== 90 || v[4] !== "-" || v[7] !== "-" || v[10] !== "T" || v[13] !== ":" || v[16] !== ":" || v[19] !== ".") return undefined;
  for (const i of DIGIT_AT) {
    const d = digit(v, i);
    if (d < 0 || d > 9) return undefined;
  }
  const year = digit(v, 0) * 1000 + digit(v, 1) * 100 + digit(v, 2) * 10 + digit(v, 3);
  const month = digit(v, 5) * 10 + digit(v, 6);
  const day = digit(v, 8) * 10 + digit(v, 9);
  const hour = digit(v, 11) * 10 + digit(v, 12);
  const minute = digit(v, 14) * 10 + digit(v, 15);
  const second = digit(v, 17) * 10 + digit(v, 18);
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined;
  const leap = month === 2 && year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > DAYS[month - 1] + (leap ? 1 : 0)) return undefined;
  const ms = Date.UTC(year, month - 1, day, hour, minute, second, digit(v, 20) * 100 + digit(v, 21) * 10 + digit(v, 22));
  if (ms < EARLIEST) return undefined;
  if (ms > horizon && ms > (horizon = Date.now() + AHEAD)) return undefined;
  return `${v.slice(0, 10)} ${v.slice(11, 23)}`;
}
const DIGIT_AT = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18, 20, 21, 22];

export function tsText(v: unknown): string | undefined {
  let ms: number;
  if (typeof v === "string") {
    const canonical = canonicalTs(v);
    if (canonical !== undefined) return canonical;
  }
  if (typeof v === "number") ms = v;
  else if (typeof v === "string" && TS_TEXT.test(v)) ms = Date.parse(v);
  else return undefined;
  if (!Number.isFinite(ms) || ms < EARLIEST) return undefined;
  if (ms > horizon && ms > (horizon = Date.now() + AHEAD)) return undefined;
  return formatTs(new Date(ms));
}

/** One property value at `key`, as the reference flattens it; false when the row is not for this path. */
function visit(value: unknown, key: string, depth: number): boolean {
  if (value === null || value === undefined) return true;
  let text: string;
  if (typeof value === "string") text = value;
  else if (typeof value === "number" || typeof value === "boolean") text = String(value);
  else if (Array.isArray(value)) text = JSON.stringify(value);
  else if (isPlain(value)) {
    if (depth >= 5) return false;
    dotted = true;
    for (const k in value) if (k === "__proto__" || !visit(value[k], `${key}.${k}`, depth + 1)) return false;
    return true;
  } else return false;
  if (key.length === 0 || key.length > KEY_MAX || text.length > VALUE_MAX || !key.isWellFormed() || !text.isWellFormed()) return false;
  keys[count] = key;
  texts[count++] = text;
  return true;
}

/** Flattens `v` into keys/texts as the reference would; false when the row is not for this path. */
function flattenProperties(v: unknown): boolean {
  count = 0;
  dotted = false;
  flat = true;
  if (v === undefined) return true;
  if (!isPlain(v)) return false;
  for (const k in v) {
    const value = v[k];
    if (typeof value !== "string") flat = false;
    if (k === "__proto__" || !visit(value, k, 1)) return false;
    if (!dotted && k.includes(".")) dotted = true;
  }
  if (count > PROPERTY_MAX) return false;
  // Two flattened keys can only be equal when one has a dot: the reference keeps the last, so leave those rows to it.
  if (dotted) for (let i = 1; i < count; i++) for (let j = 0; j < i; j++) if (keys[i] === keys[j]) return false;
  return true;
}

// The row being checked, from compiledCheck to compiledLine.
let tenant = "";
let eventName = "";
let time = "";
let eventId: string | undefined;
let userId: string | null = null;
let value: number | null = null;
let properties: unknown;
// Every property a string at the top: the stored map is the input object itself, and JSON.stringify writes it natively.
let flat = true;

/**
 * Decides whether this path accepts `input` (true: the reference accepts it
 * too), keeping its parts for the line. Exported for the benchmark and the oracle test.
 */
export function compiledCheck(input: unknown): boolean {
  if (!isPlain(input)) return false;
  let t: unknown, n: unknown, ts: unknown, id: unknown, user: unknown, val: unknown, props: unknown;
  for (const key in input) {
    const v = input[key];
    switch (key) {
      case "tenant_id": t = v; break;
      case "name": n = v; break;
      case "ts": ts = v; break;
      case "event_id": id = v; break;
      case "user_id": user = v; break;
      case "value": val = v; break;
      case "properties": props = v; break;
      default: return false; // unknown keys are refused (.strict())
    }
  }
  if (typeof t !== "string" || !isTenantId(t)) return false;
  if (typeof n !== "string") return false;
  const trimmed = n.trim();
  if (trimmed.length === 0 || longerThan(trimmed, NAME_MAX) || !trimmed.isWellFormed()) return false;
  const at = ts === undefined ? formatTs(new Date()) : tsText(ts);
  if (at === undefined) return false;
  if (id !== undefined && (typeof id !== "string" || id.length === 0 || longerThan(id, EVENT_ID_MAX) || !id.isWellFormed())) return false;
  if (user !== undefined && user !== null && (typeof user !== "string" || longerThan(user, USER_ID_MAX) || !user.isWellFormed())) return false;
  if (val !== undefined && val !== null && (typeof val !== "number" || !Number.isFinite(val))) return false;
  if (!flattenProperties(props)) return false;
  tenant = t;
  eventName = trimmed;
  time = at;
  eventId = id as string | undefined;
  userId = typeof user === "string" ? user : null;
  value = typeof val === "number" ? val : null;
  properties = props;
  return true;
}

// The line is one JSON.stringify of this object, reused from row to row: a
// native call that writes one flat string, keys in the table's order.
const out = { tenant_id: "", event_id: "", ts: "", name: "", user_id: null as string | null, value: null as number | null, properties: {} as unknown };

/**
 * The engine's line for `input` (see row-line.ts) when this path accepts it,
 * else undefined: the reference then decides. Exported for the oracle test.
 */
export function compiledLine(input: unknown): string | undefined {
  if (!compiledCheck(input)) return undefined;
  let props: unknown = properties ?? EMPTY;
  if (!flat) {
    // Built as the reference builds its map (a plain object, in visiting order), then written natively.
    const map: Record<string, string> = {};
    for (let i = 0; i < count; i++) map[keys[i]] = texts[i];
    props = map;
  }
  out.tenant_id = tenant;
  out.event_id = eventId ?? crypto.randomUUID();
  out.ts = time;
  out.name = eventName;
  out.user_id = userId;
  out.value = value;
  out.properties = props;
  const line = JSON.stringify(out);
  out.properties = EMPTY; // hold no row's data between rows
  properties = undefined;
  return line;
}
const EMPTY = Object.freeze({});

/**
 * Checks one parsed event: an accepted row's line goes into `sink`, a refused
 * row comes back with its index, code and the reference's message (as
 * checkEvent in lib/analytics/ingest.ts answers).
 */
export function checkRow(input: unknown, index: number, sink: RowWriter, onlyTenant?: string): RowRejection | undefined {
  let line = compiledLine(input);
  let owner: string;
  if (line !== undefined) owner = tenant;
  else {
    const row: EventRow | RowRejection = toEventRow(input, index);
    if ("code" in row) return row;
    line = encodeEventRow(row);
    owner = row.tenant_id;
  }
  if (onlyTenant !== undefined && owner !== onlyTenant) return tenantForbidden(index, onlyTenant);
  sink.push(line);
  return undefined;
}

/** An empty sink, for the benchmark. */
export function benchRowSink(): RowWriter {
  return new RowWriter();
}
