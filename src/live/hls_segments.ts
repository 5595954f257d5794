/**
 * What the live HLS recorder notes of each segment it takes, so the VOD playlist can be
 * written at the end from the record alone: its sequence numbers, duration, the lines that
 * travel with it (key and map in effect, rewritten to the local copies; tags such as
 * `EXT-X-DATERANGE` or `EXT-X-CUE-OUT`, as served), and its program date-time.
 *
 * @module
 */
import { relativeRef } from "../mirror/layout.ts";
import type { KeyTag, MapTag, MediaPlaylist, Segment } from "../hls/playlist.ts";
import { tagOf } from "../hls/lines.ts";

/** A line of the record of an HLS recording. */
export type HlsEntry = SegmentEntry | ResourceEntry;

/** A saved map or key file. */
export interface ResourceEntry {
  /** Discriminant. */
  k: "res";
  /** Its saved path. */
  path: string;
}

/** A saved media segment. */
export interface SegmentEntry {
  /** Discriminant. */
  k: "seg";
  /** The saved media playlist it belongs to (its path). */
  pl: string;
  /** Media Sequence Number. */
  msn: number;
  /** Discontinuity Sequence Number. */
  dseq: number;
  /** EXTINF duration, seconds. */
  dur: number;
  /** The EXTINF line as served. */
  inf: string;
  /** Saved path. */
  path: string;
  /** EXT-X-BYTERANGE (length, offset). */
  range?: [number, number];
  /** The EXT-X-MAP line in effect (URI rewritten), and the file it needs. */
  map?: { line: string; path?: string };
  /** The EXT-X-KEY lines in effect (URIs rewritten), and the files they need. */
  keys?: { line: string; path?: string }[];
  /** Its program date-time (ISO 8601), given or counted from the last one given. */
  pdt?: string;
  /** Whether the origin wrote EXT-X-PROGRAM-DATE-TIME on it. */
  pdtTag?: boolean;
  /** Other tags and comments that came with it, as served. */
  tags?: string[];
}

/** Tags that belong to the playlist as a whole, or that the writer writes itself. */
const NOT_CARRIED = new Set([
  "EXTM3U",
  "EXT-X-VERSION",
  "EXT-X-TARGETDURATION",
  "EXT-X-MEDIA-SEQUENCE",
  "EXT-X-DISCONTINUITY-SEQUENCE",
  "EXT-X-PLAYLIST-TYPE",
  "EXT-X-ENDLIST",
  "EXT-X-I-FRAMES-ONLY",
  "EXT-X-IMAGES-ONLY",
  "EXT-X-INDEPENDENT-SEGMENTS",
  "EXT-X-START",
  "EXT-X-DEFINE",
  "EXT-X-SERVER-CONTROL",
  "EXT-X-PART-INF",
  "EXT-X-ALLOW-CACHE",
  "EXTINF",
  "EXT-X-BYTERANGE",
  "EXT-X-DISCONTINUITY",
  "EXT-X-KEY",
  "EXT-X-MAP",
  "EXT-X-PROGRAM-DATE-TIME",
  "EXT-X-GAP",
  "EXT-X-PART",
  "EXT-X-PRELOAD-HINT",
  "EXT-X-RENDITION-REPORT",
  "EXT-X-SKIP",
]);

/**
 * The program date-time of each segment of a playlist (ms since the epoch): the one written
 * on it, or counted from the last one written before it; undefined before the first.
 */
export function programDateTimes(p: MediaPlaylist): (number | undefined)[] {
  let at: number | undefined;
  return p.segments.map((s) => {
    if (s.programDateTime) at = s.programDateTime.epochMs;
    const mine = at;
    if (at !== undefined) at += s.duration * 1000;
    return mine;
  });
}

/** The local files a segment's map and keys need, and what it is saved as. */
export interface SegmentPaths {
  /** The segment's saved path. */
  path: string;
  /** The map's saved path, when it has a fetchable map. */
  map?: string;
  /** Saved path of each key in effect that is fetched (by the key tag). */
  keys: Map<KeyTag, string>;
}

/** Replaces the URI of a tag's line with a reference to the local copy. */
function rewriteUri(
  p: MediaPlaylist,
  tag: MapTag | KeyTag,
  playlistPath: string,
  local: string | undefined,
): string {
  const text = p.lines[tag.line - 1].text;
  const ref = tag.ref;
  if (ref === undefined || local === undefined) return text;
  return text.slice(0, ref.start) + relativeRef(playlistPath, local) + text.slice(ref.end);
}

/**
 * The record entry of segment `index` of playlist `p`, saved at `paths` for the media
 * playlist saved at `playlistPath`.
 *
 * @param pdt the segment's program date-time (see {@link programDateTimes})
 */
export function segmentEntry(
  p: MediaPlaylist,
  index: number,
  playlistPath: string,
  paths: SegmentPaths,
  pdt: number | undefined,
): SegmentEntry {
  const s: Segment = p.segments[index];
  const from = index === 0 ? 1 : p.segments[index - 1].ref.line + 1;
  const tags: string[] = [];
  for (let n = from; n < s.ref.line; n++) {
    const text = p.lines[n - 1].text;
    if (text.trim() === "") continue;
    const tag = tagOf(text);
    if (tag !== undefined && NOT_CARRIED.has(tag)) continue;
    if (tag === undefined && !text.trimStart().startsWith("#")) continue;
    tags.push(text);
  }
  const entry: SegmentEntry = {
    k: "seg",
    pl: playlistPath,
    msn: s.mediaSequence,
    dseq: s.discontinuitySequence,
    dur: s.duration,
    inf: p.lines[s.infLine - 1].text,
    path: paths.path,
  };
  if (s.byteRange) entry.range = [s.byteRange.length, s.byteRange.offset];
  if (s.map) entry.map = { line: rewriteUri(p, s.map, playlistPath, paths.map), path: paths.map };
  const keys = s.keys ?? (s.key ? [s.key] : []);
  if (keys.length > 0) {
    entry.keys = keys.map((k) => {
      const local = paths.keys.get(k);
      return { line: rewriteUri(p, k, playlistPath, local), path: local };
    });
  }
  if (pdt !== undefined) {
    entry.pdt = new Date(pdt).toISOString();
    if (s.programDateTime) entry.pdtTag = true;
  }
  if (tags.length > 0) entry.tags = tags;
  return entry;
}
