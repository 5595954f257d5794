/**
 * The state of one `hls get` planning run ({@link Planner}): the layout, the master's items,
 * each media playlist's URIs kept compactly ({@link MediaRefs}), which URLs were met and
 * where first, and the notes; and the plan's items and saved playlists made from them.
 *
 * @module
 */
import { InputError } from "../errors.ts";
import { Layout, relativeRef } from "../mirror/layout.ts";
import { resolveUrl } from "../net/resolve.ts";
import type {
  Failure,
  PlanItem,
  PlanTrack,
  ResourceKind,
  RunnableManifest,
  SavedManifest,
} from "../mirror/plan.ts";
import { FIRST, type MediaRefs, type PlainTarget } from "./media_refs.ts";
import type { KeyTag, MasterPlaylist, ScannedRef, SubRange, UriRef } from "./playlist.ts";
import { rewritePlaylist } from "./rewrite.ts";
import { type Hash64, hash64, HashTable64 } from "../mirror/hash_table.ts";

/** Folder (under the output directory) that holds segments, maps and keys. */
export const MEDIA_DIR = "hls";

/** Key URI schemes of DRM systems (FairPlay `skd:`, Widevine/PlayReady `data:`). */
const DRM_KEY_SCHEMES = new Set(["skd:", "data:"]);

/** Where a URL was first met: a master item (negative: -1 - index) or a media URI. */
type FirstMet = number;

/** The scheme of a serialized URL, with its colon (`https:`), as `URL.protocol` gives it. */
function schemeOf(href: string): string {
  return href.slice(0, href.indexOf(":") + 1);
}

/** Cuts the fragment off a serialized URL. */
export function withoutHash(url: string): string {
  const hash = url.indexOf("#");
  return hash < 0 ? url : url.slice(0, hash);
}

/** `<url>: line <n>`, as errors and notes name a place. */
export function where(p: { url: string }, line: number): string {
  return `${p.url}: line ${line}`;
}

/** Notes gathered while planning, folded so a repeated one is said once. */
export class Notes {
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
export interface Planned {
  url: string;
  refs: MediaRefs;
  /** The global index of its first URI. */
  base: number;
}

/**
 * The state of one planning run: the layout, the resources so far (the master's as items,
 * each media playlist's as {@link MediaRefs}), the notes.
 */
export class Planner {
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
  /** Where each URL was first met (a signed 32-bit number), by its hash. */
  #seen = new HashTable64(1);
  #ranges = new Map<PlanItem, Set<string>>();
  #next = 0;

  constructor(rootUrl: string, schemes: string[]) {
    this.layout = new Layout(rootUrl);
    this.#schemes = schemes;
  }

  /** The URL and local path of a plain URI of the playlist at `base` (its URL unchanged). */
  plainTarget(base: string): PlainTarget {
    return (uri) => {
      const url = withoutHash(resolveUrl(uri, base));
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

  /** Where the URL with hash `key` was first met, or undefined (the table keeps it unsigned). */
  #firstMet(key: Hash64): number | undefined {
    const at = this.#seen.get(key);
    return at === undefined ? undefined : at | 0;
  }

  /**
   * Plans a resource of the master (once per URL, ranges merged) and notes its local path.
   */
  addToMaster(p: MasterPlaylist, ref: UriRef, kind: ResourceKind, what: string): void {
    this.checkScheme(p, ref, what);
    const url = withoutHash(ref.url);
    const key = hash64(url);
    const first = this.#firstMet(key);
    let item: PlanItem;
    if (first === undefined) {
      item = { url, path: this.layout.pathFor(url, { prefix: MEDIA_DIR }), kind };
      this.masterItems.push(item);
      this.#seen.set(key, [-this.masterItems.length]);
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
    const key = hash64(url);
    const first = this.#firstMet(key);
    // Its URL is then `new URL(uri, m.url)` (ReadContext.ref), made again when needed.
    const plain = ref.role === "segment" && range === undefined && ref.uri === ref.expanded;
    let path: string;
    let flags = 0;
    let item: PlanItem | undefined;
    if (first === undefined) {
      this.#seen.set(key, [this.#next]);
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
