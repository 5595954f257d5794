/**
 * What a static MPD holds for playing it out live: the media segments of every
 * Representation as slots of a lap (where each starts and ends, by request path), the
 * Periods with their place in a lap, and the SegmentTimeline arithmetic (`S@t`, `@d`, `@r`
 * including `-1`) that the live view trims to a window.
 *
 * @module
 */
import { parseDuration } from "../dash/duration.ts";
import { parseMpd } from "../dash/mpd.ts";
import { representationSegments } from "../dash/segments.ts";
import { InputError } from "../errors.ts";
import { localPath, type Slot, standInUrl } from "./live.ts";
import { attrsOf, childElements, element, type XmlNode } from "./xml_tree.ts";

/** One media segment on its Representation's media timeline. */
export interface Timing {
  /** Start, in timescale units. */
  t: number;
  /** Duration, in timescale units. */
  d: number;
}

/** A `SegmentTimeline` `S` element, as numbers. */
export interface SEntry {
  t?: number;
  d: number;
  r: number;
}

/** One Period of the VOD: its node and its place in a lap. */
export interface VodPeriod {
  node: XmlNode;
  start: number;
  duration: number;
}

/** Expands SegmentTimeline entries to one start and duration per segment. */
export function expand(entries: SEntry[], end: number): Timing[] {
  const out: Timing[] = [];
  let cursor = 0;
  entries.forEach((s, i) => {
    let t = s.t ?? cursor;
    let r = s.r;
    if (r < 0) {
      const next = entries[i + 1]?.t ?? end;
      r = Math.max(0, Math.ceil((next - t) / s.d - 1e-9) - 1);
    }
    for (let j = 0; j <= r; j++) {
      out.push({ t, d: s.d });
      t += s.d;
    }
    cursor = t;
  });
  return out;
}

/** The S entries of a SegmentTimeline node. */
export function sEntries(timeline: XmlNode): SEntry[] {
  return childElements(timeline, "S").map((s) => {
    const a = attrsOf(s);
    return {
      t: a.t === undefined ? undefined : Number(a.t),
      d: Number(a.d),
      r: a.r === undefined ? 0 : Number(a.r),
    };
  });
}

/** Writes timings as compact S elements: `@t` where the time jumps, `@r` for repeats. */
export function toS(kept: Timing[]): XmlNode[] {
  const out: { t?: number; d: number; r: number }[] = [];
  let next: number | undefined;
  for (const k of kept) {
    const last = out.at(-1);
    if (last !== undefined && k.t === next && k.d === last.d) last.r++;
    else out.push({ t: k.t === next ? undefined : k.t, d: k.d, r: 0 });
    next = k.t + k.d;
  }
  return out.map((s) => {
    const attrs: Record<string, number> = {};
    if (s.t !== undefined) attrs.t = s.t;
    attrs.d = s.d;
    if (s.r > 0) attrs.r = s.r;
    return element("S", attrs);
  });
}

/** The media segments of a static MPD, as slots per request path. */
export function segmentSlots(
  text: string,
  path: string,
): { slots: Map<string, Slot[]>; longest: number; lap: number } {
  const base = standInUrl(path);
  let mpd;
  try {
    mpd = parseMpd(text, base);
  } catch (err) {
    if (err instanceof InputError) {
      throw new InputError(err.message.replaceAll(base, "").replace(/^: /, ""), path);
    }
    throw err;
  }
  const slots = new Map<string, Slot[]>();
  let longest = 0;
  let periodsEnd = 0;
  for (const rep of mpd.representations) {
    const a = rep.addressing;
    const where = rep.where;
    if (a.kind === "base" || a.kind === "single") {
      throw new InputError(
        `--live publishes media segments one by one, but this Representation is ${
          a.kind === "base" ? "SegmentBase (one file addressed by byte ranges)" : "a single file"
        }`,
        `${path}: ${where}`,
      );
    }
    if (rep.periodDuration === undefined) periodsEnd = Infinity;
    else periodsEnd = Math.max(periodsEnd, rep.periodStart + rep.periodDuration);
    const media = representationSegments(rep, { source: path }).filter((s) => s.kind === "media");
    const periodEnd = a.presentationTimeOffset + (rep.periodDuration ?? Infinity) * a.timescale;
    let timings: Timing[];
    if (a.timeline !== undefined) {
      if (a.timeline.some((s) => s.k > 1)) {
        throw new InputError(
          "--live does not support S@k (Segment Sequences)",
          `${path}: ${where}`,
        );
      }
      timings = expand(a.timeline, periodEnd);
    } else if (a.duration !== undefined) {
      const d = a.duration;
      timings = media.map((_, i) => {
        const t = a.presentationTimeOffset + i * d;
        return { t, d: Math.min(d, periodEnd - t) };
      });
    } else {
      throw new InputError("--live needs @duration or a SegmentTimeline", `${path}: ${where}`);
    }
    media.forEach((segment, i) => {
      const timing = timings[i];
      if (timing === undefined) return;
      const start = rep.periodStart + (timing.t - a.presentationTimeOffset) / a.timescale;
      const slot = { start, end: start + timing.d / a.timescale };
      longest = Math.max(longest, slot.end - slot.start);
      const key = localPath(segment.url);
      if (key === undefined) return; // served elsewhere: nothing to hold back here
      const list = slots.get(key) ?? [];
      list.push(slot);
      slots.set(key, list);
    });
  }
  const lap = mpd.mediaPresentationDuration ?? periodsEnd;
  if (!(lap > 0 && Number.isFinite(lap))) {
    throw new InputError(
      "--live needs the presentation's duration (MPD@mediaPresentationDuration or Period@duration)",
      path,
    );
  }
  return { slots, longest, lap };
}

/** The Periods of the VOD with their start and duration within a lap. */
export function vodPeriods(root: XmlNode, lap: number): VodPeriod[] {
  const nodes = childElements(root, "Period");
  const out: VodPeriod[] = [];
  nodes.forEach((node, i) => {
    const a = attrsOf(node);
    const previous = out.at(-1);
    const start = a.start !== undefined
      ? parseDuration(a.start) ?? 0
      : previous
      ? previous.start + previous.duration
      : 0;
    const nextStart = nodes[i + 1] !== undefined && attrsOf(nodes[i + 1]).start !== undefined
      ? parseDuration(attrsOf(nodes[i + 1]).start)
      : undefined;
    const duration = a.duration !== undefined
      ? parseDuration(a.duration) ?? 0
      : (nextStart ?? lap) - start;
    out.push({ node, start, duration });
  });
  return out;
}
