/**
 * `dash get` end to end on the shapes of issue 15: real ffmpeg-made media served by two
 * loopback origins under hand-written MPDs that use absolute and `../` references in every
 * attribute, names too long to keep, an empty BaseURL, a live MPD without ids and a Period
 * that cannot be used. Each saved copy must resolve to the saved files — by streamkit's own
 * self-check, by an independent replay from the output folder with the origins gone, and
 * (for one copy) by ffmpeg reading it offline.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { checkSavedDash } from "../src/dash/copy_check.ts";
import { planDash } from "../src/dash/plan.ts";
import { startServer } from "./server.ts";
import { resolvedResources } from "./dash_resources.ts";
import {
  bytesEqual,
  FIXTURES,
  hasProgram,
  listFiles,
  REPO,
  run,
  runCli,
  scratchDir,
} from "./cli_helpers.ts";

/** Runs `dash get --json` and returns the exit code and the summary. */
async function get(url: string, out: string) {
  const r = await runCli(["dash", "get", url, "-o", out, "--json", "-q"]);
  return { code: r.code, stderr: r.stderr, summary: r.stdout ? JSON.parse(r.stdout) : undefined };
}

/** The text with every reference value blanked, to compare what is not a reference. */
function withoutReferences(text: string): string {
  return text
    .replace(/<((?:\w+:)?BaseURL)>[^<]*<\/\1>/g, "<$1/>")
    .replace(/\s(media|initialization|index|bitstreamSwitching|sourceURL)="[^"]*"/g, " $1=''");
}

const DASH_FIXTURES = [
  "reference/dash-avc-aac",
  "dash-number-duration",
  "dash-time",
  "dash-segmentlist",
  "dash-segmentlist-range",
  "dash-segmentbase",
  "dash-webm",
  "dash-long",
];

Deno.test("self-check: every DASH fixture's saved copy resolves; a missing or moved file is named", async () => {
  await using server = startServer({ root: FIXTURES });
  for (const folder of DASH_FIXTURES) {
    const out = await scratchDir();
    const url = `${server.url}${folder}/manifest.mpd`;
    const { code, summary, stderr } = await get(url, out);
    assert.equal(code, 0, `${folder}: ${stderr}`);
    assert.deepEqual(summary.unresolved, [], folder);
    const { saved } = planDash(await (await fetch(url)).text(), url);
    assert.deepEqual(await checkSavedDash(out, saved), [], folder);
    // Take a file away, and point the manifest elsewhere: both are reported.
    const victim = [...saved.expect.representations[0].segments].at(-1)!.path;
    await Deno.remove(join(out, victim));
    const missing = await checkSavedDash(out, saved);
    assert.deepEqual(missing, [`${victim}: the saved file is missing`], folder);
    const text = await Deno.readTextFile(join(out, "manifest.mpd"));
    await Deno.writeTextFile(
      join(out, "manifest.mpd"),
      text.replace(/<Period([^>]*)>/, `<Period$1><BaseURL>${server.url}</BaseURL>`),
    );
    const moved = await checkSavedDash(out, saved);
    assert.ok(moved.length >= 2, moved.join("\n"));
    assert.match(
      moved.join("\n"),
      /Representation\[0\]\(id=[^)]*\): \S+ does not land on the saved file/,
    );
    assert.match(moved.join("\n"), /outside the output folder/);
  }
});

/** An MPD (at /deep/m/ on origin A) with absolute and ../ references in every attribute. */
function everyAttribute(b: string): string {
  return `<?xml version="1.0" encoding="utf-8"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" mediaPresentationDuration="PT6.0S"
  profiles="urn:mpeg:dash:profile:isoff-live:2011" minBufferTime="PT4.0S">
  <Period id="0" start="PT0.0S">
    <AdaptationSet contentType="video" mimeType="video/mp4">
      <SegmentTemplate timescale="1000000" duration="2000000" startNumber="1"
        initialization="${b}dash-number-duration/init-stream$RepresentationID$.m4s"
        media="../../dash-number-duration/chunk-stream$RepresentationID$-$Number%05d$.m4s"/>
      <Representation id="0" codecs="avc1.42c00c" bandwidth="100000" width="320" height="180"/>
      <Representation id="1" codecs="avc1.42c00b" bandwidth="40000" width="160" height="90">
        <SegmentTemplate index="${b}dash-segmentlist/chunk-stream1-$Number%05d$.m4s"
          bitstreamSwitching="../../dash-segmentlist/init-stream1.m4s"/>
      </Representation>
    </AdaptationSet>
    <AdaptationSet contentType="audio" mimeType="audio/mp4" lang="eng">
      <BaseURL>../</BaseURL>
      <Representation id="2" codecs="mp4a.40.2" bandwidth="32000">
        <SegmentTemplate timescale="1000000" duration="2000000"
          initialization="../dash-number-duration/init-stream2.m4s"
          media="../dash-number-duration/chunk-stream2-$Number%05d$.m4s"/>
      </Representation>
    </AdaptationSet>
    <AdaptationSet contentType="audio" mimeType="audio/mp4" lang="fra">
      <Representation id="3" codecs="mp4a.40.2" bandwidth="32000">
        <SegmentList timescale="1000000" duration="2000000">
          <Initialization sourceURL="${b}dash-segmentlist/init-stream3.m4s"/>
          <RepresentationIndex sourceURL="../../dash-segmentlist/init-stream2.m4s"/>
          <SegmentURL media="${b}dash-segmentlist/chunk-stream3-00001.m4s"
            index="../../dash-segmentlist/chunk-stream2-00001.m4s"/>
          <SegmentURL media="../../dash-segmentlist/chunk-stream3-00002.m4s"/>
          <SegmentURL media="/dash-segmentlist/chunk-stream3-00003.m4s"
            index="${b}dash-segmentlist/chunk-stream2-00003.m4s"/>
        </SegmentList>
      </Representation>
    </AdaptationSet>
    <AdaptationSet contentType="video" mimeType="video/mp4">
      <Representation id="base" codecs="avc1.42c00c" bandwidth="100000">
        <BaseURL>${b}dash-segmentbase/manifest-stream0.mp4</BaseURL>
        <SegmentBase indexRange="794-869">
          <Initialization sourceURL="../../dash-segmentbase/manifest-stream0.mp4" range="0-793"/>
        </SegmentBase>
      </Representation>
    </AdaptationSet>
  </Period>
</MPD>
`;
}

Deno.test("dash get: absolute and ../ references in every attribute, two origins; the copy replays offline", async () => {
  const out = await scratchDir();
  const b = startServer({ root: FIXTURES, hostname: "127.0.0.2" });
  const text = everyAttribute(b.url);
  const a = startServer({ root: FIXTURES, routes: { "/deep/m/manifest.mpd": text } });
  try {
    const url = `${a.url}deep/m/manifest.mpd`;
    const online = await resolvedResources(url);
    const { code, summary, stderr } = await get(url, out);
    assert.equal(code, 0, stderr);
    assert.deepEqual(summary.unresolved, []);
    assert.equal(summary.failed, 0);
    const saved = await Deno.readTextFile(join(out, "manifest.mpd"));
    assert.equal(await Deno.readTextFile(join(out, "manifest.mpd.orig")), text);
    // Only references changed, none still leads to a server, and all are plain paths.
    assert.equal(withoutReferences(saved), withoutReferences(text));
    for (
      const m of saved.matchAll(
        /(?:media|initialization|index|bitstreamSwitching|sourceURL)="([^"]*)"|<BaseURL>([^<]*)</g,
      )
    ) {
      const ref = (m[1] ?? m[2]).replace(/\$[^$]*\$/g, ""); // template identifiers aside
      assert.ok(!/^[a-z]+:|^\//.test(ref) && !ref.includes("%"), ref);
    }
    // Offline: origins gone, the output folder alone serves the same bytes for everything.
    await a.close();
    await b.close();
    await using offline = startServer({ root: out });
    const replay = await resolvedResources(`${offline.url}manifest.mpd`);
    assert.deepEqual([...replay.keys()], [...online.keys()]);
    for (const [key, bytes] of online) assert.ok(bytesEqual(replay.get(key), bytes), key);
    assert.ok(offline.requests.every((q) => q.status === 200 || q.status === 206));
  } finally {
    await a.close();
    await b.close();
  }
});

/** Two origins serving dash-number-duration's video by template and its audio by names over 200 bytes. */
function relocatedStream(b: string, long: string): string {
  return `<?xml version="1.0" encoding="utf-8"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" profiles="urn:mpeg:dash:profile:isoff-live:2011"
  type="static" mediaPresentationDuration="PT6.0S" minBufferTime="PT4.0S">
  <Period id="0" start="PT0.0S">
    <AdaptationSet contentType="video" segmentAlignment="true">
      <BaseURL>../../</BaseURL>
      <Representation id="0" mimeType="video/mp4" codecs="avc1.42c00c" bandwidth="100000" width="320" height="180">
        <SegmentTemplate timescale="1000000" duration="2000000" startNumber="1"
          initialization="${b}dash-number-duration/init-stream$RepresentationID$.m4s"
          media="../dash-number-duration/chunk-stream$RepresentationID$-$Number%05d$.m4s"/>
      </Representation>
    </AdaptationSet>
    <AdaptationSet contentType="audio" lang="eng">
      <Representation id="2" mimeType="audio/mp4" codecs="mp4a.40.2" bandwidth="32000" audioSamplingRate="48000">
        <SegmentTemplate timescale="1000000" duration="2000000"
          initialization="/dash-number-duration/init-stream2.m4s" media="/long/${long}-$Number$.m4s"/>
      </Representation>
    </AdaptationSet>
  </Period>
</MPD>
`;
}

Deno.test("dash get: names over 200 bytes are listed explicitly; ffmpeg plays the rewritten copy offline", async () => {
  const long = "segment-name-".repeat(18);
  const routes: Record<string, Uint8Array | string> = {};
  for (const n of [1, 2, 3]) {
    routes[`/long/${long}-${n}.m4s`] = await Deno.readFile(
      join(FIXTURES, `dash-number-duration/chunk-stream2-0000${n}.m4s`),
    );
  }
  const b = startServer({ root: FIXTURES, hostname: "127.0.0.2" });
  const text = relocatedStream(b.url, long);
  routes["/a/deep/manifest.mpd"] = text;
  const a = startServer({ root: FIXTURES, routes });
  const out = await scratchDir();
  try {
    const url = `${a.url}a/deep/manifest.mpd`;
    const online = await resolvedResources(url);
    const { code, summary, stderr } = await get(url, out);
    assert.equal(code, 0, stderr);
    assert.deepEqual(summary.unresolved, []);
    assert.match(
      summary.notes.join("\n"),
      /\(id=2\): its SegmentTemplate cannot build the saved names/,
    );
    const files = await listFiles(out);
    const shortened = files.filter((f) => /~[0-9a-f]{8}\.m4s$/.test(f));
    assert.equal(shortened.length, 3, files.join("\n"));
    assert.ok(shortened.every((f) => new TextEncoder().encode(f.split("/").pop()!).length <= 200));
    const saved = await Deno.readTextFile(join(out, "manifest.mpd"));
    for (const f of shortened) assert.ok(saved.includes(`<SegmentURL media="${f}"/>`), saved);
    assert.match(saved, /<SegmentList timescale="1000000" duration="2000000">/);
    await a.close();
    await b.close();
    await using offline = startServer({ root: out });
    const replay = await resolvedResources(`${offline.url}manifest.mpd`);
    for (const [key, bytes] of online) assert.ok(bytesEqual(replay.get(key), bytes), key);
    // dash dump reads the rewritten copy with the same layout: each Representation's file is
    // its init and media segments, concatenated in order.
    const dump = await runCli(["dash", "dump", "-d", out, "--engine", "builtin", "--no-hex", "-q"]);
    assert.equal(dump.code, 0, dump.stderr);
    for (const [id, keys] of [["0", [0, 1, 2, 3]], ["2", [0, 1, 2, 3]]] as const) {
      const parts = keys.map((i) => online.get(`P0/${id}/${i}/${i === 0 ? "init" : "media"}`)!);
      const whole = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
      parts.reduce((at, p) => (whole.set(p, at), at + p.length), 0);
      assert.ok(bytesEqual(await Deno.readFile(join(out, `${id}.m4s`)), whole), `${id}.m4s`);
    }
  } finally {
    await a.close();
    await b.close();
  }

  if (!(await hasProgram("ffmpeg"))) {
    console.log("skipped the ffmpeg part: ffmpeg is not installed (apt-get install ffmpeg)");
    return;
  }
  // ffmpeg reads the copy with the network gone, from another folder (absolute path): the
  // video decodes to exactly the frames of the fixture, the audio list plays.
  const frames = async (input: string) => {
    const r = await run("ffmpeg", [
      "-v",
      "error",
      "-i",
      input,
      "-map",
      "0",
      "-f",
      "framecrc",
      "-",
    ], REPO);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split("\n").filter((l) => /^\d+,/.test(l));
    return {
      stderr: r.stderr.trim(),
      video: lines.filter((l) => l.startsWith("0,")),
      audio: lines.filter((l) => l.startsWith("1,")),
    };
  };
  const copy = await frames(join(out, "manifest.mpd"));
  assert.equal(copy.stderr, "", "ffmpeg found every file of the copy");
  // (On the fixture itself ffmpeg asks for a 4th audio segment past the end and logs it.)
  const fixture = await frames(join(FIXTURES, "dash-number-duration/manifest.mpd"));
  assert.ok(copy.video.length >= 140, `${copy.video.length} video frames`);
  assert.deepEqual(copy.video, fixture.video);
  assert.ok(copy.audio.length >= 180, `${copy.audio.length} audio frames`);
});

Deno.test("dash get: an empty <BaseURL/> beside others is its parent's base (no internal error)", async () => {
  const text = `<?xml version="1.0"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" mediaPresentationDuration="PT6.0S">
  <BaseURL>../dash-number-duration/</BaseURL>
  <Period>
    <BaseURL/>
    <AdaptationSet contentType="audio">
      <BaseURL></BaseURL>
      <Representation id="2" bandwidth="32000"><BaseURL>./</BaseURL>
        <SegmentTemplate timescale="1" duration="2" initialization="init-stream2.m4s" media="chunk-stream2-$Number%05d$.m4s"/>
      </Representation>
      <Representation id="3" bandwidth="32000"><BaseURL/>
        <SegmentTemplate timescale="1" duration="2" initialization="init-stream3.m4s" media="chunk-stream3-$Number%05d$.m4s"/>
      </Representation>
    </AdaptationSet>
  </Period>
</MPD>
`;
  await using server = startServer({ root: FIXTURES, routes: { "/m/empty.mpd": text } });
  const out = await scratchDir();
  const { code, summary, stderr } = await get(`${server.url}m/empty.mpd`, out);
  assert.equal(code, 0, stderr);
  assert.deepEqual(summary.unresolved, []);
  assert.equal(summary.done, 8);
  const files = await listFiles(out);
  assert.ok(
    files.includes(
      "_ext/http_127.0.0.1_" + server.port + "/dash-number-duration/chunk-stream3-00003.m4s",
    ),
    files.join("\n"),
  );
  const saved = await Deno.readTextFile(join(out, "empty.mpd"));
  assert.ok(
    saved.includes(`<BaseURL>_ext/http_127.0.0.1_${server.port}/dash-number-duration/</BaseURL>`),
    saved,
  );
  assert.ok(saved.includes("    <BaseURL/>\n") && saved.includes("<BaseURL></BaseURL>"), saved);
});

Deno.test("dash get: a live MPD without Representation@id is named live first, nothing written", async () => {
  const live = `<?xml version="1.0"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="dynamic" availabilityStartTime="2024-01-01T00:00:00Z"
  minimumUpdatePeriod="PT2S"><Period start="PT0S"><AdaptationSet>
  <SegmentTemplate media="$Number$.m4s" duration="2"/><Representation bandwidth="1"/>
  </AdaptationSet></Period></MPD>`;
  await using server = startServer({ root: FIXTURES, routes: { "/live.mpd": live } });
  const out = join(await scratchDir(), "out");
  const r = await runCli(["dash", "get", `${server.url}live.mpd`, "-o", out]);
  assert.equal(r.code, 2, r.stderr);
  // Live is what the MPD is; the missing id is only why it cannot be recorded.
  assert.match(r.stderr, /^streamkit: error: \S+live\.mpd: MPD@type="dynamic" \(a live stream\)/);
  await assert.rejects(Deno.stat(out));
});

Deno.test("dash get: one invalid Period of five fails alone, named, exit 1; the other four are mirrored and resolve", async () => {
  const period = (i: number) => {
    const init = i === 2 ? "init-stream$Number$.m4s" : "init-stream$RepresentationID$.m4s";
    return `  <Period id="p${i}" duration="PT6S">
    <AdaptationSet contentType="video">
      <Representation id="${i % 2}" bandwidth="100000">
        <SegmentTemplate timescale="1000000" duration="2000000" initialization="${init}"
          media="chunk-stream$RepresentationID$-$Number%05d$.m4s"/>
      </Representation>
    </AdaptationSet>
  </Period>
`;
  };
  const text = `<?xml version="1.0"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" mediaPresentationDuration="PT30S">
${[0, 1, 2, 3, 4].map(period).join("")}</MPD>
`;
  await using server = startServer({
    root: FIXTURES,
    routes: { "/dash-number-duration/five.mpd": text },
  });
  const out = await scratchDir();
  const url = `${server.url}dash-number-duration/five.mpd`;
  const { code, summary } = await get(url, out);
  assert.equal(code, 1);
  assert.deepEqual(summary.failures, [{
    url,
    path: "five.mpd",
    reason: "Period[2](id=p2)/AdaptationSet[0]/Representation[0](id=0): no value for $Number$ " +
      'in "init-stream$Number$.m4s"; not mirrored',
  }]);
  // Periods 0 and 4 use Representation 0, 1 and 3 use Representation 1: both fully mirrored.
  const files = await listFiles(out);
  assert.deepEqual(files.filter((f) => f.endsWith(".m4s")).length, 8);
  assert.equal(await Deno.readTextFile(join(out, "five.mpd")), text);
  const { saved } = planDash(text, url);
  assert.deepEqual(await checkSavedDash(out, saved), []);
});
