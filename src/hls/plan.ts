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
 * @module
 */
import { InputError } from "../errors.ts";
import { Layout, manifestFileName, relativeRef } from "../mirror/layout.ts";
import type {
  DownloadPlan,
  Failure,
  PlanItem,
  PlanTrack,
  ResourceKind,
  SavedManifest,
} from "../mirror/plan.ts";
import { errorMessage } from "../errors.ts";
import { HttpError } from "../net/http.ts";
import { runPool } from "../net/pool.ts";
import {
  type KeyTag,
  type MapTag,
  type MasterPlaylist,
  type MediaPlaylist,
  parsePlaylist,
  type Playlist,
  type Segment,
  type SubRange,
  type UriRef,
} from "./playlist.ts";
import { rewritePlaylist } from "./rewrite.ts";
import { trackLabel } from "../select/track.ts";
import { describeRef, standaloneTrack } from "./tracks.ts";

/** Folder (under the output directory) that holds segments, maps and keys. */
export const MEDIA_DIR = "hls";

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
  /** The playlist given (master or media), then every media playlist, in order. */
  playlists: Playlist[];
  /** The layout that placed every file. */
  layout: Layout;
  /** Whether a media playlist is live (only with `allowLive`; otherwise that throws). */
  live: boolean;
}

/** Key URI schemes of DRM systems (FairPlay `skd:`, Widevine/PlayReady `data:`). */
const DRM_KEY_SCHEMES = new Set(["skd:", "data:"]);

/** A media playlist to fetch: its URL, where it is saved, and the master lines naming it. */
interface Job {
  url: string;
  path: string;
  refs: UriRef[];
  kind: ResourceKind;
  /** Its track: the URI as the master writes it, and a label. */
  track: PlanTrack;
}

/** A playlist to save, the local path each of its URIs now points at, and its track. */
interface Saved {
  path: string;
  local: Map<UriRef, string>;
  track?: string;
}

function withoutHash(url: string): string {
  const u = new URL(url);
  u.hash = "";
  return u.href;
}

function where(p: Playlist, line: number): string {
  return `${p.url}: line ${line}`;
}

/** Notes gathered while planning, folded so a repeated one is said once. */
class Notes {
  #byText = new Map<string, string[]>();

  add(text: string, place: string): void {
    const places = this.#byText.get(text) ?? [];
    places.push(place);
    this.#byText.set(text, places);
  }

  list(): string[] {
    return [...this.#byText].map(([text, places]) => {
      const shown = places.slice(0, 3).join("; ");
      const more = places.length > 3 ? `; and ${places.length - 3} more` : "";
      return `${text} (${shown}${more})`;
    });
  }
}

/** The state of one planning run: the layout, the resources so far, the notes. */
class Planner {
  readonly layout: Layout;
  readonly notes = new Notes();
  readonly saved = new Map<Playlist, Saved>();
  readonly failures: Failure[] = [];
  readonly tracks: PlanTrack[] = [];
  #schemes: string[];
  #items = new Map<string, PlanItem>();
  #ranges = new Map<PlanItem, Set<string>>();

  constructor(rootUrl: string, schemes: string[]) {
    this.layout = new Layout(rootUrl);
    this.#schemes = schemes;
  }

  get items(): PlanItem[] {
    return [...this.#items.values()];
  }

  /** Throws unless `ref` is a URL streamkit may fetch. */
  checkScheme(p: Playlist, ref: UriRef, what: string): void {
    const scheme = new URL(ref.url).protocol;
    if (this.#schemes.includes(scheme)) return;
    const hint = p.url.startsWith("file:") && !/^[a-z][a-z0-9+.-]*:/i.test(ref.uri)
      ? " (for a local playlist, give --base-url so that relative URIs resolve to http(s))"
      : "";
    throw new InputError(
      `${what} URI "${ref.uri}" uses the unsupported scheme "${scheme}"; only http(s) ` +
        `resources are mirrored${hint}`,
      where(p, ref.line),
    );
  }

  /** Plans the resource `ref` names (once per URL, ranges merged) and notes its local path. */
  add(p: Playlist, ref: UriRef, kind: ResourceKind, what: string, range?: SubRange): void {
    this.checkScheme(p, ref, what);
    const url = withoutHash(ref.url);
    const saved = this.saved.get(p)!;
    let item = this.#items.get(url);
    if (!item) {
      item = { url, path: this.layout.pathFor(url, { prefix: MEDIA_DIR }), kind };
      if (saved.track !== undefined) item.track = saved.track;
      this.#items.set(url, item);
    }
    if (range) {
      const start = range.offset;
      const end = range.offset + range.length - 1;
      const seen = this.#ranges.get(item) ?? new Set<string>();
      this.#ranges.set(item, seen);
      if (!seen.has(`${start}-${end}`)) {
        seen.add(`${start}-${end}`);
        (item.ranges ??= []).push({ start, end });
      }
    }
    saved.local.set(ref, item.path);
  }

  /** Plans a key file, unless it is a DRM system's (then the line stays, with a note). */
  addKey(p: Playlist, key: KeyTag, tag: string): void {
    const ref = key.ref;
    if (!ref) return;
    const scheme = new URL(ref.url).protocol;
    const format = key.keyFormat ?? "identity";
    if (DRM_KEY_SCHEMES.has(scheme) || (format !== "identity" && this.#schemes.includes(scheme))) {
      this.notes.add(
        `${tag} METHOD=${key.method} KEYFORMAT=${format} with a ${scheme} URI is a DRM ` +
          `system's and cannot be downloaded; the line is kept as it is`,
        where(p, key.line),
      );
      return;
    }
    this.add(p, ref, "key", tag);
  }

  /** Notes a URI that stays online in the saved copy, and why. */
  online(p: Playlist, ref: UriRef, why: string): void {
    this.notes.add(`${why}; it stays online in the saved copy`, where(p, ref.line));
  }

  /** Plans everything a media playlist refers to, in document order. */
  addMedia(p: MediaPlaylist, kind: ResourceKind): void {
    const segments = new Map<UriRef, Segment>(p.segments.map((s) => [s.ref, s]));
    const maps = new Map<UriRef, MapTag>(p.maps.map((m) => [m.ref, m]));
    const keys = new Map<UriRef, KeyTag>();
    for (const k of p.keys) if (k.ref) keys.set(k.ref, k);
    for (const ref of p.refs) {
      switch (ref.role) {
        case "segment":
          this.add(p, ref, kind, "segment", segments.get(ref)?.byteRange);
          break;
        case "map":
          this.add(p, ref, "init", "EXT-X-MAP", maps.get(ref)?.byteRange);
          break;
        case "part":
          this.add(p, ref, kind, "EXT-X-PART");
          break;
        case "key":
          this.addKey(p, keys.get(ref)!, "EXT-X-KEY");
          break;
        case "asset":
        case "asset-list":
          this.online(
            p,
            ref,
            `interstitial ${ref.role === "asset" ? "X-ASSET-URI" : "X-ASSET-LIST"} ${ref.url} ` +
              "is not mirrored (an interstitial is a stream of its own: mirror it with its own " +
              "`streamkit hls get`)",
          );
          break;
      }
    }
  }

  /** Every playlist, rewritten so each URI is the relative reference to its local copy. */
  manifests(): SavedManifest[] {
    const out: SavedManifest[] = [];
    for (const [p, { path, local }] of this.saved) {
      const memo = new Map<string, string>();
      const rewritten = rewritePlaylist(p, (ref) => {
        const to = local.get(ref);
        if (to === undefined) return undefined;
        let rel = memo.get(to);
        if (rel === undefined) memo.set(to, rel = relativeRef(path, to));
        return rel;
      }, { ownDefines: true });
      const original = p.lines.map((l) => l.text + l.eol).join("");
      out.push({
        url: p.url,
        path,
        text: rewritten.text,
        original: rewritten.changed ? original : undefined,
      });
    }
    return out;
  }
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
  const top = parsePlaylist(source.text, source.url);
  const planner = new Planner(source.url, options.schemes ?? ["http:", "https:"]);
  let topPath = manifestFileName(source.url, `index${PLAYLIST_EXTENSION}`);
  if (!topPath.toLowerCase().endsWith(PLAYLIST_EXTENSION)) topPath += PLAYLIST_EXTENSION;
  planner.layout.reserve(topPath, source.url);

  const media: { playlist: MediaPlaylist; kind: ResourceKind }[] = [];
  let live = false;
  if (top.type === "media") {
    if (options.allowLive) live = isLive(top);
    else checkLive(top);
    checkSkip(top);
    const track = { id: topPath, label: trackLabel(standaloneTrack(source.url, top)) };
    planner.tracks.push(track);
    planner.saved.set(top, { path: topPath, local: new Map(), track: track.id });
    media.push({ playlist: top, kind: "media" });
  } else {
    planner.saved.set(top, { path: topPath, local: new Map() });
    const keys = new Map(top.sessionKeys.map((k) => [k.ref, k]));
    for (const ref of top.refs) {
      if (ref.role === "session-key") planner.addKey(top, keys.get(ref)!, "EXT-X-SESSION-KEY");
      if (ref.role === "session-data") planner.add(top, ref, "other", "EXT-X-SESSION-DATA");
      if (ref.role === "steering") {
        planner.online(top, ref, `EXT-X-CONTENT-STEERING SERVER-URI ${ref.url} is not mirrored`);
      }
    }
    media.push(...await fetchMediaPlaylists(top, planner, fetchPlaylist, options));
    live = media.some((m) => isLive(m.playlist));
  }
  for (const { playlist, kind } of media) planner.addMedia(playlist, kind);
  for (const p of planner.saved.keys()) {
    for (const n of p.notes) planner.notes.add(n, p.url);
  }
  return {
    plan: {
      tracks: planner.tracks,
      manifests: planner.manifests(),
      items: planner.items,
      notes: planner.notes.list(),
      failures: planner.failures,
    },
    playlists: [...planner.saved.keys()],
    layout: planner.layout,
    live,
  };
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
): Promise<{ playlist: MediaPlaylist; kind: ResourceKind }[]> {
  const jobs = new Map<string, Job>();
  const kindOf = new Map<UriRef, ResourceKind>();
  for (const r of top.renditions) {
    if (r.ref) kindOf.set(r.ref, r.type === "SUBTITLES" ? "subtitle" : "media");
  }
  const local = planner.saved.get(top)!.local;
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
  const read = async (url: string): Promise<MediaPlaylist> => {
    const got = await fetchPlaylist(url);
    const p = parsePlaylist(got.text, got.url, { imports: top.definitions });
    if (p.type === "master") {
      throw new InputError(
        "is a master playlist; a variant or rendition must be a media playlist",
        got.url,
      );
    }
    return p;
  };
  const parsed = await runPool(list, options.concurrency ?? 4, async (job) => {
    const line = job.refs[0].line;
    let p: MediaPlaylist;
    try {
      p = await read(job.url);
      // A delta update (EXT-X-SKIP) leaves segments out: ask for the whole playlist.
      if (p.skip) p = await read(withoutSkip(job.url));
      checkSkip(p);
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
    if (!options.allowLive) checkLive(p);
    return p;
  }, options.signal);
  if (options.signal?.aborted) throw options.signal.reason;
  const out: { playlist: MediaPlaylist; kind: ResourceKind }[] = [];
  list.forEach((job, i) => {
    const playlist = parsed[i];
    if (!playlist) return;
    planner.tracks.push(job.track);
    planner.saved.set(playlist, { path: job.path, local: new Map(), track: job.track.id });
    out.push({ playlist, kind: job.kind });
  });
  return out;
}

/** Refuses a playlist that still leaves segments out (EXT-X-SKIP): its copy would lack them. */
function checkSkip(p: MediaPlaylist): void {
  if (!p.skip) return;
  throw new InputError(
    `EXT-X-SKIP: this is a delta update that leaves out ${p.skip.skippedSegments} segments, ` +
      "and the server gave no whole playlist for _HLS_skip=NO; a saved copy would lack them",
    where(p, p.skip.line),
  );
}

/** Whether a media playlist is live: no EXT-X-ENDLIST and not EXT-X-PLAYLIST-TYPE:VOD. */
function isLive(p: MediaPlaylist): boolean {
  return !p.endList && p.playlistType !== "VOD";
}

/** Rejects a live playlist (see {@link isLive}). */
function checkLive(p: MediaPlaylist): void {
  if (!isLive(p)) return;
  let last = p.lines.length;
  while (last > 1 && p.lines[last - 1].text.trim() === "") last--;
  throw new InputError(
    "a live playlist (no EXT-X-ENDLIST and not EXT-X-PLAYLIST-TYPE:VOD); streamkit " +
      "mirrors VOD playlists only for now",
    where(p, last),
  );
}
