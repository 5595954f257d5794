/**
 * The single authority on local paths: which file under the output directory holds the
 * resource at a URL, and how a saved manifest refers to it.
 *
 * - A URL under the root (the manifest's directory) keeps its path relative to the root.
 * - Any other URL (another host or port, a parent folder) goes under
 *   `_ext/<scheme>_<host>[_<port>]/<path>`.
 * - Query strings and fragments never become part of a name; two different URLs never
 *   share a file (a short hash is added to the second one's name).
 * - Every path component is percent-decoded and then made safe: no `..`, no separators,
 *   no control characters, no reserved device names, no name over 200 bytes. So no URL,
 *   however hostile, can place a file outside the output directory.
 *
 * `dash get` writes with it and `dash dump` reads with it, so they can never disagree.
 *
 * @module
 */
import { posix, resolve, sep } from "node:path";
import { type Hash64, hash64, PathClaims } from "./claims.ts";
import { sha256Hex } from "./sha256.ts";

/** Folder (under the output directory) for resources outside the manifest's directory. */
export const EXTERNAL_DIR = "_ext";

/** Folder (under the output directory) for the rare URL whose natural place is taken. */
export const CONFLICT_DIR = "_conflicts";

/**
 * streamkit's own folder under the output directory: partial files, their validators, live
 * manifest revisions. No URL ever maps into it.
 */
export const INTERNAL_DIR = ".streamkit";

/** Longest file name component, in UTF-8 bytes. */
export const MAX_COMPONENT_BYTES = 200;

const RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$)(\..*)?$/i;
/**
 * Characters no saved name holds: separators, what Windows forbids, and what would change
 * the meaning of a name written as a URL reference (`%`, `#`, `?`, `:`), so that a saved
 * manifest can refer to every file by its plain name (see {@link relativeRef}).
 */
// deno-lint-ignore no-control-regex
const UNSAFE_CHARS = /[\x00-\x1f\x7f/\\:*?"<>|%#]/g;

/** ASCII names with nothing to replace: no unsafe character, no trailing dot or space. */
const PLAIN_NAME = /^[\w\-.~+=,;@!$&'()]*[\w\-~+=,;@!$&'()]$/;

/** A short, stable hash used to tell colliding names apart. */
function shortHash(text: string): string {
  return sha256Hex(text).slice(0, 8);
}

/** Truncates `name` to at most `maxBytes` UTF-8 bytes without splitting a character. */
function truncateUtf8(name: string, maxBytes: number): string {
  const enc = new TextEncoder();
  let out = "";
  let bytes = 0;
  for (const ch of name) {
    const n = enc.encode(ch).length;
    if (bytes + n > maxBytes) break;
    out += ch;
    bytes += n;
  }
  return out;
}

/**
 * Makes one decoded path component safe as a file or folder name on Linux, macOS and
 * Windows. Idempotent: a safe name is returned unchanged.
 *
 * @example
 * ```ts
 * sanitizeComponent("..");        // "__"
 * sanitizeComponent("a/b\\c");    // "a_b_c"
 * sanitizeComponent("CON.txt");   // "_CON.txt"
 * ```
 */
export function sanitizeComponent(name: string): string {
  // Most names (`seg-1.m4s`) are safe as they are: one test instead of four.
  if (name.length <= MAX_COMPONENT_BYTES && PLAIN_NAME.test(name) && !RESERVED.test(name)) {
    return name;
  }
  // Windows drops trailing dots and spaces (which also disarms "." and ".."); keep names
  // identical everywhere.
  let s = name.replace(UNSAFE_CHARS, "_").replace(/[. ]+$/, (m) => "_".repeat(m.length));
  if (s === "") s = "_";
  if (RESERVED.test(s)) s = `_${s}`;
  if (new TextEncoder().encode(s).length > MAX_COMPONENT_BYTES) {
    const ext = /\.[A-Za-z0-9]{1,8}$/.exec(s)?.[0] ?? "";
    const keep = MAX_COMPONENT_BYTES - ext.length - 9;
    s = `${truncateUtf8(s.slice(0, s.length - ext.length), keep)}~${shortHash(name)}${ext}`;
  }
  return s;
}

function decodeComponent(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

function withSuffix(path: string, suffix: string): string {
  const dir = posix.dirname(path);
  const base = posix.basename(path);
  const dot = base.lastIndexOf(".");
  const name = dot > 0 ? `${base.slice(0, dot)}~${suffix}${base.slice(dot)}` : `${base}~${suffix}`;
  return dir === "." ? name : `${dir}/${name}`;
}

/**
 * The characters of a URL (after the layout's root) that the URL parser keeps as they are:
 * a URL made only of them is already in its serialized form, so its path needs no parsing.
 * No `%` (escapes are decoded, `%2e` is a dot), `#`, `\\`, quote, space or non-ASCII.
 */
const PLAIN_PATH = /^[A-Za-z0-9\-._~!$&()*+,;=:@/]*(?:\?[A-Za-z0-9\-._~!$&()*+,;=:@/?%]*)?$/;
/** A `.` or `..` segment, which the URL parser would resolve. */
const DOT_SEGMENT = /(?:^|\/)\.\.?(?:[/?]|$)/;

/** Options of {@link Layout.pathFor}. */
export interface PathOptions {
  /** A folder to put the file under, e.g. `hls` for HLS media. */
  prefix?: string;
  /**
   * An extension the file name must end with (case-insensitive), e.g. `.m3u8` for saved
   * playlists; appended when the name does not already end with it.
   */
  extension?: string;
}

/**
 * Maps resource URLs to unique, safe paths relative to the output directory.
 *
 * One Layout is used for one whole run (a live recording uses one for hours): it remembers
 * which paths are taken and by which URL, so that a URL always gets the same path and two
 * URLs never get the same one (case-insensitively), and no name streamkit derives is ever a
 * URL's. It remembers them compactly ({@link PathClaims}: hashes, not strings); only the
 * rare URL whose path is not its natural one (a name already taken, a manifest saved under a
 * name of its own) is kept as text.
 *
 * @example
 * ```ts
 * const layout = new Layout("https://cdn.example/vod/manifest.mpd");
 * layout.pathFor("https://cdn.example/vod/v1/seg-1.m4s?tok=9"); // "v1/seg-1.m4s"
 * layout.pathFor("https://other.example:8443/a/b.m4s"); // "_ext/https_other.example_8443/a/b.m4s"
 * ```
 */
export class Layout {
  #root: URL;
  #rootHref: string;
  /** URLs (keyed with their path options) whose path is not their natural mapping. */
  #exceptions = new Map<string, string>();
  #claims = new PathClaims();

  /** @param manifestUrl the manifest's (final) URL; its directory is the root */
  constructor(manifestUrl: string) {
    this.#root = new URL(".", manifestUrl);
    this.#rootHref = this.#root.href;
  }

  /** The root URL (the manifest's directory, ending with `/`). */
  get root(): string {
    return this.#rootHref;
  }

  /** How many paths (and folders) the layout remembers; for memory accounting. */
  get remembered(): number {
    return this.#claims.size + this.#exceptions.size;
  }

  /** The path components (decoded, not yet sanitized) of a URL, relative to the layout. */
  #components(url: URL): string[] {
    const rootPath = this.#root.pathname;
    const sameOrigin = url.protocol === this.#root.protocol && url.host === this.#root.host;
    let parts: string[];
    if (sameOrigin && url.pathname.startsWith(rootPath)) {
      parts = url.pathname.slice(rootPath.length).split("/");
    } else {
      const origin = `${url.protocol.replace(/:$/, "")}_${url.hostname}${
        url.port ? `_${url.port}` : ""
      }`;
      parts = [EXTERNAL_DIR, origin, ...url.pathname.split("/")];
    }
    return parts.filter((p) => p !== "").map(decodeComponent);
  }

  /**
   * The URL without its fragment, serialized, and its path components relative to the
   * layout (decoded, not sanitized), and whether it names a folder (ends with `/`). A URL
   * under the root written in plain characters is taken apart without the URL parser (it
   * is already serialized); any other is parsed.
   */
  #taken(url: string): { href: string; parts: string[]; folder: boolean } {
    const root = this.#rootHref;
    if (url.startsWith(root)) {
      const rest = url.slice(root.length);
      if (PLAIN_PATH.test(rest) && !DOT_SEGMENT.test(rest)) {
        const q = rest.indexOf("?");
        const path = q < 0 ? rest : rest.slice(0, q);
        return {
          href: url,
          parts: path.split("/").filter((p) => p !== ""),
          folder: path === "" || path.endsWith("/"),
        };
      }
    }
    const u = new URL(url);
    const hash = u.href.indexOf("#");
    const href = hash < 0 ? u.href : u.href.slice(0, hash);
    return { href, parts: this.#components(u), folder: u.pathname.endsWith("/") };
  }

  /**
   * The local path (relative, POSIX) of the folder a directory URL maps to, ending in `/`,
   * or "" for the root itself. Used to rewrite BaseURLs.
   */
  dirFor(url: string): string {
    const u = new URL(url);
    const parts = this.#components(u);
    if (!u.pathname.endsWith("/")) parts.pop();
    const dir = parts.map(sanitizeComponent).join("/");
    return dir === "" ? "" : `${dir}/`;
  }

  /**
   * The local path `url` would have, without claiming it: the path it already got, or the
   * plain mapping. Used to rewrite references that are not themselves downloaded.
   */
  peek(url: string): string {
    const { href, parts, folder } = this.#taken(url);
    const known = this.#exceptions.get(`\n${href}`);
    if (known !== undefined) return known;
    if (folder) return this.dirFor(href);
    return parts.map(sanitizeComponent).join("/");
  }

  /**
   * Gives `path` to `url` (a manifest saved under a name of its own choosing), so that no
   * other URL gets it, and reserves the name its original is kept under when the saved copy
   * is rewritten ({@link originalPath}). Throws when another URL already has either.
   */
  reserve(path: string, url: string): void {
    const { href } = this.#taken(url);
    const original = originalPath(path);
    const owner = hash64(href), originalOwner = hash64(`${href}#original`);
    if (!this.#free(path, owner) || !this.#free(original, originalOwner)) {
      throw new Error(`path ${path} is already taken`);
    }
    this.#claim(path, owner);
    this.#claim(original, originalOwner);
    this.#exceptions.set(`\n${href}`, path);
  }

  /**
   * Hands out a base name for files streamkit derives (the `dash dump` outputs
   * `<name>.m4s`, `<name>.dump`, `<name>.hex`): `base`, made safe, or `base~2`, `base~3`, …
   * so that no `<name><ext>` is a path any URL got or will get, or another derived file's.
   *
   * @param base the wished-for name, e.g. a Representation id
   * @param extensions the extensions that will be added to the name
   *
   * @example
   * ```ts
   * const layout = new Layout("file:///data/out/manifest.mpd");
   * layout.derivedName("video/1", [".m4s", ".dump", ".hex"]); // "video_1"
   * ```
   */
  derivedName(base: string, extensions: readonly string[]): string {
    const safe = sanitizeComponent(base);
    for (let n = 1; n <= 1000; n++) {
      const name = n === 1 ? safe : sanitizeComponent(`${safe}~${n}`);
      const owner = hash64(`streamkit:derived:${name}`);
      const paths = extensions.map((ext) => `${name}${ext}`);
      if (paths.every((p) => sanitizeComponent(p) === p && this.#free(p, owner))) {
        for (const p of paths) this.#claim(p, owner);
        return name;
      }
    }
    throw new Error(`no free name for ${base}`);
  }

  /** The local path of the resource at `url`: stable for a URL, unique across URLs. */
  pathFor(url: string, options: PathOptions = {}): string {
    const { href, parts, folder } = this.#taken(url);
    const ext = options.extension ?? "";
    // Only URLs that did not get their natural path are remembered by URL.
    const key = this.#exceptions.size > 0
      ? `${options.prefix ?? ""}${ext ? `|${ext}` : ""}\n${href}`
      : undefined;
    if (key !== undefined) {
      const known = this.#exceptions.get(key);
      if (known !== undefined) return known;
    }

    if (folder || parts.length === 0) parts.push("_index");
    if (options.prefix) parts.unshift(...options.prefix.split("/").filter((p) => p !== ""));
    const safe = parts.map(sanitizeComponent);
    const last = safe.length - 1;
    if (ext && !safe[last].toLowerCase().endsWith(ext.toLowerCase())) {
      safe[last] = sanitizeComponent(`${safe[last]}${ext}`);
    }
    let path = safe.join("/");
    const owner = hash64(href);
    if (this.#free(path, owner)) {
      // Its natural path (again, or for the first time): nothing to remember but the claim.
      this.#claim(path, owner);
      return path;
    }
    const u = new URL(href);
    const raw = u.pathname.slice(u.pathname.lastIndexOf("/") + 1);
    const hash = shortHash(`${raw}?${u.search}`);
    path = withSuffix(path, hash);
    // A folder on the way is taken by a file: no suffix on the name can help.
    if (!this.#free(path, owner)) path = `${CONFLICT_DIR}/${hash}/${posix.basename(path)}`;
    for (let n = 2; !this.#free(path, owner); n++) {
      if (n > 1000) throw new Error(`no free local path for ${href}`);
      path = withSuffix(path, String(n));
    }
    this.#claim(path, owner);
    this.#exceptions.set(key ?? `${options.prefix ?? ""}${ext ? `|${ext}` : ""}\n${href}`, path);
    return path;
  }

  #free(path: string, owner: Hash64): boolean {
    const key = path.toLowerCase();
    if (key === INTERNAL_DIR || key.startsWith(`${INTERNAL_DIR}/`)) return false;
    return this.#claims.free(key, owner);
  }

  #claim(path: string, owner: Hash64): void {
    this.#claims.claim(path.toLowerCase(), owner);
  }
}

/**
 * Where the original of a saved manifest is kept when the saved copy is rewritten: beside
 * it, with `.orig` added. {@link Layout.reserve} reserves it with the manifest.
 *
 * @example
 * ```ts
 * originalPath("manifest.mpd"); // "manifest.mpd.orig"
 * ```
 */
export function originalPath(path: string): string {
  return `${path}.orig`;
}

/** The temporary files of one download: the partial bytes and their validator. */
export interface PartialPaths {
  /** Where the bytes arrive, relative to the output directory. */
  partial: string;
  /** The sidecar with the validator the first response gave. */
  validator: string;
}

/**
 * The one rule for temporary names: a file whose final path is `path` is written as
 * `.streamkit/partial/<hash of path>` (with its validator beside it), a place no URL can map
 * to, so no temporary file can ever take or replace a resource's name. The same path gives
 * the same name in every run, so an interrupted download resumes.
 *
 * @example
 * ```ts
 * partialPaths("v1/seg-1.m4s").partial; // ".streamkit/partial/3f0c…"
 * ```
 */
export function partialPaths(path: string): PartialPaths {
  const hash = sha256Hex(path).slice(0, 32);
  const partial = `${INTERNAL_DIR}/partial/${hash}`;
  return { partial, validator: `${partial}.validator` };
}

/**
 * A path in streamkit's own folder (see {@link INTERNAL_DIR}), from safe components.
 *
 * @example
 * ```ts
 * internalPath("live", "manifest", "3-2026-12-04T10-00-05.123Z.mpd");
 * // ".streamkit/live/manifest/3-2026-12-04T10-00-05.123Z.mpd"
 * ```
 */
export function internalPath(...parts: string[]): string {
  return [INTERNAL_DIR, ...parts.map(sanitizeComponent)].join("/");
}

/**
 * The file name a manifest is saved under: the last component of its URL, made safe, or
 * `fallback` when the URL ends in `/`.
 */
export function manifestFileName(url: string, fallback: string): string {
  const u = new URL(url);
  const last = u.pathname.slice(u.pathname.lastIndexOf("/") + 1);
  return last === "" ? fallback : sanitizeComponent(decodeComponent(last));
}

/** A path the shortcut of {@link relativeRef} leaves to the path module. */
const ODD_PATH = /(?:^|\/)\.{1,2}(?:\/|$)|\/\/|^\//;

/**
 * A relative URL reference from `fromPath` to `toPath`, both relative to the output
 * directory: the plain path, as players and ffmpeg resolve it. Nothing is percent-encoded
 * (ffmpeg opens local files by the literal name, so `a%3D1` would not find `a=1`); the layout
 * never hands out a name holding a character that would change the reference's meaning
 * (`%`, `#`, `?`, `:`, `\`). A `fromPath` ending in `/` (or "") is a folder, otherwise a file
 * whose folder counts. A `toPath` ending in `/` (or "") stays a folder reference.
 *
 * @example
 * ```ts
 * relativeRef("master.m3u8", "hls/audio=96000/seg,1.ts"); // "hls/audio=96000/seg,1.ts"
 * relativeRef("v1/prog.m3u8", "hls/v1/seg.ts");           // "../hls/v1/seg.ts"
 * relativeRef("_ext/a/", "");                             // "../../"
 * ```
 */
export function relativeRef(fromPath: string, toPath: string): string {
  // The common case — a file at or below the referring file's folder, plain components —
  // without the path module (a 100,000-segment playlist makes 100,000 of these).
  if (
    !toPath.endsWith("/") && toPath !== "" && !ODD_PATH.test(toPath) && !ODD_PATH.test(fromPath)
  ) {
    const cut = fromPath.lastIndexOf("/");
    if (cut < 0) return toPath;
    const dir = fromPath.slice(0, cut + 1);
    if (toPath.startsWith(dir) && toPath.length > dir.length) return toPath.slice(dir.length);
  }
  const fromDir = fromPath === "" || fromPath.endsWith("/")
    ? fromPath.replace(/\/$/, "") || "."
    : posix.dirname(fromPath);
  const isDir = toPath.endsWith("/") || toPath === "";
  let rel = posix.relative(fromDir === "." ? "" : fromDir, toPath === "" ? "." : toPath);
  if (isDir) rel = rel === "" ? "./" : `${rel}/`;
  return rel;
}

/**
 * The absolute file system path of `relPath` under `outDir`. Throws when it would leave
 * `outDir` (defence in depth: {@link Layout} never produces such a path).
 */
export function resolveInside(outDir: string, relPath: string): string {
  const base = resolve(outDir);
  const full = resolve(base, relPath);
  if (full !== base && !full.startsWith(base.endsWith(sep) ? base : base + sep)) {
    throw new Error(`refusing to write outside the output directory: ${relPath}`);
  }
  return full;
}
