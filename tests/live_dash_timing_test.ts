/**
 * DASH live timing (src/live/dash_timing.ts) on hand-written MPDs, against times worked out
 * by hand from ISO/IEC 23009-1's rules: a segment is available from
 * `availabilityStartTime + Period@start + its end − availabilityTimeOffset`, until that plus
 * its duration plus `timeShiftBufferDepth`. No network, no clock: every "now" is given.
 */
import assert from "node:assert/strict";
import { parseMpd } from "../src/dash/mpd.ts";
import { parseXml } from "../src/dash/xml.ts";
import {
  type LiveTrack,
  liveTracks,
  maxDuration,
  newestAvailable,
  oldestAvailable,
  readLiveMpd,
  trackSlots,
} from "../src/live/dash_timing.ts";

const URL_ = "https://cdn.example/live/manifest.mpd";
const AST = Date.parse("2026-12-04T10:00:00Z");
/** Origin time `s` seconds after the availability start time. */
const at = (s: number) => AST + s * 1000;

const LIVE = `<?xml version="1.0"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="dynamic"
  availabilityStartTime="2026-12-04T10:00:00Z" publishTime="2026-12-04T10:00:30Z"
  minimumUpdatePeriod="PT2S" timeShiftBufferDepth="PT10S" suggestedPresentationDelay="PT3S"
  maxSegmentDuration="PT3S">
  <Location>next/manifest.mpd</Location>
  <Period id="p0" start="PT0S">
    <AdaptationSet contentType="video">
      <SegmentTemplate timescale="1000" duration="2000" startNumber="5"
        availabilityTimeOffset="0.5" initialization="v/init.mp4" media="v/$Number$.m4s"/>
      <Representation id="v" bandwidth="100000"/>
    </AdaptationSet>
    <AdaptationSet contentType="audio" lang="fr">
      <Representation id="a" bandwidth="32000">
        <SegmentTemplate timescale="1000" initialization="a/init.mp4" media="a/$Time$.m4s">
          <SegmentTimeline><S t="1000" d="2000" r="2"/><S t="8000" d="3000"/></SegmentTimeline>
        </SegmentTemplate>
      </Representation>
    </AdaptationSet>
  </Period>
  <Period id="p1" start="PT100S">
    <AdaptationSet contentType="video">
      <Representation id="v" bandwidth="100000">
        <BaseURL availabilityTimeOffset="0.25">p1/</BaseURL>
        <SegmentTemplate timescale="90000" presentationTimeOffset="900000" duration="180000"
          media="$Number%03d$.m4s"/>
      </Representation>
      <Representation id="open">
        <SegmentTemplate timescale="1" media="o/$Time$.m4s">
          <SegmentTimeline><S t="0" d="1" r="-1"/></SegmentTimeline>
        </SegmentTemplate>
      </Representation>
      <Representation id="whole"><BaseURL>whole.mp4</BaseURL><SegmentBase/></Representation>
    </AdaptationSet>
  </Period>
  <UTCTiming schemeIdUri="urn:mpeg:dash:utc:http-iso:2014" value="https://time.example/now"/>
</MPD>`;

function tracksOf(text: string): { tracks: Map<string, LiveTrack>; skipped: string[] } {
  const skipped: string[] = [];
  const mpd = parseMpd(text, URL_, { tolerant: true });
  return { tracks: new Map(liveTracks(mpd, skipped).map((t) => [t.key, t])), skipped };
}

const live = readLiveMpd(parseXml(LIVE), URL_);
const { tracks, skipped } = tracksOf(LIVE);
const video = tracks.get("p0\nv")!;
const audio = tracks.get("p0\na")!;
const later = tracks.get("p1\nv")!;
const open = tracks.get("p1\nopen")!;

Deno.test("the MPD's live facts", () => {
  assert.equal(live.type, "dynamic");
  assert.equal(live.availabilityStartTime, AST);
  assert.equal(live.publishTime, at(30));
  assert.equal(live.minimumUpdatePeriod, 2);
  assert.equal(live.timeShiftBufferDepth, 10);
  assert.equal(live.suggestedPresentationDelay, 3);
  assert.equal(live.maxSegmentDuration, 3);
  assert.equal(live.location, "https://cdn.example/live/next/manifest.mpd");
  assert.deepEqual(live.utcTimings, [{
    scheme: "urn:mpeg:dash:utc:http-iso:2014",
    value: "https://time.example/now",
  }]);
  assert.throws(
    () => readLiveMpd(parseXml('<MPD type="dynamic"><Period/></MPD>'), URL_),
    /needs @availabilityStartTime/,
  );
  assert.throws(
    () =>
      readLiveMpd(
        parseXml('<MPD type="dynamic" availabilityStartTime="soon"><Period/></MPD>'),
        URL_,
      ),
    /is not an xs:dateTime/,
  );
});

Deno.test("tracks: one per Representation and Period; what cannot be recorded is named", () => {
  assert.deepEqual([...tracks.keys()], ["p0\nv", "p0\na", "p1\nv", "p1\nopen"]);
  assert.equal(skipped.length, 1);
  assert.match(skipped[0], /id=whole.*SegmentBase or a single file/);
  assert.equal(video.ato, 0.5);
  assert.equal(later.ato, 0.25); // from its BaseURL
  assert.equal(video.periodEnd, 100); // the next Period's start
  assert.equal(later.periodEnd, undefined);
  assert.equal(video.initUrl, "https://cdn.example/live/v/init.mp4");
  assert.equal(maxDuration(audio), 3);
});

Deno.test("$Number$ + @duration: each segment from its end less the offset, for its duration plus the buffer", () => {
  // Segment k (0-based) covers [2k, 2k+2) s; available from 2k+2 − 0.5 s.
  const slots = trackSlots(video, live, { horizon: at(7), limit: 100 });
  assert.deepEqual(slots.map((s) => [s.number, s.t, s.start, s.end]), [
    [5, 0, 0, 2],
    [6, 2000, 2, 4],
    [7, 4000, 4, 6],
  ]);
  assert.deepEqual(slots.map((s) => s.availableAt), [at(1.5), at(3.5), at(5.5)]);
  assert.deepEqual(slots.map((s) => s.availableUntil), [at(13.5), at(15.5), at(17.5)]);
  assert.equal(slots[1].url, "https://cdn.example/live/v/6.m4s");
  // Ranges: after a media time, ending after a presentation time, starting before one.
  const numbers = (range: Parameters<typeof trackSlots>[2]) =>
    trackSlots(video, live, range).map((s) => s.number);
  assert.deepEqual(numbers({ afterT: 2000, horizon: at(12), limit: 100 }), [7, 8, 9, 10]);
  assert.deepEqual(numbers({ endAfter: 4, horizon: at(12), limit: 100 }), [7, 8, 9, 10]);
  assert.deepEqual(numbers({ endAfter: 3.9, horizon: at(12), limit: 100 }), [6, 7, 8, 9, 10]);
  assert.deepEqual(numbers({ startBefore: 4, horizon: at(12), limit: 100 }), [5, 6]);
  assert.deepEqual(numbers({ horizon: at(1000), limit: 3 }), [5, 6, 7]);
  // The Period ends at 100 s: segment k=49 (98-100 s) is the last.
  assert.equal(trackSlots(video, live, { horizon: at(1000), limit: 1000 }).at(-1)!.number, 54);
});

Deno.test("a later Period: its start and presentationTimeOffset place its segments", () => {
  // timescale 90000, pto 900000 (10 s), 2-s segments: segment k starts at 100 + 2k s.
  const slots = trackSlots(later, live, { horizon: at(105.7), limit: 100 });
  assert.deepEqual(slots.map((s) => [s.number, s.t, s.start, s.availableAt]), [
    [1, 900000, 100, at(102 - 0.25)],
    [2, 1080000, 102, at(104 - 0.25)],
  ]);
  assert.equal(slots[0].url, "https://cdn.example/live/p1/001.m4s");
});

Deno.test("SegmentTimeline: listed segments, S@t jumps kept; S@r=-1 as far as asked", () => {
  const slots = trackSlots(audio, live, { horizon: Infinity, limit: 100 });
  assert.deepEqual(slots.map((s) => [s.number, s.t, s.start, s.end, s.availableAt]), [
    [1, 1000, 1, 3, at(3)],
    [2, 3000, 3, 5, at(5)],
    [3, 5000, 5, 7, at(7)],
    [4, 8000, 8, 11, at(11)],
  ]);
  assert.equal(slots[3].url, "https://cdn.example/live/a/8000.m4s");
  // 1-s segments from the Period's start (100 s): available at 101 s, 102 s, …
  const open5 = trackSlots(open, live, { horizon: at(105.5), limit: 100 });
  assert.deepEqual(open5.map((s) => s.t), [0, 1, 2, 3, 4]);
  assert.deepEqual(open5.map((s) => s.availableAt), [101, 102, 103, 104, 105].map(at));
});

Deno.test("the live edge and the oldest segment still in the time-shift buffer", () => {
  assert.equal(newestAvailable(video, live, at(6))?.number, 7); // available since 5.5 s
  assert.equal(newestAvailable(video, live, at(5.49))?.number, 6);
  assert.equal(newestAvailable(video, live, at(1)), undefined);
  assert.equal(newestAvailable(audio, live, at(10))?.t, 5000);
  // Segment k stays until 2k + 1.5 + 2 + 10 s. At 19 s: k=3 (number 8) stays until 19.5 s,
  // too soon to fetch it with 1 s to spare; k=4 (number 9) stays until 21.5 s.
  assert.equal(oldestAvailable(video, live, at(19), 0)?.number, 8);
  assert.equal(oldestAvailable(video, live, at(19), 1000)?.number, 9);
});

Deno.test("a static MPD (the end of the event): everything listed is available", () => {
  const ended = LIVE.replace('type="dynamic"', 'type="static" mediaPresentationDuration="PT106S"');
  const staticLive = readLiveMpd(parseXml(ended), URL_);
  const t = tracksOf(ended).tracks;
  const slots = trackSlots(t.get("p1\nv")!, staticLive, { horizon: Infinity, limit: 100 });
  assert.deepEqual(slots.map((s) => s.number), [1, 2, 3]);
  assert.ok(slots.every((s) => s.availableAt === -Infinity));
});
