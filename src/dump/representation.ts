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
 * Each is written as `<file>.part` and renamed only when all three are complete, so a file
 * under its final name is always whole. Also here: telling fMP4 Representations from the
 * others, and naming the output files.
 *
 * @module
 */
import { join } from "node:path";
import type { PlacedSegment } from "../dash/plan.ts";
import { resolveInside, sanitizeComponent } from "../mirror/layout.ts";
import { dumpMp4, firstBoxTypes } from "../mp4/dump.ts";
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
 * const files = segmentFiles(placed.segments, "/data/out"); // [{ path: "init-0.m4s", file: … }, …]
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

/** The files among `files` that are not there (or are not regular files). */
export async function missingFiles(files: readonly SegmentFile[]): Promise<SegmentFile[]> {
  const missing: SegmentFile[] = [];
  for (const f of files) {
    try {
      if ((await Deno.stat(f.file)).isFile) continue;
    } catch {
      // not there
    }
    missing.push(f);
  }
  return missing;
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

/** A Representation to name: its id and the index of its Period. */
export interface NameRequest {
  /** `Representation@id`. */
  id: string;
  /** Index of its Period in the MPD. */
  periodIndex: number;
}

/** The extensions of the files `dash dump` writes for a Representation. */
export const OUTPUT_EXTENSIONS: readonly string[] = [".m4s", ".dump", ".hex"];

/**
 * The base name of each Representation's output files (`<name>.m4s`, …), unique in the
 * directory without regard to case:
 *
 * - the id, made safe for a file name (`video/1` → `video_1`);
 * - an id used in several Periods gets the Period's index: `<id>.p<N>` (N from 0, as in
 *   `Period[N]`), so no Period overwrites another;
 * - a name whose files would be one of `reserved` (the manifest, a segment) or another
 *   Representation's gets `~2`, `~3`, … .
 *
 * @param reps the Representations, in document order
 * @param reserved paths (relative to the directory) that must not be written
 *
 * @example
 * ```ts
 * outputNames([{ id: "v", periodIndex: 0 }, { id: "v", periodIndex: 1 }], []); // ["v.p0", "v.p1"]
 * ```
 */
export function outputNames(reps: readonly NameRequest[], reserved: Iterable<string>): string[] {
  const periods = new Map<string, Set<number>>();
  for (const r of reps) {
    if (!periods.has(r.id)) periods.set(r.id, new Set());
    periods.get(r.id)!.add(r.periodIndex);
  }
  const taken = new Set<string>();
  for (const p of reserved) taken.add(p.toLowerCase());
  const free = (name: string) =>
    OUTPUT_EXTENSIONS.every((ext) => {
      const f = `${name}${ext}`.toLowerCase();
      return !taken.has(f) && !taken.has(`${f}.part`);
    });
  return reps.map((r) => {
    const base = sanitizeComponent(
      periods.get(r.id)!.size > 1 ? `${r.id}.p${r.periodIndex}` : r.id,
    );
    let name = base;
    for (let k = 2; !free(name); k++) name = sanitizeComponent(`${base}~${k}`);
    for (const ext of OUTPUT_EXTENSIONS) taken.add(`${name}${ext}`.toLowerCase());
    return name;
  });
}

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

/** A buffered writer of text and bytes to a file. */
class DumpWriter {
  #file: Deno.FsFile;
  #chunks: Uint8Array[] = [];
  #pending = 0;
  #encoder = new TextEncoder();

  constructor(file: Deno.FsFile) {
    this.#file = file;
  }

  async write(data: string | Uint8Array): Promise<void> {
    const bytes = typeof data === "string" ? this.#encoder.encode(data) : data;
    this.#chunks.push(bytes);
    this.#pending += bytes.length;
    if (this.#pending >= WRITE_AT) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.#pending === 0) return;
    const all = new Uint8Array(this.#pending);
    let at = 0;
    for (const c of this.#chunks) {
      all.set(c, at);
      at += c.length;
    }
    this.#chunks = [];
    this.#pending = 0;
    await writeAll(this.#file, all);
  }
}

async function writeAll(file: Deno.FsFile, bytes: Uint8Array): Promise<void> {
  let done = 0;
  while (done < bytes.length) done += await file.write(bytes.subarray(done));
}

/** Concatenates `files` into `out`, streaming; returns where each landed. */
async function concatenate(files: readonly SegmentFile[], out: string): Promise<PlacedFile[]> {
  const target = await Deno.open(out, { write: true, create: true, truncate: true });
  const buffer = new Uint8Array(COPY_SIZE);
  const placed: PlacedFile[] = [];
  let offset = 0;
  try {
    for (const f of files) {
      const source = await Deno.open(f.file, { read: true });
      let size = 0;
      try {
        for (;;) {
          const n = await source.read(buffer);
          if (n === null) break;
          await writeAll(target, buffer.subarray(0, n));
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
  return placed;
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
  const builtin = async (f: PlacedFile) => {
    engines.add("builtin");
    const { problems: found } = await dumpMp4(f.file, (t) => writer.write(t), {
      verbosity: 3,
      format: "text",
      annotate: { base: f.offset },
    });
    for (const p of found) {
      const abs = f.offset + p.offset;
      problems.push(
        `${f.path}: damaged MP4 at offset ${p.offset} (0x${p.offset.toString(16)}), ` +
          `@${abs} (0x${abs.toString(16)}) in the concatenation: ${p.message}`,
      );
    }
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

async function removeIfThere(path: string): Promise<void> {
  try {
    await Deno.remove(path);
  } catch {
    // not there
  }
}

/**
 * Writes `<name>.m4s`, `<name>.dump` and (unless `hex: false`) `<name>.hex` in `dir` from
 * the Representation's files. All three are written as `.part` files and renamed at the end;
 * on any error the `.part` files are removed and the error is rethrown, so no file under a
 * final name is ever half-written.
 *
 * The dump and the hexdump run at the same time once the concatenation is done.
 *
 * @param files the Representation's distinct files, in manifest order (see {@link segmentFiles})
 * @param dir where to write
 * @param name the base name of the output files (see {@link outputNames})
 * @param options engine, hexdump, concurrency, callbacks
 * @throws {Mp4dumpError} (from ./mp4dump.ts) when a required mp4dump fails; file system errors
 *   as they come
 *
 * @example
 * ```ts
 * const files = segmentFiles(placed.segments, dir);
 * const result = await dumpRepresentation(files, dir, "0", { engine: { kind: "builtin" } });
 * result.written; // ["0.m4s", "0.dump", "0.hex"]
 * ```
 */
export async function dumpRepresentation(
  files: readonly SegmentFile[],
  dir: string,
  name: string,
  options: RepresentationDumpOptions,
): Promise<RepresentationDump> {
  const hex = options.hex ?? true;
  const names = [`${name}.m4s`, `${name}.dump`, ...(hex ? [`${name}.hex`] : [])];
  const finals = names.map((n) => join(dir, n));
  const parts = finals.map((f) => `${f}.part`);
  try {
    const placed = await concatenate(files, parts[0]);
    const settled = await Promise.allSettled([
      writeDump(placed, parts[1], options),
      hex ? hexdumpFile(parts[0], parts[2]) : Promise.resolve(0),
    ]);
    for (const s of settled) if (s.status === "rejected") throw s.reason;
    const dump = (settled[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof writeDump>>>)
      .value;
    for (const [i, part] of parts.entries()) await Deno.rename(part, finals[i]);
    const bytes = placed.reduce((sum, f) => sum + f.size, 0);
    return { files: placed, bytes, written: names, ...dump };
  } catch (err) {
    for (const part of parts) await removeIfThere(part);
    throw err;
  }
}
