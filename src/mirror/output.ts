/**
 * The output directory as a run writes it: folders made without ever following a symlink
 * planted inside it, what it already held (read with one directory listing per folder, not
 * two failed `stat` calls per file), and atomic writes of whole files. Paths come from the
 * layout; this module only refuses to let any of them leave the directory.
 *
 * @module
 */
import { resolve, sep } from "node:path";
import { writeAllSync } from "../bytes.ts";
import { errorMessage, InputError } from "../errors.ts";
import { INTERNAL_DIR, internalPath, partialPaths, resolveInside } from "./layout.ts";

/**
 * The output directory of a run.
 *
 * @example
 * ```ts
 * const out = new OutputDir("/tmp/out");
 * out.ensureParent("v1/seg-1.m4s"); // makes /tmp/out/v1, refusing a symlinked v1
 * out.sizeOf("v1/seg-1.m4s"); // undefined on a fresh output directory
 * ```
 */
export class OutputDir {
  /** The absolute path of the directory. */
  readonly root: string;
  #dirs = new Set<string>();
  /** Per folder already listed: the hashes of the regular files' names in it, sorted. */
  #listed = new Map<string, Uint32Array>();

  /** `root` resolved, with a separator after it. */
  #prefix: string;

  /** @param root the output directory (absolute) */
  constructor(root: string) {
    this.root = root;
    const base = resolve(root);
    this.#prefix = base.endsWith(sep) ? base : base + sep;
  }

  /** The absolute path of `rel` (a layout path), which cannot leave the directory. */
  abs(rel: string): string {
    // A layout path (plain components, no `.` or `..`, no empty one) needs no resolving.
    if (PLAIN_REL.test(rel) && !DOTS.test(rel)) return this.#prefix + rel;
    return resolveInside(this.root, rel);
  }

  /**
   * Makes the folder `relDir` (relative, POSIX) and its parents inside the directory,
   * refusing any that exists as a symlink or as something other than a folder: a link
   * planted in the output directory is never followed for writing.
   *
   * @throws {InputError} naming the folder that is a symlink or a file
   */
  ensureDir(relDir: string): void {
    if (relDir === "" || relDir === ".") return;
    if (this.#dirs.has(relDir)) return;
    const parent = relDir.includes("/") ? relDir.slice(0, relDir.lastIndexOf("/")) : "";
    this.ensureDir(parent);
    const abs = this.abs(relDir);
    try {
      const st = Deno.lstatSync(abs);
      if (st.isSymlink) {
        throw new InputError("is a symbolic link; streamkit never writes through one", abs);
      }
      if (!st.isDirectory) throw new InputError("is in the way of a folder streamkit needs", abs);
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
      try {
        Deno.mkdirSync(abs);
      } catch (e) {
        if (!(e instanceof Deno.errors.AlreadyExists)) throw e;
        return this.ensureDir(relDir); // made meanwhile: check what it is
      }
    }
    this.#dirs.add(relDir);
  }

  /** Makes the folder that will hold the file `rel`. */
  ensureParent(rel: string): void {
    this.ensureDir(rel.includes("/") ? rel.slice(0, rel.lastIndexOf("/")) : "");
  }

  /**
   * The size of the regular file `rel`, or undefined when there is none (a symlink does not
   * count: it is replaced, never followed). The first time a folder is looked at, its names
   * are listed once and kept as 32-bit hashes in a sorted array (4 bytes a file, never the
   * names or a `stat` of each); only a name found there is then `lstat`ed. A fresh output
   * directory thus costs no failed `stat` per file, and a rerun over 100,000 files a few
   * hundred kilobytes.
   */
  sizeOf(rel: string): number | undefined {
    const abs = this.abs(rel);
    const cut = abs.lastIndexOf(sep);
    const dir = abs.slice(0, cut);
    let names = this.#listed.get(dir);
    if (names === undefined) {
      names = listNames(dir);
      this.#listed.set(dir, names);
    }
    if (names.length === 0 || !hasHash(names, nameHash(abs.slice(cut + 1)))) return undefined;
    try {
      const st = Deno.lstatSync(abs);
      return st.isFile ? st.size : undefined;
    } catch {
      return undefined; // vanished meanwhile
    }
  }

  /**
   * Removes streamkit's own folders when they hold nothing (no partial file is left, no
   * live revision was kept), so a finished mirror holds only what the manifest names.
   */
  tidy(): void {
    for (const dir of [`${INTERNAL_DIR}/partial`, INTERNAL_DIR]) {
      try {
        Deno.removeSync(this.abs(dir));
        this.#dirs.delete(dir);
      } catch {
        // not there, or not empty: keep it
      }
    }
  }

  /**
   * Writes a whole text file atomically: to its temporary name first ({@link partialPaths}),
   * then renamed over `rel` (replacing a symlink there rather than writing through it). The
   * text is a string or pieces of one (a generator of lines: the whole text then never
   * exists in memory), encoded as UTF-8 through one 64 KiB buffer.
   */
  writeText(rel: string, text: string | Iterable<string>): void {
    const tmp = partialPaths(rel).partial;
    this.ensureParent(rel);
    this.ensureParent(tmp);
    const file = Deno.openSync(this.abs(tmp), { write: true, create: true, truncate: true });
    try {
      writeUtf8(file, typeof text === "string" ? [text] : text);
    } finally {
      file.close();
    }
    Deno.renameSync(this.abs(tmp), this.abs(rel));
  }
}

/** A relative path of non-empty components without separators other than `/`. */
const PLAIN_REL = sep === "/" ? /^[^/\\\0]+(?:\/[^/\\\0]+)*$/ : /^(?!)/;
/** A `.` or `..` component. */
const DOTS = /(?:^|\/)\.\.?(?:\/|$)/;

/** Size of the buffer text is encoded into on its way to a file. */
const ENCODE_BUFFER = 64 * 1024;

/** Writes `pieces` to `file` as UTF-8, through one buffer (a piece may be any length). */
function writeUtf8(file: Deno.FsFile, pieces: Iterable<string>): void {
  const encoder = new TextEncoder();
  const buffer = new Uint8Array(ENCODE_BUFFER);
  let used = 0;
  const flush = () => {
    writeAllSync(file, buffer.subarray(0, used));
    used = 0;
  };
  for (let piece of pieces) {
    while (piece.length > 0) {
      // Room for the widest character (4 bytes) keeps every step making progress.
      if (buffer.length - used < 4) flush();
      const { read, written } = encoder.encodeInto(piece, buffer.subarray(used));
      used += written;
      piece = piece.slice(read);
    }
  }
  if (used > 0) flush();
}

/** A 32-bit hash of a file name (a false match only costs one `lstat`). */
function nameHash(name: string): number {
  let h = 0x811c9dc5 ^ name.length;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
  return (h ^ (h >>> 13)) >>> 0;
}

/** The sorted name hashes of the regular files in `dir` (none when it does not exist). */
function listNames(dir: string): Uint32Array {
  const hashes: number[] = [];
  try {
    for (const e of Deno.readDirSync(dir)) if (e.isFile) hashes.push(nameHash(e.name));
  } catch {
    // no such folder yet: nothing in it exists
  }
  return Uint32Array.from(hashes).sort();
}

/** Whether the sorted `hashes` hold `h`. */
function hasHash(hashes: Uint32Array, h: number): boolean {
  let lo = 0, hi = hashes.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (hashes[mid] === h) return true;
    if (hashes[mid] < h) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/**
 * Makes sure the output directory exists and is writable (and that streamkit's own folder in
 * it is not a symlink), before any download starts, so an unwritable target is one clear
 * error and not one per file.
 *
 * @throws {InputError} naming the directory
 * @example
 * ```ts
 * const out = await prepareOutputDir("/tmp/out");
 * ```
 */
export async function prepareOutputDir(outDir: string): Promise<OutputDir> {
  const out = new OutputDir(outDir);
  const probe = internalPath("write-test");
  try {
    await Deno.mkdir(outDir, { recursive: true });
    out.writeText(probe, "");
    await Deno.remove(out.abs(probe));
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError(`cannot write to the output directory (${errorMessage(err)})`, outDir);
  }
  return out;
}
