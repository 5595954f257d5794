/**
 * The DASH view of `serve --live`: a static MPD played out as a dynamic one, as DASH-IF's
 * livesim2 does, without rewriting a byte of media. Each lap of the content is a Period
 * starting `lap × n` seconds after `availabilityStartTime` (the start of serving), with the
 * VOD's own SegmentTemplate or SegmentList, so every segment keeps its URL — the mirror's
 * own path — and its media times. A SegmentTimeline lists the segments available now (the
 * time-shift window); `$Number$` + `@duration` addressing needs no change at all, the
 * client computes the live edge from the clock. A `UTCTiming` element points at the
 * server's own clock (`/.streamkit/time`, `urn:mpeg:dash:utc:http-iso:2014`).
 *
 * When the event ends (with the content, without `--loop`, or when asked) the MPD turns
 * `type="static"` with a `mediaPresentationDuration`, listing the whole presentation.
 *
 * Supported: SegmentTemplate with `@duration` or a SegmentTimeline (`$Number$` or
 * `$Time$`), and SegmentList with either, at any level, in one or several Periods.
 * SegmentBase and single-file Representations cannot be published segment by segment and
 * are refused.
 *
 * @module
 */
import { expand, segmentSlots, sEntries, type Timing, toS, vodPeriods } from "./dash_vod.ts";
import {
  isoDuration,
  lapAt,
  type LiveEvent,
  type LiveView,
  type Playout,
  playoutEnd,
  slotAvailable,
} from "./live.ts";
import {
  attrsOf,
  buildOrdered,
  childElements,
  childrenOf,
  element,
  localNameOf,
  parseOrdered,
  rootOf,
  setAttr,
  type XmlNode,
} from "./xml_tree.ts";

/** The request path of the server's clock (for `UTCTiming`). */
export const TIME_PATH = "/.streamkit/time";

/** The attributes a SegmentTemplate or SegmentList inherits from the levels above. */
interface Inherited {
  timescale?: string;
  presentationTimeOffset?: string;
  startNumber?: string;
}

/** An ISO 8601 date-time to the millisecond. */
function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

/** Options of {@link dashLiveView}. */
export interface DashLiveOptions {
  /** The event and how it plays out (its `lap` is ignored: the MPD gives it). */
  event: LiveEvent;
  /** Loop the content. */
  loop: boolean;
  /** `MPD@timeShiftBufferDepth`, seconds. */
  window: number;
  /** `MPD@minimumUpdatePeriod`, seconds; default the longest segment. */
  updatePeriod?: number;
}

/**
 * The live view of one static MPD, or undefined when it is already dynamic (served as it
 * is). Throws {@link InputError} when the MPD cannot be played out live.
 *
 * @param path the MPD's request path (`/vod/manifest.mpd`)
 * @param text the MPD
 * @example
 * ```ts
 * import { LiveEvent } from "./live.ts";
 * const text = await Deno.readTextFile("tests/fixtures/dash-time/manifest.mpd");
 * const view = dashLiveView("/manifest.mpd", text, { event: new LiveEvent(0), loop: false, window: 30 });
 * view?.manifest("/manifest.mpd", 4000, "http://127.0.0.1:8000"); // type="dynamic", 1 segment each
 * ```
 */
export function dashLiveView(
  path: string,
  text: string,
  options: DashLiveOptions,
): LiveView | undefined {
  if (/<(?:\w+:)?MPD\b[^>]*\btype\s*=\s*["']dynamic["']/.test(text)) return undefined;
  const { slots, longest, lap } = segmentSlots(text, path);
  const nodes = parseOrdered(text);
  const root = rootOf(nodes)!;
  const periods = vodPeriods(root, lap);
  const playout: Playout = { event: options.event, lap, loop: options.loop, keep: options.window };
  const updatePeriod = options.updatePeriod ?? longest;

  /** Which segments of one timeline a Period lists: by their live start, end, duration. */
  type Listing = (start: number, end: number, duration: number) => boolean;

  /** Rewrites the SegmentTimelines under `node` (a Period, AdaptationSet or Representation). */
  const trimTimelines = (
    node: XmlNode,
    inherited: Record<string, Inherited>,
    periodStart: number,
    vodDuration: number,
    listed: Listing,
    onChange: (rel: number) => void,
  ) => {
    const mine: Record<string, Inherited> = { ...inherited };
    for (const kind of ["SegmentTemplate", "SegmentList"]) {
      const holder = childElements(node, kind)[0];
      if (holder === undefined) continue;
      const a = attrsOf(holder);
      const ctx: Inherited = {
        timescale: a.timescale ?? inherited[kind]?.timescale,
        presentationTimeOffset: a.presentationTimeOffset ?? inherited[kind]?.presentationTimeOffset,
        startNumber: a.startNumber ?? inherited[kind]?.startNumber,
      };
      mine[kind] = ctx;
      const timeline = childElements(holder, "SegmentTimeline")[0];
      if (timeline === undefined) continue;
      const timescale = Number(ctx.timescale ?? 1);
      const pto = Number(ctx.presentationTimeOffset ?? 0);
      const all = expand(sEntries(timeline), pto + vodDuration * timescale);
      const kept: Timing[] = [];
      let first = -1;
      all.forEach((timing, j) => {
        const start = periodStart + (timing.t - pto) / timescale;
        const duration = timing.d / timescale;
        const end = start + duration;
        if (listed(start, end, duration)) {
          if (first < 0) first = j;
          kept.push(timing);
          onChange(end); // published
        } else onChange(end + duration + options.window); // withdrawn (if that is past)
      });
      childrenOf(timeline).splice(0, childrenOf(timeline).length, ...toS(kept));
      if (first > 0) setAttr(holder, "startNumber", Number(ctx.startNumber ?? 1) + first);
      if (kind === "SegmentList") {
        // Keep the SegmentURLs of the listed segments only.
        const urls = childElements(holder, "SegmentURL");
        const keep = new Set(first < 0 ? [] : urls.slice(first, first + kept.length));
        const children = childrenOf(holder);
        children.splice(
          0,
          children.length,
          ...children.filter((c) => localNameOf(c) !== "SegmentURL" || keep.has(c)),
        );
      }
    }
    for (const childName of ["AdaptationSet", "Representation"]) {
      for (const child of childElements(node, childName)) {
        trimTimelines(child, mine, periodStart, vodDuration, listed, onChange);
      }
    }
  };

  /** One lap's copy of VOD Period `i`, starting at live time `start`. */
  const lapPeriod = (
    i: number,
    n: number,
    start: number,
    duration: number,
    listed: Listing,
    onChange: (rel: number) => void,
  ): XmlNode => {
    const vod = periods[i];
    const node = structuredClone(vod.node);
    const id = attrsOf(vod.node).id ?? String(i);
    setAttr(node, "id", n === 0 ? id : `${id}-${n}`);
    setAttr(node, "start", isoDuration(start));
    setAttr(node, "duration", isoDuration(duration));
    trimTimelines(node, {}, start, vod.duration, listed, onChange);
    return node;
  };

  const render = (nowMs: number, origin: string): string => {
    const rel = playout.event.rel(nowMs);
    const end = playoutEnd(playout);
    const ended = rel >= end;
    const out = structuredClone(nodes);
    const mpd = rootOf(out)!;
    const children = childrenOf(mpd);
    const at = children.findIndex((c) => localNameOf(c) === "Period");
    const kept = children.filter((c) => {
      const name = localNameOf(c);
      return name !== "Period" && name !== "UTCTiming";
    });
    const lapPeriods: XmlNode[] = [];
    let changed = 0;
    const onChange = (t: number) => {
      if (t <= rel) changed = Math.max(changed, t);
    };
    if (ended) {
      const last = lapAt(playout, end - 1e-9);
      for (let n = 0; n <= last; n++) {
        periods.forEach((vod, i) => {
          const start = n * lap + vod.start;
          // (An event ended at its very start still has its first Period, empty.)
          if (start >= end - 1e-9 && (n > 0 || i > 0)) return;
          const listed: Listing = (s) => s < end - 1e-9;
          lapPeriods.push(
            lapPeriod(
              i,
              n,
              start,
              Math.max(0, Math.min(vod.duration, end - start)),
              listed,
              () => {},
            ),
          );
        });
      }
      const a = attrsOf(mpd);
      a.type = "static";
      a.mediaPresentationDuration = isoDuration(end);
      a.availabilityStartTime = isoTime(playout.event.startMs);
      a.publishTime = isoTime(playout.event.at(end));
      delete a.minimumUpdatePeriod;
      delete a.timeShiftBufferDepth;
    } else {
      const now = lapAt(playout, rel);
      const low = Math.max(0, Math.floor((rel - options.window - 2 * longest) / lap));
      for (let n = playout.loop ? low : 0; n <= now; n++) {
        periods.forEach((vod, i) => {
          const start = n * lap + vod.start;
          if (start > rel + 1e-9) return;
          if (start + vod.duration + longest + options.window <= rel) return;
          const listed: Listing = (_s, e, d) => e <= rel + 1e-9 && rel < e + d + options.window;
          lapPeriods.push(lapPeriod(i, n, start, vod.duration, listed, onChange));
          changed = Math.max(changed, start);
        });
      }
      const a = attrsOf(mpd);
      a.type = "dynamic";
      delete a.mediaPresentationDuration;
      a.availabilityStartTime = isoTime(playout.event.startMs);
      a.publishTime = isoTime(playout.event.at(changed));
      a.minimumUpdatePeriod = isoDuration(updatePeriod);
      a.timeShiftBufferDepth = isoDuration(options.window);
    }
    const timing = element("UTCTiming", {
      schemeIdUri: "urn:mpeg:dash:utc:http-iso:2014",
      value: `${origin}${TIME_PATH}`,
    });
    const position = at < 0 ? kept.length : kept.filter((c) => children.indexOf(c) < at).length;
    kept.splice(position, 0, ...lapPeriods);
    kept.push(timing);
    children.splice(0, children.length, ...kept);
    return buildOrdered(out);
  };

  return {
    manifests: [path],
    manifest: (p, nowMs, origin) => (p === path ? render(nowMs, origin) : undefined),
    segment(p, nowMs) {
      const list = slots.get(p);
      if (list === undefined) return undefined;
      const rel = playout.event.rel(nowMs);
      return list.some((slot) => slotAvailable(playout, slot, rel, true));
    },
    describe: () => [
      `${path}: ${periods.length} Period${periods.length === 1 ? "" : "s"} of ${
        Number(lap.toFixed(3))
      } s per lap, window ${options.window} s${options.loop ? ", looping" : ""}`,
    ],
  };
}
