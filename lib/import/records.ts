// Where the records of an import file end. NDJSON: a record is a line.
// CSV: read as the engine reads CSV (ClickHouse's CSV
// format with its default settings), so the CLI's chunks and the server's
// count of them agree with the rows the engine then parses:
//   - a double quote opens a quoted field only at the start of a field, after
//     nothing but spaces and tabs (`a,  "x,y"`); inside one, `""` is a quote
//     and a lone `"` closes it; line breaks inside it belong to the field;
//   - anywhere else a double quote is text (`5" screen`): a "literal quote";
//   - a record ends at a line break outside quotes (`\r\n` too; `\n\r` is one
//     line end as well, so a quote right after it opens a field);
//   - a quoted field still open at the end of the file is an error here (the
//     engine would read the rest of the file into it).
// The engine's own parallel parser cuts a file into pieces by toggling at every
// quote, which reads a file with a literal quote wrongly (rows split or
// merged); a chunk holding one is parsed on one thread (lib/query/import-sql.ts).

const QUOTE = 0x22;
const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;
const isBlankByte = (c: number) => c === 0x20 || c === 0x09 || c === 0x0d || c === LF;

/**
 * The records that end in one buffer, in order: `end[i]` is the index of the
 * line break ending record i; `blank[i]` is 1 when it holds only spaces, tabs
 * and line breaks (the engine would read a row of nulls). Reused by the next scan.
 */
export type RecordEnds = { count: number; end: Int32Array; blank: Uint8Array };

export class CsvRecordScanner {
  private inQuotes = false;
  /** Inside quotes, the last buffer ended on a quote: the next byte says whether it closed the field (`""` is a quote). */
  private quoteAtEnd = false;
  /** The last byte before the scan position that is not a space or tab (a line break at a record's start). */
  private previous = LF;
  private readonly ends: RecordEnds = { count: 0, end: new Int32Array(1024), blank: new Uint8Array(1024) };
  /** Whether the record being read holds only blank bytes so far. */
  blankSoFar = true;
  /** Quotes read as text so far (see above). */
  literalQuotes = 0;
  /** A record just ended at a line break: a \r right after it belongs to that line end. */
  private lineEnded = false;

  /** At the end of the input: a quoted field was opened and never closed. */
  get unclosedQuote(): boolean {
    return this.inQuotes && !this.quoteAtEnd;
  }

  /** The records that end in `buf`; the record still open at its end carries on into the next buffer. */
  scan(buf: Buffer): RecordEnds {
    const ends = this.ends;
    ends.count = 0;
    const length = buf.length;
    let { inQuotes, previous, blankSoFar, lineEnded } = this;
    let i = 0;
    let nextQuote = -2; // the first quote at or after i (-1: none left), found once per quote rather than once per record
    if (this.quoteAtEnd && length > 0) {
      this.quoteAtEnd = false;
      if (buf[0] === QUOTE) i = 1;
      else {
        inQuotes = false;
        previous = QUOTE;
      }
    }
    while (i < length) {
      if (lineEnded) {
        lineEnded = false;
        if (buf[i] === CR) {
          i++;
          continue;
        }
      }
      if (nextQuote !== -1 && nextQuote < i) nextQuote = buf.indexOf(QUOTE, i);
      if (inQuotes) {
        const q = nextQuote;
        if (q === -1) break;
        if (q + 1 === length) {
          this.quoteAtEnd = true;
          break;
        }
        if (buf[q + 1] === QUOTE) i = q + 2;
        else {
          inQuotes = false;
          previous = QUOTE;
          i = q + 1;
        }
        continue;
      }
      const nl = buf.indexOf(LF, i);
      const q = nextQuote;
      if (blankSoFar) {
        const stop = nl === -1 ? length : nl;
        for (let j = i; j < stop; j++) {
          if (!isBlankByte(buf[j])) {
            blankSoFar = false;
            break;
          }
        }
      }
      if (q !== -1 && (nl === -1 || q < nl)) {
        // Opens a quoted field when only spaces and tabs stand between it and the start of its field.
        let j = q - 1;
        while (j >= i && (buf[j] === 0x20 || buf[j] === 0x09)) j--;
        const before = j >= i ? buf[j] : previous;
        if (before === COMMA || before === LF) inQuotes = true;
        else this.literalQuotes++;
        previous = QUOTE;
        i = q + 1;
        continue;
      }
      if (nl === -1) {
        for (let j = length - 1; j >= i; j--) {
          if (buf[j] !== 0x20 && buf[j] !== 0x09) {
            previous = buf[j];
            break;
          }
        }
        break;
      }
      pushEnd(ends, nl, blankSoFar);
      blankSoFar = true;
      previous = LF;
      lineEnded = true;
      i = nl + 1;
    }
    this.inQuotes = inQuotes;
    this.previous = previous;
    this.blankSoFar = blankSoFar;
    this.lineEnded = lineEnded;
    return ends;
  }
}

/** Appends a record's end, growing the arrays when full. */
function pushEnd(ends: RecordEnds, end: number, blank: boolean): void {
  if (ends.count === ends.end.length) {
    const grown = { end: new Int32Array(ends.count * 2), blank: new Uint8Array(ends.count * 2) };
    grown.end.set(ends.end);
    grown.blank.set(ends.blank);
    Object.assign(ends, grown);
  }
  ends.end[ends.count] = end;
  ends.blank[ends.count++] = blank ? 1 : 0;
}

/** NDJSON: a record is a line; blank ones hold only spaces, tabs and \r. */
export class LineScanner {
  blankSoFar = true;
  literalQuotes = 0;
  private readonly ends: RecordEnds = { count: 0, end: new Int32Array(1024), blank: new Uint8Array(1024) };

  scan(buf: Buffer): RecordEnds {
    const ends = this.ends;
    ends.count = 0;
    let i = 0;
    while (i < buf.length) {
      const nl = buf.indexOf(LF, i);
      const stop = nl === -1 ? buf.length : nl;
      for (let j = i; j < stop && this.blankSoFar; j++) {
        const c = buf[j];
        if (c !== 0x20 && c !== 0x09 && c !== 0x0d) this.blankSoFar = false;
      }
      if (nl === -1) break;
      pushEnd(ends, nl, this.blankSoFar);
      this.blankSoFar = true;
      i = nl + 1;
    }
    return ends;
  }
}

/**
 * A whole stream's data records (after the header of a CSV; blank ones not
 * counted) and how many fields hold a quote as text (CSV).
 */
export class RecordCounter {
  private readonly scanner: CsvRecordScanner | LineScanner;
  private header: boolean;
  records = 0;

  constructor(format: "csv" | "ndjson") {
    this.scanner = format === "csv" ? new CsvRecordScanner() : new LineScanner();
    this.header = format === "csv";
  }

  push(buf: Buffer): void {
    const ends = this.scanner.scan(buf);
    for (let i = 0; i < ends.count; i++) {
      if (this.header) this.header = false;
      else if (!ends.blank[i]) this.records++;
    }
  }

  /** At the end of the stream: a last record without a line break counts too. */
  finish(): { records: number; literalQuotes: number; unclosedQuote: boolean } {
    if (!this.scanner.blankSoFar && !this.header) this.records++;
    return { records: this.records, literalQuotes: this.scanner.literalQuotes, unclosedQuote: this.scanner instanceof CsvRecordScanner && this.scanner.unclosedQuote };
  }
}
