// Pieces of JSON text read where they lie, without JSON.parse, for the
// ingest's row reader (lib/ingest/row-text.ts): whitespace, plain strings
// (no escape, no control character, no lone surrogate: their text is their
// value, and JSON.stringify writes them back unchanged), number literals,
// null and flat objects of plain strings. Each step takes the text and the
// index where its piece starts and returns the index after it, or -1 when
// the piece is not of that plain kind; the value it read is in
// `scanned.value`. The loops keep their position in locals, not module state,
// so they run on registers.

/** The value the last step read. */
export const scanned = { value: "" };
// A flat object's keys and values, reused from text to text, and how many the last one filled.
const keys: string[] = [];
const values: string[] = [];
let used = 0;

const isDigit = (c: number) => c >= 48 && c <= 57;

/** The index after the JSON whitespace at `i`. */
export function ws(s: string, i: number): number {
  for (let c = s.charCodeAt(i); c === 32 || c === 10 || c === 13 || c === 9; c = s.charCodeAt(++i));
  return i;
}

/** The end of the plain string (no escape, control character or lone surrogate) opening at `i`, its value in `scanned.value`; -1 when not plain. */
export function plainString(s: string, i: number): number {
  if (s.charCodeAt(i) !== 34) return -1;
  const start = i + 1;
  const n = s.length;
  for (let j = start; j < n; j++) {
    const c = s.charCodeAt(j);
    if (c === 34) {
      scanned.value = s.slice(start, j);
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

/** The end of the JSON number literal at `i`, its text in `scanned.value`; -1 when there is none. */
export function numberText(s: string, i: number): number {
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
  scanned.value = s.slice(start, i);
  return i;
}

/** The end of `null` at `i`, else -1. */
export const nullEnd = (s: string, i: number) => (s.charCodeAt(i) === 110 && s.startsWith("null", i) ? i + 4 : -1);

/**
 * The end of the flat object of plain strings at `i`, as JSON.stringify
 * writes it in `scanned.value`; -1 otherwise. Keys JS objects list first
 * (integer-like), `__proto__`, repeated keys and anything over `limits` are
 * not for this reader: the caller's general path decides and words them.
 */
export function flatStringObject(s: string, i: number, limits: { keyLength: number; valueLength: number; count: number }): number {
  if (s.charCodeAt(i) !== 123) return -1;
  const start = i;
  let j = ws(s, i + 1);
  let compact = j === i + 1;
  if (s.charCodeAt(j) === 125) {
    scanned.value = "{}";
    return j + 1;
  }
  let count = 0;
  for (;;) {
    let k = plainString(s, j);
    if (k < 0) return -1;
    const key = scanned.value;
    if (key.length === 0 || key.length > limits.keyLength || isDigit(key.charCodeAt(0)) || key === "__proto__") return -1;
    for (let x = 0; x < count; x++) if (keys[x] === key) return -1;
    j = ws(s, k);
    if (j !== k) compact = false;
    if (s.charCodeAt(j) !== 58) return -1;
    k = ws(s, j + 1);
    if (k !== j + 1) compact = false;
    j = plainString(s, k);
    if (j < 0 || scanned.value.length > limits.valueLength || count === limits.count) return -1;
    keys[count] = key;
    values[count++] = scanned.value;
    used = count;
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
  if (compact) scanned.value = s.slice(start, j);
  else {
    let text = "{";
    for (let x = 0; x < count; x++) text += `${x === 0 ? "" : ","}"${keys[x]}":"${values[x]}"`;
    scanned.value = `${text}}`;
  }
  return j;
}

/** Holds no slice of the last text read (a slice can keep the whole text alive). */
export function forgetScanned(): void {
  scanned.value = "";
  if (used > 0) {
    keys.fill("", 0, used);
    values.fill("", 0, used);
    used = 0;
  }
}
