import assert from "node:assert/strict";
import { join, resolve } from "node:path";
import { parsePlaylist, splitLines } from "../src/hls/playlist.ts";
import { applyLineEdits, rewritePlaylist } from "../src/hls/rewrite.ts";
import { maskUris, uriPairs } from "./hls_check.ts";

const EDGE = resolve(import.meta.dirname!, "fixtures", "hls-edge");

Deno.test("applyLineEdits changes only the spans asked for and keeps CRLF", () => {
  const lines = splitLines('#EXTM3U\r\n#EXT-X-MAP:URI="a.mp4",X=1  \r\na.ts  \r\n');
  const out = applyLineEdits(lines, [
    { line: 2, start: 16, end: 21, text: "hls/a.mp4" },
    { line: 3, start: 0, end: 4, text: "hls/a%20b.ts" },
  ]);
  assert.equal(out, '#EXTM3U\r\n#EXT-X-MAP:URI="hls/a.mp4",X=1  \r\nhls/a%20b.ts  \r\n');
});

Deno.test("applyLineEdits applies several edits on one line and refuses overlaps", () => {
  const lines = splitLines("abcdef");
  assert.equal(
    applyLineEdits(lines, [
      { line: 1, start: 0, end: 1, text: "X" },
      { line: 1, start: 4, end: 6, text: "YZW" },
    ]),
    "XbcdYZW",
  );
  assert.throws(
    () =>
      applyLineEdits(lines, [
        { line: 1, start: 0, end: 3, text: "X" },
        { line: 1, start: 2, end: 4, text: "Y" },
      ]),
    RangeError,
  );
});

/** Every playlist of the edge-case fixture, relative to it. */
const EDGE_PLAYLISTS = [
  "master.m3u8",
  "v720/prog.m3u8",
  "v720/iframes.m3u8",
  "v360/prog.m3u8",
  "audio/en/prog.m3u8",
  "subs/en.m3u8",
];

Deno.test("a rewrite that changes no URI gives the input back byte for byte", async () => {
  for (const name of EDGE_PLAYLISTS) {
    const text = await Deno.readTextFile(join(EDGE, name));
    const p = parsePlaylist(text, `http://127.0.0.1:8000/e/${name}`);
    const same = rewritePlaylist(p, (ref) => ref.uri);
    assert.equal(same.text, text, name);
    assert.equal(same.changed, false);
    const none = rewritePlaylist(p, () => undefined);
    assert.equal(none.text, text, name);
  }
});

Deno.test("a rewrite changes every URI it is asked to and no other byte", async () => {
  for (const name of EDGE_PLAYLISTS) {
    const text = await Deno.readTextFile(join(EDGE, name));
    const p = parsePlaylist(text, `http://127.0.0.1:8000/e/${name}`);
    const out = rewritePlaylist(p, (ref) => `local/${ref.role}/${ref.line}`);
    assert.equal(out.changed, true);
    // The independent check: masking the URIs makes the two texts equal…
    assert.equal(maskUris(out.text), maskUris(text), name);
    // …and each URI became what was asked, in order (the unknown tag's URI stays).
    const pairs = uriPairs(text, out.text).filter((x) => x.tag !== "EXT-X-UNKNOWN-TAG-FOR-TESTS");
    assert.deepEqual(
      pairs.map((x) => x.saved),
      p.refs.map((r) => `local/${r.role}/${r.line}`),
      name,
    );
  }
});

Deno.test("the CRLF master keeps its terminators, comments, blanks and unknown tags", async () => {
  const text = await Deno.readTextFile(join(EDGE, "master.m3u8"));
  assert.ok(text.includes("\r\n"));
  const p = parsePlaylist(text, "http://127.0.0.1:8000/e/master.m3u8");
  const out = rewritePlaylist(p, (ref) => `x/${ref.uri}`).text;
  const before = text.split("\r\n");
  const after = out.split("\r\n");
  assert.equal(after.length, before.length);
  for (let i = 0; i < before.length; i++) {
    const ref = p.refs.filter((r) => r.line === i + 1);
    if (ref.length === 0) assert.equal(after[i], before[i], `line ${i + 1}`);
  }
  // The variant URI line with trailing blanks keeps them.
  assert.ok(after[17].endsWith("  "));
  assert.equal(after[17], "x/v360/prog.m3u8?session=42  ");
});
