/**
 * An MPD → the tracks `dash check` checks (one per Representation, with the id `--list`
 * prints) and the items to read for each: initialization, index and media segments with
 * their byte ranges, names as problems show them, and where the manifest places each media
 * segment in time.
 *
 * @module
 */
import { errorMessage, InputError } from "../errors.ts";
import type { Mpd, Representation } from "../dash/mpd.ts";
import { representationSegments, type Segment } from "../dash/segments.ts";
import { dashKind as trackKind, mediaPlacements, type Placement } from "../dash/tracks.ts";
import type { Format, Item } from "./runner.ts";
import { initKey } from "./runner.ts";

export type { Placement };

/**
 * A Representation's kind as `dash check` reports it: the one of `--list`
 * (`dash/tracks.ts`), or `other` when the manifest does not say.
 */
export function dashKind(rep: Representation): string {
  return trackKind(rep) ?? "other";
}

/** A media segment and where the manifest places it. */
export interface MediaRef {
  /** What to read. */
  item: Item;
  /** The segment as `representationSegments` gave it. */
  segment: Segment;
  /** Where it is on the timeline, when the manifest says. */
  placement?: Placement;
}

/** One Representation to check. */
export interface DashTrack {
  /** `Representation@id`. */
  id: string;
  /** `video`, `audio`, `text`, `image` or `other`. */
  kind: string;
  /** The Representation (when it could be read). */
  rep?: Representation;
  /** Its initialization segment, when it has one. */
  init?: Item;
  /** Its index segments. */
  indexes: Item[];
  /** Its media segments, in order. */
  media: MediaRef[];
  /** Why it cannot be checked, when it cannot. */
  invalid?: string;
}

/** The format a Representation's `@mimeType` implies. */
function expectedFormat(rep: Representation): Format {
  const mime = (rep.mimeType ?? "").toLowerCase();
  if (/\/mp4$/.test(mime)) return "mp4";
  if (/\/webm$/.test(mime)) return "webm";
  if (/mp2t$/.test(mime)) return "ts";
  return "any";
}

/** The name of a resource in problems: its reference as written, or its file name; and its range. */
function nameOf(
  seg: { url: string; ref?: string; range?: { start: number; end: number } },
): string {
  let name = seg.ref;
  if (name === undefined || name === "") {
    const path = new URL(seg.url).pathname;
    name = decodeURIComponent(path.slice(path.lastIndexOf("/") + 1)) || seg.url;
  }
  return seg.range ? `${name} (bytes ${seg.range.start}-${seg.range.end})` : name;
}

/** The items of one Representation. */
function repTrack(rep: Representation, manifestUrl: string): DashTrack {
  const track: DashTrack = { id: rep.id, kind: dashKind(rep), rep, indexes: [], media: [] };
  let segments: Segment[];
  try {
    segments = representationSegments(rep, { source: manifestUrl });
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    track.invalid = errorMessage(err);
    return track;
  }
  const expect = expectedFormat(rep);
  const window = (
    s: Segment,
  ) => (s.range ? { start: s.range.start, end: s.range.end } : { start: 0 });
  const initSeg = segments.find((s) => s.kind === "init");
  if (initSeg) {
    track.init = {
      track: rep.id,
      url: initSeg.url,
      window: window(initSeg),
      name: nameOf(initSeg),
      role: "init",
      expect,
    };
  }
  const init = track.init ? initKey(track.init.url, track.init.window) : undefined;
  const media = segments.filter((s) => s.kind === "media");
  const places = mediaPlacements(rep, media);
  let m = 0;
  for (const s of segments) {
    if (s.kind === "init") continue;
    const item: Item = {
      track: rep.id,
      url: s.url,
      window: window(s),
      name: nameOf(s),
      role: s.kind === "media" ? "media" : "index",
      expect,
      init,
    };
    if (s.kind !== "media") {
      // An index inside a media segment's range is read with it (SegmentURL@indexRange).
      const inside = segments.some((o) =>
        o.kind === "media" && o.url === s.url && o.range && s.range &&
        o.range.start <= s.range.start && s.range.end <= o.range.end
      );
      if (!inside) track.indexes.push(item);
      continue;
    }
    if (!s.range) {
      // A whole file that also holds ranged parts (SegmentBase): its media follow them.
      const ranged = segments.filter((o) => o !== s && o.url === s.url && o.range);
      if (ranged.length > 0 && track.init?.url === s.url) {
        item.window = { start: Math.max(...ranged.map((o) => o.range!.end)) + 1 };
      }
    }
    track.media.push({ item, segment: s, placement: places[m++] });
  }
  return track;
}

/**
 * The tracks of an MPD: every Representation of every Period, in document order, and
 * every part of it that could not be read (as invalid tracks).
 *
 * @example
 * ```ts
 * import { parseMpd } from "../dash/mpd.ts";
 * const url = "https://cdn.example/vod/manifest.mpd";
 * const text = await Deno.readTextFile("manifest.mpd");
 * const tracks = dashTracks(parseMpd(text, url, { tolerant: true }), url);
 * tracks.map((t) => t.id);
 * ```
 */
export function dashTracks(mpd: Mpd, manifestUrl: string): DashTrack[] {
  const tracks = mpd.representations.map((rep) => repTrack(rep, manifestUrl));
  for (const p of mpd.problems) {
    const id = p.element.name === "Representation" ? p.element.attrs.id ?? "" : "";
    tracks.push({ id, kind: "other", indexes: [], media: [], invalid: p.message });
  }
  return tracks;
}

/** Every item of the tracks, initialization segments included. */
export function dashItems(tracks: readonly DashTrack[]): Item[] {
  return tracks.flatMap((t) => [
    ...(t.init ? [t.init] : []),
    ...t.indexes,
    ...t.media.map((m) => m.item),
  ]);
}
