/**
 * The HLS checks: for each media playlist, what its segments say against what the playlists
 * say — presence and integrity (MP4 boxes, MPEG-TS packets, AES-128 blocks), `EXTINF`
 * against `EXT-X-TARGETDURATION` (rounded, RFC 8216 4.3.3.1) and against the media's own
 * duration, the media running on without gaps from one segment to the next (except at
 * `EXT-X-DISCONTINUITY`), random access at each video segment's start, `tfhd` track ids
 * against the EXT-X-MAP, and every variant's `CODECS` against the media of the variant and
 * of the renditions it uses.
 *
 * @module
 */
import type { MediaCodec } from "./codecs.ts";
import type { MediaPlaylist, Segment } from "../hls/playlist.ts";
import type { HlsPlan, HlsSegmentRef, HlsTrack } from "./hls_tracks.ts";
import { type InitFacts, isSync } from "./mp4_facts.ts";
import { type Findings, secs, type SegmentView, type TrackReport } from "./problems.ts";
import { initKey, type Item, type ItemResult } from "./runner.ts";
import { editShift, mainTrack, mediaSpan } from "./timing.ts";
import {
  checkCodecs,
  checkSidx,
  checkTrackIds,
  type CodecTarget,
  fileLayout,
  reportRead,
} from "./track_checks.ts";
import { tsDuration } from "./ts_facts.ts";

export { hlsTracks } from "./hls_tracks.ts";

/** Where a segment's media is, in seconds, and how precisely that can be compared. */
interface Timing {
  start: number;
  duration: number;
  tolerance: number;
  /** Whether it is video whose first picture is (or is not) a random access point. */
  sync?: boolean;
}

/** The MPEG-TS clock wraps every 2^33 ticks of 90 kHz. */
const TS_WRAP = 2 ** 33 / 90000;

/** Half the last decimal of a number as written: "2.000000" → 0.0000005, "10" → 0.5. */
function precision(text: string): number {
  const decimals = /\.(\d+)/.exec(text)?.[1].length ?? 0;
  return 0.5 * 10 ** -decimals;
}

/** What the media of one track says about its codecs, and its kind (from the first segment read). */
interface TrackMedia {
  codecs?: { codec: MediaCodec; what: string }[];
  segment?: string;
  kind?: string;
}

function fmp4Timing(r: ItemResult, init: InitFacts | undefined): Timing | undefined {
  if (!init || !r.mp4) return undefined;
  const main = mainTrack(init.tracks);
  if (!main?.timescale) return undefined;
  const span = mediaSpan(r.mp4.fragments, main.id, editShift(main, init.movieTimescale));
  if (!span) return undefined;
  const ts = main.timescale;
  return {
    start: span.presentationStart / ts,
    duration: span.duration / ts,
    tolerance: Math.max(span.maxSample, 1) / ts,
    sync: main.handler === "vide" && span.firstFlags !== undefined
      ? isSync(span.firstFlags)
      : undefined,
  };
}

function tsTiming(r: ItemResult): Timing | undefined {
  const streams = r.ts?.streams ?? [];
  const main = streams.find((s) => s.kind === "video") ?? streams.find((s) => s.kind === "audio");
  if (!main || main.ptsMin === undefined) return undefined;
  const duration = tsDuration(main);
  if (duration === undefined) return undefined;
  const frame = main.adts ? 1024 / main.adts.rate : (main.step ?? 0) / 90000;
  return {
    start: main.ptsMin / 90000,
    duration,
    tolerance: Math.max(frame, 0.001),
    sync: main.kind === "video" ? main.startsWithRap : undefined,
  };
}

/** Checks one media playlist; fills what its media say about codecs. */
function checkTrack(
  found: Findings,
  t: HlsTrack,
  results: Map<Item, ItemResult>,
  media: TrackMedia,
): TrackReport {
  const report: TrackReport = { id: t.id, kind: t.kind, segments: 0, views: [] };
  const p = t.playlist;
  if (!p) return report;
  report.segments = t.segments.filter((s) => s.item).length;
  const inits = new Map<string, InitFacts>();
  for (const item of t.inits) {
    const r = results.get(item);
    if (!reportRead(found, t.id, item, r)) continue;
    if (r!.format === "mp4" && !r!.mp4?.init) {
      found.add(
        "error",
        "damaged-segment",
        t.id,
        item.name,
        "no movie box (moov): not an initialization section",
      );
    }
    if (r!.mp4?.init) inits.set(initKey(item.url, item.window), r!.mp4.init);
  }
  for (const item of t.keys) reportRead(found, t.id, item, results.get(item));
  let chainEnd: number | undefined;
  let base: number | undefined;
  for (const ref of t.segments) {
    const s = ref.segment;
    const view: SegmentView = {
      name: ref.name,
      manifest: { start: ref.start, duration: s.duration },
    };
    report.views.push(view);
    if (Math.round(s.duration) > p.targetDuration) {
      found.add(
        "error",
        "target-duration-exceeded",
        t.id,
        ref.name,
        `EXTINF ${ref.extinf} rounds to ${
          Math.round(s.duration)
        } s, above EXT-X-TARGETDURATION ${p.targetDuration}`,
      );
    }
    if (s.discontinuity) chainEnd = base = undefined;
    if (!ref.item) continue;
    const r = lenient(p, s, results.get(ref.item));
    if (!reportRead(found, t.id, ref.item, r)) {
      view.missing = true;
      chainEnd = undefined;
      continue;
    }
    let timing: Timing | undefined;
    if (r!.format === "mp4" && r!.mp4) {
      const init = ref.item.init ? inits.get(ref.item.init) : r!.mp4.init;
      if (!init && !ref.item.init && r!.damage.length === 0) {
        found.add(
          "error",
          "damaged-segment",
          t.id,
          ref.name,
          "an fMP4 segment without an initialization section (EXT-X-MAP)",
        );
      }
      if (init) {
        checkTrackIds(found, t.id, ref.name, r!.mp4.fragments, init);
        if (r!.mp4.sidx.length > 0 && !p.iFramesOnly) {
          const layout = fileLayout([{ item: ref.item, result: r }]);
          checkSidx(found, t.id, ref.item, r!, layout, init);
        }
        media.codecs ??= init.tracks.flatMap((x) =>
          x.codec
            ? [{
              codec: x.codec,
              what: x.handler === "soun" ? "audio" : x.handler === "vide" ? "video" : "media",
            }]
            : []
        );
        media.kind ??= {
          vide: "video",
          soun: "audio",
          text: "text",
          subt: "text",
          sbtl: "text",
        }[mainTrack(init.tracks)?.handler ?? ""];
        if (
          init.fragmented && r!.mp4.fragments.length === 0 && r!.damage.length === 0 &&
          !p.iFramesOnly
        ) {
          found.add(
            "error",
            "damaged-segment",
            t.id,
            ref.name,
            "no movie fragment (moof) in a media segment",
          );
        }
      }
      timing = fmp4Timing(r!, init);
    } else if (r!.format === "ts" && r!.ts) {
      media.codecs ??= r!.ts.streams.flatMap((
        x,
      ) => (x.codec ? [{ codec: x.codec, what: x.kind }] : []));
      media.kind ??= r!.ts.streams.some((x) => x.kind === "video")
        ? "video"
        : r!.ts.streams.length
        ? "audio"
        : undefined;
      timing = tsTiming(r!);
    }
    media.segment ??= ref.item.init ? t.inits[0]?.name ?? ref.name : ref.name;
    if (!timing) {
      chainEnd = undefined; // nothing places it: the next segment starts a new chain
      continue;
    }
    checkSync(found, t, ref, timing);
    if (p.iFramesOnly) continue; // an I-frame segment is one picture; EXTINF is the interval
    const lengthOk = checkTiming(found, t.id, ref, timing, chainEnd);
    if (chainEnd !== undefined && r!.format === "ts") {
      while (timing.start - chainEnd < -TS_WRAP / 2) timing.start += TS_WRAP;
    }
    const gap = chainEnd === undefined ? 0 : timing.start - chainEnd;
    // A misplaced segment does not move the next one; after one of the wrong length, the
    // next starts a new chain.
    chainEnd = (Math.abs(gap) > timing.tolerance ? chainEnd! : timing.start) + timing.duration;
    if (!lengthOk) chainEnd = undefined;
    base ??= ref.start - timing.start;
    view.media = { start: timing.start + base, duration: timing.duration };
  }
  return report;
}

/**
 * What an item's damage means in its playlist: an I-frame segment's byte range holds the
 * start of an mdat only (its picture), and an MPEG-TS segment after an EXT-X-MAP has its
 * PAT and PMT there.
 */
function lenient(p: MediaPlaylist, s: Segment, r: ItemResult | undefined): ItemResult | undefined {
  if (!r) return r;
  let damage = r.damage;
  if (p.iFramesOnly) damage = damage.filter((d) => !/^box 'mdat' /.test(d));
  if (s.map) damage = damage.filter((d) => !/^no PAT\/PMT/.test(d));
  return damage === r.damage ? r : { ...r, damage };
}

/**
 * EXTINF against the media's duration, and the media against the previous segment's end.
 * Returns whether the media's duration agrees with EXTINF.
 */
function checkTiming(
  found: Findings,
  track: string,
  ref: HlsSegmentRef,
  timing: Timing,
  chainEnd: number | undefined,
): boolean {
  const extinf = ref.segment.duration;
  const tolerance = Math.max(timing.tolerance, precision(ref.extinf));
  const lengthOk = Math.abs(timing.duration - extinf) <= tolerance;
  if (!lengthOk) {
    found.add(
      "error",
      "duration-mismatch",
      track,
      ref.name,
      `the media lasts ${secs(timing.duration)} s; EXTINF says ${ref.extinf}`,
    );
  }
  if (chainEnd === undefined) return lengthOk;
  let start = timing.start;
  while (start - chainEnd < -TS_WRAP / 2) start += TS_WRAP;
  const gap = start - chainEnd;
  if (Math.abs(gap) > timing.tolerance) {
    found.add(
      "error",
      "timeline-mismatch",
      track,
      ref.name,
      `the media starts at ${secs(start)} s, ${secs(Math.abs(gap))} s ${
        gap > 0 ? "after" : "before"
      } ` +
        `the previous segment's end (${secs(chainEnd)} s) with no EXT-X-DISCONTINUITY`,
    );
  }
  return lengthOk;
}

/** A video segment starts with a sync sample: required with EXT-X-INDEPENDENT-SEGMENTS and in I-frame playlists. */
function checkSync(found: Findings, t: HlsTrack, ref: HlsSegmentRef, timing: Timing): void {
  if (timing.sync !== false) return;
  const required = t.independent || (t.playlist?.iFramesOnly ?? false);
  found.add(
    required ? "error" : "warning",
    "sap-missing",
    t.id,
    ref.name,
    `the segment does not start with a sync sample (an IDR picture)` +
      (required
        ? t.playlist?.iFramesOnly
          ? " in an I-frame playlist"
          : "; EXT-X-INDEPENDENT-SEGMENTS says every segment does"
        : "; players cannot start or switch here"),
  );
}

/** Each variant's CODECS against its media and that of the renditions it uses. */
function checkVariantCodecs(
  found: Findings,
  plan: HlsPlan,
  media: Map<HlsTrack, TrackMedia>,
): void {
  const master = plan.master;
  if (!master) return;
  for (const v of master.variants) {
    const own = plan.byRef.get(v.ref);
    if (!own || v.codecs === undefined) continue;
    const members: HlsTrack[] = [own];
    for (
      const [type, group] of [["AUDIO", v.groups.audio], ["VIDEO", v.groups.video], [
        "SUBTITLES",
        v.groups.subtitles,
      ]]
    ) {
      if (group === undefined) continue;
      for (const r of master.renditions) {
        const t = r.type === type && r.groupId === group && r.ref
          ? plan.byRef.get(r.ref)
          : undefined;
        if (t && !members.includes(t)) members.push(t);
      }
    }
    const targets: CodecTarget[] = [];
    let complete = true;
    for (const m of members) {
      const got = media.get(m);
      if (!got?.codecs) {
        complete &&= m.kind === "text";
        continue;
      }
      for (const c of got.codecs) {
        targets.push({ track: m.id, segment: got.segment ?? null, codec: c.codec, what: c.what });
      }
    }
    checkCodecs(
      found,
      v.codecs,
      `CODECS of ${v.ref.uri}`,
      targets,
      complete ? { severity: "warning", track: own.id } : undefined,
    );
  }
}

/**
 * Checks every media playlist of a plan; returns their reports in order.
 *
 * @example
 * ```ts
 * import { Findings } from "./problems.ts";
 * import type { HlsPlan } from "./hls_tracks.ts";
 * import type { Item, ItemResult } from "./runner.ts";
 * declare const plan: HlsPlan;
 * declare const results: Map<Item, ItemResult>;
 * const reports = checkHlsTracks(new Findings(), plan, results);
 * ```
 */
export function checkHlsTracks(
  found: Findings,
  plan: HlsPlan,
  results: Map<Item, ItemResult>,
): TrackReport[] {
  const media = new Map<HlsTrack, TrackMedia>();
  const reports = plan.tracks.map((t) => {
    const m: TrackMedia = {};
    media.set(t, m);
    const report = checkTrack(found, t, results, m);
    if (t.kind === "") report.kind = t.kind = m.kind ?? "video";
    return report;
  });
  checkVariantCodecs(found, plan, media);
  return reports;
}
