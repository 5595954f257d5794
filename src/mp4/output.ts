/**
 * The printers' output: bytes collected in one buffer that is reused from drain to drain, so
 * a dump of millions of lines makes no string per line and leaves nothing behind for the
 * garbage collector. Text is written as byte strings (each character one byte, see
 * `format.ts`), integers digit by digit, indentation as a run of spaces.
 *
 * @example
 * ```ts
 * import { ByteOutput } from "./output.ts";
 * const out = new ByteOutput();
 * out.spaces(2);
 * out.write("sequence number = ");
 * out.writeInt(1);
 * out.byte(0x0a);
 * out.drain(); // "  sequence number = 1\n"
 * ```
 *
 * @module
 */

import { hexText } from "./format.ts";

/** Output buffers of finished printers, for the next ones (10,000 segments, one buffer). */
const spareOutputs: Uint8Array[] = [];
const MAX_SPARE_OUTPUTS = 4;
/** The largest buffer kept for the next printer. */
const MAX_SPARE_SIZE = 1 << 20;

/** The most recurring strings kept encoded (a hostile file could name millions of boxes). */
const MAX_ENCODED = 4096;

/**
 * A maker of the bytes of strings that recur — a box's header start, a field's name — kept so
 * that each is encoded once and then copied.
 *
 * @param make the byte string to encode for a key
 */
export function recurring(make: (key: string) => string): (key: string) => Uint8Array {
  const cache = new Map<string, Uint8Array>();
  return (key) => {
    let e = cache.get(key);
    if (e === undefined) {
      const s = make(key);
      e = new Uint8Array(s.length);
      for (let i = 0; i < s.length; i++) e[i] = s.charCodeAt(i);
      if (cache.size < MAX_ENCODED) cache.set(key, e);
    }
    return e;
  };
}

/** Bytes of output, written piece by piece and handed out in batches. */
export class ByteOutput {
  // A spare buffer of an earlier dump, or a small one (a segment's dump is a few kilobytes);
  // it doubles when a dump needs more.
  #buf: Uint8Array = spareOutputs.pop() ?? new Uint8Array(1 << 12);
  /** `#buf.length`, kept as a number (checked for every piece written). */
  #cap = this.#buf.length;
  #len = 0;

  /** Hands the buffer on to the next printer (this output must not be written again). */
  release(): void {
    if (spareOutputs.length < MAX_SPARE_OUTPUTS && this.#buf.length <= MAX_SPARE_SIZE) {
      spareOutputs.push(this.#buf);
    }
    this.#buf = new Uint8Array(0);
    this.#cap = 0;
    this.#len = 0;
  }

  /** Makes room for `n` more bytes. */
  #room(n: number): Uint8Array {
    if (this.#len + n > this.#cap) {
      let size = Math.max(this.#cap * 2, 1 << 12);
      while (size < this.#len + n) size *= 2;
      const bigger = new Uint8Array(size);
      bigger.set(this.#buf.subarray(0, this.#len));
      this.#buf = bigger;
      this.#cap = size;
    }
    return this.#buf;
  }

  /** Writes a byte string (each character's code, 0..255, is one byte). */
  write(s: string): void {
    const n = s.length;
    const b = this.#room(n);
    let at = this.#len;
    for (let i = 0; i < n; i++) b[at++] = s.charCodeAt(i);
    this.#len = at;
  }

  /** Writes bytes (copied). */
  bytes(e: Uint8Array): void {
    const n = e.length;
    const b = this.#room(n);
    let at = this.#len;
    // a loop: these are a few bytes each, for which a call to set() costs more
    for (let i = 0; i < n; i++) b[at++] = e[i];
    this.#len = at;
  }

  /** Writes one byte. */
  byte(c: number): void {
    const b = this.#room(1);
    b[this.#len++] = c;
  }

  /** Writes `n` spaces. */
  spaces(n: number): void {
    if (n <= 0) return;
    const b = this.#room(n);
    let at = this.#len;
    for (let i = 0; i < n; i++) b[at++] = 0x20;
    this.#len = at;
  }

  /** Writes an integer's decimal digits without making a string of them. */
  writeInt(n: number): void {
    if (!Number.isSafeInteger(n)) return this.write(String(n));
    if (n < 0) {
      this.byte(0x2d); // "-"
      n = -n;
    }
    this.#digits(n, 10);
  }

  /** Writes an integer's lowercase hexadecimal digits as C's `%llx` prints them. */
  writeHex(n: number): void {
    if (!Number.isSafeInteger(n) || n < 0) return this.write(hexText(n));
    this.#digits(n, 16);
  }

  /** The digits of `n` (a safe integer, not negative) in `base` (10 or 16), lowercase. */
  #digits(n: number, base: number): void {
    const b = this.#room(16);
    let at = this.#len;
    const start = at;
    do {
      const d = n % base;
      b[at++] = d < 10 ? 0x30 + d : 0x57 + d;
      n = Math.floor(n / base);
    } while (n > 0);
    // The digits came out last first.
    for (let i = start, j = at - 1; i < j; i++, j--) {
      const t = b[i];
      b[i] = b[j];
      b[j] = t;
    }
    this.#len = at;
  }

  /** Bytes waiting to be drained. */
  get pending(): number {
    return this.#len;
  }

  /** The bytes written since the last drain: a view of the buffer, valid until the next write. */
  drainBytes(): Uint8Array {
    const out = this.#buf.subarray(0, this.#len);
    this.#len = 0;
    return out;
  }

  /** The bytes written since the last drain, as a byte string. */
  drain(): string {
    const bytes = this.drainBytes();
    let s = "";
    for (let at = 0; at < bytes.length; at += 8192) {
      s += String.fromCharCode.apply(null, bytes.subarray(at, at + 8192) as unknown as number[]);
    }
    return s;
  }
}
