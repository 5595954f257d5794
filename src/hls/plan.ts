/**
 * HLS playlists → the DownloadPlan of `hls get`: the master playlist, every media playlist
 * it refers to (variants, I-frame variants, renditions; each URL fetched once), and every
 * segment, initialization section (EXT-X-MAP) and key they refer to, each URL once, placed
 * by the one {@link Layout}; plus every playlist to save, rewritten so that each URI is the
 * relative reference to the local copy.
 *
 * Layout: the master at the top of the output directory; media playlists at their path
 * relative to the master; segments, maps and keys under `hls/`, keeping their path
 * relative to the master's folder (other hosts and parent folders under `hls/_ext/…`).
 *
 * Cost (issue 20): a media playlist is read without keeping its lines or segments as objects
 * ({@link scanPlaylist}); its URIs are kept as positions in its text ({@link MediaRefs}), and
 * {@link planHlsRunnable} gives a plan whose items are made as the run goes through them and
 * whose saved playlists are written piece by piece from the original text. {@link planHls}
 * gives the same plan whole, as data.
 *
 * @module
 */
import { InputError } from "../errors.ts";
import { type Layout, manifestFileName } from "../mirror/layout.ts";
import {
  type DownloadPlan,
  lazyItems,
  type PlanTrack,
  type ResourceKind,
  type RunnableManifest,
  type RunnablePlan,
} from "../mirror/plan.ts";
import { errorMessage } from "../errors.ts";
import { HttpError } from "../net/http.ts";
import { runPool } from "../net/pool.ts";
import {
  type MasterPlaylist,
  parsePlaylist,
  type Playlist,
  type ScannedMedia,
  scanPlaylist,
  splitLines,
  type UriRef,
} from "./playlist.ts";
import { defineEdits, MediaRefs } from "./media_refs.ts";
import { type Planned, Planner, where, withoutHash } from "./planner.ts";
import { trackLabel } from "../select/track.ts";
import { describeRef, standaloneTrack } from "./tracks.ts";

export { MEDIA_DIR } from "./planner.ts";

/** The extension every saved playlist gets. */
export const PLAYLIST_EXTENSION = ".m3u8";

/** Fetches a playlist: its text and its final URL (after redirects). */
export type FetchPlaylist = (url: string) => Promise<{ text: string; url: string }>;

/** Options of {@link planHls}. */
export interface HlsPlanOptions {
  /** URL schemes resources may use. @default ["http:", "https:"] */
  schemes?: string[];
  /** Media playlists fetched at once. @default 4 */
  concurrency?: number;
  /** Stops fetching media playlists. */
  signal?: AbortSignal;
  /**
   * Plan live media playlists (no EXT-X-ENDLIST) instead of refusing them, so the live
   * recorder can take over; {@link HlsPlan.live} then says whether there was one.
   * @default false
   */
  allowLive?: boolean;
}

/** A plan, and the playlists it came from. */
export interface HlsPlan {
  /** What to write and fetch. */
  plan: DownloadPlan;
  /**
   * The playlist given (master or media), then every media playlist, in order, each parsed in
   * full when first asked for.
   */
  readonly playlists: Playlist[];
  /** The layout that placed every file. */
  layout: Layout;
  /** Whether a media playlist is live (only with `allowLive`; otherwise that throws). */
  live: boolean;
}

/** A media playlist to fetch: its URL, where it is saved, and the master lines naming it. */
interface Job {
  url: string;
  path: string;
  refs: UriRef[];
  kind: ResourceKind;
  /** Its track: the URI as the master writes it, and a label. */
  track: PlanTrack;
}

/** A media playlist fetched and read: its text, final URL, facts, and what it is. */
interface Fetched {
  text: string;
  url: string;
  playlist: ScannedMedia;
  kind: ResourceKind;
  path: string;
  track: PlanTrack;
}

/** A plan of `hls get` as the runner takes it, and what it came from. */
export interface RunnableHlsPlan {
  /** What to write and fetch: items made as they are gone through. */
  plan: RunnablePlan;
  /**
   * The playlist given (master or media), then every media playlist, in order, each parsed
   * in full when first asked for (the live recorder follows them; a VOD run never asks).
   */
  readonly playlists: Playlist[];
  /** The layout that placed every file. */
  layout: Layout;
  /** Whether a media playlist is live (only with `allowLive`; otherwise that throws). */
  live: boolean;
}

/**
 * Plans the mirror of an HLS stream, as {@link planHls} does, with a plan whose items are
 * made as the run goes through them and whose media playlists are written piece by piece:
 * a media playlist of 100,000 segments is kept as its text and a few bytes a segment.
 *
 * @example
 * ```ts
 * import { DEFAULT_HTTP, fetchText } from "../net/http.ts";
 * const text = "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\na.ts\n#EXT-X-ENDLIST\n";
 * const { plan } = await planHlsRunnable(
 *   { text, url: "https://cdn.example/vod/index.m3u8" },
 *   (url) => fetchText(url, DEFAULT_HTTP),
 * );
 * [...plan.items].map((i) => i.path); // ["hls/a.ts"]
 * ```
 */
export async function planHlsRunnable(
  source: { text: string; url: string },
  fetchPlaylist: FetchPlaylist,
  options: HlsPlanOptions = {},
): Promise<RunnableHlsPlan> {
  const planner = new Planner(source.url, options.schemes ?? ["http:", "https:"]);
  let topPath = manifestFileName(source.url, `index${PLAYLIST_EXTENSION}`);
  if (!topPath.toLowerCase().endsWith(PLAYLIST_EXTENSION)) topPath += PLAYLIST_EXTENSION;
  planner.layout.reserve(topPath, source.url);

  // Read once: a media playlist is planned as it is read. What planning finds wrong (a URI
  // of a scheme not mirrored) waits until the playlist was read whole and checked, so that
  // it is said in the same order as ever.
  const topTrack: PlanTrack = { id: topPath };
  const topRefs = new MediaRefs({ ...source, path: topPath, kind: "media", track: topPath });
  let planned: Planned | undefined;
  let planError: { error: unknown } | undefined;
  const top = scanPlaylist(source.text, source.url, (got) => {
    if (planError) return;
    try {
      planned ??= planner.startMedia(source.url, topRefs);
      planner.addMediaRef(planned, got);
    } catch (error) {
      planError = { error };
    }
  });

  const media: Fetched[] = [];
  let live = false;
  if (top.type === "media") {
    if (options.allowLive) live = isLive(top);
    else checkLive(top, source.text);
    checkSkip(top);
    if (planError) throw planError.error;
    topTrack.label = trackLabel(standaloneTrack(source.url, top));
    planner.tracks.push(topTrack);
    planned ??= planner.startMedia(source.url, topRefs);
    finishMedia(topRefs, top, topTrack);
  } else {
    const keys = new Map(top.sessionKeys.map((k) => [k.ref, k]));
    for (const ref of top.refs) {
      if (ref.role === "session-key") {
        const key = keys.get(ref)!;
        if (!planner.isDrmKey(top, key, "EXT-X-SESSION-KEY")) {
          planner.addToMaster(top, ref, "key", "EXT-X-SESSION-KEY");
        }
      }
      if (ref.role === "session-data") {
        planner.addToMaster(top, ref, "other", "EXT-X-SESSION-DATA");
      }
      if (ref.role === "steering") {
        planner.online(top, ref, `EXT-X-CONTENT-STEERING SERVER-URI ${ref.url} is not mirrored`);
      }
    }
    media.push(...await fetchMediaPlaylists(top, planner, fetchPlaylist, options));
    live = media.some((m) => isLive(m.playlist));
  }
  const imports = top.type === "master" ? { imports: top.definitions } : {};
  // A master's media playlists were read when fetched; now planned, in order.
  for (const f of media) {
    const refs = new MediaRefs({ text: f.text, path: f.path, kind: f.kind, track: f.track.id });
    const m = planner.startMedia(f.url, refs);
    scanPlaylist(f.text, f.url, (got) => planner.addMediaRef(m, got), imports);
    finishMedia(refs, f.playlist, f.track);
  }
  for (const n of top.notes) planner.notes.add(n, top.url);
  for (const f of media) for (const n of f.playlist.notes) planner.notes.add(n, f.url);
  const manifests: RunnableManifest[] = [];
  if (top.type === "master") manifests.push(planner.masterManifest(top, topPath));
  for (const m of planner.media) manifests.push(planner.mediaManifest(m));
  let full: Playlist[] | undefined;
  return {
    plan: {
      tracks: planner.tracks,
      manifests,
      items: lazyItems(planner.itemCount, () => planner.items()),
      notes: planner.notes.list(),
      failures: planner.failures,
    },
    get playlists(): Playlist[] {
      full ??= [
        top.type === "master" ? top : parsePlaylist(source.text, source.url),
        ...media.map((f) => parsePlaylist(f.text, f.url, imports)),
      ];
      return full;
    },
    layout: planner.layout,
    live,
  };
}

/**
 * Plans the mirror of an HLS stream.
 *
 * A media playlist of a master that cannot be fetched or read is a partial failure: the
 * others are mirrored and the master is saved; the plan's `failures` name it.
 *
 * @param source the playlist given (master or media) and its final URL; relative URIs
 *   resolve against it, and its folder is the root of the output layout
 * @param fetchPlaylist fetches a media playlist (each URL is asked for once)
 * @throws {InputError} for input that cannot be mirrored, naming the playlist and line
 *
 * @example
 * ```ts
 * import { DEFAULT_HTTP, fetchText } from "../net/http.ts";
 * const text = "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\na.ts\n#EXT-X-ENDLIST\n";
 * const { plan } = await planHls(
 *   { text, url: "https://cdn.example/vod/index.m3u8" },
 *   (url) => fetchText(url, DEFAULT_HTTP),
 * );
 * plan.items.map((i) => i.path); // ["hls/a.ts"]
 * ```
 */
export async function planHls(
  source: { text: string; url: string },
  fetchPlaylist: FetchPlaylist,
  options: HlsPlanOptions = {},
): Promise<HlsPlan> {
  return materialized(await planHlsRunnable(source, fetchPlaylist, options));
}

/**
 * A runnable plan made whole: its items in a list, its playlists' texts as strings (for the
 * live recorder, `--select`, and whoever wants the plan as data).
 *
 * @example
 * ```ts
 * declare const runnable: RunnableHlsPlan;
 * materialized(runnable).plan.items.length;
 * ```
 */
export function materialized(runnable: RunnableHlsPlan): HlsPlan {
  const { plan } = runnable;
  return {
    plan: {
      tracks: plan.tracks?.map(({ files: _, ...t }) => t),
      manifests: plan.manifests.map((m) => ({
        ...m,
        text: typeof m.text === "string" ? m.text : [...m.text()].join(""),
      })),
      items: [...plan.items],
      notes: plan.notes,
      failures: plan.failures,
    },
    get playlists() {
      return runnable.playlists;
    },
    layout: runnable.layout,
    live: runnable.live,
  };
}

/** Ends the planning of a media playlist: its EXT-X-DEFINE edits, its track's file count. */
function finishMedia(refs: MediaRefs, playlist: ScannedMedia, track: PlanTrack): void {
  refs.lineEdits = defineEdits(refs.text, playlist.definitions);
  if (refs.lineEdits.length > 0) refs.changed = true;
  track.files = refs.files;
}

/** The URL asking an origin for the whole playlist, not a delta update (`_HLS_skip=NO`). */
function withoutSkip(url: string): string {
  const u = new URL(url);
  u.searchParams.set("_HLS_skip", "NO");
  return u.href;
}

/**
 * Fetches and parses every media playlist a master refers to (variants, I-frame variants,
 * image streams, renditions), each URL once, and gives each its saved path. One that cannot
 * be fetched or read is a failure of the plan; the others go on.
 */
async function fetchMediaPlaylists(
  top: MasterPlaylist,
  planner: Planner,
  fetchPlaylist: FetchPlaylist,
  options: HlsPlanOptions,
): Promise<Fetched[]> {
  const jobs = new Map<string, Job>();
  const kindOf = new Map<UriRef, ResourceKind>();
  for (const r of top.renditions) {
    if (r.ref) kindOf.set(r.ref, r.type === "SUBTITLES" ? "subtitle" : "media");
  }
  const local = planner.masterLocal;
  for (const ref of top.refs) {
    if (!["variant", "iframe", "image", "rendition"].includes(ref.role)) continue;
    planner.checkScheme(top, ref, "media playlist");
    const url = withoutHash(ref.url);
    let job = jobs.get(url);
    if (!job) {
      const path = planner.layout.pathFor(url, { extension: PLAYLIST_EXTENSION });
      const track = { id: ref.uri, label: trackLabel(describeRef(top, ref)) };
      job = { url, path, refs: [], kind: kindOf.get(ref) ?? "media", track };
      jobs.set(url, job);
    }
    job.refs.push(ref);
    local.set(ref, job.path);
  }
  const list = [...jobs.values()];
  // Read to check it (its URIs are gone through again, in plan order, once all are here).
  const read = async (url: string) => {
    const got = await fetchPlaylist(url);
    const p = scanPlaylist(got.text, got.url, () => {}, { imports: top.definitions });
    if (p.type === "master") {
      throw new InputError(
        "is a master playlist; a variant or rendition must be a media playlist",
        got.url,
      );
    }
    return { text: got.text, url: got.url, playlist: p };
  };
  const parsed = await runPool(list, options.concurrency ?? 4, async (job) => {
    const line = job.refs[0].line;
    let got: Awaited<ReturnType<typeof read>>;
    try {
      got = await read(job.url);
      // A delta update (EXT-X-SKIP) leaves segments out: ask for the whole playlist.
      if (got.playlist.skip) got = await read(withoutSkip(job.url));
      checkSkip(got.playlist);
    } catch (err) {
      if (options.signal?.aborted) throw err;
      if (!(err instanceof HttpError) && !(err instanceof InputError)) throw err;
      planner.failures.push({
        url: job.url,
        path: job.path,
        reason: `media playlist (${where(top, line)}): ${errorMessage(err)}`,
      });
      return undefined;
    }
    // A live stream is not a partial failure: it is another kind of run.
    if (!options.allowLive) checkLive(got.playlist, got.text);
    return got;
  }, options.signal);
  if (options.signal?.aborted) throw options.signal.reason;
  const out: Fetched[] = [];
  list.forEach((job, i) => {
    const got = parsed[i];
    if (!got) return;
    planner.tracks.push(job.track);
    out.push({ ...got, kind: job.kind, path: job.path, track: job.track });
  });
  return out;
}

/** Refuses a playlist that still leaves segments out (EXT-X-SKIP): its copy would lack them. */
function checkSkip(p: ScannedMedia): void {
  if (!p.skip) return;
  throw new InputError(
    `EXT-X-SKIP: this is a delta update that leaves out ${p.skip.skippedSegments} segments, ` +
      "and the server gave no whole playlist for _HLS_skip=NO; a saved copy would lack them",
    where(p, p.skip.line),
  );
}

/** Whether a media playlist is live: no EXT-X-ENDLIST and not EXT-X-PLAYLIST-TYPE:VOD. */
function isLive(p: ScannedMedia): boolean {
  return !p.endList && p.playlistType !== "VOD";
}

/** Rejects a live playlist (see {@link isLive}). */
function checkLive(p: ScannedMedia, text: string): void {
  if (!isLive(p)) return;
  const lines = splitLines(text);
  let last = lines.length;
  while (last > 1 && lines[last - 1].text.trim() === "") last--;
  throw new InputError(
    "a live playlist (no EXT-X-ENDLIST and not EXT-X-PLAYLIST-TYPE:VOD); streamkit " +
      "mirrors VOD playlists only for now",
    where(p, last),
  );
}
