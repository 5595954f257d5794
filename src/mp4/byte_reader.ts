/**
 * A cursor over the bytes of one box held in memory: big-endian integers, four-character
 * codes, strings and byte runs, each read checked against the end of the box.
 *
 * @module
 */

/** Thrown when a box's fields run past the end of its bytes (or a value is implausible). */
export class Mp4DataError extends Error {
  /** Absolute offset in the file where the problem was found. */
  readonly offset: number;
  /**
   * Creates the error.
   *
   * @param offset absolute file offset of the problem
   * @param message what is wrong
   */
  constructor(offset: number, message: string) {
    super(message);
    this.name = "Mp4DataError";
    this.offset = offset;
  }
}

/** Renders four bytes as mp4dump does: printable ASCII kept, anything else as `.`. */
export function fourccText(bytes: Uint8Array, at = 0, length = 4): string {
  let s = "";
  for (let i = 0; i < length; i++) {
    const c = bytes[at + i];
    s += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : ".";
  }
  return s;
}

const utf8 = new TextDecoder("utf-8");

/**
 * Reads big-endian fields from `bytes[start, end)`; `base` is the absolute file offset of
 * `bytes[0]`, used only to name the place of a problem.
 *
 * @example
 * ```ts
 * const r = new ByteReader(new Uint8Array([0, 0, 0, 7]), 0);
 * r.u32(); // 7
 * ```
 */
export class ByteReader {
  /** The underlying bytes (shared, not copied). */
  readonly bytes: Uint8Array;
  /** Absolute file offset of `bytes[0]`. */
  readonly base: number;
  /** Current read position (index into `bytes`). */
  pos: number;
  /** End of the readable range (index into `bytes`, exclusive). */
  readonly end: number;
  #view: DataView;

  /**
   * Creates a reader over `bytes[start, end)`.
   *
   * @param bytes the bytes to read
   * @param base absolute file offset of `bytes[0]`
   * @param start first readable index
   * @param end end of the readable range (exclusive)
   */
  constructor(bytes: Uint8Array, base: number, start = 0, end = bytes.length) {
    this.bytes = bytes;
    this.base = base;
    this.pos = start;
    this.end = end;
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** Bytes left to read. */
  get remaining(): number {
    return this.end - this.pos;
  }

  /** Absolute file offset of the read position. */
  get offset(): number {
    return this.base + this.pos;
  }

  /** A reader over the next `length` bytes; this reader skips past them. */
  sub(length: number): ByteReader {
    this.need(length);
    const r = new ByteReader(this.bytes, this.base, this.pos, this.pos + length);
    r.#view = this.#view;
    this.pos += length;
    return r;
  }

  /** Throws unless `n` more bytes can be read. */
  need(n: number): void {
    if (n > this.end - this.pos) {
      throw new Mp4DataError(
        this.base + this.pos,
        `needs ${n} byte${n === 1 ? "" : "s"} but only ${this.end - this.pos} remain`,
      );
    }
  }

  /** Skips `n` bytes. */
  skip(n: number): void {
    this.need(n);
    this.pos += n;
  }

  /** Unsigned 8-bit integer. */
  u8(): number {
    this.need(1);
    return this.bytes[this.pos++];
  }

  /** Unsigned 16-bit integer. */
  u16(): number {
    this.need(2);
    const v = this.#view.getUint16(this.pos);
    this.pos += 2;
    return v;
  }

  /** Signed 16-bit integer. */
  i16(): number {
    this.need(2);
    const v = this.#view.getInt16(this.pos);
    this.pos += 2;
    return v;
  }

  /** Unsigned 24-bit integer. */
  u24(): number {
    this.need(3);
    const b = this.bytes, p = this.pos;
    this.pos += 3;
    return (b[p] << 16) | (b[p + 1] << 8) | b[p + 2];
  }

  /** Unsigned 32-bit integer. */
  u32(): number {
    this.need(4);
    const v = this.#view.getUint32(this.pos);
    this.pos += 4;
    return v;
  }

  /** Signed 32-bit integer. */
  i32(): number {
    this.need(4);
    const v = this.#view.getInt32(this.pos);
    this.pos += 4;
    return v;
  }

  /** Unsigned 64-bit integer. */
  u64(): bigint {
    this.need(8);
    const v = this.#view.getBigUint64(this.pos);
    this.pos += 8;
    return v;
  }

  /** Unsigned integer of `size` bytes (0..8), as a bigint. */
  uint(size: number): bigint {
    if (size === 8) return this.u64();
    if (size === 4) return BigInt(this.u32());
    this.need(size);
    let v = 0n;
    for (let i = 0; i < size; i++) v = (v << 8n) | BigInt(this.bytes[this.pos++]);
    return v;
  }

  /** A four-character code, unprintable bytes shown as `.`. */
  fourcc(): string {
    this.need(4);
    const s = fourccText(this.bytes, this.pos);
    this.pos += 4;
    return s;
  }

  /** The next `n` bytes (a view, not a copy). */
  bytesOf(n: number): Uint8Array {
    this.need(n);
    const v = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  /** The rest of the range (a view). */
  rest(): Uint8Array {
    return this.bytesOf(this.remaining);
  }

  /** A NUL-terminated string (or up to the end of the range); the NUL is consumed. */
  cstring(): string {
    const start = this.pos;
    let stop = start;
    while (stop < this.end && this.bytes[stop] !== 0) stop++;
    this.pos = stop < this.end ? stop + 1 : stop;
    return utf8.decode(this.bytes.subarray(start, stop));
  }
}

/** Decodes bytes as text the way mp4dump copies them out (UTF-8, NUL ends the text). */
export function textOf(bytes: Uint8Array): string {
  const nul = bytes.indexOf(0);
  return utf8.decode(nul >= 0 ? bytes.subarray(0, nul) : bytes);
}
