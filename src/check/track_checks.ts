/**
 * Checks DASH and HLS share, on one track: a resource's presence and integrity, codec
 * strings against the media, `tfhd` track ids against the initialization segment, and
 * segment indexes (`sidx`) against the fragments they index.
 *
 * @module
 */
import {
  type CodecDifference,
  codecString,
  compareCodec,
  type MediaCodec,
  sameFamily,
  splitCodecs,
} from "./codecs.ts";
import type { FragmentFacts, InitFacts, TopBox } from "./mp4_facts.ts";
import { isSync } from "./mp4_facts.ts";
import type { Findings, Severity } from "./problems.ts";
import type { Item, ItemResult } from "./runner.ts";
import { editShift, mediaSpan } from "./timing.ts";

/** Damage messages reported per resource at most (the rest are counted). */
const MAX_DAMAGE = 5;

/**
 * Reports what reading an item found: `missing-segment` when it could not be read,
 * `damaged-segment` for each kind of damage. Returns whether its content can be used.
 */
export function reportRead(
  found: Findings,
  track: string,
  item: Item,
  result: ItemResult | undefined,
): boolean {
  if (!result) return false;
  if (result.missing !== undefined) {
    found.add("error", "missing-segment", track, item.name, result.missing);
    return false;
  }
  for (const d of result.damage.slice(0, MAX_DAMAGE)) {
    found.add("error", "damaged-segment", track, item.name, d);
  }
  if (result.damage.length > MAX_DAMAGE) {
    found.add(
      "error",
      "damaged-segment",
      track,
      item.name,
      `and ${result.damage.length - MAX_DAMAGE} more problems`,
    );
  }
  return true;
}

/** A media track to compare with declared codecs: its codec, and where to report about it. */
export interface CodecTarget {
  /** The track (id) whose media it is. */
  track: string;
  /** The segment to name (its initialization segment or first segment). */
  segment: string | null;
  /** The codec. */
  codec: MediaCodec;
  /** What it is, for messages (`video`, `audio`). */
  what: string;
}

/**
 * Compares a declared codec list (`@codecs`, `CODECS`) with the media it describes. Every
 * media codec needs a declared codec string of its family that agrees with it; a declared
 * string no media codec needs is reported (with `extra` severity) on `owner`.
 *
 * @param label how the declaration is named in messages (`@codecs`, `CODECS of v1/prog.m3u8`)
 */
export function checkCodecs(
  found: Findings,
  declared: string,
  label: string,
  targets: readonly CodecTarget[],
  extra: { severity: Severity; track: string } | undefined,
): void {
  const list = splitCodecs(declared);
  const used = new Set<string>();
  for (const t of targets) {
    const candidates = list.filter((d) => sameFamily(d, t.codec));
    if (candidates.length === 0) {
      found.add(
        "error",
        "codec-mismatch",
        t.track,
        t.segment,
        `${label} ("${declared}") lists no codec for the ${t.what} (${codecString(t.codec)})`,
      );
      continue;
    }
    let best: { d: string; diffs: CodecDifference[] } | undefined;
    for (const d of candidates) {
      const diffs = compareCodec(d, t.codec);
      const errors = diffs.filter((x) => x.severity === "error").length;
      if (!best || errors < best.diffs.filter((x) => x.severity === "error").length) {
        best = { d, diffs };
      }
    }
    used.add(best!.d);
    for (const diff of best!.diffs) {
      found.add(
        diff.severity,
        "codec-mismatch",
        t.track,
        t.segment,
        `${label} says ${best!.d}: ${diff.message} (the media is ${codecString(t.codec)})`,
      );
    }
  }
  if (!extra) return;
  for (const d of list) {
    if (used.has(d)) continue;
    found.add(
      extra.severity,
      "codec-mismatch",
      extra.track,
      null,
      `${label} lists ${d}, which no media carries`,
    );
  }
}

/** Reports `tfhd` track ids the initialization segment does not declare. */
export function checkTrackIds(
  found: Findings,
  track: string,
  segment: string,
  fragments: readonly FragmentFacts[],
  init: InitFacts,
): void {
  const known = new Set(init.tracks.map((t) => t.id));
  for (const f of fragments) {
    for (const t of f.trafs) {
      if (known.has(t.trackId)) continue;
      found.add(
        "error",
        "track-mismatch",
        track,
        segment,
        `tfhd track_ID ${t.trackId} is not a track of the initialization segment (it declares ` +
          `${[...known].join(", ") || "none"})`,
      );
      return;
    }
  }
}

/** The boxes and fragments of one file, at their offsets in it (across the items read of it). */
export interface FileLayout {
  /** Top-level boxes at absolute offsets, in order. */
  boxes: TopBox[];
  /** Movie fragments at absolute offsets. */
  fragments: FragmentFacts[];
}

/** Gathers the layout of a file from its items (each read at its window's start). */
export function fileLayout(
  entries: readonly { item: Item; result: ItemResult | undefined }[],
): FileLayout {
  const boxes: TopBox[] = [];
  const fragments: FragmentFacts[] = [];
  for (const { item, result } of entries) {
    const base = item.window.start;
    for (const b of result?.mp4?.boxes ?? []) boxes.push({ ...b, offset: b.offset + base });
    for (const f of result?.mp4?.fragments ?? []) fragments.push({ ...f, offset: f.offset + base });
  }
  boxes.sort((a, b) => a.offset - b.offset);
  fragments.sort((a, b) => a.offset - b.offset);
  return { boxes, fragments };
}

/**
 * Checks each `sidx` of an item against the fragments it indexes in the same file: each
 * reference starts at a box and covers fragments whose summed duration and earliest time are
 * the reference's (to one sample), and starts with a sync sample when it says so; and the
 * index's timescale is the track's.
 */
export function checkSidx(
  found: Findings,
  track: string,
  item: Item,
  result: ItemResult,
  layout: FileLayout,
  init: InitFacts | undefined,
): void {
  for (const s of result.mp4?.sidx ?? []) {
    const t = init?.tracks.find((x) => x.id === s.referenceId) ??
      (init?.tracks.length === 1 ? init.tracks[0] : undefined);
    if (!t || t.timescale === undefined || s.timescale === 0) continue;
    const mts = t.timescale;
    if (s.timescale !== mts) {
      found.add(
        "warning",
        "track-mismatch",
        track,
        item.name,
        `sidx timescale ${s.timescale} is not the track's (mdhd ${mts})`,
      );
    }
    const toMedia = (x: number) => x * mts / s.timescale;
    const edit = editShift(t, init?.movieTimescale);
    let pos = item.window.start + s.offset + s.size + s.firstOffset;
    let time = s.ept;
    for (const [k, ref] of s.refs.entries()) {
      const start = pos, end = pos + ref.size;
      pos = end;
      const expected = toMedia(time);
      time += ref.duration;
      if (ref.type !== 0) continue;
      const where = `sidx reference ${k + 1} (bytes ${start}-${end - 1})`;
      const last = layout.boxes[layout.boxes.length - 1];
      if (!last || start >= last.offset + last.size) break; // not read: nothing to compare
      if (!layout.boxes.some((b) => b.offset === start)) {
        // The references after it are misplaced too: one problem says it.
        found.add("error", "index-mismatch", track, item.name, `${where} does not start at a box`);
        break;
      }
      const frags = layout.fragments.filter((f) => f.offset >= start && f.offset < end);
      const span = mediaSpan(frags, t.id, { shift: 0, floor: -Infinity });
      if (!span) {
        found.add(
          "error",
          "index-mismatch",
          track,
          item.name,
          `${where} holds no fragment of track ${t.id}`,
        );
        continue;
      }
      const tolerance = Math.max(span.maxSample, 1);
      if (Math.abs(toMedia(ref.duration) - span.decodeDuration) > tolerance) {
        found.add(
          "error",
          "index-mismatch",
          track,
          item.name,
          `${where}: subsegment_duration ${ref.duration} (at ${s.timescale}/s), the fragments last ` +
            `${span.decodeDuration} (at ${mts}/s)`,
        );
      }
      // Packagers write the composition time, or it less the edit list's media_time, or the
      // presentation time with the leading empty edits too: any of them is right.
      const readings = [
        span.compositionStart,
        span.compositionStart - (t.edit?.mediaTime ?? 0),
        span.compositionStart + edit.shift,
      ];
      if (readings.every((x) => Math.abs(expected - x) > tolerance)) {
        found.add(
          "error",
          "index-mismatch",
          track,
          item.name,
          `${where} starts at ${Math.round(expected)} (at ${mts}/s), the fragments at ` +
            `${span.compositionStart}`,
        );
      }
      if (
        ref.startsWithSap === 1 && (ref.sapType === 1 || ref.sapType === 2) &&
        span.firstFlags !== undefined && !isSync(span.firstFlags)
      ) {
        found.add(
          "error",
          "index-mismatch",
          track,
          item.name,
          `${where} says it starts with a SAP of type ${ref.sapType}; its first sample is not a sync sample`,
        );
      }
    }
  }
}
