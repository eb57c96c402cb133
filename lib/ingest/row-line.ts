import "server-only";
import type { EventRow } from "@/lib/analytics/event-row";

// The engine's input for events: JSONEachRow, one line per row, written
// into off-heap Buffers as each row is checked, so a batch holds no JS object
// or string per row (the garbage collector has nothing to trace). A row is
// written before the batch has its ingest_seq (reserved once the
// Idempotency-Key is claimed): its closing brace gives way to
// `,"ingest_seq":` and a blank run that `RowWriter.body` fills with the
// number (JSON allows spaces after a value).
// JSONEachRow measured cheapest end to end (bench/ingest-profile.ts): the
// engine parses it about as fast as TSV or JSONCompactEachRow, and
// JSON.stringify escapes strings natively; chdb takes no binary formats inline
// (its raw insert whitelists text formats, and its connection turns an insert
// body into SQL text).

const SEQ_WIDTH = 20; // UInt64's widest
const TAIL = `,"ingest_seq":${" ".repeat(SEQ_WIDTH)}}\n`;
const TAIL_BYTES = Buffer.from(TAIL, "latin1");
// Rows are written into 4 MB slabs (a 10k-row batch fits one, so its body is
// the slab itself, no copy), handed back after the insert and kept for the
// next batches, up to one per request in flight: fresh large buffers cost
// page faults on every first write (measured: Buffer.concat and first writes
// were 7% of the server's CPU).
const SLAB = 4 << 20;
const POOLED = 4;
const pool: Buffer[] = [];

/** The accepted rows of one batch, as JSONEachRow bytes. */
export class RowWriter {
  rows = 0;
  private slabs: Buffer[] = [];
  private full: Buffer[] = [];
  private current: Buffer | undefined;
  private used = 0;

  /** Adds one row given as its JSON object text (`{"tenant_id":…,"properties":{…}}`); its closing brace gives way to the tail. */
  push(line: string): void {
    const need = 3 * line.length + TAIL.length; // UTF-8 takes at most 3 bytes per UTF-16 unit
    if (this.current === undefined || this.used + need > this.current.length) {
      if (this.current !== undefined && this.used > 0) this.full.push(this.current.subarray(0, this.used));
      this.current = need <= SLAB ? (pool.pop() ?? Buffer.allocUnsafeSlow(SLAB)) : Buffer.allocUnsafeSlow(need);
      if (this.current.length === SLAB) this.slabs.push(this.current);
      this.used = 0;
    }
    this.used += this.current.write(line, this.used, "utf8") - 1;
    this.used += TAIL_BYTES.copy(this.current, this.used);
    this.rows++;
  }

  /** Bytes held now. */
  get bytes(): number {
    return this.full.reduce((n, c) => n + c.length, 0) + this.used;
  }

  /** The insert body with every row's ingest_seq filled in; valid until `release`. */
  body(seq: number): Buffer {
    if (!Number.isSafeInteger(seq) || seq < 0) throw new Error(`invalid ingest_seq ${seq}`);
    const parts = this.parts();
    const body = parts.length === 1 ? parts[0] : Buffer.concat(parts);
    const digits = String(seq);
    // A raw newline only ever ends a line (JSON escapes it inside strings); the blank run sits just before "}\n".
    for (let nl = body.indexOf(10); nl !== -1; nl = body.indexOf(10, nl + 1)) body.write(digits, nl - 1 - SEQ_WIDTH, "latin1");
    return body;
  }

  /** Another writer holding the same rows in memory of its own (a retried batch may be inserted twice). */
  copy(): RowWriter {
    const out = new RowWriter();
    const parts = this.parts();
    if (parts.length) out.full = [Buffer.concat(parts)];
    out.rows = this.rows;
    return out;
  }

  /** The written bytes, in order: the full buffers, then the used part of the current one. */
  private parts(): Buffer[] {
    return this.current && this.used > 0 ? [...this.full, this.current.subarray(0, this.used)] : this.full;
  }

  /** Hands the slabs back for later batches (after the insert has returned). */
  release(): void {
    for (const slab of this.slabs) if (pool.length < POOLED) pool.push(slab);
    this.slabs = [];
    this.full = [];
    this.current = undefined;
    this.used = 0;
  }
}

/** The line of a row built elsewhere (the zod reference, the library path), keys in the table's order. */
export function encodeEventRow(row: EventRow): string {
  return JSON.stringify({ tenant_id: row.tenant_id, event_id: row.event_id, ts: row.ts, name: row.name, user_id: row.user_id, value: row.value, properties: row.properties });
}
