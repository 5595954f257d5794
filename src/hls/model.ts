/**
 * The typed model of HLS playlists (RFC 8216 and its second edition, RFC 8216bis) that
 * `parsePlaylist` (playlist.ts) builds: every URI with its exact place on its line, and the facts
 * that mirroring, live recording and track selection need.
 *
 * @module
 */
import type { Resolution } from "./attr_list.ts";
import type { PlaylistLine } from "./lines.ts";

/**
 * What a URI in a playlist points at.
 *
 * Master: `variant` (EXT-X-STREAM-INF), `iframe` (EXT-X-I-FRAME-STREAM-INF), `image`
 * (EXT-X-IMAGE-STREAM-INF, a thumbnail playlist), `rendition` (EXT-X-MEDIA), `session-key`,
 * `session-data`, `steering` (EXT-X-CONTENT-STEERING SERVER-URI).
 * Media: `segment`, `map`, `key`, `part` (EXT-X-PART), `preload-hint`, `rendition-report`,
 * `asset` and `asset-list` (the X-ASSET-URI and X-ASSET-LIST of an EXT-X-DATERANGE, as
 * HLS interstitials use them).
 */
export type UriRole =
  | "variant"
  | "iframe"
  | "image"
  | "rendition"
  | "session-key"
  | "session-data"
  | "steering"
  | "segment"
  | "map"
  | "key"
  | "part"
  | "preload-hint"
  | "rendition-report"
  | "asset"
  | "asset-list";

/** One URI in a playlist: a URI line, or the value of a URI-valued attribute. */
export interface UriRef {
  /** What it points at. */
  role: UriRole;
  /** The URI as written (variable references `{$name}` included): what a rewrite replaces. */
  uri: string;
  /** The URI after variable substitution (the same as `uri` when it has no references). */
  expanded: string;
  /** `expanded` resolved against the playlist's URL (RFC 3986). */
  url: string;
  /** 1-based line number. */
  line: number;
  /** Offset of the URI's first character in the line's text. */
  start: number;
  /** Offset just past the URI's last character in the line's text. */
  end: number;
}

/** A byte range with its offset resolved: a length and the offset of its first byte. */
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
  /** KEYFORMATVERSIONS, when given. */
  keyFormatVersions?: string;
  /** IV (a hexadecimal sequence), as written after substitution. */
  iv?: string;
  /** KEYID (a hexadecimal sequence, used by some DRM systems), when given. */
  keyId?: string;
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

/** An `EXT-X-PROGRAM-DATE-TIME` tag. */
export interface ProgramDateTime {
  /** 1-based line number of the tag. */
  line: number;
  /** The date as written. */
  text: string;
  /** Milliseconds since 1970-01-01T00:00:00Z. */
  epochMs: number;
}

/** An `EXT-X-PART` tag (a low-latency partial segment). */
export interface PartTag {
  /** 1-based line number of the tag. */
  line: number;
  /** The part's URI. */
  ref: UriRef;
  /** DURATION in seconds (0 when missing, with a note). */
  duration: number;
  /** INDEPENDENT=YES. */
  independent: boolean;
  /** GAP=YES. */
  gap: boolean;
  /** BYTERANGE, offset resolved (a missing offset follows the previous part's range). */
  byteRange?: SubRange;
}

/** An `EXT-X-TILES` tag (the tile grid of an image segment, in thumbnail playlists). */
export interface TilesTag {
  /** 1-based line number of the tag. */
  line: number;
  /** RESOLUTION of one tile. */
  resolution?: Resolution;
  /** LAYOUT: tiles across and down (`5x4`). */
  layout?: { columns: number; rows: number };
  /** DURATION of one tile in seconds. */
  duration?: number;
}

/** One media segment. */
export interface Segment {
  /** Its URI line. */
  ref: UriRef;
  /** Line of its EXTINF tag. */
  infLine: number;
  /** EXTINF duration in seconds. */
  duration: number;
  /** EXTINF title, when one follows the comma. */
  title?: string;
  /** The sub-range of the resource (EXT-X-BYTERANGE), offset resolved. */
  byteRange?: SubRange;
  /** Line of its EXT-X-BYTERANGE tag, when it has one. */
  byteRangeLine?: number;
  /** The key in effect: the latest EXT-X-KEY before it (absent when unencrypted). */
  key?: KeyTag;
  /** Every key in effect, one per KEYFORMAT (absent when unencrypted). */
  keys?: KeyTag[];
  /** The initialization section in effect. */
  map?: MapTag;
  /** Whether an EXT-X-DISCONTINUITY precedes it. */
  discontinuity: boolean;
  /** Its EXT-X-PROGRAM-DATE-TIME, when it has one. */
  programDateTime?: ProgramDateTime;
  /** Whether it is marked EXT-X-GAP (not to be loaded). */
  gap: boolean;
  /** EXT-X-BITRATE in effect, in kbit/s (not given for a segment with a byte range). */
  bitrate?: number;
  /** Its Media Sequence Number (EXT-X-MEDIA-SEQUENCE + position, skipped segments counted). */
  mediaSequence: number;
  /** Its Discontinuity Sequence Number. */
  discontinuitySequence: number;
  /** The EXT-X-PART tags between the previous segment's URI line and its own. */
  parts: PartTag[];
  /** EXT-X-TILES, in a thumbnail playlist. */
  tiles?: TilesTag;
}

/** An `EXT-X-START` tag. */
export interface StartTag {
  /** 1-based line number of the tag. */
  line: number;
  /** TIME-OFFSET in seconds (negative: from the end). */
  timeOffset: number;
  /** PRECISE=YES. */
  precise: boolean;
}

/** An `EXT-X-SERVER-CONTROL` tag. */
export interface ServerControl {
  /** 1-based line number of the tag. */
  line: number;
  /** CAN-BLOCK-RELOAD=YES. */
  canBlockReload: boolean;
  /** CAN-SKIP-UNTIL in seconds. */
  canSkipUntil?: number;
  /** CAN-SKIP-DATERANGES=YES. */
  canSkipDateRanges: boolean;
  /** HOLD-BACK in seconds. */
  holdBack?: number;
  /** PART-HOLD-BACK in seconds. */
  partHoldBack?: number;
}

/** An `EXT-X-SKIP` tag: the server left out segments (a playlist delta update). */
export interface SkipTag {
  /** 1-based line number of the tag. */
  line: number;
  /** SKIPPED-SEGMENTS. */
  skippedSegments: number;
  /** RECENTLY-REMOVED-DATERANGES (tab-separated IDs). */
  recentlyRemovedDateRanges: string[];
}

/** An `EXT-X-PRELOAD-HINT` tag. */
export interface PreloadHint {
  /** 1-based line number of the tag. */
  line: number;
  /** TYPE: `PART` or `MAP`. */
  type: string;
  /** The resource's URI. */
  ref: UriRef;
  /** BYTERANGE-START (0 when absent). */
  byteRangeStart: number;
  /** BYTERANGE-LENGTH (absent: to the end of the resource). */
  byteRangeLength?: number;
}

/** An `EXT-X-RENDITION-REPORT` tag. */
export interface RenditionReport {
  /** 1-based line number of the tag. */
  line: number;
  /** The other rendition's media playlist (absent when the tag has no URI). */
  ref?: UriRef;
  /** LAST-MSN. */
  lastMsn?: number;
  /** LAST-PART. */
  lastPart?: number;
}

/** An `EXT-X-DATERANGE` tag (metadata, ad markers, HLS interstitials). */
export interface DateRange {
  /** 1-based line number of the tag. */
  line: number;
  /** ID. */
  id: string;
  /** CLASS (`com.apple.hls.interstitial` for interstitials). */
  class?: string;
  /** START-DATE as written. */
  startDate?: string;
  /** END-DATE as written. */
  endDate?: string;
  /** DURATION in seconds. */
  duration?: number;
  /** PLANNED-DURATION in seconds. */
  plannedDuration?: number;
  /** END-ON-NEXT=YES. */
  endOnNext: boolean;
  /** CUE (`PRE`, `POST`, `ONCE`, comma-separated). */
  cue?: string;
  /** Client attributes (`X-…`) as written (quotes removed, variables substituted). */
  clientAttributes: Record<string, string>;
  /** X-ASSET-URI: the interstitial's asset playlist. */
  assetUri?: UriRef;
  /** X-ASSET-LIST: the interstitial's JSON asset list. */
  assetList?: UriRef;
  /** How many segments come before it in the playlist. */
  segmentIndex: number;
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
  /** EXT-X-TARGETDURATION (when missing: the longest EXTINF rounded up, with a note). */
  targetDuration: number;
  /** EXT-X-MEDIA-SEQUENCE (0 when absent). */
  mediaSequence: number;
  /** EXT-X-DISCONTINUITY-SEQUENCE (0 when absent). */
  discontinuitySequence: number;
  /** EXT-X-PLAYLIST-TYPE. */
  playlistType?: "VOD" | "EVENT";
  /** Whether EXT-X-ENDLIST is present. */
  endList: boolean;
  /** Whether EXT-X-I-FRAMES-ONLY is present. */
  iFramesOnly: boolean;
  /** Whether EXT-X-IMAGES-ONLY is present (a thumbnail playlist). */
  imagesOnly: boolean;
  /** Whether EXT-X-INDEPENDENT-SEGMENTS is present. */
  independentSegments: boolean;
  /** EXT-X-START. */
  start?: StartTag;
  /** EXT-X-SERVER-CONTROL. */
  serverControl?: ServerControl;
  /** EXT-X-PART-INF PART-TARGET in seconds. */
  partTarget?: number;
  /** EXT-X-SKIP (a delta update: segments are missing). */
  skip?: SkipTag;
  /** The segments, in order. */
  segments: Segment[];
  /** Every EXT-X-KEY tag. */
  keys: KeyTag[];
  /** Every EXT-X-MAP tag. */
  maps: MapTag[];
  /** Every EXT-X-PART tag (those after the last segment belong to the next one). */
  parts: PartTag[];
  /** Every EXT-X-PRELOAD-HINT tag. */
  preloadHints: PreloadHint[];
  /** Every EXT-X-RENDITION-REPORT tag. */
  renditionReports: RenditionReport[];
  /** Every EXT-X-DATERANGE tag. */
  dateRanges: DateRange[];
  /** Its EXT-X-DEFINE variables (imported ones included). */
  definitions: Record<string, string>;
  /** Things tolerated while reading it. */
  notes: string[];
}

/** The attributes EXT-X-STREAM-INF, EXT-X-I-FRAME-STREAM-INF and EXT-X-IMAGE-STREAM-INF share. */
export interface StreamAttributes {
  /** 1-based line number of the tag. */
  line: number;
  /** The media playlist's URI (the next line, or the URI attribute). */
  ref: UriRef;
  /** BANDWIDTH in bits/s (0 when missing, with a note). */
  bandwidth: number;
  /** AVERAGE-BANDWIDTH in bits/s. */
  averageBandwidth?: number;
  /** CODECS. */
  codecs?: string;
  /** SUPPLEMENTAL-CODECS. */
  supplementalCodecs?: string;
  /** RESOLUTION. */
  resolution?: Resolution;
  /** HDCP-LEVEL (`TYPE-0`, `TYPE-1`, `NONE`). */
  hdcpLevel?: string;
  /** VIDEO-RANGE (`SDR`, `HLG`, `PQ`). */
  videoRange?: string;
  /** STABLE-VARIANT-ID. */
  stableVariantId?: string;
  /** PATHWAY-ID (content steering). */
  pathwayId?: string;
}

/** An `EXT-X-STREAM-INF` (with its URI line) or `EXT-X-I-FRAME-STREAM-INF` tag. */
export interface Variant extends StreamAttributes {
  /** Whether it is an EXT-X-I-FRAME-STREAM-INF. */
  iFrame: boolean;
  /** FRAME-RATE. */
  frameRate?: number;
  /** SCORE. */
  score?: number;
  /** GROUP-IDs of the renditions it uses, by TYPE (CLOSED-CAPTIONS=NONE is absent). */
  groups: { audio?: string; video?: string; subtitles?: string; closedCaptions?: string };
}

/** An `EXT-X-IMAGE-STREAM-INF` tag: a thumbnail (image) media playlist. */
export interface ImageStream extends StreamAttributes {
  /** The VIDEO group it belongs to, when it names one. */
  video?: string;
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
  /** LANGUAGE, as written. */
  language?: string;
  /** ASSOC-LANGUAGE. */
  assocLanguage?: string;
  /** DEFAULT=YES. */
  isDefault: boolean;
  /** AUTOSELECT=YES. */
  autoselect: boolean;
  /** FORCED=YES. */
  forced: boolean;
  /** INSTREAM-ID (CLOSED-CAPTIONS: `CC1`…, `SERVICE1`…). */
  instreamId?: string;
  /** CHARACTERISTICS (UTIs, comma-separated). */
  characteristics?: string;
  /** CHANNELS (`2`, `6/JOC`, …). */
  channels?: string;
  /** STABLE-RENDITION-ID. */
  stableRenditionId?: string;
  /** The media playlist, when it has one (never for CLOSED-CAPTIONS). */
  ref?: UriRef;
}

/** An `EXT-X-SESSION-DATA` tag. */
export interface SessionData {
  /** 1-based line number of the tag. */
  line: number;
  /** DATA-ID. */
  id: string;
  /** VALUE, when given instead of a URI. */
  value?: string;
  /** LANGUAGE. */
  language?: string;
  /** The JSON resource, when it has a URI instead of a VALUE. */
  ref?: UriRef;
}

/** An `EXT-X-CONTENT-STEERING` tag. */
export interface ContentSteering {
  /** 1-based line number of the tag. */
  line: number;
  /** SERVER-URI: the steering manifest. */
  ref: UriRef;
  /** PATHWAY-ID: the pathway to start with. */
  pathwayId?: string;
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
  /** EXT-X-IMAGE-STREAM-INF thumbnail playlists, in document order. */
  imageStreams: ImageStream[];
  /** EXT-X-MEDIA renditions, in document order. */
  renditions: Rendition[];
  /** EXT-X-SESSION-KEY tags. */
  sessionKeys: KeyTag[];
  /** EXT-X-SESSION-DATA tags. */
  sessionData: SessionData[];
  /** EXT-X-CONTENT-STEERING. */
  contentSteering?: ContentSteering;
  /** EXT-X-START. */
  start?: StartTag;
  /** Whether EXT-X-INDEPENDENT-SEGMENTS is present. */
  independentSegments: boolean;
  /**
   * Its EXT-X-DEFINE variables: pass them as `imports` when parsing its media playlists
   * (`parsePlaylist(text, url, { imports: master.definitions })`).
   */
  definitions: Record<string, string>;
  /** Things tolerated while reading it. */
  notes: string[];
}

/** A parsed playlist. */
export type Playlist = MasterPlaylist | MediaPlaylist;
