/**
 * Test helpers for HLS mirrors, written independently of `src/hls/` (plain regular
 * expressions over the text), so they check the code rather than repeat it:
 * - {@linkcode maskUris}: a playlist with every URI line and `URI="…"` value masked, so two
 *   playlists that differ only in URIs compare equal;
 * - {@linkcode uriPairs}: the URIs of an original playlist and of its saved copy, side by side;
 * - {@linkcode verifyMirror}: walks a saved playlist tree and compares every local file it
 *   refers to with the file the original refers to, byte for byte.
 *
 * @module
 */
import assert from "node:assert/strict";
import { dirname, join, resolve, sep } from "node:path";

const URI_ATTR = /(^|,|:)(\s*URI=")([^"]*)(")/g;

/** Whether a line is a URI line (not blank, not a tag or comment). */
function isUriLine(line: string): boolean {
  const t = line.trim();
  return t !== "" && !t.startsWith("#");
}

/** Splits keeping terminators as part of each line's comparison. */
function rawLines(text: string): string[] {
  return text.split("\n");
}

/**
 * The playlist with every URI masked: a URI line's URI (between its leading and trailing
 * blanks) and every `URI="…"` value become `<URI>`. Line terminators and all other
 * characters stay.
 */
export function maskUris(text: string): string {
  return rawLines(text).map((line) => {
    if (isUriLine(line)) {
      const m = /^(\s*)(.*?)(\s*)$/s.exec(line)!;
      return `${m[1]}<URI>${m[3]}`;
    }
    if (line.trimStart().startsWith("#EXT")) {
      return line.replace(URI_ATTR, (_all, a, b, _uri, d) => `${a}${b}<URI>${d}`);
    }
    return line;
  }).join("\n");
}

/** One URI of a playlist and what refers to it. */
export interface UriPair {
  /** 1-based line number. */
  line: number;
  /** The tag it belongs to (`EXT-X-MAP`, …), or the tag before a URI line (`EXTINF`, …). */
  tag: string;
  /** Whether it names a media playlist (a variant, rendition or I-frame playlist). */
  playlist: boolean;
  /** The URI in the original. */
  original: string;
  /** The URI in the saved copy. */
  saved: string;
}

/** A URI found in a text, with its context. */
type Found = Omit<UriPair, "original" | "saved"> & { uri: string };

/** The URIs (with their context) of a text, in order. */
function uris(text: string): Found[] {
  const out: Found[] = [];
  let lastTag = "";
  rawLines(text).forEach((line, i) => {
    const t = line.trim();
    if (t.startsWith("#EXT")) {
      const tag = /^#([A-Z0-9-]+)/.exec(t)?.[1] ?? "";
      for (const m of t.matchAll(URI_ATTR)) {
        out.push({
          line: i + 1,
          tag,
          playlist: tag === "EXT-X-MEDIA" || tag === "EXT-X-I-FRAME-STREAM-INF",
          uri: m[3],
        });
      }
      lastTag = tag;
    } else if (isUriLine(line)) {
      out.push({ line: i + 1, tag: lastTag, playlist: lastTag === "EXT-X-STREAM-INF", uri: t });
      lastTag = "";
    }
  });
  return out;
}

/**
 * Asserts that `saved` differs from `original` only in URIs, and returns the URIs side by
 * side.
 */
export function uriPairs(original: string, saved: string): UriPair[] {
  assert.equal(maskUris(saved), maskUris(original), "saved playlist differs beyond its URIs");
  const a = uris(original);
  const b = uris(saved);
  assert.equal(a.length, b.length);
  return a.map((x, i) => ({
    line: x.line,
    tag: x.tag,
    playlist: x.playlist,
    original: x.uri,
    saved: b[i].uri,
  }));
}

/** Options of {@linkcode verifyMirror}. */
export interface MirrorCheck {
  /** The output directory. */
  outDir: string;
  /** The saved playlist to start from, relative to `outDir`. */
  saved: string;
  /** The URL the original playlist was served from (its final URL). */
  url: string;
  /** The local file a server URL is served from, or undefined when not ours. */
  fileFor: (url: URL) => string | undefined;
  /** Tags whose URIs are not resources (kept as they are). */
  ignoreTags?: string[];
}

/** What {@linkcode verifyMirror} saw. */
export interface MirrorReport {
  /** Saved playlists visited, relative to the output directory. */
  playlists: string[];
  /** Local files compared, absolute paths. */
  files: string[];
}

/**
 * Walks the saved playlist tree from `check.saved`: every saved playlist must differ from
 * the server's only in URIs; every rewritten URI must be a relative reference to a file
 * inside the output directory whose bytes equal those of the file the original URI names.
 */
export async function verifyMirror(check: MirrorCheck): Promise<MirrorReport> {
  const report: MirrorReport = { playlists: [], files: [] };
  const seen = new Set<string>();
  const out = resolve(check.outDir);
  const ignore = new Set(check.ignoreTags ?? []);
  const visit = async (savedRel: string, url: string): Promise<void> => {
    if (seen.has(savedRel)) return;
    seen.add(savedRel);
    report.playlists.push(savedRel);
    const serverFile = check.fileFor(new URL(url));
    assert.ok(serverFile, `no server file for ${url}`);
    const original = await Deno.readTextFile(serverFile);
    const saved = await Deno.readTextFile(join(out, savedRel));
    for (const pair of uriPairs(original, saved)) {
      if (ignore.has(pair.tag) || /^(skd|data):/i.test(pair.original)) {
        assert.equal(pair.saved, pair.original, `line ${pair.line} of ${savedRel} must stay`);
        continue;
      }
      assert.ok(
        !/^[a-z][a-z0-9+.-]*:/i.test(pair.saved) && !pair.saved.startsWith("/"),
        `${savedRel} line ${pair.line}: "${pair.saved}" is not a relative reference`,
      );
      const local = resolve(out, dirname(savedRel), decodeURIComponent(pair.saved));
      assert.ok(local.startsWith(out + sep), `${pair.saved} leaves the output directory`);
      const target = new URL(pair.original, url);
      if (pair.playlist) {
        await visit(local.slice(out.length + 1).split(sep).join("/"), target.href);
        continue;
      }
      const from = check.fileFor(target);
      assert.ok(from, `no server file for ${target.href}`);
      const [a, b] = await Promise.all([Deno.readFile(local), Deno.readFile(from)]);
      assert.ok(
        a.length === b.length && a.every((x, i) => x === b[i]),
        `${local} differs from ${from}`,
      );
      if (!report.files.includes(local)) report.files.push(local);
    }
  };
  await visit(check.saved, check.url);
  return report;
}

/** Every file under `dir`, relative, POSIX separators, sorted. */
export async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string) => {
    for await (const e of Deno.readDir(join(dir, rel))) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory) await walk(r);
      else out.push(r);
    }
  };
  try {
    await walk("");
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return [];
    throw err;
  }
  return out.sort();
}

/** Whether ffmpeg can be run. */
export async function haveFfmpeg(): Promise<boolean> {
  try {
    const r = await new Deno.Command("ffmpeg", {
      args: ["-version"],
      stdout: "null",
      stderr: "null",
    })
      .output();
    return r.success;
  } catch {
    return false;
  }
}
