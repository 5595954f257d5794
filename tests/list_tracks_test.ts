/**
 * `dash get --list` and `hls get --list`: the inventory, as a table and as
 * `{"tracks": [...]}` field by field — on the ffmpeg-made three-quality, two-language
 * fixtures and on hand-written manifests that say more (roles, channel configurations,
 * frame rates, trick-mode tracks, several Periods) — fetched without a byte of media, and
 * with the ids and kinds `dash check` / `hls check` report.
 *
 * Expected values are read off the manifests by hand (see tests/fixtures/make_fixtures.sh).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { FIXTURES, runCli, scratchDir } from "./cli_helpers.ts";
import { startServer } from "./server.ts";

/** Every fact null, roles empty, but those given. */
function expected(facts: Record<string, unknown>): Record<string, unknown> {
  return {
    id: undefined,
    kind: null,
    codecs: null,
    bandwidth: null,
    width: null,
    height: null,
    fps: null,
    lang: null,
    channels: null,
    roles: [],
    segments: null,
    duration: null,
    ...facts,
  };
}

/** `--list --json` parsed. */
async function listJson(args: string[]): Promise<Record<string, unknown>[]> {
  const r = await runCli([...args, "--list", "--json"]);
  assert.equal(r.code, 0, r.stderr);
  const parsed = JSON.parse(r.stdout);
  assert.deepEqual(Object.keys(parsed), ["tracks"]);
  return parsed.tracks;
}

Deno.test("dash get --list --json: every Representation, field by field; the MPD only is fetched", async () => {
  await using server = startServer({ root: FIXTURES });
  const tracks = await listJson(["dash", "get", `${server.url}select-dash/manifest.mpd`]);
  const video = (id: string, bandwidth: number, w: number, h: number, codecs: string) =>
    expected({
      id,
      kind: "video",
      codecs,
      bandwidth,
      width: w,
      height: h,
      fps: 10,
      segments: 3,
      duration: 6,
      period: "0",
      adaptationSet: "0",
    });
  // Audio: S@d 95232 + 96256 + 91712 at 48000/s = 5.9 s.
  const audio = (id: string, lang: string, set: string) =>
    expected({
      id,
      kind: "audio",
      codecs: "mp4a.40.2",
      bandwidth: 32000,
      lang,
      channels: 1,
      segments: 3,
      duration: 5.9,
      period: "0",
      adaptationSet: set,
    });
  assert.deepEqual(tracks, [
    video("0", 60000, 256, 144, "avc1.42c00b"),
    video("1", 40000, 192, 108, "avc1.42c00a"),
    video("2", 20000, 128, 72, "avc1.42c00a"),
    audio("3", "eng", "1"),
    audio("4", "fra", "2"),
  ]);
  assert.deepEqual(server.requests.map((r) => r.path), ["/select-dash/manifest.mpd"]);
});

Deno.test("hls get --list --json: every media playlist, field by field; no media is fetched", async () => {
  await using server = startServer({ root: FIXTURES });
  const tracks = await listJson(["hls", "get", `${server.url}select-hls/master.m3u8`]);
  // A rendition's codecs: the audio codec of the variants that use its group.
  const audio = (id: string, lang: string, roles: string[]) =>
    expected({
      id,
      kind: "audio",
      codecs: "mp4a.40.2",
      lang,
      roles,
      segments: 3,
      duration: 5.921, // 2.005333 + 2.005333 + 1.910667
    });
  const video = (id: string, bandwidth: number, w: number, h: number, codec: string) =>
    expected({
      id,
      kind: "video",
      codecs: `${codec},mp4a.40.2`,
      bandwidth,
      width: w,
      height: h,
      segments: 3,
      duration: 6,
    });
  assert.deepEqual(tracks, [
    audio("audio_eng/prog.m3u8", "eng", ["default"]),
    audio("audio_fra/prog.m3u8", "fra", []),
    video("144p/prog.m3u8", 101200, 256, 144, "avc1.42c00b"),
    video("108p/prog.m3u8", 79200, 192, 108, "avc1.42c00a"),
    video("72p/prog.m3u8", 57200, 128, 72, "avc1.42c00a"),
  ]);
  const paths = server.requests.map((r) => r.path).sort();
  assert.deepEqual(paths, [
    "/select-hls/108p/prog.m3u8",
    "/select-hls/144p/prog.m3u8",
    "/select-hls/72p/prog.m3u8",
    "/select-hls/audio_eng/prog.m3u8",
    "/select-hls/audio_fra/prog.m3u8",
    "/select-hls/master.m3u8",
  ]);
});

Deno.test("--list prints a table, a row per track; with --select, the tracks it keeps", async () => {
  await using server = startServer({ root: FIXTURES });
  const r = await runCli(["dash", "get", `${server.url}select-dash/manifest.mpd`, "--list"]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trimEnd().split("\n");
  assert.deepEqual(lines[0].split(/\s+/), [
    "id",
    "kind",
    "codecs",
    "bandwidth",
    "size",
    "fps",
    "lang",
    "ch",
    "roles",
    "segments",
    "duration",
    "period",
    "set",
  ]);
  assert.equal(lines.length, 6);
  assert.deepEqual(lines[1].split(/\s+/), [
    "0",
    "video",
    "avc1.42c00b",
    "60",
    "kb/s",
    "256x144",
    "10",
    "-",
    "-",
    "-",
    "3",
    "6",
    "s",
    "0",
    "0",
  ]);
  assert.match(lines[5], /^4\s+audio\s+mp4a\.40\.2\s+32 kb\/s\s+-\s+-\s+fra\s+1\s+-\s+3\s+5\.9 s/);
  const hls = await runCli([
    "hls",
    "get",
    `${server.url}select-hls/master.m3u8`,
    "--list",
    "--select",
    "kind=video:worst",
    "--select",
    "lang=fr",
  ]);
  assert.equal(hls.code, 0, hls.stderr);
  const rows = hls.stdout.trimEnd().split("\n").slice(1).map((l) => l.split(/\s+/)[0]);
  assert.deepEqual(rows, ["audio_fra/prog.m3u8", "72p/prog.m3u8"]);
  assert.doesNotMatch(hls.stdout, /period/, "no DASH columns for HLS");
});

Deno.test("dash get --list: roles, channel configurations, frame rates, trick mode, Periods", async () => {
  const dir = await scratchDir();
  const mpd = join(dir, "manifest.mpd");
  await Deno.writeTextFile(
    mpd,
    `<?xml version="1.0"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" mediaPresentationDuration="PT20S">
  <Period id="ad" duration="PT8S">
    <AdaptationSet id="v" contentType="video" frameRate="30000/1001">
      <Role schemeIdUri="urn:mpeg:dash:role:2011" value="main"/>
      <SegmentTemplate timescale="1000" duration="4000" media="$RepresentationID$/$Number$.m4s"
        initialization="$RepresentationID$/init.mp4"/>
      <Representation id="hi" codecs="hvc1.2.4.L120.90" bandwidth="4000000" width="1920"
        height="1080"/>
    </AdaptationSet>
    <AdaptationSet id="t" mimeType="video/mp4">
      <EssentialProperty schemeIdUri="http://dashif.org/guidelines/trickmode" value="v"/>
      <SegmentTemplate timescale="1000" duration="4000" media="$RepresentationID$/$Number$.m4s"/>
      <Representation id="trick" codecs="hvc1.2.4.L93.90" bandwidth="200000" width="480"
        height="270" frameRate="1"/>
    </AdaptationSet>
    <AdaptationSet id="a" mimeType="audio/mp4" lang="de">
      <Role schemeIdUri="urn:mpeg:dash:role:2011" value="dub"/>
      <AudioChannelConfiguration
        schemeIdUri="tag:dolby.com,2014:dash:audio_channel_configuration:2011" value="F801"/>
      <SegmentTemplate timescale="1000" duration="4000" media="$RepresentationID$/$Number$.m4s"/>
      <Representation id="ec3" codecs="ec-3" bandwidth="384000"/>
      <Representation id="aac" codecs="mp4a.40.2" bandwidth="128000" lang="de-AT">
        <AudioChannelConfiguration schemeIdUri="urn:mpeg:mpegB:cicp:ChannelConfiguration"
          value="2"/>
      </Representation>
    </AdaptationSet>
  </Period>
  <Period id="main">
    <AdaptationSet contentType="text" lang="en">
      <Role schemeIdUri="urn:mpeg:dash:role:2011" value="subtitle"/>
      <Representation id="sub" mimeType="application/mp4" codecs="stpp" bandwidth="2000">
        <SegmentBase/>
        <BaseURL>sub.mp4</BaseURL>
      </Representation>
    </AdaptationSet>
    <AdaptationSet mimeType="video/mp4">
      <SegmentTemplate timescale="1000" media="$RepresentationID$/$Time$.m4s">
        <SegmentTimeline><S t="0" d="5000" r="1"/><S d="2000"/></SegmentTimeline>
      </SegmentTemplate>
      <Representation id="hi" codecs="avc1.640028" bandwidth="5000000" width="1920"
        height="1080"/>
    </AdaptationSet>
  </Period>
</MPD>
`,
  );
  const tracks = await listJson([
    "dash",
    "get",
    mpd,
    "--base-url",
    "https://cdn.example/vod/",
  ]);
  assert.deepEqual(tracks, [
    expected({
      id: "hi",
      kind: "video",
      codecs: "hvc1.2.4.L120.90",
      bandwidth: 4000000,
      width: 1920,
      height: 1080,
      fps: 29.97,
      roles: ["main"],
      segments: 2,
      duration: 8,
      period: "ad",
      adaptationSet: "v",
    }),
    expected({
      id: "trick",
      kind: "video",
      codecs: "hvc1.2.4.L93.90",
      bandwidth: 200000,
      width: 480,
      height: 270,
      fps: 1,
      roles: ["trick"],
      segments: 2,
      duration: 8,
      period: "ad",
      adaptationSet: "t",
    }),
    expected({
      id: "ec3",
      kind: "audio",
      codecs: "ec-3",
      bandwidth: 384000,
      lang: "de",
      channels: 6, // F801: L C R Ls Rs + LFE
      roles: ["dub"],
      segments: 2,
      duration: 8,
      period: "ad",
      adaptationSet: "a",
    }),
    expected({
      id: "aac",
      kind: "audio",
      codecs: "mp4a.40.2",
      bandwidth: 128000,
      lang: "de-AT",
      channels: 2,
      roles: ["dub"],
      segments: 2,
      duration: 8,
      period: "ad",
      adaptationSet: "a",
    }),
    expected({
      id: "sub",
      kind: "text",
      codecs: "stpp",
      bandwidth: 2000,
      lang: "en",
      roles: ["subtitle"],
      segments: 1,
      duration: 12,
      period: "main",
      adaptationSet: null,
    }),
    expected({
      id: "hi",
      kind: "video",
      codecs: "avc1.640028",
      bandwidth: 5000000,
      width: 1920,
      height: 1080,
      segments: 3,
      duration: 12,
      period: "main",
      adaptationSet: null,
    }),
  ]);
});

Deno.test("hls get --list: I-frame, audio-only and image playlists, CHANNELS, FRAME-RATE, subtitles", async () => {
  const media = (segments: number, extra = "") =>
    "#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXT-X-PLAYLIST-TYPE:VOD\n" + extra +
    Array.from({ length: segments }, (_, i) => `#EXTINF:4,\ns${i}.ts\n`).join("") +
    "#EXT-X-ENDLIST\n";
  await using server = startServer({
    root: await scratchDir(),
    routes: {
      "/master.m3u8": [
        "#EXTM3U",
        '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="ac3",NAME="Deutsch",LANGUAGE="de",CHANNELS="6/JOC",URI="a/de.m3u8"',
        '#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="English",LANGUAGE="en",FORCED=YES,CHARACTERISTICS="public.accessibility.describes-music-and-sound",URI="s/en.m3u8"',
        '#EXT-X-STREAM-INF:BANDWIDTH=2000000,RESOLUTION=1280x720,FRAME-RATE=29.970,CODECS="avc1.64001f,ec-3",AUDIO="ac3",SUBTITLES="subs"',
        "v/720.m3u8",
        '#EXT-X-STREAM-INF:BANDWIDTH=64000,CODECS="mp4a.40.5"',
        "a/only.m3u8",
        "#EXT-X-STREAM-INF:BANDWIDTH=900000",
        "v/unknown.m3u8",
        '#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=150000,RESOLUTION=1280x720,CODECS="avc1.64001f",URI="v/iframes.m3u8"',
        '#EXT-X-IMAGE-STREAM-INF:BANDWIDTH=10000,RESOLUTION=320x180,CODECS="jpeg",URI="img/t.m3u8"',
        "",
      ].join("\n"),
      "/a/de.m3u8": media(2),
      "/s/en.m3u8": media(1),
      "/v/720.m3u8": media(3),
      "/a/only.m3u8": media(3),
      "/v/unknown.m3u8": media(3),
      "/v/iframes.m3u8": media(3, "#EXT-X-I-FRAMES-ONLY\n"),
      "/img/t.m3u8": media(1, "#EXT-X-IMAGES-ONLY\n"),
    },
  });
  const tracks = await listJson(["hls", "get", `${server.url}master.m3u8`]);
  assert.deepEqual(tracks, [
    expected({
      id: "a/de.m3u8",
      kind: "audio",
      codecs: "ec-3",
      lang: "de",
      channels: 6,
      segments: 2,
      duration: 8,
    }),
    expected({
      id: "s/en.m3u8",
      kind: "text",
      lang: "en",
      roles: ["public.accessibility.describes-music-and-sound", "forced"],
      segments: 1,
      duration: 4,
    }),
    expected({
      id: "v/720.m3u8",
      kind: "video",
      codecs: "avc1.64001f,ec-3",
      bandwidth: 2000000,
      width: 1280,
      height: 720,
      fps: 29.97,
      segments: 3,
      duration: 12,
    }),
    expected({
      id: "a/only.m3u8",
      kind: "audio",
      codecs: "mp4a.40.5",
      bandwidth: 64000,
      segments: 3,
      duration: 12,
    }),
    // A variant the master does not describe is taken as video.
    expected({ id: "v/unknown.m3u8", kind: "video", bandwidth: 900000, segments: 3, duration: 12 }),
    expected({
      id: "v/iframes.m3u8",
      kind: "video",
      codecs: "avc1.64001f",
      bandwidth: 150000,
      width: 1280,
      height: 720,
      roles: ["trick"],
      segments: 3,
      duration: 12,
    }),
    expected({
      id: "img/t.m3u8",
      kind: "image",
      codecs: "jpeg",
      bandwidth: 10000,
      width: 320,
      height: 180,
      segments: 1,
      duration: 4,
    }),
  ]);
  assert.equal(server.count("**/*.ts"), 0);
});

Deno.test("--list ids and kinds are the ones dash check and hls check report", async () => {
  await using server = startServer({ root: FIXTURES });
  for (
    const [format, manifest] of [
      ["dash", "select-dash/manifest.mpd"],
      ["hls", "select-hls/master.m3u8"],
      ["dash", "dash-time/manifest.mpd"],
      ["hls", "hls-master-fmp4/master.m3u8"],
    ]
  ) {
    const tracks = await listJson([format, "get", `${server.url}${manifest}`]);
    const check = await runCli([format, "check", `${server.url}${manifest}`, "--json", "-q"]);
    assert.equal(check.code, 0, check.stderr);
    const checked = JSON.parse(check.stdout).tracks as { id: string; kind: string }[];
    assert.deepEqual(
      checked.map((t) => [t.id, t.kind]),
      tracks.map((t) => [t.id, t.kind]),
      manifest,
    );
  }
});
