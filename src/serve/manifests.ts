/**
 * Finds the manifests a served folder holds, to print their URLs when serving starts:
 * every DASH MPD, every HLS master playlist, and the media playlists no master names.
 *
 * @module
 */
import { localPath, standInUrl } from "./live.ts";
import type { Source } from "./source.ts";

/** The manifests of a folder, as request paths. */
export interface FoundManifests {
  /** Every `.mpd`. */
  dash: string[];
  /** HLS master playlists, then media playlists that no master names. */
  hls: string[];
  /** Every `.m3u8` (masters and media playlists), with its text. */
  playlists: { path: string; text: string }[];
}

/** Whether a playlist's text is a master (multivariant) playlist. */
export function isMaster(text: string): boolean {
  return /^\s*#EXT-X-(STREAM-INF|MEDIA|I-FRAME-STREAM-INF):/m.test(text);
}

/** The URIs a master playlist names, resolved to request paths. */
function namedBy(path: string, text: string): string[] {
  const base = standInUrl(path);
  const out: string[] = [];
  const add = (uri: string) => {
    try {
      const local = localPath(new URL(uri, base).href);
      if (local !== undefined) out.push(local);
    } catch {
      // not a URL: nothing to follow
    }
  };
  for (const line of text.split(/\r?\n/)) {
    const t = line.trim();
    if (t === "") continue;
    if (!t.startsWith("#")) add(t);
    else for (const m of t.matchAll(/URI="([^"]*)"/g)) add(m[1]);
  }
  return out;
}

/**
 * The manifests in `source`.
 *
 * @example
 * ```ts
 * import { directorySource } from "./source.ts";
 * findManifests(directorySource("tests/fixtures/hls-master")).hls; // ["/master.m3u8"]
 * ```
 */
export function findManifests(source: Source): FoundManifests {
  const files = source.list();
  const dash = files.filter((f) => /\.mpd$/i.test(f));
  const playlists: { path: string; text: string }[] = [];
  for (const path of files.filter((f) => /\.m3u8?$/i.test(f))) {
    const text = source.readText(path);
    if (text !== undefined && text.trimStart().startsWith("#EXTM3U")) {
      playlists.push({ path, text });
    }
  }
  const masters = playlists.filter((p) => isMaster(p.text));
  const named = new Set(masters.flatMap((m) => namedBy(m.path, m.text)));
  const media = playlists.filter((p) => !isMaster(p.text) && !named.has(p.path));
  return { dash, hls: [...masters, ...media].map((p) => p.path), playlists };
}
