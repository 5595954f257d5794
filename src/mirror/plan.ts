/**
 * The DownloadPlan: the one list of resources that `dash get` and `hls get` hand to the
 * shared downloader. Everything after planning (concurrency, retries, resume, progress,
 * verification, the summary, `--dry-run`) works on this type and nothing else.
 *
 * @module
 */

/** A byte range inside a resource, inclusive of both ends (as in HTTP `Range`). */
export interface ByteRange {
  /** First byte offset. */
  start: number;
  /** Last byte offset, inclusive. */
  end: number;
}

/** What role a resource plays in the stream; used for reporting only. */
export type ResourceKind =
  | "manifest"
  | "playlist"
  | "init"
  | "media"
  | "index"
  | "key"
  | "subtitle"
  | "other";

/**
 * One resource to fetch whole and where to put it.
 *
 * Resources addressed by byte ranges in the manifest appear once, with every range the
 * manifest addresses listed in `ranges`; the downloader still fetches the whole file.
 */
export interface PlanItem {
  /** The absolute URL to fetch (query string included). */
  url: string;
  /** Local path, relative to the output directory, POSIX separators, already safe. */
  path: string;
  /** What the resource is. */
  kind: ResourceKind;
  /** The byte ranges of this resource that the manifest addresses, if any. */
  ranges?: ByteRange[];
  /** The track it belongs to (a Representation id, a media playlist's URI), if one. */
  track?: string;
}

/** A manifest or playlist to write to disk as text (possibly rewritten for offline use). */
export interface SavedManifest {
  /** Where it came from (the final URL after redirects, or a local file URL). */
  url: string;
  /** Local path, relative to the output directory. */
  path: string;
  /** The text exactly as it should be saved. */
  text: string;
  /** The original text, when `text` was rewritten (saved beside it as `<name>.orig`). */
  original?: string;
}

/** Something of the stream that could not be planned or fetched, and why. */
export interface Failure {
  /** The URL that failed. */
  url: string;
  /** Where it would have been saved (relative to the output directory). */
  path: string;
  /** Why. */
  reason: string;
}

/** A track of the plan, as displays name it. */
export interface PlanTrack {
  /** The id as the manifest names it (`Representation@id`; an HLS playlist's URI). */
  id: string;
  /** A short label: kind and resolution or language (`video 1280x720`, `audio fr`). */
  label?: string;
  /**
   * How many items of the plan belong to it. A planner that generates its items lazily gives
   * it for every track, so the runner need not go through the items once more to count.
   */
  files?: number;
}

/**
 * The items of a plan: a list, or a source that yields them lazily (a template's segments
 * generated as they are fetched, never all at once) and knows how many it yields. An array
 * is one; {@link lazyItems} makes another.
 */
export interface PlanItems extends Iterable<PlanItem> {
  /** How many items it yields. */
  readonly length: number;
}

/**
 * Items generated on demand, each time they are gone through: `generate` is called once per
 * pass and must yield `count` items, in plan order, each URL once.
 *
 * @example
 * ```ts
 * const items = lazyItems(100_000, function* () {
 *   for (let n = 1; n <= 100_000; n++) {
 *     yield { url: `https://cdn.example/v/seg-${n}.m4s`, path: `v/seg-${n}.m4s`, kind: "media" };
 *   }
 * });
 * items.length; // 100000
 * ```
 */
export function lazyItems(count: number, generate: () => Iterable<PlanItem>): PlanItems {
  return {
    length: count,
    [Symbol.iterator]: () => generate()[Symbol.iterator](),
  };
}

/**
 * A plan as the runner takes it: a {@link DownloadPlan} whose items may be a lazy source
 * ({@link PlanItems}). Every DownloadPlan is one.
 */
export interface RunnablePlan extends Omit<DownloadPlan, "items" | "manifests"> {
  /** Manifests/playlists to write; a long one may come as pieces. */
  manifests: RunnableManifest[];
  /** Resources to download, in manifest order, each URL once; read once, as the run goes. */
  items: PlanItems;
}

/**
 * A manifest to write, whose text may come as pieces made while it is written (a rewritten
 * 100,000-line playlist produced line by line from the original, never whole in memory
 * beside it). Every {@link SavedManifest} is one.
 */
export interface RunnableManifest extends Omit<SavedManifest, "text"> {
  /** The text exactly as it should be saved, or a function giving its pieces in order. */
  text: string | (() => Iterable<string>);
}

/** Everything one `get` run must produce. */
export interface DownloadPlan {
  /** The tracks the items belong to, in manifest order. */
  tracks?: PlanTrack[];
  /** Manifests/playlists to write (already fetched while planning). */
  manifests: SavedManifest[];
  /** Resources to download, in manifest order, each URL once. */
  items: PlanItem[];
  /** Notes for the user (skipped things, assumptions made). */
  notes: string[];
  /**
   * Parts of the stream that could not be planned (a media playlist that could not be
   * fetched, a Period that cannot be used): the rest is mirrored, and the run fails (exit 1)
   * naming them.
   */
  failures?: Failure[];
}
