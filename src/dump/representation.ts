/**
 * One Representation's downloaded files → three files beside the manifest:
 *
 * - `<name>.m4s`: every distinct local file of the Representation (initialization, index and
 *   media segments) in manifest order, concatenated; streamed, so memory does not grow with
 *   its size;
 * - `<name>.dump`: for each of those files a header line
 *   `# <path> offset=<dec> (0x<8 hex digits>) size=<bytes>`, then the box dump of that file
 *   (`mp4dump --verbosity 3` text) with every box header line suffixed by the box's absolute
 *   offset in `<name>.m4s`, ` @<dec> (0x<hex>)`;
 * - `<name>.hex`: `hexdump -C -v <name>.m4s`, byte for byte.
 *
 * Each is written under its temporary name (`.streamkit/partial/…`, the layout's one rule) and
 * renamed only when all three are complete, so a file under its final name is always whole;
 * a symlink planted at a final name is replaced, never written through. Also here: telling fMP4 Representations from the
 * others, and naming the output files.
 *
 * @module
 */
import { type AsyncWriter, writeAll, writeAllSync } from "../bytes.ts";
import type { PlacedSegment } from "../dash/plan.ts";
import { partialPaths, resolveInside } from "../mirror/layout.ts";
import type { OutputDir } from "../mirror/output.ts";
import { dumpMp4Bytes, firstBoxTypes, type Mp4Problem } from "../mp4/dump.ts";
import { hexdumpFile } from "./hexdump.ts";
import type { Engine } from "./engine.ts";
import { type DumpJob, mp4dumpInOrder } from "./mp4dump.ts";

/** One local file of a Representation. */
export interface SegmentFile {
  /** Its path relative to the directory (POSIX), as the layout placed it. */
  path: string;
  /** Its absolute path. */
  file: string;
}

/**
 * The distinct local files of a Representation in order of first appearance. A resource
 * addressed by byte ranges (SegmentBase, SegmentList with `@mediaRange`) is one file and
 * appears once.
 *
 * @param segments the Representation's resources, placed by the layout
 * @param dir the directory the layout's paths are relative to
 *
 * @example
 * ```ts
 * import type { PlacedSegment } from "../dash/plan.ts";
 * declare const segments: PlacedSegment[]; // a Representation's, from placeRepresentations
 * const files = segmentFiles(segments, "/data/out"); // [{ path: "init-0.m4s", file: … }, …]
 * ```
 */
export function segmentFiles(segments: readonly PlacedSegment[], dir: string): SegmentFile[] {
  const seen = new Set<string>();
  const out: SegmentFile[] = [];
  for (const s of segments) {
    if (seen.has(s.path)) continue;
    seen.add(s.path);
    out.push({ path: s.path, file: resolveInside(dir, s.path) });
  }
  return out;
}

/**
 * The files among `files` that are not there (or are not regular files). One synchronous
 * `stat` each: for 10,000 segments that is milliseconds, where awaiting each took seconds.
 */
export function missingFiles(files: readonly SegmentFile[]): Promise<SegmentFile[]> {
  const missing: SegmentFile[] = [];
  for (const f of files) {
    try {
      if (Deno.statSync(f.file).isFile) continue;
    } catch {
      // not there
    }
    missing.push(f);
  }
  return Promise.resolve(missing);
}

/**
 * Why a Representation is not fMP4 judging by its `@mimeType` alone, or undefined when it may
 * be (then its first file decides, see {@link sniffNotFmp4}). ISO BMFF text tracks
 * (`application/mp4` with `stpp` or `wvtt`) are fMP4 and are dumped.
 *
 * @example
 * ```ts
 * declaredNotFmp4("video/webm"); // "WebM (mimeType video/webm)"
 * declaredNotFmp4("video/mp4");  // undefined
 * ```
 */
export function declaredNotFmp4(mimeType: string | undefined): string | undefined {
  if (mimeType === undefined) return undefined;
  const m = mimeType.toLowerCase();
  const said = `(mimeType ${mimeType})`;
  if (m.includes("webm") || m.includes("matroska")) return `WebM ${said}`;
  if (m.includes("mp2t")) return `MPEG-TS ${said}`;
  if (m.startsWith("text/") || m.includes("ttml") || m.includes("vtt")) return `text ${said}`;
  if (m.startsWith("image/")) return `image ${said}`;
  return undefined;
}

/** The box types an fMP4 file of a Representation may start with. */
export const FMP4_FIRST_BOXES: readonly string[] = ["ftyp", "styp", "moov", "moof", "sidx"];

/**
 * Why the file at `path` (a Representation's first file) is not fMP4, or undefined when it
 * is: fMP4 starts with an `ftyp`, `styp`, `moov`, `moof` or `sidx` box.
 *
 * @example
 * ```ts
 * await sniffNotFmp4("seg_000.ts"); // "MPEG-TS (seg_000.ts starts with a 0x47 sync byte)"
 * ```
 */
export async function sniffNotFmp4(path: string, shown = path): Promise<string | undefined> {
  const [type] = await firstBoxTypes(path, 1);
  if (type !== undefined && FMP4_FIRST_BOXES.includes(type)) return undefined;
  const head = new Uint8Array(16);
  let n = 0;
  const file = await Deno.open(path, { read: true });
  try {
    for (;;) {
      const got = await file.read(head.subarray(n));
      if (got === null) break;
      n += got;
      if (n === head.length) break;
    }
  } finally {
    file.close();
  }
  const bytes = head.subarray(0, n);
  const text = String.fromCharCode(...bytes).replace(/^\xef\xbb\xbf/, "");
  if (n === 0) return `${shown} is empty`;
  if (bytes[0] === 0x47) return `MPEG-TS (${shown} starts with a 0x47 sync byte)`;
  if (bytes[0] === 0x1a && bytes[1] === 0x45 && bytes[2] === 0xdf && bytes[3] === 0xa3) {
    return `WebM (${shown} starts with an EBML header)`;
  }
  if (text.startsWith("WEBVTT")) return `text (${shown} is WebVTT)`;
  if (text.trimStart().startsWith("<")) return `text (${shown} is XML, e.g. TTML)`;
  if (type !== undefined && /^[A-Za-z0-9 ]{4}$/.test(type)) {
    return `not fMP4 (${shown} starts with a '${type}' box)`;
  }
  return `not fMP4 (${shown} is not an ISO BMFF file)`;
}

/** The extensions of the files `dash dump` writes for a Representation. */
export const OUTPUT_EXTENSIONS: readonly string[] = [".m4s", ".dump", ".hex"];

/**
 * The header line of one file in `<name>.dump`.
 *
 * @example
 * ```ts
 * segmentHeaderLine("chunk-stream0-00001.m4s", 843, 60211);
 * // "# chunk-stream0-00001.m4s offset=843 (0x0000034b) size=60211\n"
 * ```
 */
export function segmentHeaderLine(path: string, offset: number, size: number): string {
  return `# ${path} offset=${offset} (0x${offset.toString(16).padStart(8, "0")}) size=${size}\n`;
}

/** Where one file of the Representation landed in `<name>.m4s`. */
export interface PlacedFile extends SegmentFile {
  /** Offset in `<name>.m4s`. */
  offset: number;
  /** Size in bytes. */
  size: number;
}

/** Options of {@link dumpRepresentation}. */
export interface RepresentationDumpOptions {
  /** The box dumper. */
  engine: Engine;
  /** Write `<name>.hex`. @default true */
  hex?: boolean;
  /** How many mp4dump processes may run at once. @default 4 */
  concurrency?: number;
  /** Told about things the user should know (an engine fallback). */
  onNote?: (message: string) => void;
  /** Told after each file has been dumped. */
  onProgress?: (done: number, total: number) => void;
}

/** What {@link dumpRepresentation} wrote. */
export interface RepresentationDump {
  /** The files, with their offsets in `<name>.m4s`. */
  files: PlacedFile[];
  /** Size of `<name>.m4s`. */
  bytes: number;
  /** The names of the files written (relative to the directory). */
  written: string[];
  /** The engines that produced the dump, in order of first use. */
  engines: Engine["kind"][];
  /** Damage the built-in dumper found: `<path>: damaged MP4 at offset <in file>, @<abs> …`. */
  problems: string[];
  /** Whether mp4dump could not be started, so the rest of the run should not try it again. */
  mp4dumpUnusable: boolean;
}

/** Output buffered before it is written to the dump file. */
const WRITE_AT = 1 << 20;
/** Bytes copied at a time while concatenating. */
const COPY_SIZE = 1 << 20;

/**
 * A buffered writer of text and bytes to a file: everything is copied into one 1 MiB buffer,
 * written out when full, so memory stays the same for a dump of any length.
 */
class DumpWriter {
  #file: AsyncWriter;
  #buf = new Uint8Array(WRITE_AT);
  #len = 0;
  #encoder = new TextEncoder();

  constructor(file: AsyncWriter) {
    this.#file = file;
  }

  /** Adds `data` (copied: the caller may reuse it at once). */
  async write(data: string | Uint8Array): Promise<void> {
    const bytes = typeof data === "string" ? this.#encoder.encode(data) : data;
    for (let at = 0; at < bytes.length;) {
      const n = Math.min(bytes.length - at, this.#buf.length - this.#len);
      this.#buf.set(bytes.subarray(at, at + n), this.#len);
      this.#len += n;
      at += n;
      if (this.#len === this.#buf.length) await this.flush();
    }
  }

  async flush(): Promise<void> {
    if (this.#len === 0) return;
    const n = this.#len;
    this.#len = 0;
    await writeAll(this.#file, this.#buf.subarray(0, n));
  }
}

/**
 * Concatenates `files` into `out`; returns where each landed. Synchronous reads and writes
 * through one 1 MiB buffer: a Representation of 10,000 small segments is 10,000 opens, and
 * each awaited call would be a round trip through the event loop.
 */
function concatenate(files: readonly SegmentFile[], out: string): Promise<PlacedFile[]> {
  const target = Deno.openSync(out, { write: true, create: true, truncate: true });
  const buffer = new Uint8Array(COPY_SIZE);
  const placed: PlacedFile[] = [];
  let offset = 0;
  try {
    for (const f of files) {
      const source = Deno.openSync(f.file, { read: true });
      let size = 0;
      try {
        for (;;) {
          const n = source.readSync(buffer);
          if (n === null || n === 0) break;
          writeAllSync(target, buffer.subarray(0, n));
          size += n;
        }
      } finally {
        source.close();
      }
      placed.push({ ...f, offset, size });
      offset += size;
    }
  } finally {
    target.close();
  }
  return Promise.resolve(placed);
}

/** Writes the dump of every file to `out`; returns the engines used and the problems found. */
async function writeDump(
  placed: readonly PlacedFile[],
  out: string,
  options: RepresentationDumpOptions,
): Promise<{ engines: Engine["kind"][]; problems: string[]; mp4dumpUnusable: boolean }> {
  const file = await Deno.open(out, { write: true, create: true, truncate: true });
  const writer = new DumpWriter(file);
  const engines = new Set<Engine["kind"]>();
  const problems: string[] = [];
  let mp4dumpUnusable = false;
  let noted = false;
  // Damage is reported whichever engine printed the text: both come from the built-in walk.
  const noteProblems = (f: PlacedFile, found: readonly Mp4Problem[]) => {
    for (const p of found) {
      const abs = f.offset + p.offset;
      problems.push(
        `${f.path}: damaged MP4 at offset ${p.offset} (0x${p.offset.toString(16)}), ` +
          `@${abs} (0x${abs.toString(16)}) in the concatenation: ${p.message}`,
      );
    }
  };
  const builtin = async (f: PlacedFile) => {
    engines.add("builtin");
    // mp4dump's exact bytes (text that is not UTF-8 stays as it is), copied by the writer.
    const { problems: found } = await dumpMp4Bytes(f.file, (bytes) => writer.write(bytes), {
      verbosity: 3,
      format: "text",
      annotate: { base: f.offset },
    });
    noteProblems(f, found);
  };
  try {
    const engine = options.engine;
    if (engine.kind === "builtin") {
      for (const [i, f] of placed.entries()) {
        await writer.write(segmentHeaderLine(f.path, f.offset, f.size));
        await builtin(f);
        options.onProgress?.(i + 1, placed.length);
      }
    } else {
      const jobs: DumpJob[] = placed.map((f) => ({ path: f.file, base: f.offset }));
      let i = 0;
      for await (const outcome of mp4dumpInOrder(engine.program, jobs, options.concurrency ?? 4)) {
        const f = placed[i++];
        await writer.write(segmentHeaderLine(f.path, f.offset, f.size));
        if (outcome.error === undefined) {
          engines.add("mp4dump");
          await writer.write(outcome.text);
          noteProblems(f, outcome.problems);
        } else {
          if (engine.required) throw outcome.error;
          if (outcome.error.cannotRun) mp4dumpUnusable = true;
          if (!noted) {
            options.onNote?.(`${outcome.error.message}; using the built-in dumper instead`);
            noted = true;
          }
          await builtin(f);
        }
        options.onProgress?.(i, placed.length);
      }
    }
    await writer.flush();
  } finally {
    file.close();
  }
  return { engines: [...engines], problems, mp4dumpUnusable };
}

/** Removes `path` if it is there. */
async function removeIfThere(path: string): Promise<void> {
  try {
    await Deno.remove(path);
  } catch {
    // not there
  }
}

/**
 * Writes `<name>.m4s`, `<name>.dump` and (unless `hex: false`) `<name>.hex` in the output
 * folder from the Representation's files. All three are written under temporary names and
 * renamed at the end; on any error the temporary files are removed and the error is
 * rethrown, so no file under a final name is ever half-written.
 *
 * The dump and the hexdump run at the same time once the concatenation is done.
 *
 * @param files the Representation's distinct files, in manifest order (see {@link segmentFiles})
 * @param out the folder to write in (the mirror's)
 * @param name the base name of the output files, from the layout (`Layout.derivedName`)
 * @param options engine, hexdump, concurrency, callbacks
 * @throws {Mp4dumpError} (from ./mp4dump.ts) when a required mp4dump fails; file system errors
 *   as they come
 *
 * @example
 * ```ts
 * import { OutputDir } from "../mirror/output.ts";
 * const files = [{ path: "init.m4s", file: "/data/out/init.m4s" }];
 * const out = new OutputDir("/data/out");
 * const result = await dumpRepresentation(files, out, "0", { engine: { kind: "builtin" } });
 * result.written; // ["0.m4s", "0.dump", "0.hex"]
 * ```
 */
export async function dumpRepresentation(
  files: readonly SegmentFile[],
  out: OutputDir,
  name: string,
  options: RepresentationDumpOptions,
): Promise<RepresentationDump> {
  const hex = options.hex ?? true;
  const names = [`${name}.m4s`, `${name}.dump`, ...(hex ? [`${name}.hex`] : [])];
  const parts = names.map((n) => partialPaths(n).partial);
  for (const p of parts) out.ensureParent(p);
  const abs = parts.map((p) => out.abs(p));
  try {
    const placed = await concatenate(files, abs[0]);
    const settled = await Promise.allSettled([
      writeDump(placed, abs[1], options),
      hex ? hexdumpFile(abs[0], abs[2]) : Promise.resolve(0),
    ]);
    for (const s of settled) if (s.status === "rejected") throw s.reason;
    const dump = (settled[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof writeDump>>>)
      .value;
    for (const [i, part] of abs.entries()) await Deno.rename(part, out.abs(names[i]));
    const bytes = placed.reduce((sum, f) => sum + f.size, 0);
    return { files: placed, bytes, written: names, ...dump };
  } catch (err) {
    for (const part of abs) await removeIfThere(part);
    throw err;
  }
}
