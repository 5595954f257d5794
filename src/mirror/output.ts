/**
 * The output directory as a run writes it: folders made without ever following a symlink
 * planted inside it, what it already held (read with one directory listing per folder, not
 * two failed `stat` calls per file), and atomic writes of whole files. Paths come from the
 * layout; this module only refuses to let any of them leave the directory.
 *
 * @module
 */
import { dirname, join } from "node:path";
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
  /** Per folder already listed: the regular files in it and their sizes. */
  #listed = new Map<string, Map<string, number>>();

  /** @param root the output directory (absolute) */
  constructor(root: string) {
    this.root = root;
  }

  /** The absolute path of `rel` (a layout path), which cannot leave the directory. */
  abs(rel: string): string {
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
   * The size of the regular file `rel` as the directory held it when its folder was first
   * looked at in this run, or undefined when there was none (a symlink does not count: it is
   * replaced, never followed).
   */
  sizeOf(rel: string): number | undefined {
    const abs = this.abs(rel);
    const dir = dirname(abs);
    let files = this.#listed.get(dir);
    if (files === undefined) {
      files = new Map();
      this.#listed.set(dir, files);
      try {
        for (const e of Deno.readDirSync(dir)) {
          if (!e.isFile) continue;
          try {
            files.set(e.name, Deno.lstatSync(join(dir, e.name)).size);
          } catch {
            // vanished meanwhile
          }
        }
      } catch {
        // no such folder yet: nothing in it exists
      }
    }
    return files.get(abs.slice(dir.length + 1));
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
   * then renamed over `rel` (replacing a symlink there rather than writing through it).
   */
  writeText(rel: string, text: string): void {
    const tmp = partialPaths(rel).partial;
    this.ensureParent(rel);
    this.ensureParent(tmp);
    Deno.writeTextFileSync(this.abs(tmp), text);
    Deno.renameSync(this.abs(tmp), this.abs(rel));
  }
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
