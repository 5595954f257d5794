/**
 * HLS playlists (RFC 8216) → a typed model that knows, for every URI it holds, the line it
 * is on and where on that line it stands, so a saved copy can be rewritten byte for byte
 * and every error can name its line.
 *
 * Two layers:
 * - a light line-level pass of our own: lines with their exact terminators, tags, comments,
 *   URI lines, the attribute lists of the tags that carry URIs (validated, with the span of
 *   each `URI="…"` value), and the checks that need a line number (`#EXTM3U` first, a
 *   variant without a URI line, a malformed attribute list, a BYTERANGE without a length,
 *   a segment without `#EXTINF`, master and media tags mixed);
 * - the npm package `hls-parser` for the meaning: master or media, segment durations,
 *   byte-range offsets that follow the previous range, discontinuities, `ENDLIST`,
 *   `PLAYLIST-TYPE`, target duration, variant bandwidths and resolutions. Its segments and
 *   variants are matched to ours in document order, and their URIs must agree.
 *
 * @module
 */
import * as hlsParser from "hls-parser";
import type { types } from "hls-parser";
import { InputError } from "../errors.ts";

type HlsMaster = types.MasterPlaylist;
type HlsMedia = types.MediaPlaylist;

/** One line of a playlist, with the exact terminator that ended it. */
export interface PlaylistLine {
  /** 1-based line number. */
  number: number;
  /** The line's text without its terminator (a `\r` before `\n` counts as terminator). */
  text: string;
  /** `"\n"`, `"\r\n"`, or `""` for the last line when the text does not end with `\n`. */
  eol: string;
}

/**
 * Splits a playlist into lines, keeping each terminator so that joining `text + eol` of
 * every line gives back the input exactly.
 *
 * @example
 * ```ts
 * splitLines("#EXTM3U\r\na.ts"); // [{number: 1, text: "#EXTM3U", eol: "\r\n"}, {number: 2, text: "a.ts", eol: ""}]
 * ```
 */
export function splitLines(text: string): PlaylistLine[] {
  const pieces = text.split("\n");
  return pieces.map((piece, i) => {
    const last = i === pieces.length - 1;
    if (!last && piece.endsWith("\r")) {
      return { number: i + 1, text: piece.slice(0, -1), eol: "\r\n" };
    }
    return { number: i + 1, text: piece, eol: last ? "" : "\n" };
  });
}

/** What a URI in a playlist points at. */
export type UriRole =
  | "variant"
  | "iframe"
  | "rendition"
  | "session-key"
  | "session-data"
  | "segment"
  | "map"
  | "key"
  | "part";

/** One URI in a playlist: a URI line, or the value of a `URI="…"` attribute. */
export interface UriRef {
  /** What it points at. */
  role: UriRole;
  /** The URI as written. */
  uri: string;
  /** The URI resolved against the playlist's URL (RFC 3986). */
  url: string;
  /** 1-based line number. */
  line: number;
  /** Offset of the URI's first character in the line's text. */
  start: number;
  /** Offset just past the URI's last character in the line's text. */
  end: number;
}

/** A byte range as HLS writes it: a length and the offset of its first byte. */
export interface SubRange {
  /** Number of bytes. */
  length: number;
  /** Offset of the first byte. */
  offset: number;
}

/** An `EXT-X-KEY` or `EXT-X-SESSION-KEY` tag. */
export interface KeyTag {
  /** 1-based line number of the tag. */
  line: number;
  /** METHOD: `NONE`, `AES-128`, `SAMPLE-AES`, `SAMPLE-AES-CTR`, … */
  method: string;
  /** KEYFORMAT, when given (absent means `identity`). */
  keyFormat?: string;
  /** IV as written, when given. */
  iv?: string;
  /** The key's URI (absent for METHOD=NONE). */
  ref?: UriRef;
}

/** An `EXT-X-MAP` tag (a Media Initialization Section). */
export interface MapTag {
  /** 1-based line number of the tag. */
  line: number;
  /** The initialization section's URI. */
  ref: UriRef;
  /** BYTERANGE, when given (a missing offset is 0). */
  byteRange?: SubRange;
}

/** One media segment. */
export interface Segment {
  /** Its URI line. */
  ref: UriRef;
  /** EXTINF duration in seconds. */
  duration: number;
  /** The sub-range of the resource (EXT-X-BYTERANGE), offsets resolved. */
  byteRange?: SubRange;
  /** Line of its EXT-X-BYTERANGE tag, when it has one. */
  byteRangeLine?: number;
  /** The key in effect (absent when unencrypted). */
  key?: KeyTag;
  /** The initialization section in effect. */
  map?: MapTag;
  /** Whether an EXT-X-DISCONTINUITY precedes it. */
  discontinuity: boolean;
}

/** An `EXT-X-PART` tag (low-latency partial segment). */
export interface PartTag {
  /** 1-based line number of the tag. */
  line: number;
  /** The part's URI. */
  ref: UriRef;
}

/** A media playlist. */
export interface MediaPlaylist {
  /** Discriminant. */
  type: "media";
  /** The URL it was read from (after redirects); URIs resolve against it. */
  url: string;
  /** Its lines, exactly as read. */
  lines: PlaylistLine[];
  /** Every URI in it, in document order. */
  refs: UriRef[];
  /** EXT-X-VERSION. */
  version?: number;
  /** EXT-X-TARGETDURATION. */
  targetDuration: number;
  /** EXT-X-PLAYLIST-TYPE. */
  playlistType?: "VOD" | "EVENT";
  /** Whether EXT-X-ENDLIST is present. */
  endList: boolean;
  /** Whether EXT-X-I-FRAMES-ONLY is present. */
  iFramesOnly: boolean;
  /** The segments, in order. */
  segments: Segment[];
  /** Every EXT-X-KEY tag. */
  keys: KeyTag[];
  /** Every EXT-X-MAP tag. */
  maps: MapTag[];
  /** Every EXT-X-PART tag. */
  parts: PartTag[];
  /** Things tolerated while reading it. */
  notes: string[];
}

/** An `EXT-X-STREAM-INF` (with its URI line) or `EXT-X-I-FRAME-STREAM-INF` tag. */
export interface Variant {
  /** 1-based line number of the tag. */
  line: number;
  /** The media playlist's URI (the next line, or the URI attribute for I-frame variants). */
  ref: UriRef;
  /** Whether it is an EXT-X-I-FRAME-STREAM-INF. */
  iFrame: boolean;
  /** BANDWIDTH. */
  bandwidth: number;
  /** AVERAGE-BANDWIDTH. */
  averageBandwidth?: number;
  /** CODECS. */
  codecs?: string;
  /** RESOLUTION. */
  resolution?: { width: number; height: number };
  /** FRAME-RATE. */
  frameRate?: number;
  /** GROUP-IDs of the renditions it uses, by TYPE. */
  groups: { audio?: string; video?: string; subtitles?: string; closedCaptions?: string };
}

/** The TYPE of an `EXT-X-MEDIA` tag. */
export type RenditionType = "AUDIO" | "VIDEO" | "SUBTITLES" | "CLOSED-CAPTIONS";

/** An `EXT-X-MEDIA` tag. */
export interface Rendition {
  /** 1-based line number of the tag. */
  line: number;
  /** TYPE. */
  type: RenditionType;
  /** GROUP-ID. */
  groupId: string;
  /** NAME. */
  name: string;
  /** LANGUAGE. */
  language?: string;
  /** DEFAULT=YES. */
  isDefault: boolean;
  /** AUTOSELECT=YES. */
  autoselect: boolean;
  /** The media playlist, when it has one (never for CLOSED-CAPTIONS). */
  ref?: UriRef;
}

/** An `EXT-X-SESSION-DATA` tag. */
export interface SessionData {
  /** 1-based line number of the tag. */
  line: number;
  /** DATA-ID. */
  id: string;
  /** The JSON resource, when it has a URI instead of a VALUE. */
  ref?: UriRef;
}

/** A master (multivariant) playlist. */
export interface MasterPlaylist {
  /** Discriminant. */
  type: "master";
  /** The URL it was read from (after redirects); URIs resolve against it. */
  url: string;
  /** Its lines, exactly as read. */
  lines: PlaylistLine[];
  /** Every URI in it, in document order. */
  refs: UriRef[];
  /** EXT-X-VERSION. */
  version?: number;
  /** EXT-X-STREAM-INF and EXT-X-I-FRAME-STREAM-INF variants, in document order. */
  variants: Variant[];
  /** EXT-X-MEDIA renditions, in document order. */
  renditions: Rendition[];
  /** EXT-X-SESSION-KEY tags. */
  sessionKeys: KeyTag[];
  /** EXT-X-SESSION-DATA tags. */
  sessionData: SessionData[];
  /** Things tolerated while reading it. */
  notes: string[];
}

/** A parsed playlist. */
export type Playlist = MasterPlaylist | MediaPlaylist;

/** One attribute of an attribute list, with where its value stands on the line. */
interface Attribute {
  value: string;
  /** Offsets of the value in the line's text (inside the quotes for a quoted string). */
  start: number;
  end: number;
}

const MASTER_TAGS = new Set([
  "EXT-X-STREAM-INF",
  "EXT-X-I-FRAME-STREAM-INF",
  "EXT-X-MEDIA",
  "EXT-X-SESSION-DATA",
  "EXT-X-SESSION-KEY",
]);

const MEDIA_TAGS = new Set([
  "EXTINF",
  "EXT-X-TARGETDURATION",
  "EXT-X-MEDIA-SEQUENCE",
  "EXT-X-DISCONTINUITY-SEQUENCE",
  "EXT-X-ENDLIST",
  "EXT-X-PLAYLIST-TYPE",
  "EXT-X-I-FRAMES-ONLY",
  "EXT-X-BYTERANGE",
  "EXT-X-DISCONTINUITY",
  "EXT-X-KEY",
  "EXT-X-MAP",
  "EXT-X-PROGRAM-DATE-TIME",
  "EXT-X-GAP",
  "EXT-X-PART",
  "EXT-X-PART-INF",
  "EXT-X-SERVER-CONTROL",
  "EXT-X-SKIP",
  "EXT-X-PRELOAD-HINT",
  "EXT-X-RENDITION-REPORT",
]);

const RENDITION_TYPES = new Set(["AUDIO", "VIDEO", "SUBTITLES", "CLOSED-CAPTIONS"]);

/** `<length>[@<offset>]`, both decimal integers. */
const BYTERANGE = /^(\d+)(?:@(\d+))?$/;

/** The reading state of one playlist: where errors point, what was found so far. */
class Reader {
  readonly url: string;
  readonly refs: UriRef[] = [];
  readonly notes: string[] = [];
  line = 0;

  constructor(url: string) {
    this.url = url;
  }

  /** An InputError at the current line (or at `line`). */
  error(message: string, line = this.line): InputError {
    return new InputError(message, `${this.url}: line ${line}`);
  }

  /** Records a URI at [start, end) of the current line. */
  ref(role: UriRole, uri: string, start: number, end: number): UriRef {
    if (uri.trim() === "") throw this.error(`the ${role} URI is empty`);
    if (uri.includes("{$")) {
      throw this.error(
        `URI "${uri}" uses variable substitution (EXT-X-DEFINE), which is not supported`,
      );
    }
    let url: string;
    try {
      url = new URL(uri, this.url).href;
    } catch {
      throw this.error(`URI "${uri}" is not a valid URL reference`);
    }
    const ref: UriRef = { role, uri, url, line: this.line, start, end };
    this.refs.push(ref);
    return ref;
  }

  /**
   * Parses the attribute list of a tag (RFC 8216 §4.2) that starts at `from` in `text`.
   * Tolerates blanks around commas and a trailing comma; anything else malformed is an
   * error naming the column.
   */
  attributes(tag: string, text: string, from: number): Map<string, Attribute> {
    const attrs = new Map<string, Attribute>();
    const end = text.trimEnd().length;
    let i = from;
    const skipBlanks = () => {
      while (i < end && (text[i] === " " || text[i] === "\t")) i++;
    };
    const malformed = (why: string) =>
      this.error(`malformed attribute list of ${tag}: ${why} (column ${i + 1})`);
    skipBlanks();
    while (i < end) {
      const name = /[A-Za-z0-9_-]+/y;
      name.lastIndex = i;
      const m = name.exec(text);
      if (!m) throw malformed(`expected an attribute name, found "${text.slice(i, i + 10)}"`);
      const key = m[0];
      i += key.length;
      if (text[i] !== "=") throw malformed(`attribute ${key} has no "=value"`);
      i++;
      let attr: Attribute;
      if (text[i] === '"') {
        const close = text.indexOf('"', i + 1);
        if (close < 0 || close >= end) throw malformed(`the quoted value of ${key} is not closed`);
        attr = { value: text.slice(i + 1, close), start: i + 1, end: close };
        i = close + 1;
      } else {
        let j = i;
        while (j < end && text[j] !== ",") {
          if (text[j] === '"') {
            i = j;
            throw malformed(`stray quote in the value of ${key}`);
          }
          j++;
        }
        const raw = text.slice(i, j);
        const value = raw.trimEnd();
        if (value === "") throw malformed(`attribute ${key} has an empty value`);
        attr = { value, start: i, end: i + value.length };
        i = j;
      }
      if (attrs.has(key)) throw malformed(`attribute ${key} appears twice`);
      attrs.set(key, attr);
      skipBlanks();
      if (i >= end) break;
      if (text[i] !== ",") throw malformed(`expected "," after the value of ${key}`);
      i++;
      skipBlanks();
    }
    return attrs;
  }
}

/** Parses `<length>[@<offset>]`, or throws naming the tag. */
function parseSubRange(
  reader: Reader,
  tag: string,
  value: string,
): { length: number; offset?: number } {
  const m = BYTERANGE.exec(value.trim());
  if (!m) {
    throw reader.error(`${tag} must be <length>[@<offset>] with a length, not "${value}"`);
  }
  const length = Number(m[1]);
  const offset = m[2] === undefined ? undefined : Number(m[2]);
  if (!Number.isSafeInteger(length) || (offset !== undefined && !Number.isSafeInteger(offset))) {
    throw reader.error(`${tag} "${value}" is too large`);
  }
  if (length === 0) throw reader.error(`${tag} "${value}" has a length of 0`);
  return { length, offset };
}

/** Reads a key tag's attributes. */
function keyTag(
  reader: Reader,
  tag: string,
  attrs: Map<string, Attribute>,
  role: UriRole,
): KeyTag {
  const method = attrs.get("METHOD")?.value;
  if (method === undefined) throw reader.error(`${tag} has no METHOD attribute`);
  const key: KeyTag = { line: reader.line, method };
  const format = attrs.get("KEYFORMAT")?.value;
  if (format !== undefined) key.keyFormat = format;
  const iv = attrs.get("IV")?.value;
  if (iv !== undefined) key.iv = iv;
  const uri = attrs.get("URI");
  if (method !== "NONE") {
    if (uri === undefined) throw reader.error(`${tag} METHOD=${method} has no URI attribute`);
    key.ref = reader.ref(role, uri.value, uri.start, uri.end);
  }
  return key;
}

/** A required attribute's value. */
function required(reader: Reader, tag: string, attrs: Map<string, Attribute>, name: string) {
  const a = attrs.get(name);
  if (a === undefined) throw reader.error(`${tag} has no ${name} attribute`);
  return a;
}

/**
 * Gives hls-parser the playlist as a byte string (one char per UTF-8 byte): it decodes
 * EXTINF titles with `decodeURIComponent(escape(title))`, which throws on any non-ASCII
 * character of an already decoded string.
 */
function byteString(text: string): string {
  // deno-lint-ignore no-control-regex
  if (/^[\x00-\x7f]*$/.test(text)) return text;
  const bytes = new TextEncoder().encode(text);
  let out = "";
  for (let i = 0; i < bytes.length; i += 0x8000) {
    out += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return out;
}

/**
 * Runs hls-parser: strictly first, so that what it finds non-conforming becomes a note,
 * then leniently (our own pass has already rejected what would make the result unusable).
 */
function interpret(text: string, reader: Reader): HlsMaster | HlsMedia {
  const input = byteString(text);
  const before = hlsParser.getOptions();
  try {
    try {
      hlsParser.setOptions({ strictMode: true, silent: true });
      return hlsParser.parse(input);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      reader.notes.push(`hls-parser tolerated: ${why.replace(/^Invalid Playlist\s*:\s*/, "")}`);
    }
    try {
      hlsParser.setOptions({ strictMode: false, silent: true });
      return hlsParser.parse(input);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      throw new InputError(`cannot be read as a playlist: ${why}`, reader.url);
    }
  } finally {
    // setOptions merges, so name what to restore (the defaults are false).
    hlsParser.setOptions({
      strictMode: before.strictMode ?? false,
      silent: before.silent ?? false,
    });
  }
}

/** A segment as found by the line pass, before hls-parser's values are added. */
interface RawSegment {
  ref: UriRef;
  byteRange?: { length: number; offset?: number };
  byteRangeLine?: number;
  key?: KeyTag;
  map?: MapTag;
}

/** A variant as found by the line pass. */
interface RawVariant {
  line: number;
  ref: UriRef;
  iFrame: boolean;
  attrs: Map<string, Attribute>;
}

/**
 * Parses a master or media playlist.
 *
 * @param text the playlist as fetched
 * @param url the URL it came from after redirects (or stands for); URIs resolve against it
 * @throws {InputError} naming `url` and the line, for input that cannot be mirrored
 *
 * @example
 * ```ts
 * const p = parsePlaylist("#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\na.ts\n#EXT-X-ENDLIST\n",
 *   "https://cdn.example/v/index.m3u8");
 * if (p.type === "media") console.log(p.segments[0].ref.url); // https://cdn.example/v/a.ts
 * ```
 */
export function parsePlaylist(text: string, url: string): Playlist {
  const reader = new Reader(url);
  const lines = splitLines(text);
  let header = false;
  let firstMaster: { line: number; what: string } | undefined;
  let firstMedia: { line: number; what: string } | undefined;
  let pendingInf: { line: number; attrs: Map<string, Attribute> } | undefined;
  let extinf = false;
  let byteRange: { length: number; offset?: number } | undefined;
  let byteRangeLine: number | undefined;
  let currentKey: KeyTag | undefined;
  let currentMap: MapTag | undefined;
  const segments: RawSegment[] = [];
  const variants: RawVariant[] = [];
  const renditions: Rendition[] = [];
  const keys: KeyTag[] = [];
  const maps: MapTag[] = [];
  const parts: PartTag[] = [];
  const sessionKeys: KeyTag[] = [];
  const sessionData: SessionData[] = [];

  for (const { number, text: raw } of lines) {
    reader.line = number;
    const trimmed = raw.trim();
    if (trimmed === "") continue;
    if (!header) {
      if (!trimmed.startsWith("#EXTM3U")) {
        throw reader.error(
          `not an M3U8 playlist: the first line must be #EXTM3U, not "${trimmed.slice(0, 40)}"`,
        );
      }
      header = true;
      continue;
    }
    const lead = raw.length - raw.trimStart().length;
    if (trimmed.startsWith("#EXT")) {
      const colon = raw.indexOf(":", lead);
      const name = (colon < 0 ? trimmed.slice(1) : raw.slice(lead + 1, colon)).trim();
      const valueAt = colon < 0 ? raw.length : colon + 1;
      if (pendingInf) {
        throw reader.error(
          `EXT-X-STREAM-INF is not followed by its URI line (line ${number} is #${name})`,
          pendingInf.line,
        );
      }
      if (MASTER_TAGS.has(name)) firstMaster ??= { line: number, what: `#${name}` };
      if (MEDIA_TAGS.has(name)) firstMedia ??= { line: number, what: `#${name}` };
      switch (name) {
        case "EXTINF":
          extinf = true;
          break;
        case "EXT-X-BYTERANGE":
          byteRange = parseSubRange(reader, "EXT-X-BYTERANGE", raw.slice(valueAt));
          byteRangeLine = number;
          break;
        case "EXT-X-KEY": {
          const key = keyTag(reader, name, reader.attributes(name, raw, valueAt), "key");
          keys.push(key);
          currentKey = key.method === "NONE" ? undefined : key;
          break;
        }
        case "EXT-X-MAP": {
          const attrs = reader.attributes(name, raw, valueAt);
          const uri = required(reader, name, attrs, "URI");
          const map: MapTag = {
            line: number,
            ref: reader.ref("map", uri.value, uri.start, uri.end),
          };
          const br = attrs.get("BYTERANGE");
          if (br !== undefined) {
            const r = parseSubRange(reader, "EXT-X-MAP BYTERANGE", br.value);
            map.byteRange = { length: r.length, offset: r.offset ?? 0 };
          }
          maps.push(map);
          currentMap = map;
          break;
        }
        case "EXT-X-PART": {
          const attrs = reader.attributes(name, raw, valueAt);
          const uri = required(reader, name, attrs, "URI");
          parts.push({ line: number, ref: reader.ref("part", uri.value, uri.start, uri.end) });
          break;
        }
        case "EXT-X-STREAM-INF":
          pendingInf = { line: number, attrs: reader.attributes(name, raw, valueAt) };
          break;
        case "EXT-X-I-FRAME-STREAM-INF": {
          const attrs = reader.attributes(name, raw, valueAt);
          const uri = required(reader, name, attrs, "URI");
          const ref = reader.ref("iframe", uri.value, uri.start, uri.end);
          variants.push({ line: number, ref, iFrame: true, attrs });
          break;
        }
        case "EXT-X-MEDIA": {
          const attrs = reader.attributes(name, raw, valueAt);
          const type = required(reader, name, attrs, "TYPE").value;
          if (!RENDITION_TYPES.has(type)) {
            throw reader.error(`EXT-X-MEDIA has an unknown TYPE=${type}`);
          }
          const rendition: Rendition = {
            line: number,
            type: type as RenditionType,
            groupId: required(reader, name, attrs, "GROUP-ID").value,
            name: attrs.get("NAME")?.value ?? "",
            isDefault: attrs.get("DEFAULT")?.value === "YES",
            autoselect: attrs.get("AUTOSELECT")?.value === "YES",
          };
          const language = attrs.get("LANGUAGE")?.value;
          if (language !== undefined) rendition.language = language;
          const uri = attrs.get("URI");
          if (uri !== undefined && type !== "CLOSED-CAPTIONS") {
            rendition.ref = reader.ref("rendition", uri.value, uri.start, uri.end);
          } else if (type === "SUBTITLES") {
            throw reader.error("EXT-X-MEDIA TYPE=SUBTITLES has no URI attribute");
          }
          renditions.push(rendition);
          break;
        }
        case "EXT-X-SESSION-KEY":
          sessionKeys.push(
            keyTag(reader, name, reader.attributes(name, raw, valueAt), "session-key"),
          );
          break;
        case "EXT-X-SESSION-DATA": {
          const attrs = reader.attributes(name, raw, valueAt);
          const data: SessionData = {
            line: number,
            id: required(reader, name, attrs, "DATA-ID").value,
          };
          const uri = attrs.get("URI");
          if (uri !== undefined) {
            data.ref = reader.ref("session-data", uri.value, uri.start, uri.end);
          }
          sessionData.push(data);
          break;
        }
      }
      continue;
    }
    if (trimmed.startsWith("#")) continue; // a comment
    const start = lead;
    const end = raw.trimEnd().length;
    if (pendingInf) {
      const ref = reader.ref("variant", raw.slice(start, end), start, end);
      variants.push({ line: pendingInf.line, ref, iFrame: false, attrs: pendingInf.attrs });
      pendingInf = undefined;
      continue;
    }
    firstMedia ??= { line: number, what: "a segment URI" };
    if (!extinf) throw reader.error(`segment URI "${trimmed}" has no #EXTINF before it`);
    const ref = reader.ref("segment", raw.slice(start, end), start, end);
    segments.push({ ref, byteRange, byteRangeLine, key: currentKey, map: currentMap });
    extinf = false;
    byteRange = undefined;
    byteRangeLine = undefined;
  }
  if (!header) throw reader.error("not an M3U8 playlist: it is empty", 1);
  if (pendingInf) {
    throw reader.error(
      "EXT-X-STREAM-INF is the last tag: its URI line is missing",
      pendingInf.line,
    );
  }
  if (firstMaster && firstMedia) {
    const later = firstMaster.line > firstMedia.line ? firstMaster : firstMedia;
    throw reader.error(
      `mixes master and media playlist tags (${firstMaster.what} on line ${firstMaster.line}, ` +
        `${firstMedia.what} on line ${firstMedia.line})`,
      later.line,
    );
  }

  const meaning = interpret(text, reader);
  if (meaning.isMasterPlaylist !== (firstMaster !== undefined)) {
    throw new InputError("cannot tell whether this is a master or a media playlist", url);
  }
  if (meaning.isMasterPlaylist) {
    return masterPlaylist(meaning, reader, lines, variants, {
      renditions,
      sessionKeys,
      sessionData,
    });
  }
  return mediaPlaylist(meaning, reader, lines, segments, { keys, maps, parts });
}

/** Fails when hls-parser and the line pass disagree (a bug on one side, not bad input). */
function agree(reader: Reader, what: string, ours: string, theirs: string | undefined): void {
  if (byteString(ours) !== theirs) {
    throw new InputError(
      `internal error: ${what} "${ours}" was read as "${theirs}" by hls-parser`,
      `${reader.url}: line ${reader.line}`,
    );
  }
}

function masterPlaylist(
  meaning: HlsMaster,
  reader: Reader,
  lines: PlaylistLine[],
  raw: RawVariant[],
  rest: Pick<MasterPlaylist, "renditions" | "sessionKeys" | "sessionData">,
): MasterPlaylist {
  if (meaning.variants.length !== raw.length) {
    throw new InputError(
      `internal error: ${raw.length} variants found, hls-parser found ${meaning.variants.length}`,
      reader.url,
    );
  }
  const variants = raw.map((v, i): Variant => {
    const m = meaning.variants[i];
    reader.line = v.line;
    agree(reader, "variant URI", v.ref.uri, m.uri);
    const variant: Variant = {
      line: v.line,
      ref: v.ref,
      iFrame: v.iFrame,
      bandwidth: m.bandwidth,
      groups: {},
    };
    if (m.averageBandwidth !== undefined) variant.averageBandwidth = m.averageBandwidth;
    const codecs = v.attrs.get("CODECS")?.value;
    if (codecs !== undefined) variant.codecs = codecs;
    if (m.resolution) variant.resolution = { ...m.resolution };
    if (m.frameRate !== undefined) variant.frameRate = m.frameRate;
    const group = (name: string) => v.attrs.get(name)?.value;
    const g = variant.groups;
    if (group("AUDIO") !== undefined) g.audio = group("AUDIO");
    if (group("VIDEO") !== undefined) g.video = group("VIDEO");
    if (group("SUBTITLES") !== undefined) g.subtitles = group("SUBTITLES");
    const cc = group("CLOSED-CAPTIONS");
    if (cc !== undefined && cc !== "NONE") g.closedCaptions = cc;
    return variant;
  });
  return {
    type: "master",
    url: reader.url,
    lines,
    refs: reader.refs,
    version: meaning.version,
    variants,
    ...rest,
    notes: reader.notes,
  };
}

function mediaPlaylist(
  meaning: HlsMedia,
  reader: Reader,
  lines: PlaylistLine[],
  raw: RawSegment[],
  rest: Pick<MediaPlaylist, "keys" | "maps" | "parts">,
): MediaPlaylist {
  // hls-parser adds an empty-URI segment for segment tags after the last URI line.
  const found = meaning.segments.filter((s) => s.uri !== "");
  if (found.length !== raw.length) {
    throw new InputError(
      `internal error: ${raw.length} segments found, hls-parser found ${found.length}`,
      reader.url,
    );
  }
  const segments = raw.map((s, i): Segment => {
    const m = found[i];
    reader.line = s.ref.line;
    agree(reader, "segment URI", s.ref.uri, m.uri);
    const segment: Segment = {
      ref: s.ref,
      duration: m.duration,
      discontinuity: m.discontinuity === true,
    };
    if (s.byteRange) {
      const br = m.byterange;
      if (!br || br.length !== s.byteRange.length) {
        throw reader.error("internal error: hls-parser read EXT-X-BYTERANGE differently");
      }
      if (br.offset < 0) {
        throw reader.error(
          "EXT-X-BYTERANGE has no offset, and the segment before it is not a sub-range of the " +
            "same resource, so where it starts is unknown (RFC 8216 section 4.3.2.2)",
          s.byteRangeLine,
        );
      }
      segment.byteRange = { length: br.length, offset: br.offset };
      segment.byteRangeLine = s.byteRangeLine;
    }
    if (s.key) segment.key = s.key;
    if (s.map) segment.map = s.map;
    return segment;
  });
  return {
    type: "media",
    url: reader.url,
    lines,
    refs: reader.refs,
    version: meaning.version,
    targetDuration: meaning.targetDuration,
    playlistType: meaning.playlistType,
    endList: meaning.endlist,
    iFramesOnly: meaning.isIFrame === true,
    segments,
    ...rest,
    notes: reader.notes,
  };
}
