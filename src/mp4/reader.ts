/**
 * Where the dumper's bytes come from: a {@linkcode ByteSource} over a file or a
 * `ReadableStream` (standard input), read in large buffered pieces so memory stays bounded
 * whatever the file's size, and a {@linkcode Loader} that keeps the piece being walked loaded so
 * boxes can read their fields synchronously.
 *
 * @example
 * ```ts
 * import { FileSource, Loader } from "./reader.ts";
 * const src = await FileSource.open("movie.mp4");
 * const loader = new Loader(src);
 * await loader.load(0, 8); // loader.view.bytes now holds the first box header
 * src.close();
 * ```
 *
 * @module
 */
import type { FileView } from "./cursor.ts";

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
  /**
   * Reads bytes synchronously, without disturbing what {@linkcode read} returned (sources that
   * can: files). Used when a box's fields run past the bytes loaded for it.
   */
  readSync?(offset: number, length: number): Uint8Array;
  /**
   * What {@linkcode read} gives, synchronously (sources that can: files, memory), so a walk
   * over a file never waits on the event loop.
   */
  readNow?(offset: number, length: number): Uint8Array;
  /** Releases the underlying file or stream. */
  close(): void;
}

/** Bytes read at least, so a box header and the small boxes after it come in one read. */
const MIN_READ = 4096;

/**
 * A {@linkcode ByteSource} over an open file. Reads are synchronous underneath (one `read`
 * system call each, no event-loop round trip) and take at least 4 KiB, so a fragmented file's
 * `moof` and the `mdat` header after it come in one read while `mdat` payloads are skipped.
 */
export class FileSource implements ByteSource {
  /** File size in bytes. */
  readonly size: number;
  #file: Deno.FsFile;
  #buf: Uint8Array = new Uint8Array(0);
  #bufStart = 0;
  #bufLength = 0;
  #filePos = 0;

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

  /**
   * Opens `path` for reading. Synchronously underneath (an open and a stat are microseconds;
   * awaiting them costs more when a Representation's 10,000 segments are dumped one by one).
   */
  static open(path: string): Promise<FileSource> {
    try {
      return Promise.resolve(FileSource.openSync(path));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** Opens `path` for reading, synchronously. */
  static openSync(path: string): FileSource {
    const file = Deno.openSync(path, { read: true });
    try {
      return new FileSource(file, file.statSync().size);
    } catch (err) {
      file.close();
      throw err;
    }
  }

  #fill(into: Uint8Array, offset: number): number {
    if (this.#filePos !== offset) this.#file.seekSync(offset, Deno.SeekMode.Start);
    let got = 0;
    while (got < into.length) {
      const n = this.#file.readSync(into.subarray(got));
      if (n === null || n === 0) break;
      got += n;
    }
    this.#filePos = offset + got;
    return got;
  }

  read(offset: number, length: number): Promise<Uint8Array> {
    return Promise.resolve(this.readNow(offset, length));
  }

  readNow(offset: number, length: number): Uint8Array {
    const end = Math.min(offset + length, this.size);
    if (end <= offset) return new Uint8Array(0);
    if (offset >= this.#bufStart && end <= this.#bufStart + this.#bufLength) {
      return this.#buf.subarray(offset - this.#bufStart, end - this.#bufStart);
    }
    const want = Math.min(Math.max(end - offset, MIN_READ), this.size - offset);
    // the buffer is reused (a view is valid until the next call), unless a big box needs more
    if (want > this.#buf.length) {
      const spare = this.#buf.length === 0 ? spareReads.pop() : undefined;
      this.#buf = spare !== undefined && spare.length >= want
        ? spare
        : new Uint8Array(Math.max(want, MIN_READ));
    }
    this.#bufStart = offset;
    this.#bufLength = this.#fill(this.#buf.subarray(0, want), offset);
    return this.#buf.subarray(0, Math.min(end - offset, this.#bufLength));
  }

  readSync(offset: number, length: number): Uint8Array {
    const end = Math.min(offset + length, this.size);
    if (end <= offset) return new Uint8Array(0);
    const out = new Uint8Array(end - offset);
    return out.subarray(0, this.#fill(out, offset));
  }

  measureEnd(): Promise<number> {
    return Promise.resolve(this.size);
  }

  close(): void {
    this.#file.close();
    if (this.#buf.length > 0 && this.#buf.length <= MAX_SPARE_READ && spareReads.length < 4) {
      spareReads.push(this.#buf);
    }
    this.#buf = new Uint8Array(0);
    this.#bufLength = 0;
  }
}

/** Read buffers of closed file sources, for the next ones (a dump of 10,000 segments). */
const spareReads: Uint8Array[] = [];
/** The largest read buffer kept for reuse. */
const MAX_SPARE_READ = 1 << 20;

/** A {@linkcode ByteSource} over bytes in memory. */
export class MemorySource implements ByteSource {
  readonly #data: Uint8Array;

  /** Wraps `data` (not copied). */
  constructor(data: Uint8Array) {
    this.#data = data;
  }

  /** The length of the data. */
  get size(): number {
    return this.#data.length;
  }

  read(offset: number, length: number): Promise<Uint8Array> {
    return Promise.resolve(this.readNow(offset, length));
  }

  readNow(offset: number, length: number): Uint8Array {
    return this.#data.subarray(offset, offset + length);
  }

  readSync(offset: number, length: number): Uint8Array {
    return this.#data.subarray(offset, offset + length);
  }

  measureEnd(): Promise<number> {
    return Promise.resolve(this.#data.length);
  }

  close(): void {}
}

/** A forward-only {@linkcode ByteSource} over a `ReadableStream` of bytes. */
export class StreamSource implements ByteSource {
  /** Unknown for a stream. */
  readonly size: number | undefined = undefined;
  #reader: ReadableStreamDefaultReader<Uint8Array>;
  /** Buffered bytes, starting at stream offset `#bufStart`. */
  #buf: Uint8Array = new Uint8Array(0);
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
    if (this.#buf.length === 0) {
      this.#buf = value;
      return true;
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
      throw new RangeError(`a stream cannot be read backwards (offset ${offset})`);
    }
    this.#discardTo(offset);
    while (this.#bufStart < offset) {
      this.#buf = new Uint8Array(0);
      if (!(await this.#pull())) return new Uint8Array(0);
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

/**
 * Keeps one range of a source loaded as a {@linkcode FileView}, so the boxes in it can be read
 * synchronously; loading a range that is already in memory costs nothing.
 */
export class Loader {
  /** The loaded bytes (replaced by each load that needs new ones). */
  readonly view: FileView;
  readonly #src: ByteSource;

  /**
   * Wraps a source.
   *
   * @param src where the bytes come from
   */
  constructor(src: ByteSource) {
    this.#src = src;
    const more = src.readSync ? src.readSync.bind(src) : undefined;
    this.view = { bytes: new Uint8Array(0), base: 0, size: src.size ?? Infinity, more };
  }

  /** Whether `[offset, offset + length)` (cut at the end of the file) is loaded. */
  has(offset: number, length: number): boolean {
    const v = this.view;
    const end = Math.min(offset + length, v.size);
    return offset >= v.base && end <= v.base + v.bytes.length;
  }

  /**
   * Loads `[offset, offset + length)` (cut at the end of the file) unless it is loaded.
   *
   * @returns the number of bytes available from `offset` in the view
   */
  async load(offset: number, length: number): Promise<number> {
    if (!this.has(offset, length)) {
      this.#loaded(offset, length, await this.#src.read(offset, length));
    }
    return this.#available(offset, length);
  }

  /**
   * {@linkcode load}, synchronously, when the source can read synchronously; else undefined
   * (then `load` must be awaited).
   */
  loadNow(offset: number, length: number): number | undefined {
    if (!this.has(offset, length)) {
      if (!this.#src.readNow) return undefined;
      this.#loaded(offset, length, this.#src.readNow(offset, length));
    }
    return this.#available(offset, length);
  }

  #loaded(offset: number, length: number, got: Uint8Array): void {
    const v = this.view;
    v.bytes = got;
    v.base = offset;
    if (got.length < length && this.#src.size === undefined) v.size = offset + got.length;
  }

  #available(offset: number, length: number): number {
    const v = this.view;
    return Math.min(offset + length, v.size, v.base + v.bytes.length) - offset;
  }

  /** The end of the data (for `size = 0` boxes); on a stream this reads it to its end. */
  async end(offset: number): Promise<number> {
    if (Number.isFinite(this.view.size)) return this.view.size;
    const end = await this.#src.measureEnd(offset);
    this.view.size = end;
    this.view.bytes = new Uint8Array(0);
    this.view.base = end;
    return end;
  }
}
