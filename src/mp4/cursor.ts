/**
 * A read position in the bytes of a file, with the semantics of Bento4's byte streams (which
 * mp4dump's output depends on): a box reads its fields from the file itself, so a box whose
 * fields are longer than the box reads on into the bytes that follow it; a read that runs past
 * the end of the file (or of a sub-stream) consumes what is left and yields 0; a sub-stream
 * (an MPEG-4 descriptor's payload) ends reads at its own end.
 *
 * @example
 * ```ts
 * import { Cursor, memoryView } from "./cursor.ts";
 * const c = new Cursor(memoryView(new Uint8Array([0, 0, 1, 0])), 0);
 * c.u32(); // 256
 * c.u8(); // 0 (past the end: c.ok is false)
 * ```
 *
 * @module
 */

/** Bytes of a file that can be read synchronously. */
export interface FileView {
  /** Loaded bytes: `bytes[i]` is the byte at file offset `base + i`. */
  bytes: Uint8Array;
  /** File offset of `bytes[0]`. */
  base: number;
  /** Size of the file (Infinity while unknown, as for a stream not yet read to its end). */
  size: number;
  /** Reads bytes outside `bytes` synchronously, when the source can (files). */
  more?: (offset: number, length: number) => Uint8Array;
  /** Set when a read needed bytes that could not be had synchronously. */
  unreachable?: number;
  /** A DataView of `bytes`, kept with them (made when missing). */
  dv?: DataView;
}

/** The DataView of a view's bytes, made once per set of bytes. */
function dataView(view: FileView): DataView {
  const b = view.bytes;
  let dv = view.dv;
  if (
    !dv || dv.buffer !== b.buffer || dv.byteOffset !== b.byteOffset ||
    dv.byteLength !== b.byteLength
  ) {
    dv = view.dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  }
  return dv;
}

/** A view of bytes held in memory (the whole "file"). */
export function memoryView(bytes: Uint8Array): FileView {
  return { bytes, base: 0, size: bytes.length };
}

/** Reads big-endian fields at a file position, as a Bento4 byte stream does. */
export class Cursor {
  /** The file's bytes. */
  readonly view: FileView;
  /** Current file offset. */
  pos: number;
  /** Reads stop here: the end of the file or of the sub-stream. */
  readonly limit: number;
  /** Where the sub-stream starts (0 for the file). */
  readonly start: number;
  /** Whether the last read got all its bytes. */
  ok = true;
  /** The furthest offset any read reached. */
  furthest: number;
  #dv: DataView;
  #bytes: Uint8Array;
  /** `view.base` and `view.bytes.length`, kept with `#bytes` (read for every field). */
  #base: number;
  #count: number;
  #sub: boolean;
  #parent: Cursor | undefined;

  /**
   * Creates a cursor.
   *
   * @param view the file's bytes
   * @param pos where reading starts
   * @param limit where reads end (default: the end of the file)
   */
  constructor(view: FileView, pos: number, limit = view.size) {
    this.view = view;
    this.pos = pos;
    this.start = pos;
    this.limit = Math.min(limit, view.size);
    this.furthest = pos;
    this.#sub = limit !== view.size;
    this.#bytes = view.bytes;
    this.#base = view.base;
    this.#count = view.bytes.length;
    this.#dv = dataView(view);
  }

  /** Follows the view to newly loaded bytes. */
  #rebind(): void {
    this.#bytes = this.view.bytes;
    this.#base = this.view.base;
    this.#count = this.#bytes.length;
    this.#dv = dataView(this.view);
  }

  /** A sub-stream of `size` bytes from the current position (its reads end there). */
  sub(size: number): Cursor {
    const child = new Cursor(this.view, this.pos, Math.min(this.pos + size, this.limit));
    child.#parent = this;
    return child;
  }

  /** A sub-stream reads through its container, which ends up where the read ended. */
  #follow(pos: number): void {
    // deno-lint-ignore no-this-alias
    for (let c: Cursor | undefined = this; c; c = c.#parent) {
      c.pos = pos;
      if (pos > c.furthest) c.furthest = pos;
    }
  }

  /** Bytes left before the limit. */
  get remaining(): number {
    return Math.max(0, this.limit - this.pos);
  }

  /**
   * Moves to `offset` (as a sub-stream's Seek: beyond its end it fails and stays).
   *
   * @returns whether it moved
   */
  seek(offset: number): boolean {
    if (this.#sub && offset > this.limit) return false;
    this.pos = offset;
    return true;
  }

  /** The index in `view.bytes` of `n` bytes at the position, or -1 (then `ok` is false). */
  #take(n: number): number {
    if (this.#bytes !== this.view.bytes) this.#rebind();
    const p = this.pos;
    if (p + n > this.limit) {
      this.ok = false;
      if (p < this.limit && this.#parent) this.#parent.#follow(this.limit);
      this.pos = Math.max(p, this.limit);
      if (this.pos > this.furthest) this.furthest = this.pos;
      return -1;
    }
    this.ok = true;
    this.pos = p + n;
    if (n > 0 && this.#parent) this.#parent.#follow(this.pos);
    if (this.pos > this.furthest) this.furthest = this.pos;
    const i = p - this.#base;
    if (i >= 0 && i + n <= this.#count) return i;
    return -2;
  }

  /** Bytes at `offset` outside the loaded view (zeros when they cannot be had). */
  #slow(offset: number, n: number): Uint8Array {
    const got = this.view.more?.(offset, n);
    if (got && got.length >= n) return got;
    this.view.unreachable ??= offset;
    const out = new Uint8Array(n);
    if (got) out.set(got);
    return out;
  }

  /** Unsigned 8-bit integer (0 past the end). */
  u8(): number {
    const p = this.pos, i = this.#take(1);
    if (i >= 0) return this.#bytes[i];
    return i === -1 ? 0 : this.#slow(p, 1)[0];
  }

  /** Unsigned 16-bit integer. */
  u16(): number {
    const p = this.pos, i = this.#take(2);
    if (i >= 0) return this.#dv.getUint16(i);
    if (i === -1) return 0;
    const b = this.#slow(p, 2);
    return (b[0] << 8) | b[1];
  }

  /** Unsigned 24-bit integer. */
  u24(): number {
    const p = this.pos, i = this.#take(3);
    if (i === -1) return 0;
    const b = i >= 0 ? this.#bytes : this.#slow(p, 3);
    const j = i >= 0 ? i : 0;
    return (b[j] << 16) | (b[j + 1] << 8) | b[j + 2];
  }

  /** Unsigned 32-bit integer. */
  u32(): number {
    const p = this.pos, i = this.#take(4);
    if (i >= 0) return this.#dv.getUint32(i);
    if (i === -1) return 0;
    return new DataView(this.#slow(p, 4).buffer).getUint32(0);
  }

  /** Unsigned 64-bit integer. */
  u64(): bigint {
    const p = this.pos, i = this.#take(8);
    if (i >= 0) return this.#dv.getBigUint64(i);
    if (i === -1) return 0n;
    return new DataView(this.#slow(p, 8).buffer).getBigUint64(0);
  }

  /**
   * Unsigned 64-bit integer, as a number when it is one exactly (below 2^53), else as a
   * bigint: printed alike, and most are times and offsets far below 2^53.
   */
  u64Value(): number | bigint {
    const p = this.pos, i = this.#take(8);
    if (i >= 0) {
      const hi = this.#dv.getUint32(i);
      if (hi < 0x200000) return hi * 0x100000000 + this.#dv.getUint32(i + 4);
      return this.#dv.getBigUint64(i);
    }
    if (i === -1) return 0;
    const b = this.#slow(p, 8);
    const value = new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0);
    return value < 0x20000000000000n ? Number(value) : value;
  }

  /**
   * `n` bytes (a copy). Past the end, the bytes that were there are kept and the rest is 0;
   * `ok` tells which.
   */
  bytes(n: number): Uint8Array<ArrayBuffer> {
    const p = this.pos;
    const have = Math.min(n, Math.max(0, this.limit - p));
    const out = new Uint8Array(n);
    if (have > 0) out.set(this.#peekAt(p, have));
    this.#take(n);
    return out;
  }

  /** `n` bytes at `offset` without moving (no limit check: the caller knows they exist). */
  #peekAt(offset: number, n: number): Uint8Array {
    const i = offset - this.view.base;
    if (i >= 0 && i + n <= this.view.bytes.length) return this.view.bytes.subarray(i, i + n);
    return this.#slow(offset, n);
  }

  /** Skips `n` bytes as a read would (consuming what is there). */
  skip(n: number): void {
    this.#take(n);
  }

  /** A NUL-terminated string read byte by byte (Bento4's `ReadNullTerminatedString`). */
  nullTerminated(): { text: string; ok: boolean } {
    let s = "";
    for (;;) {
      const c = this.u8();
      if (!this.ok) return { text: s, ok: false };
      if (c === 0) return { text: s, ok: true };
      s += String.fromCharCode(c);
    }
  }
}
