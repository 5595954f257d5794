/**
 * The media-playlist side of the one pass over a playlist's lines: what each media tag
 * means, the state that carries from tag to segment (key, map, bitrate, byte-range
 * offsets, sequence numbers), and the finished {@link MediaPlaylist}.
 *
 * @module
 */
import { type AttributeList, type ByteRangeSpec, parseByteRange } from "./attr_list.ts";
import type { ReadContext } from "./context.ts";
import type {
  DateRange,
  KeyTag,
  MapTag,
  MediaPlaylist,
  PartTag,
  PreloadHint,
  ProgramDateTime,
  RenditionReport,
  Segment,
  ServerControl,
  SkipTag,
  SubRange,
  TilesTag,
} from "./model.ts";
import type { PlaylistLine } from "./lines.ts";
import { compact, LENIENT, readKey } from "./shared_tags.ts";

const DECIMAL = /^(?:\d+(?:\.\d*)?|\.\d+)$/;

/** Where the previous sub-range ended, in which resource. */
interface RangeEnd {
  url: string;
  end: number;
}

/** The facts read for the next segment, until its URI line. */
interface Pending {
  inf?: { line: number; duration: number; title?: string };
  byteRange?: { spec: ByteRangeSpec; line: number };
  discontinuity: boolean;
  programDateTime?: ProgramDateTime;
  gap: boolean;
  parts: PartTag[];
  tiles?: TilesTag;
}

function fresh(): Pending {
  return { discontinuity: false, gap: false, parts: [] };
}

function withoutFragment(url: string): string {
  const hash = url.indexOf("#");
  return hash < 0 ? url : url.slice(0, hash);
}

/** Facts of a playlist that either kind may carry, read by the caller. */
export interface CommonFacts {
  version?: number;
  independentSegments: boolean;
  start?: MediaPlaylist["start"];
}

/** Reads the tags of a media playlist, one at a time, in document order. */
export class MediaReader {
  #cx: ReadContext;
  #targetDuration?: number;
  #mediaSequence = 0;
  #discontinuitySequence = 0;
  #playlistType?: "VOD" | "EVENT";
  #endList = false;
  #iFramesOnly = false;
  #imagesOnly = false;
  #serverControl?: ServerControl;
  #partTarget?: number;
  #skip?: SkipTag;
  #segments: Segment[] = [];
  /** Per segment: discontinuities and skipped segments before it (sequence numbers need the bases). */
  #counts: { discontinuities: number; skipped: number }[] = [];
  #keys: KeyTag[] = [];
  #maps: MapTag[] = [];
  #parts: PartTag[] = [];
  #preloadHints: PreloadHint[] = [];
  #renditionReports: RenditionReport[] = [];
  #dateRanges: DateRange[] = [];
  #pending: Pending = fresh();
  #keysInEffect = new Map<string, KeyTag>();
  #lastKey?: KeyTag;
  #map?: MapTag;
  #bitrate?: number;
  #discontinuities = 0;
  #skipped = 0;
  #previousRange?: RangeEnd;
  #previousPartRange?: RangeEnd;

  /** Lean reading: segments are counted and handed over one at a time, not kept. */
  #lean: boolean;
  /**
   * Lean reading, for the target-duration notes: per EXTINF duration rounded (NaN: none), how
   * many segments have it and the lines of the first three. A few entries, however long the
   * playlist.
   */
  #rounded = new Map<number, { count: number; lines: number[] }>();
  /** The longest EXTINF duration (a missing target duration is taken from it). */
  #longest = 0;
  /** Lean reading: the sum of the EXTINF durations that are numbers, and how many are not. */
  #timed = 0;
  #untimed = 0;
  /** Lean reading: every segment's duration added up, once {@link finish} has run. */
  #seconds = 0;
  #count = 0;
  /** The latest segment read (lean or not). */
  lastSegment?: Segment;

  /**
   * @param cx the reading state (URL, line, variables, URIs, notes)
   * @param lean keep no segment: count them and keep only their durations
   */
  constructor(cx: ReadContext, lean = false) {
    this.#cx = cx;
    this.#lean = lean;
  }

  /** How many segments were read. */
  get segmentCount(): number {
    return this.#count;
  }

  /**
   * Lean reading, after {@link finish}: the segments' durations added up, one with no EXTINF
   * duration counting as the target duration (as the segments of a full reading have them).
   */
  get seconds(): number {
    return this.#seconds;
  }

  /** The latest EXT-X-MAP read. */
  get lastMap(): MapTag | undefined {
    return this.#maps.at(-1);
  }

  /** The latest EXT-X-KEY read. */
  get lastKey(): KeyTag | undefined {
    return this.#keys.at(-1);
  }

  /**
   * `#EXTINF:<duration>[,<title>]` (the comma may be missing). A duration that is not a
   * number is noted and taken as the target duration, as players do.
   */
  extinf(value: string): void {
    const comma = value.indexOf(",");
    const text = (comma < 0 ? value : value.slice(0, comma)).trim();
    let duration = Number(text);
    if (!DECIMAL.test(text)) {
      this.#cx.note(`EXTINF duration "${text}" is not a number; taken as EXT-X-TARGETDURATION`);
      duration = NaN;
    }
    const title = comma < 0 ? "" : value.slice(comma + 1).trimEnd();
    // Built as it is (not through `compact`): one per segment.
    this.#pending.inf = title === ""
      ? { line: this.#cx.line, duration }
      : { line: this.#cx.line, duration, title };
  }

  /** `#EXT-X-BYTERANGE:<n>[@<o>]`. */
  byteRange(value: string): void {
    const spec = parseByteRange(value, "EXT-X-BYTERANGE");
    if (typeof spec === "string") throw this.#cx.error(spec);
    this.#pending.byteRange = { spec, line: this.#cx.line };
  }

  /**
   * `#EXT-X-TARGETDURATION:<s>` (an integer; a decimal number is accepted with a note, and a
   * value that is no number is noted and ignored).
   */
  targetDuration(value: string): void {
    if (!DECIMAL.test(value)) {
      this.#cx.note(`EXT-X-TARGETDURATION "${value}" is not a decimal integer; ignored`);
      return;
    }
    if (!/^\d+$/.test(value)) this.#cx.note("EXT-X-TARGETDURATION should be a decimal integer");
    this.#targetDuration = Number(value);
  }

  /**
   * `#EXT-X-MEDIA-SEQUENCE:<n>` or `#EXT-X-DISCONTINUITY-SEQUENCE:<n>` (a value that is not
   * a decimal integer is noted and ignored).
   */
  sequence(tag: "EXT-X-MEDIA-SEQUENCE" | "EXT-X-DISCONTINUITY-SEQUENCE", value: string): void {
    const n = Number(value);
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(n)) {
      this.#cx.note(`${tag} "${value}" is not a decimal integer; ignored`);
      return;
    }
    if (tag === "EXT-X-MEDIA-SEQUENCE") this.#mediaSequence = n;
    else this.#discontinuitySequence = n;
  }

  /** `#EXT-X-PLAYLIST-TYPE:VOD|EVENT` (lower case accepted with a note; others ignored). */
  playlistType(value: string): void {
    const upper = value.toUpperCase();
    if (upper !== "VOD" && upper !== "EVENT") {
      this.#cx.note(`EXT-X-PLAYLIST-TYPE "${value}" is neither VOD nor EVENT; ignored`);
      return;
    }
    if (upper !== value) this.#cx.note(`EXT-X-PLAYLIST-TYPE:${value} should be upper case`);
    this.#playlistType = upper as "VOD" | "EVENT";
  }

  /** Tags without a value: ENDLIST, I-FRAMES-ONLY, IMAGES-ONLY, DISCONTINUITY, GAP. */
  flag(tag: string): void {
    if (tag === "EXT-X-ENDLIST") this.#endList = true;
    else if (tag === "EXT-X-I-FRAMES-ONLY") this.#iFramesOnly = true;
    else if (tag === "EXT-X-IMAGES-ONLY") this.#imagesOnly = true;
    else if (tag === "EXT-X-DISCONTINUITY") this.#pending.discontinuity = true;
    else if (tag === "EXT-X-GAP") this.#pending.gap = true;
  }

  /** `#EXT-X-PROGRAM-DATE-TIME:<date-time>` (a date that does not parse is noted and ignored). */
  programDateTime(value: string): void {
    const epochMs = Date.parse(value);
    if (Number.isNaN(epochMs)) {
      this.#cx.note(`EXT-X-PROGRAM-DATE-TIME "${value}" is not an ISO 8601 date; ignored`);
      return;
    }
    this.#pending.programDateTime = { line: this.#cx.line, text: value, epochMs };
  }

  /** `#EXT-X-BITRATE:<kbps>` (applies until the next one). */
  bitrate(value: string): void {
    if (!/^\d+$/.test(value)) {
      this.#cx.note(`EXT-X-BITRATE must be a decimal integer, not "${value}"; ignored`);
      return;
    }
    this.#bitrate = Number(value);
  }

  /** `#EXT-X-KEY`: in effect (one per KEYFORMAT) until the next; METHOD=NONE ends them all. */
  key(attrs: AttributeList): void {
    const key = readKey(this.#cx, "EXT-X-KEY", attrs, "key");
    this.#keys.push(key);
    if (key.method === "NONE") {
      this.#keysInEffect.clear();
      this.#lastKey = undefined;
    } else {
      this.#keysInEffect.set(key.keyFormat ?? "identity", key);
      this.#lastKey = key;
    }
  }

  /** `#EXT-X-MAP`: the initialization section of the segments that follow. */
  map(attrs: AttributeList): void {
    const ref = this.#cx.requireRef(attrs, "URI", "map");
    const range = attrs.byteRange("BYTERANGE");
    const map: MapTag = { line: this.#cx.line, ref };
    if (range) map.byteRange = { length: range.length, offset: range.offset ?? 0 };
    this.#maps.push(map);
    this.#map = map;
  }

  /** `#EXT-X-PART`: a partial segment of the segment that follows. */
  part(attrs: AttributeList): void {
    const ref = this.#cx.requireRef(attrs, "URI", "part");
    let duration = attrs.decimalFloat("DURATION", LENIENT);
    if (duration === undefined) {
      if (!attrs.has("DURATION")) this.#cx.note("EXT-X-PART has no DURATION");
      duration = 0;
    }
    const part: PartTag = {
      line: this.#cx.line,
      ref,
      duration,
      independent: attrs.flag("INDEPENDENT", LENIENT),
      gap: attrs.flag("GAP", LENIENT),
    };
    const range = attrs.byteRange("BYTERANGE");
    if (range) {
      part.byteRange = this.#resolve(
        range,
        ref.url,
        this.#previousPartRange,
        "EXT-X-PART BYTERANGE",
      );
      this.#previousPartRange = {
        url: withoutFragment(ref.url),
        end: part.byteRange.offset + range.length,
      };
    } else {
      this.#previousPartRange = undefined;
    }
    this.#parts.push(part);
    this.#pending.parts.push(part);
  }

  /** `#EXT-X-PRELOAD-HINT` (one without a URI is noted and ignored). */
  preloadHint(attrs: AttributeList): void {
    if (!attrs.has("URI")) return this.#cx.note("EXT-X-PRELOAD-HINT has no URI; ignored");
    const written = attrs.get("TYPE")?.value ?? "";
    const known = ["PART", "MAP"].includes(written.toUpperCase());
    const type = known ? attrs.enumeratedString("TYPE", ["PART", "MAP"])! : written;
    this.#preloadHints.push(compact({
      line: this.#cx.line,
      type,
      ref: this.#cx.refAttribute(attrs, "URI", "preload-hint")!,
      byteRangeStart: attrs.decimalInteger("BYTERANGE-START", LENIENT) ?? 0,
      byteRangeLength: attrs.decimalInteger("BYTERANGE-LENGTH", LENIENT),
    }));
  }

  /** `#EXT-X-RENDITION-REPORT`. */
  renditionReport(attrs: AttributeList): void {
    this.#renditionReports.push(compact({
      line: this.#cx.line,
      ref: this.#cx.refAttribute(attrs, "URI", "rendition-report"),
      lastMsn: attrs.decimalInteger("LAST-MSN", LENIENT),
      lastPart: attrs.decimalInteger("LAST-PART", LENIENT),
    }));
  }

  /** `#EXT-X-SKIP`: segments the server left out (they still count in sequence numbers). */
  skip(attrs: AttributeList): void {
    attrs.require("SKIPPED-SEGMENTS");
    const skipped = attrs.decimalInteger("SKIPPED-SEGMENTS")!;
    const removed = attrs.quotedString("RECENTLY-REMOVED-DATERANGES");
    this.#skipped += skipped;
    this.#skip = {
      line: this.#cx.line,
      skippedSegments: this.#skipped,
      recentlyRemovedDateRanges: removed ? removed.split("\t").filter((s) => s !== "") : [],
    };
  }

  /** `#EXT-X-SERVER-CONTROL`. */
  serverControl(attrs: AttributeList): void {
    this.#serverControl = compact({
      line: this.#cx.line,
      canBlockReload: attrs.flag("CAN-BLOCK-RELOAD", LENIENT),
      canSkipUntil: attrs.decimalFloat("CAN-SKIP-UNTIL", LENIENT),
      canSkipDateRanges: attrs.flag("CAN-SKIP-DATERANGES", LENIENT),
      holdBack: attrs.decimalFloat("HOLD-BACK", LENIENT),
      partHoldBack: attrs.decimalFloat("PART-HOLD-BACK", LENIENT),
    });
  }

  /** `#EXT-X-PART-INF:PART-TARGET=<s>`. */
  partInf(attrs: AttributeList): void {
    const target = attrs.decimalFloat("PART-TARGET", LENIENT);
    if (target === undefined && !attrs.has("PART-TARGET")) {
      this.#cx.note("EXT-X-PART-INF has no PART-TARGET");
    }
    if (target !== undefined) this.#partTarget = target;
  }

  /** `#EXT-X-DATERANGE`, with interstitial X-ASSET-URI / X-ASSET-LIST as URIs. */
  dateRange(attrs: AttributeList): void {
    const id = attrs.quotedString("ID");
    if (id === undefined) this.#cx.note("EXT-X-DATERANGE has no ID");
    const clientAttributes: Record<string, string> = {};
    for (const a of attrs.all()) if (a.name.startsWith("X-")) clientAttributes[a.name] = a.value;
    this.#dateRanges.push(compact({
      line: this.#cx.line,
      id: id ?? "",
      class: attrs.quotedString("CLASS"),
      startDate: attrs.quotedString("START-DATE"),
      endDate: attrs.quotedString("END-DATE"),
      duration: attrs.decimalFloat("DURATION", LENIENT),
      plannedDuration: attrs.decimalFloat("PLANNED-DURATION", LENIENT),
      endOnNext: attrs.flag("END-ON-NEXT", LENIENT),
      cue: attrs.quotedString("CUE"),
      clientAttributes,
      assetUri: this.#cx.refAttribute(attrs, "X-ASSET-URI", "asset"),
      assetList: this.#cx.refAttribute(attrs, "X-ASSET-LIST", "asset-list"),
      segmentIndex: this.#count,
    }));
  }

  /** `#EXT-X-TILES` (thumbnail playlists): the tile grid of the next segment. */
  tiles(attrs: AttributeList): void {
    const layout = attrs.resolution("LAYOUT", LENIENT);
    this.#pending.tiles = compact({
      line: this.#cx.line,
      resolution: attrs.resolution("RESOLUTION", LENIENT),
      layout: layout && { columns: layout.width, rows: layout.height },
      duration: attrs.decimalFloat("DURATION", LENIENT),
    });
  }

  /** A URI line: the segment the tags since the previous one describe. */
  uriLine(raw: string, start: number, end: number): void {
    const cx = this.#cx;
    const p = this.#pending;
    if (!p.inf) {
      throw cx.error(`segment URI "${raw.slice(start, end)}" has no #EXTINF before it`);
    }
    const ref = cx.ref("segment", raw.slice(start, end), start, end);
    const segment: Segment = {
      ref,
      infLine: p.inf.line,
      duration: p.inf.duration,
      discontinuity: p.discontinuity,
      gap: p.gap,
      mediaSequence: 0,
      discontinuitySequence: 0,
      parts: p.parts,
    };
    if (p.inf.title !== undefined) segment.title = p.inf.title;
    if (p.byteRange) {
      const { spec, line } = p.byteRange;
      cx.line = line;
      segment.byteRange = this.#resolve(spec, ref.url, this.#previousRange, "EXT-X-BYTERANGE");
      cx.line = ref.line;
      segment.byteRangeLine = line;
      this.#previousRange = {
        url: withoutFragment(ref.url),
        end: segment.byteRange.offset + segment.byteRange.length,
      };
    } else {
      this.#previousRange = undefined;
      if (this.#bitrate !== undefined) segment.bitrate = this.#bitrate;
    }
    if (this.#keysInEffect.size > 0) {
      segment.key = this.#lastKey;
      segment.keys = [...this.#keysInEffect.values()];
    }
    if (this.#map) segment.map = this.#map;
    if (p.programDateTime) segment.programDateTime = p.programDateTime;
    if (p.tiles) segment.tiles = p.tiles;
    if (p.discontinuity) this.#discontinuities++;
    this.#count++;
    this.lastSegment = segment;
    this.#pending = fresh();
    const d = segment.duration;
    if (d > this.#longest) this.#longest = d;
    if (this.#lean) {
      if (Number.isFinite(d)) this.#timed += d;
      else if (Number.isNaN(d)) this.#untimed++;
      const r = Math.round(d);
      let seen = this.#rounded.get(r);
      if (seen === undefined) this.#rounded.set(r, seen = { count: 0, lines: [] });
      seen.count++;
      if (seen.lines.length < 3) seen.lines.push(segment.infLine);
      return;
    }
    this.#counts.push({ discontinuities: this.#discontinuities, skipped: this.#skipped });
    this.#segments.push(segment);
  }

  /**
   * Resolves a byte range's offset: a missing one follows the previous range, which must be
   * of the same resource (RFC 8216 section 4.3.2.2; RFC 8216bis for EXT-X-PART).
   */
  #resolve(spec: ByteRangeSpec, url: string, previous: RangeEnd | undefined, what: string) {
    if (spec.offset !== undefined) return { length: spec.length, offset: spec.offset };
    const before = what === "EXT-X-BYTERANGE" ? "segment" : "part";
    if (!previous) {
      throw this.#cx.error(
        `${what} has no offset, and no ${before} before it gives one, so where it starts is ` +
          `unknown (RFC 8216 section 4.3.2.2)`,
      );
    }
    if (previous.url !== withoutFragment(url)) {
      throw this.#cx.error(
        `${what} has no offset, and the ${before} before it is not a sub-range of the same ` +
          `resource, so where it starts is unknown (RFC 8216 section 4.3.2.2)`,
      );
    }
    return { length: spec.length, offset: previous.end } satisfies SubRange;
  }

  /** The finished playlist. */
  finish(lines: PlaylistLine[], common: CommonFacts): MediaPlaylist {
    const cx = this.#cx;
    this.#segments.forEach((s, i) => {
      const c = this.#counts[i];
      s.mediaSequence = this.#mediaSequence + c.skipped + i;
      s.discontinuitySequence = this.#discontinuitySequence + c.discontinuities;
    });
    let targetDuration = this.#targetDuration;
    if (targetDuration === undefined) {
      targetDuration = Math.ceil(this.#longest);
      if (this.#count > 0) {
        cx.note(`no EXT-X-TARGETDURATION; taken as ${targetDuration} (the longest EXTINF)`, 0);
      }
    }
    // An EXTINF with no duration counts as the target duration.
    const longer = `an EXTINF longer than EXT-X-TARGETDURATION ${targetDuration}`;
    const told = this.#targetDuration !== undefined;
    for (const s of this.#segments) {
      if (Number.isNaN(s.duration)) s.duration = targetDuration;
      if (told && Math.round(s.duration) > targetDuration) cx.note(longer, s.infLine);
    }
    if (Number.isFinite(targetDuration)) {
      this.#seconds = this.#timed + this.#untimed * targetDuration;
    } else this.#seconds = this.#timed;
    if (told) {
      let count = 0;
      const first: number[] = [];
      for (const [r, seen] of this.#rounded) {
        if ((Number.isNaN(r) ? Math.round(targetDuration) : r) <= targetDuration) continue;
        count += seen.count;
        first.push(...seen.lines);
      }
      if (count > 0) cx.noteCounted(longer, first.sort((a, b) => a - b).slice(0, 3), count);
    }
    return compact({
      type: "media",
      url: cx.url,
      lines,
      refs: cx.refs,
      version: common.version,
      targetDuration,
      mediaSequence: this.#mediaSequence,
      discontinuitySequence: this.#discontinuitySequence,
      playlistType: this.#playlistType,
      endList: this.#endList,
      iFramesOnly: this.#iFramesOnly,
      imagesOnly: this.#imagesOnly,
      independentSegments: common.independentSegments,
      start: common.start,
      serverControl: this.#serverControl,
      partTarget: this.#partTarget,
      skip: this.#skip,
      segments: this.#segments,
      keys: this.#keys,
      maps: this.#maps,
      parts: this.#parts,
      preloadHints: this.#preloadHints,
      renditionReports: this.#renditionReports,
      dateRanges: this.#dateRanges,
      definitions: cx.vars.record(),
      notes: cx.notes(),
    });
  }
}
