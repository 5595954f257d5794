/**
 * The canonical hex+ASCII dump that `hexdump -C -v` (util-linux) prints, made in-process and
 * streamed: memory stays bounded whatever the input size.
 *
 * Each line shows the offset of its first byte (at least 8 lowercase hex digits, more once the
 * offset passes `0xffffffff`), two spaces, 16 bytes as hex pairs (an extra space after the
 * eighth), and the same bytes between `|` marks with everything outside `0x20..0x7e` shown as
 * `.`. A last, shorter line keeps the hex column padded to full width but its ASCII column only
 * as wide as its bytes. A final line holds the offset one past the last byte; an empty input
 * prints nothing at all. Identical lines are never squeezed into `*` (that is `-v`).
 *
 * Bytes are printed as the C locale sees them, i.e. what `LC_ALL=C hexdump -C -v` prints (the
 * same as under `C.UTF-8`).
 *
 * @example
 * ```ts
 * import { formatHexdump, hexdumpFile } from "./hexdump.ts";
 *
 * new TextDecoder().decode(formatHexdump(new TextEncoder().encode("Hi\n")));
 * // "00000000  48 69 0a                                          |Hi.|\n00000003\n"
 *
 * await hexdumpFile("out/0.m4s", "out/0.hex");
 * ```
 *
 * @module
 */
import { writeAll } from "../bytes.ts";

const SPACE = 0x20;
const BAR = 0x7c;
const NEWLINE = 0x0a;
const DOT = 0x2e;
const TWO_POW_32 = 0x1_0000_0000;

/** `HEX_PAIRS[2 * b]` and `HEX_PAIRS[2 * b + 1]` are the two lowercase hex digits of byte `b`. */
const HEX_PAIRS: Uint8Array = (() => {
  const digits = new TextEncoder().encode("0123456789abcdef");
  const table = new Uint8Array(512);
  for (let b = 0; b < 256; b++) {
    table[2 * b] = digits[b >> 4];
    table[2 * b + 1] = digits[b & 15];
  }
  return table;
})();

/** `ASCII_COLUMN[b]` is what the `|...|` column shows for byte `b` (C-locale `isprint`). */
const ASCII_COLUMN: Uint8Array = (() => {
  const table = new Uint8Array(256);
  for (let b = 0; b < 256; b++) table[b] = b >= 0x20 && b <= 0x7e ? b : DOT;
  return table;
})();

/** Longest line any offset up to 2^53 can produce: 14 offset digits + 71. */
const MAX_LINE = 96;

/** Input bytes read at a time by {@link hexdumpFile}. */
const READ_SIZE = 1 << 20;

/** Size of each of the two output buffers written alternately to the output. */
const WRITE_SIZE = 1 << 20;

/** Writes the offset column (no separator) at `o`; returns the position after it. */
function writeOffset(offset: number, out: Uint8Array, o: number): number {
  if (offset >= TWO_POW_32) {
    // `%08.8_ax`: the 8 is a minimum; larger offsets simply take more digits.
    const high = Math.floor(offset / TWO_POW_32).toString(16);
    for (let i = 0; i < high.length; i++) out[o++] = high.charCodeAt(i);
  }
  const low = offset >>> 0;
  let b = (low >>> 24) << 1;
  out[o] = HEX_PAIRS[b];
  out[o + 1] = HEX_PAIRS[b + 1];
  b = ((low >>> 16) & 255) << 1;
  out[o + 2] = HEX_PAIRS[b];
  out[o + 3] = HEX_PAIRS[b + 1];
  b = ((low >>> 8) & 255) << 1;
  out[o + 4] = HEX_PAIRS[b];
  out[o + 5] = HEX_PAIRS[b + 1];
  b = (low & 255) << 1;
  out[o + 6] = HEX_PAIRS[b];
  out[o + 7] = HEX_PAIRS[b + 1];
  return o + 8;
}

/**
 * Writes `lines` full 16-byte lines for `src[s ..]`, the first at `offset`, into `out` at `o`.
 * The caller guarantees room for `lines * MAX_LINE` bytes. Returns the position after them.
 */
function writeFullLines(
  src: Uint8Array,
  s: number,
  lines: number,
  offset: number,
  out: Uint8Array,
  o: number,
): number {
  for (let line = 0; line < lines; line++, s += 16, offset += 16) {
    o = writeOffset(offset, out, o);
    out[o] = SPACE;
    out[o + 1] = SPACE;
    o += 2;
    for (let i = 0; i < 8; i++, o += 3) {
      const b = src[s + i] << 1;
      out[o] = HEX_PAIRS[b];
      out[o + 1] = HEX_PAIRS[b + 1];
      out[o + 2] = SPACE;
    }
    out[o++] = SPACE;
    for (let i = 8; i < 16; i++, o += 3) {
      const b = src[s + i] << 1;
      out[o] = HEX_PAIRS[b];
      out[o + 1] = HEX_PAIRS[b + 1];
      out[o + 2] = SPACE;
    }
    out[o] = SPACE;
    out[o + 1] = BAR;
    o += 2;
    for (let i = 0; i < 16; i++) out[o + i] = ASCII_COLUMN[src[s + i]];
    out[o + 16] = BAR;
    out[o + 17] = NEWLINE;
    o += 18;
  }
  return o;
}

/** Writes one line of `n` (1..16) bytes from `src[s ..]` at `offset`; returns the end position. */
function writeLine(
  src: Uint8Array,
  s: number,
  n: number,
  offset: number,
  out: Uint8Array,
  o: number,
): number {
  o = writeOffset(offset, out, o);
  out[o++] = SPACE;
  out[o++] = SPACE;
  for (let i = 0; i < 16; i++) {
    if (i < n) {
      const b = src[s + i] << 1;
      out[o++] = HEX_PAIRS[b];
      out[o++] = HEX_PAIRS[b + 1];
    } else {
      out[o++] = SPACE;
      out[o++] = SPACE;
    }
    out[o++] = SPACE;
    if (i === 7) out[o++] = SPACE;
  }
  out[o++] = SPACE;
  out[o++] = BAR;
  for (let i = 0; i < n; i++) out[o++] = ASCII_COLUMN[src[s + i]];
  out[o++] = BAR;
  out[o++] = NEWLINE;
  return o;
}

/** Writes the closing line (the end offset) unless the dump is empty; returns the end position. */
function writeEndLine(end: number, out: Uint8Array, o: number): number {
  if (end === 0) return o;
  o = writeOffset(end, out, o);
  out[o++] = NEWLINE;
  return o;
}

/** Checks that `offset` is a usable byte offset. */
function checkOffset(offset: number): void {
  if (!Number.isSafeInteger(offset) || offset < 0) {
    throw new RangeError(`hexdump offset must be a non-negative safe integer, got ${offset}`);
  }
}

/** Options of {@link formatHexdump}. */
export interface FormatHexdumpOptions {
  /**
   * Whether `bytes` end the input: if so the last line may be short and the closing offset line
   * is added; if not, `bytes.length` must be a multiple of 16.
   * @default {true}
   */
  final?: boolean;
}

/**
 * Formats `bytes`, the first of which sits at `offset` in the input, as `hexdump -C -v` lines.
 *
 * This is the pure core of the streaming functions, handy for testing edge cases: a chunk that
 * starts at `offset` prints what `hexdump -C -v -s <offset>` prints for it (lines of 16 bytes
 * counted from `offset`). With the default `final: true` it also prints the closing line with
 * the end offset — unless that is 0, for `hexdump` prints nothing for an empty file.
 *
 * @param bytes the input bytes
 * @param offset where `bytes[0]` sits in the whole input (a non-negative safe integer; default 0)
 * @returns the dump text as ASCII bytes
 * @example
 * ```ts
 * const text = new TextDecoder().decode(formatHexdump(new Uint8Array(17), 0x100000000));
 * // "100000000  00 00 ... 00  |................|\n100000010  00 ...|.|\n100000011\n"
 * ```
 */
export function formatHexdump(
  bytes: Uint8Array,
  offset = 0,
  options: FormatHexdumpOptions = {},
): Uint8Array {
  checkOffset(offset);
  checkOffset(offset + bytes.length);
  const final = options.final ?? true;
  const full = bytes.length >> 4;
  const rest = bytes.length & 15;
  if (!final && rest !== 0) {
    throw new RangeError(`a non-final chunk must hold whole lines, got ${bytes.length} bytes`);
  }
  const out = new Uint8Array((full + 2) * MAX_LINE);
  let o = writeFullLines(bytes, 0, full, offset, out, 0);
  if (final) {
    if (rest > 0) o = writeLine(bytes, full << 4, rest, offset + (full << 4), out, o);
    o = writeEndLine(offset + bytes.length, out, o);
  }
  return out.slice(0, o);
}

/** Options of {@link hexdumpStream}. */
export interface HexdumpStreamOptions {
  /**
   * The offset shown for the first input byte, as with `hexdump -s <offset>` (lines still hold
   * 16 bytes counted from there).
   * @default {0}
   */
  offset?: number;
  /**
   * Leave `output` open when done (as with `pipeTo`). By default it is closed, and aborted when
   * reading or writing fails.
   * @default {false}
   */
  preventClose?: boolean;
}

/**
 * Streams the canonical hex+ASCII dump (`hexdump -C -v`) of `input` to `output`.
 *
 * Input chunks may have any size; the output is written in chunks of about 1 MiB from two
 * alternating buffers, so formatting overlaps writing and memory does not grow with the input.
 * Output chunks are handed to `output` as views of those buffers, each only after the write
 * before the previous one has completed; a sink that keeps chunks after its write promise
 * resolves must copy them.
 *
 * @param input the bytes to dump
 * @param output where the dump text goes (closed at the end unless `preventClose`)
 * @returns the number of input bytes
 * @example
 * ```ts
 * const input = ReadableStream.from([new TextEncoder().encode("hello")]);
 * const file = await Deno.create("hello.hex");
 * const n = await hexdumpStream(input, file.writable); // 5; the file is closed
 * ```
 */
export async function hexdumpStream(
  input: ReadableStream<Uint8Array>,
  output: WritableStream<Uint8Array>,
  options: HexdumpStreamOptions = {},
): Promise<number> {
  const reader = input.getReader();
  const writer = output.getWriter();
  async function* chunks(): AsyncGenerator<Uint8Array> {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  }
  try {
    const n = await hexdumpChunks(chunks(), (bytes) => writer.write(bytes), options.offset ?? 0);
    if (!options.preventClose) await writer.close();
    return n;
  } catch (err) {
    await reader.cancel(err).catch(() => {});
    if (!options.preventClose) await writer.abort(err).catch(() => {});
    throw err;
  } finally {
    reader.releaseLock();
    writer.releaseLock();
  }
}

/**
 * The formatting loop of {@link hexdumpStream} and {@link hexdumpFile}: each chunk is used up
 * before the next is asked for (so a source may reuse one buffer), and the output goes to
 * `write` in about 1 MiB pieces from two alternating buffers (a piece is reused once the
 * write after it has been asked for, so `write` must be done with it by then).
 */
async function hexdumpChunks(
  chunks: AsyncIterable<Uint8Array>,
  write: (bytes: Uint8Array) => Promise<void>,
  start: number,
): Promise<number> {
  checkOffset(start);
  const buffers = [new Uint8Array(WRITE_SIZE), new Uint8Array(WRITE_SIZE)];
  let current = 0;
  let out = buffers[0];
  let o = 0;
  let pending: Promise<void> | undefined;

  const flush = async (): Promise<void> => {
    if (o === 0) return;
    if (pending) await pending;
    pending = write(out.subarray(0, o));
    pending.catch(() => {}); // surfaced by the next `await pending`
    current ^= 1;
    out = buffers[current];
    o = 0;
  };

  const carry = new Uint8Array(16);
  let carried = 0;
  let offset = start;
  try {
    for await (const chunk of chunks) {
      const n = chunk.length;
      checkOffset(offset + n);
      let s = 0;
      if (carried > 0) {
        s = Math.min(16 - carried, n);
        carry.set(chunk.subarray(0, s), carried);
        carried += s;
        if (carried < 16) continue;
        if (WRITE_SIZE - o < MAX_LINE) await flush();
        o = writeFullLines(carry, 0, 1, offset, out, o);
        offset += 16;
        carried = 0;
      }
      while (n - s >= 16) {
        const lines = Math.min((n - s) >>> 4, Math.floor((WRITE_SIZE - o) / MAX_LINE));
        if (lines === 0) {
          await flush();
          continue;
        }
        o = writeFullLines(chunk, s, lines, offset, out, o);
        s += lines << 4;
        offset += lines << 4;
      }
      if (s < n) {
        carry.set(chunk.subarray(s), 0);
        carried = n - s;
      }
    }
    if (WRITE_SIZE - o < 2 * MAX_LINE) await flush();
    if (carried > 0) o = writeLine(carry, 0, carried, offset, out, o);
    o = writeEndLine(offset + carried, out, o);
    await flush();
    if (pending) await pending;
    return offset + carried - start;
  } catch (err) {
    await pending?.catch(() => {});
    throw err;
  }
}

/**
 * Dumps the file at `inPath` into the file at `outPath` (created or truncated), exactly as
 * `hexdump -C -v inPath > outPath` would.
 *
 * The input is read 1 MiB at a time and the output written in 1 MiB chunks.
 *
 * @param inPath the file to dump
 * @param outPath the dump to write
 * @returns the number of bytes of `inPath`
 * @example
 * ```ts
 * const size = await hexdumpFile("out/0.m4s", "out/0.hex");
 * ```
 */
export async function hexdumpFile(inPath: string, outPath: string): Promise<number> {
  using inFile = await Deno.open(inPath, { read: true });
  using outFile = await Deno.open(outPath, { write: true, create: true, truncate: true });
  // One input buffer, refilled: each chunk is used up before the next read.
  const buffer = new Uint8Array(READ_SIZE);
  async function* chunks(): AsyncGenerator<Uint8Array> {
    for (;;) {
      const n = await inFile.read(buffer);
      if (n === null) return;
      yield buffer.subarray(0, n);
    }
  }
  return await hexdumpChunks(chunks(), (bytes) => writeAll(outFile, bytes), 0);
}
