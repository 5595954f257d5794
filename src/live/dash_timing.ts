/**
 * DASH live timing (ISO/IEC 23009-1, 5.3.9.5.3 and Annex A.3; DASH-IF IOP 4.3): when each
 * media segment of a dynamic MPD becomes available and until when, for every addressing a
 * live MPD uses — SegmentTemplate with `$Number$` and `@duration`, `$Time$` or `$Number$`
 * with a SegmentTimeline (the origin appends to it), and SegmentList with either.
 *
 * For a segment whose media time is `t` and duration `d` (timescale units) in a Period that
 * starts at `PS` (seconds), with presentation time offset `pto`:
 *
 * ```
 * start             = PS + (t − pto) / timescale                (presentation time, s)
 * end               = start + d / timescale                      (the Period's end at most)
 * availability from = availabilityStartTime + end − availabilityTimeOffset
 * availability to   = availability from + d / timescale + timeShiftBufferDepth
 * ```
 *
 * In a static MPD (the end of the event) every segment listed is available. All times here
 * are on the origin's clock; the recorder turns them into local times.
 *
 * @module
 */
import { parseDuration } from "../dash/duration.ts";
import { inheritedAttr, type Mpd, type Representation } from "../dash/mpd.ts";
import { checkTemplate, fillTemplate } from "../dash/template.ts";
import { childrenNamed, type XmlElement } from "../dash/xml.ts";
import { InputError } from "../errors.ts";
import { parseDateTime } from "./clock.ts";
import type { UtcTiming } from "./utc_timing.ts";

/** The MPD-level facts a live recording needs. */
export interface LiveMpd {
  /** `@type`. */
  type: "static" | "dynamic";
  /** `@availabilityStartTime`, ms since the epoch (origin clock). */
  availabilityStartTime?: number;
  /** `@publishTime`, ms since the epoch. */
  publishTime?: number;
  /** `@mediaPresentationDuration`, seconds. */
  mediaPresentationDuration?: number;
  /** `@minimumUpdatePeriod`, seconds (absent: the MPD does not change). */
  minimumUpdatePeriod?: number;
  /** `@timeShiftBufferDepth`, seconds (absent: unbounded). */
  timeShiftBufferDepth?: number;
  /** `@suggestedPresentationDelay`, seconds. */
  suggestedPresentationDelay?: number;
  /** `@maxSegmentDuration`, seconds. */
  maxSegmentDuration?: number;
  /** The `UTCTiming` elements, in order. */
  utcTimings: UtcTiming[];
  /** The first `Location`, resolved: where to fetch the MPD next. */
  location?: string;
}

/**
 * Reads the live facts of an MPD's root element.
 *
 * @throws {InputError} for a dynamic MPD without `availabilityStartTime`, or a bad value
 * @example
 * ```ts
 * import { parseXml } from "../dash/xml.ts";
 * const text = '<MPD type="dynamic" availabilityStartTime="2026-12-04T10:00:00Z" ' +
 *   'minimumUpdatePeriod="PT2S"><Period/></MPD>';
 * const live = readLiveMpd(parseXml(text), "https://cdn.example/live.mpd");
 * live.minimumUpdatePeriod; // 2
 * ```
 */
export function readLiveMpd(root: XmlElement, url: string): LiveMpd {
  const a = root.attrs;
  const duration = (name: string): number | undefined => {
    if (a[name] === undefined) return undefined;
    const d = parseDuration(a[name]);
    if (d === undefined || d < 0) {
      throw new InputError(`@${name}="${a[name]}" is not a duration`, `${url}: MPD`);
    }
    return d;
  };
  const date = (name: string): number | undefined => {
    if (a[name] === undefined) return undefined;
    const ms = parseDateTime(a[name]);
    if (ms === undefined) {
      throw new InputError(`@${name}="${a[name]}" is not an xs:dateTime`, `${url}: MPD`);
    }
    return ms;
  };
  const type = a.type === "dynamic" ? "dynamic" : "static";
  const live: LiveMpd = {
    type,
    availabilityStartTime: date("availabilityStartTime"),
    publishTime: date("publishTime"),
    mediaPresentationDuration: duration("mediaPresentationDuration"),
    minimumUpdatePeriod: duration("minimumUpdatePeriod"),
    timeShiftBufferDepth: duration("timeShiftBufferDepth"),
    suggestedPresentationDelay: duration("suggestedPresentationDelay"),
    maxSegmentDuration: duration("maxSegmentDuration"),
    utcTimings: childrenNamed(root, "UTCTiming").map((u) => ({
      scheme: u.attrs.schemeIdUri ?? "",
      value: u.attrs.value ?? "",
    })),
  };
  const location = childrenNamed(root, "Location")[0]?.text;
  if (location) {
    try {
      live.location = new URL(location, url).href;
    } catch {
      throw new InputError(`Location "${location}" is not a URL`, `${url}: MPD`);
    }
  }
  if (type === "dynamic" && live.availabilityStartTime === undefined) {
    throw new InputError(
      'MPD@type="dynamic" (a live stream) needs @availabilityStartTime to say when its ' +
        "segments are available",
      `${url}: MPD`,
    );
  }
  return live;
}

/** One Representation of one Period, as the recorder follows it. */
export interface LiveTrack {
  /** Unique across Periods: the Period's key and the Representation's id. */
  key: string;
  /** `Period@id`, or `@<start>` without one. */
  periodKey: string;
  /** The Representation, with everything it inherits. */
  rep: Representation;
  /** The Period's start, seconds. */
  periodStart: number;
  /** The Period's end, seconds, when known. */
  periodEnd?: number;
  /** `@timescale`. */
  timescale: number;
  /** `@presentationTimeOffset`. */
  pto: number;
  /** The availability time offset, seconds (SegmentTemplate/SegmentList plus BaseURLs). */
  ato: number;
  /** The initialization segment's URL, when it has one. */
  initUrl?: string;
}

/** A media segment of a track, with its times. */
export interface Slot {
  /** `$Number$`. */
  number: number;
  /** Media time (`$Time$`), timescale units. */
  t: number;
  /** Duration, timescale units. */
  d: number;
  /** Start and end on the presentation timeline, seconds. */
  start: number;
  /** The end (the Period's end at most). */
  end: number;
  /** From when it may be requested, ms since the epoch (origin clock). */
  availableAt: number;
  /** Until when it stays available (Infinity without a time-shift buffer). */
  availableUntil: number;
  /** Its URL. */
  url: string;
}

/** Which slots of a track {@link trackSlots} gives. */
export interface SlotRange {
  /** Only those after this media time (exclusive): continuing a track. */
  afterT?: number;
  /** Only those ending after this presentation time (the start of the recording). */
  endAfter?: number;
  /** Only those starting before this presentation time (`--duration`). */
  startBefore?: number;
  /** Only those available by this origin time (ms). */
  horizon: number;
  /** At most this many. */
  limit: number;
}

/** Seconds of tolerance when comparing presentation times computed from different tracks. */
const EPS = 1e-6;

/** The availability time offset of a Representation, seconds ("INF" counts as 0 here). */
function availabilityTimeOffset(rep: Representation): number {
  const own = inheritedAttr(rep.elements.addressing, "availabilityTimeOffset")?.value;
  let sum = own !== undefined && /^[\d.]+$/.test(own) ? Number(own) : 0;
  const { period, adaptationSet, representation } = rep.elements;
  for (const level of [period, adaptationSet, representation]) {
    const base = childrenNamed(level, "BaseURL")[0]?.attrs.availabilityTimeOffset;
    if (base !== undefined && /^[\d.]+$/.test(base)) sum += Number(base);
  }
  return sum;
}

/**
 * The tracks of a parsed MPD that a recorder can follow: SegmentTemplate or SegmentList
 * Representations with `@duration` or a SegmentTimeline. The others are named in `skipped`.
 *
 * @example
 * ```ts
 * import { parseMpd } from "../dash/mpd.ts";
 * declare const text: string;
 * const mpd = parseMpd(text, "https://cdn.example/live.mpd", { tolerant: true });
 * const skipped: string[] = [];
 * liveTracks(mpd, skipped).map((t) => t.key); // ["p0\n0", "p0\n1", …]
 * ```
 */
export function liveTracks(mpd: Mpd, skipped: string[]): LiveTrack[] {
  const tracks: LiveTrack[] = [];
  for (const rep of mpd.representations) {
    const a = rep.addressing;
    const periodKey = rep.periodId ?? `@${rep.periodStart}`;
    const why = unusable(rep);
    if (why !== undefined) {
      skipped.push(`${rep.where}: ${why}`);
      continue;
    }
    if (a.kind !== "template" && a.kind !== "list") continue;
    let initUrl: string | undefined;
    if (a.kind === "template" && a.initializationTemplate !== undefined) {
      initUrl = resolve(fillTemplate(a.initializationTemplate, values(rep)), rep.baseUrl);
    } else if (a.initialization) {
      initUrl = resolve(a.initialization.url, rep.baseUrl);
    }
    tracks.push({
      key: `${periodKey}\n${rep.id}`,
      periodKey,
      rep,
      periodStart: rep.periodStart,
      periodEnd: rep.periodDuration === undefined
        ? undefined
        : rep.periodStart + rep.periodDuration,
      timescale: a.timescale,
      pto: a.presentationTimeOffset,
      ato: availabilityTimeOffset(rep),
      initUrl,
    });
  }
  return tracks;
}

/** Why a Representation cannot be recorded live, or undefined when it can. */
function unusable(rep: Representation): string | undefined {
  const a = rep.addressing;
  if (a.kind === "base" || a.kind === "single") {
    return "SegmentBase or a single file cannot be recorded segment by segment";
  }
  if (a.timeline === undefined && a.duration === undefined) {
    return "neither @duration nor a SegmentTimeline says when segments are available";
  }
  if (a.timeline?.some((s) => s.k > 1)) return "S@k (Segment Sequences) is not supported live";
  if (a.kind === "template") {
    if (a.media === undefined) return "SegmentTemplate@media is missing";
    for (const t of [a.media, a.initializationTemplate]) {
      const problem = t === undefined ? undefined : checkTemplate(t);
      if (problem) return problem;
    }
    if (/\$SubNumber/.test(a.media)) return "$SubNumber$ is not supported live";
  } else if (a.segmentUrls.some((s) => s.mediaRange !== undefined)) {
    return "SegmentURL@mediaRange (segments inside one growing file) is not supported live";
  }
  return undefined;
}

function values(rep: Representation) {
  return { representationId: rep.id, bandwidth: rep.bandwidth };
}

function resolve(ref: string | undefined, base: string): string {
  return ref === undefined ? base : new URL(ref, base).href;
}

/** The URL of the `index`-th segment listed (0 = the one numbered `startNumber`). */
function slotUrl(track: LiveTrack, index: number, number: number, t: number): string | undefined {
  const a = track.rep.addressing;
  if (a.kind === "template") {
    return resolve(
      fillTemplate(a.media!, { ...values(track.rep), number, time: t }),
      track.rep.baseUrl,
    );
  }
  if (a.kind !== "list") return undefined;
  const s = a.segmentUrls[index];
  return s === undefined ? undefined : resolve(s.media, track.rep.baseUrl);
}

/** Builds a slot from its media time and duration. */
function makeSlot(
  track: LiveTrack,
  live: LiveMpd,
  number: number,
  t: number,
  d: number,
  url: string,
): Slot {
  const start = track.periodStart + (t - track.pto) / track.timescale;
  let end = start + d / track.timescale;
  if (track.periodEnd !== undefined) end = Math.min(end, track.periodEnd);
  if (live.type === "static" || live.availabilityStartTime === undefined) {
    return { number, t, d, start, end, availableAt: -Infinity, availableUntil: Infinity, url };
  }
  const ato = Math.min(track.ato, end - start);
  const availableAt = live.availabilityStartTime + (end - ato) * 1000;
  const tsbd = live.timeShiftBufferDepth;
  const availableUntil = tsbd === undefined ? Infinity : availableAt + (end - start + tsbd) * 1000;
  return { number, t, d, start, end, availableAt, availableUntil, url };
}

/**
 * The media segments of a track within `range`, in order. The count is bounded by
 * `range.limit`, so an unbounded timeline (`S@r="-1"`, `@duration` without a Period end)
 * costs only what is asked for.
 *
 * @example
 * ```ts
 * declare const track: LiveTrack;
 * declare const live: LiveMpd;
 * trackSlots(track, live, { endAfter: 120, horizon: Date.now(), limit: 100 });
 * ```
 */
export function trackSlots(track: LiveTrack, live: LiveMpd, range: SlotRange): Slot[] {
  const a = track.rep.addressing;
  if (a.kind !== "template" && a.kind !== "list") return [];
  const out: Slot[] = [];
  const ts = track.timescale;
  const periodEnd = track.periodEnd ??
    (live.type === "static" ? live.mediaPresentationDuration : undefined);
  /** Whether a slot passes the range; "stop" when no later slot can. */
  const verdict = (slot: Slot): "take" | "skip" | "stop" => {
    if (periodEnd !== undefined && slot.start >= periodEnd - EPS) return "stop";
    if (range.startBefore !== undefined && slot.start >= range.startBefore - EPS) return "stop";
    if (slot.availableAt > range.horizon) return "stop";
    if (a.endNumber !== undefined && slot.number > a.endNumber) return "stop";
    if (range.afterT !== undefined && slot.t <= range.afterT) return "skip";
    if (range.endAfter !== undefined && slot.end <= range.endAfter + EPS) return "skip";
    return "take";
  };
  if (a.timeline === undefined) {
    const d = a.duration!;
    let k = 0;
    if (range.afterT !== undefined) k = Math.max(k, Math.floor((range.afterT - track.pto) / d) + 1);
    if (range.endAfter !== undefined) {
      k = Math.max(k, Math.floor((range.endAfter - track.periodStart) * ts / d + EPS));
    }
    for (; out.length < range.limit; k++) {
      const url = slotUrl(track, k, a.startNumber + k, track.pto + k * d);
      if (url === undefined) break;
      const slot = makeSlot(track, live, a.startNumber + k, track.pto + k * d, d, url);
      const v = verdict(slot);
      if (v === "stop") break;
      if (v === "take") out.push(slot);
    }
    return out;
  }
  let number = a.startNumber;
  let index = 0;
  let cursor = 0;
  const entries = a.timeline;
  for (let i = 0; i < entries.length && out.length < range.limit; i++) {
    const s = entries[i];
    if (s.n !== undefined) number = s.n;
    let t = s.t ?? cursor;
    const next = entries[i + 1]?.t;
    // S@r="-1": up to the next S@t, the Period's end, or (live) as far as asked.
    const repeats = s.r >= 0
      ? s.r
      : next !== undefined
      ? Math.max(0, Math.ceil((next - t) / s.d - 1e-9) - 1)
      : periodEnd !== undefined
      ? Math.max(
        0,
        Math.ceil(((periodEnd - track.periodStart) * ts + track.pto - t) / s.d - 1e-9) - 1,
      )
      : Infinity;
    for (let j = 0; j <= repeats && out.length < range.limit; j++) {
      const url = slotUrl(track, index, number, t);
      if (url === undefined) return out;
      const slot = makeSlot(track, live, number, t, s.d, url);
      const v = verdict(slot);
      if (v === "stop") return out;
      if (v === "take") out.push(slot);
      number++;
      index++;
      t += s.d;
    }
    cursor = t;
  }
  return out;
}

/**
 * The newest segment of a track available at origin time `now`, or undefined.
 *
 * @example
 * ```ts
 * declare const track: LiveTrack;
 * declare const live: LiveMpd;
 * newestAvailable(track, live, Date.now())?.number;
 * ```
 */
export function newestAvailable(track: LiveTrack, live: LiveMpd, now: number): Slot | undefined {
  const a = track.rep.addressing;
  if (a.kind !== "template" && a.kind !== "list") return undefined;
  let endAfter: number | undefined;
  if (a.timeline === undefined && live.availabilityStartTime !== undefined) {
    // Straight to the edge: the segment ending at or before now (plus the offset), less one.
    const edge = (now - live.availabilityStartTime) / 1000 + track.ato;
    endAfter = edge - 2 * a.duration! / track.timescale;
  }
  const slots = trackSlots(track, live, { endAfter, horizon: now, limit: 1_000_000 });
  return slots.at(-1);
}

/**
 * The oldest segment of a track still available at origin time `now` and for `marginMs`
 * more (time to fetch it), or undefined.
 */
export function oldestAvailable(
  track: LiveTrack,
  live: LiveMpd,
  now: number,
  marginMs: number,
): Slot | undefined {
  const a = track.rep.addressing;
  if (a.kind !== "template" && a.kind !== "list") return undefined;
  const tsbd = live.timeShiftBufferDepth;
  let endAfter: number | undefined;
  if (tsbd !== undefined && live.availabilityStartTime !== undefined) {
    endAfter = (now - live.availabilityStartTime) / 1000 - tsbd - 2 * maxDuration(track);
  }
  // Past the first few, every later segment stays available longer still.
  for (const slot of trackSlots(track, live, { endAfter, horizon: now, limit: 64 })) {
    if (slot.availableUntil > now + marginMs) return slot;
  }
  return undefined;
}

/** The longest segment of a track, seconds. */
export function maxDuration(track: LiveTrack): number {
  const a = track.rep.addressing;
  if (a.kind !== "template" && a.kind !== "list") return 0;
  const d = a.timeline ? Math.max(0, ...a.timeline.map((s) => s.d)) : a.duration ?? 0;
  return d / track.timescale;
}
