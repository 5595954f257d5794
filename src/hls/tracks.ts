/**
 * An HLS stream's media playlists as {@link Track}s — the one description `hls get --list`
 * prints, `--select` matches, `hls check` reports and progress rows are labelled with. A
 * track is a media playlist (each URL once, its id the URI as the master first writes it),
 * described by the master line that first names it; its segments and duration come from the
 * media playlist once read.
 *
 * @module
 */
import { round3, type Track, type TrackKind } from "../select/track.ts";
import type {
  MasterPlaylist,
  MediaPlaylist,
  Rendition,
  RenditionType,
  UriRef,
  Variant,
} from "./model.ts";
import type { ScannedMedia } from "./playlist.ts";

/** Codecs that carry audio. */
export const AUDIO_CODECS = /^(mp4a|ac-3|ec-3|opus|flac|fLaC|ac-4|\.mp3|dts)/i;
/** Codecs that carry text. */
const TEXT_CODECS = /^(wvtt|stpp|tx3g|c608|c708)/i;

/**
 * A variant's kind as the master says it: `audio` when every codec in CODECS is an audio one,
 * `video` when it names another codec or has a RESOLUTION (an I-frame variant is video);
 * undefined when it says neither.
 *
 * @example
 * ```ts
 * import type { Variant } from "./model.ts";
 * variantKind({ iFrame: false, codecs: "mp4a.40.2" } as Variant); // "audio"
 * ```
 */
export function variantKind(v: Variant): TrackKind | undefined {
  if (v.iFrame) return "video";
  const codecs = splitCodecs(v.codecs);
  if (codecs.length > 0 && codecs.every((c) => AUDIO_CODECS.test(c))) return "audio";
  return v.resolution || codecs.length > 0 ? "video" : undefined;
}

/** The kind of an EXT-X-MEDIA rendition. */
export function renditionKind(type: RenditionType): TrackKind {
  return ({
    AUDIO: "audio",
    VIDEO: "video",
    SUBTITLES: "text",
    "CLOSED-CAPTIONS": "text",
  } as const)[
    type
  ];
}

/** The codecs of a CODECS list. */
function splitCodecs(codecs: string | undefined): string[] {
  return (codecs ?? "").split(",").map((c) => c.trim()).filter((c) => c !== "");
}

/** A media playlist of a master, as a track. */
export interface PlaylistTrack {
  /** Its description. */
  track: Track;
  /** Its URL (without fragment): each track has its own. */
  url: string;
  /** Every master line that names it. */
  refs: UriRef[];
}

/** The codecs of `kind` in the variants that use a rendition's group. */
function renditionCodecs(master: MasterPlaylist, r: Rendition): string | null {
  const group = { AUDIO: "audio", VIDEO: "video", SUBTITLES: "subtitles" } as const;
  const key = group[r.type as keyof typeof group];
  if (key === undefined) return null;
  const kind = renditionKind(r.type);
  const found = new Set<string>();
  for (const v of master.variants) {
    if (v.groups[key] !== r.groupId) continue;
    for (const c of splitCodecs(v.codecs)) {
      const isAudio = AUDIO_CODECS.test(c), isText = TEXT_CODECS.test(c);
      if (kind === "audio" ? isAudio : kind === "text" ? isText : !isAudio && !isText) {
        found.add(c);
      }
    }
  }
  return found.size > 0 ? [...found].join(",") : null;
}

const EMPTY = {
  codecs: null,
  bandwidth: null,
  width: null,
  height: null,
  fps: null,
  lang: null,
  channels: null,
  segments: null,
  duration: null,
} as const;

/**
 * The track a master line describes (`ref`: the URI of a variant, I-frame variant, image
 * stream or rendition); its segment count and duration are null until its playlist is read
 * ({@link withPlaylist}).
 */
export function describeRef(master: MasterPlaylist, ref: UriRef): Track {
  const rendition = master.renditions.find((r) => r.ref === ref);
  if (rendition) {
    const roles = (rendition.characteristics ?? "").split(",").map((c) => c.trim())
      .filter((c) => c !== "");
    if (rendition.isDefault) roles.unshift("default");
    if (rendition.forced) roles.push("forced");
    const channels = /^\s*(\d+)/.exec(rendition.channels ?? "")?.[1];
    return {
      ...EMPTY,
      id: ref.uri,
      kind: renditionKind(rendition.type),
      codecs: renditionCodecs(master, rendition),
      lang: rendition.language ?? null,
      channels: channels === undefined ? null : Number(channels),
      roles,
    };
  }
  const stream = master.variants.find((v) => v.ref === ref) ??
    master.imageStreams.find((v) => v.ref === ref);
  if (stream === undefined) return { ...EMPTY, id: ref.uri, kind: null, roles: [] };
  const variant = "iFrame" in stream ? stream : undefined;
  return {
    ...EMPTY,
    id: ref.uri,
    // A variant the master does not describe is a whole presentation: taken as video.
    kind: variant ? variantKind(variant) ?? "video" : "image",
    codecs: stream.codecs ?? null,
    bandwidth: stream.bandwidth > 0 ? stream.bandwidth : null,
    width: stream.resolution?.width ?? null,
    height: stream.resolution?.height ?? null,
    fps: variant?.frameRate === undefined ? null : round3(variant.frameRate),
    roles: variant?.iFrame ? ["trick"] : [],
  };
}

/** A URL without its fragment. */
function withoutHash(url: string): string {
  const u = new URL(url);
  u.hash = "";
  return u.href;
}

/**
 * Every media playlist a master names (variants, I-frame variants, image streams,
 * renditions), each URL once, in the order the master first names them.
 *
 * @example
 * ```ts
 * import { parsePlaylist } from "./playlist.ts";
 * const url = "https://cdn.example/master.m3u8";
 * const master = parsePlaylist(await Deno.readTextFile("master.m3u8"), url);
 * if (master.type === "master") masterTracks(master).map((t) => t.track.id);
 * ```
 */
export function masterTracks(master: MasterPlaylist): PlaylistTrack[] {
  const byUrl = new Map<string, PlaylistTrack>();
  for (const ref of master.refs) {
    if (!["variant", "iframe", "image", "rendition"].includes(ref.role)) continue;
    const url = withoutHash(ref.url);
    const known = byUrl.get(url);
    if (known) known.refs.push(ref);
    else byUrl.set(url, { track: describeRef(master, ref), url, refs: [ref] });
  }
  return [...byUrl.values()];
}

/**
 * The id of a media playlist read on its own (no master names it): its file name.
 *
 * @example
 * ```ts
 * mediaPlaylistId("https://cdn.example/v/index%201.m3u8?t=1"); // "index 1.m3u8"
 * ```
 */
export function mediaPlaylistId(url: string): string {
  const path = new URL(url).pathname;
  let name = path.slice(path.lastIndexOf("/") + 1);
  try {
    name = decodeURIComponent(name);
  } catch {
    // kept as written
  }
  return name || url;
}

/**
 * A media playlist read on its own, as a track (its kind unknown, unless I-frames only); its
 * segment count and duration when they were kept (a full reading, or a lean scan's counts).
 */
export function standaloneTrack(
  url: string,
  playlist:
    | MediaPlaylist
    | ScannedMedia
    | Omit<MediaPlaylist, "lines" | "refs" | "segments">,
): Track {
  const track: Track = {
    ...EMPTY,
    id: mediaPlaylistId(url),
    kind: playlist.iFramesOnly ? "video" : playlist.imagesOnly ? "image" : null,
    roles: playlist.iFramesOnly ? ["trick"] : [],
  };
  return "segments" in playlist || "segmentCount" in playlist
    ? withPlaylist(track, playlist)
    : track;
}

/**
 * A track with the segment count and duration its media playlist gives: read in full, or by a
 * lean scan (`scanPlaylist`), which counts them without keeping the segments.
 */
export function withPlaylist(track: Track, playlist: MediaPlaylist | ScannedMedia): Track {
  if (!("segments" in playlist)) {
    return { ...track, segments: playlist.segmentCount, duration: round3(playlist.seconds) };
  }
  const seconds = playlist.segments.reduce(
    (sum, s) => sum + (Number.isFinite(s.duration) ? s.duration : 0),
    0,
  );
  return { ...track, segments: playlist.segments.length, duration: round3(seconds) };
}
