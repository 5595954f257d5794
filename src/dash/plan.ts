/**
 * A parsed MPD → the DownloadPlan of `dash get`: every initialization, index and media
 * resource of every Representation, each URL once, placed by the layout; and the manifest
 * to save, rewritten where offline playback needs it.
 *
 * @module
 */
import { InputError } from "../errors.ts";
import { Layout, manifestFileName } from "../mirror/layout.ts";
import type { DownloadPlan, Failure, PlanItems } from "../mirror/plan.ts";
import { DashItems } from "./plan_items.ts";
import { representationKeys, type SavedDash } from "./copy_check.ts";
import { type Mpd, mpdDocument, readMpd, type Representation } from "./mpd.ts";
import { savedCopy } from "./saved_copy.ts";
import { describeRepresentation } from "./tracks.ts";
import { trackLabel } from "../select/track.ts";
import { parseXml, type XmlElement } from "./xml.ts";
import { type Segment, type SegmentSource, segmentSource } from "./segments.ts";

/** Options of {@link planDash}. */
export interface DashPlanOptions {
  /** URL schemes resources may use. @default ["http:", "https:"] */
  schemes?: string[];
}

/** A plan, and the MPD it came from. */
export interface DashPlan {
  /** What to write and fetch; its items are generated as they are taken. */
  plan: Omit<DownloadPlan, "items"> & { items: PlanItems };
  /** The parsed manifest. */
  mpd: Mpd;
  /** The layout that placed every file (and can place more). */
  layout: Layout;
  /** The Representations mirrored, with their resources' paths (generated on demand). */
  placed: LazyPlacement[];
  /** What the saved copy must resolve to: the input of the self-check (`checkSavedDash`). */
  saved: SavedDash;
}

/**
 * Plans the mirror of an MPD.
 *
 * @param text the MPD as fetched
 * @param manifestUrl its final URL (after redirects); relative references resolve against
 *   it, and its folder is the root of the output layout
 *
 * @example
 * ```ts
 * const text = await Deno.readTextFile("manifest.mpd");
 * const { plan } = planDash(text, "https://cdn.example/vod/manifest.mpd");
 * for (const item of plan.items) console.log(item.url, "→", item.path);
 * ```
 */
export function planDash(
  text: string,
  manifestUrl: string,
  options: DashPlanOptions = {},
): DashPlan {
  const schemes = options.schemes ?? ["http:", "https:"];
  // A live MPD is named as such before anything else about it is checked.
  const doc = mpdDocument(text, manifestUrl);
  if (doc.type === "dynamic") {
    throw new InputError(
      'MPD@type="dynamic" (a live stream); streamkit mirrors static (VOD) MPDs only for now',
      manifestUrl,
    );
  }
  const mpd = readMpd(doc, manifestUrl, { tolerant: true });
  const { layout, manifestPath } = dashLayout(manifestUrl);
  const prefix = `${manifestUrl}: `;
  const failure = (message: string): Failure => ({
    url: manifestUrl,
    path: manifestPath,
    reason: `${message.startsWith(prefix) ? message.slice(prefix.length) : message}; not mirrored`,
  });
  // Failures in document order, whether the parser or the addressing found them.
  const order = documentOrder(mpd.root);
  const failed: { at: number; failure: Failure }[] = mpd.problems.map((p) => ({
    at: order.get(p.element) ?? 0,
    failure: failure(p.message),
  }));
  const keys = representationKeys(mpd.representations);
  const skipKeys: string[] = [];
  const placed: LazyPlacement[] = [];
  // Each resource is seen once here; the items are generated again as the run takes them.
  const items = new DashItems();
  mpd.representations.forEach((rep, i) => {
    try {
      const see = items.start(rep);
      const one = placeLazily(rep, manifestUrl, layout, { schemes }, see);
      items.add(one);
      placed.push(one);
    } catch (err) {
      // A hostile URL (file:, data:) refuses the whole manifest; a bad part fails alone.
      if (!(err instanceof InputError) || err instanceof UnsafeUrlError) throw err;
      failed.push({
        at: order.get(rep.elements.representation) ?? 0,
        failure: failure(err.message),
      });
      skipKeys.push(keys[i]);
    }
  });
  const failures = failed.sort((a, b) => a.at - b.at).map((f) => f.failure);
  if (placed.length === 0) {
    // Nothing usable at all: the manifest is bad input, and nothing is written.
    throw new InputError(
      failures.map((f) => f.reason.replace(/; not mirrored$/, "")).join("; "),
      manifestUrl,
    );
  }
  const copy = savedCopy({
    text,
    mpd,
    placed,
    layout,
    manifestPath,
    schemes,
    skipKeys,
    skipWheres: mpd.problems.map((p) => p.where),
  });
  const notes = [...mpd.notes];
  for (const where of copy.listed) {
    notes.push(
      `${where}: its SegmentTemplate cannot build the saved names; the saved manifest lists ` +
        `its segments (SegmentList)`,
    );
  }
  for (const u of copy.unresolved) notes.push(`saved copy: ${u}`);
  return {
    mpd,
    layout,
    placed,
    saved: { manifestPath, expect: copy.expect },
    plan: {
      tracks: placed.map(({ rep }) => ({
        id: rep.id,
        label: trackLabel(describeRepresentation(rep)),
        files: items.filesOf(rep.id),
      })),
      manifests: [{
        url: manifestUrl,
        path: manifestPath,
        text: copy.text,
        original: copy.changed ? text : undefined,
      }],
      items: items.items(),
      notes,
      ...(failures.length > 0 ? { failures } : {}),
    },
  };
}

/** Each element's position in document order. */
function documentOrder(root: XmlElement): Map<XmlElement, number> {
  const order = new Map<XmlElement, number>();
  const walk = (el: XmlElement) => {
    order.set(el, order.size);
    el.children.forEach(walk);
  };
  walk(root);
  return order;
}

/**
 * A resource URL that makes the whole manifest unusable: a `file:` URL where only http(s)
 * is allowed, or a URL outside the root of a saved copy.
 */
export class UnsafeUrlError extends InputError {
  /**
   * Names the URL and why it makes the manifest unusable.
   *
   * @param message what is wrong
   * @param where where it is wrong
   */
  constructor(message: string, where: string) {
    super(message, where);
    this.name = "UnsafeUrlError";
  }
}

/** The layout of a DASH mirror, and the path its manifest is saved under. */
export interface DashLayout {
  /** The layout, with the manifest's path already reserved. */
  layout: Layout;
  /** The manifest's path, relative to the output directory. */
  manifestPath: string;
}

/**
 * Starts the layout of a DASH mirror rooted at the manifest's folder, reserving the
 * manifest's own name first. `dash get` (with the URL it fetched) and `dash dump` (with the
 * saved manifest's `file:` URL) both start here, so both place every file alike.
 *
 * @example
 * ```ts
 * const { layout, manifestPath } = dashLayout("https://cdn.example/vod/stream");
 * manifestPath; // "stream.mpd"
 * ```
 */
export function dashLayout(manifestUrl: string): DashLayout {
  const layout = new Layout(manifestUrl);
  let manifestPath = manifestFileName(manifestUrl, "manifest.mpd");
  if (!/\.mpd$/i.test(manifestPath)) manifestPath += ".mpd";
  layout.reserve(manifestPath, manifestUrl);
  return { layout, manifestPath };
}

/** One resource of a Representation and the local file that holds it. */
export interface PlacedSegment extends Segment {
  /** Local path of the whole resource, relative to the output directory (POSIX, safe). */
  path: string;
}

/** A Representation and its resources in manifest order, each with its local path. */
export interface PlacedRepresentation {
  /** The Representation, with everything it inherits. */
  rep: Representation;
  /** Initialization, index and media resources, in manifest order. */
  segments: PlacedSegment[];
}

/** Options of {@link placeRepresentations}. */
export interface PlaceOptions {
  /** URL schemes resources may use. @default ["http:", "https:"] */
  schemes?: string[];
  /**
   * Only accept resources under the layout's root (the manifest's folder); used when the
   * manifest is a saved copy read from disk. @default false
   */
  insideRoot?: boolean;
}

/**
 * Every Representation of `mpd` with its resources placed by `layout`, in document order.
 * This is the one place where DASH resources get their local paths: `planDash` builds the
 * download plan from it and `dash dump` finds the downloaded files with it, so the two
 * always agree (the layout gives each URL its path in the order it first sees the URL).
 *
 * @param mpd the parsed manifest
 * @param manifestUrl the manifest's URL, for messages
 * @param layout a layout fresh from {@link dashLayout}
 * @param options accepted schemes and whether resources must stay under the root
 * @throws {InputError} when a resource uses another scheme or leaves the root
 *
 * @example
 * ```ts
 * import { parseMpd } from "./mpd.ts";
 * const url = "file:///data/out/manifest.mpd";
 * const mpd = parseMpd(await Deno.readTextFile("/data/out/manifest.mpd"), url);
 * const { layout } = dashLayout(url);
 * for (const { rep, segments } of placeRepresentations(mpd, url, layout, {
 *   schemes: ["file:"],
 *   insideRoot: true,
 * })) console.log(rep.id, segments.map((s) => s.path));
 * ```
 */
export function placeRepresentations(
  mpd: Mpd,
  manifestUrl: string,
  layout: Layout,
  options: PlaceOptions = {},
): PlacedRepresentation[] {
  return mpd.representations.map((rep) => placeRepresentation(rep, manifestUrl, layout, options));
}

/**
 * One Representation with its resources placed by `layout`; see
 * {@link placeRepresentations}, which places them all in document order.
 *
 * @throws {InputError} when a resource uses another scheme or leaves the root, or the
 *   Representation's addressing cannot be expanded
 */
export function placeRepresentation(
  rep: Representation,
  manifestUrl: string,
  layout: Layout,
  options: PlaceOptions = {},
): PlacedRepresentation {
  return placeSegments(
    rep,
    segmentSource(rep, { source: manifestUrl }),
    manifestUrl,
    layout,
    options,
  );
}

/**
 * {@link placeRepresentation} of resources already expanded (`representationSegments`), for a
 * caller that expands them first to tell an addressing error from an unsafe reference.
 *
 * @throws {InputError} when a resource uses another scheme or leaves the root
 */
export function placeSegments(
  rep: Representation,
  source: SegmentSource,
  manifestUrl: string,
  layout: Layout,
  options: PlaceOptions = {},
): PlacedRepresentation {
  checkSegments(rep, source, manifestUrl, layout, options);
  return { rep, segments: [...source].map((seg) => ({ ...seg, path: layout.pathFor(seg.url) })) };
}

/** Refuses a Representation whose resources use another scheme or leave the root. */
function checkSegments(
  rep: Representation,
  source: SegmentSource,
  manifestUrl: string,
  layout: Layout,
  options: PlaceOptions,
): void {
  const schemes = options.schemes ?? ["http:", "https:"];
  let known = "";
  for (const seg of source) {
    // Every URL here is serialized (the parser's href): its scheme is its text up to `:`.
    if (known !== "" && seg.url.startsWith(known)) {
      if (options.insideRoot && !seg.url.startsWith(layout.root)) outsideRoot(seg);
      continue;
    }
    const scheme = new URL(seg.url).protocol;
    if (!schemes.includes(scheme)) {
      // A local file named by a remote manifest is hostile; any other scheme (an inline
      // data: segment, ftp:) is only unsupported, and fails its Representation.
      const Err = scheme === "file:" ? UnsafeUrlError : InputError;
      const shown = seg.url.length > 120 ? `${seg.url.slice(0, 100)}…` : seg.url;
      // A local MPD with relative references: say how to give them a home.
      const hint = scheme === "file:" && manifestUrl.startsWith("file:")
        ? "; a local MPD's relative references need --base-url (the URL it came from)"
        : "";
      throw new Err(
        `${seg.kind} segment URL ${shown} uses the unsupported scheme "${scheme}"${hint}`,
        `${manifestUrl}: ${rep.where}`,
      );
    }
    if (seg.url.startsWith(scheme)) known = scheme;
    if (options.insideRoot && !seg.url.startsWith(layout.root)) outsideRoot(seg);
  }
  function outsideRoot(seg: Segment): never {
    throw new UnsafeUrlError(
      `${seg.kind} segment URL ${seg.url} is outside the manifest's folder ${layout.root}`,
      `${manifestUrl}: ${rep.where}`,
    );
  }
}

/** A Representation's resources with their local paths, made on demand; see {@link placeLazily}. */
export interface PlacedSource extends Iterable<PlacedSegment> {
  /** How many resources it yields. */
  readonly length: number;
}

/** A Representation and its placed resources, generated each time they are gone through. */
export interface LazyPlacement {
  /** The Representation, with everything it inherits. */
  rep: Representation;
  /** Initialization, index and media resources, in manifest order. */
  segments: PlacedSource;
  /** The same resources without their paths. */
  source: SegmentSource;
}

/**
 * {@link placeRepresentation} without holding the result: the Representation is checked
 * and every one of its URLs given its path by `layout` now (in manifest order, so the paths
 * are those {@link placeRepresentation} gives), and its resources are generated again, each
 * with the path the layout gave it, whenever they are gone through.
 *
 * @param each called with each resource and its position, once, after the checks pass
 * @throws {InputError} as {@link placeRepresentation}
 *
 * @example
 * ```ts
 * import { parseMpd } from "./mpd.ts";
 * const url = "https://cdn.example/vod/manifest.mpd";
 * const mpd = parseMpd(await Deno.readTextFile("manifest.mpd"), url);
 * const { layout } = dashLayout(url);
 * const placed = placeLazily(mpd.representations[0], url, layout);
 * for (const seg of placed.segments) console.log(seg.path);
 * ```
 */
export function placeLazily(
  rep: Representation,
  manifestUrl: string,
  layout: Layout,
  options: PlaceOptions = {},
  each?: (seg: Segment, index: number) => void,
): LazyPlacement {
  const source = segmentSource(rep, { source: manifestUrl });
  checkSegments(rep, source, manifestUrl, layout, options);
  // Most resources are saved under their URL's own path below the root: those paths are
  // taken from the URL again, and only the others are remembered (or, when most are
  // others, asked of the layout again).
  const root = layout.root;
  const natural = (url: string): string | undefined => {
    if (!url.startsWith(root)) return undefined;
    const end = url.search(/[?#]/);
    return end < 0 ? url.slice(root.length) : url.slice(root.length, end);
  };
  let odd: Map<number, string> | undefined = new Map();
  let i = 0;
  for (const seg of source) {
    const path = layout.pathFor(seg.url);
    if (odd !== undefined && natural(seg.url) !== path) {
      odd.set(i, path);
      if (odd.size > MAX_ODD_PATHS) odd = undefined;
    }
    each?.(seg, i++);
  }
  const odds = odd;
  return {
    rep,
    source,
    segments: {
      length: source.length,
      *[Symbol.iterator]() {
        // The layout gives a URL the same path every time it is asked.
        let i = 0;
        for (const seg of source) {
          const path = odds === undefined
            ? layout.pathFor(seg.url)
            : odds.get(i) ?? natural(seg.url)!;
          i++;
          yield { ...seg, path };
        }
      },
    },
  };
}

/** The most resources of a Representation whose paths {@link placeLazily} remembers. */
const MAX_ODD_PATHS = 1000;

/**
 * Where a local MPD read without `--base-url` stands: at its first MPD-level BaseURL when
 * that is an absolute http(s) URL (the MPD then says where its media live, and the mirror is
 * laid out from there, as if the MPD had been fetched from that folder); otherwise at its
 * own `file:` URL.
 *
 * @example
 * ```ts
 * standInUrl('<MPD><BaseURL>https://cdn.example/vod/</BaseURL></MPD>', "file:///tmp/a.mpd");
 * // "https://cdn.example/vod/a.mpd"
 * ```
 */
export function standInUrl(text: string, fileUrl: string): string {
  let root;
  try {
    root = parseXml(text);
  } catch {
    return fileUrl; // planDash reports the problem with its place
  }
  const first = root.children.find((c) => c.name === "BaseURL")?.text;
  if (first === undefined || !/^https?:\/\//i.test(first)) return fileUrl;
  const name = fileUrl.slice(fileUrl.lastIndexOf("/") + 1);
  try {
    return new URL(name, first).href;
  } catch {
    return fileUrl;
  }
}
