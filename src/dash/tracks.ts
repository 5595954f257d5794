/**
 * An MPD's Representations as {@link Track}s — the one description `dash get --list` prints,
 * `--select` matches, `dash check` reports and progress rows are labelled with — and where
 * the manifest places each media segment in time, for `--range` and for the checker.
 *
 * @module
 */
import { errorMessage, InputError } from "../errors.ts";
import { parseFrameRate, round3, type Track, type TrackKind } from "../select/track.ts";
import type { ListAddressing, Mpd, Representation, TemplateAddressing } from "./mpd_model.ts";
import { representationSegments, type Segment } from "./segments.ts";
import { childrenNamed, type XmlElement } from "./xml.ts";

const KIND_WORDS: readonly string[] = ["video", "audio", "text", "image"];

/**
 * A Representation's kind, from `@contentType`, `@mimeType` or `@codecs`; null when none
 * of them says.
 *
 * @example
 * ```ts
 * import type { Representation } from "./mpd_model.ts";
 * dashKind({ mimeType: "audio/mp4" } as Representation); // "audio"
 * ```
 */
export function dashKind(rep: Representation): TrackKind | null {
  if (rep.contentType && KIND_WORDS.includes(rep.contentType)) {
    return rep.contentType as TrackKind;
  }
  const mime = rep.mimeType ?? "";
  const top = mime.split("/")[0];
  if (KIND_WORDS.includes(top)) return top as TrackKind;
  if (/ttml|vtt/.test(mime)) return "text";
  const codecs = (rep.codecs ?? "").toLowerCase();
  if (/^(avc|hvc|hev|av01|vp0|dvh)/.test(codecs)) return "video";
  if (/^(mp4a|ac-3|ec-3|opus|flac|ac-4|dts)/.test(codecs)) return "audio";
  if (/^(stpp|wvtt|tx3g)/.test(codecs)) return "text";
  return null;
}

/** Where the manifest places a media segment, in its timescale. */
export interface Placement {
  /** Start (`S@t`, or `@presentationTimeOffset` + `@duration` × index). */
  start: number;
  /** Duration (`S@d`, or `@duration`; the last one cut at the Period's end). */
  duration: number;
  /** Which rule placed it: an explicit SegmentTimeline, or `@duration` (simple addressing). */
  rule: "timeline" | "duration";
}

/** `S@d` of every segment a SegmentTimeline lists, in order (as `representationSegments` counts). */
function timelineDurations(a: TemplateAddressing | ListAddressing, rep: Representation): number[] {
  const out: number[] = [];
  const timeline = a.timeline ?? [];
  let cursor = 0;
  timeline.forEach((s, i) => {
    const start = s.t ?? cursor;
    let r = s.r;
    if (r === -1) {
      const next = timeline[i + 1]?.t;
      const end = next ??
        (rep.periodDuration !== undefined
          ? a.presentationTimeOffset + rep.periodDuration * a.timescale
          : start + s.d);
      r = Math.max(0, Math.ceil((end - start) / s.d - 1e-9) - 1);
    }
    for (let j = 0; j <= r && out.length < 10_000_000; j++) {
      for (let k = 0; k < s.k; k++) out.push(s.d);
    }
    cursor = start + (r + 1) * s.d;
  });
  return out;
}

/**
 * Where the manifest places each media segment (`media`: the media segments
 * `representationSegments` gave, in order), when its addressing says: a SegmentTimeline, or
 * `@duration`; undefined for each segment otherwise (SegmentBase, a single file, a list
 * without timing).
 */
export function mediaPlacements(rep: Representation, media: Segment[]): (Placement | undefined)[] {
  const a = rep.addressing;
  if (a.kind !== "template" && a.kind !== "list") return media.map(() => undefined);
  if (a.timeline) {
    const durations = timelineDurations(a, rep);
    return media.map((s, i) =>
      s.time !== undefined && durations[i] !== undefined
        ? { start: s.time, duration: durations[i], rule: "timeline" }
        : undefined
    );
  }
  const d = a.duration;
  if (d === undefined) return media.map(() => undefined);
  const end = rep.periodDuration !== undefined
    ? a.presentationTimeOffset + rep.periodDuration * a.timescale
    : Infinity;
  return media.map((s) => {
    if (s.time === undefined) return undefined;
    return { start: s.time, duration: Math.max(0, Math.min(d, end - s.time)), rule: "duration" };
  });
}

/** A media segment on the presentation timeline (seconds), and where the manifest put it. */
export interface MediaSpan {
  /** Start, seconds from the beginning of the presentation. */
  start: number;
  /** End, seconds (cut at the Period's end). */
  end: number;
  /** Its placement in the timescale. */
  placement: Placement;
}

/** A Representation described as a track, with its resources. */
export interface RepresentationTrack {
  /** The description `--list` prints. */
  track: Track;
  /** The Representation. */
  rep: Representation;
  /** Its resources in manifest order (empty when they cannot be expanded). */
  segments: Segment[];
  /** Why its resources cannot be expanded, when they cannot. */
  error?: string;
  /** Each media segment on the timeline; undefined when the addressing gives no times. */
  spans?: MediaSpan[];
}

/** `AudioChannelConfiguration` schemes and how each writes a channel count. */
const CICP_CHANNELS: Record<number, number> = {
  1: 1,
  2: 2,
  3: 3,
  4: 4,
  5: 5,
  6: 6,
  7: 8,
  9: 3,
  10: 4,
  11: 7,
  12: 8,
  13: 24,
  14: 8,
  15: 12,
  16: 10,
  17: 12,
  18: 14,
  19: 12,
  20: 14,
};

/** Bits of Dolby's 16-bit channel mask that stand for a pair of channels (MSB = bit 0). */
const DOLBY_PAIRS = new Set([5, 6, 9, 10, 11, 13]);

/** The channel count an `AudioChannelConfiguration` element gives, if it can be read. */
export function channelCount(el: XmlElement): number | null {
  const scheme = (el.attrs.schemeIdUri ?? "").toLowerCase();
  const value = (el.attrs.value ?? "").trim();
  if (scheme.includes("dolby")) {
    if (!/^[0-9a-f]{1,4}$/i.test(value)) return null;
    const mask = parseInt(value, 16);
    let n = 0;
    for (let bit = 0; bit < 16; bit++) {
      if (mask & (1 << (15 - bit))) n += DOLBY_PAIRS.has(bit) ? 2 : 1;
    }
    return n > 0 ? n : null;
  }
  if (!/^\d+$/.test(value)) return null;
  const n = Number(value);
  if (scheme.includes("cicp")) return CICP_CHANNELS[n] ?? null;
  return n > 0 ? n : null;
}

const TRICKMODE = "http://dashif.org/guidelines/trickmode";

/**
 * A Representation as a track: its facts, read from it and its AdaptationSet; the segment
 * count and duration from its media segments and their times, when given.
 */
export function describeRepresentation(
  rep: Representation,
  segments?: Segment[],
  spans?: MediaSpan[],
): Track {
  const { representation: r, adaptationSet: a } = rep.elements;
  const attr = (name: string) => r.attrs[name] ?? a.attrs[name];
  const int = (name: string) => {
    const v = attr(name);
    return v !== undefined && /^\s*\d+\s*$/.test(v) ? Number(v) : null;
  };
  const channels = [
    ...childrenNamed(r, "AudioChannelConfiguration"),
    ...childrenNamed(a, "AudioChannelConfiguration"),
  ]
    .map(channelCount).find((n) => n !== null) ?? null;
  const roles = [...childrenNamed(a, "Role"), ...childrenNamed(r, "Role")]
    .map((el) => el.attrs.value).filter((v): v is string => v !== undefined && v !== "");
  const trick = [a, r].some((el) =>
    [...childrenNamed(el, "EssentialProperty"), ...childrenNamed(el, "SupplementalProperty")]
      .some((p) => p.attrs.schemeIdUri === TRICKMODE)
  );
  if (trick && !roles.includes("trick")) roles.push("trick");
  const media = segments?.filter((s) => s.kind === "media");
  let duration: number | null = rep.periodDuration ?? null;
  if (spans) duration = spans.reduce((sum, s) => sum + (s.end - s.start), 0);
  return {
    id: rep.id,
    kind: dashKind(rep),
    codecs: rep.codecs ?? null,
    bandwidth: rep.bandwidth ?? null,
    width: int("width"),
    height: int("height"),
    fps: parseFrameRate(attr("frameRate")),
    lang: r.attrs.lang ?? rep.lang ?? null,
    channels,
    roles: [...new Set(roles)],
    segments: media ? media.length : null,
    duration: duration === null ? null : round3(duration),
    period: rep.periodId ?? null,
    adaptationSet: a.attrs.id ?? null,
  };
}

/** Each media segment on the timeline, when every one of them can be placed. */
function spansOf(rep: Representation, segments: Segment[]): MediaSpan[] | undefined {
  const a = rep.addressing;
  if (a.kind !== "template" && a.kind !== "list") return undefined;
  const media = segments.filter((s) => s.kind === "media");
  const places = mediaPlacements(rep, media);
  if (media.length === 0 || places.some((p) => p === undefined)) return undefined;
  const end = rep.periodDuration === undefined ? Infinity : rep.periodStart + rep.periodDuration;
  return places.map((p) => {
    const start = rep.periodStart + (p!.start - a.presentationTimeOffset) / a.timescale;
    return {
      start,
      end: Math.max(start, Math.min(end, start + p!.duration / a.timescale)),
      placement: p!,
    };
  });
}

/**
 * One Representation as a track, with its resources and their times.
 *
 * @param rep the Representation
 * @param manifestUrl the MPD's URL, for messages
 */
export function representationTrack(rep: Representation, manifestUrl: string): RepresentationTrack {
  let segments: Segment[];
  try {
    segments = representationSegments(rep, { source: manifestUrl });
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    return { track: describeRepresentation(rep), rep, segments: [], error: errorMessage(err) };
  }
  const spans = spansOf(rep, segments);
  return { track: describeRepresentation(rep, segments, spans), rep, segments, spans };
}

/**
 * Every Representation of an MPD as a track, in document order.
 *
 * @example
 * ```ts
 * import { parseMpd } from "./mpd.ts";
 * const url = "https://cdn.example/vod/manifest.mpd";
 * const mpd = parseMpd(await Deno.readTextFile("manifest.mpd"), url, { tolerant: true });
 * for (const { track } of representationTracks(mpd, url)) console.log(track.id, track.kind);
 * ```
 */
export function representationTracks(mpd: Mpd, manifestUrl: string): RepresentationTrack[] {
  return mpd.representations.map((rep) => representationTrack(rep, manifestUrl));
}
