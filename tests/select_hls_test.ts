/**
 * `hls get --select` and `--range`, end to end against the loopback server: only the kept
 * playlists and segments are requested (the server's log), the saved master lists exactly
 * the kept variants and renditions (a variant whose audio group lost every rendition names
 * one that exists, or none), the saved media playlists exactly the kept segments with what
 * is in effect at the first one, and ffmpeg plays the copy offline with the frames of the
 * kept segments — counted against ffmpeg decoding those files directly.
 *
 * `select-hls/` (tests/fixtures/make_fixtures.sh): variants `144p/`, `108p/`, `72p/`
 * (256x144, 192x108, 128x72; video only, 10 fps, three 2 s segments) and audio renditions
 * `audio_eng/` (DEFAULT) and `audio_fra/` in group `group_aud` (EXTINF 2.005333, 2.005333,
 * 1.910667); each folder `prog.m3u8` + `seg_000.ts`..`seg_002.ts`.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { FIXTURES, listFiles, runCli, scratchDir } from "./cli_helpers.ts";
import { startServer, type TestServer } from "./server.ts";
import {
  asked,
  decodedFrames,
  ffmpegOrSkip,
  playedFrames,
  streamCount,
} from "./selection_helpers.ts";

/** Runs `hls get <url> -o <new folder> <args>`. */
async function get(url: string, args: string[]) {
  const out = join(await scratchDir(), "out");
  const r = await runCli(["hls", "get", url, "-o", out, ...args]);
  return { ...r, out };
}

/** The lines of a saved playlist. */
async function lines(out: string, path: string): Promise<string[]> {
  return (await Deno.readTextFile(join(out, path))).split("\n");
}

/** Every segment of the fixture folders named. */
function segments(...folders: string[]): string[] {
  return folders.flatMap((f) => [0, 1, 2].map((n) => `hls/${f}/seg_00${n}.ts`));
}

Deno.test("--select kind=video:worst --select lang=fr: the 72p variant and the French audio, only", async () => {
  await using server = startServer({ root: FIXTURES });
  const r = await get(`${server.url}select-hls/master.m3u8`, [
    "--select",
    "kind=video:worst",
    "--select",
    "lang=fr",
    "--json",
    "-q",
  ]);
  assert.equal(r.code, 0, r.stderr);
  const summary = JSON.parse(r.stdout);
  assert.deepEqual(summary.unresolved, []);
  assert.deepEqual(asked(server, "/select-hls/"), [
    "72p/prog.m3u8",
    "72p/seg_000.ts",
    "72p/seg_001.ts",
    "72p/seg_002.ts",
    "audio_fra/prog.m3u8",
    "audio_fra/seg_000.ts",
    "audio_fra/seg_001.ts",
    "audio_fra/seg_002.ts",
    "master.m3u8",
  ]);
  assert.deepEqual(await lines(r.out, "master.m3u8"), [
    "#EXTM3U",
    "#EXT-X-VERSION:3",
    '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="group_aud",NAME="audio_4",DEFAULT=NO,LANGUAGE="fra",URI="audio_fra/prog.m3u8"',
    '#EXT-X-STREAM-INF:BANDWIDTH=57200,RESOLUTION=128x72,CODECS="avc1.42c00a,mp4a.40.2",AUDIO="group_aud"',
    "72p/prog.m3u8",
    "",
    "",
  ]);
  assert.deepEqual(
    await listFiles(r.out),
    [
      "72p/prog.m3u8",
      "72p/prog.m3u8.orig",
      "audio_fra/prog.m3u8",
      "audio_fra/prog.m3u8.orig",
      "master.m3u8",
      "master.m3u8.orig",
      ...segments("72p", "audio_fra"),
    ].sort(),
  );
  assert.deepEqual(
    summary.selection.left.map((l: { id: string }) => l.id),
    ["audio_eng/prog.m3u8", "144p/prog.m3u8", "108p/prog.m3u8"],
  );
  if (await ffmpegOrSkip()) {
    const master = join(r.out, "master.m3u8");
    assert.equal(await streamCount(master), 2);
    const direct = await decodedFrames(r.out, segments("audio_fra"), "mpegts");
    const counts = [await playedFrames(master, "0:0"), await playedFrames(master, "0:1")];
    assert.deepEqual(counts.sort((a, b) => a - b), [60, direct].sort((a, b) => a - b));
  }
});

Deno.test("--select 'height<=108': no audio is left, so the variants name no audio group", async () => {
  await using server = startServer({ root: FIXTURES });
  const r = await get(`${server.url}select-hls/master.m3u8`, ["--select", "height<=108", "-q"]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(await lines(r.out, "master.m3u8"), [
    "#EXTM3U",
    "#EXT-X-VERSION:3",
    '#EXT-X-STREAM-INF:BANDWIDTH=79200,RESOLUTION=192x108,CODECS="avc1.42c00a,mp4a.40.2"',
    "108p/prog.m3u8",
    "",
    '#EXT-X-STREAM-INF:BANDWIDTH=57200,RESOLUTION=128x72,CODECS="avc1.42c00a,mp4a.40.2"',
    "72p/prog.m3u8",
    "",
    "",
  ]);
  assert.equal(asked(server, "/select-hls/").filter((p) => p.startsWith("audio")).length, 0);
  if (await ffmpegOrSkip()) {
    const master = join(r.out, "master.m3u8");
    assert.equal(await streamCount(master), 2);
    assert.equal(await playedFrames(master, "0:0"), 60);
    assert.equal(await playedFrames(master, "0:1"), 60);
  }
});

/** A master with two audio groups (AAC, E-AC-3) in two languages, each variant once per group. */
const GROUPS = [
  "#EXTM3U",
  '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aac",LANGUAGE="en",NAME="English",DEFAULT=YES,URI="a/aac_en.m3u8"',
  '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aac",LANGUAGE="fr",NAME="French",URI="a/aac_fr.m3u8"',
  '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="ec3",LANGUAGE="en",NAME="English",DEFAULT=YES,URI="a/ec3_en.m3u8"',
  '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="ec3",LANGUAGE="fr",NAME="French",URI="a/ec3_fr.m3u8"',
  '#EXT-X-STREAM-INF:BANDWIDTH=2200000,RESOLUTION=1280x720,CODECS="avc1.64001f,mp4a.40.2",AUDIO="aac"',
  "v/720.m3u8",
  '#EXT-X-STREAM-INF:BANDWIDTH=2500000,RESOLUTION=1280x720,CODECS="avc1.64001f,ec-3",AUDIO="ec3"',
  "v/720.m3u8",
  '#EXT-X-STREAM-INF:BANDWIDTH=800000,RESOLUTION=640x360,CODECS="avc1.4d401e,mp4a.40.2",AUDIO="aac"',
  "v/360.m3u8",
  '#EXT-X-STREAM-INF:BANDWIDTH=1100000,RESOLUTION=640x360,CODECS="avc1.4d401e,ec-3",AUDIO="ec3"',
  "v/360.m3u8",
  '#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=100000,RESOLUTION=1280x720,CODECS="avc1.64001f",URI="v/720_i.m3u8"',
  "",
];

/** A server for GROUPS, each media playlist one 4 s segment. */
function groupServer(): TestServer {
  const media = "#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:4,\ns.ts\n#EXT-X-ENDLIST\n";
  const routes: Record<string, string> = { "/master.m3u8": GROUPS.join("\n") };
  for (const p of ["a/aac_en", "a/aac_fr", "a/ec3_en", "a/ec3_fr", "v/720", "v/360", "v/720_i"]) {
    routes[`/${p}.m3u8`] = media;
  }
  return startServer({ root: FIXTURES, routes });
}

/** The master `--dry-run --json` would save, and the media playlists it asked for. */
async function plannedMaster(server: TestServer, args: string[]) {
  server.resetLog();
  const r = await runCli([
    "hls",
    "get",
    `${server.url}master.m3u8`,
    "--dry-run",
    "--json",
    ...args,
  ]);
  assert.equal(r.code, 0, r.stderr);
  const plan = JSON.parse(r.stdout);
  return {
    master: plan.manifests[0].text.split("\n") as string[],
    playlists: asked(server).filter((p) => p !== "master.m3u8"),
    notes: plan.notes as string[],
  };
}

Deno.test("audio groups: a variant whose group lost every rendition names another, or none; repeats go", async () => {
  await using server = groupServer();
  const [head, aacEn, aacFr, ec3En, ec3Fr, v720, u720, v720e, , v360, u360, , , iframes] = GROUPS;
  // E-AC-3 renditions go: their variants now name "aac" and repeat the AAC ones, so they go.
  const aac = await plannedMaster(server, ["--select", "kind=audio,codecs~mp4a"]);
  assert.deepEqual(aac.master, [head, aacEn, aacFr, v720, u720, v360, u360, iframes, ""]);
  assert.deepEqual(aac.playlists, [
    "a/aac_en.m3u8",
    "a/aac_fr.m3u8",
    "v/360.m3u8",
    "v/720.m3u8",
    "v/720_i.m3u8",
  ]);
  assert.ok(
    aac.notes.some((n) => /AUDIO group "ec3" lost all its renditions; it names "aac"/.test(n)),
  );
  // French in both groups, and the best video (not the I-frame playlist): both 720 lines stay.
  const fr = await plannedMaster(server, [
    "--select",
    "kind=audio,lang=fr",
    "--select",
    "kind=video:best",
  ]);
  assert.deepEqual(fr.master, [head, aacFr, ec3Fr, v720, u720, v720e, u720, ""]);
  assert.deepEqual(fr.playlists, ["a/aac_fr.m3u8", "a/ec3_fr.m3u8", "v/720.m3u8"]);
  assert.ok(!fr.master.includes(ec3En));
  // No audio at all: no AUDIO attribute, and the 360 variant once.
  const small = await plannedMaster(server, ["--select", "height<=360"]);
  assert.deepEqual(small.master, [
    head,
    '#EXT-X-STREAM-INF:BANDWIDTH=800000,RESOLUTION=640x360,CODECS="avc1.4d401e,mp4a.40.2"',
    u360,
    "",
  ]);
  assert.deepEqual(small.playlists, ["v/360.m3u8"]);
  // An expression that matches nothing: only the master was read.
  server.resetLog();
  const none = await runCli([
    "hls",
    "get",
    `${server.url}master.m3u8`,
    "--select",
    "kind=audio,lang=de",
  ]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /--select "kind=audio,lang=de": matches none of the 7 tracks/);
  assert.deepEqual(asked(server), ["master.m3u8"]);
});

Deno.test("--range 2-4: each playlist keeps the segments overlapping [2, 4), with ENDLIST; plays offline", async () => {
  await using server = startServer({ root: FIXTURES });
  const r = await get(`${server.url}select-hls/master.m3u8`, [
    "--select",
    "kind=video:worst",
    "--select",
    "lang=en",
    "--range",
    "2-4",
    "-q",
  ]);
  assert.equal(r.code, 0, r.stderr);
  // Video: [2, 4) is its 2nd segment; audio: 0-2.005 and 2.005-4.011 both overlap.
  assert.deepEqual(asked(server, "/select-hls/").filter((p) => p.endsWith(".ts")), [
    "72p/seg_001.ts",
    "audio_eng/seg_000.ts",
    "audio_eng/seg_001.ts",
  ]);
  assert.deepEqual(await lines(r.out, "72p/prog.m3u8"), [
    "#EXTM3U",
    "#EXT-X-VERSION:3",
    "#EXT-X-TARGETDURATION:2",
    "#EXT-X-MEDIA-SEQUENCE:1",
    "#EXT-X-PLAYLIST-TYPE:VOD",
    "#EXTINF:2.000000,",
    "../hls/72p/seg_001.ts",
    "#EXT-X-ENDLIST",
    "",
  ]);
  assert.deepEqual(await lines(r.out, "audio_eng/prog.m3u8"), [
    "#EXTM3U",
    "#EXT-X-VERSION:3",
    "#EXT-X-TARGETDURATION:2",
    "#EXT-X-MEDIA-SEQUENCE:0",
    "#EXT-X-PLAYLIST-TYPE:VOD",
    "#EXTINF:2.005333,",
    "../hls/audio_eng/seg_000.ts",
    "#EXTINF:2.005333,",
    "../hls/audio_eng/seg_001.ts",
    "#EXT-X-ENDLIST",
    "",
  ]);
  assert.match(
    r.stdout,
    /cut to --range 2-4 \(2\):\n {2}audio_eng\/prog\.m3u8: 2 of 3 media segments\n {2}72p\/prog\.m3u8: 1 of 3/,
  );
  if (await ffmpegOrSkip()) {
    const master = join(r.out, "master.m3u8");
    const audio = await decodedFrames(
      r.out,
      ["hls/audio_eng/seg_000.ts", "hls/audio_eng/seg_001.ts"],
      "mpegts",
    );
    const counts = [await playedFrames(master, "0:0"), await playedFrames(master, "0:1")];
    assert.deepEqual(counts.sort((a, b) => a - b), [20, audio].sort((a, b) => a - b));
  }
});

Deno.test("--range on a media playlist: the key and map in effect, offsets, dates, numbering", async () => {
  const playlist = [
    "#EXTM3U",
    "#EXT-X-VERSION:7",
    "#EXT-X-TARGETDURATION:2",
    "#EXT-X-MEDIA-SEQUENCE:10",
    "#EXT-X-PLAYLIST-TYPE:VOD",
    '#EXT-X-KEY:METHOD=SAMPLE-AES,URI="k1.key",KEYFORMAT="identity"',
    '#EXT-X-MAP:URI="init.mp4",BYTERANGE="700@0"',
    "#EXT-X-PROGRAM-DATE-TIME:2024-05-01T10:00:00.000Z",
    "#EXTINF:2.0,",
    "#EXT-X-BYTERANGE:1000@700",
    "all.mp4",
    "#EXTINF:2.0,",
    "#EXT-X-BYTERANGE:1000",
    "all.mp4",
    "#EXT-X-DISCONTINUITY",
    "#EXTINF:2.0,",
    "#EXT-X-BYTERANGE:1000",
    "all.mp4",
    "#EXTINF:2.0,",
    "#EXT-X-BYTERANGE:1000",
    "all.mp4",
    '#EXT-X-MAP:URI="init2.mp4"',
    "#EXTINF:2.0,",
    "#EXT-X-BYTERANGE:1000",
    "all.mp4",
    "#EXT-X-ENDLIST",
    "",
  ].join("\n");
  await using server = startServer({ root: FIXTURES, routes: { "/v/index.m3u8": playlist } });
  const r = await runCli([
    "hls",
    "get",
    `${server.url}v/index.m3u8`,
    "--range",
    "4-8",
    "--dry-run",
    "--json",
  ]);
  assert.equal(r.code, 0, r.stderr);
  const plan = JSON.parse(r.stdout);
  // Segments 3 and 4 of 5 (4-6 s, 6-8 s): MSN 12 and 13; the first after a discontinuity.
  assert.deepEqual(plan.manifests[0].text.split("\n"), [
    "#EXTM3U",
    "#EXT-X-VERSION:7",
    "#EXT-X-TARGETDURATION:2",
    "#EXT-X-MEDIA-SEQUENCE:12",
    "#EXT-X-PLAYLIST-TYPE:VOD",
    '#EXT-X-KEY:METHOD=SAMPLE-AES,URI="hls/k1.key",KEYFORMAT="identity"',
    '#EXT-X-MAP:URI="hls/init.mp4",BYTERANGE="700@0"',
    "#EXT-X-DISCONTINUITY",
    "#EXT-X-PROGRAM-DATE-TIME:2024-05-01T10:00:04.000Z",
    "#EXTINF:2.0,",
    "#EXT-X-BYTERANGE:1000@2700",
    "hls/all.mp4",
    "#EXTINF:2.0,",
    "#EXT-X-BYTERANGE:1000",
    "hls/all.mp4",
    "#EXT-X-ENDLIST",
    "",
  ]);
  assert.equal(plan.manifests[0].original, playlist);
  assert.deepEqual(
    plan.items.map((i: { path: string; ranges?: unknown }) => [i.path, i.ranges]),
    [
      ["hls/k1.key", undefined],
      ["hls/init.mp4", [{ start: 0, end: 699 }]],
      ["hls/all.mp4", [{ start: 2700, end: 3699 }, { start: 3700, end: 4699 }]],
    ],
  );
  // The same playlist given alone: its kind is unknown, so kind= expressions match nothing;
  // others apply to it.
  const video = await runCli([
    "hls",
    "get",
    `${server.url}v/index.m3u8`,
    "--select",
    "kind=video:best",
    "--dry-run",
  ]);
  assert.equal(video.code, 2);
  assert.match(video.stderr, /--select "kind=video:best": matches none of the 1 track/);
  const best = await runCli([
    "hls",
    "get",
    `${server.url}v/index.m3u8`,
    "--select",
    ":best",
    "--dry-run",
  ]);
  assert.equal(best.code, 0, best.stderr);
  const none = await runCli([
    "hls",
    "get",
    `${server.url}v/index.m3u8`,
    "--select",
    "height<=100",
    "--dry-run",
  ]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /--select "height<=100": matches none of the 1 track/);
});
