/**
 * Where served bytes come from: a folder on disk (every request stats and reads the file
 * anew, so a test can change it between requests) or files held in memory (the demo's
 * embedded sample, a test's routes). A request path never reaches anything outside the
 * folder: `..` after decoding, NUL bytes and symbolic links that lead out are refused, and
 * streamkit's own `.streamkit/` bookkeeping folder is never served as files.
 *
 * @module
 */
import { isAbsolute, join, relative, resolve, sep } from "node:path";

/** A byte array over a plain ArrayBuffer (what streams and CompressionStream take). */
export type Bytes = Uint8Array<ArrayBuffer>;

/** Bytes read from disk per chunk. */
const CHUNK_SIZE = 256 * 1024;

/** Files in one listing at most (a guard against walking a whole disk by mistake). */
const MAX_LISTED = 200_000;

/** streamkit's bookkeeping folder inside a mirror: never served as files. */
export const PRIVATE_FOLDER = ".streamkit";

/** A resource to answer with: its size, validators, and how to read a span of it. */
export interface Resource {
  /** A name whose extension gives the Content-Type. */
  name: string;
  /** Size in bytes. */
  size: number;
  /** A strong validator of this version of the resource (RFC 9110 8.8.3). */
  etag: string;
  /** When it last changed (`Last-Modified`), when known. */
  modified?: Date;
  /** Yields bytes [start, end). */
  chunks(start: number, end: number): AsyncGenerator<Bytes>;
}

/** What a lookup gives: the resource, or the status to answer with instead. */
export type Lookup = Resource | 400 | 403 | 404;

/** A tree of files served under `/`. */
export interface Source {
  /** What it is, for messages: a folder's path, or a name. */
  readonly label: string;
  /** Looks up a decoded request path (`/video/seg 1.m4s`). */
  find(path: string): Promise<Lookup>;
  /** The text of a file, or undefined when it is absent or unsafe (for setting up). */
  readText(path: string): string | undefined;
  /**
   * Every file path (`/a/b.m4s`), sorted, under `folder` (default the whole tree). The
   * private `.streamkit/` folder is listed only when `folder` is inside it.
   */
  list(folder?: string): string[];
}

/** Yields bytes [start, end) of an in-memory body. */
export async function* memoryChunks(bytes: Uint8Array, start: number, end: number) {
  for (let at = start; at < end; at += CHUNK_SIZE) {
    yield bytes.slice(at, Math.min(end, at + CHUNK_SIZE));
  }
}

/** Yields bytes [start, end) of a file, opening it only when first read. */
async function* fileChunks(path: string, start: number, end: number) {
  const file = await Deno.open(path, { read: true });
  try {
    if (start > 0) await file.seek(start, Deno.SeekMode.Start);
    let left = end - start;
    while (left > 0) {
      const buf = new Uint8Array(Math.min(left, CHUNK_SIZE));
      const n = await file.read(buf);
      if (n === null) break; // the file shrank: the body ends short
      left -= n;
      yield n === buf.length ? buf : buf.subarray(0, n);
    }
  } finally {
    file.close();
  }
}

/**
 * A strong ETag for bytes in memory: a hash of their content.
 *
 * @example
 * ```ts
 * await contentTag(new TextEncoder().encode("hi")); // '"8f434346648f6b96"'
 * ```
 */
export async function contentTag(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new Uint8Array(bytes)));
  return `"${Array.from(digest.subarray(0, 8), (b) => b.toString(16).padStart(2, "0")).join("")}"`;
}

/**
 * A resource over bytes in memory, named `name` (for its Content-Type).
 *
 * @example
 * ```ts
 * const r = await memoryResource("/live.mpd", new TextEncoder().encode("<MPD/>"));
 * r.size; // 6
 * ```
 */
export async function memoryResource(name: string, bytes: Uint8Array): Promise<Resource> {
  return {
    name,
    size: bytes.length,
    etag: await contentTag(bytes),
    chunks: (s, e) => memoryChunks(bytes, s, e),
  };
}

/** The segments of a decoded request path, or null when it may not be served. */
export function safeSegments(path: string): string[] | null {
  if (!path.startsWith("/") || path.includes("\0")) return null;
  const segments = path.slice(1).split("/");
  if (segments.includes("..")) return null;
  return segments;
}

/** Whether a path lies in the private `.streamkit/` folder. */
function isPrivate(segments: string[]): boolean {
  return segments[0] === PRIVATE_FOLDER;
}

/**
 * A folder on disk.
 *
 * @param root the folder; must exist
 * @throws {Deno.errors.NotFound} when it does not exist
 * @throws {Error} when it is not a folder
 * @example
 * ```ts
 * const source = directorySource("tests/fixtures/dash-time");
 * source.list().includes("/manifest.mpd"); // true
 * ```
 */
export function directorySource(root: string): Source {
  const base = resolve(root);
  if (!Deno.statSync(base).isDirectory) throw new Error(`root is not a directory: ${base}`);
  const realBase = Deno.realPathSync(base);
  const inside = (real: string) => {
    const rel = relative(realBase, real);
    return rel !== "" && rel !== ".." && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
  };
  /** The file a path names, when it is a safe, private-free path under root. */
  const fileFor = (path: string, allowPrivate = false): string | 400 | 404 => {
    const segments = safeSegments(path);
    if (segments === null) return 400;
    if (!allowPrivate && isPrivate(segments)) return 404;
    const file = join(base, ...segments);
    const rel = relative(base, file);
    if (rel === "") return 404;
    if (rel === ".." || rel.startsWith(`..${sep}`) || isAbsolute(rel)) return 400;
    return file;
  };
  return {
    label: base,
    async find(path) {
      const file = fileFor(path);
      if (typeof file === "number") return file;
      try {
        const info = await Deno.stat(file);
        if (!info.isFile) return 404;
        // A symbolic link (of the file or a folder on the way) may not lead out.
        if (!inside(await Deno.realPath(file))) return 404;
        const mtime = info.mtime ?? new Date(0);
        return {
          name: file,
          size: info.size,
          etag: `"${info.size.toString(16)}-${mtime.getTime().toString(16)}"`,
          modified: mtime,
          chunks: (s, e) => fileChunks(file, s, e),
        };
      } catch (error) {
        if (error instanceof Deno.errors.PermissionDenied) return 403;
        return 404;
      }
    },
    readText(path) {
      const file = fileFor(path, true);
      if (typeof file === "number") return undefined;
      try {
        if (!inside(Deno.realPathSync(file))) return undefined;
        return Deno.readTextFileSync(file);
      } catch {
        return undefined;
      }
    },
    list(folder = "/") {
      const out: string[] = [];
      const start = folder.replace(/\/+$/, "");
      const walk = (dir: string, prefix: string) => {
        let entries: Deno.DirEntry[];
        try {
          entries = [...Deno.readDirSync(dir)];
        } catch {
          return;
        }
        for (const e of entries) {
          if (out.length >= MAX_LISTED) return;
          const path = `${prefix}/${e.name}`;
          if (
            prefix === "" && e.name === PRIVATE_FOLDER && !start.startsWith(`/${PRIVATE_FOLDER}`)
          ) {
            continue;
          }
          if (e.isDirectory) walk(join(dir, e.name), path);
          else if (e.isFile) out.push(path);
        }
      };
      const segments = safeSegments(start === "" ? "/" : start);
      if (segments === null) return [];
      walk(join(base, ...segments), start);
      return out.sort();
    },
  };
}

/**
 * Files held in memory: path without leading slash (`video/a.m4s`) → bytes, never copied.
 *
 * @example
 * ```ts
 * const source = memorySource(new Map([["a.txt", new TextEncoder().encode("hi")]]), "demo");
 * await source.find("/a.txt"); // a Resource of 2 bytes
 * ```
 */
export function memorySource(files: ReadonlyMap<string, Uint8Array>, label: string): Source {
  const tags = new Map<string, string>();
  const decoder = new TextDecoder();
  return {
    label,
    async find(path) {
      const segments = safeSegments(path);
      if (segments === null) return 400;
      const key = segments.join("/");
      const bytes = files.get(key);
      if (bytes === undefined) return 404;
      let etag = tags.get(key);
      if (etag === undefined) {
        etag = await contentTag(bytes);
        tags.set(key, etag);
      }
      return { name: key, size: bytes.length, etag, chunks: (s, e) => memoryChunks(bytes, s, e) };
    },
    readText(path) {
      const bytes = files.get(path.replace(/^\/+/, ""));
      return bytes === undefined ? undefined : decoder.decode(bytes);
    },
    list(folder = "/") {
      const prefix = folder.endsWith("/") ? folder : `${folder}/`;
      return [...files.keys()].map((k) => `/${k}`).filter((p) => p.startsWith(prefix)).sort();
    },
  };
}
