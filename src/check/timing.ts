/**
 * Where a segment's media is on its track's timeline, from the facts of its fragments: the
 * decode time its `tfdt` gives, the earliest presentation (composition offsets and the
 * initialization segment's edit list applied, as ISO/IEC 14496-12 8.6.6 says), its length
 * (the sum of its samples' durations), the longest sample (the tolerance of every timing
 * comparison), and its first sample's flags.
 *
 * @module
 */
import type { FragmentFacts, TrackInit } from "./mp4_facts.ts";

/** The media span of one segment of one track, in the track's (`mdhd`) timescale. */
export interface MediaSpan {
  /** `tfdt` of its first fragment. */
  decodeStart: number;
  /** Earliest composition time (decode time plus the smallest composition offset). */
  compositionStart: number;
  /** Earliest presentation time: the composition start with the edit list applied. */
  presentationStart: number;
  /** Presented duration: the summed sample durations less what the edit list hides. */
  duration: number;
  /** Summed sample durations. */
  decodeDuration: number;
  /** The longest sample. */
  maxSample: number;
  /** Samples. */
  samples: number;
  /** Flags of the first sample, when known. */
  firstFlags?: number;
  /** Fragments of the segment that do not follow the previous one (decode time gaps). */
  gaps: { fragment: number; expected: number; found: number }[];
}

/** How an edit list moves a track's composition times: `presentation = composition + shift`. */
export interface EditShift {
  /** Added to composition times (empty edits, less the first shown media time). */
  shift: number;
  /** Presentation never starts before this (the end of the leading empty edits). */
  floor: number;
}

/**
 * The shift an edit list gives: leading empty edits (in the movie timescale) delay the track;
 * the first edit's `media_time` is the composition time shown first.
 *
 * @example
 * ```ts
 * editShift({ id: 1, timescale: 48000, edit: { empty: 0, mediaTime: 1024 } }, 1000);
 * // { shift: -1024, floor: 0 }
 * ```
 */
export function editShift(track: TrackInit, movieTimescale: number | undefined): EditShift {
  const e = track.edit;
  if (!e || track.timescale === undefined) return { shift: 0, floor: -Infinity };
  const empty = movieTimescale ? e.empty * track.timescale / movieTimescale : 0;
  return { shift: empty - e.mediaTime, floor: empty };
}

/**
 * The media span of `trackId` in a segment's fragments, or undefined when none of them has
 * that track or a fragment has no `tfdt` (nothing places it).
 *
 * @example
 * ```ts
 * import type { Mp4Facts } from "./mp4_facts.ts";
 * declare const facts: Mp4Facts;
 * const span = mediaSpan(facts.fragments, 1, { shift: 0, floor: 0 });
 * span?.duration;
 * ```
 */
export function mediaSpan(
  fragments: readonly FragmentFacts[],
  trackId: number,
  edit: EditShift,
): MediaSpan | undefined {
  let span: MediaSpan | undefined;
  let next: number | undefined;
  let index = 0;
  for (const f of fragments) {
    for (const t of f.trafs) {
      if (t.trackId !== trackId) continue;
      index++;
      if (t.baseDecodeTime === undefined && next === undefined) return undefined;
      const base = t.baseDecodeTime ?? next!;
      if (span === undefined) {
        span = {
          decodeStart: base,
          compositionStart: base + t.ctsMin,
          presentationStart: 0,
          duration: 0,
          decodeDuration: 0,
          maxSample: 0,
          samples: 0,
          firstFlags: t.firstFlags,
          gaps: [],
        };
      } else if (next !== undefined && base !== next) {
        span.gaps.push({ fragment: index, expected: next, found: base });
      }
      span.compositionStart = Math.min(span.compositionStart, base + t.ctsMin);
      span.decodeDuration += t.duration;
      span.maxSample = Math.max(span.maxSample, t.maxSampleDuration);
      span.samples += t.samples;
      next = base + t.duration;
    }
  }
  if (span === undefined) return undefined;
  const end = span.compositionStart + span.decodeDuration + edit.shift;
  span.presentationStart = Math.max(span.compositionStart + edit.shift, edit.floor);
  span.duration = Math.max(0, end - span.presentationStart);
  return span;
}

/** The track a segment's timing is read from: the only one, else the first video, else the first. */
export function mainTrack(tracks: readonly TrackInit[]): TrackInit | undefined {
  return tracks.find((t) => t.handler === "vide") ?? tracks[0];
}
