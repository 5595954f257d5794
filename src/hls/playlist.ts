/**
 * HLS playlists (RFC 8216, and RFC 8216bis where players follow it) → a typed model that
 * knows, for every URI it holds, the line it is on and where on that line it stands, so a
 * saved copy can be rewritten byte for byte and every error can name its line.
 *
 * One pass over the lines with a `switch` on the tag: master tags go to a
 * {@link MasterReader}, media tags to a {@link MediaReader}, attribute lists to the typed
 * reader of `attr_list.ts`, variables (`EXT-X-DEFINE`) to `define.ts`. Tags it does not know
 * stay in the lines untouched. Input that cannot be mirrored is an `InputError` naming
 * the playlist's URL and the line (and the column, for an attribute list).
 *
 * @module
 */
import { ReadContext } from "./context.ts";
import type { Definitions } from "./define.ts";
import { eachLine, type LineAt, type PlaylistLine, splitLines } from "./lines.ts";
import { MasterReader } from "./master.ts";
import { type CommonFacts, MediaReader } from "./media.ts";
import type { KeyTag, MasterPlaylist, MediaPlaylist, Playlist, SubRange, UriRef } from "./model.ts";
import { readStart } from "./shared_tags.ts";

export type { PlaylistLine } from "./lines.ts";
export { splitLines } from "./lines.ts";
export type { Definitions } from "./define.ts";
export type * from "./model.ts";

/** Tags only a master playlist may hold. */
const MASTER_TAGS = new Set([
  "EXT-X-STREAM-INF",
  "EXT-X-I-FRAME-STREAM-INF",
  "EXT-X-IMAGE-STREAM-INF",
  "EXT-X-MEDIA",
  "EXT-X-SESSION-DATA",
  "EXT-X-SESSION-KEY",
  "EXT-X-CONTENT-STEERING",
]);

/** Tags only a media playlist may hold. */
const MEDIA_TAGS = new Set([
  "EXTINF",
  "EXT-X-TARGETDURATION",
  "EXT-X-MEDIA-SEQUENCE",
  "EXT-X-DISCONTINUITY-SEQUENCE",
  "EXT-X-ENDLIST",
  "EXT-X-PLAYLIST-TYPE",
  "EXT-X-I-FRAMES-ONLY",
  "EXT-X-IMAGES-ONLY",
  "EXT-X-BYTERANGE",
  "EXT-X-DISCONTINUITY",
  "EXT-X-KEY",
  "EXT-X-MAP",
  "EXT-X-PROGRAM-DATE-TIME",
  "EXT-X-DATERANGE",
  "EXT-X-GAP",
  "EXT-X-BITRATE",
  "EXT-X-TILES",
  "EXT-X-PART",
  "EXT-X-PART-INF",
  "EXT-X-SERVER-CONTROL",
  "EXT-X-SKIP",
  "EXT-X-PRELOAD-HINT",
  "EXT-X-RENDITION-REPORT",
]);

/** Options of {@link parsePlaylist}. */
export interface ParseOptions {
  /**
   * The master playlist's EXT-X-DEFINE variables (`master.definitions`), which a media
   * playlist's `EXT-X-DEFINE:IMPORT="name"` takes. Without them, an IMPORT is an error.
   */
  imports?: Definitions;
}

/** The first tag (or URI line) seen of one kind of playlist. */
interface First {
  line: number;
  what: string;
}

/**
 * Parses a master or media playlist.
 *
 * @param text the playlist as fetched (a leading BOM, CRLF line ends, blank lines and
 *   blanks around tags are accepted)
 * @param url the URL it came from after redirects (or stands for); URIs resolve against it,
 *   and its query gives EXT-X-DEFINE QUERYPARAM values
 * @throws {InputError} naming `url` and the line, for input that cannot be mirrored
 *
 * @example
 * ```ts
 * const p = parsePlaylist("#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\na.ts\n#EXT-X-ENDLIST\n",
 *   "https://cdn.example/v/index.m3u8");
 * if (p.type === "media") console.log(p.segments[0].ref.url); // https://cdn.example/v/a.ts
 * ```
 *
 * @example Variables a media playlist imports from its master
 * ```ts
 * const master = parsePlaylist(
 *   '#EXTM3U\n#EXT-X-DEFINE:NAME="cdn",VALUE="https://cdn.example"\n' +
 *     "#EXT-X-STREAM-INF:BANDWIDTH=800000\n{$cdn}/v/index.m3u8\n",
 *   "https://origin.example/master.m3u8",
 * );
 * if (master.type === "master") {
 *   const media = parsePlaylist(
 *     '#EXTM3U\n#EXT-X-DEFINE:IMPORT="cdn"\n#EXT-X-TARGETDURATION:4\n#EXTINF:4,\n{$cdn}/a.ts\n',
 *     master.variants[0].ref.url, // https://cdn.example/v/index.m3u8
 *     { imports: master.definitions },
 *   );
 *   if (media.type === "media") console.log(media.segments[0].ref.url); // https://cdn.example/a.ts
 * }
 * ```
 */
export function parsePlaylist(text: string, url: string, options: ParseOptions = {}): Playlist {
  const lines = splitLines(text);
  return read(url, options, lines, undefined) as Playlist;
}

/** A URI of a media playlist as {@link scanPlaylist} hands it over. */
export interface ScannedRef {
  /** The URI. */
  ref: UriRef;
  /** Offset of its first character in the whole text (its `start` is on its line). */
  offset: number;
  /** A segment's or map's byte range (EXT-X-BYTERANGE, BYTERANGE), offset resolved. */
  byteRange?: SubRange;
  /** A key URI's EXT-X-KEY tag. */
  key?: KeyTag;
}

/**
 * A media playlist as {@link scanPlaylist} gives it: every fact of a {@link MediaPlaylist}
 * but its lines, URIs and segments, which were handed over one at a time instead.
 */
export interface ScannedMedia extends Omit<MediaPlaylist, "lines" | "refs" | "segments"> {
  /** How many segments it lists. */
  segmentCount: number;
  /**
   * Its segments' durations added up (one with no EXTINF duration counting as the target
   * duration, as in the segments of {@link parsePlaylist}).
   */
  seconds: number;
}

/**
 * Reads a playlist as {@link parsePlaylist} does (the same checks, errors and notes), but a
 * media playlist's URIs are handed to `visit` one at a time, in document order, and neither
 * they, its segments nor its lines are kept: a playlist of 100,000 segments costs a few
 * numbers a segment. A master playlist (small) is returned whole, as `parsePlaylist` gives it.
 *
 * @example
 * ```ts
 * const text = "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\na.ts\n#EXT-X-ENDLIST\n";
 * const uris: string[] = [];
 * const p = scanPlaylist(text, "https://cdn.example/v/index.m3u8", (r) => uris.push(r.ref.url));
 * uris; // ["https://cdn.example/v/a.ts"]
 * ```
 */
export function scanPlaylist(
  text: string,
  url: string,
  visit: (ref: ScannedRef) => void,
  options: ParseOptions = {},
): MasterPlaylist | ScannedMedia {
  const p = scanLines(eachLine(text), url, visit, options);
  // A master was read with its URIs kept; its lines (few) are cut now.
  return p.type === "master" ? { ...p, lines: splitLines(text) } : p;
}

/**
 * {@link scanPlaylist} of lines given one at a time ({@link eachLine}, or
 * {@link eachLineOfFile} to read a saved playlist back without its whole text): a master
 * playlist comes back without its lines, which were not kept.
 *
 * @example
 * ```ts
 * import { eachLineOfFile } from "./lines.ts";
 * const p = scanLines(eachLineOfFile("out/index.m3u8"), "file:///out/index.m3u8", () => {});
 * ```
 */
export function scanLines(
  lines: Iterable<LineAt>,
  url: string,
  visit: (ref: ScannedRef) => void,
  options: ParseOptions = {},
): Omit<MasterPlaylist, "lines"> | ScannedMedia {
  const p = read(url, options, lines, visit);
  if (p.type === "master") {
    const { lines: _l, ...master } = p;
    return master;
  }
  const { lines: _l, refs: _r, segments: _s, ...rest } = p;
  return rest as ScannedMedia;
}

/** The one pass of {@link parsePlaylist} and {@link scanPlaylist}. */
function read(
  url: string,
  options: ParseOptions,
  lines: Iterable<LineAt | PlaylistLine>,
  visit: ((ref: ScannedRef) => void) | undefined,
): Playlist | (ScannedMedia & { lines?: unknown; refs?: unknown; segments?: unknown }) {
  const cx = new ReadContext(url, options.imports);
  const master = new MasterReader(cx);
  const media = new MediaReader(cx, visit !== undefined);
  const common: CommonFacts = { independentSegments: false };
  let header = false;
  let firstMaster: First | undefined;
  let firstMedia: First | undefined;
  let firstImport: number | undefined;

  let offset = 0;
  for (const line of lines) {
    if (visit && cx.refs.length > 0 && firstMedia && !firstMaster) {
      // The URIs of the line before, handed over and forgotten.
      handOver(cx.refs, media, offset, visit);
    }
    const { number, text: raw } = line;
    if ("offset" in line) offset = line.offset;
    cx.line = number;
    const trimmed = raw.trim(); // also drops a BOM before #EXTM3U
    if (trimmed === "") continue;
    if (!header) {
      if (!trimmed.startsWith("#EXTM3U")) {
        throw cx.error(
          `not an M3U8 playlist: the first line must be #EXTM3U, not "${trimmed.slice(0, 40)}"`,
        );
      }
      header = true;
      continue;
    }
    const lead = raw.length - raw.trimStart().length;
    if (!trimmed.startsWith("#EXT")) {
      if (trimmed.startsWith("#")) continue; // a comment
      const end = raw.trimEnd().length;
      if (master.pendingLine !== undefined) {
        master.uriLine(raw, lead, end);
      } else {
        firstMedia ??= { line: number, what: "a segment URI" };
        media.uriLine(raw, lead, end);
      }
      continue;
    }
    const colon = raw.indexOf(":", lead);
    const name = (colon < 0 ? trimmed.slice(1) : raw.slice(lead + 1, colon)).trim();
    const at = colon < 0 ? raw.length : colon + 1;
    const value = raw.slice(at).trim();
    const isMaster = MASTER_TAGS.has(name);
    const isMedia = MEDIA_TAGS.has(name);
    if (master.pendingLine !== undefined && (isMaster || isMedia)) {
      throw cx.error(
        `EXT-X-STREAM-INF is not followed by its URI line (line ${number} is #${name})`,
        master.pendingLine,
      );
    }
    if (isMaster) firstMaster ??= { line: number, what: `#${name}` };
    if (isMedia) firstMedia ??= { line: number, what: `#${name}` };
    const attrs = () => cx.attributes(name, raw, at);
    switch (name) {
      // Either kind of playlist
      case "EXT-X-VERSION":
        if (/^\d+$/.test(value)) common.version = Number(value);
        else cx.note(`EXT-X-VERSION "${value}" is not a decimal integer; ignored`);
        break;
      case "EXT-X-DEFINE": {
        const list = attrs();
        if (list.has("IMPORT")) firstImport ??= number;
        cx.vars.define(list);
        break;
      }
      case "EXT-X-INDEPENDENT-SEGMENTS":
        common.independentSegments = true;
        break;
      case "EXT-X-START":
        common.start = readStart(cx, attrs()) ?? common.start;
        break;
      // Master playlist
      case "EXT-X-STREAM-INF":
        master.streamInf(attrs());
        break;
      case "EXT-X-I-FRAME-STREAM-INF":
        master.iFrameStreamInf(attrs());
        break;
      case "EXT-X-IMAGE-STREAM-INF":
        master.imageStreamInf(attrs());
        break;
      case "EXT-X-MEDIA":
        master.media(attrs());
        break;
      case "EXT-X-SESSION-DATA":
        master.sessionData(attrs());
        break;
      case "EXT-X-SESSION-KEY":
        master.sessionKey(attrs());
        break;
      case "EXT-X-CONTENT-STEERING":
        master.contentSteering(attrs());
        break;
      // Media playlist
      case "EXTINF":
        media.extinf(raw.slice(at));
        break;
      case "EXT-X-BYTERANGE":
        media.byteRange(value);
        break;
      case "EXT-X-TARGETDURATION":
        media.targetDuration(value);
        break;
      case "EXT-X-MEDIA-SEQUENCE":
      case "EXT-X-DISCONTINUITY-SEQUENCE":
        media.sequence(name, value);
        break;
      case "EXT-X-PLAYLIST-TYPE":
        media.playlistType(value);
        break;
      case "EXT-X-ENDLIST":
      case "EXT-X-I-FRAMES-ONLY":
      case "EXT-X-IMAGES-ONLY":
      case "EXT-X-DISCONTINUITY":
      case "EXT-X-GAP":
        media.flag(name);
        break;
      case "EXT-X-PROGRAM-DATE-TIME":
        media.programDateTime(value);
        break;
      case "EXT-X-BITRATE":
        media.bitrate(value);
        break;
      case "EXT-X-KEY":
        media.key(attrs());
        break;
      case "EXT-X-MAP":
        media.map(attrs());
        break;
      case "EXT-X-PART":
        media.part(attrs());
        break;
      case "EXT-X-PART-INF":
        media.partInf(attrs());
        break;
      case "EXT-X-SERVER-CONTROL":
        media.serverControl(attrs());
        break;
      case "EXT-X-SKIP":
        media.skip(attrs());
        break;
      case "EXT-X-PRELOAD-HINT":
        media.preloadHint(attrs());
        break;
      case "EXT-X-RENDITION-REPORT":
        media.renditionReport(attrs());
        break;
      case "EXT-X-DATERANGE":
        media.dateRange(attrs());
        break;
      case "EXT-X-TILES":
        media.tiles(attrs());
        break;
      default:
        break; // a tag streamkit does not know: it stays in the lines as it is
    }
  }

  if (visit && cx.refs.length > 0 && firstMedia && !firstMaster) {
    handOver(cx.refs, media, offset, visit);
  }
  if (!header) throw cx.error("not an M3U8 playlist: it is empty", 1);
  if (master.pendingLine !== undefined) {
    throw cx.error("EXT-X-STREAM-INF is the last tag: its URI line is missing", master.pendingLine);
  }
  if (firstMaster && firstMedia) {
    const later = firstMaster.line > firstMedia.line ? firstMaster : firstMedia;
    throw cx.error(
      `mixes master and media playlist tags (${firstMaster.what} on line ${firstMaster.line}, ` +
        `${firstMedia.what} on line ${firstMedia.line})`,
      later.line,
    );
  }
  if (firstMaster) {
    if (firstImport !== undefined) {
      throw cx.error(
        "EXT-X-DEFINE IMPORT may only appear in a media playlist, not in a master playlist",
        firstImport,
      );
    }
    return master.finish(Array.isArray(lines) ? lines : [], common);
  }
  const p = media.finish(Array.isArray(lines) ? lines : [], common);
  return visit ? { ...p, segmentCount: media.segmentCount, seconds: media.seconds } : p;
}

/** Hands the URIs of one line to `visit`, with what the media reader knows of each. */
function handOver(
  refs: UriRef[],
  media: MediaReader,
  lineOffset: number,
  visit: (ref: ScannedRef) => void,
): void {
  for (const ref of refs) {
    const got: ScannedRef = { ref, offset: lineOffset + ref.start };
    if (ref.role === "segment") {
      const range = media.lastSegment?.byteRange;
      if (range) got.byteRange = range;
    } else if (ref.role === "map") {
      const range = media.lastMap?.byteRange;
      if (range) got.byteRange = range;
    } else if (ref.role === "key") {
      got.key = media.lastKey;
    }
    visit(got);
  }
  refs.length = 0;
}
