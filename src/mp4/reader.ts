/**
 * The streaming side of the box reader: byte sources over a file or a `ReadableStream`
 * (large buffered reads, bounded memory, payloads that are not needed are skipped, never
 * loaded) and the parsing of a box header (32-bit size, 64-bit `largesize`, `size = 0` to the
 * end of the enclosing range, `uuid` extended types).
 *
 * @example
 * ```ts
 * import { FileSource, readBoxHeader } from "./reader.ts";
 * const src = await FileSource.open("movie.mp4");
 * const h = await readBoxHeader(src, 0, src.size);
 * console.log(h.type, h.size);
 * src.close();
 * ```
 *
 * @module
 */
import { fourccText, Mp4DataError } from "./byte_reader.ts";

/** Random-ish access to the bytes of an MP4 file. Offsets never go backwards for streams. */
export interface ByteSource {
  /** Total size in bytes, when known (files); undefined for streams. */
  readonly size: number | undefined;
  /**
   * Reads up to `length` bytes at `offset` (fewer only at the end of the data). The returned
   * view is valid until the next call.
   */
  read(offset: number, length: number): Promise<Uint8Array>;
  /** Returns the offset of the end of the data (for `size = 0` boxes on a stream). */
  measureEnd(offset: number): Promise<number>;
  /** Releases the underlying file or stream. */
  close(): void;
}

const WINDOW = 1 << 20;

/**
 * A {@linkcode ByteSource} over an open file, read through a window of 1 MiB (or of the file's
 * size when smaller, allocated at the first read: a 20 KB segment costs 20 KB, not 1 MiB).
 */
export class FileSource implements ByteSource {
  /** File size in bytes. */
  readonly size: number;
  #file: Deno.FsFile;
  #window: Uint8Array | undefined;
  #winStart = 0;
  #winLength = 0;

  /**
   * Wraps an open file.
   *
   * @param file an open file (the source closes it)
   * @param size its size in bytes
   */
  constructor(file: Deno.FsFile, size: number) {
    this.#file = file;
    this.size = size;
  }

  /** Opens `path` for reading. */
  static async open(path: string): Promise<FileSource> {
    const file = await Deno.open(path, { read: true });
    try {
      const info = await file.stat();
      return new FileSource(file, info.size);
    } catch (err) {
      file.close();
      throw err;
    }
  }

  async #fill(into: Uint8Array, offset: number): Promise<number> {
    await this.#file.seek(offset, Deno.SeekMode.Start);
    let got = 0;
    while (got < into.length) {
      const n = await this.#file.read(into.subarray(got));
      if (n === null) break;
      got += n;
    }
    return got;
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    const end = Math.min(offset + length, this.size);
    if (end <= offset) return new Uint8Array(0);
    const window = this.#window ??= new Uint8Array(Math.min(WINDOW, this.size));
    if (offset >= this.#winStart && end <= this.#winStart + this.#winLength) {
      return window.subarray(offset - this.#winStart, end - this.#winStart);
    }
    if (end - offset <= window.length) {
      this.#winStart = offset;
      this.#winLength = await this.#fill(window, offset);
      return window.subarray(0, Math.min(end - offset, this.#winLength));
    }
    const big = new Uint8Array(end - offset);
    const got = await this.#fill(big, offset);
    return big.subarray(0, got);
  }

  measureEnd(): Promise<number> {
    return Promise.resolve(this.size);
  }

  close(): void {
    this.#file.close();
  }
}

/** A forward-only {@linkcode ByteSource} over a `ReadableStream` of bytes. */
export class StreamSource implements ByteSource {
  /** Unknown for a stream. */
  readonly size: number | undefined = undefined;
  #reader: ReadableStreamDefaultReader<Uint8Array>;
  /** Buffered bytes, starting at stream offset `#bufStart`. */
  #buf = new Uint8Array(0);
  #bufStart = 0;
  #done = false;

  /**
   * Wraps a stream (the source takes its reader).
   *
   * @param stream the bytes of an MP4 file
   */
  constructor(stream: ReadableStream<Uint8Array>) {
    this.#reader = stream.getReader();
  }

  async #pull(): Promise<boolean> {
    if (this.#done) return false;
    const { value, done } = await this.#reader.read();
    if (done || !value) {
      this.#done = true;
      return false;
    }
    const merged = new Uint8Array(this.#buf.length + value.length);
    merged.set(this.#buf);
    merged.set(value, this.#buf.length);
    this.#buf = merged;
    return true;
  }

  #discardTo(offset: number): void {
    const drop = Math.min(offset - this.#bufStart, this.#buf.length);
    if (drop > 0) {
      this.#buf = this.#buf.subarray(drop);
      this.#bufStart += drop;
    }
  }

  async read(offset: number, length: number): Promise<Uint8Array> {
    if (offset < this.#bufStart) {
      throw new Mp4DataError(offset, "a stream cannot be read backwards (a box of size 0?)");
    }
    this.#discardTo(offset);
    while (this.#bufStart < offset) {
      this.#buf = new Uint8Array(0);
      if (!(await this.#pull())) {
        throw new Mp4DataError(
          this.#bufStart,
          `the data ends at offset ${this.#bufStart}, inside a box that should end at ${offset}`,
        );
      }
      this.#discardTo(offset);
    }
    while (this.#buf.length < length && await this.#pull());
    return this.#buf.subarray(0, Math.min(length, this.#buf.length));
  }

  async measureEnd(offset: number): Promise<number> {
    this.#discardTo(offset);
    while (await this.#pull()) this.#discardTo(this.#bufStart + this.#buf.length);
    return this.#bufStart + this.#buf.length;
  }

  close(): void {
    this.#reader.cancel().catch(() => {});
  }
}

/** A parsed box header. */
export interface BoxHeader {
  /** Four-character type (`uuid` for extended types). */
  type: string;
  /** The name mp4dump prints: the type, or the formatted UUID for `uuid` boxes. */
  name: string;
  /** Offset of the box in the file. */
  offset: number;
  /** Header bytes: 8, 16 with `largesize`, plus 16 for `uuid`. */
  headerSize: number;
  /** Total size in bytes (a `size = 0` box already resolved to the end of its range). */
  size: number;
  /** The 16-byte extended type of a `uuid` box. */
  uuid?: Uint8Array;
}

/** The UUID of a `uuid` box as mp4dump names it (hex groups of 6-2-2-2-4 bytes, uppercase). */
export function uuidName(uuid: Uint8Array): string {
  const h = Array.from(uuid, (b) => b.toString(16).padStart(2, "0").toUpperCase());
  return h.slice(0, 6).join("") + "-" + h.slice(6, 8).join("") + "-" + h.slice(8, 10).join("") +
    "-" + h.slice(10, 12).join("") + "-" + h.slice(12, 16).join("");
}

/**
 * Parses the header of the box at `bytes[at]` (absolute offset `offset`), given that the
 * enclosing range ends `room` bytes after it. Throws {@linkcode Mp4DataError} when the header is
 * cut, its size is smaller than its header, or the box runs past the range.
 *
 * @param bytes bytes starting at least at the box
 * @param at index of the box in `bytes`
 * @param offset absolute offset of the box
 * @param room bytes from the box to the end of the enclosing range (file or parent box)
 * @param where words naming the enclosing range, for messages ("the file", "its parent 'moov'")
 */
export function parseBoxHeader(
  bytes: Uint8Array,
  at: number,
  offset: number,
  room: number,
  where: string,
): BoxHeader {
  const avail = Math.min(bytes.length - at, room);
  if (avail < 8) {
    throw new Mp4DataError(
      offset,
      `truncated box header: ${avail} byte${avail === 1 ? "" : "s"} left in ${where}, 8 needed`,
    );
  }
  const size32 = ((bytes[at] << 24) >>> 0) + (bytes[at + 1] << 16) + (bytes[at + 2] << 8) +
    bytes[at + 3];
  const type = fourccText(bytes, at + 4);
  let headerSize = 8;
  let size: number;
  if (size32 === 1) {
    if (avail < 16) {
      throw new Mp4DataError(offset, `truncated 64-bit box header of '${type}' in ${where}`);
    }
    const hi = ((bytes[at + 8] << 24) >>> 0) + (bytes[at + 9] << 16) + (bytes[at + 10] << 8) +
      bytes[at + 11];
    const lo = ((bytes[at + 12] << 24) >>> 0) + (bytes[at + 13] << 16) + (bytes[at + 14] << 8) +
      bytes[at + 15];
    if (hi >= 0x200000) {
      throw new Mp4DataError(offset, `box '${type}' has an impossible 64-bit size`);
    }
    size = hi * 0x100000000 + lo;
    headerSize = 16;
  } else if (size32 === 0) {
    size = room;
  } else {
    size = size32;
  }
  let uuid: Uint8Array | undefined;
  let name = type;
  if (type === "uuid") {
    if (avail < headerSize + 16) {
      throw new Mp4DataError(offset, `truncated header of 'uuid' box in ${where}`);
    }
    uuid = bytes.slice(at + headerSize, at + headerSize + 16);
    name = uuidName(uuid);
    headerSize += 16;
  }
  if (size < headerSize) {
    throw new Mp4DataError(
      offset,
      `box '${type}' has size ${size}, smaller than its ${headerSize}-byte header`,
    );
  }
  if (size > room) {
    throw new Mp4DataError(
      offset,
      `box '${type}' of size ${size} runs past the end of ${where} (${room} bytes left)`,
    );
  }
  return { type, name, offset, headerSize, size, uuid };
}

/**
 * Reads and parses the header of the box at `offset` from `src`; `end` is the end of the
 * enclosing range (undefined: the end of a stream, found when needed).
 */
export async function readBoxHeader(
  src: ByteSource,
  offset: number,
  end: number | undefined,
  where = "the file",
): Promise<BoxHeader> {
  const head = await src.read(offset, 32);
  let room = end === undefined ? Number.MAX_SAFE_INTEGER : end - offset;
  if (end === undefined && head.length >= 8) {
    const zero = head[0] === 0 && head[1] === 0 && head[2] === 0 && head[3] === 0;
    if (zero) room = (await src.measureEnd(offset)) - offset;
  }
  return parseBoxHeader(head, 0, offset, room, where);
}
