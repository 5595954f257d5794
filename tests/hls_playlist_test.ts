import assert from "node:assert/strict";
import { join, relative, resolve } from "node:path";
import { Parser } from "m3u8-parser";
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

/** Every .m3u8 of the HLS fixtures (hand-written, ffmpeg-made and reference copies). */
async function fixturePlaylists(): Promise<string[]> {
  const out: string[] = [];
  const walk = async (dir: string) => {
    for await (const e of Deno.readDir(dir)) {
      const p = join(dir, e.name);
      if (e.isDirectory) await walk(p);
      else if (e.name.endsWith(".m3u8")) out.push(p);
    }
  };
  for (const top of [FIXTURES, join(FIXTURES, "reference")]) {
    for await (const e of Deno.readDir(top)) {
      if (e.isDirectory && e.name.startsWith("hls-")) await walk(join(top, e.name));
    }
  }
  return out.sort();
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

Deno.test("non-ASCII titles and URIs are read (hls-parser gets UTF-8 bytes)", () => {
  const p = media(
    "#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:4,Café 東京\nvidéo/東京 1.ts\n#EXT-X-ENDLIST\n",
  );
  assert.equal(p.segments[0].ref.uri, "vidéo/東京 1.ts");
  assert.equal(
    p.segments[0].ref.url,
    "http://127.0.0.1:8000/vod/vid%C3%A9o/%E6%9D%B1%E4%BA%AC%201.ts",
  );
});

Deno.test("what hls-parser finds non-conforming but usable becomes a note", () => {
  const p = media("#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:5,\na.ts\n#EXT-X-ENDLIST\n");
  assert.equal(p.segments.length, 1);
  assert.equal(p.notes.length, 1);
  assert.match(p.notes[0], /^hls-parser tolerated: EXTINF duration/);
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
    "variable substitution",
    '#EXTM3U\n#EXT-X-DEFINE:NAME="p",VALUE="x"\n#EXT-X-STREAM-INF:BANDWIDTH=1\n{$p}/v.m3u8\n',
    4,
    /variable substitution/,
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

// --- differential test against m3u8-parser ---------------------------------------------

/** The parts of m3u8-parser's manifest the comparison reads. */
interface M3u8Manifest {
  segments?: {
    uri: string;
    duration: number;
    discontinuity?: boolean;
    byterange?: { length: number; offset: number };
    map?: { uri: string; byterange?: { length: number; offset: number } };
    key?: { method: string; uri: string; iv?: Uint32Array };
  }[];
  playlists?: { uri: string; attributes: Record<string, unknown> }[];
  iFramePlaylists?: { uri?: string; attributes: Record<string, unknown> }[];
  mediaGroups?: Record<string, Record<string, Record<string, Record<string, unknown>>>>;
  endList?: boolean;
  playlistType?: string;
  targetDuration?: number;
}

function m3u8Parse(text: string): M3u8Manifest {
  const parser = new Parser();
  parser.push(text);
  parser.end();
  return parser.manifest as M3u8Manifest;
}

function ivHex(iv: Uint32Array | undefined): string | undefined {
  return iv && [...iv].map((n) => n.toString(16).padStart(8, "0")).join("");
}

function compareMedia(ours: MediaPlaylist, theirs: M3u8Manifest): void {
  const segs = theirs.segments ?? [];
  assert.equal(ours.segments.length, segs.length, "segment count");
  ours.segments.forEach((s, i) => {
    const t = segs[i];
    const at = `segment ${i} (line ${s.ref.line})`;
    assert.equal(s.ref.uri, t.uri, `${at}: URI`);
    assert.equal(s.duration, t.duration, `${at}: duration`);
    assert.equal(s.discontinuity, t.discontinuity === true, `${at}: discontinuity`);
    assert.deepEqual(s.byteRange, t.byterange, `${at}: byte range`);
    assert.equal(s.map?.ref.uri, t.map?.uri, `${at}: map`);
    assert.deepEqual(s.map?.byteRange, t.map?.byterange, `${at}: map byte range`);
    // m3u8-parser keeps only keys of the identity format on segments.
    const key = s.key && (s.key.keyFormat ?? "identity") === "identity" ? s.key : undefined;
    assert.equal(key?.method, t.key?.method, `${at}: key method`);
    assert.equal(key?.ref?.uri, t.key?.uri, `${at}: key URI`);
    const iv = key?.iv?.replace(/^0x/i, "").toLowerCase().padStart(32, "0");
    assert.equal(iv, ivHex(t.key?.iv), `${at}: key IV`);
  });
  assert.equal(ours.endList, theirs.endList === true, "ENDLIST");
  assert.equal(ours.playlistType, theirs.playlistType, "PLAYLIST-TYPE");
  assert.equal(ours.targetDuration, theirs.targetDuration, "TARGETDURATION");
}

function num(value: unknown): number | undefined {
  return value === undefined ? undefined : Number(value);
}

function compareMaster(ours: MasterPlaylist, theirs: M3u8Manifest): void {
  const variants = ours.variants.filter((v) => !v.iFrame);
  const frames = ours.variants.filter((v) => v.iFrame);
  const playlists = theirs.playlists ?? [];
  assert.equal(variants.length, playlists.length, "variant count");
  variants.forEach((v, i) => {
    const a = playlists[i].attributes;
    assert.equal(v.ref.uri, playlists[i].uri, `variant ${i}: URI`);
    assert.equal(v.bandwidth, a.BANDWIDTH, `variant ${i}: BANDWIDTH`);
    // m3u8-parser leaves AVERAGE-BANDWIDTH of EXT-X-STREAM-INF a string.
    assert.equal(
      v.averageBandwidth,
      num(a["AVERAGE-BANDWIDTH"]),
      `variant ${i}: AVERAGE-BANDWIDTH`,
    );
    assert.equal(v.codecs, a.CODECS, `variant ${i}: CODECS`);
    assert.deepEqual(v.resolution, a.RESOLUTION, `variant ${i}: RESOLUTION`);
    assert.equal(v.frameRate, a["FRAME-RATE"], `variant ${i}: FRAME-RATE`);
    assert.equal(v.groups.audio, a.AUDIO, `variant ${i}: AUDIO`);
    assert.equal(v.groups.video, a.VIDEO, `variant ${i}: VIDEO`);
    assert.equal(v.groups.subtitles, a.SUBTITLES, `variant ${i}: SUBTITLES`);
    assert.equal(v.groups.closedCaptions, a["CLOSED-CAPTIONS"], `variant ${i}: CLOSED-CAPTIONS`);
  });
  const iframes = theirs.iFramePlaylists ?? [];
  assert.deepEqual(frames.map((v) => v.ref.uri), iframes.map((f) => f.uri), "I-frame URIs");
  assert.deepEqual(
    frames.map((v) => v.bandwidth),
    iframes.map((f) => f.attributes.BANDWIDTH),
    "I-frame bandwidths",
  );
  // Renditions, in m3u8-parser's shape: TYPE → GROUP-ID → NAME → properties.
  const groups: Record<string, Record<string, Record<string, Record<string, unknown>>>> = {};
  for (const r of ours.renditions) {
    const props: Record<string, unknown> = {
      // m3u8-parser sets AUTOSELECT for a DEFAULT rendition, as RFC 8216 requires.
      default: r.isDefault,
      autoselect: r.autoselect || r.isDefault,
    };
    if (r.language !== undefined) props.language = r.language;
    if (r.ref) props.uri = r.ref.uri;
    ((groups[r.type] ??= {})[r.groupId] ??= {})[r.name] = props;
  }
  const theirGroups: typeof groups = {};
  for (const [type, byGroup] of Object.entries(theirs.mediaGroups ?? {})) {
    for (const [group, byName] of Object.entries(byGroup)) {
      for (const [name, r] of Object.entries(byName)) {
        const props: Record<string, unknown> = { default: r.default, autoselect: r.autoselect };
        if (r.language !== undefined) props.language = r.language;
        if (r.uri !== undefined) props.uri = r.uri;
        ((theirGroups[type] ??= {})[group] ??= {})[name] = props;
      }
    }
  }
  assert.deepEqual(groups, theirGroups, "renditions");
}

Deno.test("differential: every fixture playlist reads the same with m3u8-parser", async (t) => {
  const files = await fixturePlaylists();
  assert.ok(files.length >= 10, `only ${files.length} fixture playlists found`);
  for (const file of files) {
    await t.step(relative(FIXTURES, file), async () => {
      const text = await Deno.readTextFile(file);
      const ours = parsePlaylist(text, new URL(`file://${file}`).href);
      const theirs = m3u8Parse(text);
      if (ours.type === "media") compareMedia(ours, theirs);
      else compareMaster(ours, theirs);
    });
  }
});
