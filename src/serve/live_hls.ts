/**
 * The HLS view of `serve --live`: VOD media playlists played out as live ones (RFC 8216
 * 6.2.2), as hls-vod-to-live does. Each media playlist becomes a sliding window of the
 * segments published in the last `window` seconds (at least three target durations), with
 * an advancing `EXT-X-MEDIA-SEQUENCE`, an `EXT-X-DISCONTINUITY-SEQUENCE` that counts the
 * discontinuities gone out of the window, and an `EXT-X-PROGRAM-DATE-TIME` on the first
 * segment and after every discontinuity. The segments keep their URIs (the mirror's own
 * paths); the key and initialization section in effect are repeated at the top of the
 * window. Master playlists are served as they are. With `--loop` each lap of the content
 * starts after an `EXT-X-DISCONTINUITY`; when the event ends, the playlists get
 * `EXT-X-ENDLIST`.
 *
 * All media playlists of the folder share one lap: the longest of them, so variants and
 * renditions stay aligned.
 *
 * @module
 */
import { InputError } from "../errors.ts";
import { parsePlaylist } from "../hls/playlist.ts";
import type { MediaPlaylist } from "../hls/playlist.ts";
import {
  lapAt,
  type LiveEvent,
  type LiveView,
  localPath,
  type Playout,
  playoutEnd,
  type Slot,
  slotAvailable,
  standInUrl,
} from "./live.ts";

/** Tags of the playlist as a whole: kept at the top (the first four are rewritten). */
const HEADER_TAGS = new Set([
  "EXT-X-MEDIA-SEQUENCE",
  "EXT-X-DISCONTINUITY-SEQUENCE",
  "EXT-X-PLAYLIST-TYPE",
  "EXT-X-ENDLIST",
  "EXTM3U",
  "EXT-X-VERSION",
  "EXT-X-TARGETDURATION",
  "EXT-X-I-FRAMES-ONLY",
  "EXT-X-IMAGES-ONLY",
  "EXT-X-INDEPENDENT-SEGMENTS",
  "EXT-X-START",
  "EXT-X-DEFINE",
  "EXT-X-ALLOW-CACHE",
  "EXT-X-SERVER-CONTROL",
  "EXT-X-PART-INF",
]);

/** Header tags the live playlist writes itself (or leaves out). */
const REWRITTEN = new Set([
  "EXT-X-MEDIA-SEQUENCE",
  "EXT-X-DISCONTINUITY-SEQUENCE",
  "EXT-X-PLAYLIST-TYPE",
  "EXT-X-ENDLIST",
  "EXTM3U",
]);

/** Segment tags the live playlist writes itself. */
const REGENERATED = new Set(["EXT-X-PROGRAM-DATE-TIME", "EXT-X-BYTERANGE", "EXT-X-DISCONTINUITY"]);

/** One segment of a VOD media playlist, ready to be written into a window. */
interface LiveSegment extends Slot {
  /** Its lines before the URI, as written (tags, comments), less the regenerated ones. */
  block: string[];
  /** The line numbers of the block (to know whether the key and map in effect are in it). */
  blockLines: Set<number>;
  /** The lines of the keys and the map in effect, with their numbers. */
  context: { line: number; text: string }[];
  /** Its URI line. */
  uri: string;
  /** The request path it resolves to, when on this server. */
  resource?: string;
  /** `EXT-X-BYTERANGE` with the offset written out, when it has one. */
  byteRange?: string;
  /** Whether an EXT-X-DISCONTINUITY precedes it in the VOD. */
  discontinuity: boolean;
}

/** One VOD media playlist. */
interface VodPlaylist {
  header: string[];
  segments: LiveSegment[];
  target: number;
  mediaSequence: number;
  discontinuitySequence: number;
  duration: number;
}

/** The tag name of a line (`EXTINF`, `EXT-X-KEY`), or undefined for other lines. */
function tagOf(text: string): string | undefined {
  const m = /^\s*#(EXT[A-Z0-9-]*)/.exec(text);
  return m?.[1];
}

/** Splits a parsed VOD media playlist into its header and its segments. */
function readVod(pl: MediaPlaylist, path: string): VodPlaylist {
  const header: string[] = [];
  const segments: LiveSegment[] = [];
  const uriLines = new Map(pl.segments.map((s, i) => [s.ref.line, i]));
  let block: string[] = [];
  let blockLines = new Set<number>();
  let at = 0;
  const lastUri = pl.segments.at(-1)?.ref.line ?? 0;
  for (const line of pl.lines) {
    if (line.number > lastUri) break;
    const index = uriLines.get(line.number);
    if (index !== undefined) {
      const s = pl.segments[index];
      const keys = s.keys ?? (s.key ? [s.key] : []);
      const context = [...keys, ...(s.map ? [s.map] : [])].map((t) => ({
        line: t.line,
        text: pl.lines[t.line - 1].text,
      }));
      segments.push({
        start: at,
        end: at + s.duration,
        block,
        blockLines,
        context,
        uri: line.text,
        resource: localPath(s.ref.url),
        byteRange: s.byteRange && `#EXT-X-BYTERANGE:${s.byteRange.length}@${s.byteRange.offset}`,
        discontinuity: s.discontinuity,
      });
      at += s.duration;
      block = [];
      blockLines = new Set();
      continue;
    }
    const text = line.text;
    if (text.trim() === "") continue;
    const tag = tagOf(text);
    if (tag !== undefined && HEADER_TAGS.has(tag)) {
      if (!REWRITTEN.has(tag)) header.push(text);
    } else if (tag === undefined || !REGENERATED.has(tag)) {
      block.push(text);
      blockLines.add(line.number);
    }
  }
  if (segments.length === 0) throw new InputError("--live needs at least one segment", path);
  if (!header.some((h) => tagOf(h) === "EXT-X-TARGETDURATION")) {
    header.unshift(`#EXT-X-TARGETDURATION:${pl.targetDuration}`);
  }
  return {
    header,
    segments,
    target: pl.targetDuration,
    mediaSequence: pl.mediaSequence ?? 0,
    discontinuitySequence: pl.discontinuitySequence ?? 0,
    duration: at,
  };
}

/** Options of {@link hlsLiveView}. */
export interface HlsLiveOptions {
  /** The event (start and end). */
  event: LiveEvent;
  /** Loop the content. */
  loop: boolean;
  /** How far back a media playlist reaches, in seconds (at least 3 target durations). */
  window: number;
}

/**
 * The live view of a folder's HLS playlists: every VOD media playlist (one with
 * `EXT-X-ENDLIST`) becomes a live one; masters and playlists that are already live are
 * left as they are. Undefined when there is nothing to play out. Throws
 * {@link InputError} for a playlist that cannot be read.
 *
 * @param playlists every `.m3u8` of the folder: request path and text
 * @example
 * ```ts
 * import { LiveEvent } from "./live.ts";
 * const text = await Deno.readTextFile("tests/fixtures/hls-master-fmp4/180p/prog.m3u8");
 * const view = hlsLiveView([{ path: "/180p/prog.m3u8", text }],
 *   { event: new LiveEvent(0), loop: false, window: 30 });
 * view?.manifest("/180p/prog.m3u8", 4000, ""); // two segments, no EXT-X-ENDLIST yet
 * ```
 */
export function hlsLiveView(
  playlists: { path: string; text: string }[],
  options: HlsLiveOptions,
): LiveView | undefined {
  const url = standInUrl;
  const parse = (path: string, text: string, imports?: Record<string, string>) => {
    try {
      return parsePlaylist(text, url(path), { imports });
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      throw new InputError(err.message.replaceAll(`${url(path)}: `, ""), path);
    }
  };
  // Variables a media playlist imports come from the master that names it.
  const imports = new Map<string, Record<string, string>>();
  for (const { path, text } of playlists) {
    if (!/#EXT-X-(STREAM-INF|MEDIA):/.test(text)) continue;
    const master = parse(path, text);
    if (master.type !== "master") continue;
    for (const ref of master.refs) {
      const target = localPath(ref.url);
      if (target !== undefined) imports.set(target, master.definitions);
    }
  }
  const vod = new Map<string, VodPlaylist>();
  for (const { path, text } of playlists) {
    if (/#EXT-X-(STREAM-INF|MEDIA):/.test(text)) continue;
    const pl = parse(path, text, imports.get(path));
    if (pl.type !== "media" || !pl.endList || pl.segments.length === 0) continue;
    vod.set(path, readVod(pl, path));
  }
  if (vod.size === 0) return undefined;

  const lap = Math.max(...[...vod.values()].map((v) => v.duration));
  const window = Math.max(options.window, ...[...vod.values()].map((v) => 3 * v.target));
  const playout: Playout = { event: options.event, lap, loop: options.loop, keep: window };
  const slots = new Map<string, Slot[]>();
  for (const v of vod.values()) {
    for (const s of v.segments) {
      if (s.resource !== undefined) slots.set(s.resource, [...slots.get(s.resource) ?? [], s]);
    }
  }

  const render = (v: VodPlaylist, nowMs: number): string => {
    const rel = playout.event.rel(nowMs);
    const end = playoutEnd(playout);
    const ended = rel >= end;
    const at = ended ? end : rel;
    const n = v.segments.length;
    const flag = (l: number, k: number) => v.segments[k].discontinuity || (k === 0 && l > 0);
    const listed: { l: number; k: number }[] = [];
    const low = options.loop ? Math.max(0, Math.floor((at - window) / lap) - 1) : 0;
    for (let l = low; l <= lapAt(playout, at); l++) {
      v.segments.forEach((s, k) => {
        const e = l * lap + s.end;
        if (e <= at + 1e-9 && e > at - window + 1e-9) listed.push({ l, k });
      });
    }
    const first = listed[0] ?? { l: lapAt(playout, at), k: 0 };
    let before = 0; // discontinuities gone out of the window
    for (let l = 0; l <= first.l; l++) {
      for (let k = 0; k < (l === first.l ? first.k : n); k++) if (flag(l, k)) before++;
    }
    const out = ["#EXTM3U", ...v.header];
    out.push(`#EXT-X-MEDIA-SEQUENCE:${v.mediaSequence + first.l * n + first.k}`);
    const sequence = v.discontinuitySequence + before;
    if (sequence > 0) out.push(`#EXT-X-DISCONTINUITY-SEQUENCE:${sequence}`);
    listed.forEach(({ l, k }, i) => {
      const s = v.segments[k];
      const discontinuity = flag(l, k);
      if (discontinuity) out.push("#EXT-X-DISCONTINUITY");
      if (i === 0) {
        for (const c of s.context) if (!s.blockLines.has(c.line)) out.push(c.text);
      }
      if (i === 0 || discontinuity) {
        const date = new Date(playout.event.at(l * lap + s.start)).toISOString();
        out.push(`#EXT-X-PROGRAM-DATE-TIME:${date}`);
      }
      out.push(...s.block);
      if (s.byteRange !== undefined) out.push(s.byteRange);
      out.push(s.uri);
    });
    if (ended) out.push("#EXT-X-ENDLIST");
    return out.join("\n") + "\n";
  };

  return {
    manifests: [...vod.keys()],
    manifest(path, nowMs) {
      const v = vod.get(path);
      return v === undefined ? undefined : render(v, nowMs);
    },
    segment(path, nowMs) {
      const list = slots.get(path);
      if (list === undefined) return undefined;
      const rel = playout.event.rel(nowMs);
      return list.some((slot) => slotAvailable(playout, slot, rel, false));
    },
    describe: () =>
      [...vod].map(([path, v]) =>
        `${path}: ${v.segments.length} segments, ${
          lap.toFixed(3).replace(/\.?0+$/, "")
        } s per lap, window ${window} s${options.loop ? ", looping" : ""}`
      ),
  };
}
