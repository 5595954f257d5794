/**
 * The one description of a track that `--list` prints, `--select` matches, `check` reports
 * and progress rows are labelled with — for DASH a Representation, for HLS a media playlist
 * (`src/dash/tracks.ts` and `src/hls/tracks.ts` read them from the manifests).
 *
 * @module
 */

/** The kinds of track `--select kind=…` names. */
export const TRACK_KINDS = ["video", "audio", "text", "image"] as const;

/** What a track carries. */
export type TrackKind = typeof TRACK_KINDS[number];

/**
 * A track as the manifest describes it. Facts the manifest does not give are `null`.
 *
 * @example
 * ```ts
 * const t: Track = {
 *   id: "v1", kind: "video", codecs: "avc1.64001f", bandwidth: 3_000_000, width: 1280,
 *   height: 720, fps: 25, lang: null, channels: null, roles: ["main"], segments: 300,
 *   duration: 600, period: "p0", adaptationSet: "1",
 * };
 * trackLabel(t); // "video 1280x720"
 * ```
 */
export interface Track {
  /** DASH: `Representation@id`; HLS: the media playlist's URI as the master writes it. */
  id: string;
  /** `video`, `audio`, `text` or `image`; null when the manifest does not say. */
  kind: TrackKind | null;
  /** `@codecs` / `CODECS` (for an HLS rendition: its kind's codecs in the variants using it). */
  codecs: string | null;
  /** Bits per second (`@bandwidth`, `BANDWIDTH`). */
  bandwidth: number | null;
  /** Pixels across. */
  width: number | null;
  /** Lines. */
  height: number | null;
  /** Frames per second (`@frameRate`, `FRAME-RATE`), to 3 decimals. */
  fps: number | null;
  /** The language as the manifest writes it (`@lang`, `LANGUAGE`). */
  lang: string | null;
  /** Audio channels (`AudioChannelConfiguration`, `CHANNELS`). */
  channels: number | null;
  /**
   * DASH: `Role@value`s; HLS: `CHARACTERISTICS`, and `default` / `forced` for DEFAULT=YES /
   * FORCED=YES. Both: `trick` for a trick-mode track (an I-frame playlist, a DASH trickmode
   * AdaptationSet).
   */
  roles: string[];
  /** Media segments (null when they cannot be counted). */
  segments: number | null;
  /** Seconds of media, to the millisecond. */
  duration: number | null;
  /** DASH: `Period@id`. */
  period?: string | null;
  /** DASH: `AdaptationSet@id`. */
  adaptationSet?: string | null;
}

/** Whether a track is a trick-mode one (I-frames only): `:best`/`:worst` prefer the others. */
export function isTrick(t: Track): boolean {
  return t.roles.includes("trick");
}

/**
 * A short label for displays: the kind, then the resolution for video and images or the
 * language for audio and text, then `trick` for a trick-mode track.
 *
 * @example
 * ```ts
 * trackLabel({ kind: "audio", lang: "fra", width: null, height: null, roles: [] }); // "audio fra"
 * ```
 */
export function trackLabel(
  t: Pick<Track, "kind" | "lang" | "width" | "height" | "roles">,
): string | undefined {
  const size = t.width !== null && t.height !== null ? `${t.width}x${t.height}` : undefined;
  const detail = t.kind === "video" || t.kind === "image" ? size : t.lang ?? undefined;
  const parts = [t.kind ?? undefined, detail, t.roles.includes("trick") ? "trick" : undefined];
  const label = parts.filter((x) => x !== undefined).join(" ");
  return label === "" ? undefined : label;
}

/** Rounds seconds (or a frame rate) to 3 decimals. */
export function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}

/**
 * A frame rate as DASH writes it (`25`, `30000/1001`) or HLS (`29.970`), in frames per second.
 *
 * @example
 * ```ts
 * parseFrameRate("30000/1001"); // 29.97
 * ```
 */
export function parseFrameRate(text: string | undefined): number | null {
  if (text === undefined) return null;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(?:\/\s*(\d+)\s*)?$/.exec(text);
  if (!m) return null;
  const value = Number(m[1]) / (m[2] === undefined ? 1 : Number(m[2]));
  return Number.isFinite(value) && value > 0 ? round3(value) : null;
}
