/**
 * Rewrites a saved playlist line by line for offline playback: only URI lines and the
 * values of `URI="…"` attributes change; every other byte (line terminators, unknown tags,
 * comments, blanks, trailing whitespace) stays as the server sent it.
 *
 * @module
 */
import type { Playlist, PlaylistLine, UriRef } from "./playlist.ts";

/** A replacement of the characters [start, end) of one line. */
export interface LineEdit {
  /** 1-based line number. */
  line: number;
  /** Offset of the first replaced character in the line's text. */
  start: number;
  /** Offset just past the last replaced character. */
  end: number;
  /** The new characters. */
  text: string;
}

/**
 * Applies edits to lines and joins them back with their own terminators. Edits on one line
 * must not overlap.
 *
 * @example
 * ```ts
 * import { splitLines } from "./playlist.ts";
 * const lines = splitLines("#EXTM3U\r\na.ts\r\n");
 * applyLineEdits(lines, [{ line: 2, start: 0, end: 4, text: "hls/a.ts" }]);
 * // "#EXTM3U\r\nhls/a.ts\r\n"
 * ```
 */
export function applyLineEdits(lines: PlaylistLine[], edits: LineEdit[]): string {
  const byLine = new Map<number, LineEdit[]>();
  for (const e of edits) {
    const list = byLine.get(e.line) ?? [];
    list.push(e);
    byLine.set(e.line, list);
  }
  let out = "";
  for (const l of lines) {
    let text = l.text;
    const list = byLine.get(l.number);
    if (list) {
      list.sort((a, b) => b.start - a.start);
      let limit = text.length;
      for (const e of list) {
        if (e.start < 0 || e.end < e.start || e.end > limit) {
          throw new RangeError(`overlapping or out-of-range edit on line ${l.number}`);
        }
        text = text.slice(0, e.start) + e.text + text.slice(e.end);
        limit = e.start;
      }
    }
    out += text + l.eol;
  }
  return out;
}

/** The result of {@link rewritePlaylist}. */
export interface RewriteResult {
  /** The text to save. */
  text: string;
  /** Whether any byte differs from the original. */
  changed: boolean;
}

/**
 * The edits that make a saved playlist's variables its own: an `EXT-X-DEFINE` that takes its
 * value from the playlist URL's query (`QUERYPARAM`) or from the master (`IMPORT`) becomes
 * `NAME`/`VALUE` with the value it had, since a saved copy is read without that query, and a
 * player may read a media playlist without its master.
 *
 * @example
 * ```ts
 * import { parsePlaylist } from "./playlist.ts";
 * const p = parsePlaylist('#EXTM3U\n#EXT-X-DEFINE:QUERYPARAM="r"\n', "https://x/m.m3u8?r=v1");
 * selfContainedDefines(p); // [{ line: 2, start: 0, end: 29, text: '#EXT-X-DEFINE:NAME="r",VALUE="v1"' }]
 * ```
 */
export function selfContainedDefines(playlist: Playlist): LineEdit[] {
  const edits: LineEdit[] = [];
  for (const l of playlist.lines) {
    const m = /^(\s*)#EXT-X-DEFINE:\s*(QUERYPARAM|IMPORT)\s*=\s*"([^"]*)"\s*$/.exec(l.text);
    if (!m) continue;
    const value = playlist.definitions[m[3]];
    if (value === undefined) continue;
    edits.push({
      line: l.number,
      start: 0,
      end: l.text.length,
      text: `${m[1]}#EXT-X-DEFINE:NAME="${m[3]}",VALUE="${value}"`,
    });
  }
  return edits;
}

/**
 * Rewrites every URI of a parsed playlist for which `target` returns a new reference
 * (a URI it returns `undefined` for stays as it is); with `ownDefines`, also makes its
 * variables its own ({@link selfContainedDefines}), as a saved copy needs.
 *
 * @param playlist the parsed playlist (its `lines` are the original text)
 * @param target the new reference for a URI, e.g. the relative path to the local copy
 *
 * @example
 * ```ts
 * import { Layout, relativeRef } from "../mirror/layout.ts";
 * import { parsePlaylist } from "./playlist.ts";
 * const url = "https://cdn.example/v/index.m3u8";
 * const p = parsePlaylist("#EXTM3U\n#EXTINF:2,\na.ts\n#EXT-X-ENDLIST\n", url);
 * const layout = new Layout(url);
 * const { text } = rewritePlaylist(p, (ref) => relativeRef("index.m3u8", layout.pathFor(ref.url)));
 * ```
 */
export function rewritePlaylist(
  playlist: Playlist,
  target: (ref: UriRef) => string | undefined,
  options: { ownDefines?: boolean } = {},
): RewriteResult {
  const edits: LineEdit[] = options.ownDefines ? selfContainedDefines(playlist) : [];
  for (const ref of playlist.refs) {
    const text = target(ref);
    if (text !== undefined && text !== ref.uri) {
      edits.push({ line: ref.line, start: ref.start, end: ref.end, text });
    }
  }
  const text = applyLineEdits(playlist.lines, edits);
  return { text, changed: edits.length > 0 };
}
