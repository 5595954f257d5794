/**
 * `hls get --list`, `--select` and `--range`: the inventory of an HLS stream, and the plan of
 * what a selection keeps. The master's lines describe each media playlist, so a selection is
 * made before any media playlist is fetched; then only the kept ones are fetched (all of them
 * for `--list`), cut to the range (`hls/selection.ts`), and the master of the selection and
 * those playlists are planned by `planHls` as if the server had served them — so the plan
 * requests exactly what is kept, and the saved playlists list exactly what was saved.
 *
 * @module
 */
import { errorMessage, UsageError } from "../errors.ts";
import type { FetchPlaylist, HlsPlan, HlsPlanOptions } from "../hls/plan.ts";
import { parsePlaylist, type ScannedMedia, scanPlaylist } from "../hls/playlist.ts";
import type { MasterPlaylist, MediaPlaylist } from "../hls/model.ts";
import { cutMedia, selectMaster } from "../hls/selection.ts";
import { masterTracks, type PlaylistTrack, standaloneTrack, withPlaylist } from "../hls/tracks.ts";
import { runPool } from "../net/pool.ts";
import { selectTracks } from "./match.ts";
import { type Track, trackLabel } from "./track.ts";
import {
  type CutTrack,
  type Inventory,
  type LeftOut,
  type SelectedPlan,
  selectionReport,
  type TrackRequest,
} from "./report.ts";

/** A playlist as fetched (text and final URL) and read, or why it could not be. */
type Fetched<P = MediaPlaylist> = { text: string; url: string; playlist?: P } | {
  error: unknown;
};

/** The URL asking an origin for the whole playlist, not a delta update (`_HLS_skip=NO`). */
function withoutSkip(url: string): string {
  const u = new URL(url);
  u.searchParams.set("_HLS_skip", "NO");
  return u.href;
}

/**
 * Fetches the media playlists of `tracks`, each once, and reads each with `read` (in full to
 * cut it, or a lean scan to count it), keeping failures for the plan.
 */
async function fetchAll<P extends { skip?: unknown }>(
  tracks: PlaylistTrack[],
  master: MasterPlaylist,
  fetchPlaylist: FetchPlaylist,
  options: HlsPlanOptions,
  read: (text: string, url: string, master: MasterPlaylist) => P | undefined,
): Promise<Map<string, Fetched<P>>> {
  const out = new Map<string, Fetched<P>>();
  await runPool(tracks, options.concurrency ?? 4, async (t) => {
    try {
      let got = await fetchPlaylist(t.url);
      let p = read(got.text, got.url, master);
      if (p?.skip) {
        got = await fetchPlaylist(withoutSkip(t.url));
        p = read(got.text, got.url, master);
      }
      out.set(t.url, { ...got, playlist: p });
    } catch (err) {
      if (options.signal?.aborted) throw err;
      out.set(t.url, { error: err });
    }
  }, options.signal);
  if (options.signal?.aborted) throw options.signal.reason;
  return out;
}

/** `read`'s media playlist, or undefined when it reads a master or fails (the plan reports it). */
function mediaOnly<P extends { type: "media" }>(read: () => P | MasterPlaylist): P | undefined {
  try {
    const p = read();
    return p.type === "media" ? p : undefined;
  } catch {
    return undefined;
  }
}

/** A media playlist parsed in full (to cut it), or undefined when it is not one. */
function parse(text: string, url: string, master?: MasterPlaylist): MediaPlaylist | undefined {
  return mediaOnly(() => parsePlaylist(text, url, { imports: master?.definitions }));
}

/**
 * A media playlist counted (segments, duration) by a lean scan that keeps no segment, or
 * undefined when it is not one: what a listing needs of a playlist of 100,000 segments.
 */
function count(text: string, url: string, master?: MasterPlaylist): ScannedMedia | undefined {
  return mediaOnly(() => scanPlaylist(text, url, () => {}, { imports: master?.definitions }));
}

/** Whether a media playlist is VOD (a range can cut it). */
function isVod(p: MediaPlaylist): boolean {
  return p.endList || p.playlistType === "VOD";
}

/**
 * The inventory of an HLS stream (with `--select`, the tracks it keeps): the master's media
 * playlists, each fetched for its segment count and duration.
 *
 * @throws {SelectError} for an expression that matches no track
 */
export async function listHls(
  source: { text: string; url: string },
  fetchPlaylist: FetchPlaylist,
  request: TrackRequest,
  options: HlsPlanOptions = {},
): Promise<Inventory> {
  // Counted, not kept: a listing of 100,000 segments holds no segment.
  const top = scanPlaylist(source.text, source.url, () => {});
  if (top.type === "media") {
    const track = standaloneTrack(source.url, top);
    selectTracks([track], request.selectors);
    return { inventory: [track], notes: [] };
  }
  const tracks = masterTracks(top);
  const { kept } = selectTracks(tracks.map((t) => t.track), request.selectors);
  const listed = tracks.filter((_, i) => kept[i]);
  const fetched = await fetchAll(listed, top, fetchPlaylist, options, count);
  const notes: string[] = [];
  const inventory = listed.map((t) => {
    const got = fetched.get(t.url);
    if (got && "playlist" in got && got.playlist) return withPlaylist(t.track, got.playlist);
    const why = got && "error" in got ? errorMessage(got.error) : "it is not a media playlist";
    notes.push(`${t.track.id}: segments unknown: ${why}`);
    return t.track;
  });
  return { inventory, notes };
}

/** A plan of what a selection keeps. */
export interface SelectedHls {
  /** The plan as `planHls` made it (for the live recorder). */
  planned: HlsPlan;
  /** The plan, with the selection report. */
  plan: SelectedPlan;
}

/**
 * Plans the mirror of what `--select` and `--range` keep of an HLS stream.
 *
 * @param source the playlist given (master or media) and its final URL
 * @param fetchPlaylist fetches a media playlist
 * @param request the selection asked for
 * @param planHls the planner (`hls/plan.ts`, loaded by the caller)
 * @throws {SelectError} for an expression that matches no track
 * @throws {UsageError} when the range keeps nothing
 */
export async function planSelectedHls(
  source: { text: string; url: string },
  fetchPlaylist: FetchPlaylist,
  request: TrackRequest,
  planHls: (
    source: { text: string; url: string },
    fetchPlaylist: FetchPlaylist,
    options: HlsPlanOptions,
  ) => Promise<HlsPlan>,
  options: HlsPlanOptions = {},
): Promise<SelectedHls> {
  const top = parsePlaylist(source.text, source.url);
  const originals = new Map<string, string>([[source.url, source.text]]);
  const left: LeftOut[] = [];
  const cut: CutTrack[] = [];
  const notes: string[] = [];
  const range = request.range;
  let text = source.text;
  let keptTracks: Track[];
  let fetched = new Map<string, Fetched>();
  if (top.type === "media") {
    const track = standaloneTrack(source.url, top);
    selectTracks([track], request.selectors);
    keptTracks = [track];
    if (range && isVod(top)) {
      const c = cutMedia(top, range);
      if (c.kept === 0) throw nothingIn(range.text, [withPlaylist(track, top)]);
      if (c.kept < c.of) cut.push({ id: track.id, kept: c.kept, of: c.of });
      text = c.text;
    }
  } else {
    const tracks = masterTracks(top);
    const { kept, reasons } = selectTracks(tracks.map((t) => t.track), request.selectors);
    const chosen = tracks.filter((_, i) => kept[i]);
    tracks.forEach((t, i) => {
      if (!kept[i]) left.push({ id: t.track.id, label: trackLabel(t.track), reason: reasons[i]! });
    });
    fetched = await fetchAll(chosen, top, fetchPlaylist, options, parse);
    const keptUrls = new Set<string>();
    const lasting: Track[] = [];
    keptTracks = [];
    for (const t of chosen) {
      const got = fetched.get(t.url)!;
      if (!("text" in got)) {
        keptUrls.add(t.url); // the plan reports why it cannot be read
        keptTracks.push(t.track);
        continue;
      }
      originals.set(got.url, got.text);
      const p = got.playlist;
      if (range && p && isVod(p)) {
        const c = cutMedia(p, range);
        lasting.push(withPlaylist(t.track, p));
        if (c.kept === 0) {
          left.push({
            id: t.track.id,
            label: trackLabel(t.track),
            reason: `no segment in --range ${range.text}`,
          });
          continue;
        }
        if (c.kept < c.of) cut.push({ id: t.track.id, kept: c.kept, of: c.of });
        fetched.set(t.url, { text: c.text, url: got.url });
      }
      keptUrls.add(t.url);
      keptTracks.push(p ? withPlaylist(t.track, p) : t.track);
    }
    if (keptUrls.size === 0) throw nothingIn(range?.text ?? "", lasting);
    const master = selectMaster(top, keptUrls);
    text = master.text;
    notes.push(...master.notes);
  }
  const cached: FetchPlaylist = (url) => {
    const got = fetched.get(url);
    if (got === undefined) return fetchPlaylist(url);
    if ("error" in got) return Promise.reject(got.error);
    return Promise.resolve({ text: got.text, url: got.url });
  };
  const planned = await planHls({ text, url: source.url }, cached, options);
  const plan: SelectedPlan = planned.plan;
  for (const m of plan.manifests) {
    const original = originals.get(m.url);
    if (original !== undefined && m.text !== original) m.original = original;
  }
  plan.notes.push(...notes);
  plan.selection = selectionReport(request, keptTracks, left, cut);
  return { planned, plan };
}

/** The error of a range that keeps nothing. */
function nothingIn(range: string, tracks: Track[]): UsageError {
  const end = Math.max(...tracks.map((t) => t.duration ?? -Infinity));
  const ends = Number.isFinite(end) ? ` (the longest track lasts ${end} s)` : "";
  return new UsageError(`--range ${range} keeps no segment of any track${ends}`);
}
