/**
 * `hls check`: every clean ffmpeg-made HLS fixture gives no problem (MPEG-TS, fMP4 with
 * EXT-X-MAP, byte ranges, AES-128; over HTTP, from disk, and from a mirror made by `hls get`),
 * and each byte-exact defect — an EXTINF above the target duration, a cut or truncated
 * transport stream, a missing segment, a CODECS that disagrees with the media, a `tfhd` track
 * id the EXT-X-MAP does not declare, a segment without a sync sample, a moved `tfdt`, an audio
 * configuration unlike `mp4a.40.2` — is found on its track (the media playlist's URI as the
 * master writes it) and segment, and nowhere else.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { startServer } from "./server.ts";
import { FIXTURES, runCli, scratchDir } from "./cli_helpers.ts";
import {
  assertClean,
  assertOnlyOn,
  checkJson,
  copyFixture,
  findBox,
  getU32,
  patchFile,
  replaceText,
  setU32,
  versionOf,
} from "./check_helpers.ts";

const CLEAN: [string, string[]][] = [
  ["hls-master/master.m3u8", [
    "audio_eng/prog.m3u8",
    "audio_fra/prog.m3u8",
    "180p/prog.m3u8",
    "90p/prog.m3u8",
  ]],
  ["hls-master-fmp4/master.m3u8", [
    "audio_eng/prog.m3u8",
    "audio_fra/prog.m3u8",
    "180p/prog.m3u8",
    "90p/prog.m3u8",
  ]],
  ["hls-aes/index.m3u8", ["index.m3u8"]],
  ["reference/hls-ts/index.m3u8", ["index.m3u8"]],
  ["reference/hls-fmp4/index.m3u8", ["index.m3u8"]],
  ["reference/hls-byterange/index.m3u8", ["index.m3u8"]],
];

Deno.test("hls check: every clean fixture, over HTTP and from disk, gives no problem and exit 0", async () => {
  await using server = startServer({ root: FIXTURES });
  for (const [path, ids] of CLEAN) {
    for (const arg of [`${server.url}${path}`, join(FIXTURES, path)]) {
      const { code, report } = await checkJson(["hls", "check", arg, "-t", "6"]);
      assertClean(report, arg);
      assert.equal(code, 0, arg);
      assert.deepEqual(report.tracks.map((t) => t.id), ids, arg);
      assert.ok(report.tracks.every((t) => t.segments === 3), arg);
    }
  }
  const master = await checkJson(["hls", "check", `${server.url}hls-master/master.m3u8`]);
  assert.deepEqual(master.report.tracks.map((t) => t.kind), ["audio", "audio", "video", "video"]);
  // One file addressed by byte ranges is read in one pass (its EXT-X-MAP range apart).
  assert.ok(server.count("/reference/hls-byterange/index.m4s") <= 4);
});

Deno.test("hls check: a mirror made by hls get is read from disk", async () => {
  await using server = startServer({ root: FIXTURES });
  for (const folder of ["hls-master", "hls-master-fmp4"]) {
    const out = await scratchDir();
    const got = await runCli(["hls", "get", `${server.url}${folder}/master.m3u8`, "-o", out, "-q"]);
    assert.equal(got.code, 0, got.stderr);
    const before = server.requests.length;
    const { code, report } = await checkJson(["hls", "check", join(out, "master.m3u8")]);
    assertClean(report, folder);
    assert.equal(code, 0);
    assert.equal(report.tracks.length, 4);
    assert.equal(server.requests.length, before, "the mirror is read from disk");
  }
});

/** Copies `folder`, applies `damage`, serves it and checks its `playlist`. */
async function damaged(
  folder: string,
  damage: (dir: string) => Promise<void>,
  playlist = "master.m3u8",
) {
  const dir = await copyFixture(folder);
  await damage(dir);
  await using server = startServer({ root: dir });
  return await checkJson(["hls", "check", `${server.url}${playlist}`]);
}

Deno.test("hls check: an EXTINF that rounds above EXT-X-TARGETDURATION", async () => {
  const { code, report } = await damaged(
    "hls-master",
    (dir) =>
      replaceText(
        join(dir, "180p/prog.m3u8"),
        "#EXTINF:2.000000,\nseg_001.ts",
        "#EXTINF:2.600000,\nseg_001.ts",
      ),
  );
  assertOnlyOn(report, {
    code: "target-duration-exceeded",
    track: "180p/prog.m3u8",
    segment: "seg_001.ts",
  });
  assert.ok(
    report.problems.some((p) => p.code === "duration-mismatch"),
    "and the media is not 2.6 s long",
  );
  assert.equal(code, 1);
  // 2.4 rounds to 2: within the target duration, but not the media's duration.
  const near = await damaged(
    "hls-master",
    (dir) =>
      replaceText(
        join(dir, "90p/prog.m3u8"),
        "#EXTINF:2.000000,\nseg_002.ts",
        "#EXTINF:2.400000,\nseg_002.ts",
      ),
  );
  assertOnlyOn(near.report, {
    code: "duration-mismatch",
    track: "90p/prog.m3u8",
    segment: "seg_002.ts",
  });
  assert.ok(near.report.problems.every((p) => p.code !== "target-duration-exceeded"));
});

Deno.test("hls check: transport stream packets cut out of a segment", async () => {
  const { report } = await damaged("hls-master", async (dir) => {
    const path = join(dir, "180p/seg_001.ts");
    const b = await Deno.readFile(path);
    await Deno.writeFile(
      path,
      new Uint8Array([...b.subarray(0, 188 * 20), ...b.subarray(188 * 30)]),
    );
  });
  assertOnlyOn(report, { code: "damaged-segment", track: "180p/prog.m3u8", segment: "seg_001.ts" });
  assert.match(report.problems[0].message, /continuity counter/);
});

Deno.test("hls check: a transport stream that ends with a partial packet", async () => {
  const { report } = await damaged("hls-master", async (dir) => {
    const path = join(dir, "audio_eng/seg_002.ts");
    const b = await Deno.readFile(path);
    await Deno.writeFile(path, b.subarray(0, b.length - 100));
  });
  assertOnlyOn(report, {
    code: "damaged-segment",
    track: "audio_eng/prog.m3u8",
    segment: "seg_002.ts",
  });
  assert.match(report.problems[0].message, /partial packet of 88 bytes/);
});

Deno.test("hls check: a missing segment", async () => {
  const { code, report } = await damaged(
    "hls-master",
    (dir) => Deno.remove(join(dir, "audio_fra/seg_000.ts")),
  );
  assertOnlyOn(report, {
    code: "missing-segment",
    track: "audio_fra/prog.m3u8",
    segment: "seg_000.ts",
  });
  assert.equal(code, 1);
});

Deno.test("hls check: a missing media playlist", async () => {
  const { code, report } = await damaged(
    "hls-master",
    (dir) => Deno.remove(join(dir, "90p/prog.m3u8")),
  );
  assertOnlyOn(report, { code: "missing-playlist", track: "90p/prog.m3u8", segment: null });
  assert.equal(code, 1);
});

Deno.test("hls check: a CODECS that disagrees with the video", async () => {
  const { report } = await damaged(
    "hls-master",
    (dir) => replaceText(join(dir, "master.m3u8"), 'CODECS="avc1.42c00c,', 'CODECS="avc1.64001f,'),
  );
  assertOnlyOn(report, { code: "codec-mismatch", track: "180p/prog.m3u8", segment: "seg_000.ts" });
  assert.ok(report.problems.some((p) => /profile 100 is not the media's 66/.test(p.message)));
});

Deno.test("hls check: an audio rendition whose configuration is not mp4a.40.2", async () => {
  const { report } = await damaged(
    "hls-master-fmp4",
    (dir) =>
      patchFile(join(dir, "audio_eng/init_2.mp4"), (b) => {
        const at = b.findIndex((_, i) =>
          [5, 0x80, 0x80, 0x80, 5, 0x11].every((x, k) => b[i + k] === x)
        );
        assert.ok(at > 0);
        b[at + 5] = 0x09; // AAC Main (object type 1)
      }),
  );
  assertOnlyOn(report, {
    code: "codec-mismatch",
    track: "audio_eng/prog.m3u8",
    segment: "init_2.mp4",
  });
});

Deno.test("hls check: a tfhd track id the EXT-X-MAP does not declare", async () => {
  const { report } = await damaged(
    "hls-master-fmp4",
    (dir) =>
      patchFile(join(dir, "90p/seg_001.m4s"), (b) => {
        const tfhd = findBox(b, ["moof", "traf", "tfhd"]);
        setU32(b, tfhd.payload + 4, 2);
      }),
  );
  assertOnlyOn(report, { code: "track-mismatch", track: "90p/prog.m3u8", segment: "seg_001.m4s" });
});

Deno.test("hls check: a video segment without a sync sample; an error with EXT-X-INDEPENDENT-SEGMENTS", async () => {
  const flip = (dir: string) =>
    patchFile(join(dir, "180p/seg_001.m4s"), (b) => {
      const trun = findBox(b, ["moof", "traf", "trun"]);
      assert.equal(getU32(b, trun.payload) & 0xffffff, 0x205);
      setU32(b, trun.payload + 12, 0x01010000);
    });
  const plain = await damaged("hls-master-fmp4", flip);
  assertOnlyOn(plain.report, {
    code: "sap-missing",
    track: "180p/prog.m3u8",
    segment: "seg_001.m4s",
    severity: "warning",
  });
  assert.equal(plain.code, 0, "a warning alone");
  const promised = await damaged("hls-master-fmp4", async (dir) => {
    await flip(dir);
    await replaceText(
      join(dir, "master.m3u8"),
      "#EXT-X-VERSION:7\n",
      "#EXT-X-VERSION:7\n#EXT-X-INDEPENDENT-SEGMENTS\n",
    );
  });
  assertOnlyOn(promised.report, {
    code: "sap-missing",
    track: "180p/prog.m3u8",
    segment: "seg_001.m4s",
  });
  assert.equal(promised.code, 1);
});

Deno.test("hls check: a tfdt that leaves a gap before the segment", async () => {
  const { report } = await damaged(
    "hls-master-fmp4",
    (dir) =>
      patchFile(join(dir, "audio_eng/seg_001.m4s"), (b) => {
        const tfdt = findBox(b, ["moof", "traf", "tfdt"]);
        assert.equal(versionOf(b, tfdt), 1);
        setU32(b, tfdt.payload + 8, getU32(b, tfdt.payload + 8) + 4800); // 0.1 s later
      }),
  );
  assertOnlyOn(report, {
    code: "timeline-mismatch",
    track: "audio_eng/prog.m3u8",
    segment: "seg_001.m4s",
  });
});

Deno.test("hls check: a byte range past the end of the file", async () => {
  const { report } = await damaged(
    "reference/hls-byterange",
    (dir) =>
      replaceText(
        join(dir, "index.m3u8"),
        "#EXT-X-BYTERANGE:52662@115328",
        "#EXT-X-BYTERANGE:52762@115328",
      ),
    "index.m3u8",
  );
  assertOnlyOn(report, {
    code: "damaged-segment",
    track: "index.m3u8",
    segment: "index.m4s (bytes 115328-168089)",
  });
});

Deno.test("hls check: a wrong AES-128 key file and a segment that is not whole blocks", async () => {
  const { report } = await damaged("hls-aes", async (dir) => {
    await Deno.writeFile(join(dir, "keys/k1.key"), new Uint8Array(15));
    const path = join(dir, "seg_001.ts");
    const b = await Deno.readFile(path);
    await Deno.writeFile(path, b.subarray(0, b.length - 5));
  }, "index.m3u8");
  assert.deepEqual(report.problems.map((p) => [p.code, p.segment]), [
    ["damaged-segment", "keys/k1.key"],
    ["damaged-segment", "seg_001.ts"],
  ]);
});

Deno.test("hls check: exit 2 when the playlist cannot be checked at all", async () => {
  for (
    const args of [
      ["hls", "check", join(FIXTURES, "dash-time/manifest.mpd")],
      ["hls", "check", join(FIXTURES, "nothing.m3u8")],
    ]
  ) {
    const r = await runCli(args);
    assert.equal(r.code, 2, r.stderr);
  }
});

Deno.test("hls check --progress json: plan, progress and end events on stderr", async () => {
  const r = await runCli([
    "hls",
    "check",
    join(FIXTURES, "hls-master/master.m3u8"),
    "--progress",
    "json",
  ]);
  assert.equal(r.code, 0);
  const events = r.stderr.trim().split("\n").map((l) => JSON.parse(l));
  assert.equal(events[0].event, "plan");
  assert.equal(events[0].resources, 12);
  assert.ok(events.some((e) => e.event === "progress" && e.done === 12));
  assert.deepEqual(Object.keys(events[events.length - 1]), [
    "event",
    "manifest",
    "tracks",
    "problems",
  ]);
  assert.match(r.stdout, /^hls check: 4 tracks, 12 resources checked .*: no problems\n$/);
});

Deno.test("hls check: -H headers go to the origin typed only (unless --header-host)", async () => {
  await using media = startServer({ root: FIXTURES, hostname: "127.0.0.2" });
  const master = (await Deno.readTextFile(join(FIXTURES, "hls-master/master.m3u8")))
    .replace(/URI="([^"]+)"/g, (_, uri) => `URI="${media.url}hls-master/${uri}"`)
    .replace(/^(\d+p\/prog\.m3u8)$/gm, (uri) => `${media.url}hls-master/${uri}`);
  await using origin = startServer({ root: FIXTURES, routes: { "/master.m3u8": master } });
  const sent = () => media.requests.filter((q) => q.headers["authorization"] !== undefined).length;
  const args = ["hls", "check", `${origin.url}master.m3u8`, "-H", "Authorization: Bearer secret"];
  const plain = await checkJson(args);
  assertClean(plain.report, "two origins");
  assert.equal(media.requests.length, 16, "4 playlists and 12 segments");
  assert.equal(sent(), 0, "the media host got no credential");
  const named = await checkJson([...args, "--header-host", `127.0.0.2:${media.port}`]);
  assertClean(named.report, "named host");
  assert.equal(sent(), 16);
});
