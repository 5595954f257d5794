/**
 * The saved copy of a recorded HLS stream: each media playlist becomes a VOD playlist
 * (`#EXT-X-PLAYLIST-TYPE:VOD`, `#EXT-X-ENDLIST`) listing exactly the segments that were
 * saved, in Media Sequence order, each URI a relative reference to the local copy; the
 * master is saved as it was served, its URIs rewritten the same way.
 *
 * Where a segment is missing (a gap, a segment that left the playlist before it could be
 * fetched, one whose key or map never came), the next one gets `#EXT-X-DISCONTINUITY` —
 * ffmpeg and players then take the jump in time as it is. (`EXT-X-GAP` would say the same
 * to players that know it, but would name a file that does not exist; older ffmpeg tries to
 * open it.) The key and map in effect are written again where they change and after every
 * discontinuity, a program date-time on the first segment, after each discontinuity and
 * wherever the origin wrote one.
 *
 * @module
 */
import { relativeRef } from "../mirror/layout.ts";
import type { OutputDir } from "../mirror/output.ts";
import { readRecord } from "./record.ts";
import type { HlsEntry, SegmentEntry } from "./hls_segments.ts";

/** What is known of a media playlist besides its segments: its header, as last served. */
export interface PlaylistHeader {
  /** Its saved path. */
  path: string;
  /** EXT-X-VERSION. */
  version?: number;
  /** EXT-X-TARGETDURATION. */
  targetDuration: number;
  /** Lines kept as served: EXT-X-INDEPENDENT-SEGMENTS, EXT-X-I-FRAMES-ONLY, EXT-X-DEFINE… */
  lines: string[];
}

/** What {@link writeHlsVod} wrote. */
export interface HlsVodResult {
  /** The playlists written, relative paths. */
  paths: string[];
  /** Seconds of media of the longest playlist. */
  seconds: number;
  /** Segments listed, all playlists together. */
  segments: number;
}

/** The text of one VOD playlist. */
function playlistText(header: PlaylistHeader, segments: SegmentEntry[]): string {
  const longest = Math.max(0, ...segments.map((s) => s.dur));
  const out = ["#EXTM3U"];
  if (header.version !== undefined) out.push(`#EXT-X-VERSION:${header.version}`);
  out.push(`#EXT-X-TARGETDURATION:${Math.max(header.targetDuration, Math.round(longest))}`);
  out.push(`#EXT-X-MEDIA-SEQUENCE:${segments[0]?.msn ?? 0}`);
  if ((segments[0]?.dseq ?? 0) > 0) out.push(`#EXT-X-DISCONTINUITY-SEQUENCE:${segments[0].dseq}`);
  out.push("#EXT-X-PLAYLIST-TYPE:VOD");
  out.push(...header.lines);
  let prev: SegmentEntry | undefined;
  for (const s of segments) {
    const jump = prev !== undefined && (s.dseq !== prev.dseq || s.msn !== prev.msn + 1);
    if (jump) out.push("#EXT-X-DISCONTINUITY");
    const keys = (s.keys ?? []).map((k) => k.line).join("\n");
    const prevKeys = (prev?.keys ?? []).map((k) => k.line).join("\n");
    if (keys !== prevKeys || (jump && keys !== "")) {
      out.push(keys === "" ? "#EXT-X-KEY:METHOD=NONE" : keys);
    }
    if (s.map && (prev === undefined || jump || s.map.line !== prev.map?.line)) {
      out.push(s.map.line);
    }
    if (s.pdt !== undefined && (prev === undefined || jump || s.pdtTag)) {
      out.push(`#EXT-X-PROGRAM-DATE-TIME:${s.pdt}`);
    }
    out.push(...s.tags ?? []);
    out.push(s.inf);
    if (s.range) out.push(`#EXT-X-BYTERANGE:${s.range[0]}@${s.range[1]}`);
    out.push(relativeRef(header.path, s.path));
    prev = s;
  }
  out.push("#EXT-X-ENDLIST");
  return out.join("\n") + "\n";
}

/**
 * Writes the VOD media playlists of a recording (one per header, whether or not a segment
 * of it was saved) from the record in `out`.
 *
 * @example
 * ```ts
 * import { OutputDir } from "../mirror/output.ts";
 * const out = new OutputDir("/tmp/out");
 * const { paths } = await writeHlsVod(out, [
 *   { path: "180p/prog.m3u8", targetDuration: 2, lines: [] },
 * ]);
 * ```
 */
export async function writeHlsVod(
  out: OutputDir,
  headers: readonly PlaylistHeader[],
): Promise<HlsVodResult> {
  const saved = new Set<string>();
  const byPlaylist = new Map<string, SegmentEntry[]>();
  for await (const e of readRecord<HlsEntry>(out)) {
    if (e.k === "res") saved.add(e.path);
    else {
      const list = byPlaylist.get(e.pl) ?? [];
      list.push(e);
      byPlaylist.set(e.pl, list);
    }
  }
  const paths: string[] = [];
  let seconds = 0;
  let count = 0;
  for (const header of headers) {
    // A segment whose key or map was never saved cannot be played: left out, like a gap.
    const segments = (byPlaylist.get(header.path) ?? [])
      .filter((s) =>
        (s.map?.path === undefined || saved.has(s.map.path)) &&
        (s.keys ?? []).every((k) => k.path === undefined || saved.has(k.path))
      )
      .sort((a, b) => a.msn - b.msn)
      .filter((s, i, all) => i === 0 || s.msn !== all[i - 1].msn);
    out.writeText(header.path, playlistText(header, segments));
    paths.push(header.path);
    count += segments.length;
    seconds = Math.max(seconds, segments.reduce((sum, s) => sum + s.dur, 0));
  }
  return { paths, seconds, segments: count };
}
