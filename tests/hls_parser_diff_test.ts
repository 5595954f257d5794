/**
 * Differential test of src/hls/playlist.ts against m3u8-parser (video.js's parser, a test
 * oracle only): on every playlist of tests/fixtures and on hand-written playlists that
 * exercise the features the model carries, both must read the same segments, byte ranges,
 * keys, maps, parts, variants and renditions. And on every one of them, rewriting every URI
 * through rewritePlaylist must change those spans and nothing else.
 */
import assert from "node:assert/strict";
import { join, relative, resolve } from "node:path";
import { Parser } from "m3u8-parser";
import {
  type Definitions,
  type MasterPlaylist,
  type MediaPlaylist,
  parsePlaylist,
  type Playlist,
} from "../src/hls/playlist.ts";
import { rewritePlaylist } from "../src/hls/rewrite.ts";
import { HAND_WRITTEN } from "./hls_diff_playlists.ts";

const FIXTURES = resolve(import.meta.dirname!, "fixtures");

// --- m3u8-parser's output, as far as the comparison reads it -------------------------------

type Attrs = Record<string, unknown>;

interface TheirRange {
  length: number;
  offset?: number;
}

interface TheirPart {
  uri: string;
  duration: number;
  independent?: boolean;
  gap?: boolean;
  byterange?: TheirRange;
}

interface TheirHint {
  type: string;
  uri: string;
  byterange?: TheirRange;
}

interface TheirSegment {
  uri: string;
  duration: number;
  title?: string;
  timeline: number;
  discontinuity?: boolean;
  dateTimeString?: string;
  byterange?: TheirRange;
  map?: { uri: string; byterange?: TheirRange };
  key?: { method: string; uri: string; iv?: Uint32Array };
  parts?: TheirPart[];
  preloadHints?: TheirHint[];
}

interface TheirManifest {
  segments: TheirSegment[];
  preloadSegment?: TheirSegment;
  playlists?: { uri: string; attributes: Attrs }[];
  iFramePlaylists: { uri?: string; attributes: Attrs }[];
  mediaGroups?: Record<string, Record<string, Record<string, Attrs>>>;
  endList?: boolean;
  playlistType?: string;
  targetDuration?: number;
  mediaSequence?: number;
  discontinuitySequence?: number;
  iFramesOnly?: boolean;
  independentSegments?: boolean;
  start?: { timeOffset: number; precise: boolean };
  serverControl?: Attrs;
  partTargetDuration?: number;
  skip?: { skippedSegments: number; recentlyRemovedDateranges?: string[] };
  renditionReports?: { uri?: string; lastMsn?: number; lastPart?: number }[];
  dateRanges: Attrs[];
  contentSteering?: { serverUri: string; pathwayId?: string };
  definitions?: Record<string, string>;
}

function theirs(text: string, url: string, imports?: Definitions): TheirManifest {
  const parser = new Parser({ uri: url, mainDefinitions: imports ?? {} });
  parser.push(text);
  parser.end();
  return parser.manifest as TheirManifest;
}

// --- comparisons --------------------------------------------------------------------------

function ivHex(iv: Uint32Array | undefined): string | undefined {
  return iv && [...iv].map((n) => n.toString(16).padStart(8, "0")).join("");
}

/** Their range with the offset they leave out for EXT-X-MAP (RFC: 0). */
function mapRange(r: TheirRange | undefined) {
  return r && { length: r.length, offset: r.offset ?? 0 };
}

/** m3u8-parser keeps only one key, and not those of these DRM KEYFORMATs. */
const THEIR_SKIPPED_FORMATS = [
  "com.apple.streamingkeydelivery",
  "com.microsoft.playready",
  "urn:uuid:edef8ba9-79d6-4ace-a3c8-27dcd51d21ed",
];

function compareParts(ours: MediaPlaylist["parts"], their: TheirPart[] | undefined, at: string) {
  assert.deepEqual(
    ours.map((x) => [x.ref.expanded, x.duration, x.independent, x.gap, x.byteRange]),
    (their ?? []).map((x) => [
      x.uri,
      x.duration,
      x.independent === true,
      x.gap === true,
      x.byterange,
    ]),
    `${at}: parts`,
  );
}

function compareMedia(ours: MediaPlaylist, t: TheirManifest): void {
  assert.equal(ours.segments.length, t.segments.length, "segment count");
  ours.segments.forEach((s, i) => {
    const ts = t.segments[i];
    const at = `segment ${i} (line ${s.ref.line})`;
    assert.equal(s.ref.expanded, ts.uri, `${at}: URI`);
    assert.equal(s.duration, ts.duration, `${at}: duration`);
    assert.equal(s.title, ts.title, `${at}: title`);
    assert.equal(s.discontinuity, ts.discontinuity === true, `${at}: discontinuity`);
    assert.equal(s.discontinuitySequence, ts.timeline, `${at}: discontinuity sequence`);
    assert.equal(s.programDateTime?.text, ts.dateTimeString, `${at}: program date time`);
    assert.deepEqual(s.byteRange, ts.byterange, `${at}: byte range`);
    assert.equal(s.map?.ref.expanded, ts.map?.uri, `${at}: map`);
    assert.deepEqual(s.map?.byteRange, mapRange(ts.map?.byterange), `${at}: map byte range`);
    const kept = (s.keys ?? []).filter((k) => !THEIR_SKIPPED_FORMATS.includes(k.keyFormat ?? ""));
    const key = kept.sort((a, b) => a.line - b.line).at(-1);
    assert.equal(key?.method, ts.key?.method, `${at}: key method`);
    assert.equal(key?.ref?.expanded, ts.key?.uri, `${at}: key URI`);
    const iv = key?.iv?.replace(/^0x/i, "").toLowerCase().padStart(32, "0");
    assert.equal(iv, ivHex(ts.key?.iv), `${at}: key IV`);
    compareParts(s.parts, ts.parts, at);
  });
  const inSegments = new Set(ours.segments.flatMap((s) => s.parts));
  compareParts(
    ours.parts.filter((x) => !inSegments.has(x)),
    t.preloadSegment?.parts,
    "after the last segment",
  );
  assert.deepEqual(
    ours.preloadHints.map((h) => [h.type, h.ref.expanded, h.byteRangeStart, h.byteRangeLength]),
    (t.preloadSegment?.preloadHints ?? []).map((h) => [
      h.type,
      h.uri,
      h.byterange?.offset ?? 0,
      h.byterange?.length,
    ]),
    "preload hints",
  );
  assert.deepEqual(
    ours.renditionReports.map((r) => [r.ref?.expanded, r.lastMsn, r.lastPart]),
    (t.renditionReports ?? []).map((r) => [r.uri, r.lastMsn, r.lastPart]),
    "rendition reports",
  );
  assert.deepEqual(
    ours.skip && [ours.skip.skippedSegments, ours.skip.recentlyRemovedDateRanges],
    t.skip && [t.skip.skippedSegments, t.skip.recentlyRemovedDateranges ?? []],
    "EXT-X-SKIP",
  );
  assert.deepEqual(
    ours.dateRanges.map((d) => [
      d.id,
      d.class,
      d.startDate && Date.parse(d.startDate),
      d.duration,
      d.endOnNext,
      d.assetUri?.expanded,
      d.assetList?.expanded,
    ]),
    t.dateRanges.map((d) => [
      d.id,
      d.class,
      (d.startDate as Date | undefined)?.getTime(),
      d.duration,
      d.endOnNext === true,
      d.xAssetUri,
      d.xAssetList,
    ]),
    "date ranges",
  );
  const sc = ours.serverControl;
  if (sc || t.serverControl) {
    const tc = t.serverControl ?? {};
    assert.equal(sc?.canBlockReload, tc.canBlockReload, "CAN-BLOCK-RELOAD");
    assert.equal(sc?.canSkipUntil, tc.canSkipUntil, "CAN-SKIP-UNTIL");
    assert.equal(sc?.canSkipDateRanges, tc.canSkipDateranges === true, "CAN-SKIP-DATERANGES");
    // m3u8-parser fills in defaults for the hold-backs; compare those written.
    if (sc?.partHoldBack !== undefined) assert.equal(sc.partHoldBack, tc.partHoldBack);
    if (sc?.holdBack !== undefined) assert.equal(sc.holdBack, tc.holdBack);
  }
  assert.equal(ours.partTarget, t.partTargetDuration, "PART-TARGET");
  assert.equal(ours.endList, t.endList === true, "ENDLIST");
  assert.equal(ours.playlistType, t.playlistType, "PLAYLIST-TYPE");
  assert.equal(ours.targetDuration, t.targetDuration, "TARGETDURATION");
  assert.equal(ours.mediaSequence, t.mediaSequence ?? 0, "MEDIA-SEQUENCE");
  assert.equal(ours.discontinuitySequence, t.discontinuitySequence ?? 0, "DISCONTINUITY-SEQ");
  assert.equal(ours.iFramesOnly, t.iFramesOnly === true, "I-FRAMES-ONLY");
  assert.equal(ours.independentSegments, t.independentSegments === true, "INDEPENDENT");
  assert.deepEqual(
    ours.start && [ours.start.timeOffset, ours.start.precise],
    t.start && [
      t.start.timeOffset,
      t.start.precise,
    ],
    "EXT-X-START",
  );
  assert.deepEqual(ours.definitions, t.definitions ?? {}, "definitions");
}

function num(value: unknown): number | undefined {
  return value === undefined ? undefined : Number(value);
}

function compareMaster(ours: MasterPlaylist, t: TheirManifest): void {
  const variants = ours.variants.filter((v) => !v.iFrame);
  const playlists = t.playlists ?? [];
  assert.equal(variants.length, playlists.length, "variant count");
  variants.forEach((v, i) => {
    const a = playlists[i].attributes;
    const at = `variant ${i} (line ${v.line})`;
    assert.equal(v.ref.expanded, playlists[i].uri, `${at}: URI`);
    assert.equal(v.bandwidth, a.BANDWIDTH, `${at}: BANDWIDTH`);
    assert.equal(v.averageBandwidth, num(a["AVERAGE-BANDWIDTH"]), `${at}: AVERAGE-BANDWIDTH`);
    assert.equal(v.codecs, a.CODECS, `${at}: CODECS`);
    assert.deepEqual(v.resolution, a.RESOLUTION, `${at}: RESOLUTION`);
    assert.equal(v.frameRate, a["FRAME-RATE"], `${at}: FRAME-RATE`);
    assert.equal(v.hdcpLevel, a["HDCP-LEVEL"], `${at}: HDCP-LEVEL`);
    assert.equal(v.videoRange, a["VIDEO-RANGE"], `${at}: VIDEO-RANGE`);
    assert.equal(v.groups.audio, a.AUDIO, `${at}: AUDIO`);
    assert.equal(v.groups.video, a.VIDEO, `${at}: VIDEO`);
    assert.equal(v.groups.subtitles, a.SUBTITLES, `${at}: SUBTITLES`);
    const cc = a["CLOSED-CAPTIONS"] === "NONE" ? undefined : a["CLOSED-CAPTIONS"];
    assert.equal(v.groups.closedCaptions, cc, `${at}: CLOSED-CAPTIONS`);
  });
  const frames = ours.variants.filter((v) => v.iFrame);
  assert.deepEqual(
    frames.map((v) => [v.ref.expanded, v.bandwidth, v.codecs, v.resolution, v.videoRange]),
    t.iFramePlaylists.map((f) => [
      f.uri,
      f.attributes.BANDWIDTH,
      f.attributes.CODECS,
      f.attributes.RESOLUTION,
      f.attributes["VIDEO-RANGE"],
    ]),
    "I-frame variants",
  );
  // Renditions, in m3u8-parser's shape: TYPE → GROUP-ID → NAME → properties.
  type Groups = Record<string, Record<string, Record<string, Attrs>>>;
  const ourGroups: Groups = {};
  for (const r of ours.renditions) {
    const props: Attrs = {
      // m3u8-parser sets AUTOSELECT for a DEFAULT rendition, as RFC 8216 requires.
      default: r.isDefault,
      autoselect: r.autoselect || r.isDefault,
      language: r.language,
      uri: r.ref?.expanded,
      instreamId: r.instreamId,
      characteristics: r.characteristics,
      forced: r.forced ? true : undefined,
    };
    ((ourGroups[r.type] ??= {})[r.groupId] ??= {})[r.name] = props;
  }
  const theirGroups: Groups = {};
  for (const [type, byGroup] of Object.entries(t.mediaGroups ?? {})) {
    for (const [group, byName] of Object.entries(byGroup)) {
      for (const [name, r] of Object.entries(byName)) {
        ((theirGroups[type] ??= {})[group] ??= {})[name] = {
          default: r.default,
          autoselect: r.autoselect,
          language: r.language,
          uri: r.uri,
          instreamId: r.instreamId,
          characteristics: r.characteristics,
          forced: r.forced ? true : undefined,
        };
      }
    }
  }
  assert.deepEqual(ourGroups, theirGroups, "renditions");
  assert.deepEqual(
    ours.contentSteering && [ours.contentSteering.ref.expanded, ours.contentSteering.pathwayId],
    t.contentSteering && [t.contentSteering.serverUri, t.contentSteering.pathwayId],
    "content steering",
  );
  assert.deepEqual(
    ours.start && [ours.start.timeOffset, ours.start.precise],
    t.start && [
      t.start.timeOffset,
      t.start.precise,
    ],
    "EXT-X-START",
  );
  assert.deepEqual(ours.definitions, t.definitions ?? {}, "definitions");
}

function compare(ours: Playlist, t: TheirManifest): void {
  if (ours.type === "media") compareMedia(ours, t);
  else compareMaster(ours, t);
}

// --- line spans -----------------------------------------------------------------------------

/**
 * Rewrites every URI to a unique marker and checks, independently of rewrite.ts, that only
 * those spans changed: each marker appears once, putting each URI back gives the input
 * byte for byte, and each span held the URI as written, quoted or alone on its line.
 */
function checkSpans(p: Playlist, text: string): void {
  const marker = (i: number) => `\u0001${i}\u0002`;
  const index = new Map(p.refs.map((r, i) => [r, i]));
  const out = rewritePlaylist(p, (r) => marker(index.get(r)!)).text;
  p.refs.forEach((_r, i) => {
    assert.equal(out.split(marker(i)).length, 2, `marker ${i} once`);
  });
  // deno-lint-ignore no-control-regex
  const back = out.replace(/\u0001(\d+)\u0002/g, (_m, i) => p.refs[Number(i)].uri);
  assert.equal(back, text, "putting every URI back gives the input");
  const lines = text.split("\n").map((l) => l.replace(/\r$/, ""));
  for (const r of p.refs) {
    const line = lines[r.line - 1];
    assert.equal(line.slice(r.start, r.end), r.uri, `line ${r.line}: span`);
    const alone = line.trim() === r.uri && !line.trim().startsWith("#");
    const quoted = line[r.start - 1] === '"' && line[r.end] === '"' &&
      /[A-Z0-9-]+\s*=\s*$/.test(line.slice(0, r.start - 1));
    assert.ok(alone || quoted, `line ${r.line}: "${r.uri}" is a URI line or a quoted value`);
  }
}

// --- the tests ------------------------------------------------------------------------------

/** Every .m3u8 under tests/fixtures. */
async function fixturePlaylists(): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string) => {
    for await (const e of Deno.readDir(dir)) {
      const p = join(dir, e.name);
      if (e.isDirectory) await walk(p);
      else if (e.name.endsWith(".m3u8")) out.push(p);
    }
  };
  await walk(FIXTURES);
  return out.sort();
}

Deno.test("differential: every fixture playlist reads the same with m3u8-parser", async (t) => {
  const files = await fixturePlaylists();
  assert.ok(files.length >= 20, `only ${files.length} fixture playlists found`);
  for (const file of files) {
    await t.step(relative(FIXTURES, file), async () => {
      const text = await Deno.readTextFile(file);
      const url = new URL(`file://${file}`).href;
      const ours = parsePlaylist(text, url);
      compare(ours, theirs(text, url));
      checkSpans(ours, text);
    });
  }
});

Deno.test("differential: hand-written playlists read the same with m3u8-parser", async (t) => {
  for (const { name, url, text, imports, features } of HAND_WRITTEN) {
    await t.step(name, () => {
      const ours = parsePlaylist(text, url, { imports });
      compare(ours, theirs(text, url, imports));
      checkSpans(ours, text);
      // Each playlist shows what it is written to exercise (so the comparison is not empty).
      for (const [what, count] of Object.entries(features(ours))) {
        assert.ok(count > 0, `${name}: no ${what}`);
      }
    });
  }
});
