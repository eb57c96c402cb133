// Splits a streamed body into JSON values without holding the whole body:
// a JSON array is cut into its elements, NDJSON into its lines. Each piece is
// handed over as text the moment it is complete, to be read as an event
// (lib/ingest/row-text.ts, else JSON.parse).

export type Piece = { index: number; text: string };
export type Splitter = { push(chunk: string, emit: (piece: Piece) => void): void; end(emit: (piece: Piece) => void): void };

export class BodySyntaxError extends Error {}

const isSpace = (c: string) => c === " " || c === "\n" || c === "\r" || c === "\t";

/**
 * Reads an element in place, from its opening brace in a chunk: the index
 * after it when it was taken care of (not to be handed over as a piece),
 * else -1 (lib/ingest/row-text.ts checkRowAt).
 */
export type InPlace = (chunk: string, start: number, index: number) => number;

/** Top-level elements of a JSON array; checks the [ , ] structure, respects strings and nesting. */
export class JsonArraySplitter implements Splitter {
  constructor(private readonly inPlace?: InPlace) {}

  private state: "start" | "first" | "value" | "in" | "after" | "done" = "start";
  private depth = 0;
  private inString = false;
  private escaped = false;
  private start = 0;
  private parts: string[] = [];
  private index = 0;
  private offset = 0;

  push(chunk: string, emit: (piece: Piece) => void): void {
    const n = chunk.length;
    let backslash = -2; // the next "\\" at or after the scan point: -1 none in this chunk, -2 not looked for yet
    for (let i = 0; i < n; i++) {
      if (this.state === "in") {
        if (this.inString) {
          if (this.escaped) {
            this.escaped = false;
            continue;
          }
          // Strings are most of the text: jump to the closing quote (native indexOf), over escapes.
          for (;;) {
            if (backslash !== -1 && backslash < i) backslash = chunk.indexOf("\\", i);
            const quote = chunk.indexOf('"', i);
            if (backslash !== -1 && (quote === -1 || backslash < quote)) {
              if (backslash + 1 >= n) {
                this.escaped = true; // the escaped character starts the next chunk
                i = n;
                break;
              }
              i = backslash + 2;
              continue;
            }
            if (quote === -1) {
              i = n; // the string goes on in the next chunk
              break;
            }
            this.inString = false;
            i = quote;
            break;
          }
          continue;
        }
        const c = chunk.charCodeAt(i);
        if (c === 34) this.inString = true;
        else if (this.depth > 0) {
          if (c === 123 || c === 91) this.depth++;
          else if ((c === 125 || c === 93) && --this.depth === 0) this.emit(chunk, i + 1, emit);
        } else if (c === 44 || c === 93 || c === 32 || c === 10 || c === 13 || c === 9) {
          this.emit(chunk, i, emit); // a scalar ends here; look at it again as what follows it
          i--;
        }
        continue;
      }
      const c = chunk[i];
      if (isSpace(c)) continue;
      if (this.state === "start") {
        if (c !== "[") throw this.error(`expected a JSON array or NDJSON, found "${c}"`, i);
        this.state = "first";
      } else if (this.state === "first" && c === "]") this.state = "done";
      else if (this.state === "first" || this.state === "value") {
        if (c === "," || c === "]") throw this.error("expected a value", i);
        if (c === "{" && this.inPlace) {
          // The common element is read where it lies, without being cut out first.
          const end = this.inPlace(chunk, i, this.index);
          if (end >= 0) {
            this.index++;
            this.state = "after";
            i = end - 1;
            continue;
          }
        }
        this.state = "in";
        this.start = i;
        this.depth = c === "{" || c === "[" ? 1 : 0;
        this.inString = c === '"';
      } else if (this.state === "after") {
        if (c === ",") this.state = "value";
        else if (c === "]") this.state = "done";
        else throw this.error('expected "," or "]" between elements', i);
      } else throw this.error("unexpected text after the end of the array", i);
    }
    if (this.state === "in") {
      this.parts.push(chunk.slice(this.start));
      this.start = 0;
    }
    this.offset += chunk.length;
  }

  end(): void {
    if (this.state === "start") throw new BodySyntaxError("the body is empty; send a JSON array or NDJSON");
    if (this.state !== "done") throw new BodySyntaxError("the JSON array is not closed: the body ended early");
  }

  private emit(chunk: string, end: number, emit: (piece: Piece) => void) {
    this.parts.push(chunk.slice(this.start, end));
    emit({ index: this.index++, text: this.parts.join("") });
    this.parts = [];
    this.state = "after";
  }

  private error(message: string, i: number) {
    return new BodySyntaxError(`${message} at character ${this.offset + i + 1}`);
  }
}

/** One JSON value per non-empty line. */
export class NdjsonSplitter implements Splitter {
  private rest = "";
  private index = 0;

  push(chunk: string, emit: (piece: Piece) => void): void {
    const lines = (this.rest + chunk).split("\n");
    this.rest = lines.pop()!;
    for (const line of lines) this.line(line, emit);
  }

  end(emit: (piece: Piece) => void): void {
    this.line(this.rest, emit);
    this.rest = "";
  }

  private line(line: string, emit: (piece: Piece) => void) {
    const text = line.trim();
    if (text) emit({ index: this.index++, text });
  }
}
