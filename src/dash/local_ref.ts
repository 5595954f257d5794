/**
 * References inside a saved copy: how a relative reference from one saved file to another
 * is written, and how one is resolved offline.
 *
 * A saved MPD is read two ways: by clients that resolve references as URLs and decode the
 * path (browsers, dash.js and Shaka behind a file server, yt-dlp, streamkit itself), and by
 * clients that join the reference to a file path as written, without decoding (ffmpeg's DASH
 * demuxer on a local file). A *plain* reference lands on the same file both ways, so every
 * reference streamkit writes is plain: the name exactly as saved, with only what URL syntax
 * cannot carry encoded (`%`, `?`, `#`, a leading space).
 *
 * @module
 */
import { relativeRef } from "../mirror/layout.ts";

/**
 * A file URL standing for the output directory while a saved copy is planned; the real one
 * is used when the copy on disk is checked.
 */
export const PLANNING_ROOT = "file:///streamkit-output/";

/** Encodes one decoded path component for a plain reference. */
function encodeComponent(component: string): string {
  return component.replace(/%/g, "%25").replace(/\?/g, "%3F").replace(/#/g, "%23");
}

/**
 * The plain relative reference from the folder `fromDir` (a saved path ending in `/`, or ""
 * for the output directory) to the saved path `toPath` (ending in `/` for a folder; "" is
 * the output directory).
 *
 * @example
 * ```ts
 * plainRef("", "audio=96000/seg 1.m4s");      // "audio=96000/seg 1.m4s"
 * plainRef("_ext/http_cdn/v/", "a/b.m4s");    // "../../../a/b.m4s"
 * plainRef("v/", "v/");                        // "./"
 * plainRef("", "50%.m4s");                     // "50%25.m4s"
 * ```
 */
export function plainRef(fromDir: string, toPath: string): string {
  // The layout's own relative reference; then, defensively, what URL syntax cannot carry
  // (the layout hands out no name holding %, ? or #, but a folder name might start with a
  // space, which URL parsers drop).
  let out = relativeRef(fromDir, toPath).split("/").map((p) =>
    p === ".." || p === "." ? p : encodeComponent(p)
  ).join("/");
  // A first component with a colon would read as a scheme.
  if (/^[^/]*:/.test(out)) out = `./${out}`;
  return out.replace(/^ /, "%20");
}

/**
 * Whether a reference lands on the same file for clients that decode it as a URL and for
 * clients that take it as a path: relative, and with nothing URL parsing would change (no
 * `%`, `?`, `#`, backslash, control character, leading or trailing space, scheme).
 *
 * @example
 * ```ts
 * isPlainRef("v1/seg 1.m4s");        // true
 * isPlainRef("v1/seg%201.m4s");      // false: ffmpeg would open "seg%201.m4s"
 * isPlainRef("seg.m4s?token=1");     // false
 * isPlainRef("https://cdn/x.m4s");   // false
 * ```
 */
export function isPlainRef(ref: string): boolean {
  // deno-lint-ignore no-control-regex
  if (/[%?#\\\x00-\x1f\x7f]/.test(ref)) return false;
  if (/^\s|\s$/.test(ref) || ref.startsWith("/")) return false;
  return !/^[A-Za-z][A-Za-z0-9+.-]*:/.test(ref);
}

/**
 * The URL of a saved path under a root URL (`PLANNING_ROOT`, or the output directory's file
 * URL ending in `/`).
 *
 * @example
 * ```ts
 * localUrl("file:///out/", "a b/c.m4s"); // "file:///out/a%20b/c.m4s"
 * ```
 */
export function localUrl(root: string, path: string): string {
  return root + path.split("/").map(encodeURIComponent).join("/");
}

/**
 * The saved path a URL stands for under `root` (decoded, as streamkit saves names), or
 * undefined when it is not under `root` or carries a query or fragment (no file has one).
 *
 * @example
 * ```ts
 * savedPathOf("file:///out/a%20b/c.m4s", "file:///out/"); // "a b/c.m4s"
 * savedPathOf("https://cdn.example/c.m4s", "file:///out/"); // undefined
 * ```
 */
export function savedPathOf(url: string, root: string): string | undefined {
  // A URL under the root in plain characters is its own serialization: nothing to parse
  // or decode (100,000 segments make 100,000 of these).
  if (url.startsWith(root)) {
    const rest = url.slice(root.length);
    if (PLAIN_REST.test(rest) && !DOT_SEGMENT.test(rest)) return rest;
  }
  const u = new URL(url);
  if (u.search !== "" || u.hash !== "") return undefined;
  const href = `${u.protocol}//${u.host}${u.pathname}`;
  if (!href.startsWith(root)) return undefined;
  return href.slice(root.length).split("/").map((p) => {
    try {
      return decodeURIComponent(p);
    } catch {
      return p;
    }
  }).join("/");
}

/** Characters a URL path keeps as they are (no `%`, `?`, `#`, `\\`, `:`, space, non-ASCII). */
const PLAIN_REST = /^[A-Za-z0-9\-._~!$&'()*+,;=@/]*$/;
/** A `.` or `..` path segment, which URL parsing resolves. */
const DOT_SEGMENT = /(?:^|\/)\.\.?(?:\/|$)/;

/** The folder (ending in `/`, or "") holding a saved path; a folder path is its own. */
export function folderOf(path: string): string {
  if (path === "" || path.endsWith("/")) return path;
  const slash = path.lastIndexOf("/");
  return slash < 0 ? "" : path.slice(0, slash + 1);
}
