/**
 * Hand-written playlists for tests/hls_parser_diff_test.ts, each exercising features the
 * HLS model carries (written from the RFC and from the shapes players' test suites use),
 * with a `features` count so a test can check each one really holds what it is for.
 *
 * @module
 */
import type { Definitions, Playlist } from "../src/hls/playlist.ts";

/** A playlist to read with both parsers. */
export interface HandWritten {
  /** What it exercises. */
  name: string;
  /** The URL it stands at (its query feeds EXT-X-DEFINE QUERYPARAM). */
  url: string;
  /** Its text. */
  text: string;
  /** The master's definitions, for EXT-X-DEFINE IMPORT. */
  imports?: Definitions;
  /** Counts of the features it exercises, each of which must be > 0. */
  features: (p: Playlist) => Record<string, number>;
}

const BASE = "https://cdn.example/vod/";

function mediaOf(p: Playlist) {
  if (p.type !== "media") throw new Error(`${p.url} is not a media playlist`);
  return p;
}

function masterOf(p: Playlist) {
  if (p.type !== "master") throw new Error(`${p.url} is not a master playlist`);
  return p;
}

/** The playlists. */
export const HAND_WRITTEN: HandWritten[] = [
  {
    name: "byte ranges with implicit offsets, key rotation, maps, discontinuities, dates",
    url: `${BASE}v/prog.m3u8`,
    text: [
      "#EXTM3U",
      "#EXT-X-VERSION:7",
      "#EXT-X-TARGETDURATION:6",
      "#EXT-X-MEDIA-SEQUENCE:5",
      "#EXT-X-DISCONTINUITY-SEQUENCE:2",
      "#EXT-X-PLAYLIST-TYPE:VOD",
      "#EXT-X-INDEPENDENT-SEGMENTS",
      '#EXT-X-MAP:URI="main.mp4",BYTERANGE="700@0"',
      '#EXT-X-KEY:METHOD=AES-128,URI="https://keys.example/k1?id=1",' +
      "IV=0x000102030405060708090a0b0c0d0e0f",
      "#EXT-X-PROGRAM-DATE-TIME:2024-02-29T23:59:58.500Z",
      "#EXTINF:6.006,first",
      "#EXT-X-BYTERANGE:1200@700",
      "main.mp4",
      "#EXTINF:5.994,",
      "#EXT-X-BYTERANGE:1300",
      "main.mp4",
      '#EXT-X-KEY:METHOD=AES-128,URI="k2.bin"',
      "#EXT-X-BYTERANGE:900",
      "#EXTINF:6,",
      "main.mp4",
      "#EXT-X-KEY:METHOD=NONE",
      "#EXT-X-DISCONTINUITY",
      '#EXT-X-MAP:URI="../other/init.mp4"',
      "#EXT-X-PROGRAM-DATE-TIME:2024-03-01T00:00:30Z",
      "#EXTINF:4.5,",
      "../other/seg-1.m4s",
      "#EXTINF:4.5,Ünïcödé title, with a comma",
      "../other/seg-2.m4s?x=1",
      "#EXT-X-ENDLIST",
      "",
    ].join("\n"),
    features: (p) => {
      const m = mediaOf(p);
      return {
        "implicit offsets": m.lines.filter((l) => /^#EXT-X-BYTERANGE:\d+$/.test(l.text)).length,
        "keys": m.keys.length,
        "maps": m.maps.length,
        "discontinuities": m.segments.filter((s) => s.discontinuity).length,
        "dates": m.segments.filter((s) => s.programDateTime).length,
      };
    },
  },
  {
    name: "an I-frame playlist: ranges into segments, implicit offsets within one",
    url: `${BASE}v/iframes.m3u8`,
    text: [
      "#EXTM3U",
      "#EXT-X-VERSION:4",
      "#EXT-X-TARGETDURATION:4",
      "#EXT-X-PLAYLIST-TYPE:VOD",
      "#EXT-X-I-FRAMES-ONLY",
      "#EXTINF:2.002,",
      "#EXT-X-BYTERANGE:9400@376",
      "seg1.ts",
      "#EXTINF:1.998,",
      "#EXT-X-BYTERANGE:7332",
      "seg1.ts",
      "#EXTINF:4,",
      "#EXT-X-BYTERANGE:10152@564",
      "seg2.ts",
      "#EXT-X-ENDLIST",
    ].join("\n"),
    features: (p) => ({
      "I-frames-only": mediaOf(p).iFramesOnly ? 1 : 0,
      "ranges": mediaOf(p).segments.filter((s) => s.byteRange).length,
    }),
  },
  {
    name: "LL-HLS: parts with ranges, preload hints, rendition reports, skip, interstitials",
    url: "https://live.example/ll/v1/prog.m3u8",
    text: [
      "#EXTM3U",
      "#EXT-X-VERSION:10",
      "#EXT-X-TARGETDURATION:4",
      "#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,CAN-SKIP-UNTIL=24,PART-HOLD-BACK=3.012",
      "#EXT-X-PART-INF:PART-TARGET=1.004",
      "#EXT-X-MEDIA-SEQUENCE:266",
      '#EXT-X-SKIP:SKIPPED-SEGMENTS=3,RECENTLY-REMOVED-DATERANGES="one\ttwo"',
      '#EXT-X-MAP:URI="init.mp4"',
      "#EXT-X-PROGRAM-DATE-TIME:2024-01-12T10:00:00.000Z",
      '#EXT-X-DATERANGE:ID="ad1",CLASS="com.apple.hls.interstitial",' +
      'START-DATE="2024-01-12T10:00:02.000Z",DURATION=15.0,X-ASSET-URI="https://ads.example/1.m3u8",' +
      'X-RESTRICT="SKIP,JUMP"',
      '#EXT-X-DATERANGE:ID="ad2",CLASS="com.apple.hls.interstitial",' +
      'START-DATE="2024-01-12T10:00:06.000Z",X-ASSET-LIST="lists/ad2.json",END-ON-NEXT=YES',
      "#EXTINF:4.00008,",
      "fileSequence269.mp4",
      '#EXT-X-PART:DURATION=1.00001,URI="fileSequence270.mp4",BYTERANGE="20000@0",INDEPENDENT=YES',
      '#EXT-X-PART:DURATION=1.00001,URI="fileSequence270.mp4",BYTERANGE="23000"',
      '#EXT-X-PART:DURATION=1.00001,URI="fileSequence270.mp4",BYTERANGE="18000"',
      "#EXTINF:3.00003,",
      "fileSequence270.mp4",
      '#EXT-X-PART:DURATION=1.00001,URI="filePart271.0.mp4",INDEPENDENT=YES',
      '#EXT-X-PART:DURATION=1.00001,URI="filePart271.1.mp4",GAP=YES',
      '#EXT-X-PRELOAD-HINT:TYPE=PART,URI="filePart271.2.mp4"',
      '#EXT-X-PRELOAD-HINT:TYPE=MAP,URI="init2.mp4",BYTERANGE-START=100,BYTERANGE-LENGTH=50',
      '#EXT-X-RENDITION-REPORT:URI="../v2/prog.m3u8",LAST-MSN=270,LAST-PART=1',
      '#EXT-X-RENDITION-REPORT:URI="../v3/prog.m3u8",LAST-MSN=270,LAST-PART=0',
    ].join("\n"),
    features: (p) => {
      const m = mediaOf(p);
      return {
        "parts": m.parts.length,
        "part ranges": m.parts.filter((x) => x.byteRange).length,
        "preload hints": m.preloadHints.length,
        "rendition reports": m.renditionReports.length,
        "skip": m.skip ? 1 : 0,
        "asset URIs": m.dateRanges.filter((d) => d.assetUri || d.assetList).length,
      };
    },
  },
  {
    name: "a live EVENT playlist with gaps and bitrates",
    url: "https://live.example/event/prog.m3u8",
    text: [
      "#EXTM3U",
      "#EXT-X-TARGETDURATION:2",
      "#EXT-X-PLAYLIST-TYPE:EVENT",
      "#EXT-X-START:TIME-OFFSET=-6.0,PRECISE=YES",
      "#EXT-X-BITRATE:1500",
      "#EXTINF:2,",
      "a.ts",
      "#EXT-X-GAP",
      "#EXTINF:2,",
      "b.ts",
      "#EXTINF:2,",
      "c.ts",
    ].join("\n"),
    features: (p) => ({
      "gaps": mediaOf(p).segments.filter((s) => s.gap).length,
      "bitrates": mediaOf(p).segments.filter((s) => s.bitrate).length,
      "start": mediaOf(p).start ? 1 : 0,
    }),
  },
  {
    name: "what players tolerate: BOM, CRLF, blank lines, blanks around tags, EXTINF sans comma",
    url: `${BASE}tolerant.m3u8`,
    text: "\uFEFF#EXTM3U\r\n\r\n  #EXT-X-TARGETDURATION:10\r\n#EXT-X-VERSION:3\r\n\r\n" +
      "#EXTINF:10\r\n  http://example.com/00001.ts \r\n\t#EXTINF:.5,\r\n//example.com/00002.ts\r\n" +
      "#EXT-X-ENDLIST  \r\n",
    features: (p) => ({ "segments": mediaOf(p).segments.length }),
  },
  {
    name: "a master: renditions of every TYPE, I-frame variants, steering, start",
    url: `${BASE}master.m3u8`,
    text: [
      "#EXTM3U",
      "#EXT-X-VERSION:9",
      "#EXT-X-INDEPENDENT-SEGMENTS",
      "#EXT-X-START:TIME-OFFSET=12.5",
      '#EXT-X-CONTENT-STEERING:SERVER-URI="/steering?video=00012",PATHWAY-ID="CDN-A"',
      '#EXT-X-SESSION-DATA:DATA-ID="com.example.title",VALUE="Example"',
      '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aac",NAME="English",LANGUAGE="en",DEFAULT=YES,' +
      'AUTOSELECT=YES,CHANNELS="2",URI="audio/aac/en.m3u8"',
      '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aac",NAME="Deutsch",LANGUAGE="de",DEFAULT=NO,' +
      'AUTOSELECT=yes,URI="audio/aac/de.m3u8"',
      '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="ec3",NAME="English",LANGUAGE="en",ASSOC-LANGUAGE="en-US",' +
      'DEFAULT=YES,CHANNELS="16/JOC",URI="audio/ec3/en.m3u8"',
      '#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="Français forcé",LANGUAGE="fr",' +
      'FORCED=YES,AUTOSELECT=YES,CHARACTERISTICS="public.accessibility.transcribes-spoken-dialog",' +
      'URI="subs/fr-forced.m3u8"',
      '#EXT-X-MEDIA:TYPE=CLOSED-CAPTIONS,GROUP-ID="cc",NAME="English",LANGUAGE="en",' +
      'INSTREAM-ID="CC1",DEFAULT=YES,AUTOSELECT=YES',
      '#EXT-X-MEDIA:TYPE=VIDEO,GROUP-ID="cams",NAME="Angle 2",URI="video/angle2.m3u8"',
      '#EXT-X-STREAM-INF:BANDWIDTH=7680000,AVERAGE-BANDWIDTH=6000000,CODECS="avc1.640028,mp4a.40.2",' +
      'RESOLUTION=1920x1080,FRAME-RATE=29.970,HDCP-LEVEL=TYPE-0,VIDEO-RANGE=SDR,AUDIO="aac",' +
      'SUBTITLES="subs",CLOSED-CAPTIONS="cc",VIDEO="cams"',
      "video/1080/prog.m3u8",
      '#EXT-X-STREAM-INF:BANDWIDTH=12000000,CODECS="hvc1.2.4.L153.B0,ec-3",RESOLUTION=3840x2160,' +
      'FRAME-RATE=59.94,HDCP-LEVEL=TYPE-1,VIDEO-RANGE=PQ,AUDIO="ec3",CLOSED-CAPTIONS=NONE',
      "https://cdn2.example/uhd/prog.m3u8?sig=abc",
      '#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=190000,CODECS="avc1.640028",RESOLUTION=1920x1080,' +
      'VIDEO-RANGE=SDR,URI="video/1080/iframes.m3u8"',
      '#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=400000,CODECS="hvc1.2.4.L153.B0",RESOLUTION=3840x2160,' +
      'URI="https://cdn2.example/uhd/iframes.m3u8"',
    ].join("\n"),
    features: (p) => {
      const m = masterOf(p);
      const types = new Set(m.renditions.map((r) => r.type));
      return {
        "rendition types": types.size === 4 ? 1 : 0,
        "I-frame variants": m.variants.filter((v) => v.iFrame).length,
        "steering": m.contentSteering ? 1 : 0,
        "start": m.start ? 1 : 0,
      };
    },
  },
  {
    name: "a master with EXT-X-DEFINE variables in URIs and quoted strings",
    url: `${BASE}defines/master.m3u8`,
    text: [
      "#EXTM3U",
      "#EXT-X-VERSION:8",
      '#EXT-X-DEFINE:NAME="host",VALUE="media.example"',
      '#EXT-X-DEFINE:NAME="codec",VALUE="avc1.64001f"',
      '#EXT-X-DEFINE:NAME="lang",VALUE="en"',
      '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="a",NAME="main",LANGUAGE="{$lang}",' +
      'URI="https://{$host}/audio/{$lang}.m3u8"',
      '#EXT-X-STREAM-INF:BANDWIDTH=900000,CODECS="mp4a.40.2,{$codec}",AUDIO="a"',
      "https://{$host}/video/{$codec}.m3u8",
      '#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=90000,URI="https://{$host}/video/iframes.m3u8"',
    ].join("\n"),
    features: (p) => ({
      "definitions": Object.keys(masterOf(p).definitions).length,
      "substituted URIs": p.refs.filter((r) => r.uri !== r.expanded).length,
    }),
  },
  {
    name: "a media playlist importing variables and taking one from its URL's query",
    url: "https://media.example/video/avc1.64001f.m3u8?session=s42",
    imports: { host: "media.example", codec: "avc1.64001f", lang: "en" },
    text: [
      "#EXTM3U",
      "#EXT-X-VERSION:8",
      '#EXT-X-DEFINE:IMPORT="host"',
      '#EXT-X-DEFINE:QUERYPARAM="session"',
      '#EXT-X-DEFINE:NAME="dir",VALUE="segments"',
      "#EXT-X-TARGETDURATION:4",
      '#EXT-X-MAP:URI="https://{$host}/init.mp4"',
      '#EXT-X-KEY:METHOD=AES-128,URI="keys/{$session}.key",IV=0x0000000000000000000000000000000a',
      "#EXTINF:4,",
      "{$dir}/1.m4s?s={$session}",
      "#EXTINF:4,",
      "https://{$host}/{$dir}/2.m4s",
      "#EXT-X-ENDLIST",
    ].join("\n"),
    features: (p) => ({
      "definitions": Object.keys(mediaOf(p).definitions).length,
      "substituted URIs": p.refs.filter((r) => r.uri !== r.expanded).length,
    }),
  },
];
