/**
 * The URIs of one planned media playlist, kept compactly: for each, where it stands in the
 * playlist's text (two numbers) and one byte of flags; a plain segment URI (no byte range, no
 * variable) keeps nothing else, and its URL, local path and relative reference are made again
 * from the text when the plan's items are gone through and when the saved copy is written.
 * Only the rest (maps, keys, parts, byte-range segments: few, or one file) keep their item and
 * their reference. So a 100,000-segment playlist is planned in about a megabyte.
 *
 * @module
 */
import type { PlanItem, ResourceKind } from "../mirror/plan.ts";

/** The URI is the first of its URL in the plan: the plan's item for the URL comes with it. */
export const FIRST = 1;
/** A plain segment URI: its URL, path and reference are made again from the text. */
export const PLAIN = 2;
/**
 * A plain URI whose URL, path and reference are the URI after the playlist's three
 * {@link Prefixes} (seen to be so when planned): made again without parsing anything.
 */
export const PREFIXED = 4;

/** What a playlist's plain URIs (most often all of them) are, after the URI as written. */
export interface Prefixes {
  /** Before the URI: its URL. */
  url: string;
  /** Before the URI: its local path. */
  path: string;
  /** Before the URI: the reference the saved copy holds. */
  ref: string;
}

/** A replacement of the characters [start, end) of a playlist's text. */
export interface TextEdit {
  /** Offset of the first replaced character. */
  start: number;
  /** Offset just past the last replaced character. */
  end: number;
  /** The new characters. */
  text: string;
}

/** Turns a plain URI (as written in the text) into its URL and the local path it gets. */
export type PlainTarget = (uri: string) => { url: string; path: string };

/**
 * The URIs of one media playlist, in document order, as planning found them.
 *
 * @example
 * ```ts
 * const text = "#EXTM3U\n#EXTINF:1,\na.ts\n";
 * const refs = new MediaRefs({ text, path: "v.m3u8", kind: "media", track: "v.m3u8" });
 * refs.push(19, 23, FIRST | PLAIN);
 * refs.count; // 1
 * ```
 */
export class MediaRefs {
  /** The playlist's text, as fetched. */
  readonly text: string;
  /** Where it is saved. */
  readonly path: string;
  /** What its segments are. */
  readonly kind: ResourceKind;
  /** Its track id. */
  readonly track: string;
  /** The items of URIs that are not plain (and of plain ones that became not), by index. */
  readonly items = new Map<number, PlanItem>();
  /** The new reference of each URI that is not plain and changes, by index. */
  readonly refs = new Map<number, string>();
  /** Whole-line edits besides the URIs (EXT-X-DEFINE made self-contained), in order. */
  lineEdits: TextEdit[] = [];
  /** Whether the saved copy differs from the text. */
  changed = false;
  /** The prefixes of its {@link PREFIXED} URIs, once one was seen. */
  prefixes?: Prefixes;
  #starts = new Int32Array(64);
  #ends = new Int32Array(64);
  #flags = new Uint8Array(64);
  #count = 0;

  /** @param init the playlist's text, saved path, kind of segments and track */
  constructor(init: { text: string; path: string; kind: ResourceKind; track: string }) {
    this.text = init.text;
    this.path = init.path;
    this.kind = init.kind;
    this.track = init.track;
  }

  /** How many URIs it holds. */
  get count(): number {
    return this.#count;
  }

  /** Adds a URI at [start, end) of the text; returns its index. */
  push(start: number, end: number, flags: number): number {
    if (this.#count === this.#flags.length) {
      const size = this.#count * 2;
      this.#starts = grown(this.#starts, new Int32Array(size));
      this.#ends = grown(this.#ends, new Int32Array(size));
      this.#flags = grown(this.#flags, new Uint8Array(size));
    }
    this.#starts[this.#count] = start;
    this.#ends[this.#count] = end;
    this.#flags[this.#count] = flags;
    return this.#count++;
  }

  /** The flags of URI `i`. */
  flags(i: number): number {
    return this.#flags[i];
  }

  /** The URI `i` as written. */
  uri(i: number): string {
    return this.text.slice(this.#starts[i], this.#ends[i]);
  }

  /**
   * The flags a plain URI gets: {@link PLAIN}, and {@link PREFIXED} when its URL, path and
   * reference are the URI after this playlist's prefixes (the first plain URI sets them).
   */
  plainFlags(uri: string, url: string, path: string, ref: string): number {
    const n = uri.length;
    if (!url.endsWith(uri) || !path.endsWith(uri) || !ref.endsWith(uri)) return PLAIN;
    const p = this.prefixes ??= {
      url: url.slice(0, url.length - n),
      path: path.slice(0, path.length - n),
      ref: ref.slice(0, ref.length - n),
    };
    const same = url.length - n === p.url.length && url.startsWith(p.url) &&
      path.length - n === p.path.length && path.startsWith(p.path) &&
      ref.length - n === p.ref.length && ref.startsWith(p.ref);
    return same ? PLAIN | PREFIXED : PLAIN;
  }

  /** How many URIs bring an item. */
  get files(): number {
    let n = 0;
    for (let i = 0; i < this.#count; i++) if (this.#flags[i] & FIRST) n++;
    return n;
  }

  /** The plan's items this playlist brings, in document order. */
  *planItems(target: PlainTarget): Generator<PlanItem> {
    for (let i = 0; i < this.#count; i++) {
      if (!(this.#flags[i] & FIRST)) continue;
      const item = this.items.get(i);
      if (item) {
        yield item;
        continue;
      }
      const uri = this.uri(i);
      if (this.#flags[i] & PREFIXED) {
        const p = this.prefixes!;
        yield { url: p.url + uri, path: p.path + uri, kind: this.kind, track: this.track };
        continue;
      }
      const { url, path } = target(uri);
      yield { url, path, kind: this.kind, track: this.track };
    }
  }

  /**
   * The saved copy's text in pieces: the original text with every URI that changes replaced
   * by `reference` of it (plain ones) or by the reference kept for it, and the line edits.
   */
  *savedText(reference: (uri: string) => string): Generator<string> {
    const text = this.text;
    const lines = this.lineEdits;
    let at = 0, line = 0;
    for (let i = 0; i < this.#count; i++) {
      const start = this.#starts[i];
      for (; line < lines.length && lines[line].start < start; line++) {
        yield text.slice(at, lines[line].start);
        yield lines[line].text;
        at = lines[line].end;
      }
      let to: string | undefined;
      if (this.#flags[i] & PLAIN) {
        const uri = this.uri(i);
        to = this.#flags[i] & PREFIXED ? this.prefixes!.ref + uri : reference(uri);
        if (to === uri) continue;
      } else {
        to = this.refs.get(i);
        if (to === undefined) continue;
      }
      yield text.slice(at, start);
      yield to;
      at = this.#ends[i];
    }
    for (; line < lines.length; line++) {
      yield text.slice(at, lines[line].start);
      yield lines[line].text;
      at = lines[line].end;
    }
    yield text.slice(at);
  }
}

function grown<T extends Int32Array | Uint8Array>(from: T, to: T): T {
  to.set(from);
  return to;
}

/**
 * The edits that make a playlist's variables its own (as `selfContainedDefines` of
 * rewrite.ts does on lines): an `EXT-X-DEFINE` with `QUERYPARAM` or `IMPORT` becomes
 * `NAME`/`VALUE` with the value it had, found in the text without cutting it into lines.
 *
 * @example
 * ```ts
 * defineEdits('#EXTM3U\n#EXT-X-DEFINE:IMPORT="a"\n', { a: "1" });
 * // [{ start: 8, end: 32, text: '#EXT-X-DEFINE:NAME="a",VALUE="1"' }]
 * ```
 */
export function defineEdits(text: string, definitions: Record<string, string>): TextEdit[] {
  const edits: TextEdit[] = [];
  let lineEnd = -1;
  for (let i = text.indexOf("#EXT-X-DEFINE"); i >= 0; i = text.indexOf("#EXT-X-DEFINE", i + 1)) {
    if (i < lineEnd) continue; // a second one on the same line
    const start = text.lastIndexOf("\n", i) + 1;
    const nl = text.indexOf("\n", i);
    lineEnd = nl < 0 ? text.length : nl;
    // As splitLines cuts lines: a `\r` before `\n` is the terminator's.
    const end = nl > 0 && text.charCodeAt(nl - 1) === 13 ? nl - 1 : lineEnd;
    const line = text.slice(start, end);
    const m = /^(\s*)#EXT-X-DEFINE:\s*(QUERYPARAM|IMPORT)\s*=\s*"([^"]*)"\s*$/.exec(line);
    if (!m) continue;
    const value = definitions[m[3]];
    if (value === undefined) continue;
    edits.push({ start, end, text: `${m[1]}#EXT-X-DEFINE:NAME="${m[3]}",VALUE="${value}"` });
  }
  return edits;
}
