/**
 * `dash get --list`, `--select` and `--range`: the inventory of an MPD, and the plan of what
 * a selection keeps (the MPD of the selection, `dash/selection.ts`, planned by `planDash`),
 * with the report of what was kept and left out. For a live MPD, the Representations the
 * recorder follows.
 *
 * @module
 */
import type { SavedDash } from "../dash/copy_check.ts";
import { mpdDocument, readMpd } from "../dash/mpd.ts";
import type { Mpd, Representation } from "../dash/mpd_model.ts";
import { planDash } from "../dash/plan.ts";
import { selectDash } from "../dash/selection.ts";
import { describeRepresentation, representationTracks } from "../dash/tracks.ts";
import { selectTracks } from "./match.ts";
import type { Selector } from "./expression.ts";
import { type Inventory, type SelectedPlan, selectionReport, type TrackRequest } from "./report.ts";

/** The group `:best`/`:worst` pick in: the Period. */
function periodOf(rep: Representation): string {
  return String(rep.periodIndex);
}

/**
 * The inventory of an MPD (with `--select`, the tracks it keeps).
 *
 * @param text the MPD
 * @param url its URL
 * @param request the selection asked for
 * @throws {SelectError} for an expression that matches no track
 */
export function listDash(text: string, url: string, request: TrackRequest): Inventory {
  const mpd = readMpd(mpdDocument(text, url), url, { tolerant: true });
  const tracks = representationTracks(mpd, url);
  const { kept } = selectTracks(tracks.map((t) => t.track), request.selectors, {
    groupOf: (i) => periodOf(tracks[i].rep),
  });
  return {
    inventory: tracks.filter((_, i) => kept[i]).map((t) => t.track),
    notes: [...mpd.problems.map((p) => `not listed: ${p.message}`)],
  };
}

/** A plan of what a selection keeps, and what its self-check needs. */
export interface SelectedDash {
  /** The plan, with the selection report. */
  plan: SelectedPlan;
  /** What the saved copy must resolve to. */
  saved: SavedDash;
}

/**
 * Plans the mirror of what `--select` and `--range` keep of an MPD.
 *
 * @param text the MPD as fetched
 * @param url the URL it stands at
 * @param request the selection asked for
 * @throws {SelectError} for an expression that matches no track
 * @throws {UsageError} when the range keeps nothing
 * @example
 * ```ts
 * import { parseSelector } from "./expression.ts";
 * const text = await Deno.readTextFile("manifest.mpd");
 * const { plan } = planSelectedDash(text, "https://cdn.example/vod/manifest.mpd", {
 *   list: false,
 *   selectors: [parseSelector("kind=video:best")],
 * });
 * plan.selection?.left.map((l) => l.id);
 * ```
 */
export function planSelectedDash(text: string, url: string, request: TrackRequest): SelectedDash {
  const mpd = readMpd(mpdDocument(text, url), url, { tolerant: true });
  const tracks = representationTracks(mpd, url);
  const { kept, reasons } = selectTracks(tracks.map((t) => t.track), request.selectors, {
    groupOf: (i) => periodOf(tracks[i].rep),
  });
  const selection = selectDash({ text, url, mpd, tracks, kept, reasons, range: request.range });
  const planned = planDash(selection.text, url);
  const plan: SelectedPlan = planned.plan;
  // The server's text is the original the saved copy is compared with.
  for (const m of plan.manifests) {
    if (m.url === url && m.text !== text) m.original = text;
  }
  plan.notes.push(...selection.notes);
  plan.selection = selectionReport(
    request,
    selection.kept.map((t) => t.track),
    selection.left,
    selection.cut,
  );
  return { plan, saved: planned.saved };
}

/**
 * Checks `--select` against a live MPD as first read (an expression that matches nothing is
 * an error before anything is recorded).
 *
 * @throws {SelectError} for an expression that matches no track
 */
export function checkLiveSelection(text: string, url: string, selectors: Selector[]): void {
  if (selectors.length === 0) return;
  const mpd = readMpd(mpdDocument(text, url), url, { tolerant: true });
  selectTracks(mpd.representations.map((r) => describeRepresentation(r)), selectors, {
    groupOf: (i) => periodOf(mpd.representations[i]),
  });
}

/**
 * What a live recorder keeps of each revision of a live MPD: the Representations the
 * selection keeps (an expression that matches nothing in a revision, e.g. a Period of ads
 * without that language, keeps nothing of that kind there; it is not an error).
 *
 * @example
 * ```ts
 * import { parseSelector } from "./expression.ts";
 * const keep = liveKeep([parseSelector("kind=video:best")]);
 * ```
 */
export function liveKeep(selectors: Selector[]): (mpd: Mpd) => Set<Representation> {
  return (mpd) => {
    const reps = mpd.representations;
    const { kept } = selectTracks(reps.map((r) => describeRepresentation(r)), selectors, {
      groupOf: (i) => periodOf(reps[i]),
      requireMatch: false,
    });
    return new Set(reps.filter((_, i) => kept[i]));
  };
}
