/**
 * The saved copy of a recorded DASH stream: a static MPD that addresses exactly the segments
 * that were saved, so it plays offline.
 *
 * Each Period recorded is taken from the last revision of the MPD that listed it (so its
 * AdaptationSets, Representations, ContentProtection, roles and labels are the origin's),
 * and changed where a recording must be:
 *
 * - every recorded Representation gets addressing of its own with a `SegmentTimeline` of
 *   exactly the saved segments (a segment that never came is not there: the timeline jumps
 *   over it) — its SegmentTemplate when that names the saved files, else a SegmentList (see
 *   `dash_addressing.ts`), every reference relative to the MPD;
 * - the addressing elements of AdaptationSets and Periods, and every `BaseURL`, go (the
 *   references are relative to the MPD); Representations with nothing saved go;
 * - the first Period begins at 0 where the recording begins (its `presentationTimeOffset`
 *   moves there), later ones keep their distance from it; each Period's `@duration` is what
 *   was recorded of it;
 * - the MPD becomes `type="static"` with a `mediaPresentationDuration`, without
 *   `availabilityStartTime`, `publishTime`, `minimumUpdatePeriod`, `timeShiftBufferDepth`,
 *   `suggestedPresentationDelay`, `UTCTiming` or `Location`.
 *
 * @module
 */
import { ADDRESSING, parseMpd } from "../dash/mpd.ts";
import { removeRepresentations, setOwnAddressing } from "../dash/mpd_edit.ts";
import type { ExpectedRepresentation, SavedDash } from "../dash/copy_check.ts";
import { folderOf } from "../dash/local_ref.ts";
import { childrenNamed, parseXml, type XmlElement } from "../dash/xml.ts";
import { type RawXml, XmlEditor } from "../dash/xml_edit.ts";
import type { OutputDir } from "../mirror/output.ts";
import { savedAddressing } from "./dash_addressing.ts";
import { readRecord } from "./record.ts";

/** A line of the record of a DASH recording. */
export type DashEntry =
  | {
    /** An initialization segment. */
    k: "init";
    /** The Period's key. */
    p: string;
    /** The Representation's id. */
    r: string;
    /** Its saved path. */
    path: string;
  }
  | {
    /** A media segment. */
    k: "media";
    p: string;
    r: string;
    path: string;
    /** Media time, duration (timescale units) and number. */
    t: number;
    d: number;
    n: number;
    /** The timescale, presentation time offset and Period start (s) it was timed with. */
    ts: number;
    pto: number;
    ps: number;
  };

type MediaEntry = Extract<DashEntry, { k: "media" }>;

/** What was saved of one Representation. */
interface Saved {
  init?: string;
  media: MediaEntry[];
}

/** What the writer needs besides the record. */
export interface DashVodInput {
  /** The saved MPD's path. */
  manifestPath: string;
  /** Per Period key: the revision that last listed it. */
  periods: Map<string, string>;
  /** The last revision kept. */
  lastRevision: string;
  /** The MPD's URL. */
  url: string;
}

/** What {@link writeDashVod} wrote. */
export interface DashVodResult {
  /** The MPD's path, or undefined when nothing was recorded. */
  path?: string;
  /** Seconds of media it holds. */
  seconds: number;
  /** What the saved MPD must address, for the offline self-check (`checkSavedDash`). */
  saved?: SavedDash;
  /** Things that could not be kept (a Representation whose init segment never came). */
  notes: string[];
}

/** An ISO 8601 duration to the millisecond (`PT12.5S`). */
function isoDuration(seconds: number): string {
  const ms = Math.max(0, Math.round(seconds * 1000));
  const frac = ms % 1000 === 0 ? "" : `.${String(ms % 1000).padStart(3, "0").replace(/0+$/, "")}`;
  return `PT${Math.floor(ms / 1000)}${frac}S`;
}

/** The key of a Period in a parsed MPD, as the recorder named it. */
function periodKey(id: string | undefined, start: number): string {
  return id ?? `@${start}`;
}

/** Reads the record into Period key → Representation id → what was saved. */
async function readSaved(out: OutputDir): Promise<Map<string, Map<string, Saved>>> {
  const byPeriod = new Map<string, Map<string, Saved>>();
  for await (const e of readRecord<DashEntry>(out)) {
    let reps = byPeriod.get(e.p);
    if (!reps) byPeriod.set(e.p, reps = new Map());
    let saved = reps.get(e.r);
    if (!saved) reps.set(e.r, saved = { media: [] });
    if (e.k === "init") saved.init = e.path;
    else saved.media.push(e);
  }
  for (const reps of byPeriod.values()) {
    for (const saved of reps.values()) saved.media.sort((a, b) => a.t - b.t);
  }
  return byPeriod;
}

/** The start of a media entry on the presentation timeline, seconds. */
function startOf(m: MediaEntry): number {
  return m.ps + (m.t - m.pto) / m.ts;
}

/** The end of a media entry on the presentation timeline, seconds. */
function endOf(m: MediaEntry): number {
  return startOf(m) + m.d / m.ts;
}

/**
 * Writes the static MPD of a recording to `input.manifestPath`; see the module
 * documentation.
 *
 * @example
 * ```ts
 * import type { OutputDir } from "../mirror/output.ts";
 * declare const out: OutputDir;
 * declare const input: DashVodInput;
 * const result = await writeDashVod(out, input);
 * result.path; // "manifest.mpd"
 * ```
 */
export async function writeDashVod(out: OutputDir, input: DashVodInput): Promise<DashVodResult> {
  const notes: string[] = [];
  const saved = await readSaved(out);
  // Periods with saved media, in presentation order.
  const periods = [...saved].flatMap(([key, reps]) => {
    const media = [...reps.values()].flatMap((s) => s.media);
    if (media.length === 0) return [];
    const start = Math.min(...media.map(startOf));
    const end = Math.max(...media.map(endOf));
    return [{ key, reps, start, end, ps: media[0].ps }];
  }).sort((a, b) => a.ps - b.ps || a.start - b.start);
  if (periods.length === 0) return { seconds: 0, notes };
  const t0 = periods[0].start;
  const dir = folderOf(input.manifestPath);

  // Each Period, edited in the revision that last listed it, then cut out of it.
  const cut = new Map<string, RawXml>();
  const expected = new Map<string, { id?: string; reps: ExpectedRepresentation[] }>();
  const byRevision = new Map<string, typeof periods>();
  for (const p of periods) {
    const revision = input.periods.get(p.key) ?? input.lastRevision;
    byRevision.set(revision, [...byRevision.get(revision) ?? [], p]);
  }
  for (const [revision, list] of byRevision) {
    const text = Deno.readTextFileSync(out.abs(revision));
    const mpd = parseMpd(text, input.url, { tolerant: true });
    const edit = new XmlEditor(text, mpd.root);
    const periodEls = childrenNamed(mpd.root, "Period");
    const wanted: { key: string; index: number }[] = [];
    for (const p of list) {
      const reps = mpd.representations.filter((r) =>
        periodKey(r.periodId, r.periodStart) === p.key
      );
      if (reps.length === 0) continue;
      const periodEl = reps[0].elements.period;
      const first = p === periods[0];
      const drop: XmlElement[] = [];
      const kept: ExpectedRepresentation[] = [];
      for (const rep of reps) {
        const s = p.reps.get(rep.id);
        const a = rep.addressing;
        const needsInit = (a.kind === "template" && a.initializationTemplate !== undefined) ||
          ((a.kind === "template" || a.kind === "list") && a.initialization !== undefined);
        if (s === undefined || s.media.length === 0) {
          drop.push(rep.elements.representation);
          continue;
        }
        if (needsInit && s.init === undefined) {
          notes.push(
            `Representation ${rep.id} of Period ${p.key} is left out of the saved MPD: ` +
              "its initialization segment was never saved",
          );
          drop.push(rep.elements.representation);
          continue;
        }
        const m0 = s.media[0];
        const pto = first ? m0.pto + Math.round((t0 - m0.ps) * m0.ts) : m0.pto;
        const track = { init: s.init, media: s.media, timescale: m0.ts, pto };
        setOwnAddressing(edit, rep.elements.representation, savedAddressing(rep, track, dir));
        kept.push({
          key: rep.id,
          where: rep.where,
          segments: [
            ...(s.init !== undefined ? [{ kind: "init" as const, path: s.init }] : []),
            ...s.media.map((m) => ({ kind: "media" as const, path: m.path, time: m.t })),
          ],
        });
      }
      // Everything now addresses its own segments from the MPD's folder.
      const sets = childrenNamed(periodEl, "AdaptationSet");
      for (const el of [periodEl, ...sets]) {
        for (const name of [...ADDRESSING, "BaseURL"]) {
          for (const c of childrenNamed(el, name)) edit.remove(c);
        }
      }
      for (const set of sets) {
        for (const rep of childrenNamed(set, "Representation")) {
          for (const b of childrenNamed(rep, "BaseURL")) edit.remove(b);
        }
      }
      removeRepresentations(edit, drop);
      const start = first ? 0 : p.ps - t0;
      const shift = first ? t0 - p.ps : 0;
      edit.setAttr(periodEl, "start", isoDuration(start));
      edit.setAttr(periodEl, "duration", isoDuration(p.end - p.ps - shift));
      if (shift > 0) {
        // Events keep their place: their Period now begins `shift` seconds later.
        for (const ev of childrenNamed(periodEl, "EventStream")) {
          const ts = Number(ev.attrs.timescale ?? 1);
          const pto = Number(ev.attrs.presentationTimeOffset ?? 0);
          edit.setAttr(ev, "presentationTimeOffset", pto + Math.round(shift * ts));
        }
      }
      wanted.push({ key: p.key, index: periodEls.indexOf(periodEl) });
      expected.set(p.key, { id: reps[0].periodId, reps: kept });
    }
    const edited = edit.apply();
    const root = parseXml(edited);
    const source = new XmlEditor(edited, root);
    const els = childrenNamed(root, "Period");
    for (const w of wanted) cut.set(w.key, source.source(els[w.index]));
  }

  // The last revision gives the MPD around the Periods.
  const text = Deno.readTextFileSync(out.abs(input.lastRevision));
  const root = parseXml(text);
  const edit = new XmlEditor(text, root);
  const seconds = Math.max(...periods.map((p) => p.end)) - t0;
  edit.setAttr(root, "type", "static");
  edit.setAttr(root, "mediaPresentationDuration", isoDuration(seconds));
  for (
    const name of [
      "availabilityStartTime",
      "availabilityEndTime",
      "publishTime",
      "minimumUpdatePeriod",
      "timeShiftBufferDepth",
      "suggestedPresentationDelay",
    ]
  ) edit.removeAttr(root, name);
  for (const name of ["BaseURL", "Location", "PatchLocation", "UTCTiming"]) {
    for (const c of childrenNamed(root, name)) edit.remove(c);
  }
  const old = childrenNamed(root, "Period");
  for (const p of periods) {
    const raw = cut.get(p.key);
    if (raw !== undefined) edit.insert(root, raw, { before: old[0] });
  }
  for (const el of old) edit.remove(el);
  const mpdText = edit.apply();
  out.writeText(input.manifestPath, mpdText);
  // The keys `checkSavedDash` finds them by: Period@id, or the Period's place in the copy.
  const representations: ExpectedRepresentation[] = [];
  let index = 0;
  for (const p of periods) {
    const e = expected.get(p.key);
    if (e === undefined || !cut.has(p.key)) continue;
    const period = e.id ?? `#${index}`;
    for (const r of e.reps) representations.push({ ...r, key: `${period}/${r.key}` });
    index++;
  }
  return {
    path: input.manifestPath,
    seconds,
    notes,
    saved: {
      manifestPath: input.manifestPath,
      expect: { representations, skipKeys: [], skipWheres: [] },
    },
  };
}
