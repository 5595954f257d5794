/**
 * `dash check`: every clean ffmpeg-made DASH fixture gives no problem (over HTTP, from a local
 * MPD, and from a mirror made by `dash get`), and each byte-exact defect — a missing segment,
 * a moved `tfdt`, a changed sample duration, a changed `@codecs`, a cut segment, a first
 * sample that is not a sync sample, a `tfhd` track id the init does not declare, a wrong
 * `sidx` — is found on its track and segment and nowhere else. Exit codes, output forms,
 * `--html` and the credentials scope too.
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
import { memoryIo } from "../src/ui/io.ts";
import { main } from "../src/cli.ts";

const CLEAN = [
  "reference/dash-avc-aac",
  "dash-number-duration",
  "dash-time",
  "dash-segmentlist",
  "dash-segmentlist-range",
  "dash-segmentbase",
  "dash-webm",
  "dash-long",
];

Deno.test("dash check: every clean fixture, over HTTP, gives no problem and exit 0", async () => {
  await using server = startServer({ root: FIXTURES });
  for (const folder of CLEAN) {
    const { code, report } = await checkJson([
      "dash",
      "check",
      `${server.url}${folder}/manifest.mpd`,
      "-t",
      "8",
    ]);
    assertClean(report, folder);
    assert.equal(code, 0, folder);
    assert.equal(report.manifest, `${server.url}${folder}/manifest.mpd`);
    if (folder === "dash-long") {
      assert.deepEqual(report.tracks, [{ id: "0", kind: "video", segments: 320 }]);
    } else if (folder === "dash-webm") {
      assert.deepEqual(report.tracks.map((t) => [t.id, t.kind]), [["0", "video"], ["1", "audio"]]);
    } else {
      assert.deepEqual(report.tracks.map((t) => [t.id, t.kind]), [
        ["0", "video"],
        ["1", "video"],
        ["2", "audio"],
        ["3", "audio"],
      ], folder);
    }
  }
  // A file addressed by byte ranges is read in one pass (its init range apart).
  for (const id of [0, 1, 2, 3]) {
    for (const folder of ["dash-segmentbase", "dash-segmentlist-range"]) {
      assert.ok(server.count(`/${folder}/manifest-stream${id}.mp4`) <= 2, `${folder} ${id}`);
    }
  }
});

Deno.test("dash check: a local MPD and a mirror made by dash get are read from disk", async () => {
  for (const folder of ["dash-time", "dash-segmentbase"]) {
    const { code, report } = await checkJson([
      "dash",
      "check",
      join(FIXTURES, folder, "manifest.mpd"),
    ]);
    assertClean(report, folder);
    assert.equal(code, 0);
  }
  await using server = startServer({ root: FIXTURES });
  const out = await scratchDir();
  const got = await runCli(["dash", "get", `${server.url}dash-time/manifest.mpd`, "-o", out, "-q"]);
  assert.equal(got.code, 0, got.stderr);
  const before = server.requests.length;
  const { code, report } = await checkJson(["dash", "check", "manifest.mpd"], out);
  assertClean(report, "mirror");
  assert.equal(code, 0);
  assert.equal(report.tracks.length, 4);
  assert.equal(server.requests.length, before, "the mirror is read from disk");
});

Deno.test("dash check: a SegmentTimeline in a timescale unlike mdhd's, and a presentationTimeOffset", async () => {
  const dir = await copyFixture("reference/dash-avc-aac");
  const mpd = join(dir, "manifest.mpd");
  // Video in milliseconds (mdhd says 12800/s): S@t and S@d in the template's own timescale.
  const text = (await Deno.readTextFile(mpd)).replaceAll(
    '<SegmentTemplate timescale="12800"',
    '<SegmentTemplate timescale="1000"',
  ).replaceAll('<S t="0" d="25600" r="2" />', '<S t="0" d="2000" r="2" />');
  await Deno.writeTextFile(mpd, text);
  // Audio 2 moved 10 s later on its media timeline, which @presentationTimeOffset takes back.
  const offset = 480000;
  for (let n = 1; n <= 4; n++) {
    await patchFile(join(dir, `chunk-stream2-0000${n}.m4s`), (b) => {
      const tfdt = findBox(b, ["moof", "traf", "tfdt"]);
      setU32(b, tfdt.payload + 8, getU32(b, tfdt.payload + 8) + offset);
      const sidx = findBox(b, ["sidx"]);
      assert.equal(versionOf(b, sidx), 1);
      setU32(b, sidx.payload + 16, getU32(b, sidx.payload + 16) + offset);
    });
  }
  const reps = text.split("<Representation ");
  reps[3] = reps[3].replace(
    '<SegmentTemplate timescale="48000"',
    `<SegmentTemplate timescale="48000" presentationTimeOffset="${offset}"`,
  )
    .replace('<S t="0" d="95232" />', `<S t="${offset}" d="95232" />`);
  await Deno.writeTextFile(mpd, reps.join("<Representation "));
  const { code, report } = await checkJson(["dash", "check", mpd]);
  assertClean(report, "timescales and offset");
  assert.equal(code, 0);
  // The same offset without @presentationTimeOffset is still fine (S@t is on the media
  // timeline); without the S@t it is not.
  await replaceText(mpd, `<S t="${offset}" d="95232" />`, '<S t="0" d="95232" />');
  const moved = await checkJson(["dash", "check", mpd]);
  assert.ok(moved.report.problems.length >= 4);
  assert.ok(moved.report.problems.every((p) => p.track === "2" && p.code === "timeline-mismatch"));
});

/** Copies `folder`, applies `damage` to the copy, serves it and checks it. */
async function damaged(folder: string, damage: (dir: string) => Promise<void>) {
  const dir = await copyFixture(folder);
  await damage(dir);
  await using server = startServer({ root: dir });
  return await checkJson(["dash", "check", `${server.url}manifest.mpd`]);
}

Deno.test("dash check: a missing segment", async () => {
  const { code, report } = await damaged(
    "dash-time",
    (dir) => Deno.remove(join(dir, "chunk-1-51474.m4s")),
  );
  assertOnlyOn(report, { code: "missing-segment", track: "1", segment: "chunk-1-51474.m4s" });
  assert.match(report.problems[0].message, /404/);
  assert.equal(code, 1);
});

Deno.test("dash check: a tfdt moved off the SegmentTimeline", async () => {
  const { code, report } = await damaged(
    "dash-time",
    (dir) =>
      patchFile(join(dir, "chunk-0-25874.m4s"), (b) => {
        const tfdt = findBox(b, ["moof", "traf", "tfdt"]);
        assert.equal(versionOf(b, tfdt), 1);
        assert.equal(getU32(b, tfdt.payload + 8), 25600);
        setU32(b, tfdt.payload + 8, 25600 + 1000); // 78 ms: two samples of 512
      }),
  );
  assertOnlyOn(report, { code: "timeline-mismatch", track: "0", segment: "chunk-0-25874.m4s" });
  assert.equal(code, 1);
});

Deno.test("dash check: a tfdt moved, with @duration and a template timescale unlike mdhd's", async () => {
  const { code, report } = await damaged(
    "dash-number-duration",
    (dir) =>
      patchFile(join(dir, "chunk-stream0-00002.m4s"), (b) => {
        const tfdt = findBox(b, ["moof", "traf", "tfdt"]);
        setU32(b, tfdt.payload + 8, getU32(b, tfdt.payload + 8) + 6400); // half a second later
      }),
  );
  assertOnlyOn(report, {
    code: "timeline-mismatch",
    track: "0",
    segment: "chunk-stream0-00002.m4s",
  });
  assert.equal(code, 1);
});

Deno.test("dash check: a segment whose samples last longer than S@d says", async () => {
  const { report } = await damaged(
    "dash-time",
    (dir) =>
      patchFile(join(dir, "chunk-1-51474.m4s"), (b) => {
        const tfhd = findBox(b, ["moof", "traf", "tfhd"]);
        assert.equal(getU32(b, tfhd.payload) & 0x08, 0x08, "default sample duration present");
        assert.equal(getU32(b, tfhd.payload + 8), 512);
        setU32(b, tfhd.payload + 8, 600);
      }),
  );
  assertOnlyOn(report, { code: "duration-mismatch", track: "1", segment: "chunk-1-51474.m4s" });
});

Deno.test("dash check: a segment twice as long as @duration", async () => {
  const { report } = await damaged(
    "dash-number-duration",
    (dir) =>
      patchFile(join(dir, "chunk-stream1-00002.m4s"), (b) => {
        const tfhd = findBox(b, ["moof", "traf", "tfhd"]);
        setU32(b, tfhd.payload + 8, 1024);
      }),
  );
  assertOnlyOn(report, {
    code: "duration-mismatch",
    track: "1",
    segment: "chunk-stream1-00002.m4s",
  });
});

Deno.test("dash check: @codecs that disagree with the avcC", async () => {
  const { code, report } = await damaged(
    "dash-time",
    (dir) => replaceText(join(dir, "manifest.mpd"), 'codecs="avc1.42c00c"', 'codecs="avc1.4d401f"'),
  );
  assertOnlyOn(report, { code: "codec-mismatch", track: "0", segment: "init-stream0.m4s" });
  assert.ok(report.problems.some((p) => /profile 77 is not the media's 66/.test(p.message)));
  assert.equal(code, 1);
});

Deno.test("dash check: an audio configuration that disagrees with mp4a.40.2", async () => {
  const { report } = await damaged(
    "reference/dash-avc-aac",
    (dir) =>
      patchFile(join(dir, "init-stream3.m4s"), (b) => {
        // The DecoderSpecificInfo (tag 5, a 4-byte length of 5) starts 0x11: object type 2.
        const at = b.findIndex((_, i) =>
          [5, 0x80, 0x80, 0x80, 5, 0x11].every((x, k) => b[i + k] === x)
        );
        assert.ok(at > 0);
        b[at + 5] = 0x09; // object type 1 (AAC Main)
      }),
  );
  assertOnlyOn(report, { code: "codec-mismatch", track: "3", segment: "init-stream3.m4s" });
});

Deno.test("dash check: a segment cut short", async () => {
  const { code, report } = await damaged("dash-time", async (dir) => {
    const path = join(dir, "chunk-2-96256.m4s");
    const bytes = await Deno.readFile(path);
    await Deno.writeFile(path, bytes.subarray(0, 5000));
  });
  assertOnlyOn(report, { code: "damaged-segment", track: "2", segment: "chunk-2-96256.m4s" });
  assert.equal(code, 1);
});

Deno.test("dash check: a video segment that does not start with a sync sample", async () => {
  const { report } = await damaged(
    "dash-time",
    (dir) =>
      patchFile(join(dir, "chunk-1-25874.m4s"), (b) => {
        const trun = findBox(b, ["moof", "traf", "trun"]);
        assert.equal(
          getU32(b, trun.payload) & 0xffffff,
          0x205,
          "data offset and first sample flags",
        );
        assert.equal(getU32(b, trun.payload + 12), 0x02000000);
        setU32(b, trun.payload + 12, 0x01010000);
      }),
  );
  assertOnlyOn(report, { code: "sap-missing", track: "1", segment: "chunk-1-25874.m4s" });
});

Deno.test("dash check: a tfhd track id the initialization segment does not declare", async () => {
  const { report } = await damaged(
    "dash-time",
    (dir) =>
      patchFile(join(dir, "chunk-3-96256.m4s"), (b) => {
        const tfhd = findBox(b, ["moof", "traf", "tfhd"]);
        assert.equal(getU32(b, tfhd.payload + 4), 1);
        setU32(b, tfhd.payload + 4, 2);
      }),
  );
  assertOnlyOn(report, { code: "track-mismatch", track: "3", segment: "chunk-3-96256.m4s" });
});

Deno.test("dash check: a SegmentBase index whose sizes do not match the fragments", async () => {
  const { report } = await damaged("dash-segmentbase", async (dir) => {
    const mpd = await Deno.readTextFile(join(dir, "manifest.mpd"));
    assert.ok(
      mpd.includes(
        '<BaseURL>manifest-stream2.mp4</BaseURL>\n\t\t\t\t<SegmentBase indexRange="732-807">',
      ),
    );
    await patchFile(join(dir, "manifest-stream2.mp4"), (b) => {
      const sidx = findBox(b, ["sidx"], 732);
      assert.equal(sidx.offset, 732);
      const first = sidx.payload + 4 + 8 + (versionOf(b, sidx) === 0 ? 8 : 16) + 4;
      setU32(b, first, getU32(b, first) + 8); // the first reference's referenced_size
    });
  });
  assertOnlyOn(report, {
    code: "index-mismatch",
    track: "2",
    segment: "manifest-stream2.mp4 (bytes 732-807)",
  });
});

Deno.test("dash check: a Representation that cannot be expanded is manifest-invalid; exit 1", async () => {
  const { code, report } = await damaged(
    "dash-time",
    (dir) =>
      replaceText(join(dir, "manifest.mpd"), '<S t="0" d="96256" r="1" />', '<S t="0" d="-5" />'),
  );
  assertOnlyOn(report, { code: "manifest-invalid", track: "2", segment: null });
  assert.equal(code, 1);
});

Deno.test("dash check: exit 2 when the MPD cannot be checked at all", async () => {
  const dir = await scratchDir();
  await Deno.writeTextFile(join(dir, "bad.mpd"), "<MPD><Period>");
  const vod = await Deno.readTextFile(join(FIXTURES, "dash-time/manifest.mpd"));
  await Deno.writeTextFile(join(dir, "live.mpd"), vod.replace('type="static"', 'type="dynamic"'));
  for (
    const [args, pattern] of [
      [["dash", "check", join(dir, "nothing.mpd")], /no such file/],
      [["dash", "check", join(dir, "bad.mpd")], /bad\.mpd/],
      [["dash", "check", join(dir, "live.mpd")], /live stream/],
      [["dash", "check", join(FIXTURES, "hls-master", "master.m3u8")], /hls check|hls get/],
    ] as const
  ) {
    const r = await runCli([...args]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, pattern);
  }
});

Deno.test("dash check: one line per problem on stderr, a summary on stdout; a table on a terminal", async () => {
  const dir = await copyFixture("dash-time");
  await Deno.remove(join(dir, "chunk-0-274.m4s"));
  await replaceText(join(dir, "manifest.mpd"), 'codecs="avc1.42c00b"', 'codecs="avc1.42c00d"');
  const r = await runCli(["dash", "check", join(dir, "manifest.mpd")]);
  assert.equal(r.code, 1);
  const lines = r.stderr.trim().split("\n");
  assert.deepEqual(lines.map((l) => l.split("\t").slice(0, 4)), [
    ["error", "missing-segment", "0", "chunk-0-274.m4s"],
    ["warning", "codec-mismatch", "1", "init-stream1.m4s"],
  ]);
  assert.match(lines[1], /level 13 is above the media's 11/);
  assert.match(
    r.stdout,
    /^dash check: 4 tracks, 16 resources checked .*: 1 error, 1 warning \(missing-segment 1, codec-mismatch 1\)\n$/,
  );

  const io = memoryIo({ terminal: { columns: 200, rows: 40 } });
  assert.equal(await main(["dash", "check", join(dir, "manifest.mpd")], io), 1);
  // What stays on screen: the part of each line after the live area was erased.
  const screen = io.stderrText().split("\n").map((l) =>
    // deno-lint-ignore no-control-regex
    l.split("\r").pop()!.replace(/\x1b\[[0-9;]*[A-Za-z]/g, "")
  );
  const table = screen.filter((l) => /SEVERITY|missing-segment/.test(l));
  assert.match(table[0], /^SEVERITY\s+CODE\s+TRACK\s+SEGMENT\s+MESSAGE$/);
  assert.match(table[1], /^error\s+missing-segment\s+0\s+chunk-0-274\.m4s\s+no such file$/);
});

Deno.test("dash check --json has exactly the documented shape; warnings alone exit 0", async () => {
  const dir = await copyFixture("dash-time");
  await replaceText(join(dir, "manifest.mpd"), 'codecs="avc1.42c00b"', 'codecs="avc1.42c00d"');
  const r = await runCli(["dash", "check", join(dir, "manifest.mpd"), "--json"]);
  assert.equal(r.code, 0);
  const report = JSON.parse(r.stdout);
  assert.deepEqual(Object.keys(report), ["manifest", "tracks", "problems"]);
  assert.deepEqual(Object.keys(report.tracks[0]), ["id", "kind", "segments"]);
  assert.deepEqual(report.problems, [{
    severity: "warning",
    code: "codec-mismatch",
    track: "1",
    segment: "init-stream1.m4s",
    message: report.problems[0].message,
  }]);
});

Deno.test("dash check --html writes one self-contained page with a timeline per track", async () => {
  const dir = await copyFixture("dash-time");
  await Deno.remove(join(dir, "chunk-2-96256.m4s"));
  // A hostile Representation id must come out as text, not markup.
  await replaceText(
    join(dir, "manifest.mpd"),
    '<Representation id="3"',
    '<Representation id="&lt;b&gt;x"',
  );
  const r = await runCli(["dash", "check", "manifest.mpd", "--html", "report.html", "-q"], {
    cwd: dir,
  });
  assert.equal(r.code, 1, r.stderr);
  const html = await Deno.readTextFile(join(dir, "report.html"));
  assert.match(html, /^<!doctype html>/);
  assert.equal((html.match(/<svg /g) ?? []).length, 4, "a timeline per track");
  for (const id of ["0", "1", "2"]) assert.ok(html.includes(`<code>${id}</code>`), id);
  assert.ok(html.includes("&lt;b&gt;x") && !html.includes("<b>x"), "the id is escaped");
  assert.ok(html.includes("missing-segment") && html.includes("chunk-2-96256.m4s"));
  assert.ok(!/<script|<link|@import|url\(|src=|href=/i.test(html), "nothing external");
  assert.ok(html.includes("stroke-dasharray"), "the missing segment is drawn");
});

Deno.test("dash check: -H headers go to the origin typed only (unless --header-host)", async () => {
  await using media = startServer({ root: FIXTURES, hostname: "127.0.0.2" });
  const text = (await Deno.readTextFile(join(FIXTURES, "dash-time", "manifest.mpd")))
    .replace("<Period", `<BaseURL>${media.url}dash-time/</BaseURL>\n\t<Period`);
  await using origin = startServer({ root: FIXTURES, routes: { "/m.mpd": text } });
  const sent = () => media.requests.filter((q) => q.headers["authorization"] !== undefined).length;
  const args = ["dash", "check", `${origin.url}m.mpd`, "-H", "Authorization: Bearer secret"];
  const plain = await checkJson(args);
  assertClean(plain.report, "two origins");
  assert.ok(media.requests.length >= 16);
  assert.equal(sent(), 0, "the media host got no credential");
  assert.equal(origin.requests[0].headers["authorization"], "Bearer secret");
  const named = await checkJson([...args, "--header-host", "127.0.0.2"]);
  assertClean(named.report, "named host");
  assert.ok(sent() >= 16, "with --header-host the media host gets them");
});

Deno.test("dash check: the same result with one thread and with many", async () => {
  const dir = await copyFixture("dash-time");
  await Deno.remove(join(dir, "chunk-3-0.m4s"));
  const one = await checkJson(["dash", "check", join(dir, "manifest.mpd"), "-t", "1"]);
  const many = await checkJson(["dash", "check", join(dir, "manifest.mpd"), "-t", "16"]);
  assert.deepEqual(one.report, many.report);
  assertOnlyOn(one.report, { code: "missing-segment", track: "3", segment: "chunk-3-0.m4s" });
});

Deno.test("dash check reads every byte of a segment: a body cut short is retried, then reported", async () => {
  // The mdat's bytes are never parsed, but they must arrive: a reset in them is retried.
  await using flaky = startServer({
    root: join(FIXTURES, "dash-time"),
    faults: [{ match: "/chunk-0-274.m4s", hit: { first: 1 }, resetAfterBytes: 3000 }],
  });
  const once = await checkJson([
    "dash",
    "check",
    `${flaky.url}manifest.mpd`,
    "--retry-delay",
    "0.01",
  ]);
  assertClean(once.report, "a transient reset");
  assert.equal(flaky.count("/chunk-0-274.m4s"), 2, "the segment was fetched again");
  // A server that always ends the body early: the segment is reported, nothing else.
  await using short = startServer({
    root: join(FIXTURES, "dash-time"),
    faults: [{ match: "/chunk-0-274.m4s", shortBody: 2000 }],
  });
  const always = await checkJson([
    "dash",
    "check",
    `${short.url}manifest.mpd`,
    "--retries",
    "1",
    "--retry-delay",
    "0.01",
  ]);
  assertOnlyOn(always.report, { code: "missing-segment", track: "0", segment: "chunk-0-274.m4s" });
  assert.equal(always.code, 1);
});

Deno.test("dash check: an HTML page served for a segment is damaged; a remote MPD's file: URL is not read", async () => {
  const mpd = (await Deno.readTextFile(join(FIXTURES, "dash-time/manifest.mpd"))).replace(
    '<Representation id="3" mimeType="audio/mp4" codecs="mp4a.40.2" bandwidth="32000" audioSamplingRate="48000">',
    '<Representation id="3" mimeType="audio/mp4" codecs="mp4a.40.2" bandwidth="32000" audioSamplingRate="48000">' +
      `<BaseURL>file://${join(FIXTURES, "dash-time")}/</BaseURL>`,
  );
  await using server = startServer({
    root: join(FIXTURES, "dash-time"),
    routes: {
      "/chunk-2-96256.m4s": "<!doctype html><html><body>Not found</body></html>",
      "/m.mpd": mpd,
    },
  });
  const { report } = await checkJson(["dash", "check", `${server.url}m.mpd`]);
  const byTrack = (id: string) => report.problems.filter((p) => p.track === id);
  assert.deepEqual(byTrack("2").map((p) => [p.code, p.segment, p.message]), [
    ["damaged-segment", "chunk-2-96256.m4s", "it is an HTML page, not MP4"],
  ]);
  assert.equal(byTrack("3").length, 4, "the init and three segments");
  assert.ok(
    byTrack("3").every((p) =>
      p.code === "missing-segment" && /may not name a file: URL/.test(p.message)
    ),
  );
  assert.equal(report.problems.length, 5);
});
