import assert from "node:assert/strict";
import { type MasterPlaylist, type MediaPlaylist, parsePlaylist } from "../src/hls/playlist.ts";

const BASE = "http://127.0.0.1:8000/vod/master.m3u8";

function media(text: string, url = BASE): MediaPlaylist {
  const p = parsePlaylist(text, url);
  assert.equal(p.type, "media");
  return p as MediaPlaylist;
}

function master(text: string, url = BASE): MasterPlaylist {
  const p = parsePlaylist(text, url);
  assert.equal(p.type, "master");
  return p as MasterPlaylist;
}

// --- what later features need: the media playlist model ------------------------------------

Deno.test("sequence numbers, discontinuities, dates, gaps, bitrates and titles per segment", () => {
  const p = media(
    [
      "#EXTM3U",
      "#EXT-X-VERSION:9",
      "#EXT-X-TARGETDURATION:4",
      "#EXT-X-MEDIA-SEQUENCE:100",
      "#EXT-X-DISCONTINUITY-SEQUENCE:7",
      "#EXT-X-INDEPENDENT-SEGMENTS",
      "#EXT-X-START:TIME-OFFSET=-12.5,PRECISE=YES",
      "#EXT-X-PROGRAM-DATE-TIME:2024-05-01T10:00:00.000Z",
      "#EXT-X-BITRATE:800",
      "#EXTINF:4,Intro",
      "s100.ts",
      "#EXT-X-GAP",
      "#EXTINF:4,",
      "s101.ts",
      "#EXT-X-DISCONTINUITY",
      "#EXT-X-PROGRAM-DATE-TIME:2024-05-01T10:05:00+02:00",
      "#EXT-X-BITRATE:1200",
      "#EXTINF:3.5",
      "s102.ts",
      "#EXTINF:4,",
      "#EXT-X-BYTERANGE:100@0",
      "s103.ts",
    ].join("\n"),
  );
  assert.equal(p.version, 9);
  assert.equal(p.mediaSequence, 100);
  assert.equal(p.discontinuitySequence, 7);
  assert.equal(p.independentSegments, true);
  assert.deepEqual(p.start, { line: 7, timeOffset: -12.5, precise: true });
  assert.equal(p.endList, false);
  assert.deepEqual(
    p.segments.map((s) => [
      s.ref.uri,
      s.infLine,
      s.title,
      s.mediaSequence,
      s.discontinuitySequence,
      s.discontinuity,
      s.gap,
      s.bitrate,
      s.programDateTime?.text,
    ]),
    [
      ["s100.ts", 10, "Intro", 100, 7, false, false, 800, "2024-05-01T10:00:00.000Z"],
      ["s101.ts", 13, undefined, 101, 7, false, true, 800, undefined],
      ["s102.ts", 18, undefined, 102, 8, true, false, 1200, "2024-05-01T10:05:00+02:00"],
      // A segment with a byte range has no EXT-X-BITRATE (RFC 8216bis section 4.4.4.8).
      ["s103.ts", 20, undefined, 103, 8, false, false, undefined, undefined],
    ],
  );
  assert.equal(p.segments[0].programDateTime!.epochMs, Date.UTC(2024, 4, 1, 10, 0, 0));
  assert.equal(p.segments[2].programDateTime!.epochMs, Date.UTC(2024, 4, 1, 8, 5, 0));
  assert.deepEqual(p.notes, []);
});

Deno.test("byte ranges without an offset follow the previous range of the same resource", () => {
  const p = media(
    [
      "#EXTM3U",
      "#EXT-X-TARGETDURATION:4",
      '#EXT-X-MAP:URI="all.mp4",BYTERANGE="720"',
      "#EXTINF:4,",
      "#EXT-X-BYTERANGE:1000@720",
      "all.mp4",
      '#EXT-X-MAP:URI="all.mp4",BYTERANGE="720@0"', // a map between two ranges does not count
      "#EXTINF:4,",
      "#EXT-X-BYTERANGE:500",
      "all.mp4",
      "#EXT-X-DISCONTINUITY",
      "#EXTINF:4,",
      "#EXT-X-BYTERANGE:300",
      "all.mp4#t=1", // a fragment does not make another resource
      "#EXTINF:4,",
      "#EXT-X-BYTERANGE:64@0",
      "other.mp4",
      "#EXTINF:4,",
      "#EXT-X-BYTERANGE:32",
      "other.mp4",
      "#EXT-X-ENDLIST",
    ].join("\n"),
  );
  assert.deepEqual(
    p.segments.map((s) => [s.ref.uri, s.byteRange, s.byteRangeLine]),
    [
      ["all.mp4", { length: 1000, offset: 720 }, 5],
      ["all.mp4", { length: 500, offset: 1720 }, 9],
      ["all.mp4#t=1", { length: 300, offset: 2220 }, 13],
      ["other.mp4", { length: 64, offset: 0 }, 16],
      ["other.mp4", { length: 32, offset: 64 }, 19],
    ],
  );
  assert.deepEqual(p.maps.map((m) => m.byteRange), [
    { length: 720, offset: 0 },
    { length: 720, offset: 0 },
  ]);
});

Deno.test("keys: one in effect per KEYFORMAT, METHOD=NONE ends them all", () => {
  const p = media(
    [
      "#EXTM3U",
      "#EXT-X-TARGETDURATION:4",
      '#EXT-X-KEY:METHOD=SAMPLE-AES,URI="skd://k1",KEYFORMAT="com.apple.streamingkeydelivery",' +
      'KEYFORMATVERSIONS="1"',
      '#EXT-X-KEY:METHOD=SAMPLE-AES,URI="k1.key",IV=0x0123456789ABCDEF0123456789ABCDEF',
      "#EXTINF:4,",
      "a.ts",
      '#EXT-X-KEY:METHOD=SAMPLE-AES,URI="k2.key"',
      "#EXTINF:4,",
      "b.ts",
      "#EXT-X-KEY:METHOD=NONE",
      "#EXTINF:4,",
      "c.ts",
    ].join("\n"),
  );
  const keys = p.segments.map((s) => s.keys?.map((k) => k.ref?.uri));
  assert.deepEqual(keys, [["skd://k1", "k1.key"], ["skd://k1", "k2.key"], undefined]);
  assert.deepEqual(p.segments.map((s) => s.key?.ref?.uri), ["k1.key", "k2.key", undefined]);
  assert.equal(p.keys[0].keyFormatVersions, "1");
  assert.equal(p.keys[1].iv, "0x0123456789ABCDEF0123456789ABCDEF");
  assert.deepEqual(p.keys.map((k) => [k.line, k.method]), [
    [3, "SAMPLE-AES"],
    [4, "SAMPLE-AES"],
    [7, "SAMPLE-AES"],
    [10, "NONE"],
  ]);
});

/** A low-latency live playlist with every LL-HLS tag, a skip and interstitials. */
const LL_HLS = [
  "#EXTM3U",
  "#EXT-X-VERSION:10",
  "#EXT-X-TARGETDURATION:4",
  "#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,CAN-SKIP-UNTIL=24,CAN-SKIP-DATERANGES=YES," +
  "PART-HOLD-BACK=3.012",
  "#EXT-X-PART-INF:PART-TARGET=1.004",
  "#EXT-X-MEDIA-SEQUENCE:266",
  '#EXT-X-SKIP:SKIPPED-SEGMENTS=3,RECENTLY-REMOVED-DATERANGES="ad1\tad2"',
  '#EXT-X-MAP:URI="init.mp4"',
  "#EXT-X-PROGRAM-DATE-TIME:2024-01-12T10:00:00.000Z",
  '#EXT-X-DATERANGE:ID="ad3",CLASS="com.apple.hls.interstitial",START-DATE="2024-01-12T10:00:02Z",' +
  'DURATION=15.0,X-ASSET-URI="https://ads.example/ad3.m3u8?x=1",X-RESTRICT="SKIP,JUMP",CUE="ONCE"',
  '#EXT-X-DATERANGE:ID="ad4",CLASS="com.apple.hls.interstitial",START-DATE="2024-01-12T10:00:06Z",' +
  'X-ASSET-LIST="lists/ad4.json",END-ON-NEXT=YES',
  "#EXTINF:4.00008,",
  "fileSequence269.mp4",
  '#EXT-X-PART:DURATION=1.0,URI="filePart270.mp4",BYTERANGE="1000@0",INDEPENDENT=YES',
  '#EXT-X-PART:DURATION=1.0,URI="filePart270.mp4",BYTERANGE="800"',
  "#EXTINF:2.0,",
  "fileSequence270.mp4",
  '#EXT-X-PART:DURATION=1.0,URI="filePart271.0.mp4",GAP=YES',
  '#EXT-X-PRELOAD-HINT:TYPE=PART,URI="filePart271.1.mp4"',
  '#EXT-X-PRELOAD-HINT:TYPE=MAP,URI="init2.mp4",BYTERANGE-START=100,BYTERANGE-LENGTH=50',
  '#EXT-X-RENDITION-REPORT:URI="../1M/waitForMSN.php",LAST-MSN=270,LAST-PART=1',
  "#EXT-X-RENDITION-REPORT:LAST-MSN=270",
].join("\n");

Deno.test("LL-HLS: server control, parts, preload hints, rendition reports, skip", () => {
  const p = media(LL_HLS, "https://live.example/a/v.m3u8");
  assert.deepEqual(p.serverControl, {
    line: 4,
    canBlockReload: true,
    canSkipUntil: 24,
    canSkipDateRanges: true,
    partHoldBack: 3.012,
  });
  assert.equal(p.partTarget, 1.004);
  assert.deepEqual(p.skip, {
    line: 7,
    skippedSegments: 3,
    recentlyRemovedDateRanges: ["ad1", "ad2"],
  });
  // The skipped segments still count: the first one listed is 266 + 3.
  assert.deepEqual(p.segments.map((s) => [s.ref.uri, s.mediaSequence]), [
    ["fileSequence269.mp4", 269],
    ["fileSequence270.mp4", 270],
  ]);
  assert.deepEqual(
    p.parts.map((x) => [x.line, x.ref.uri, x.duration, x.independent, x.gap, x.byteRange]),
    [
      [14, "filePart270.mp4", 1, true, false, { length: 1000, offset: 0 }],
      [15, "filePart270.mp4", 1, false, false, { length: 800, offset: 1000 }],
      [18, "filePart271.0.mp4", 1, false, true, undefined],
    ],
  );
  // The parts before a segment's URI line are its parts; the last one is the next segment's.
  assert.deepEqual(p.segments.map((s) => s.parts.map((x) => x.line)), [[], [14, 15]]);
  assert.deepEqual(
    p.preloadHints.map((h) => [h.line, h.type, h.ref.url, h.byteRangeStart, h.byteRangeLength]),
    [
      [19, "PART", "https://live.example/a/filePart271.1.mp4", 0, undefined],
      [20, "MAP", "https://live.example/a/init2.mp4", 100, 50],
    ],
  );
  assert.deepEqual(
    p.renditionReports.map((r) => [r.line, r.ref?.url, r.lastMsn, r.lastPart]),
    [
      [21, "https://live.example/1M/waitForMSN.php", 270, 1],
      [22, undefined, 270, undefined],
    ],
  );
});

Deno.test("EXT-X-DATERANGE: interstitial asset URIs are URIs of their own roles", () => {
  const p = media(LL_HLS, "https://live.example/a/v.m3u8");
  const [ad3, ad4] = p.dateRanges;
  assert.deepEqual(
    { ...ad3, assetUri: undefined },
    {
      line: 10,
      id: "ad3",
      class: "com.apple.hls.interstitial",
      startDate: "2024-01-12T10:00:02Z",
      duration: 15,
      endOnNext: false,
      cue: "ONCE",
      clientAttributes: {
        "X-ASSET-URI": "https://ads.example/ad3.m3u8?x=1",
        "X-RESTRICT": "SKIP,JUMP",
      },
      assetUri: undefined,
      segmentIndex: 0,
    },
  );
  assert.equal(ad3.assetUri!.role, "asset");
  assert.equal(ad3.assetUri!.url, "https://ads.example/ad3.m3u8?x=1");
  assert.equal(ad4.assetList!.role, "asset-list");
  assert.equal(ad4.assetList!.url, "https://live.example/a/lists/ad4.json");
  assert.equal(ad4.endOnNext, true);
  // Each is in refs at its place on its line, so a rewrite can replace it.
  const lines = LL_HLS.split("\n");
  for (const ref of [ad3.assetUri!, ad4.assetList!]) {
    assert.ok(p.refs.includes(ref));
    assert.equal(lines[ref.line - 1].slice(ref.start, ref.end), ref.uri);
  }
  assert.deepEqual(
    p.refs.map((r) => r.role),
    [
      "map",
      "asset",
      "asset-list",
      "segment",
      "part",
      "part",
      "segment",
      "part",
      "preload-hint",
      "preload-hint",
      "rendition-report",
    ],
  );
});

Deno.test("a thumbnail playlist: EXT-X-IMAGES-ONLY and EXT-X-TILES per segment", () => {
  const p = media(
    [
      "#EXTM3U",
      "#EXT-X-TARGETDURATION:60",
      "#EXT-X-VERSION:7",
      "#EXT-X-MEDIA-SEQUENCE:1",
      "#EXT-X-PLAYLIST-TYPE:VOD",
      "#EXT-X-IMAGES-ONLY",
      "#EXTINF:60.000,",
      "#EXT-X-TILES:RESOLUTION=320x180,LAYOUT=6x5,DURATION=2.002",
      "tiles/1.jpg",
      "#EXT-X-ENDLIST",
    ].join("\n"),
  );
  assert.equal(p.imagesOnly, true);
  assert.deepEqual(p.segments[0].tiles, {
    line: 8,
    resolution: { width: 320, height: 180 },
    layout: { columns: 6, rows: 5 },
    duration: 2.002,
  });
});

// --- the master playlist model ---------------------------------------------------------

const MASTER = [
  "#EXTM3U",
  "#EXT-X-VERSION:12",
  "#EXT-X-INDEPENDENT-SEGMENTS",
  "#EXT-X-START:TIME-OFFSET=10",
  '#EXT-X-CONTENT-STEERING:SERVER-URI="/steer?video=1",PATHWAY-ID="CDN-A"',
  '#EXT-X-SESSION-DATA:DATA-ID="com.example.title",VALUE="Hello",LANGUAGE="en"',
  '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="a",NAME="English 5.1",LANGUAGE="en",ASSOC-LANGUAGE="en-GB",' +
  'DEFAULT=YES,AUTOSELECT=YES,CHANNELS="6/JOC",CHARACTERISTICS="public.accessibility.describes-video",' +
  'STABLE-RENDITION-ID="a1",URI="a/en.m3u8"',
  '#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="s",NAME="Français (forced)",LANGUAGE="fr",FORCED=YES,' +
  'AUTOSELECT=YES,URI="s/fr.m3u8"',
  '#EXT-X-MEDIA:TYPE=CLOSED-CAPTIONS,GROUP-ID="cc",NAME="English",INSTREAM-ID="SERVICE1"',
  '#EXT-X-STREAM-INF:BANDWIDTH=6000000,AVERAGE-BANDWIDTH=5000000,CODECS="dvh1.05.06,ec-3",' +
  'SUPPLEMENTAL-CODECS="dvh1.08.07/db4h",RESOLUTION=3840x2160,FRAME-RATE=59.940,HDCP-LEVEL=TYPE-1,' +
  'VIDEO-RANGE=PQ,AUDIO="a",SUBTITLES="s",CLOSED-CAPTIONS=NONE,STABLE-VARIANT-ID="uhd",' +
  'PATHWAY-ID="CDN-A",SCORE=2.5',
  "v/uhd.m3u8",
  '#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=300000,CODECS="avc1.640028",RESOLUTION=1920x1080,' +
  'VIDEO-RANGE=SDR,URI="v/iframes.m3u8"',
  '#EXT-X-IMAGE-STREAM-INF:BANDWIDTH=12000,RESOLUTION=320x180,CODECS="jpeg",URI="thumbs/320.m3u8"',
  '#EXT-X-VENDOR-THING:URI="not/a/ref.m3u8"',
].join("\n");

Deno.test("master: variants, I-frame and image streams, renditions, steering, session data", () => {
  const p = master(MASTER, "https://cdn.example/show/master.m3u8");
  assert.equal(p.version, 12);
  assert.equal(p.independentSegments, true);
  assert.deepEqual(p.start, { line: 4, timeOffset: 10, precise: false });
  assert.equal(p.contentSteering!.ref.role, "steering");
  assert.equal(p.contentSteering!.ref.url, "https://cdn.example/steer?video=1");
  assert.equal(p.contentSteering!.pathwayId, "CDN-A");
  assert.deepEqual(p.sessionData, [
    { line: 6, id: "com.example.title", value: "Hello", language: "en" },
  ]);
  const [uhd, iframes] = p.variants;
  assert.deepEqual({ ...uhd, ref: uhd.ref.uri }, {
    line: 10,
    ref: "v/uhd.m3u8",
    iFrame: false,
    bandwidth: 6000000,
    averageBandwidth: 5000000,
    codecs: "dvh1.05.06,ec-3",
    supplementalCodecs: "dvh1.08.07/db4h",
    resolution: { width: 3840, height: 2160 },
    frameRate: 59.94,
    hdcpLevel: "TYPE-1",
    videoRange: "PQ",
    stableVariantId: "uhd",
    pathwayId: "CDN-A",
    score: 2.5,
    groups: { audio: "a", subtitles: "s" },
  });
  assert.equal(iframes.iFrame, true);
  assert.equal(iframes.videoRange, "SDR");
  assert.deepEqual(
    p.imageStreams.map((s) => [s.line, s.ref.role, s.ref.url, s.bandwidth, s.codecs, s.resolution]),
    [[13, "image", "https://cdn.example/show/thumbs/320.m3u8", 12000, "jpeg", {
      width: 320,
      height: 180,
    }]],
  );
  const [audio, subs, cc] = p.renditions;
  assert.deepEqual({ ...audio, ref: audio.ref?.uri }, {
    line: 7,
    type: "AUDIO",
    groupId: "a",
    name: "English 5.1",
    language: "en",
    assocLanguage: "en-GB",
    isDefault: true,
    autoselect: true,
    forced: false,
    channels: "6/JOC",
    characteristics: "public.accessibility.describes-video",
    stableRenditionId: "a1",
    ref: "a/en.m3u8",
  });
  assert.equal(subs.forced, true);
  assert.equal(cc.instreamId, "SERVICE1");
  assert.equal(cc.ref, undefined);
  // Roles in document order; the vendor tag's URI attribute is no reference.
  assert.deepEqual(p.refs.map((r) => [r.role, r.line]), [
    ["steering", 5],
    ["rendition", 7],
    ["rendition", 8],
    ["variant", 11],
    ["iframe", 12],
    ["image", 13],
  ]);
  assert.deepEqual(p.notes, []);
});
