import assert from "node:assert/strict";
import { join, resolve } from "node:path";
import { InputError } from "../src/errors.ts";
import {
  type MasterPlaylist,
  type MediaPlaylist,
  parsePlaylist,
  splitLines,
} from "../src/hls/playlist.ts";

const FIXTURES = resolve(import.meta.dirname!, "fixtures");
const EDGE = join(FIXTURES, "hls-edge");
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

Deno.test("splitLines keeps every terminator: joining gives the input back", () => {
  for (const text of ["", "a", "a\n", "a\r\nb\nc\r\n", "\n\n", "x\r", "a\r\r\nb"]) {
    const lines = splitLines(text);
    assert.equal(lines.map((l) => l.text + l.eol).join(""), text);
    lines.forEach((l, i) => assert.equal(l.number, i + 1));
  }
  assert.deepEqual(splitLines("#EXTM3U\r\na.ts"), [
    { number: 1, text: "#EXTM3U", eol: "\r\n" },
    { number: 2, text: "a.ts", eol: "" },
  ]);
});

Deno.test("every URI of the edge-case master is found with its line and exact span", async () => {
  const text = await Deno.readTextFile(join(EDGE, "master.m3u8"));
  const p = master(text, "http://127.0.0.1:8000/vod/master.m3u8");
  const lines = text.split("\n");
  for (const ref of p.refs) {
    assert.equal(lines[ref.line - 1].slice(ref.start, ref.end), ref.uri);
  }
  assert.deepEqual(
    p.refs.map((r) => [r.role, r.line, r.uri]),
    [
      ["session-data", 6, "meta/title.json"],
      ["session-key", 7, "keys/session.key"],
      ["session-key", 8, "skd://fairplay.example/session"],
      ["rendition", 10, "audio/en/prog.m3u8"],
      ["rendition", 11, "audio/de/prog.m3u8"],
      ["rendition", 12, "subs/en.m3u8"],
      ["rendition", 14, "v720/prog.m3u8"],
      ["variant", 16, "v720/prog.m3u8"],
      ["variant", 18, "v360/prog.m3u8?session=42"],
      ["iframe", 19, "v720/iframes.m3u8"],
    ],
  );
  assert.equal(p.refs[8].url, "http://127.0.0.1:8000/vod/v360/prog.m3u8?session=42");
  assert.deepEqual(p.variants.map((v) => [v.line, v.iFrame, v.bandwidth]), [
    [15, false, 1280000],
    [17, false, 640000],
    [19, true, 86000],
  ]);
  assert.deepEqual(p.variants[0].resolution, { width: 1280, height: 720 });
  assert.deepEqual(p.variants[0].groups, {
    audio: "aud",
    video: "vid",
    subtitles: "subs",
    closedCaptions: "cc",
  });
  const cc = p.renditions.find((r) => r.type === "CLOSED-CAPTIONS")!;
  assert.equal(cc.ref, undefined);
  assert.deepEqual(p.sessionKeys.map((k) => [k.method, k.keyFormat]), [
    ["AES-128", undefined],
    ["SAMPLE-AES", "com.apple.streamingkeydelivery"],
  ]);
  assert.deepEqual(p.notes, []);
});

Deno.test("media playlist: maps, keys in effect, byte ranges with and without offset", async () => {
  const text = await Deno.readTextFile(join(EDGE, "v720", "prog.m3u8"));
  const p = media(text, "http://127.0.0.1:8000/vod/v720/prog.m3u8");
  assert.equal(p.endList, true);
  assert.equal(p.playlistType, "VOD");
  assert.equal(p.targetDuration, 4);
  assert.deepEqual(
    p.segments.map((s) => [
      s.ref.line,
      s.ref.uri,
      s.duration,
      s.byteRange && `${s.byteRange.length}@${s.byteRange.offset}`,
      s.key?.ref?.uri,
      s.map?.ref.uri,
      s.discontinuity,
    ]),
    [
      [9, "seg1.m4s", 4, undefined, undefined, "init.mp4", false],
      [12, "seg2.m4s", 4, undefined, "../keys/rotate.key?epoch=2", "init.mp4", false],
      [20, "single.mp4", 4, "200@100", undefined, "single.mp4", true],
      [25, "single.mp4", 4, "150@300", undefined, "single.mp4", false],
      [29, "single.mp4", 3.5, "120@450", undefined, "single.mp4", false],
    ],
  );
  assert.deepEqual(p.maps.map((m) => [m.line, m.byteRange]), [
    [6, undefined],
    [15, { length: 100, offset: 0 }],
  ]);
  assert.deepEqual(p.keys.map((k) => [k.line, k.method, k.iv]), [
    [10, "AES-128", "0x00000000000000000000000000000002"],
    [13, "NONE", undefined],
  ]);
  assert.equal(p.keys[0].ref?.url, "http://127.0.0.1:8000/vod/keys/rotate.key?epoch=2");
});

Deno.test("non-ASCII titles and URIs are read", () => {
  const p = media(
    "#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:4,Café 東京\nvidéo/東京 1.ts\n#EXT-X-ENDLIST\n",
  );
  assert.equal(p.segments[0].ref.uri, "vidéo/東京 1.ts");
  assert.equal(p.segments[0].title, "Café 東京");
  assert.equal(
    p.segments[0].ref.url,
    "http://127.0.0.1:8000/vod/vid%C3%A9o/%E6%9D%B1%E4%BA%AC%201.ts",
  );
});

Deno.test("EXT-X-PART URIs and a trailing segment tag are read", () => {
  const p = media(
    [
      "#EXTM3U",
      "#EXT-X-VERSION:9",
      "#EXT-X-TARGETDURATION:4",
      "#EXT-X-PART-INF:PART-TARGET=1",
      '#EXT-X-PART:DURATION=1,URI="p1.mp4",INDEPENDENT=YES',
      "#EXTINF:4,",
      "s1.mp4",
      "#EXT-X-DISCONTINUITY",
      "#EXT-X-ENDLIST",
      "",
    ].join("\n"),
  );
  assert.deepEqual(p.parts.map((x) => [x.line, x.ref.uri]), [[5, "p1.mp4"]]);
  assert.deepEqual(p.segments.map((s) => s.ref.uri), ["s1.mp4"]);
});

/** [what, playlist, line the error must name, text the message must contain] */
const BAD: [string, string, number, RegExp][] = [
  ["no #EXTM3U", "<html>\n<body>404</body>\n", 1, /not an M3U8 playlist/],
  ["empty", "\n\n", 1, /not an M3U8 playlist/],
  [
    "variant followed by a tag",
    "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\n#EXT-X-STREAM-INF:BANDWIDTH=2\nb.m3u8\n",
    2,
    /EXT-X-STREAM-INF is not followed by its URI line/,
  ],
  [
    "variant at the end",
    "#EXTM3U\n#EXT-X-VERSION:3\n\n#EXT-X-STREAM-INF:BANDWIDTH=1\n\n",
    4,
    /URI line is missing/,
  ],
  [
    "unclosed quote",
    '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1,CODECS="avc1\nb.m3u8\n',
    2,
    /malformed attribute list of EXT-X-STREAM-INF: the quoted value of CODECS is not closed/,
  ],
  [
    "attribute without a value",
    "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH,CODECS=x\nb.m3u8\n",
    2,
    /malformed attribute list.*BANDWIDTH has no "=value"/,
  ],
  [
    "text after a quoted value",
    '#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MAP:URI="a.mp4"x\n#EXTINF:2,\na.m4s\n',
    3,
    /malformed attribute list of EXT-X-MAP: expected ","/,
  ],
  [
    "stray quote",
    '#EXTM3U\n#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID=a"b",NAME="x"\n',
    2,
    /stray quote in the value of GROUP-ID/,
  ],
  [
    "duplicate attribute",
    '#EXTM3U\n#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=1,URI="a.m3u8",URI="b.m3u8"\n',
    2,
    /attribute URI appears twice/,
  ],
  [
    "BYTERANGE without a length",
    "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\n#EXT-X-BYTERANGE:@100\na.ts\n",
    4,
    /EXT-X-BYTERANGE must be <length>\[@<offset>\] with a length, not "@100"/,
  ],
  [
    "BYTERANGE not a number",
    "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\n#EXT-X-BYTERANGE:lots\na.ts\n",
    4,
    /with a length/,
  ],
  [
    "BYTERANGE of length 0",
    "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\n#EXT-X-BYTERANGE:0@5\na.ts\n",
    4,
    /length of 0/,
  ],
  [
    "MAP BYTERANGE without a length",
    '#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MAP:URI="a.mp4",BYTERANGE="@0"\n#EXTINF:2,\na.m4s\n',
    3,
    /EXT-X-MAP BYTERANGE must be <length>\[@<offset>\]/,
  ],
  [
    "first BYTERANGE without an offset",
    "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\n#EXT-X-BYTERANGE:100\na.ts\n#EXT-X-ENDLIST\n",
    4,
    /EXT-X-BYTERANGE has no offset/,
  ],
  [
    "BYTERANGE without an offset after another resource",
    "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\n#EXT-X-BYTERANGE:100@0\na.ts\n" +
    "#EXTINF:2,\n#EXT-X-BYTERANGE:100\nb.ts\n#EXT-X-ENDLIST\n",
    7,
    /not a sub-range of the same resource/,
  ],
  [
    "segment without EXTINF",
    "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\na.ts\nb.ts\n",
    5,
    /segment URI "b.ts" has no #EXTINF/,
  ],
  [
    "master and media tags mixed",
    "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-STREAM-INF:BANDWIDTH=1\nv.m3u8\n",
    3,
    /mixes master and media playlist tags/,
  ],
  [
    "AES-128 key without URI",
    "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-KEY:METHOD=AES-128\n#EXTINF:2,\na.ts\n",
    3,
    /EXT-X-KEY METHOD=AES-128 has no URI attribute/,
  ],
  [
    "key without METHOD",
    '#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-KEY:URI="k"\n#EXTINF:2,\na.ts\n',
    3,
    /has no METHOD/,
  ],
  [
    "I-frame variant without URI",
    "#EXTM3U\n#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=1\n",
    2,
    /EXT-X-I-FRAME-STREAM-INF has no URI attribute/,
  ],
  [
    "subtitles without URI",
    '#EXTM3U\n#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="s",NAME="en"\n',
    2,
    /SUBTITLES has no URI/,
  ],
  [
    "empty URI attribute",
    '#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MAP:URI=""\n#EXTINF:2,\na.m4s\n',
    3,
    /the map URI is empty/,
  ],
  [
    "an undefined variable",
    '#EXTM3U\n#EXT-X-DEFINE:NAME="p",VALUE="x"\n#EXT-X-STREAM-INF:BANDWIDTH=1\n{$q}/v.m3u8\n',
    4,
    /variable reference \{\$q\} names a variable no EXT-X-DEFINE before it defines \(column 1\)/,
  ],
  [
    "SKIP without SKIPPED-SEGMENTS",
    '#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-SKIP:RECENTLY-REMOVED-DATERANGES="a"\n',
    3,
    /EXT-X-SKIP has no SKIPPED-SEGMENTS attribute/,
  ],
  [
    "a part byte range without an offset into another resource",
    '#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-PART:DURATION=1,URI="a.mp4",BYTERANGE="10@0"\n' +
    '#EXT-X-PART:DURATION=1,URI="b.mp4",BYTERANGE="10"\n',
    4,
    /EXT-X-PART BYTERANGE has no offset, and the part before it is not a sub-range/,
  ],
  [
    "a content-steering tag without SERVER-URI",
    '#EXTM3U\n#EXT-X-CONTENT-STEERING:PATHWAY-ID="a"\n',
    2,
    /EXT-X-CONTENT-STEERING has no SERVER-URI attribute/,
  ],
  [
    "an image stream without URI",
    "#EXTM3U\n#EXT-X-IMAGE-STREAM-INF:BANDWIDTH=1,RESOLUTION=320x180\n",
    2,
    /EXT-X-IMAGE-STREAM-INF has no URI attribute/,
  ],
  [
    "an unknown rendition TYPE",
    '#EXTM3U\n#EXT-X-MEDIA:TYPE=AUDIO-DESCRIPTION,GROUP-ID="a",NAME="x"\n',
    2,
    /EXT-X-MEDIA has an unknown TYPE=AUDIO-DESCRIPTION/,
  ],
  [
    "a malformed value the mirror depends on",
    "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-SKIP:SKIPPED-SEGMENTS=many\n",
    3,
    /EXT-X-SKIP SKIPPED-SEGMENTS must be a decimal integer, not "many" \(column 30\)/,
  ],
];

for (const [what, text, line, message] of BAD) {
  Deno.test(`bad input names the URL and line: ${what}`, () => {
    const url = "http://127.0.0.1:8000/bad/playlist.m3u8";
    assert.throws(
      () => parsePlaylist(text, url),
      (err: unknown) => {
        assert.ok(err instanceof InputError, `not an InputError: ${err}`);
        assert.equal(err.where, `${url}: line ${line}`);
        assert.match(err.message, message);
        return true;
      },
    );
  });
}

// --- what players tolerate, and what is refused -----------------------------------------

Deno.test("tolerated silently: a BOM, CRLF, blank lines, blanks around tags and URIs", () => {
  const text = "\uFEFF#EXTM3U\r\n\r\n  #EXT-X-TARGETDURATION:4  \r\n\t#EXTINF:4.0,  \r\n" +
    "   a b.ts \t\r\n\r\n#EXTINF:.5\r\n#EXT-X-ENDLIST-NOT\r\nc.ts\r\n #EXT-X-ENDLIST \r\n";
  const p = media(text);
  assert.equal(p.targetDuration, 4);
  assert.equal(p.endList, true);
  assert.deepEqual(p.segments.map((s) => [s.ref.uri, s.duration, s.ref.line]), [
    ["a b.ts", 4, 5],
    ["c.ts", 0.5, 9],
  ]);
  const line5 = text.split("\r\n")[4];
  assert.equal(line5.slice(p.segments[0].ref.start, p.segments[0].ref.end), "a b.ts");
  assert.deepEqual(p.notes, []);
});

Deno.test("a comment or an unknown tag between EXT-X-STREAM-INF and its URI line is kept", () => {
  const p = master(
    "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\n# low\n#EXT-X-VENDOR:X=1\n\nlow.m3u8\n",
  );
  assert.deepEqual(p.variants.map((v) => [v.line, v.ref.line, v.ref.uri]), [[2, 6, "low.m3u8"]]);
  assert.deepEqual(p.notes, []);
});

Deno.test("tolerated with a note naming the lines: what players accept but the RFC does not", () => {
  const p = media(
    [
      "#EXTM3U",
      "#EXT-X-TARGETDURATION:2.5",
      "#EXT-X-PLAYLIST-TYPE:vod",
      "#EXT-X-PROGRAM-DATE-TIME:yesterday",
      "#EXT-X-KEY:METHOD=aes-128,URI=k.key",
      "#EXTINF:5,",
      "a.ts",
      "#EXTINF:5,",
      "b.ts",
    ].join("\n"),
  );
  assert.equal(p.playlistType, "VOD");
  assert.equal(p.keys[0].method, "AES-128");
  assert.equal(p.segments[0].programDateTime, undefined);
  assert.deepEqual(p.notes, [
    "EXT-X-TARGETDURATION should be a decimal integer (line 2)",
    "EXT-X-PLAYLIST-TYPE:vod should be upper case (line 3)",
    'EXT-X-PROGRAM-DATE-TIME "yesterday" is not an ISO 8601 date; ignored (line 4)',
    "EXT-X-KEY METHOD=aes-128 should be upper case (line 5)",
    "EXT-X-KEY URI should be a quoted string (line 5)",
    "an EXTINF longer than EXT-X-TARGETDURATION 2.5 (lines 6, 8)",
  ]);
  const m = master(
    "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1,RESOLUTION=1280*720,FRAME-RATE=fast\nv.m3u8\n" +
      '#EXT-X-MEDIA:TYPE=audio,GROUP-ID="a",DEFAULT=yes,URI="a.m3u8"\n' +
      '#EXT-X-STREAM-INF:CODECS="avc1"\nw.m3u8\n',
  );
  assert.equal(m.variants[0].resolution, undefined);
  assert.equal(m.variants[1].bandwidth, 0);
  assert.deepEqual(m.renditions.map((r) => [r.type, r.name, r.isDefault]), [["AUDIO", "", true]]);
  assert.deepEqual(m.notes, [
    'EXT-X-STREAM-INF RESOLUTION must be <width>x<height>, not "1280*720"; ignored (line 2)',
    'EXT-X-STREAM-INF FRAME-RATE must be a decimal number, not "fast"; ignored (line 2)',
    "EXT-X-MEDIA TYPE=audio should be upper case (line 4)",
    "EXT-X-MEDIA has no NAME attribute (line 4)",
    "EXT-X-MEDIA DEFAULT=yes should be upper case (line 4)",
    "EXT-X-STREAM-INF has no BANDWIDTH attribute (line 5)",
  ]);
});

Deno.test("values a VOD mirror does not depend on: noted, ignored, defaults taken", () => {
  const p = media(
    [
      "#EXTM3U",
      "#EXT-X-TARGETDURATION:NaN",
      "#EXT-X-MEDIA-SEQUENCE:-3",
      "#EXT-X-DISCONTINUITY-SEQUENCE:",
      "#EXT-X-VERSION:three",
      "#EXTINF:4,",
      "a.ts",
      "#EXTINF:;garbage)),",
      "b.ts",
      "#EXT-X-ENDLIST",
    ].join("\n"),
  );
  assert.equal(p.mediaSequence, 0);
  assert.equal(p.discontinuitySequence, 0);
  assert.equal(p.version, undefined);
  // No target duration: the longest EXTINF; the EXTINF that is no number: the target.
  assert.equal(p.targetDuration, 4);
  assert.deepEqual(p.segments.map((s) => [s.ref.uri, s.duration, s.mediaSequence]), [
    ["a.ts", 4, 0],
    ["b.ts", 4, 1],
  ]);
  assert.deepEqual(p.notes, [
    'EXT-X-TARGETDURATION "NaN" is not a decimal integer; ignored (line 2)',
    'EXT-X-MEDIA-SEQUENCE "-3" is not a decimal integer; ignored (line 3)',
    'EXT-X-DISCONTINUITY-SEQUENCE "" is not a decimal integer; ignored (line 4)',
    'EXT-X-VERSION "three" is not a decimal integer; ignored (line 5)',
    'EXTINF duration ";garbage))" is not a number; taken as EXT-X-TARGETDURATION (line 8)',
    "no EXT-X-TARGETDURATION; taken as 4 (the longest EXTINF)",
  ]);
});

Deno.test("without EXT-X-TARGETDURATION the longest EXTINF stands in, with a note", () => {
  const p = media("#EXTM3U\n#EXTINF:3.2,\na.ts\n#EXTINF:5.9,\nb.ts\n#EXT-X-ENDLIST\n");
  assert.equal(p.targetDuration, 6);
  assert.deepEqual(p.notes, ["no EXT-X-TARGETDURATION; taken as 6 (the longest EXTINF)"]);
});

Deno.test("unknown tags and comments stay in the lines, are no references, and are not noted", () => {
  const text = "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-CUE-OUT:DURATION=30\n" +
    '#EXT-X-ASSET:CAID=0x1,URI="nope.ts"\n#EXTINF:2,\n# a comment\n#EXT-X-CUE-IN\na.ts\n';
  const p = media(text);
  assert.deepEqual(p.refs.map((r) => r.uri), ["a.ts"]);
  assert.deepEqual(p.notes, []);
  assert.equal(p.lines.map((l) => l.text + l.eol).join(""), text);
});
