import "server-only";
import crypto from "node:crypto";
import { EVENT_LIMITS, formatTs, type RowRejection } from "@/lib/analytics/event-row";
import { tenantForbidden } from "@/lib/analytics/ingest";
import { isTenantId, longerThan, tsText } from "@/lib/ingest/check-row";
import * as jsonText from "@/lib/ingest/json-text";
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

// The JSON text steps as module constants too: through an import binding each call would go through a
// getter under CommonJS (tsx) and bundles, which cost a quarter more per row (measured).
const { flatStringObject, forgetScanned, nullEnd, numberText, plainString, scanned, ws } = jsonText;
const PROPERTIES_LIMITS = { keyLength: KEY_MAX, valueLength: VALUE_MAX, count: PROPERTY_MAX };
// What the last readRow read: the row's tenant (for a restricted key) and its line.
let tenant = "";
let line = "";

// The fields of the row being read.
const TENANT = 1, NAME = 2, TS = 4, EVENT_ID = 8, USER_ID = 16, VALUE = 32, PROPERTIES = 64;

/** The engine's line for the event in `text` (what compiledLine(JSON.parse(text)) gives), or undefined when this path cannot tell. */
function lineOfText(text: string): string | undefined {
  const start = ws(text, 0);
  const end = readRow(text, start);
  const read = end >= 0 && ws(text, end) === text.length ? line : undefined;
  clear();
  return read;
}

/** Holds no slice of the last row until the next one (a slice can keep the whole text alive). */
function clear(): void {
  line = "";
  forgetScanned();
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
    const key = scanned.value;
    i = ws(s, i);
    if (s.charCodeAt(i) !== 58) return -1;
    i = ws(s, i + 1);
    let bit: number;
    switch (key) {
      case "tenant_id":
        bit = TENANT;
        i = plainString(s, i);
        t = scanned.value;
        break;
      case "name":
        bit = NAME;
        i = plainString(s, i);
        n = scanned.value;
        break;
      case "ts":
        bit = TS;
        if (s.charCodeAt(i) === 34) {
          i = plainString(s, i);
          tsString = scanned.value;
        } else {
          i = numberText(s, i);
          tsNumber = scanned.value;
        }
        break;
      case "event_id":
        bit = EVENT_ID;
        i = plainString(s, i);
        id = scanned.value;
        break;
      case "user_id": {
        bit = USER_ID;
        const end = nullEnd(s, i);
        if (end >= 0) i = end;
        else {
          i = plainString(s, i);
          user = scanned.value;
        }
        break;
      }
      case "value": {
        bit = VALUE;
        const end = nullEnd(s, i);
        if (end >= 0) i = end;
        else {
          i = numberText(s, i);
          value = scanned.value;
        }
        break;
      }
      case "properties":
        bit = PROPERTIES;
        i = flatStringObject(s, i, PROPERTIES_LIMITS);
        props = scanned.value;
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
