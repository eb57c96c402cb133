import "server-only";
import crypto from "node:crypto";
import { EVENT_LIMITS, formatTs, type RowRejection } from "@/lib/analytics/event-row";
import { tenantForbidden } from "@/lib/analytics/ingest";
import { isTenantId, longerThan, tsText } from "@/lib/ingest/check-row";
import type { RowWriter } from "@/lib/ingest/row-line";

// The common event read straight from its JSON text, without JSON.parse:
// an object of the known keys, each once, with plain strings (no escape,
// no control character, no lone surrogate), numbers, nulls and flat string
// properties. Parsing built a JS object and a string per field for every row
// and then JSON.stringify wrote them back; both, and the garbage they left
// for the collector, were most of the server's own CPU per row
// (bench/ingest-profile.ts). For such a row the engine's line is the input's
// own text in the table's order, so it is built from slices of it.
// Anything else (escapes, nesting, duplicate keys, keys JS objects reorder,
// any doubt) is left to JSON.parse and checkRow, which decide and word the
// error; row-text.test.ts holds this path to their answer byte for byte.

// Read once into module constants (an imported binding can be a getter on every use).
const { nameLength: NAME_MAX, userIdLength: USER_ID_MAX, eventIdLength: EVENT_ID_MAX, propertyCount: PROPERTY_MAX, propertyKeyLength: KEY_MAX, propertyValueLength: VALUE_MAX } = EVENT_LIMITS;

// The properties' keys and values, reused from row to row.
const propKeys: string[] = [];
const propValues: string[] = [];
// What the last readRow read: the row's tenant (for a restricted key) and the
// value found by the last string or properties step. Module state is kept out
// of the loops: each helper scans with locals and returns where it stopped
// (-1: not for this path), so the loops run on registers.
let tenant = "";
let found = "";
// How many propKeys/propValues entries the last row filled (cleared after it).
let propUsed = 0;

const isDigit = (c: number) => c >= 48 && c <= 57;

/** The index after the JSON whitespace at `i`. */
function ws(s: string, i: number): number {
  for (let c = s.charCodeAt(i); c === 32 || c === 10 || c === 13 || c === 9; c = s.charCodeAt(++i));
  return i;
}

/** The end of the plain string (no escape, control character or lone surrogate) opening at `i`, its value in `found`; -1 when not plain. */
function plainString(s: string, i: number): number {
  if (s.charCodeAt(i) !== 34) return -1;
  const start = i + 1;
  const n = s.length;
  for (let j = start; j < n; j++) {
    const c = s.charCodeAt(j);
    if (c === 34) {
      found = s.slice(start, j);
      return j + 1;
    }
    if (c < 32 || c === 92) return -1;
    if (c >= 0xd800 && c <= 0xdfff) {
      // Only a high surrogate followed by a low one: a lone one cannot be stored.
      if (c >= 0xdc00 || (s.charCodeAt(j + 1) & 0xfc00) !== 0xdc00) return -1;
      j++;
    }
  }
  return -1;
}

/** The end of the JSON number literal at `i`, its text in `found`; -1 when there is none. */
function numberText(s: string, i: number): number {
  const start = i;
  if (s.charCodeAt(i) === 45) i++;
  const first = s.charCodeAt(i);
  if (first === 48) i++;
  else if (first >= 49 && first <= 57) while (isDigit(s.charCodeAt(++i)));
  else return -1;
  if (s.charCodeAt(i) === 46) {
    if (!isDigit(s.charCodeAt(++i))) return -1;
    while (isDigit(s.charCodeAt(++i)));
  }
  const e = s.charCodeAt(i);
  if (e === 101 || e === 69) {
    const sign = s.charCodeAt(++i);
    if (sign === 43 || sign === 45) i++;
    if (!isDigit(s.charCodeAt(i))) return -1;
    while (isDigit(s.charCodeAt(++i)));
  }
  found = s.slice(start, i);
  return i;
}

/** The end of `null` at `i`, else -1. */
const nullEnd = (s: string, i: number) => (s.charCodeAt(i) === 110 && s.startsWith("null", i) ? i + 4 : -1);

/**
 * The end of the flat object of plain strings at `i`, as JSON.stringify
 * writes it in `found`; -1 otherwise. Keys JS objects list first
 * (integer-like), `__proto__`, repeated keys and anything over a limit go to
 * the general path, which words the error.
 */
function propertiesText(s: string, i: number): number {
  if (s.charCodeAt(i) !== 123) return -1;
  const start = i;
  let j = ws(s, i + 1);
  let compact = j === i + 1;
  if (s.charCodeAt(j) === 125) {
    found = "{}";
    return j + 1;
  }
  let count = 0;
  for (;;) {
    let k = plainString(s, j);
    if (k < 0) return -1;
    const key = found;
    if (key.length === 0 || key.length > KEY_MAX || isDigit(key.charCodeAt(0)) || key === "__proto__") return -1;
    for (let x = 0; x < count; x++) if (propKeys[x] === key) return -1;
    j = ws(s, k);
    if (j !== k) compact = false;
    if (s.charCodeAt(j) !== 58) return -1;
    k = ws(s, j + 1);
    if (k !== j + 1) compact = false;
    j = plainString(s, k);
    if (j < 0 || found.length > VALUE_MAX || count === PROPERTY_MAX) return -1;
    propKeys[count] = key;
    propValues[count++] = found;
    propUsed = count;
    k = ws(s, j);
    if (k !== j) compact = false;
    const c = s.charCodeAt(k);
    if (c === 125) {
      j = k + 1;
      break;
    }
    if (c !== 44) return -1;
    j = ws(s, k + 1);
    if (j !== k + 1) compact = false;
  }
  if (compact) found = s.slice(start, j);
  else {
    let text = "{";
    for (let x = 0; x < count; x++) text += `${x === 0 ? "" : ","}"${propKeys[x]}":"${propValues[x]}"`;
    found = `${text}}`;
  }
  return j;
}

// The fields of the row being read.
const TENANT = 1, NAME = 2, TS = 4, EVENT_ID = 8, USER_ID = 16, VALUE = 32, PROPERTIES = 64;

/** The engine's line for the event in `text` (what compiledLine(JSON.parse(text)) gives), or undefined when this path cannot tell. */
export function lineOfText(text: string): string | undefined {
  const start = ws(text, 0);
  const end = readRow(text, start);
  const read = end >= 0 && ws(text, end) === text.length ? line : undefined;
  clear();
  return read;
}

// The last row's line (readRow's answer).
let line = "";

/** Holds no slice of the last row until the next one (a slice can keep the whole text alive). */
function clear(): void {
  found = "";
  line = "";
  if (propUsed > 0) {
    propKeys.fill("", 0, propUsed);
    propValues.fill("", 0, propUsed);
    propUsed = 0;
  }
}

/**
 * Reads the event object opening at `start`: where it ends (its line in
 * `line`, its tenant in `tenant`), or -1 when this path cannot tell, also
 * when the object runs past the end of `s`.
 */
function readRow(s: string, start: number): number {
  let i = start;
  if (s.charCodeAt(i) !== 123) return -1;
  i = ws(s, i + 1);
  let seen = 0;
  let t: string | undefined, n: string | undefined, tsString: string | undefined, tsNumber: string | undefined, id: string | undefined;
  let user: string | null = null;
  let value: string | null = null;
  let props = "{}";
  for (;;) {
    i = plainString(s, i);
    if (i < 0) return -1;
    const key = found;
    i = ws(s, i);
    if (s.charCodeAt(i) !== 58) return -1;
    i = ws(s, i + 1);
    let bit: number;
    switch (key) {
      case "tenant_id":
        bit = TENANT;
        i = plainString(s, i);
        t = found;
        break;
      case "name":
        bit = NAME;
        i = plainString(s, i);
        n = found;
        break;
      case "ts":
        bit = TS;
        if (s.charCodeAt(i) === 34) {
          i = plainString(s, i);
          tsString = found;
        } else {
          i = numberText(s, i);
          tsNumber = found;
        }
        break;
      case "event_id":
        bit = EVENT_ID;
        i = plainString(s, i);
        id = found;
        break;
      case "user_id": {
        bit = USER_ID;
        const end = nullEnd(s, i);
        if (end >= 0) i = end;
        else {
          i = plainString(s, i);
          user = found;
        }
        break;
      }
      case "value": {
        bit = VALUE;
        const end = nullEnd(s, i);
        if (end >= 0) i = end;
        else {
          i = numberText(s, i);
          value = found;
        }
        break;
      }
      case "properties":
        bit = PROPERTIES;
        i = propertiesText(s, i);
        props = found;
        break;
      default:
        return -1;
    }
    if (i < 0 || seen & bit) return -1; // JSON.parse keeps the last of a repeated key: the general path reads it
    seen |= bit;
    i = ws(s, i);
    const c = s.charCodeAt(i++);
    if (c === 125) break;
    if (c !== 44) return -1;
    i = ws(s, i);
  }

  // The checks of compiledCheck (lib/ingest/check-row.ts), on the same values.
  if (t === undefined || !isTenantId(t) || n === undefined) return -1;
  const name = n.trim();
  if (name.length === 0 || longerThan(name, NAME_MAX)) return -1;
  const time = tsString !== undefined ? tsText(tsString) : tsNumber !== undefined ? tsText(Number(tsNumber)) : formatTs(new Date());
  if (time === undefined) return -1;
  if (id !== undefined && (id.length === 0 || longerThan(id, EVENT_ID_MAX))) return -1;
  if (user !== null && longerThan(user, USER_ID_MAX)) return -1;
  let number = "null";
  if (value !== null) {
    const v = Number(value);
    if (!Number.isFinite(v)) return -1;
    number = String(v); // as JSON.stringify writes it: 1.50 → 1.5, -0 → 0, 1e2 → 100
  }
  tenant = t;
  line = `{"tenant_id":"${t}","event_id":"${id ?? crypto.randomUUID()}","ts":"${time}","name":"${name}","user_id":${user === null ? "null" : `"${user}"`},"value":${number},"properties":${props}}`;
  return i;
}

/**
 * checkRow(JSON.parse(text)) for the common event without parsing it: an
 * accepted row's line goes into `sink`; a row of another tenant than
 * `onlyTenant` comes back refused. False when this path cannot tell: parse
 * the text and check it with checkRow.
 */
export function checkRowText(text: string, index: number, sink: RowWriter, onlyTenant?: string): RowRejection | undefined | false {
  const line = lineOfText(text);
  if (line === undefined) return false;
  const owner = tenant;
  tenant = "";
  if (onlyTenant !== undefined && owner !== onlyTenant) return tenantForbidden(index, onlyTenant);
  sink.push(line);
  return undefined;
}

/**
 * checkRowText for the element opening at `start` in `text` (a network
 * chunk of a JSON array body), read in place: the index after the element
 * when this path decides it (an accepted row's line goes into `sink`, a
 * refusal into `refused`), else -1 and nothing changed — the splitter then
 * cuts the element out as before, and JSON.parse and checkRow read it.
 */
export function checkRowAt(text: string, start: number, index: number, sink: RowWriter, refused: RowRejection[], onlyTenant?: string): number {
  const end = readRow(text, start);
  const read = line;
  const owner = tenant;
  clear();
  tenant = "";
  if (end < 0) return -1;
  if (onlyTenant !== undefined && owner !== onlyTenant) refused.push(tenantForbidden(index, onlyTenant));
  else sink.push(read);
  return end;
}
