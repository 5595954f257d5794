/**
 * The plan of a 100,000-segment media playlist is lazy and compact (issue 20): its items are
 * made as they are gone through (a new object each pass, none kept), and its saved copy is
 * written as pieces of the original text; both equal what the whole plan (`planHls`) lists.
 * Structure only: no timing, no memory threshold (those are in bench/scale_bench.ts).
 */
import assert from "node:assert/strict";
import { planHls, planHlsRunnable } from "../src/hls/plan.ts";

const URL_ = "http://127.0.0.1:8000/vod/long.m3u8";
const COUNT = 100_000;

/** A VOD playlist of `count` one-second segments, one init section. */
function longPlaylist(count: number): string {
  const lines = [
    "#EXTM3U",
    "#EXT-X-VERSION:7",
    "#EXT-X-TARGETDURATION:1",
    "#EXT-X-PLAYLIST-TYPE:VOD",
    '#EXT-X-MAP:URI="seg/init.mp4"',
  ];
  for (let n = 1; n <= count; n++) lines.push("#EXTINF:1.000000,", `seg/s-${n}.m4s`);
  lines.push("#EXT-X-ENDLIST", "");
  return lines.join("\n");
}

const noFetch = () => Promise.reject(new Error("a media playlist has nothing to fetch"));

Deno.test("100,000 segments: items are made as they are gone through, never kept", async () => {
  const text = longPlaylist(COUNT);
  const { plan } = await planHlsRunnable({ text, url: URL_ }, noFetch);
  assert.ok(!Array.isArray(plan.items), "the items are a lazy source, not a list");
  assert.equal(plan.items.length, COUNT + 1);
  assert.equal(plan.tracks?.[0].files, COUNT + 1);

  const first = [...plan.items];
  const second = [...plan.items];
  assert.equal(first.length, COUNT + 1);
  // A segment's item is made anew on every pass: nothing holds 100,000 of them.
  assert.notEqual(first[500], second[500]);
  assert.deepEqual(first[500], second[500]);
  assert.deepEqual(first[0], {
    url: "http://127.0.0.1:8000/vod/seg/init.mp4",
    path: "hls/seg/init.mp4",
    kind: "init",
    track: "long.m3u8",
  });
  assert.deepEqual(first[COUNT], {
    url: `http://127.0.0.1:8000/vod/seg/s-${COUNT}.m4s`,
    path: `hls/seg/s-${COUNT}.m4s`,
    kind: "media",
    track: "long.m3u8",
  });
  assert.equal(new Set(first.map((i) => i.path)).size, COUNT + 1);
  for (let n = 1; n <= COUNT; n += 9973) {
    assert.equal(first[n].url, `http://127.0.0.1:8000/vod/seg/s-${n}.m4s`);
    assert.equal(first[n].path, `hls/seg/s-${n}.m4s`);
  }
});

Deno.test("100,000 segments: the saved copy comes as pieces of the original text", async () => {
  const text = longPlaylist(COUNT);
  const { plan } = await planHlsRunnable({ text, url: URL_ }, noFetch);
  assert.equal(plan.manifests.length, 1);
  const saved = plan.manifests[0];
  assert.equal(typeof saved.text, "function", "the text is made while it is written");
  assert.equal(saved.original, text, "the original is the text as fetched, not a copy");
  const pieces = [...(saved.text as () => Iterable<string>)()];
  assert.ok(pieces.length > COUNT, `${pieces.length} pieces`);
  // Every URI line and the map's URI get the folder of the local copies; nothing else moves.
  const expected = text.replace(/^seg\//gm, "hls/seg/").replace('URI="seg/', 'URI="hls/seg/');
  assert.equal(pieces.join(""), expected);
});

Deno.test("the lazy plan and the whole plan agree (items, texts, tracks)", async () => {
  const text = longPlaylist(2_000);
  const lazy = await planHlsRunnable({ text, url: URL_ }, noFetch);
  const whole = await planHls({ text, url: URL_ }, noFetch);
  assert.deepEqual([...lazy.plan.items], whole.plan.items);
  assert.equal(
    [...(lazy.plan.manifests[0].text as () => Iterable<string>)()].join(""),
    whole.plan.manifests[0].text,
  );
  assert.deepEqual(whole.plan.tracks, [{ id: "long.m3u8", label: undefined }]);
  // The playlists are parsed in full only when asked for (the live recorder asks).
  const [p] = whole.playlists;
  assert.equal(p.type === "media" && p.segments.length, 2_000);
});

Deno.test("a URI planned plain, met again with a byte range: one item with that range", async () => {
  const text = [
    "#EXTM3U",
    "#EXT-X-TARGETDURATION:2",
    "#EXTINF:2,",
    "a.ts",
    "#EXTINF:2,",
    "b.ts",
    "#EXT-X-BYTERANGE:100@0",
    "#EXTINF:2,",
    "a.ts",
    "#EXT-X-ENDLIST",
    "",
  ].join("\n");
  const { plan } = await planHls({ text, url: URL_ }, noFetch);
  assert.deepEqual(plan.items.map((i) => [i.path, i.ranges]), [
    ["hls/a.ts", [{ start: 0, end: 99 }]],
    ["hls/b.ts", undefined],
  ]);
  assert.equal(
    plan.manifests[0].text,
    text.replace(/^a\.ts$/gm, "hls/a.ts").replace(/^b\.ts$/m, "hls/b.ts"),
  );
});
