/**
 * `--select` and `--range` on an MPD: the MPD of what is kept, which `planDash` then plans
 * and rewrites like any other (so the plan requests exactly the kept segments, and the saved
 * copy addresses exactly the saved files).
 *
 * - Representations left out are removed, with AdaptationSets left empty, and Periods left
 *   empty.
 * - With a range, each kept Representation whose addressing gives times (a SegmentTimeline
 *   or `@duration`) keeps the media segments that overlap `[START, END)`: it gets addressing
 *   of its own with a SegmentTimeline of exactly those (`S@t` the media time they had, so
 *   `$Time$` and `$Number$` — `@startNumber` is the first kept number — build the same
 *   names), a SegmentList keeping only their `SegmentURL`s. Initialization segments stay.
 *   One without times (SegmentBase, a single file) is kept whole, with a note.
 * - The kept span of each Period (from the earliest kept segment to the end of the latest,
 *   within the Period) begins where the Periods kept before it end: `Period@start` and
 *   `@duration` say so, each ranged Representation's `@presentationTimeOffset` moves by the
 *   same amount (the tracks stay in sync; a player plays the kept span from its start), and
 *   so do the Period's EventStreams; `MPD@mediaPresentationDuration` is the sum.
 *
 * @module
 */
import { UsageError } from "../errors.ts";
import { overlaps, type TimeRange } from "../select/range.ts";
import type { CutTrack, LeftOut } from "../select/report.ts";
import { round3, trackLabel } from "../select/track.ts";
import { mpdDocument, readMpd, segmentUrlHolder } from "./mpd.ts";
import type { ListAddressing, Mpd, TemplateAddressing, TimelineEntry } from "./mpd_model.ts";
import {
  mergedAddressing,
  type MergeOverrides,
  removeRepresentations,
  setOwnAddressing,
  timelineNode,
  usersOf,
  xmlAddressing,
} from "./mpd_edit.ts";
import { segmentSource } from "./segments.ts";
import { hash64 } from "../mirror/claims.ts";
import type { RepresentationTrack } from "./tracks.ts";
import { childrenNamed, type XmlElement } from "./xml.ts";
import { type NewNode, XmlEditor } from "./xml_edit.ts";

/** What {@link selectDash} needs. */
export interface DashSelectionInput {
  /** The MPD as fetched. */
  text: string;
  /** Its URL (relative references resolve against it). */
  url: string;
  /** It, parsed (tolerantly). */
  mpd: Mpd;
  /** Its tracks (`representationTracks`). */
  tracks: RepresentationTrack[];
  /** Whether `--select` keeps each track. */
  kept: boolean[];
  /** Why each track `--select` leaves out is left out. */
  reasons: (string | undefined)[];
  /** `--range`, if given. */
  range?: TimeRange;
}

/** The MPD of what is kept. */
export interface DashSelection {
  /** The MPD to plan from (the input itself when nothing is left out). */
  text: string;
  /** Whether it differs from the input. */
  changed: boolean;
  /** The tracks kept. */
  kept: RepresentationTrack[];
  /** The tracks left out. */
  left: LeftOut[];
  /** The tracks a range cut. */
  cut: CutTrack[];
  /** Things to know (a track a range cannot cut). */
  notes: string[];
}

/** An ISO 8601 duration to the millisecond (`PT12.5S`). */
function isoDuration(seconds: number): string {
  const ms = Math.max(0, Math.round(seconds * 1000));
  const frac = ms % 1000 === 0 ? "" : `.${String(ms % 1000).padStart(3, "0").replace(/0+$/, "")}`;
  return `PT${Math.floor(ms / 1000)}${frac}S`;
}

/** The SegmentTimeline entries of the kept media segments (consecutive ones folded). */
function keptTimeline(t: RepresentationTrack, indices: number[]): {
  entries: TimelineEntry[];
  first: number;
} {
  const media = t.segments.filter((s) => s.kind === "media");
  // Sub-numbered segments ($SubNumber$) share a number and a time: one slot, `k` of them.
  const slots: { number: number; t: number; d: number; k: number }[] = [];
  for (const j of indices) {
    const p = t.spans![j].placement;
    const number = media[j].number ?? j + 1;
    const last = slots.at(-1);
    if (last && last.number === number && last.t === p.start) last.k++;
    else slots.push({ number, t: p.start, d: p.duration, k: 1 });
  }
  const entries: TimelineEntry[] = [];
  let end = -Infinity, number = NaN;
  for (const s of slots) {
    const last = entries.at(-1);
    const contiguous = s.t === end && s.number === number + 1;
    if (last && contiguous && s.d === last.d && s.k === last.k) last.r++;
    else {
      entries.push({
        t: contiguous ? undefined : s.t,
        n: last && s.number !== number + 1 ? s.number : undefined,
        d: s.d,
        r: 0,
        k: s.k,
      });
    }
    end = s.t + s.d;
    number = s.number;
  }
  return { entries, first: slots[0].number };
}

/**
 * Makes the MPD of what `--select` and `--range` keep; see the module documentation.
 *
 * @throws {UsageError} when the range keeps nothing
 * @example
 * ```ts
 * import { parseMpd } from "./mpd.ts";
 * import { representationTracks } from "./tracks.ts";
 * const url = "https://cdn.example/vod/manifest.mpd";
 * const text = await Deno.readTextFile("manifest.mpd");
 * const mpd = parseMpd(text, url, { tolerant: true });
 * const tracks = representationTracks(mpd, url);
 * const kept = tracks.map((t) => t.track.kind !== "video" || t.track.height === 720);
 * const { text: selected } = selectDash({
 *   text,
 *   url,
 *   mpd,
 *   tracks,
 *   kept,
 *   reasons: [],
 *   range: { start: 60, end: 120, text: "60-120" },
 * });
 * ```
 */
export function selectDash(input: DashSelectionInput): DashSelection {
  const { text, mpd, tracks, range } = input;
  const left: LeftOut[] = [];
  const cut: CutTrack[] = [];
  const notes: string[] = [];
  const dropped = new Set<RepresentationTrack>();
  const keptMedia = new Map<RepresentationTrack, number[]>();
  const leave = (t: RepresentationTrack, reason: string) => {
    dropped.add(t);
    left.push({ id: t.track.id, label: trackLabel(t.track), period: t.track.period, reason });
  };
  tracks.forEach((t, i) => {
    if (!input.kept[i]) return leave(t, input.reasons[i] ?? "not selected");
    if (range === undefined || t.error !== undefined) return;
    if (t.spans === undefined) {
      notes.push(
        `${t.rep.where}: its addressing gives no segment times (SegmentBase, a single file): ` +
          `--range cannot cut it; kept whole`,
      );
      return;
    }
    const indices = t.spans.flatMap((s, j) => overlaps(range, s.start, s.end) ? [j] : []);
    if (indices.length === 0) return leave(t, `no segment in --range ${range.text}`);
    keptMedia.set(t, indices);
    if (indices.length < t.spans.length) {
      const { id, period } = t.track;
      cut.push({ id, period, kept: indices.length, of: t.spans.length });
    }
  });
  if (tracks.length > 0 && dropped.size === tracks.length) {
    const end = Math.max(...tracks.flatMap((t) => t.spans?.map((s) => s.end) ?? []));
    const ends = Number.isFinite(end) ? ` (the presentation ends at ${round3(end)} s)` : "";
    throw new UsageError(
      range ? `--range ${range.text} keeps no segment of any track${ends}` : "nothing is selected",
    );
  }
  if (dropped.size === 0 && cut.length === 0) {
    return { text, changed: false, kept: [...tracks], left, cut, notes };
  }

  const edit = new XmlEditor(text, mpd.root);
  const own = new Set<XmlElement>();
  const gone = new Set([...dropped].map((t) => t.rep.elements.representation));
  const periods = childrenNamed(mpd.root, "Period").map((el) => ({
    el,
    tracks: tracks.filter((t) => t.rep.elements.period === el),
  }));
  const emptied = periods.filter((p) =>
    p.tracks.length > 0 && p.tracks.every((t) => dropped.has(t))
  );
  // Periods move only when a range cuts them or one before them goes.
  const timing = range !== undefined || emptied.length > 0;
  let cursor: number | undefined = 0;
  for (const p of periods) {
    if (emptied.includes(p)) {
      edit.remove(p.el);
      continue;
    }
    if (!timing) continue;
    if (p.tracks.length === 0) {
      notes.push(
        `Period ${p.el.attrs.id ?? `[${periods.indexOf(p)}]`} has no Representation ` +
          "streamkit can read; it is left out, since the Periods around it move",
      );
      edit.remove(p.el);
      continue;
    }
    const kept = p.tracks.filter((t) => !dropped.has(t));
    const rep0 = p.tracks[0].rep;
    const ps = rep0.periodStart;
    const pe = rep0.periodDuration === undefined ? undefined : ps + rep0.periodDuration;
    let spanStart = ps, spanEnd = pe;
    if (range !== undefined) {
      const starts: number[] = [], ends: number[] = [];
      for (const t of kept) {
        if (t.error !== undefined) continue; // fails alone, reported by the plan
        const indices = keptMedia.get(t);
        if (indices === undefined) {
          starts.push(ps);
          ends.push(pe ?? Infinity);
        } else {
          starts.push(t.spans![indices[0]].start);
          ends.push(t.spans![indices.at(-1)!].end);
        }
      }
      spanStart = starts.length > 0 ? Math.max(ps, Math.min(...starts)) : ps;
      const last = ends.length > 0 ? Math.max(...ends) : Infinity;
      spanEnd = Number.isFinite(last) ? Math.min(pe ?? Infinity, last) : pe;
    }
    const shift = spanStart - ps;
    if (cursor !== undefined) edit.setAttr(p.el, "start", isoDuration(cursor));
    if (spanEnd !== undefined) edit.setAttr(p.el, "duration", isoDuration(spanEnd - spanStart));
    cursor = cursor === undefined || spanEnd === undefined
      ? undefined
      : cursor + spanEnd - spanStart;
    if (shift > 0) {
      for (const ev of childrenNamed(p.el, "EventStream")) {
        const ts = Number(ev.attrs.timescale ?? 1);
        const pto = Number(ev.attrs.presentationTimeOffset ?? 0);
        edit.setAttr(ev, "presentationTimeOffset", pto + Math.round(shift * ts));
      }
    }
    for (const t of kept) {
      const indices = keptMedia.get(t);
      if (indices === undefined) continue;
      if (indices.length === t.spans!.length && shift === 0) continue;
      ownAddressing(edit, t, indices, shift);
      own.add(t.rep.elements.representation);
    }
  }
  removeRepresentations(edit, [...gone]);
  // An addressing element above the Representations that every user now replaces goes.
  for (const repEl of own) {
    for (const shared of xmlAddressing(repEl, edit).chain) {
      if (edit.parent(shared) === repEl) continue;
      if (usersOf(edit, shared).every((u) => own.has(u) || gone.has(u))) edit.remove(shared);
    }
  }
  if (timing && cursor !== undefined) {
    edit.setAttr(mpd.root, "mediaPresentationDuration", isoDuration(cursor));
  }
  const selected = edit.apply();
  checkAddresses(selected, input, dropped, keptMedia);
  const kept = tracks.filter((t) => !dropped.has(t));
  return { text: selected, changed: true, kept, left, cut, notes };
}

/** Gives a ranged Representation addressing of its own listing only the kept segments. */
function ownAddressing(
  edit: XmlEditor,
  t: RepresentationTrack,
  indices: number[],
  shift: number,
): void {
  const a = t.rep.addressing as TemplateAddressing | ListAddressing;
  const repEl = t.rep.elements.representation;
  const chain = xmlAddressing(repEl, edit).chain;
  const { entries, first } = keptTimeline(t, indices);
  const attrs: MergeOverrides["attrs"] = { startNumber: first, duration: null };
  const pto = a.presentationTimeOffset + Math.round(shift * a.timescale);
  if (pto !== a.presentationTimeOffset) attrs.presentationTimeOffset = pto;
  const children: Record<string, NewNode | NewNode[] | null> = {
    SegmentTimeline: timelineNode(entries),
  };
  if (a.kind === "list") {
    const urls = childrenNamed(segmentUrlHolder(chain)!, "SegmentURL");
    children.SegmentURL = indices.map((j) => edit.source(urls[j]));
  }
  setOwnAddressing(edit, repEl, mergedAddressing(edit, chain, { attrs, children }));
}

/**
 * Checks that the MPD made addresses exactly the media segments kept (a mistake here would
 * fetch what was not asked for, or miss what was).
 */
function checkAddresses(
  selected: string,
  input: DashSelectionInput,
  dropped: Set<RepresentationTrack>,
  keptMedia: Map<RepresentationTrack, number[]>,
): void {
  // Compared as multisets by digest: 100,000 URLs are neither kept twice nor sorted.
  const want = new UrlTally();
  for (const t of input.tracks) {
    if (dropped.has(t) || t.error !== undefined) continue;
    const media = t.segments.filter((s) => s.kind === "media");
    const indices = keptMedia.get(t);
    for (const s of indices ? indices.map((j) => media[j]) : media) want.add(s.url);
  }
  const mpd = readMpd(mpdDocument(selected, input.url), input.url, { tolerant: true });
  const have = new UrlTally();
  for (const rep of mpd.representations) {
    const one = new UrlTally();
    try {
      for (const s of segmentSource(rep)) if (s.kind === "media") one.add(s.url);
    } catch {
      continue; // a Representation that could not be expanded before either
    }
    have.merge(one);
  }
  if (!want.same(have)) {
    throw new Error(
      `the MPD of the selection addresses ${have.count} media segments where ${want.count} ` +
        "were kept (a bug: please report it with the manifest)",
    );
  }
}

/**
 * An order-free digest of a multiset of URLs: how many, and the sums of their 64-bit
 * hashes; two differ when the multisets do (but for a 2^-64 chance).
 */
class UrlTally {
  count = 0;
  #hi = 0;
  #lo = 0;

  add(url: string): void {
    const h = hash64(url);
    this.#hi = (this.#hi + h.hi) >>> 0;
    this.#lo = (this.#lo + h.lo) >>> 0;
    this.count++;
  }

  merge(other: UrlTally): void {
    this.#hi = (this.#hi + other.#hi) >>> 0;
    this.#lo = (this.#lo + other.#lo) >>> 0;
    this.count += other.count;
  }

  same(other: UrlTally): boolean {
    return this.count === other.count && this.#hi === other.#hi && this.#lo === other.#lo;
  }
}
