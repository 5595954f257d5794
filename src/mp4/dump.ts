/**
 * streamkit's built-in ISO BMFF box dumper, whose output equals Bento4's `mp4dump`: text at
 * verbosity 0..3 and JSON. It streams — a file of any size is read in bounded memory, `mdat`
 * payloads are skipped, never loaded — and reports damage (a truncated box, a size smaller
 * than its header or past the end of the file, a child overrunning its parent, bytes that are
 * not ISO BMFF) as problems with their offsets, after printing everything before the damage.
 *
 * @example
 * ```ts
 * import { dumpMp4 } from "./dump.ts";
 * const { problems } = await dumpMp4("init.mp4", (t) => {
 *   Deno.stdout.writeSync(new TextEncoder().encode(t));
 * }, { verbosity: 3, format: "text" });
 * ```
 *
 * @module
 */
import { ByteReader, Mp4DataError } from "./byte_reader.ts";
import { type BoxHeaderInfo, type Inspector, JsonInspector, type Printer } from "./inspect.ts";
import { TextInspector, type Verbosity } from "./inspect.ts";
import { type ByteSource, FileSource, readBoxHeader, StreamSource } from "./reader.ts";
import { BoxWalker, codecFor, MAX_DEPTH } from "./walk.ts";

/** How to dump. */
export interface DumpOptions {
  /** Detail level, as mp4dump's `--verbosity`. */
  verbosity: 0 | 1 | 2 | 3;
  /** `text` (mp4dump's default) or `json` (mp4dump's `--format json`). */
  format: "text" | "json";
  /**
   * When set (text only), append ` @<abs> (0x<hex>)` to every box header line, where abs =
   * base + the box's offset in this file, hex lowercase without padding, e.g.
   * `[styp] size=8+16 @843 (0x34b)`
   */
  annotate?: { base: number };
}

/** Something wrong with the input, and where. */
export interface Mp4Problem {
  /** Absolute offset in the file. */
  offset: number;
  /** What is wrong. */
  message: string;
}

/** A container larger than this is walked from the file instead of being loaded whole. */
const LOAD_LIMIT = 64 << 20;

/** Memory bounds of a dump (tests lower them to exercise the streaming paths). */
export interface DumpLimits {
  /**
   * A container box larger than this many bytes is walked from the source child by child
   * instead of being loaded whole.
   * @default {67108864}
   */
  loadLimit?: number;
}
/** A box whose fields must be read is never loaded when larger than this. */
const LEAF_LIMIT = 512 << 20;
/** Output is handed to the writer in batches of about this many characters. */
const FLUSH_AT = 1 << 16;

type Flush = () => Promise<void>;

/** Top-level box types are letters and digits, perhaps padded with spaces (`ftyp`, `mdat`). */
function isTopLevelType(type: Uint8Array): boolean {
  return /^[A-Za-z0-9]+ *$/.test(String.fromCharCode(...type));
}

/**
 * Walks the boxes of `src` in `[start, end)` (`end` undefined: to the end of a stream). Each
 * box is loaded whole and walked in memory, except boxes shown by their header alone (never
 * loaded) and containers larger than `loadLimit` (walked from the source, child by child).
 */
async function walkSource(
  src: ByteSource,
  range: { start: number; end: number | undefined; depth: number; parent?: string },
  ins: Inspector,
  flush: Flush,
  loadLimit: number,
): Promise<void> {
  const { end, depth, parent } = range;
  if (depth > MAX_DEPTH) {
    throw new Mp4DataError(range.start, `boxes nested more than ${MAX_DEPTH} deep`);
  }
  const walker = new BoxWalker(ins);
  const where = parent === undefined ? "the file" : `its parent '${parent}'`;
  let off = range.start;
  while (end === undefined || off < end) {
    if (end === undefined && (await src.read(off, 1)).length === 0) break;
    if (depth === 0) {
      const type = (await src.read(off, 8)).subarray(4);
      if (type.length === 4 && !isTopLevelType(type)) {
        const hex = Array.from(type, (b) => b.toString(16).padStart(2, "0")).join(" ");
        throw new Mp4DataError(off, `not an ISO BMFF box (type bytes ${hex})`);
      }
    }
    const h = await readBoxHeader(src, off, end, where);
    const codec = codecFor(h);
    if (!codec?.inspect) {
      // shown by its header alone: the payload is skipped, never read
      if (end === undefined && (await src.read(off + h.size - 1, 1)).length < 1) {
        throw new Mp4DataError(
          off,
          `box '${h.type}' of size ${h.size} runs past the end of the data`,
        );
      }
      ins.startBox(headerInfo(h.name, h.headerSize, h.size, 0, 0, off));
      ins.endBox();
    } else if (codec.container && h.size > loadLimit) {
      let headerSize = h.headerSize, version = 0, flags = 0;
      if (codec.full) {
        const v = new ByteReader(await src.read(off + headerSize, 4), off + headerSize).u32();
        version = v >>> 24;
        flags = v & 0xffffff;
        headerSize += 4;
      }
      ins.startBox(headerInfo(h.name, headerSize, h.size, version, flags, off));
      await walkSource(
        src,
        { start: off + headerSize, end: off + h.size, depth: depth + 1, parent: h.type },
        ins,
        flush,
        loadLimit,
      );
      ins.endBox();
    } else {
      if (h.size > LEAF_LIMIT) {
        throw new Mp4DataError(off, `box '${h.type}' of ${h.size} bytes is too large to inspect`);
      }
      const bytes = await src.read(off, h.size);
      if (bytes.length < h.size) {
        throw new Mp4DataError(
          off,
          `box '${h.type}' of size ${h.size} runs past the end of the data ` +
            `(${bytes.length} bytes left)`,
        );
      }
      walker.box(new ByteReader(bytes, off), h, depth);
    }
    await flush();
    off += h.size;
  }
}

function headerInfo(
  name: string,
  headerSize: number,
  size: number,
  version: number,
  flags: number,
  offset: number,
): BoxHeaderInfo {
  return { name, headerSize, size, version, flags, offset };
}

function makePrinter(options: DumpOptions): Printer {
  const verbosity = options.verbosity as Verbosity;
  if (options.format === "json") return new JsonInspector(verbosity);
  return new TextInspector(verbosity, { annotateBase: options.annotate?.base });
}

async function run(
  src: ByteSource,
  ins: Inspector,
  flush: Flush,
  limits: DumpLimits = {},
): Promise<Mp4Problem[]> {
  try {
    await walkSource(
      src,
      { start: 0, end: src.size, depth: 0 },
      ins,
      flush,
      limits.loadLimit ?? LOAD_LIMIT,
    );
    return [];
  } catch (err) {
    if (err instanceof Mp4DataError) return [{ offset: err.offset, message: err.message }];
    if (err instanceof RangeError) {
      // a pathological structure (e.g. nesting that exhausts the stack)
      return [{ offset: 0, message: `cannot dump this file: ${err.message}` }];
    }
    throw err;
  }
}

/**
 * Dumps the MP4 bytes of `src`, writing text as it goes to `write`; returns the problems found
 * (empty when the data is sound).
 *
 * @param src where the bytes come from (closed by the caller)
 * @param write receives the output in batches
 * @param options verbosity, format and annotation
 * @param limits memory bounds
 */
export async function dumpSource(
  src: ByteSource,
  write: (text: string) => void | Promise<void>,
  options: DumpOptions,
  limits: DumpLimits = {},
): Promise<{ problems: Mp4Problem[] }> {
  const printer = makePrinter(options);
  const flush = async () => {
    if (printer.pending >= FLUSH_AT) await write(printer.drain());
  };
  const problems = await run(src, printer, flush, limits);
  printer.finish();
  const rest = printer.drain();
  if (rest) await write(rest);
  return { problems };
}

/**
 * Dumps the file at `path`, writing text as it goes to `write`; returns problems found
 * (empty when the file is sound). Bounded memory for any file size.
 *
 * @example
 * ```ts
 * let text = "";
 * const { problems } = await dumpMp4("seg.m4s", (t) => { text += t; }, {
 *   verbosity: 3,
 *   format: "json",
 * });
 * ```
 */
export async function dumpMp4(
  path: string,
  write: (text: string) => void | Promise<void>,
  options: DumpOptions,
): Promise<{ problems: Mp4Problem[] }> {
  const src = await FileSource.open(path);
  try {
    return await dumpSource(src, write, options);
  } finally {
    src.close();
  }
}

/**
 * Dumps MP4 bytes arriving on a stream (forward only: `mdat` payloads are read past and
 * dropped). Same output and problems as {@linkcode dumpMp4}.
 */
export async function dumpMp4Stream(
  stream: ReadableStream<Uint8Array>,
  write: (text: string) => void | Promise<void>,
  options: DumpOptions,
): Promise<{ problems: Mp4Problem[] }> {
  const src = new StreamSource(stream);
  try {
    return await dumpSource(src, write, options);
  } finally {
    src.close();
  }
}

/** An Inspector that only records where each box header line would be. */
class OffsetCollector implements Inspector {
  readonly verbosity: Verbosity = 0;
  readonly offsets: number[] = [];
  startBox(h: BoxHeaderInfo): void {
    this.offsets.push(h.offset);
  }
  endBox(): void {}
  addInt(): void {}
  addString(): void {}
  addFloat(): void {}
  addBytes(): void {}
  startArray(): void {}
  endArray(): void {}
  addElement(): void {}
  startEntry(): void {}
  endEntry(): void {}
}

/**
 * The absolute offsets of the boxes in the order mp4dump prints their header lines (pre-order,
 * descending into exactly the containers mp4dump descends into). Used to annotate the output of
 * an external mp4dump. MPEG-4 descriptors inside `esds` (`[ESDescriptor]`, …) have header
 * lines too, and are included. Offsets stop at the first damage.
 *
 * @example
 * ```ts
 * const offsets = await boxHeaderOffsets("rep0.m4s"); // [0, 28, 36, ...]
 * ```
 */
export async function boxHeaderOffsets(path: string): Promise<number[]> {
  const src = await FileSource.open(path);
  try {
    const collector = new OffsetCollector();
    await run(src, collector, () => Promise.resolve());
    return collector.offsets;
  } finally {
    src.close();
  }
}

/**
 * The types of the first top-level boxes (up to `count`), for fMP4 detection. Stops early at
 * the end of the file or at damage.
 *
 * @example
 * ```ts
 * const types = await firstBoxTypes("init.mp4", 2); // ["ftyp", "moov"]
 * ```
 */
export async function firstBoxTypes(path: string, count = 8): Promise<string[]> {
  const src = await FileSource.open(path);
  const types: string[] = [];
  try {
    let off = 0;
    while (types.length < count && off < src.size) {
      const h = await readBoxHeader(src, off, src.size);
      types.push(h.type);
      off += h.size;
    }
  } catch (err) {
    if (!(err instanceof Mp4DataError)) throw err;
  } finally {
    src.close();
  }
  return types;
}
