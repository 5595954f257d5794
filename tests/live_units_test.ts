/**
 * The pieces of the live recorder on their own: manifest revisions (named as
 * `serve --replay` reads them), the record of what was saved, `--duration` values, the
 * origin's clock (UTCTiming against a server whose clock is off, and the Date header), the
 * feed of downloads (never before its time, a gap after its deadline, one request for a
 * path asked twice, Ctrl-C), how a saved Representation is addressed, and the VOD playlists
 * written from a record.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { parseMpd } from "../src/dash/mpd.ts";
import type { RunEvent } from "../src/events.ts";
import { parsePlaylist } from "../src/hls/playlist.ts";
import { revisionFileName, systemClock } from "../src/live/clock.ts";
import { savedAddressing, timelineOf } from "../src/live/dash_addressing.ts";
import { Feed } from "../src/live/feed.ts";
import { programDateTimes, type SegmentEntry, segmentEntry } from "../src/live/hls_segments.ts";
import { writeHlsVod } from "../src/live/hls_vod.ts";
import { parseRecordDuration } from "../src/live/options.ts";
import { readRecord, RECORD_PATH, SavedRecord } from "../src/live/record.ts";
import { Revisions } from "../src/live/revisions.ts";
import { measureUtcTiming, offsetFromDate } from "../src/live/utc_timing.ts";
import { prepareOutputDir } from "../src/mirror/output.ts";
import { DEFAULT_HTTP } from "../src/net/http.ts";
import { revisionTime } from "../src/serve/replay.ts";
import { serve } from "../src/serve/server.ts";
import { liveView } from "../src/ui/live_view.ts";
import { memoryIo } from "../src/ui/io.ts";
import { Terminal } from "../src/ui/terminal.ts";
import { listFiles, scratchDir } from "./cli_helpers.ts";

Deno.test("--duration: seconds or [[HH:]MM:]SS", () => {
  assert.equal(parseRecordDuration("90"), 90);
  assert.equal(parseRecordDuration("12.5"), 12.5);
  assert.equal(parseRecordDuration("1:30"), 90);
  assert.equal(parseRecordDuration("01:02:03"), 3723);
  assert.equal(parseRecordDuration("0:00:01.5"), 1.5);
  for (const bad of ["0", "-3", "1:60", "abc", "", "1:2:3:4"]) {
    assert.equal(parseRecordDuration(bad), undefined, bad);
  }
});

Deno.test("revisions: distinct texts only, numbered from 1 (and on, in a later run), named for --replay", async () => {
  const out = await prepareOutputDir(await scratchDir());
  const at = Date.parse("2026-12-04T10:00:05.123Z");
  assert.equal(revisionFileName(3, at, "mpd"), "3-2026-12-04T10-00-05.123Z.mpd");
  const revisions = new Revisions(out);
  const first = revisions.keep("180p/prog.m3u8", "#EXTM3U\n1\n", at);
  assert.equal(first, ".streamkit/live/180p/prog.m3u8/1-2026-12-04T10-00-05.123Z.m3u8");
  assert.equal(revisions.keep("180p/prog.m3u8", "#EXTM3U\n1\n", at + 1000), undefined);
  assert.ok(revisions.keep("180p/prog.m3u8", "#EXTM3U\n2\n", at + 2000));
  assert.ok(revisions.keep("manifest.mpd", "<MPD/>", at));
  assert.equal(revisions.count, 3);
  // A later recording into the same folder numbers on.
  const again = new Revisions(out);
  assert.ok(again.keep("180p/prog.m3u8", "#EXTM3U\n1\n", at + 9000));
  const names = await listFiles(join(out.root, ".streamkit/live/180p/prog.m3u8"));
  const parsed = names.map((n) => revisionTime(n)!);
  assert.deepEqual(parsed.map((p) => p.n).sort(), [1, 2, 3]);
  assert.ok(parsed.some((p) => p.n === 1 && p.at === at));
  assert.equal(
    await Deno.readTextFile(join(out.root, ".streamkit/live/180p/prog.m3u8", names[1])),
    "#EXTM3U\n2\n",
  );
});

Deno.test("the record: appended as saved, read back streaming; a line cut by a kill is skipped", async () => {
  const out = await prepareOutputDir(await scratchDir());
  out.ensureParent(RECORD_PATH);
  await Deno.writeTextFile(out.abs(RECORD_PATH), '{"left over": "from an earlier recording"}\n');
  const record = SavedRecord.create(out);
  record.append({ n: 1 });
  record.append({ n: 2, path: "a b/ü.m4s" });
  record.close();
  await Deno.writeTextFile(out.abs(RECORD_PATH), '{"n": 3, "pa', { append: true });
  const read: unknown[] = [];
  for await (const e of readRecord(out)) read.push(e);
  assert.deepEqual(read, [{ n: 1 }, { n: 2, path: "a b/ü.m4s" }]);
});

Deno.test("the origin's clock: UTCTiming gives a lower bound within a round trip; Date within a second", async () => {
  await using server = serve({ root: await scratchDir(), clockOffsetMs: 5000 });
  const problems: string[] = [];
  const measured = await measureUtcTiming(
    [
      { scheme: "urn:mpeg:dash:utc:ntp:2014", value: "pool.ntp.org" },
      { scheme: "urn:mpeg:dash:utc:http-iso:2014", value: "nowhere-to-be-found /.streamkit/time" },
    ],
    server.url,
    DEFAULT_HTTP,
    systemClock,
    Date.now(),
    problems,
  );
  assert.ok(measured, problems.join("; "));
  assert.match(measured.source, /http-iso .*\/\.streamkit\/time$/);
  assert.ok(measured.offsetMs <= 5000 && measured.offsetMs > 4500, String(measured.offsetMs));
  assert.match(problems[0], /ntp:2014 is not supported/);
  assert.match(problems[1], /nowhere-to-be-found: HTTP 404/);
  // direct: the value is the origin's time when the MPD was made.
  const direct = await measureUtcTiming(
    [{ scheme: "urn:mpeg:dash:utc:direct:2014", value: "2026-12-04T10:00:07Z" }],
    server.url,
    DEFAULT_HTTP,
    systemClock,
    Date.parse("2026-12-04T10:00:04.5Z"),
    [],
  );
  assert.equal(direct?.offsetMs, 2500);
  // A Date header is cut to the second: never more than the true offset.
  const head = await fetch(server.url);
  await head.body?.cancel();
  const fromDate = offsetFromDate(head.headers.get("date") ?? undefined, Date.now())!;
  assert.ok(fromDate.offsetMs <= 5000 && fromDate.offsetMs > 3900, String(fromDate.offsetMs));
  assert.equal(offsetFromDate("not a date", 0), undefined);
});

Deno.test("the feed: never before its time; a gap after its deadline; one request for a path asked twice", async () => {
  const root = await scratchDir();
  await Deno.writeTextFile(join(root, "a.m4s"), "segment a");
  await using server = serve({ root });
  const out = await prepareOutputDir(await scratchDir());
  const events: RunEvent[] = [];
  const feed = new Feed({
    out,
    threads: 2,
    verify: false,
    http: { ...DEFAULT_HTTP, retries: 0 },
    clock: systemClock,
    observe: (e) => events.push(e),
    retryEveryMs: 200,
  });
  const now = Date.now();
  const job = (path: string, notBefore: number, giveUpAt: number) => ({
    item: { url: new URL(path, server.url).href, path, kind: "media" as const },
    notBefore,
    giveUpAt,
  });
  const [a, again, b] = await Promise.all([
    feed.push(job("a.m4s", now + 300, now + 1300)),
    feed.push(job("a.m4s", now, now + 1000)),
    feed.push(job("b.m4s", now, now + 700)),
  ]);
  feed.close();
  assert.deepEqual([a.status, again.status], ["done", "done"]);
  assert.equal(await Deno.readTextFile(join(out.root, "a.m4s")), "segment a");
  const asked = server.requests.filter((r) => r.path === "/a.m4s");
  assert.equal(asked.length, 1);
  assert.ok(asked[0].time >= now + 300, `${asked[0].time - now} ms`);
  // b never comes: asked again every 200 ms until its deadline, then a gap.
  assert.equal(b.status, "failed");
  assert.match(b.message!, /HTTP 404/);
  const tries = server.requests.filter((r) => r.path === "/b.m4s");
  assert.ok(tries.length >= 3, `${tries.length} tries`);
  assert.ok(tries.at(-1)!.time >= now + 600);
  assert.equal(
    events.filter((e) => e.event === "retry" && e.path === "b.m4s").length,
    tries.length - 1,
  );
  assert.deepEqual(
    { files: feed.totals.files, done: feed.totals.done, failed: feed.totals.failed },
    { files: 2, done: 1, failed: 1 },
  );
});

Deno.test("the feed: Ctrl-C ends waiting jobs at once, without a request", async () => {
  await using server = serve({ root: await scratchDir() });
  const out = await prepareOutputDir(await scratchDir());
  const interrupt = new AbortController();
  const feed = new Feed({
    out,
    threads: 1,
    verify: false,
    http: { ...DEFAULT_HTTP, signal: interrupt.signal },
    clock: systemClock,
    observe: () => {},
  });
  const waiting = feed.push({
    item: { url: new URL("later.m4s", server.url).href, path: "later.m4s", kind: "media" },
    notBefore: Date.now() + 60_000,
    giveUpAt: Date.now() + 70_000,
  });
  interrupt.abort();
  assert.equal((await waiting).status, "skipped");
  feed.close();
  assert.equal(feed.totals.notStarted, 1);
  assert.equal(server.requests.length, 0);
});

const TEMPLATE_MPD = `<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="dynamic"
  availabilityStartTime="2026-12-04T10:00:00Z"><Period id="p"><AdaptationSet>
  <Representation id="v" bandwidth="1"><SegmentTemplate timescale="10" initialization="i-$RepresentationID$.mp4"
    media="s-$RepresentationID$-$Number$.m4s" duration="20"/></Representation>
  <Representation id="t" bandwidth="1"><SegmentTemplate timescale="10" media="x/$Time$.m4s">
    <SegmentTimeline><S t="0" d="20" r="-1"/></SegmentTimeline></SegmentTemplate></Representation>
</AdaptationSet></Period></MPD>`;

Deno.test("saved addressing: the template when it names the saved files, else a SegmentList", () => {
  const mpd = parseMpd(TEMPLATE_MPD, "https://cdn.example/l/m.mpd");
  const [v, t] = mpd.representations;
  const seg = (n: number, path: string) => ({ path, t: (n - 1) * 20, d: 20, n });
  assert.deepEqual(timelineOf([seg(3, "a"), seg(4, "b"), seg(6, "c")]), [
    { t: 40, d: 20, r: 1, k: 1 },
    { t: 100, d: 20, r: 0, k: 1 },
  ]);
  const contiguous = savedAddressing(v, {
    init: "i-v.mp4",
    media: [seg(3, "s-v-3.m4s"), seg(4, "s-v-4.m4s")],
    timescale: 10,
    pto: 40,
  }, "");
  assert.equal(contiguous.name, "SegmentTemplate");
  assert.deepEqual(contiguous.attrs, [
    ["timescale", 10],
    ["presentationTimeOffset", 40],
    ["startNumber", 3],
    ["initialization", "i-v.mp4"],
    ["media", "s-$RepresentationID$-$Number$.m4s"],
  ]);
  // $Number$ with a number missing: a timeline cannot skip a number; a list can.
  const gap = savedAddressing(v, {
    media: [seg(3, "s-v-3.m4s"), seg(5, "s-v-5.m4s")],
    timescale: 10,
    pto: 0,
  }, "");
  assert.equal(gap.name, "SegmentList");
  assert.deepEqual(
    gap.children!.filter((c) => "name" in c && c.name === "SegmentURL").map((c) =>
      "attrs" in c ? c.attrs : []
    ),
    [[["media", "s-v-3.m4s"]], [["media", "s-v-5.m4s"]]],
  );
  // $Time$ jumps freely; the files in a folder of their own (with a `$` to escape).
  const time = savedAddressing(t, {
    media: [seg(1, "d$/x/0.m4s"), seg(3, "d$/x/40.m4s")],
    timescale: 10,
    pto: 0,
  }, "");
  assert.equal(time.name, "SegmentTemplate");
  assert.deepEqual(time.attrs!.find(([k]) => k === "media"), ["media", "d$$/x/$Time$.m4s"]);
  // A file named otherwise than the template says (the layout made it safe): a list.
  assert.equal(
    savedAddressing(t, { media: [seg(1, "x/0~ab12cd34.m4s")], timescale: 10, pto: 0 }, "").name,
    "SegmentList",
  );
});

const LIVE_PLAYLIST = `#EXTM3U
#EXT-X-VERSION:7
#EXT-X-TARGETDURATION:2
#EXT-X-MEDIA-SEQUENCE:10
#EXT-X-MAP:URI="init.mp4"
#EXT-X-PROGRAM-DATE-TIME:2026-12-04T10:00:00.000Z
#EXTINF:2.000,
s10.m4s
#EXT-X-DATERANGE:ID="ad",START-DATE="2026-12-04T10:00:04Z",DURATION=2
#EXT-X-CUE-OUT:2
#EXT-X-PART:DURATION=1,URI="s11.p0.m4s"
#EXTINF:2.000,
s11.m4s
#EXT-X-KEY:METHOD=AES-128,URI="k2.key"
#EXTINF:2.000,
s12.m4s
`;

Deno.test("HLS: what travels with a segment (tags as served, map and key rewritten, its date)", () => {
  const p = parsePlaylist(LIVE_PLAYLIST, "https://cdn.example/live/v/prog.m3u8");
  if (p.type !== "media") throw new Error("media playlist expected");
  const dates = programDateTimes(p);
  assert.deepEqual(dates, [0, 2000, 4000].map((d) => Date.parse("2026-12-04T10:00:00Z") + d));
  const paths = (i: number) => ({
    path: `hls/v/s1${i}.m4s`,
    map: "hls/v/init.mp4",
    keys: new Map(p.segments[i].keys?.map((k) => [k, "hls/v/k2.key"]) ?? []),
  });
  const second = segmentEntry(p, 1, "v/prog.m3u8", paths(1), dates[1]);
  assert.equal(second.msn, 11);
  assert.equal(second.inf, "#EXTINF:2.000,");
  assert.deepEqual(second.tags, [
    '#EXT-X-DATERANGE:ID="ad",START-DATE="2026-12-04T10:00:04Z",DURATION=2',
    "#EXT-X-CUE-OUT:2",
  ]);
  assert.deepEqual(second.map, {
    line: '#EXT-X-MAP:URI="../hls/v/init.mp4"',
    path: "hls/v/init.mp4",
  });
  assert.equal(second.pdtTag, undefined);
  const third = segmentEntry(p, 2, "v/prog.m3u8", paths(2), dates[2]);
  assert.deepEqual(third.keys, [{
    line: '#EXT-X-KEY:METHOD=AES-128,URI="../hls/v/k2.key"',
    path: "hls/v/k2.key",
  }]);
  assert.equal(segmentEntry(p, 0, "v/prog.m3u8", paths(0), dates[0]).pdtTag, true);
});

Deno.test("HLS VOD playlists from a record: only what was saved, a discontinuity where one is missing", async () => {
  const out = await prepareOutputDir(await scratchDir());
  const seg = (msn: number, extra: Partial<SegmentEntry> = {}): SegmentEntry => ({
    k: "seg",
    pl: "v/prog.m3u8",
    msn,
    dseq: 0,
    dur: 2,
    inf: "#EXTINF:2.000,",
    path: `hls/v/s${msn}.m4s`,
    map: { line: '#EXT-X-MAP:URI="../hls/v/init.mp4"', path: "hls/v/init.mp4" },
    pdt: new Date(Date.parse("2026-12-04T10:00:00Z") + (msn - 10) * 2000).toISOString(),
    ...extra,
  });
  const record = SavedRecord.create(out);
  // Saved out of order (threads), 12 missing, 14 keyed with a key that never came.
  for (
    const e of [
      { k: "res", path: "hls/v/init.mp4" },
      seg(11),
      seg(10, { pdtTag: true }),
      seg(13, {
        keys: [{ line: '#EXT-X-KEY:METHOD=AES-128,URI="../hls/v/k.key"', path: "hls/v/k.key" }],
      }),
      seg(15, { dseq: 1, tags: ["#EXT-X-CUE-IN"] }),
      seg(14, {
        keys: [{ line: '#EXT-X-KEY:METHOD=AES-128,URI="../hls/v/k.key"', path: "hls/v/k9.key" }],
      }),
      { k: "res", path: "hls/v/k.key" },
    ]
  ) record.append(e);
  record.close();
  const written = await writeHlsVod(out, [
    { path: "v/prog.m3u8", version: 7, targetDuration: 2, lines: ["#EXT-X-INDEPENDENT-SEGMENTS"] },
    { path: "a/prog.m3u8", targetDuration: 2, lines: [] },
  ]);
  assert.deepEqual(written.paths, ["v/prog.m3u8", "a/prog.m3u8"]);
  assert.equal(written.segments, 4);
  assert.equal(
    await Deno.readTextFile(join(out.root, "v/prog.m3u8")),
    [
      "#EXTM3U",
      "#EXT-X-VERSION:7",
      "#EXT-X-TARGETDURATION:2",
      "#EXT-X-MEDIA-SEQUENCE:10",
      "#EXT-X-PLAYLIST-TYPE:VOD",
      "#EXT-X-INDEPENDENT-SEGMENTS",
      '#EXT-X-MAP:URI="../hls/v/init.mp4"',
      "#EXT-X-PROGRAM-DATE-TIME:2026-12-04T10:00:00.000Z",
      "#EXTINF:2.000,",
      "../hls/v/s10.m4s",
      "#EXTINF:2.000,",
      "../hls/v/s11.m4s",
      "#EXT-X-DISCONTINUITY",
      '#EXT-X-KEY:METHOD=AES-128,URI="../hls/v/k.key"',
      '#EXT-X-MAP:URI="../hls/v/init.mp4"',
      "#EXT-X-PROGRAM-DATE-TIME:2026-12-04T10:00:06.000Z",
      "#EXTINF:2.000,",
      "../hls/v/s13.m4s",
      "#EXT-X-DISCONTINUITY",
      "#EXT-X-KEY:METHOD=NONE",
      '#EXT-X-MAP:URI="../hls/v/init.mp4"',
      "#EXT-X-PROGRAM-DATE-TIME:2026-12-04T10:00:10.000Z",
      "#EXT-X-CUE-IN",
      "#EXTINF:2.000,",
      "../hls/v/s15.m4s",
      "#EXT-X-ENDLIST",
      "",
    ].join("\n"),
  );
  // A playlist nothing was saved of is still a valid, empty VOD playlist.
  assert.match(
    await Deno.readTextFile(join(out.root, "a/prog.m3u8")),
    /#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-ENDLIST\n$/,
  );
});

Deno.test("the terminal view: a line for the recording, one per track; gaps counted", () => {
  const io = memoryIo({ terminal: { columns: 100, rows: 20 } });
  const view = liveView(new Terminal(io, "tty"), () => ({ revisions: 7, gaps: 1 }));
  view.observe({
    event: "plan",
    tracks: [{ id: "0", label: "video", files: 0 }],
    files: 0,
    manifests: 1,
  });
  for (const n of [1, 2]) {
    view.observe({ event: "bytes", path: `s${n}.m4s`, track: "0", bytes: 1000 });
    view.observe({
      event: "file",
      path: `s${n}.m4s`,
      track: "0",
      url: `https://x/s${n}.m4s`,
      status: "done",
      bytes: 1000,
    });
  }
  view.observe({
    event: "file",
    path: "s3.m4s",
    track: "0",
    url: "https://x/s3.m4s",
    status: "failed",
    bytes: 0,
  });
  view.stop();
  const text = io.stderrText();
  assert.match(text, /recording [\d.]+ s: 2 saved, 7 revisions, 1 gaps, 1\.95 KiB/);
  assert.match(text, /0 {2}video {2}2 saved {2}1\.95 KiB {2}1 gaps/);
});
