/**
 * streamkit's built-in ISO BMFF box dumper, whose output equals Bento4's `mp4dump` 1.6: text at
 * verbosity 0..3 and JSON, the same boxes read the same way, damaged input included. It
 * streams — a file of any size is read in bounded memory, `mdat` payloads are skipped, never
 * loaded — and reports damage (a truncated box, a size smaller than its header or past the end
 * of its parent, bytes that are not ISO BMFF) as problems with their offsets, after printing
 * exactly what mp4dump prints.
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
import { ByteStringDecoder, fourccPrintable } from "./format.ts";
import { type BoxHeaderInfo, JsonInspector, NullInspector, type Printer } from "./inspect.ts";
import { TextInspector, type Verbosity } from "./inspect.ts";
import { type ByteSource, FileSource, Loader, StreamSource } from "./reader.ts";
import { type Mp4Problem, walkBoxes } from "./walker.ts";

export type { Mp4Problem } from "./walker.ts";

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
  /**
   * `text` (default): `write` receives JavaScript text (the output decoded as UTF-8).
   * `bytes`: each character `write` receives stands for one byte of mp4dump's output (char
   * codes 0..255), so bytes that are not UTF-8 come out unchanged.
   */
  encoding?: "text" | "bytes";
}

/** Memory bounds of a dump (tests lower them to exercise the streaming paths). */
export interface DumpLimits {
  /**
   * A container box larger than this many bytes is walked from the source child by child
   * instead of being loaded whole.
   * @default {67108864}
   */
  loadLimit?: number;
}

/** Output is handed to the writer in batches of about this many characters. */
const FLUSH_AT = 1 << 16;

function makePrinter(options: DumpOptions): Printer {
  const verbosity = options.verbosity as Verbosity;
  if (options.format === "json") return new JsonInspector(verbosity);
  return new TextInspector(verbosity, { annotateBase: options.annotate?.base });
}

/**
 * Dumps the MP4 bytes of `src`, writing text as it goes to `write`; returns the problems found
 * (empty when the data is sound).
 *
 * @param src where the bytes come from (closed by the caller)
 * @param write receives the output in batches
 * @param options verbosity, format, annotation and encoding
 * @param limits memory bounds
 */
export async function dumpSource(
  src: ByteSource,
  write: (text: string) => void | Promise<void>,
  options: DumpOptions,
  limits: DumpLimits = {},
): Promise<{ problems: Mp4Problem[] }> {
  const printer = makePrinter(options);
  const decoder = options.encoding === "bytes" ? undefined : new ByteStringDecoder();
  const emit = async (s: string) => {
    const text = decoder ? decoder.decode(s) : s;
    if (text) await write(text);
  };
  const problems = await walkTo(src, printer, () => emit(printer.drain()), limits);
  await emit(printer.drain());
  if (decoder) {
    const rest = decoder.end();
    if (rest) await write(rest);
  }
  return { problems };
}

/**
 * Dumps the MP4 bytes of `src`, handing mp4dump's exact output bytes to `write` as it goes:
 * the fastest way to a file or a pipe (no text is built). Each batch is a view of the
 * printer's buffer, valid only until `write` returns (or its promise settles): copy it to keep
 * it. `options.encoding` is ignored.
 *
 * @example
 * ```ts
 * import { FileSource } from "./reader.ts";
 * const src = await FileSource.open("seg.m4s");
 * try {
 *   await dumpSourceBytes(src, (bytes) => {
 *     Deno.stdout.writeSync(bytes);
 *   }, { verbosity: 3, format: "text" });
 * } finally {
 *   src.close();
 * }
 * ```
 */
export async function dumpSourceBytes(
  src: ByteSource,
  write: (bytes: Uint8Array) => void | Promise<void>,
  options: DumpOptions,
  limits: DumpLimits = {},
): Promise<{ problems: Mp4Problem[] }> {
  const printer = makePrinter(options);
  // Synchronous when `write` is: a walk over a file then never waits on the event loop.
  const emit = () => {
    const bytes = printer.drainBytes();
    return bytes.length > 0 ? write(bytes) : undefined;
  };
  const problems = await walkTo(src, printer, emit, limits);
  await emit();
  printer.release();
  return { problems };
}

/** Walks `src` into `printer`, emptying it through `emit` whenever enough is waiting. */
async function walkTo(
  src: ByteSource,
  printer: Printer,
  emit: () => void | Promise<void>,
  limits: DumpLimits,
): Promise<Mp4Problem[]> {
  const flush = () => (printer.pending >= FLUSH_AT ? emit() : undefined);
  let problems: Mp4Problem[];
  try {
    problems = await walkBoxes(src, printer, { loadLimit: limits.loadLimit, flush });
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    // a pathological structure (nesting that exhausts the stack, an impossible allocation)
    problems = [{ offset: 0, message: `cannot dump this file: ${err.message}` }];
  }
  printer.finish();
  return problems;
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
 * Dumps the file at `path`, handing mp4dump's exact output bytes to `write` as it goes (see
 * {@linkcode dumpSourceBytes}: each batch is valid only until `write` returns). Bounded
 * memory for any file size.
 *
 * @example
 * ```ts
 * const { problems } = await dumpMp4Bytes("seg.m4s", (bytes) => {
 *   Deno.stdout.writeSync(bytes);
 * }, { verbosity: 3, format: "text" });
 * ```
 */
export async function dumpMp4Bytes(
  path: string,
  write: (bytes: Uint8Array) => void | Promise<void>,
  options: DumpOptions,
): Promise<{ problems: Mp4Problem[] }> {
  const src = await FileSource.open(path);
  try {
    return await dumpSourceBytes(src, write, options);
  } finally {
    src.close();
  }
}

/**
 * Dumps MP4 bytes arriving on a stream — standard input, for `streamkit mp4 dump -` (forward
 * only: `mdat` payloads are read past and dropped). Same output and problems as
 * {@linkcode dumpMp4}.
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
class OffsetCollector extends NullInspector {
  readonly offsets: number[] = [];

  override startBox(h: BoxHeaderInfo): void {
    this.offsets.push(h.offset);
  }
}

/**
 * One walk of the file at `path`: the absolute offsets of its box header lines in the order
 * mp4dump prints them (pre-order, descending into exactly the boxes mp4dump descends into;
 * the MPEG-4 descriptors inside `esds` and `iods` have header lines too), and the damage
 * found (the same problems {@linkcode dumpMp4} reports).
 *
 * @example
 * ```ts
 * const { offsets, problems } = await scanBoxes("rep0.m4s"); // offsets: [0, 28, 36, ...]
 * ```
 */
export async function scanBoxes(
  path: string,
): Promise<{ offsets: number[]; problems: Mp4Problem[] }> {
  const src = await FileSource.open(path);
  try {
    // verbosity 3 walks exactly the boxes every verbosity prints (only fields differ)
    const collector = new OffsetCollector(3);
    const problems = await walkBoxes(src, collector);
    return { offsets: collector.offsets, problems };
  } finally {
    src.close();
  }
}

/**
 * The offsets of {@linkcode scanBoxes} alone (offsets stop where mp4dump's output stops).
 *
 * @example
 * ```ts
 * const offsets = await boxHeaderOffsets("rep0.m4s"); // [0, 28, 36, ...]
 * ```
 */
export async function boxHeaderOffsets(path: string): Promise<number[]> {
  return (await scanBoxes(path)).offsets;
}

/**
 * The types of the first top-level boxes (up to `count`), for fMP4 detection. Stops early at
 * the end of the file or at a size that does not fit.
 *
 * @example
 * ```ts
 * const types = await firstBoxTypes("init.mp4", 2); // ["ftyp", "moov"]
 * ```
 */
export async function firstBoxTypes(path: string, count = 8): Promise<string[]> {
  const src = await FileSource.open(path);
  const loader = new Loader(src);
  const types: string[] = [];
  try {
    let off = 0;
    while (types.length < count && off + 8 <= src.size) {
      await loader.load(off, 16);
      const v = loader.view, i = off - v.base;
      const dv = new DataView(v.bytes.buffer, v.bytes.byteOffset + i, v.bytes.length - i);
      const size32 = dv.getUint32(0);
      let size = size32;
      if (size32 === 1) {
        if (off + 16 > src.size) break;
        size = Number(dv.getBigUint64(8));
      } else if (size32 === 0) size = src.size - off;
      if (size < 8 || off + size > src.size) break;
      types.push(fourccPrintable(dv.getUint32(4)));
      off += size;
    }
  } finally {
    src.close();
  }
  return types;
}
