/**
 * A whole check, from a manifest already read to its {@linkcode CheckReport}: the tracks and
 * items of the manifest, every item read and inspected (`runner.ts`), then the protocol's
 * checks track by track. Knows nothing of the terminal: progress goes to a callback.
 *
 * @module
 */
import { InputError } from "../errors.ts";
import { mpdDocument, readMpd } from "../dash/mpd.ts";
import { checkDashTrack } from "./dash.ts";
import { dashItems, dashTracks } from "./dash_tracks.ts";
import { checkHlsTracks, hlsTracks } from "./hls.ts";
import { type CheckReport, Findings, segmentKey, type TrackReport } from "./problems.ts";
import type { ReadContext } from "./reader.ts";
import { type Item, readItems } from "./runner.ts";

/** The manifest to check: its text and the URL it came from (or stands for). */
export interface CheckSource {
  /** The manifest's text. */
  text: string;
  /** Its URL after redirects, or its file URL (or the `--base-url` it stands at). */
  url: string;
}

/** Options of a check. */
export interface CheckOptions {
  /** Resources read at once. */
  threads: number;
  /** Told about the plan (tracks and resources), once it is known. */
  onPlan?: (tracks: { id: string; kind: string; segments: number }[], items: number) => void;
  /** Told each time an item is done. */
  onItem?: (done: number, total: number) => void;
}

/** Counts what the runner read, for the report. */
function counted(items: readonly Item[], options: CheckOptions) {
  let done = 0;
  return (_: Item) => options.onItem?.(++done, items.length);
}

/** The problems in track order (a track's in the order found), track-less ones first. */
function ordered(found: Findings, reports: TrackReport[]) {
  const rank = new Map<string | null, number>();
  reports.forEach((t, i) => rank.has(t.id) || rank.set(t.id, i));
  return found.list().map((p, i) => ({ p, i }))
    .sort((a, b) => (rank.get(a.p.track) ?? -1) - (rank.get(b.p.track) ?? -1) || a.i - b.i)
    .map((x) => x.p);
}

/** Marks each segment with the worst problem found on it, once every check has run. */
function finish(found: Findings, reports: TrackReport[]): TrackReport[] {
  const worst = found.worstBySegment();
  for (const t of reports) for (const v of t.views) v.worst = worst.get(segmentKey(t.id, v.name));
  return reports;
}

/**
 * Checks a DASH MPD: every segment of every Representation.
 *
 * @throws {InputError} when the MPD cannot be checked at all (not XML, not an MPD, live)
 *
 * @example
 * ```ts
 * import { DEFAULT_HTTP } from "../net/http.ts";
 * const text = await Deno.readTextFile("manifest.mpd");
 * const report = await checkDash(
 *   { text, url: "https://cdn.example/vod/manifest.mpd" },
 *   { http: DEFAULT_HTTP, allowFiles: false },
 *   { threads: 4 },
 * );
 * report.problems.filter((p) => p.severity === "error").length;
 * ```
 */
export async function checkDash(
  source: CheckSource,
  ctx: ReadContext,
  options: CheckOptions,
): Promise<CheckReport> {
  const started = performance.now();
  const doc = mpdDocument(source.text, source.url);
  if (doc.type === "dynamic") {
    throw new InputError(
      'MPD@type="dynamic" (a live stream); streamkit checks static (VOD) MPDs only for now',
      source.url,
    );
  }
  const mpd = readMpd(doc, source.url, { tolerant: true });
  const tracks = dashTracks(mpd, source.url);
  if (tracks.every((t) => t.invalid !== undefined)) {
    throw new InputError(tracks.map((t) => t.invalid).join("; "), source.url);
  }
  const items = dashItems(tracks);
  options.onPlan?.(
    tracks.map((t) => ({ id: t.id, kind: t.kind, segments: t.media.length })),
    items.length,
  );
  const { results } = await readItems(items, ctx, {
    threads: options.threads,
    onDone: counted(items, options),
  });
  const found = new Findings();
  const reports = finish(found, tracks.map((t) => checkDashTrack(found, t, results)));
  const notes = [...mpd.notes];
  for (const t of tracks) {
    if (t.invalid !== undefined) continue;
    const formats = new Set(t.media.map((m) => results.get(m.item)?.format));
    if (formats.has("webm")) {
      notes.push(`Representation ${t.id}: WebM segments; only their presence is checked`);
    }
    if (formats.has("text")) {
      notes.push(`Representation ${t.id}: text segments; only their presence is checked`);
    }
  }
  return {
    manifest: source.url,
    tracks: reports,
    problems: ordered(found, reports),
    notes,
    bytes: 0,
    resources: new Set(items.map((i) => `${i.url} ${i.window.start}`)).size,
    seconds: (performance.now() - started) / 1000,
  };
}

/**
 * Checks an HLS playlist (master or media): every segment, initialization section and key of
 * every media playlist.
 *
 * @throws {InputError} when the playlist cannot be checked at all
 *
 * @example
 * ```ts
 * import { DEFAULT_HTTP } from "../net/http.ts";
 * const text = await Deno.readTextFile("master.m3u8");
 * const report = await checkHls(
 *   { text, url: "https://cdn.example/vod/master.m3u8" },
 *   { http: DEFAULT_HTTP, allowFiles: false },
 *   { threads: 4 },
 * );
 * ```
 */
export async function checkHls(
  source: CheckSource,
  ctx: ReadContext,
  options: CheckOptions,
): Promise<CheckReport> {
  const started = performance.now();
  const found = new Findings();
  const plan = await hlsTracks(source, ctx, found, options.threads);
  const items = plan.tracks.flatMap((t) => t.items);
  options.onPlan?.(
    plan.tracks.map((t) => ({ id: t.id, kind: t.kind, segments: t.segments.length })),
    items.length,
  );
  const { results } = await readItems(items, ctx, {
    threads: options.threads,
    onDone: counted(items, options),
  });
  const reports = finish(found, checkHlsTracks(found, plan, results));
  return {
    manifest: source.url,
    tracks: reports,
    problems: ordered(found, reports),
    notes: plan.notes,
    bytes: 0,
    resources: new Set(items.map((i) => `${i.url} ${i.window.start}`)).size,
    seconds: (performance.now() - started) / 1000,
  };
}
