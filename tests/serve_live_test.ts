/**
 * `serve --live` through the module API, on a clock the test drives: VOD fixtures played
 * out as live DASH and HLS. What is checked is what a player or a recorder relies on —
 * the manifest fields of ISO/IEC 23009-1 and RFC 8216, and that no segment is ever
 * served before its availability time (from the server's own request log) nor after it
 * has left the window. The expected times come from the fixtures' own facts (2-second
 * segments, the timescales and `S@t` written in their manifests), not from the code
 * under test.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { parseXml, type XmlElement } from "../src/dash/xml.ts";
import { serve, type Server } from "../src/serve/server.ts";
import { bytesEqual, FIXTURES } from "./cli_helpers.ts";

Deno.test.sanitizer({ ops: true, resources: true });

/** The start of serving in every test: the availability start time. */
const T0 = Date.parse("2026-12-04T10:00:00Z");

/** A clock the test moves by hand. */
function manualClock() {
  let now = T0;
  return {
    now: () => now,
    /** Sets the clock to `seconds` after T0. */
    at(seconds: number) {
      now = T0 + Math.round(seconds * 1000);
    },
  };
}

async function status(server: Server, path: string): Promise<number> {
  const response = await fetch(new URL(path, server.url));
  await response.body?.cancel();
  return response.status;
}

async function text(server: Server, path: string): Promise<string> {
  const response = await fetch(new URL(path, server.url));
  assert.equal(response.status, 200, path);
  return await response.text();
}

/** Elements named `name` anywhere under `el`, in document order. */
function all(el: XmlElement, name: string): XmlElement[] {
  return el.children.flatMap((c) => [...(c.name === name ? [c] : []), ...all(c, name)]);
}

async function mpdAt(server: Server): Promise<XmlElement> {
  return parseXml(await text(server, "manifest.mpd"));
}

Deno.test("DASH $Number$ + @duration: a dynamic MPD whose segments publish on the clock", async () => {
  const clock = manualClock();
  const root = join(FIXTURES, "dash-number-duration");
  await using server = serve({ root, live: { windowSeconds: 4 }, now: clock.now });

  const mpd = await mpdAt(server);
  assert.equal(mpd.attrs.type, "dynamic");
  assert.equal(mpd.attrs.availabilityStartTime, "2026-12-04T10:00:00.000Z");
  assert.equal(mpd.attrs.timeShiftBufferDepth, "PT4S");
  assert.ok(mpd.attrs.minimumUpdatePeriod !== undefined);
  assert.equal(mpd.attrs.mediaPresentationDuration, undefined);
  const [timing] = all(mpd, "UTCTiming");
  assert.equal(timing.attrs.schemeIdUri, "urn:mpeg:dash:utc:http-iso:2014");
  assert.equal(timing.attrs.value, `${server.url}.streamkit/time`);
  const [period] = all(mpd, "Period");
  assert.equal(period.attrs.start, "PT0S");
  // The addressing is the VOD's own: the segments keep their URLs.
  for (const t of all(mpd, "SegmentTemplate")) {
    assert.equal(t.attrs.media, "chunk-stream$RepresentationID$-$Number%05d$.m4s");
    assert.equal(t.attrs.duration, "2000000");
    assert.equal(t.attrs.startNumber, "1");
  }

  // Segment n (2 s each) is complete, hence available, at 2n s; init segments at once.
  assert.equal(await status(server, "init-stream0.m4s"), 200);
  assert.equal(await status(server, "chunk-stream0-00001.m4s"), 404);
  clock.at(1.999);
  assert.equal(await status(server, "chunk-stream0-00001.m4s"), 404);
  clock.at(2);
  const first = await fetch(new URL("chunk-stream0-00001.m4s", server.url));
  assert.equal(first.status, 200);
  assert.ok(
    bytesEqual(await first.bytes(), await Deno.readFile(join(root, "chunk-stream0-00001.m4s"))),
  );
  assert.equal(await status(server, "chunk-stream3-00001.m4s"), 200);
  assert.equal(await status(server, "chunk-stream0-00002.m4s"), 404);
  clock.at(5.5);
  assert.equal(await status(server, "chunk-stream0-00002.m4s"), 200);
  assert.equal(await status(server, "chunk-stream0-00003.m4s"), 404);
  assert.equal((await mpdAt(server)).attrs.type, "dynamic");

  // Without --loop the event ends with the content: the MPD turns static, whole.
  clock.at(6);
  const ended = await mpdAt(server);
  assert.equal(ended.attrs.type, "static");
  assert.equal(ended.attrs.mediaPresentationDuration, "PT6S");
  assert.equal(ended.attrs.minimumUpdatePeriod, undefined);
  assert.equal(ended.attrs.timeShiftBufferDepth, undefined);
  for (const n of [1, 2, 3]) assert.equal(await status(server, `chunk-stream1-0000${n}.m4s`), 200);
});

Deno.test("DASH SegmentTimeline ($Time$): the timeline lists what is available, nothing later", async () => {
  const clock = manualClock();
  await using server = serve({
    root: join(FIXTURES, "dash-time"),
    live: { windowSeconds: 30 },
    now: clock.now,
  });
  const timelines = async () =>
    all(await mpdAt(server), "SegmentTimeline").map((t) =>
      t.children.map((s) => [s.attrs.t, s.attrs.d, s.attrs.r ?? "0"].join("/"))
    );
  // Nothing is complete at the start.
  assert.deepEqual(await timelines(), [[], [], [], []]);
  // Video: timescale 12800, S@t=274 d=25600: the first segment ends at 25874/12800 s.
  clock.at(25873 / 12800);
  assert.equal(await status(server, "chunk-0-274.m4s"), 404);
  clock.at(2.03); // audio (48000): the first ends at 96256/48000 = 2.0053 s
  assert.deepEqual(await timelines(), [
    ["274/25600/0"],
    ["274/25600/0"],
    ["0/96256/0"],
    ["0/96256/0"],
  ]);
  assert.equal(await status(server, "chunk-0-274.m4s"), 200);
  assert.equal(await status(server, "chunk-2-0.m4s"), 200);
  assert.equal(await status(server, "chunk-0-25874.m4s"), 404);
  assert.equal(await status(server, "chunk-2-96256.m4s"), 404);
  clock.at(4.015); // audio's second (ends 4.0107) is out, video's (ends 4.0214) is not
  assert.deepEqual(await timelines(), [
    ["274/25600/0"],
    ["274/25600/0"],
    ["0/96256/1"],
    ["0/96256/1"],
  ]);
  assert.equal(await status(server, "chunk-2-96256.m4s"), 200);
  assert.equal(await status(server, "chunk-0-25874.m4s"), 404);
  clock.at(4.022);
  assert.equal(await status(server, "chunk-0-25874.m4s"), 200);
});

Deno.test("DASH: the time-shift window slides; segments leave it and become 404", async () => {
  const clock = manualClock();
  // 320 segments of 0.2 s (timescale 10240, d=2048), $Number$ from 1, 64 s.
  await using server = serve({
    root: join(FIXTURES, "dash-long"),
    live: { windowSeconds: 4 },
    now: clock.now,
  });
  clock.at(10.05);
  const mpd = await mpdAt(server);
  const [template] = all(mpd, "SegmentTemplate");
  const [s] = all(mpd, "S");
  // Listed: the segments whose availability window [end, end + 0.2 + 4) holds 10.05 s:
  // segment n ends at 0.2n s, so ends 6.0 … 10.0, numbers 30 … 50, the first starting at
  // 5.8 s (t = 29 × 2048).
  assert.equal(template.attrs.startNumber, "30");
  assert.deepEqual(s.attrs, { t: String(29 * 2048), d: "2048", r: "20" });
  assert.equal(await status(server, "chunk-stream0-00029.m4s"), 404); // left the window
  assert.equal(await status(server, "chunk-stream0-00030.m4s"), 200);
  assert.equal(await status(server, "chunk-stream0-00050.m4s"), 200);
  assert.equal(await status(server, "chunk-stream0-00051.m4s"), 404); // not complete yet
  assert.equal(mpd.attrs.publishTime, "2026-12-04T10:00:10.000Z"); // the newest change
});

Deno.test("DASH --loop: a new Period each lap, same segments, no end", async () => {
  const clock = manualClock();
  await using server = serve({
    root: join(FIXTURES, "dash-number-duration"),
    live: { windowSeconds: 4, loop: true },
    now: clock.now,
  });
  clock.at(13);
  const mpd = await mpdAt(server);
  assert.equal(mpd.attrs.type, "dynamic");
  const periods = all(mpd, "Period").map((p) => [p.attrs.id, p.attrs.start, p.attrs.duration]);
  // Lap 0 (0-6 s) has left the window (its last segment: until 6 + 2 + 4 = 12 s).
  assert.deepEqual(periods, [["0-1", "PT6S", "PT6S"], ["0-2", "PT12S", "PT6S"]]);
  // chunk 1 of lap 1 ended at 8 s and stays until 14 s; of lap 2, it ends at 14 s.
  clock.at(13.999);
  assert.equal(await status(server, "chunk-stream0-00001.m4s"), 200);
  clock.at(14);
  assert.equal(await status(server, "chunk-stream0-00001.m4s"), 200);
  // chunk 3 of lap 1 ended at 12 s, stays until 18 s; of lap 2, it ends at 18 s.
  clock.at(600);
  assert.equal((await mpdAt(server)).attrs.type, "dynamic");

  // The end of the event, asked for: static, every lap played, the last one cut.
  clock.at(613);
  server.endEvent();
  clock.at(700);
  const ended = await mpdAt(server);
  assert.equal(ended.attrs.type, "static");
  assert.equal(ended.attrs.mediaPresentationDuration, "PT613S");
  const laps = all(ended, "Period");
  assert.equal(laps.length, 103); // laps 0 … 102 (612-618 s, cut at 613)
  assert.deepEqual(
    [laps[0].attrs.id, laps[1].attrs.id, laps.at(-1)!.attrs.start, laps.at(-1)!.attrs.duration],
    ["0", "0-1", "PT612S", "PT1S"],
  );
  assert.equal(await status(server, "chunk-stream0-00003.m4s"), 200);
});

Deno.test("DASH: endAfterSeconds ends the event on the clock", async () => {
  const clock = manualClock();
  await using server = serve({
    root: join(FIXTURES, "dash-time"),
    live: { loop: true, endAfterSeconds: 5 },
    now: clock.now,
  });
  clock.at(4.9);
  assert.equal((await mpdAt(server)).attrs.type, "dynamic");
  clock.at(5);
  const mpd = await mpdAt(server);
  assert.equal(mpd.attrs.type, "static");
  assert.equal(mpd.attrs.mediaPresentationDuration, "PT5S");
  // The static MPD lists each segment that started before the end: 3 video, 3 audio.
  const counts = all(mpd, "SegmentTimeline").map((t) =>
    t.children.reduce((n, s) => n + 1 + Number(s.attrs.r ?? 0), 0)
  );
  assert.deepEqual(counts, [3, 3, 3, 3]);
});

Deno.test("DASH SegmentList: with @duration as it is, with a SegmentTimeline trimmed with its URLs", async () => {
  const clock = manualClock();
  {
    await using server = serve({
      root: join(FIXTURES, "dash-segmentlist"),
      live: true,
      now: clock.now,
    });
    clock.at(3.999);
    assert.equal(await status(server, "chunk-stream0-00002.m4s"), 404);
    const urls = all(await mpdAt(server), "SegmentURL").map((u) => u.attrs.media);
    assert.equal(urls.length, 12); // @duration: the client finds the live edge by the clock
    clock.at(4);
    assert.equal(await status(server, "chunk-stream0-00002.m4s"), 200);
  }
  // A SegmentList with a SegmentTimeline of 1-second segments (timescale 1000).
  const root = await Deno.makeTempDir({ prefix: "serve_live_list_" });
  try {
    const names = Array.from({ length: 10 }, (_, i) => `s${i + 1}.m4s`);
    for (const name of names) await Deno.writeTextFile(join(root, name), name);
    await Deno.writeTextFile(
      join(root, "manifest.mpd"),
      `<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" mediaPresentationDuration="PT10S">
  <Period><AdaptationSet mimeType="video/mp4"><Representation id="v" bandwidth="1">
    <SegmentList timescale="1000" startNumber="1">
      <SegmentTimeline><S t="0" d="1000" r="9"/></SegmentTimeline>
      ${names.map((n) => `<SegmentURL media="${n}"/>`).join("")}
    </SegmentList>
  </Representation></AdaptationSet></Period>
</MPD>`,
    );
    clock.at(0);
    await using server = serve({ root, live: { windowSeconds: 3 }, now: clock.now });
    clock.at(6.5);
    const mpd = await mpdAt(server);
    // Available at 6.5 s: the segments ending in (6.5 - 1 - 3, 6.5], i.e. s3 … s6.
    const [list] = all(mpd, "SegmentList");
    assert.equal(list.attrs.startNumber, "3");
    assert.deepEqual(all(mpd, "S").map((x) => x.attrs), [{ t: "2000", d: "1000", r: "3" }]);
    assert.deepEqual(all(mpd, "SegmentURL").map((u) => u.attrs.media), [
      "s3.m4s",
      "s4.m4s",
      "s5.m4s",
      "s6.m4s",
    ]);
    assert.equal(await status(server, "s2.m4s"), 404);
    assert.equal(await status(server, "s3.m4s"), 200);
    assert.equal(await status(server, "s7.m4s"), 404);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("DASH: several Periods play out in turn within each lap", async () => {
  const root = await Deno.makeTempDir({ prefix: "serve_live_periods_" });
  try {
    await Deno.writeTextFile(
      join(root, "manifest.mpd"),
      `<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" mediaPresentationDuration="PT6S">
  <Period id="a" start="PT0S"><AdaptationSet mimeType="video/mp4"><Representation id="v" bandwidth="1">
    <SegmentTemplate media="a-$Number$.m4s" timescale="1" duration="2"/></Representation></AdaptationSet></Period>
  <Period id="b" start="PT4S"><AdaptationSet mimeType="video/mp4"><Representation id="v" bandwidth="1">
    <SegmentTemplate media="b-$Time$.m4s" timescale="10"><SegmentTimeline><S t="0" d="10" r="1"/></SegmentTimeline></SegmentTemplate>
  </Representation></AdaptationSet></Period>
</MPD>`,
    );
    for (const name of ["a-1.m4s", "a-2.m4s", "b-0.m4s", "b-10.m4s"]) {
      await Deno.writeTextFile(join(root, name), name);
    }
    const clock = manualClock();
    await using server = serve({ root, live: { loop: true, windowSeconds: 1 }, now: clock.now });
    clock.at(13);
    const mpd = await mpdAt(server);
    // Lap 1 is 6-12 s (a: 6-10, b: 10-12), lap 2 starts at 12 s with a. A segment stays
    // for its duration plus the 1 s window: lap 1's a segments (ending at 8 and 10 s) have
    // left by 13 s, and so has b's first (ending at 11 s); b's second (12 s) stays to 14 s.
    assert.deepEqual(all(mpd, "Period").map((p) => [p.attrs.id, p.attrs.start, p.attrs.duration]), [
      ["b-1", "PT10S", "PT2S"],
      ["a-2", "PT12S", "PT4S"],
    ]);
    assert.deepEqual(all(mpd, "S").map((x) => x.attrs), [{ t: "10", d: "10" }]);
    assert.equal(await status(server, "b-10.m4s"), 200);
    assert.equal(await status(server, "b-0.m4s"), 404);
    assert.equal(await status(server, "a-1.m4s"), 404); // lap 2's is due at 14 s
    clock.at(14);
    assert.equal(await status(server, "a-1.m4s"), 200);
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("a polling client never gets a segment before its time (the request log says so)", async () => {
  const clock = manualClock();
  await using server = serve({
    root: join(FIXTURES, "dash-number-duration"),
    live: true,
    now: clock.now,
  });
  // Every 0.25 s: the MPD, then every segment of every Representation, due or not.
  for (let t = 0; t <= 7; t += 0.25) {
    clock.at(t);
    await text(server, "manifest.mpd");
    for (const rep of [0, 1, 2, 3]) {
      for (const n of [1, 2, 3]) await status(server, `chunk-stream${rep}-0000${n}.m4s`);
    }
  }
  const media = server.requests.filter((r) => /chunk-stream\d-0000\d\.m4s$/.test(r.path));
  assert.equal(media.length, 29 * 12);
  for (const r of media) {
    const n = Number(r.path.at(-5));
    const due = T0 + 2000 * n; // 2-second segments
    assert.equal(r.status, r.time >= due ? 200 : 404, `${r.path} at ${r.time - T0} ms`);
  }
  assert.ok(media.some((r) => r.status === 404) && media.some((r) => r.status === 200));
});

Deno.test("HLS: a polling client never gets a segment before its time either", async () => {
  const clock = manualClock();
  const root = join(FIXTURES, "hls-master-fmp4");
  await using server = serve({ root, live: true, now: clock.now });
  // When each segment is complete: the running sum of the EXTINF durations of its playlist.
  const due = new Map<string, number>();
  for (const folder of ["180p", "90p", "audio_eng", "audio_fra"]) {
    let end = 0;
    const text = await Deno.readTextFile(join(root, folder, "prog.m3u8"));
    for (const m of text.matchAll(/#EXTINF:([\d.]+),\n(\S+)/g)) {
      end += Number(m[1]);
      due.set(`/${folder}/${m[2]}`, T0 + end * 1000);
    }
  }
  assert.equal(due.size, 12);
  for (let t = 0; t <= 6.5; t += 0.125) {
    clock.at(t);
    for (const path of due.keys()) await status(server, path.slice(1));
  }
  const media = server.requests.filter((r) => due.has(r.path));
  for (const r of media) {
    assert.equal(r.status, r.time >= due.get(r.path)! ? 200 : 404, `${r.path} at ${r.time - T0}`);
  }
  assert.ok(media.some((r) => r.status === 404) && media.some((r) => r.status === 200));
});

Deno.test("clock offset: the server's clock drives the time endpoint, Date and availability", async () => {
  const clock = manualClock();
  await using server = serve({
    root: join(FIXTURES, "dash-number-duration"),
    live: true,
    now: clock.now,
    clockOffsetMs: 5_000,
  });
  // The availability start time is the server's start, by its own clock.
  assert.equal((await mpdAt(server)).attrs.availabilityStartTime, "2026-12-04T10:00:05.000Z");
  clock.at(2);
  const time = await fetch(new URL(".streamkit/time", server.url));
  assert.equal(time.status, 200);
  assert.equal(time.headers.get("access-control-allow-origin"), "*");
  assert.equal(await time.text(), "2026-12-04T10:00:07.000Z");
  const segment = await fetch(new URL("chunk-stream0-00001.m4s", server.url));
  assert.equal(segment.headers.get("date"), "Fri, 04 Dec 2026 10:00:07 GMT");
  assert.equal(segment.status, 200); // 2 s after the server's start, by any clock
  await segment.body?.cancel();
});

Deno.test("a withheld segment (a gap) is 404 while its neighbours publish", async () => {
  const clock = manualClock();
  await using server = serve({
    root: join(FIXTURES, "dash-number-duration"),
    live: true,
    now: clock.now,
    faults: [{ match: "/chunk-stream0-00002.m4s", status: 404 }],
  });
  clock.at(4);
  assert.equal(await status(server, "chunk-stream0-00001.m4s"), 200);
  assert.equal(await status(server, "chunk-stream0-00002.m4s"), 404);
  assert.equal(await status(server, "chunk-stream1-00002.m4s"), 200);
  server.clearFaults(); // it comes late
  assert.equal(await status(server, "chunk-stream0-00002.m4s"), 200);
});

/** The lines of a playlist without the blank last one. */
async function playlist(server: Server, path: string): Promise<string[]> {
  const response = await fetch(new URL(path, server.url));
  assert.equal(response.status, 200);
  assert.equal(response.headers.get("content-type"), "application/vnd.apple.mpegurl");
  return (await response.text()).trimEnd().split("\n");
}

Deno.test("HLS: sliding media playlists, the master as it is, ENDLIST when the content ends", async () => {
  const clock = manualClock();
  const root = join(FIXTURES, "hls-master-fmp4");
  await using server = serve({ root, live: true, now: clock.now });

  const master = await fetch(new URL("master.m3u8", server.url));
  assert.ok(bytesEqual(await master.bytes(), await Deno.readFile(join(root, "master.m3u8"))));

  assert.deepEqual(await playlist(server, "180p/prog.m3u8"), [
    "#EXTM3U",
    "#EXT-X-VERSION:7",
    "#EXT-X-TARGETDURATION:2",
    "#EXT-X-MEDIA-SEQUENCE:0",
  ]);
  assert.equal(await status(server, "180p/seg_000.m4s"), 404);
  assert.equal(await status(server, "180p/init_0.mp4"), 200);
  clock.at(2);
  assert.deepEqual(await playlist(server, "180p/prog.m3u8"), [
    "#EXTM3U",
    "#EXT-X-VERSION:7",
    "#EXT-X-TARGETDURATION:2",
    "#EXT-X-MEDIA-SEQUENCE:0",
    "#EXT-X-PROGRAM-DATE-TIME:2026-12-04T10:00:00.000Z",
    '#EXT-X-MAP:URI="init_0.mp4"',
    "#EXTINF:2.000000,",
    "seg_000.m4s",
  ]);
  assert.equal(await status(server, "180p/seg_000.m4s"), 200);
  assert.equal(await status(server, "180p/seg_001.m4s"), 404);
  // Audio segments are 2.005333 s long (their EXTINF).
  assert.equal(await status(server, "audio_fra/seg_000.m4s"), 404);
  clock.at(2.006);
  assert.equal(await status(server, "audio_fra/seg_000.m4s"), 200);
  clock.at(6);
  const last = await playlist(server, "audio_eng/prog.m3u8");
  assert.equal(last.at(-1), "#EXT-X-ENDLIST");
  assert.deepEqual(last.filter((l) => !l.startsWith("#")), [
    "seg_000.m4s",
    "seg_001.m4s",
    "seg_002.m4s",
  ]);
  assert.ok(!last.some((l) => l.startsWith("#EXT-X-PLAYLIST-TYPE")));
});

Deno.test("HLS --loop: media sequence and discontinuity sequence advance across laps", async () => {
  const clock = manualClock();
  await using server = serve({
    root: join(FIXTURES, "hls-master-fmp4"),
    live: { loop: true, windowSeconds: 6 },
    now: clock.now,
  });
  // 3 segments of 2 s per lap. At 15.5 s the window (15.5 - 6, 15.5] holds the segments
  // ending at 10 and 12 (lap 1: seg_001, seg_002) and 14 (lap 2: seg_000).
  clock.at(15.5);
  assert.deepEqual(await playlist(server, "90p/prog.m3u8"), [
    "#EXTM3U",
    "#EXT-X-VERSION:7",
    "#EXT-X-TARGETDURATION:2",
    "#EXT-X-MEDIA-SEQUENCE:4",
    "#EXT-X-DISCONTINUITY-SEQUENCE:1",
    '#EXT-X-MAP:URI="init_1.mp4"',
    "#EXT-X-PROGRAM-DATE-TIME:2026-12-04T10:00:08.000Z",
    "#EXTINF:2.000000,",
    "seg_001.m4s",
    "#EXTINF:2.000000,",
    "seg_002.m4s",
    "#EXT-X-DISCONTINUITY",
    "#EXT-X-PROGRAM-DATE-TIME:2026-12-04T10:00:12.000Z",
    '#EXT-X-MAP:URI="init_1.mp4"',
    "#EXTINF:2.000000,",
    "seg_000.m4s",
  ]);
  server.endEvent();
  clock.at(30);
  const ended = await playlist(server, "90p/prog.m3u8");
  assert.equal(ended.at(-1), "#EXT-X-ENDLIST");
  assert.equal(ended.filter((l) => l.startsWith("seg_")).length, 3); // the window at 15.5 s
});

Deno.test("HLS MPEG-TS: byte-exact segments once published", async () => {
  const clock = manualClock();
  const root = join(FIXTURES, "hls-master");
  await using server = serve({ root, live: true, now: clock.now });
  clock.at(4);
  const lines = await playlist(server, "180p/prog.m3u8");
  assert.deepEqual(lines.filter((l) => !l.startsWith("#")), ["seg_000.ts", "seg_001.ts"]);
  const body = await fetch(new URL("180p/seg_001.ts", server.url));
  assert.ok(bytesEqual(await body.bytes(), await Deno.readFile(join(root, "180p", "seg_001.ts"))));
  assert.equal(await status(server, "180p/seg_002.ts"), 404);
});

Deno.test("--live refuses what cannot be played out, naming it", () => {
  assert.throws(
    () => serve({ root: join(FIXTURES, "dash-segmentbase"), live: true }),
    /manifest\.mpd: .*Representation.*SegmentBase/,
  );
  assert.throws(
    () => serve({ root: join(FIXTURES, "reference", "mp4dump"), live: true }),
    /no VOD manifest/,
  );
});
