/**
 * `--select` and `--range` on HLS playlists: the master without the variants and renditions
 * left out, and media playlists listing only the segments a range keeps — which `planHls`
 * then plans and rewrites like any other, so the plan requests exactly what is kept and the
 * saved playlists list exactly what was saved. Every line that stays keeps its bytes, except
 * the few that must say something new.
 *
 * Master: each line naming a media playlist left out goes (an `EXT-X-STREAM-INF` with its
 * URI line). A kept variant whose AUDIO, VIDEO or SUBTITLES group lost every rendition names
 * the first group of that type that still has one, or, when none does, no group; a variant
 * that then repeats an earlier one (the same URI and groups) goes.
 *
 * Media playlist: the segments overlapping `[START, END)` (a segment starts where the
 * EXTINFs before it end) stay with their tags; the map and keys in effect at the first one
 * stay, its `EXT-X-BYTERANGE` gets an explicit offset, its date (`EXT-X-PROGRAM-DATE-TIME`)
 * is written when only an earlier segment had one, `EXT-X-MEDIA-SEQUENCE` and
 * `EXT-X-DISCONTINUITY-SEQUENCE` number it as before, and the playlist ends with
 * `EXT-X-ENDLIST`.
 *
 * @module
 */
import { overlaps, type TimeRange } from "../select/range.ts";
import type { MasterPlaylist, MediaPlaylist, PlaylistLine, RenditionType } from "./playlist.ts";
import { tagOf } from "./lines.ts";

/** Tags that describe the whole playlist: kept wherever they stand. */
const PLAYLIST_TAGS = new Set([
  "EXTM3U",
  "EXT-X-VERSION",
  "EXT-X-TARGETDURATION",
  "EXT-X-MEDIA-SEQUENCE",
  "EXT-X-DISCONTINUITY-SEQUENCE",
  "EXT-X-PLAYLIST-TYPE",
  "EXT-X-INDEPENDENT-SEGMENTS",
  "EXT-X-START",
  "EXT-X-DEFINE",
  "EXT-X-I-FRAMES-ONLY",
  "EXT-X-IMAGES-ONLY",
  "EXT-X-SERVER-CONTROL",
  "EXT-X-PART-INF",
  "EXT-X-ENDLIST",
  "EXT-X-ALLOW-CACHE",
]);

/** Lines to leave out, lines to say differently, lines to add before others. */
class LineChanges {
  readonly drop = new Set<number>();
  readonly replace = new Map<number, string>();
  readonly before = new Map<number, string[]>();
  readonly append: string[] = [];

  insertBefore(line: number, text: string): void {
    this.before.set(line, [...this.before.get(line) ?? [], text]);
  }

  get empty(): boolean {
    return this.drop.size + this.replace.size + this.before.size + this.append.length === 0;
  }

  apply(lines: PlaylistLine[]): string {
    const nl = lines[0]?.eol === "\r\n" ? "\r\n" : "\n";
    const out: { text: string; eol: string }[] = [];
    for (const l of lines) {
      for (const text of this.before.get(l.number) ?? []) out.push({ text, eol: nl });
      if (this.drop.has(l.number)) continue;
      out.push({ text: this.replace.get(l.number) ?? l.text, eol: l.eol });
    }
    if (this.append.length > 0) {
      // After the last line that holds something, the added lines, ending like the others.
      while (out.length > 0 && out.at(-1)!.text === "" && out.at(-1)!.eol === "") out.pop();
      if (out.length > 0 && out.at(-1)!.eol === "") out.at(-1)!.eol = nl;
      for (const text of this.append) out.push({ text, eol: nl });
    }
    return out.map((l) => l.text + l.eol).join("");
  }
}

/**
 * An attribute list with one attribute set (or, with `null`, removed); the rest of the
 * line stays as written.
 */
function withAttribute(line: string, name: string, value: string | null): string {
  const re = new RegExp(`([:,])(\\s*)${name}\\s*=\\s*("[^"]*"|[^,]*)`);
  const m = re.exec(line);
  if (!m) return value === null ? line : `${line},${name}="${value}"`;
  const [whole, sep, space] = m;
  const at = m.index;
  if (value !== null) {
    return line.slice(0, at) + `${sep}${space}${name}="${value}"` + line.slice(at + whole.length);
  }
  if (sep === ",") return line.slice(0, at) + line.slice(at + whole.length);
  // The first attribute: it goes with the comma after it.
  return line.slice(0, at + 1) + line.slice(at + whole.length).replace(/^\s*,\s*/, "");
}

/** The master of what is kept. */
export interface MasterSelection {
  /** The master to plan from. */
  text: string;
  /** Whether it differs from the master given. */
  changed: boolean;
  /** What changed besides lines leaving (a variant naming another group). */
  notes: string[];
}

const GROUPS: [attr: string, type: RenditionType, key: "audio" | "video" | "subtitles"][] = [
  ["AUDIO", "AUDIO", "audio"],
  ["VIDEO", "VIDEO", "video"],
  ["SUBTITLES", "SUBTITLES", "subtitles"],
];

/**
 * The master without the media playlists left out; see the module documentation.
 *
 * @param master the master as parsed
 * @param kept the URLs (without fragment) of the media playlists kept
 * @example
 * ```ts
 * import { parsePlaylist } from "./playlist.ts";
 * const url = "https://cdn.example/master.m3u8";
 * const master = parsePlaylist(await Deno.readTextFile("master.m3u8"), url);
 * if (master.type === "master") {
 *   selectMaster(master, new Set(["https://cdn.example/v0/index.m3u8"])).text;
 * }
 * ```
 */
export function selectMaster(master: MasterPlaylist, kept: ReadonlySet<string>): MasterSelection {
  const changes = new LineChanges();
  const notes: string[] = [];
  const plain = (url: string) => {
    const u = new URL(url);
    u.hash = "";
    return u.href;
  };
  const dropVariantLines = (tagLine: number, uriLine: number) => {
    changes.drop.add(tagLine);
    changes.drop.add(uriLine);
    const next = master.lines[uriLine]; // the line after the URI line (0-based index)
    if (next !== undefined && next.text.trim() === "" && next.eol !== "") {
      changes.drop.add(next.number);
    }
  };
  for (const ref of master.refs) {
    if (!["variant", "iframe", "image", "rendition"].includes(ref.role)) continue;
    if (kept.has(plain(ref.url))) continue;
    const variant = master.variants.find((v) => v.ref === ref && !v.iFrame);
    if (variant) dropVariantLines(variant.line, ref.line);
    else changes.drop.add(ref.line);
  }
  // The groups that still have a rendition (one without a URI counts: it is in the variant).
  const alive = master.renditions.filter((r) => !changes.drop.has(r.line));
  const variants = master.variants.filter((v) => !changes.drop.has(v.line));
  const seen = new Set<string>();
  for (const v of variants) {
    const groups = { ...v.groups };
    let line = master.lines[v.line - 1].text;
    for (const [attr, type, key] of GROUPS) {
      const group = groups[key];
      if (group === undefined || alive.some((r) => r.type === type && r.groupId === group)) {
        continue;
      }
      const other = alive.find((r) => r.type === type)?.groupId;
      line = withAttribute(line, attr, other ?? null);
      if (other === undefined) delete groups[key];
      else groups[key] = other;
      notes.push(
        `${master.url}: line ${v.line}: ${attr} group "${group}" lost all its renditions; ` +
          (other === undefined ? `the variant names no ${attr} group` : `it names "${other}"`),
      );
    }
    if (line !== master.lines[v.line - 1].text) changes.replace.set(v.line, line);
    if (v.iFrame) continue;
    const key = JSON.stringify([plain(v.ref.url), groups]);
    if (seen.has(key)) {
      dropVariantLines(v.line, v.ref.line);
      notes.push(`${master.url}: line ${v.line}: a variant that now repeats an earlier one goes`);
    }
    seen.add(key);
  }
  if (changes.empty) {
    return { text: master.lines.map((l) => l.text + l.eol).join(""), changed: false, notes };
  }
  return { text: changes.apply(master.lines), changed: true, notes };
}

/** A media playlist cut to a range. */
export interface MediaCut {
  /** The playlist listing the kept segments (the one given when all are kept, or none). */
  text: string;
  /** Segments kept. */
  kept: number;
  /** Segments it had. */
  of: number;
}

/** `…T…Z` of a time in milliseconds since 1970. */
function isoDate(ms: number): string {
  return new Date(ms).toISOString();
}

/**
 * A media playlist listing only the segments that overlap the range; see the module
 * documentation.
 *
 * @example
 * ```ts
 * import { parsePlaylist } from "./playlist.ts";
 * const p = parsePlaylist(
 *   "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\na.ts\n#EXTINF:2,\nb.ts\n#EXT-X-ENDLIST\n",
 *   "https://cdn.example/v/index.m3u8",
 * );
 * if (p.type === "media") cutMedia(p, { start: 2, end: Infinity, text: "2-" }).text;
 * // "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:1\n#EXTINF:2,\nb.ts\n#EXT-X-ENDLIST\n"
 * ```
 */
export function cutMedia(p: MediaPlaylist, range: TimeRange): MediaCut {
  const original = p.lines.map((l) => l.text + l.eol).join("");
  const segments = p.segments;
  const of = segments.length;
  const starts: number[] = [];
  let at = 0;
  for (const s of segments) {
    starts.push(at);
    at += Number.isFinite(s.duration) ? s.duration : 0;
  }
  const keep = segments.flatMap((s, i) =>
    overlaps(range, starts[i], starts[i] + (Number.isFinite(s.duration) ? s.duration : 0))
      ? [i]
      : []
  );
  if (keep.length === 0 || keep.length === of) return { text: original, kept: keep.length, of };
  const changes = new LineChanges();
  const kept = new Set(keep);
  segments.forEach((s, i) => {
    if (kept.has(i)) return;
    const from = i === 0 ? 1 : segments[i - 1].ref.line + 1;
    for (let n = from; n <= s.ref.line; n++) {
      const tag = tagOf(p.lines[n - 1].text);
      if (tag === undefined || !PLAYLIST_TAGS.has(tag)) changes.drop.add(n);
    }
  });
  const first = segments[keep[0]];
  // What is in effect at the first segment kept stays in effect.
  if (first.map) changes.drop.delete(first.map.line);
  for (const k of first.keys ?? []) changes.drop.delete(k.line);
  if (first.byteRange && first.byteRangeLine !== undefined) {
    const text = p.lines[first.byteRangeLine - 1].text;
    if (!text.includes("@")) {
      changes.replace.set(
        first.byteRangeLine,
        `#EXT-X-BYTERANGE:${first.byteRange.length}@${first.byteRange.offset}`,
      );
    }
  }
  if (!first.programDateTime) {
    const dated = keep[0] - 1 - [...segments.slice(0, keep[0])].reverse()
      .findIndex((s) => s.programDateTime !== undefined);
    if (dated < keep[0]) {
      const d = segments[dated];
      const ms = d.programDateTime!.epochMs + (starts[keep[0]] - starts[dated]) * 1000;
      changes.insertBefore(first.infLine, `#EXT-X-PROGRAM-DATE-TIME:${isoDate(ms)}`);
    }
  }
  const numbered = (tag: string, value: number, current: number) => {
    const line = p.lines.find((l) => tagOf(l.text) === tag);
    if (line) changes.replace.set(line.number, `#${tag}:${value}`);
    else if (value !== current) {
      const after = p.lines.find((l) => tagOf(l.text) === "EXT-X-TARGETDURATION") ?? p.lines[0];
      changes.insertBefore(after.number + 1, `#${tag}:${value}`);
    }
  };
  numbered("EXT-X-MEDIA-SEQUENCE", first.mediaSequence, 0);
  numbered(
    "EXT-X-DISCONTINUITY-SEQUENCE",
    first.discontinuitySequence - (first.discontinuity ? 1 : 0),
    0,
  );
  if (!p.endList) changes.append.push("#EXT-X-ENDLIST");
  return { text: changes.apply(p.lines), kept: keep.length, of };
}
