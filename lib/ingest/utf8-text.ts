import { isAscii } from "node:buffer";

// A streamed body's bytes as text, chunk by chunk: what a streaming
// TextDecoder (not fatal: U+FFFD for bytes that are not UTF-8) gives, faster.
// The streaming decoder was 16% of reading a batch (1.2 µs per 225-byte
// event); an ASCII chunk checked and copied as Latin-1 costs ~17 ns per
// event, and other text is decoded whole characters at a time without stream
// state (~250 ns). A character cut by a chunk's end waits for the next chunk;
// utf8-text.test.ts holds this to the streaming decoder on random bytes and
// random cuts.

export class Utf8Text {
  private carry: Buffer | undefined;
  private started = false;

  /** The text of `chunk` up to its last whole character; the rest waits for the next chunk. */
  push(chunk: Uint8Array): string {
    let bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (this.carry) {
      bytes = Buffer.concat([this.carry, bytes]);
      this.carry = undefined;
    }
    const end = wholeEnd(bytes);
    if (end < bytes.length) this.carry = Buffer.from(bytes.subarray(end)); // a copy: the chunk's memory may be reused
    return this.first(text(bytes.subarray(0, end)));
  }

  /** What is left at the end of the body (a cut character: U+FFFD). */
  end(): string {
    const rest = this.carry;
    this.carry = undefined;
    return rest ? this.first(text(rest)) : "";
  }

  /** A byte order mark opening the body is dropped, as the streaming decoder drops it; anywhere else it is text. */
  private first(decoded: string): string {
    if (this.started || decoded === "") return decoded;
    this.started = true;
    return decoded.charCodeAt(0) === 0xfeff ? decoded.slice(1) : decoded;
  }
}

// ignoreBOM: each call is a fresh stream to the decoder, which would drop a
// U+FEFF opening any chunk; only the body's first is dropped (Utf8Text.first).
const decoder = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });

/** Whole characters as text: ASCII (most bodies) is copied as is; the rest decoded in one call, no stream state. */
function text(bytes: Buffer): string {
  return isAscii(bytes) ? bytes.toString("latin1") : decoder.decode(bytes);
}

/** Where the last character that may still go on in the next chunk starts (the length when none does). */
function wholeEnd(bytes: Buffer): number {
  const n = bytes.length;
  // A character is at most 4 bytes: its first byte is among the last 3 when it is cut.
  for (let i = n - 1; i >= 0 && i >= n - 3; i--) {
    const b = bytes[i];
    if (b < 0x80) return n; // ASCII: nothing after it can be cut
    if (b >= 0xc0) {
      const length = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
      return i + length > n ? i : n;
    }
  }
  return n;
}
