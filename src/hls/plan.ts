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
import {
  type DownloadPlan,
  type Failure,
  lazyItems,
  type PlanItem,
  type PlanTrack,
  type ResourceKind,
  type RunnableManifest,
  type RunnablePlan,
  type SavedManifest,
} from "../mirror/plan.ts";
import { errorMessage } from "../errors.ts";
import { HttpError } from "../net/http.ts";
import { runPool } from "../net/pool.ts";
import {
  type KeyTag,
  type MasterPlaylist,
  parsePlaylist,
  type Playlist,
  type ScannedMedia,
  type ScannedRef,
  scanPlaylist,
  splitLines,
  type SubRange,
  type UriRef,
} from "./playlist.ts";
import { defineEdits, FIRST, MediaRefs, type PlainTarget } from "./media_refs.ts";
import { rewritePlaylist } from "./rewrite.ts";
import { UrlTable } from "./url_table.ts";
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

/** A media playlist fetched and read: its text, final URL, facts, and what it is. */
interface Fetched {
  text: string;
  url: string;
  playlist: ScannedMedia;
  kind: ResourceKind;
  path: string;
  track: PlanTrack;
}

/** Where a URL was first met: a master item (negative: -1 - index) or a media URI. */
type FirstMet = number;

/** The scheme of a serialized URL, with its colon (`https:`), as `URL.protocol` gives it. */
function schemeOf(href: string): string {
  return href.slice(0, href.indexOf(":") + 1);
}

/** Cuts the fragment off a serialized URL. */
function withoutHash(url: string): string {
  const hash = url.indexOf("#");
  return hash < 0 ? url : url.slice(0, hash);
}

function where(p: { url: string }, line: number): string {
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

/** A media playlist being planned: its compact URIs, and where its URL resolves against. */
interface Planned {
  url: string;
  refs: MediaRefs;
  /** The global index of its first URI. */
  base: number;
}

/**
 * The state of one planning run: the layout, the resources so far (the master's as items,
 * each media playlist's as {@link MediaRefs}), the notes.
 */
class Planner {
  readonly layout: Layout;
  readonly notes = new Notes();
  readonly failures: Failure[] = [];
  readonly tracks: PlanTrack[] = [];
  /** The master's items, in order. */
  readonly masterItems: PlanItem[] = [];
  /** The master's URIs and the local path each now points at. */
  readonly masterLocal = new Map<UriRef, string>();
  /** The media playlists, in plan order. */
  readonly media: Planned[] = [];
  #schemes: string[];
  #seen = new UrlTable();
  #ranges = new Map<PlanItem, Set<string>>();
  #next = 0;

  constructor(rootUrl: string, schemes: string[]) {
    this.layout = new Layout(rootUrl);
    this.#schemes = schemes;
  }

  /** The URL and local path of a plain URI of the playlist at `base` (its URL unchanged). */
  plainTarget(base: string): PlainTarget {
    return (uri) => {
      const url = withoutHash(new URL(uri, base).href);
      return { url, path: this.layout.pathFor(url, { prefix: MEDIA_DIR }) };
    };
  }

  /** Every item, in plan order: the master's, then each media playlist's. */
  *items(): Generator<PlanItem> {
    yield* this.masterItems;
    for (const m of this.media) yield* m.refs.planItems(this.plainTarget(m.url));
  }

  /** How many items {@link items} yields. */
  get itemCount(): number {
    return this.#seen.size;
  }

  /** Throws unless `ref` is a URL streamkit may fetch. */
  checkScheme(p: { url: string }, ref: UriRef, what: string): void {
    const scheme = schemeOf(ref.url);
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

  /** The item of a URL met before, made an object now if it was a plain URI's. */
  #itemOf(first: FirstMet, url: string): PlanItem {
    if (first < 0) return this.masterItems[-1 - first];
    const m = this.media.findLast((m) => m.base <= first)!;
    const i = first - m.base;
    let item = m.refs.items.get(i);
    if (!item) {
      const path = this.layout.pathFor(url, { prefix: MEDIA_DIR });
      item = { url, path, kind: m.refs.kind, track: m.refs.track };
      m.refs.items.set(i, item);
    }
    return item;
  }

  /** Adds `range` to the item's ranges, once. */
  #addRange(item: PlanItem, range: SubRange): void {
    const start = range.offset;
    const end = range.offset + range.length - 1;
    const seen = this.#ranges.get(item) ?? new Set<string>();
    this.#ranges.set(item, seen);
    if (!seen.has(`${start}-${end}`)) {
      seen.add(`${start}-${end}`);
      (item.ranges ??= []).push({ start, end });
    }
  }

  /**
   * Plans a resource of the master (once per URL, ranges merged) and notes its local path.
   */
  addToMaster(p: MasterPlaylist, ref: UriRef, kind: ResourceKind, what: string): void {
    this.checkScheme(p, ref, what);
    const url = withoutHash(ref.url);
    const first = this.#seen.get(url);
    let item: PlanItem;
    if (first === undefined) {
      item = { url, path: this.layout.pathFor(url, { prefix: MEDIA_DIR }), kind };
      this.masterItems.push(item);
      this.#seen.set(url, -this.masterItems.length);
    } else {
      item = this.#itemOf(first, url);
    }
    this.masterLocal.set(ref, item.path);
  }

  /** Plans a key file, unless it is a DRM system's (then the line stays, with a note). */
  isDrmKey(p: { url: string }, key: KeyTag, tag: string): boolean {
    const ref = key.ref!;
    const scheme = schemeOf(ref.url);
    const format = key.keyFormat ?? "identity";
    if (DRM_KEY_SCHEMES.has(scheme) || (format !== "identity" && this.#schemes.includes(scheme))) {
      this.notes.add(
        `${tag} METHOD=${key.method} KEYFORMAT=${format} with a ${scheme} URI is a DRM ` +
          `system's and cannot be downloaded; the line is kept as it is`,
        where(p, key.line),
      );
      return true;
    }
    return false;
  }

  /** Notes a URI that stays online in the saved copy, and why. */
  online(p: { url: string }, ref: UriRef, why: string): void {
    this.notes.add(`${why}; it stays online in the saved copy`, where(p, ref.line));
  }

  /** Starts planning a media playlist: its URIs are then given by {@link addMediaRef}. */
  startMedia(url: string, refs: MediaRefs): Planned {
    const m = { url, refs, base: this.#next };
    this.media.push(m);
    return m;
  }

  /** Plans what one URI of a media playlist refers to, in document order. */
  addMediaRef(m: Planned, got: ScannedRef): void {
    const { ref, offset } = got;
    const refs = m.refs;
    const end = offset + (ref.end - ref.start);
    const p = { url: m.url };
    let kind: ResourceKind;
    let what: string;
    switch (ref.role) {
      case "segment":
        kind = refs.kind;
        what = "segment";
        break;
      case "map":
        kind = "init";
        what = "EXT-X-MAP";
        break;
      case "part":
        kind = refs.kind;
        what = "EXT-X-PART";
        break;
      case "key":
        if (this.isDrmKey(p, got.key!, "EXT-X-KEY")) return this.#keep(m, offset, end);
        kind = "key";
        what = "EXT-X-KEY";
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
        return this.#keep(m, offset, end);
      default:
        return this.#keep(m, offset, end);
    }
    this.checkScheme(p, ref, what);
    const url = withoutHash(ref.url);
    const range = ref.role === "part" ? undefined : got.byteRange;
    const first = this.#seen.get(url);
    // Its URL is then `new URL(uri, m.url)` (ReadContext.ref), made again when needed.
    const plain = ref.role === "segment" && range === undefined && ref.uri === ref.expanded;
    let path: string;
    let flags = 0;
    let item: PlanItem | undefined;
    if (first === undefined) {
      this.#seen.set(url, this.#next);
      flags |= FIRST;
      path = this.layout.pathFor(url, { prefix: MEDIA_DIR });
      if (!plain) item = { url, path, kind, track: refs.track };
    } else if (plain) {
      path = this.layout.pathFor(url, { prefix: MEDIA_DIR }); // the path it got before
    } else {
      item = this.#itemOf(first, url);
      path = item.path;
    }
    if (item && range) this.#addRange(item, range);
    const to = relativeRef(refs.path, path);
    if (plain) flags |= refs.plainFlags(ref.uri, url, path, to);
    const i = refs.push(offset, end, flags);
    this.#next++;
    if (item && first === undefined) refs.items.set(i, item);
    if (to !== ref.uri) {
      refs.changed = true;
      if (!plain) refs.refs.set(i, to);
    }
  }

  /** A URI that stays as it is (it brings no item). */
  #keep(m: Planned, offset: number, end: number): void {
    m.refs.push(offset, end, 0);
    this.#next++;
  }

  /** The master, rewritten so each URI is the relative reference to its local copy. */
  masterManifest(p: MasterPlaylist, path: string): SavedManifest {
    const memo = new Map<string, string>();
    const rewritten = rewritePlaylist(p, (ref) => {
      const to = this.masterLocal.get(ref);
      if (to === undefined) return undefined;
      let rel = memo.get(to);
      if (rel === undefined) memo.set(to, rel = relativeRef(path, to));
      return rel;
    }, { ownDefines: true });
    const original = p.lines.map((l) => l.text + l.eol).join("");
    return {
      url: p.url,
      path,
      text: rewritten.text,
      original: rewritten.changed ? original : undefined,
    };
  }

  /** A media playlist's saved copy: its text made piece by piece from the original. */
  mediaManifest(m: Planned): RunnableManifest {
    const { refs } = m;
    const target = this.plainTarget(m.url);
    return {
      url: m.url,
      path: refs.path,
      text: () => refs.savedText((uri) => relativeRef(refs.path, target(uri).path)),
      original: refs.changed ? refs.text : undefined,
    };
  }
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
