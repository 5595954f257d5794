/**
 * How a recorded Representation addresses its saved segments in the saved MPD:
 *
 * - its own SegmentTemplate, with a SegmentTimeline of exactly the saved segments, whenever
 *   that template names the saved files: all in one folder, each named as the template
 *   fills in for its `$Time$` / `$Number$`, and — for `$Number$` — no number missing (a
 *   timeline numbers its segments one after the other). The template's file name part is
 *   kept; its folder becomes the local one. Players know this form best (ffmpeg 5.1 reads a
 *   template whole, but only the first two segments of a SegmentList);
 * - otherwise a SegmentList: the timeline, and one `SegmentURL` per saved file.
 *
 * Either way a segment that was not saved is not addressed: the timeline jumps over it.
 *
 * @module
 */
import { folderOf, plainRef } from "../dash/local_ref.ts";
import type { Representation, TimelineEntry } from "../dash/mpd.ts";
import { timelineNode } from "../dash/mpd_edit.ts";
import { fillTemplate } from "../dash/template.ts";
import type { NewElement } from "../dash/xml_edit.ts";

/** A saved media segment: its path, media time, duration and number. */
export interface SavedSegment {
  /** Saved path, relative to the output directory. */
  path: string;
  /** Media time (timescale units). */
  t: number;
  /** Duration (timescale units). */
  d: number;
  /** `$Number$`. */
  n: number;
}

/** What was saved of one Representation, and how to time it. */
export interface SavedTrack {
  /** The initialization segment's saved path, if it has one. */
  init?: string;
  /** The media segments, in time order. */
  media: SavedSegment[];
  /** `@timescale`. */
  timescale: number;
  /** `@presentationTimeOffset` to write. */
  pto: number;
}

/** The S entries of sorted segments: `@t` where time jumps, `@r` for repeats. */
export function timelineOf(media: readonly SavedSegment[]): TimelineEntry[] {
  const out: TimelineEntry[] = [];
  let next: number | undefined;
  for (const m of media) {
    const last = out.at(-1);
    if (last !== undefined && m.t === next && m.d === last.d) last.r++;
    else out.push({ t: m.t === next ? undefined : m.t, d: m.d, r: 0, k: 1 });
    next = m.t + m.d;
  }
  return out;
}

/** The last path component of a reference or path. */
function fileName(ref: string): string {
  return ref.slice(ref.lastIndexOf("/") + 1);
}

/** A literal text made safe inside a template (`$` written `$$`). */
function literal(text: string): string {
  return text.replaceAll("$", () => "$$");
}

/**
 * The SegmentTemplate media reference that names exactly the saved files, or undefined
 * when the Representation's template cannot (see the module documentation).
 */
function templateMedia(rep: Representation, s: SavedTrack, dir: string): string | undefined {
  const a = rep.addressing;
  if (a.kind !== "template" || a.media === undefined) return undefined;
  const name = fileName(a.media);
  if (/\$SubNumber/.test(name)) return undefined;
  const folder = folderOf(s.media[0].path);
  if (!s.media.every((m) => folderOf(m.path) === folder)) return undefined;
  const numbered = /\$Number/.test(name);
  for (let i = 0; i < s.media.length; i++) {
    const m = s.media[i];
    if (numbered && m.n !== s.media[0].n + i) return undefined;
    let filled: string;
    try {
      filled = fillTemplate(name, {
        representationId: rep.id,
        bandwidth: rep.bandwidth,
        number: m.n,
        time: m.t,
      });
    } catch {
      return undefined;
    }
    if (filled !== fileName(m.path)) return undefined;
  }
  const prefix = folder === dir ? "" : plainRef(dir, folder);
  return literal(prefix) + name;
}

/**
 * The addressing element to give a recorded Representation in the saved MPD.
 *
 * @param rep the Representation as the origin described it
 * @param s what was saved of it
 * @param dir the saved MPD's folder (`""` for the output directory)
 *
 * @example
 * ```ts
 * import { parseMpd } from "../dash/mpd.ts";
 * const mpd = parseMpd(
 *   '<MPD><Period><AdaptationSet><Representation id="v"><SegmentTemplate media="$Number$.m4s" ' +
 *     'duration="2"/></Representation></AdaptationSet></Period></MPD>',
 *   "https://cdn.example/live/manifest.mpd",
 * );
 * const saved = { media: [{ path: "7.m4s", t: 12, d: 2, n: 7 }], timescale: 1, pto: 12 };
 * savedAddressing(mpd.representations[0], saved, "").name; // "SegmentTemplate"
 * ```
 */
export function savedAddressing(rep: Representation, s: SavedTrack, dir: string): NewElement {
  const timeline = timelineNode(timelineOf(s.media));
  const media = templateMedia(rep, s, dir);
  if (media !== undefined) {
    const attrs: [string, string | number][] = [
      ["timescale", s.timescale],
      ["presentationTimeOffset", s.pto],
      ["startNumber", s.media[0].n],
    ];
    if (s.init !== undefined) attrs.push(["initialization", literal(plainRef(dir, s.init))]);
    attrs.push(["media", media]);
    return { name: "SegmentTemplate", attrs, children: [timeline] };
  }
  const init: NewElement[] = s.init === undefined
    ? []
    : [{ name: "Initialization", attrs: [["sourceURL", plainRef(dir, s.init)]] }];
  return {
    name: "SegmentList",
    attrs: [["timescale", s.timescale], ["presentationTimeOffset", s.pto]],
    children: [
      ...init,
      timeline,
      ...s.media.map((m): NewElement => ({
        name: "SegmentURL",
        attrs: [["media", plainRef(dir, m.path)]],
      })),
    ],
  };
}
