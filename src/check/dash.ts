/**
 * The DASH checks: for each Representation, what its media say against what the MPD says —
 * presence and integrity of every segment, `@codecs` against the sample entry, `tfhd` track
 * ids and timescales against the initialization segment, each segment's earliest
 * presentation time and duration against the SegmentTimeline or `@duration` (in the
 * template's timescale, to one sample), `@startWithSAP`, and segment indexes.
 *
 * @module
 */
import { checkCodecs, checkSidx, checkTrackIds, fileLayout, reportRead } from "./track_checks.ts";
import type { DashTrack, MediaRef, Placement } from "./dash_tracks.ts";
import { dependsOn, type InitFacts, isSync, type TrackInit } from "./mp4_facts.ts";
import { type Findings, secs, type SegmentView, type TrackReport } from "./problems.ts";
import type { Item, ItemResult } from "./runner.ts";
import { editShift, mainTrack, type MediaSpan, mediaSpan } from "./timing.ts";

/** What the checks of one track read. */
interface TrackContext {
  found: Findings;
  track: DashTrack;
  results: Map<Item, ItemResult>;
}

/** `@startWithSAP` (or, for SegmentBase, `@subsegmentStartsWithSAP`) of a Representation. */
function startWithSap(t: DashTrack): number | undefined {
  const rep = t.rep;
  if (!rep) return undefined;
  const name = rep.addressing.kind === "base" ? "subsegmentStartsWithSAP" : "startWithSAP";
  const v = rep.elements.representation.attrs[name] ?? rep.elements.adaptationSet.attrs[name];
  return v !== undefined && /^\d+$/.test(v.trim()) ? Number(v) : undefined;
}

/** Whether a first sample honours a promised SAP type (1 or 2: sync; 3: an I picture too). */
function honoursSap(flags: number, sap: number): boolean {
  return isSync(flags) || (sap >= 3 && dependsOn(flags) === 2);
}

/** Compares one media segment's span with its placement; returns the span's place in seconds. */
function checkPlacement(
  ctx: TrackContext,
  ref: MediaRef,
  span: MediaSpan,
  media: TrackInit,
  chain: { end?: number },
): void {
  const rep = ctx.track.rep!;
  const a = rep.addressing;
  const p = ref.placement;
  if (!p || (a.kind !== "template" && a.kind !== "list") || media.timescale === undefined) return;
  const ts = a.timescale, mts = media.timescale;
  const toT = (x: number) => x * ts / mts;
  const start = toT(span.presentationStart);
  const duration = toT(span.duration);
  const tolerance = Math.max(toT(span.maxSample), ts / 1000);
  const { found } = ctx;
  const id = ctx.track.id, name = ref.item.name;
  const at = (x: number) => `${secs((x - a.presentationTimeOffset) / ts)} s`;
  const from = `tfdt ${span.decodeStart} at ${mts}/s` +
    (span.presentationStart !== span.decodeStart ? ", with composition offsets and edit list" : "");
  if (p.rule === "timeline") {
    if (Math.abs(start - p.start) > tolerance) {
      found.add(
        "error",
        "timeline-mismatch",
        id,
        name,
        `the media starts at ${at(start)} (${from}); the SegmentTimeline says ${at(p.start)} ` +
          `(S@t ${p.start} at ${ts}/s)`,
      );
    }
    if (Math.abs(duration - p.duration) > tolerance) {
      found.add(
        "error",
        "duration-mismatch",
        id,
        name,
        `the media lasts ${secs(duration / ts)} s (${span.samples} samples); the SegmentTimeline ` +
          `says ${secs(p.duration / ts)} s (S@d ${p.duration} at ${ts}/s)`,
      );
    }
    return;
  }
  // Simple addressing (@duration): each edge may be off by half a segment; the media itself
  // must still run on without gaps or overlaps.
  const nominal = a.duration ?? p.duration;
  if (chain.end !== undefined) {
    const gap = start - chain.end;
    if (Math.abs(gap) > tolerance) {
      found.add(
        "error",
        "timeline-mismatch",
        id,
        name,
        `the media starts at ${at(start)} (${from}), ${secs(Math.abs(gap) / ts)} s ` +
          `${gap > 0 ? "after" : "before"} the previous segment's end (${at(chain.end)})`,
      );
      chain.end += duration;
      if (!checkLength(ctx, ref, duration, nominal, p)) chain.end = undefined;
      return;
    }
  } else if (Math.abs(start - p.start) > nominal / 2) {
    found.add(
      "error",
      "timeline-mismatch",
      id,
      name,
      `the media starts at ${at(start)} (${from}); @duration × number places it at ${
        at(p.start)
      }, ` +
        `more than half a segment away`,
    );
  }
  chain.end = start + duration;
  // After a segment of the wrong length, the next is placed by the manifest again.
  if (!checkLength(ctx, ref, duration, nominal, p)) chain.end = undefined;
}

/**
 * Simple addressing: a segment may be half a segment longer or shorter (the last: shorter).
 * Returns whether its length is acceptable.
 */
function checkLength(
  ctx: TrackContext,
  ref: MediaRef,
  duration: number,
  nominal: number,
  p: Placement,
): boolean {
  const a = ctx.track.rep!.addressing as { timescale: number };
  const last = ctx.track.media[ctx.track.media.length - 1] === ref;
  const tooLong = duration > p.duration + nominal / 2;
  const tooShort = !last && duration < nominal / 2;
  if (!tooLong && !tooShort) return true;
  ctx.found.add(
    "error",
    "duration-mismatch",
    ctx.track.id,
    ref.item.name,
    `the media lasts ${secs(duration / a.timescale)} s; @duration says ${
      secs(nominal / a.timescale)
    } s ` +
      `(more than half a segment ${tooLong ? "longer" : "shorter"})`,
  );
  return false;
}

/** The initialization facts of a track: from its initialization segment, or its first file. */
function trackInit(ctx: TrackContext): InitFacts | undefined {
  const { track, results, found } = ctx;
  if (track.init) {
    const r = results.get(track.init);
    if (!reportRead(found, track.id, track.init, r) || r!.format !== "mp4") return undefined;
    if (!r!.mp4?.init) {
      found.add(
        "error",
        "damaged-segment",
        track.id,
        track.init.name,
        "no movie box (moov): not an initialization segment",
      );
    }
    return r!.mp4?.init;
  }
  return track.media.map((m) => results.get(m.item)?.mp4?.init).find((i) => i !== undefined);
}

/**
 * Checks one Representation and returns its report (its segments on the timeline).
 *
 * @example
 * ```ts
 * import { Findings } from "./problems.ts";
 * import type { DashTrack } from "./dash_tracks.ts";
 * import type { Item, ItemResult } from "./runner.ts";
 * declare const track: DashTrack;
 * declare const results: Map<Item, ItemResult>;
 * const found = new Findings();
 * const report = checkDashTrack(found, track, results);
 * report.views.length; // its media segments
 * ```
 */
export function checkDashTrack(
  found: Findings,
  track: DashTrack,
  results: Map<Item, ItemResult>,
): TrackReport {
  const report: TrackReport = {
    id: track.id,
    kind: track.kind,
    segments: track.media.length,
    views: [],
  };
  if (track.invalid !== undefined) {
    found.add("error", "manifest-invalid", track.id || null, null, track.invalid);
    return report;
  }
  const ctx: TrackContext = { found, track, results };
  const init = trackInit(ctx);
  const main = init ? mainTrack(init.tracks) : undefined;
  const firstName = track.init?.name ?? track.media[0]?.item.name ?? null;
  if (init && init.tracks.length === 0) {
    found.add(
      "error",
      "track-mismatch",
      track.id,
      firstName,
      "the initialization segment declares no track",
    );
  }
  if (init && track.rep?.codecs) {
    const targets = init.tracks.flatMap((t) =>
      t.codec
        ? [{
          track: track.id,
          segment: firstName,
          codec: t.codec,
          what: t.handler === "soun" ? "audio" : track.kind,
        }]
        : []
    );
    checkCodecs(found, track.rep.codecs, "@codecs", targets, {
      severity: "error",
      track: track.id,
    });
  }
  for (const item of track.indexes) reportRead(found, track.id, item, results.get(item));
  const sap = track.kind === "video" ? startWithSap(track) : undefined;
  const edit = main ? editShift(main, init?.movieTimescale) : undefined;
  const chain: { end?: number } = {};
  const rep = track.rep!;
  const a = rep.addressing;
  const ts = a.kind === "template" || a.kind === "list" ? a.timescale : undefined;
  const pto = a.kind === "template" || a.kind === "list" ? a.presentationTimeOffset : 0;
  for (const ref of track.media) {
    const r = results.get(ref.item);
    const view: SegmentView = { name: ref.item.name };
    if (ref.placement && ts) {
      view.manifest = {
        start: rep.periodStart + (ref.placement.start - pto) / ts,
        duration: ref.placement.duration / ts,
      };
    }
    report.views.push(view);
    if (!reportRead(found, track.id, ref.item, r)) {
      view.missing = true;
      chain.end = undefined;
      continue;
    }
    const mp4 = r!.mp4;
    if (!mp4 || !init || !main || !edit) {
      chain.end = undefined;
      continue;
    }
    checkTrackIds(found, track.id, ref.item.name, mp4.fragments, init);
    if (init.fragmented && mp4.fragments.length === 0 && r!.damage.length === 0) {
      found.add(
        "error",
        "damaged-segment",
        track.id,
        ref.item.name,
        "no movie fragment (moof) in a media segment",
      );
      chain.end = undefined;
      continue;
    }
    const span = mediaSpan(mp4.fragments, main.id, edit);
    if (!span) {
      chain.end = undefined; // nothing places it: the next segment starts a new chain
      continue;
    }
    for (const g of span.gaps) {
      found.add(
        "error",
        "timeline-mismatch",
        track.id,
        ref.item.name,
        `fragment ${g.fragment} of the segment starts at decode time ${g.found}; the one before ends at ${g.expected}`,
      );
    }
    if (main.timescale && ts) {
      view.media = {
        start: rep.periodStart + (span.presentationStart * ts / main.timescale - pto) / ts,
        duration: span.duration / main.timescale,
      };
    }
    checkPlacement(ctx, ref, span, main, chain);
    if (sap !== undefined && sap >= 1 && sap <= 3) checkSap(ctx, ref, mp4.fragments, main.id, sap);
  }
  // Segment indexes, against the fragments of the same file.
  const items = [...track.indexes, ...track.media.map((m) => m.item)];
  for (const item of items) {
    const r = results.get(item);
    if (!r?.mp4?.sidx.length) continue;
    const sameFile = items.filter((i) => i.url === item.url).map((i) => ({
      item: i,
      result: results.get(i),
    }));
    checkSidx(found, track.id, item, r, fileLayout(sameFile), init);
  }
  return report;
}

/** `@startWithSAP` 1–3: each segment (each subsegment, for SegmentBase) starts with a SAP. */
function checkSap(
  ctx: TrackContext,
  ref: MediaRef,
  fragments: readonly { trafs: { trackId: number; firstFlags?: number }[] }[],
  trackId: number,
  sap: number,
): void {
  const perFragment = ctx.track.rep?.addressing.kind === "base";
  let index = 0;
  for (const f of fragments) {
    const t = f.trafs.find((x) => x.trackId === trackId);
    if (!t) continue;
    index++;
    if (t.firstFlags !== undefined && !honoursSap(t.firstFlags, sap)) {
      const where = perFragment ? `subsegment ${index} starts` : "the segment starts";
      ctx.found.add(
        "error",
        "sap-missing",
        ctx.track.id,
        ref.item.name,
        `${where} with a sample that is not a sync sample (sample flags 0x${
          t.firstFlags.toString(16).padStart(8, "0")
        }); @${
          perFragment ? "subsegmentStartsWithSAP" : "startWithSAP"
        }="${sap}" promises SAP type ${sap}`,
      );
      return;
    }
    if (!perFragment) return;
  }
}
