/**
 * An HLS playlist → the tracks `hls check` checks: every media playlist the master names
 * (variants, I-frame variants, renditions, image streams; each URL once, its id the URI as
 * the master writes it), fetched (or read from disk for a local master), and for each the
 * items to read: segments with their byte ranges, initialization sections (EXT-X-MAP) and
 * AES-128 keys.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { errorMessage, InputError } from "../errors.ts";
import { readManifestFile } from "../manifest_file.ts";
import { fetchText, HttpError, MAX_MANIFEST_BYTES } from "../net/http.ts";
import { runPool } from "../net/pool.ts";
import { formatSeconds } from "../ui/format.ts";
import {
  type MasterPlaylist,
  type MediaPlaylist,
  parsePlaylist,
  type Segment,
  type UriRef,
} from "../hls/playlist.ts";
import { mediaPlaylistId, renditionKind, standaloneTrack, variantKind } from "../hls/tracks.ts";
import type { Findings } from "./problems.ts";
import type { ReadContext } from "./reader.ts";
import { type Format, initKey, type Item } from "./runner.ts";

/** A segment of a media playlist and what to read for it. */
export interface HlsSegmentRef {
  /** The playlist's segment. */
  segment: Segment;
  /** Its name in problems: the URI as written, and its byte range. */
  name: string;
  /** What to read (none for an EXT-X-GAP segment). */
  item?: Item;
  /** Where the playlist places it: the sum of the EXTINFs before it, seconds. */
  start: number;
  /** The EXTINF value as written (its precision bounds the comparison). */
  extinf: string;
}

/** One media playlist to check. */
export interface HlsTrack {
  /** The URI as the master writes it (or the playlist's file name). */
  id: string;
  /** `video`, `audio`, `text`, `image`, or `""` until the media says. */
  kind: string;
  /** Its URL. */
  url: string;
  /** The playlist, when it could be read. */
  playlist?: MediaPlaylist;
  /** Its segments. */
  segments: HlsSegmentRef[];
  /** Everything to read: initialization sections, keys, segments. */
  items: Item[];
  /** Its initialization sections. */
  inits: Item[];
  /** Its keys. */
  keys: Item[];
  /** EXT-X-INDEPENDENT-SEGMENTS applies (in it or the master). */
  independent: boolean;
}

/** What the checks of HLS need: the master (when there is one), the tracks, notes. */
export interface HlsPlan {
  /** The master playlist, when the input is one. */
  master?: MasterPlaylist;
  /** Every media playlist. */
  tracks: HlsTrack[];
  /** The track of each master URI. */
  byRef: Map<UriRef, HlsTrack>;
  /** Things to know that are not problems. */
  notes: string[];
}

/** The format a segment's URI and tags imply. */
function expectedFormat(s: Segment): Format {
  if (s.key && s.key.method === "AES-128") return "encrypted";
  const path = new URL(s.ref.url).pathname.toLowerCase();
  const ext = path.slice(path.lastIndexOf(".") + 1);
  if (s.map) return ext === "ts" ? "any" : "mp4";
  if (ext === "ts") return "ts";
  if (["m4s", "mp4", "cmfv", "cmfa", "m4v", "m4a", "cmft"].includes(ext)) return "mp4";
  if (["aac", "ac3", "ec3", "mp3"].includes(ext)) return "audio";
  if (["vtt", "webvtt"].includes(ext)) return "text";
  return "any";
}

function rangeOf(r: { offset: number; length: number } | undefined) {
  return r ? { start: r.offset, end: r.offset + r.length - 1 } : { start: 0 };
}

function named(uri: string, r: { offset: number; length: number } | undefined): string {
  return r ? `${uri} (bytes ${r.offset}-${r.offset + r.length - 1})` : uri;
}

/** The EXTINF value as written on a segment's EXTINF line. */
function extinfText(p: MediaPlaylist, s: Segment): string {
  const line = p.lines[s.infLine - 1]?.text ?? "";
  return /^#EXTINF:\s*([^,]*)/.exec(line)?.[1].trim() ?? String(s.duration);
}

/** Fills a track's items from its playlist. */
function fillTrack(t: HlsTrack, p: MediaPlaylist): void {
  t.playlist = p;
  const seenInit = new Set<string>(), seenKey = new Set<string>();
  let start = 0;
  for (const s of p.segments) {
    const name = named(s.ref.uri, s.byteRange);
    const ref: HlsSegmentRef = { segment: s, name, start, extinf: extinfText(p, s) };
    start += s.duration;
    t.segments.push(ref);
    let init: string | undefined;
    if (s.map) {
      const window = rangeOf(s.map.byteRange);
      init = initKey(s.map.ref.url, window);
      if (!seenInit.has(init)) {
        seenInit.add(init);
        const expect = expectedFormat(s) === "any" ? "any" : "mp4";
        const item: Item = {
          track: t.id,
          url: s.map.ref.url,
          window,
          name: named(s.map.ref.uri, s.map.byteRange),
          role: "init",
          expect,
        };
        t.inits.push(item);
        t.items.push(item);
      }
    }
    const key = s.key;
    if (key?.ref && key.method === "AES-128" && (key.keyFormat ?? "identity") === "identity") {
      const scheme = new URL(key.ref.url).protocol;
      if (!seenKey.has(key.ref.url) && scheme !== "data:" && scheme !== "skd:") {
        seenKey.add(key.ref.url);
        const item: Item = {
          track: t.id,
          url: key.ref.url,
          window: { start: 0 },
          name: key.ref.uri,
          role: "key",
          expect: "key",
        };
        t.keys.push(item);
        t.items.push(item);
      }
    }
    if (s.gap) continue;
    ref.item = {
      track: t.id,
      url: s.ref.url,
      window: rangeOf(s.byteRange),
      name,
      role: "media",
      expect: expectedFormat(s),
      init,
    };
    t.items.push(ref.item);
  }
}

/** Reads a playlist: over HTTP, or from disk when the master is local. */
async function readPlaylist(url: string, ctx: ReadContext): Promise<{ text: string; url: string }> {
  if (url.startsWith("file:")) {
    if (!ctx.allowFiles) throw new InputError("a remote playlist may not name a file: URL", url);
    return { text: await readManifestFile(fileURLToPath(url)), url };
  }
  return await fetchText(
    url,
    ctx.http,
    MAX_MANIFEST_BYTES,
    (err, n, wait) =>
      ctx.onRetry?.(`retry ${n} in ${formatSeconds(wait / 1000)}: ${url}: ${err.message}`),
  );
}

function withoutHash(url: string): string {
  const u = new URL(url);
  u.hash = "";
  return u.href;
}

/**
 * Reads the playlist given and every media playlist it names, and lists the tracks. A media
 * playlist that cannot be fetched is a `missing-playlist` problem, one that cannot be parsed
 * a `manifest-invalid` one; the others are checked.
 *
 * @throws {InputError} when the playlist given cannot be parsed
 */
export async function hlsTracks(
  source: { text: string; url: string },
  ctx: ReadContext,
  found: Findings,
  threads: number,
): Promise<HlsPlan> {
  const top = parsePlaylist(source.text, source.url);
  const plan: HlsPlan = { tracks: [], byRef: new Map(), notes: [...top.notes] };
  const blank = (id: string, url: string, kind: string, independent: boolean): HlsTrack => ({
    id,
    kind,
    url,
    segments: [],
    items: [],
    inits: [],
    keys: [],
    independent,
  });
  if (top.type === "media") {
    const id = mediaPlaylistId(source.url);
    const t = blank(
      id,
      source.url,
      standaloneTrack(source.url, top).kind ?? "",
      top.independentSegments,
    );
    fillTrack(t, top);
    plan.tracks.push(t);
    liveNote(plan, t);
    return plan;
  }
  plan.master = top;
  const byUrl = new Map<string, HlsTrack>();
  for (const ref of top.refs) {
    if (!["variant", "iframe", "image", "rendition"].includes(ref.role)) continue;
    const url = withoutHash(ref.url);
    let t = byUrl.get(url);
    if (!t) {
      const rendition = top.renditions.find((r) => r.ref === ref);
      const variant = top.variants.find((v) => v.ref === ref);
      // The kind --list gives; for a variant the master does not describe, the media says.
      const kind = rendition
        ? renditionKind(rendition.type)
        : variant
        ? variantKind(variant) ?? ""
        : "image";
      t = blank(ref.uri, url, kind, top.independentSegments);
      byUrl.set(url, t);
      plan.tracks.push(t);
    }
    plan.byRef.set(ref, t);
  }
  if (plan.tracks.length === 0) {
    throw new InputError("the master playlist names no media playlist", source.url);
  }
  await runPool(plan.tracks, threads, async (t) => {
    let got: { text: string; url: string };
    try {
      got = await readPlaylist(t.url, ctx);
    } catch (err) {
      if (ctx.http.signal?.aborted) throw err;
      if (!(err instanceof HttpError) && !(err instanceof InputError)) throw err;
      found.add(
        "error",
        "missing-playlist",
        t.id,
        null,
        `cannot read the media playlist: ${errorMessage(err)}`,
      );
      return;
    }
    let p;
    try {
      p = parsePlaylist(got.text, got.url, { imports: top.definitions });
      if (p.type !== "media") {
        throw new InputError("is a master playlist, not a media playlist", got.url);
      }
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      found.add("error", "manifest-invalid", t.id, null, errorMessage(err));
      return;
    }
    t.independent ||= p.independentSegments;
    fillTrack(t, p);
    liveNote(plan, t);
  }, ctx.http.signal);
  if (ctx.http.signal?.aborted) throw ctx.http.signal.reason;
  return plan;
}

/** Notes a live playlist: only the segments it lists now are checked. */
function liveNote(plan: HlsPlan, t: HlsTrack): void {
  const p = t.playlist;
  if (p && !p.endList && p.playlistType !== "VOD") {
    plan.notes.push(
      `${t.id}: a live playlist; the ${p.segments.length} segments it lists now are checked`,
    );
  }
}
