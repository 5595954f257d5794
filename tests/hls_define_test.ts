import assert from "node:assert/strict";
import { InputError } from "../src/errors.ts";
import {
  type MasterPlaylist,
  type MediaPlaylist,
  type ParseOptions,
  parsePlaylist,
} from "../src/hls/playlist.ts";
import { rewritePlaylist } from "../src/hls/rewrite.ts";

const MASTER_URL = "https://cdn.example/show/master.m3u8";

const MASTER = [
  "#EXTM3U",
  '#EXT-X-DEFINE:NAME="host",VALUE="media.example"',
  '#EXT-X-DEFINE:NAME="v",VALUE="avc1.64001f"',
  '#EXT-X-DEFINE:NAME="base",VALUE="https://{$host}/show"', // a value may use earlier ones
  '#EXT-X-DEFINE:NAME="two",VALUE="2"',
  '#EXT-X-SESSION-KEY:METHOD=SAMPLE-AES,URI="{$base}/k.key",IV=0x0000000{$two}',
  '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud-{$two}",NAME="en",URI="{$base}/a/{$two}.m3u8"',
  '#EXT-X-STREAM-INF:BANDWIDTH=1,CODECS="mp4a.40.2,{$v}",AUDIO="aud-{$two}"',
  "{$base}/v/{$v}.m3u8",
  "#EXT-X-STREAM-INF:BANDWIDTH=2",
  "v/plain.m3u8?a={$two}&b={$two}",
].join("\n");

function parse(text: string, url: string, options?: ParseOptions) {
  return parsePlaylist(text, url, options);
}

Deno.test("EXT-X-DEFINE NAME/VALUE: URI lines, quoted strings and hex sequences are substituted", () => {
  const p = parse(MASTER, MASTER_URL) as MasterPlaylist;
  assert.equal(p.type, "master");
  assert.deepEqual(p.definitions, {
    host: "media.example",
    v: "avc1.64001f",
    base: "https://media.example/show",
    two: "2",
  });
  assert.equal(p.sessionKeys[0].iv, "0x00000002");
  assert.equal(p.sessionKeys[0].ref!.url, "https://media.example/show/k.key");
  assert.equal(p.renditions[0].groupId, "aud-2");
  assert.equal(p.variants[0].codecs, "mp4a.40.2,avc1.64001f");
  assert.equal(p.variants[0].groups.audio, "aud-2");
  // Each reference keeps the URI as written, and its span (what a rewrite replaces), and
  // gives the URI after substitution and the URL it resolves to.
  const lines = MASTER.split("\n");
  assert.deepEqual(
    p.refs.map((r) => [r.role, r.uri, r.expanded, r.url]),
    [
      [
        "session-key",
        "{$base}/k.key",
        "https://media.example/show/k.key",
        "https://media.example/show/k.key",
      ],
      [
        "rendition",
        "{$base}/a/{$two}.m3u8",
        "https://media.example/show/a/2.m3u8",
        "https://media.example/show/a/2.m3u8",
      ],
      [
        "variant",
        "{$base}/v/{$v}.m3u8",
        "https://media.example/show/v/avc1.64001f.m3u8",
        "https://media.example/show/v/avc1.64001f.m3u8",
      ],
      [
        "variant",
        "v/plain.m3u8?a={$two}&b={$two}",
        "v/plain.m3u8?a=2&b=2",
        "https://cdn.example/show/v/plain.m3u8?a=2&b=2",
      ],
    ],
  );
  for (const r of p.refs) assert.equal(lines[r.line - 1].slice(r.start, r.end), r.uri);
  // A rewrite replaces the reference as written, variables and all.
  const out = rewritePlaylist(p, (r) => `local/${r.role}.m3u8`).text.split("\n");
  assert.equal(out[8], "local/variant.m3u8");
  assert.equal(
    out[6],
    '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="aud-{$two}",NAME="en",URI="local/rendition.m3u8"',
  );
});

Deno.test("EXT-X-DEFINE IMPORT takes the master's definitions; QUERYPARAM the URL's query", () => {
  const m = parse(MASTER, MASTER_URL) as MasterPlaylist;
  const text = [
    "#EXTM3U",
    '#EXT-X-DEFINE:IMPORT="base"',
    '#EXT-X-DEFINE:QUERYPARAM="token"',
    '#EXT-X-DEFINE:QUERYPARAM="q"',
    "#EXT-X-TARGETDURATION:4",
    '#EXT-X-MAP:URI="{$base}/init.mp4?t={$token}"',
    "#EXTINF:4,",
    "seg1.ts?t={$token}",
    "#EXTINF:4,",
    "{$q}.ts",
    "#EXT-X-ENDLIST",
  ].join("\n");
  const url = "https://media.example/show/v/a.m3u8?token=s%20e%2Fc&q=%7B%24x%7D";
  const p = parse(text, url, { imports: m.definitions }) as MediaPlaylist;
  assert.deepEqual(p.definitions, {
    base: "https://media.example/show",
    token: "s e/c",
    q: "{$x}",
  });
  assert.equal(p.maps[0].ref.expanded, "https://media.example/show/init.mp4?t=s e/c");
  assert.equal(p.segments[0].ref.uri, "seg1.ts?t={$token}");
  assert.equal(p.segments[0].ref.url, "https://media.example/show/v/seg1.ts?t=s%20e/c");
  // Substitution happens once: a value holding "{$x}" is not substituted again.
  assert.equal(p.segments[1].ref.expanded, "{$x}.ts");
});

/** [what, playlist, options, line, message] */
const BAD: [string, string, ParseOptions, number, RegExp][] = [
  [
    "a reference before its definition",
    '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1,CODECS="{$c}"\nv.m3u8\n' +
    '#EXT-X-DEFINE:NAME="c",VALUE="avc1"\n',
    {},
    2,
    /variable reference \{\$c\} names a variable no EXT-X-DEFINE before it defines \(column 39\)/,
  ],
  [
    "names are case-sensitive",
    '#EXTM3U\n#EXT-X-DEFINE:NAME="Host",VALUE="h"\n#EXT-X-STREAM-INF:BANDWIDTH=1\n' +
    "https://{$host}/v.m3u8\n",
    {},
    4,
    /\{\$host\} names a variable no EXT-X-DEFINE before it defines \(column 9\)/,
  ],
  [
    "a name defined twice",
    '#EXTM3U\n#EXT-X-DEFINE:NAME="a",VALUE="1"\n#EXT-X-DEFINE:NAME="a",VALUE="2"\n',
    {},
    3,
    /EXT-X-DEFINE defines the variable "a" twice \(column 21\)/,
  ],
  [
    "NAME without VALUE",
    '#EXTM3U\n#EXT-X-DEFINE:NAME="a"\n',
    {},
    2,
    /EXT-X-DEFINE NAME="a" has no VALUE attribute/,
  ],
  [
    "NAME and IMPORT together",
    '#EXTM3U\n#EXT-X-DEFINE:NAME="a",VALUE="1",IMPORT="b"\n',
    { imports: { b: "x" } },
    2,
    /EXT-X-DEFINE must have exactly one of NAME, IMPORT and QUERYPARAM, not NAME and IMPORT/,
  ],
  [
    "none of NAME, IMPORT, QUERYPARAM",
    '#EXTM3U\n#EXT-X-DEFINE:VALUE="1"\n',
    {},
    2,
    /EXT-X-DEFINE must have exactly one of NAME, IMPORT and QUERYPARAM$/,
  ],
  [
    "a name with other characters",
    '#EXTM3U\n#EXT-X-DEFINE:NAME="a.b",VALUE="1"\n',
    {},
    2,
    /variable name "a\.b" may only hold letters, digits, "-" and "_"/,
  ],
  [
    "IMPORT without the master's definitions",
    '#EXTM3U\n#EXT-X-DEFINE:IMPORT="base"\n#EXT-X-TARGETDURATION:2\n',
    {},
    2,
    /IMPORT="base": no master playlist definitions to import from/,
  ],
  [
    "IMPORT of a name the master does not define",
    '#EXTM3U\n#EXT-X-DEFINE:IMPORT="base"\n#EXT-X-TARGETDURATION:2\n',
    { imports: { other: "x" } },
    2,
    /IMPORT="base": the master playlist defines no such variable/,
  ],
  [
    "IMPORT in a master playlist",
    '#EXTM3U\n#EXT-X-DEFINE:IMPORT="base"\n#EXT-X-STREAM-INF:BANDWIDTH=1\nv.m3u8\n',
    { imports: { base: "x" } },
    2,
    /IMPORT may only appear in a media playlist/,
  ],
  [
    "QUERYPARAM the URL does not have",
    '#EXTM3U\n#EXT-X-DEFINE:QUERYPARAM="token"\n',
    {},
    2,
    /QUERYPARAM="token": the playlist URL has no "token" query parameter with a value/,
  ],
  [
    "an undefined variable in a hexadecimal sequence",
    '#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-KEY:METHOD=AES-128,URI="k",IV=0x{$iv}\n',
    {},
    3,
    /\{\$iv\} names a variable no EXT-X-DEFINE before it defines \(column 40\)/,
  ],
];

for (const [what, text, options, line, message] of BAD) {
  Deno.test(`EXT-X-DEFINE errors name the URL and line: ${what}`, () => {
    const url = "https://cdn.example/x/p.m3u8?other=1&token=";
    assert.throws(
      () => parse(text, url, options),
      (err: unknown) => {
        assert.ok(err instanceof InputError, String(err));
        assert.equal(err.where, `${url}: line ${line}`);
        assert.match(err.message, message);
        return true;
      },
    );
  });
}

Deno.test("without EXT-X-DEFINE, text that only looks like a reference is kept", () => {
  const p = parse(
    "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\na{$}b{c}.ts\n#EXT-X-ENDLIST\n",
    MASTER_URL,
  ) as MediaPlaylist;
  assert.equal(p.segments[0].ref.expanded, "a{$}b{c}.ts");
  assert.deepEqual(p.definitions, {});
});
