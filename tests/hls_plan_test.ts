import assert from "node:assert/strict";
import { join, resolve } from "node:path";
import { InputError } from "../src/errors.ts";
import { type FetchPlaylist, planHls } from "../src/hls/plan.ts";
import { HttpError } from "../src/net/http.ts";

const FIXTURES = resolve(import.meta.dirname!, "fixtures");
const ORIGIN = "http://127.0.0.1:8000/";

/** Serves fixture files (and extra texts) as playlists; counts what is asked for. */
function fixtureFetcher(extra: Record<string, string> = {}) {
  const asked: string[] = [];
  const fetch: FetchPlaylist = async (url) => {
    asked.push(url);
    const path = decodeURIComponent(new URL(url).pathname);
    if (path in extra) return { text: extra[path], url };
    return { text: await Deno.readTextFile(join(FIXTURES, path)), url };
  };
  return { fetch, asked };
}

async function source(path: string) {
  return { text: await Deno.readTextFile(join(FIXTURES, path)), url: `${ORIGIN}${path}` };
}

Deno.test("edge-case master: every playlist fetched once, every resource once, in hls/", async () => {
  const f = fixtureFetcher();
  const { plan, playlists } = await planHls(await source("hls-edge/master.m3u8"), f.fetch);
  // v720/prog.m3u8 is both a VIDEO rendition and a variant: fetched once.
  assert.deepEqual(f.asked.map((u) => u.slice(ORIGIN.length)).sort(), [
    "hls-edge/audio/de/prog.m3u8",
    "hls-edge/audio/en/prog.m3u8",
    "hls-edge/subs/en.m3u8",
    "hls-edge/v360/prog.m3u8?session=42",
    "hls-edge/v720/iframes.m3u8",
    "hls-edge/v720/prog.m3u8",
  ]);
  assert.equal(playlists.length, 7);
  assert.deepEqual(plan.manifests.map((m) => m.path), [
    "master.m3u8",
    "audio/en/prog.m3u8",
    "audio/de/prog.m3u8",
    "subs/en.m3u8",
    "v720/prog.m3u8",
    "v360/prog.m3u8",
    "v720/iframes.m3u8",
  ]);
  const byPath = new Map(plan.items.map((i) => [i.path, i]));
  assert.equal(byPath.size, plan.items.length);
  assert.equal(new Set(plan.items.map((i) => i.url)).size, plan.items.length);
  assert.deepEqual([...byPath.keys()].sort(), [
    "hls/audio/de/a1.m4s",
    "hls/audio/de/a2.m4s",
    "hls/audio/de/init.mp4",
    "hls/audio/en/a1.m4s",
    "hls/audio/en/a2.m4s",
    "hls/audio/en/init.mp4",
    "hls/keys/rotate.key",
    "hls/keys/session.key",
    "hls/meta/title.json",
    "hls/shared/slate.m4s",
    "hls/subs/en-1.vtt",
    "hls/subs/en-2.vtt",
    "hls/v360/seg1.m4s",
    "hls/v360/seg2.m4s",
    "hls/v720/init.mp4",
    "hls/v720/seg1.m4s",
    "hls/v720/seg2.m4s",
    "hls/v720/single.mp4",
  ]);
  const item = (p: string) => byPath.get(p)!;
  assert.equal(item("hls/v360/seg1.m4s").url, `${ORIGIN}hls-edge/v360/seg1.m4s?token=abc`);
  assert.equal(item("hls/keys/rotate.key").url, `${ORIGIN}hls-edge/keys/rotate.key?epoch=2`);
  assert.deepEqual(
    [
      "hls/keys/rotate.key",
      "hls/keys/session.key",
      "hls/meta/title.json",
      "hls/subs/en-1.vtt",
      "hls/v720/init.mp4",
      "hls/v720/seg1.m4s",
    ].map((p) => item(p).kind),
    ["key", "key", "other", "subtitle", "init", "media"],
  );
  // A single file addressed by ranges: the map's range and every segment's, once each.
  assert.deepEqual(item("hls/v720/single.mp4").ranges, [
    { start: 0, end: 99 },
    { start: 100, end: 299 },
    { start: 300, end: 449 },
    { start: 450, end: 569 },
  ]);
  // The I-frame playlist's ranges land on the 720p segments it shares.
  assert.deepEqual(item("hls/v720/seg1.m4s").ranges, [{ start: 0, end: 499 }]);
  // The FairPlay session key stays as it is, with a note naming its line.
  assert.equal(plan.notes.length, 1);
  assert.match(plan.notes[0], /KEYFORMAT=com\.apple\.streamingkeydelivery with a skd: URI/);
  assert.match(plan.notes[0], /hls-edge\/master\.m3u8: line 8\)$/);
  const master = plan.manifests[0];
  assert.ok(master.text.includes('URI="skd://fairplay.example/session"'));
  assert.ok(master.text.includes('#EXT-X-SESSION-KEY:METHOD=AES-128,URI="hls/keys/session.key"'));
  assert.equal(master.original, await Deno.readTextFile(join(FIXTURES, "hls-edge/master.m3u8")));
  const v720 = plan.manifests.find((m) => m.path === "v720/prog.m3u8")!;
  assert.ok(v720.text.includes('#EXT-X-MAP:URI="../hls/v720/init.mp4"\n'));
  assert.ok(v720.text.includes("\n../hls/v720/seg1.m4s\n"));
});

Deno.test("a media playlist given directly: saved at the top, segments under hls/", async () => {
  const f = fixtureFetcher();
  const { plan } = await planHls(await source("reference/hls-byterange/index.m3u8"), f.fetch);
  assert.equal(f.asked.length, 0);
  assert.deepEqual(plan.manifests.map((m) => m.path), ["index.m3u8"]);
  assert.deepEqual(plan.items.map((i) => [i.path, i.kind, i.ranges?.length]), [
    ["hls/index.m4s", "init", 4],
  ]);
});

Deno.test("playlist names get .m3u8; the same name with another query gets its own file", async () => {
  const variant = "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\nseg.ts\n#EXT-X-ENDLIST\n";
  const f = fixtureFetcher({ "/live/playlist.php": variant });
  const { plan } = await planHls({
    text: "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nplaylist.php?v=1\n" +
      "#EXT-X-STREAM-INF:BANDWIDTH=2\nplaylist.php?v=2\n",
    url: `${ORIGIN}live/stream?id=7`,
  }, f.fetch);
  const paths = plan.manifests.map((m) => m.path);
  assert.equal(paths[0], "stream.m3u8");
  assert.equal(paths[1], "playlist.php.m3u8");
  assert.match(paths[2], /^playlist\.php~[0-9a-f]{8}\.m3u8$/);
  assert.ok(plan.manifests[0].text.includes(`\n${paths[2]}\n`));
  // Both variants name the same segment URL: one item.
  assert.deepEqual(plan.items.map((i) => i.path), ["hls/seg.ts"]);
});

Deno.test("DRM keys (skd:, data:, another KEYFORMAT) stay as they are, with a note", async () => {
  const text = [
    "#EXTM3U",
    "#EXT-X-VERSION:5",
    "#EXT-X-TARGETDURATION:2",
    '#EXT-X-KEY:METHOD=SAMPLE-AES,URI="skd://k1",KEYFORMAT="com.apple.streamingkeydelivery"',
    '#EXT-X-KEY:METHOD=SAMPLE-AES-CTR,URI="data:text/plain;base64,AAAA",KEYFORMAT="urn:uuid:edef8ba9-79d6-4ace-a3c8-27dcd51d21ed"',
    '#EXT-X-KEY:METHOD=SAMPLE-AES,URI="https://license.example/pr",KEYFORMAT="com.microsoft.playready"',
    "#EXTINF:2,",
    "a.ts",
    '#EXT-X-KEY:METHOD=AES-128,URI="k.bin"',
    "#EXTINF:2,",
    "b.ts",
    "#EXT-X-ENDLIST",
    "",
  ].join("\n");
  const { plan } = await planHls({ text, url: `${ORIGIN}d/index.m3u8` }, fixtureFetcher().fetch);
  assert.deepEqual(plan.items.map((i) => [i.path, i.kind]), [
    ["hls/a.ts", "media"],
    ["hls/k.bin", "key"],
    ["hls/b.ts", "media"],
  ]);
  assert.equal(plan.notes.length, 3);
  assert.match(plan.notes[0], /skd: URI .*line 4\)$/);
  assert.match(plan.notes[1], /data: URI .*line 5\)$/);
  assert.match(plan.notes[2], /KEYFORMAT=com\.microsoft\.playready with a https: URI/);
  const saved = plan.manifests[0].text.split("\n");
  assert.deepEqual(saved.slice(3, 6), text.split("\n").slice(3, 6));
  assert.equal(saved[8], '#EXT-X-KEY:METHOD=AES-128,URI="hls/k.bin"');
});

async function rejects(
  text: string,
  url: string,
  where: string,
  message: RegExp,
  extra: Record<string, string> = {},
) {
  await assert.rejects(
    () => planHls({ text, url }, fixtureFetcher(extra).fetch),
    (err: unknown) => {
      assert.ok(err instanceof InputError, String(err));
      assert.equal(err.where, where);
      assert.match(err.message, message);
      return true;
    },
  );
}

Deno.test("file: and data: resource URIs in a remote playlist are refused with URL and line", async () => {
  const url = `${ORIGIN}x/index.m3u8`;
  await rejects(
    "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\nfile:///etc/passwd\n#EXT-X-ENDLIST\n",
    url,
    `${url}: line 4`,
    /segment URI "file:\/\/\/etc\/passwd" uses the unsupported scheme "file:"/,
  );
  await rejects(
    '#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-MAP:URI="data:video/mp4;base64,AAAA"\n' +
      "#EXTINF:2,\na.m4s\n#EXT-X-ENDLIST\n",
    url,
    `${url}: line 3`,
    /EXT-X-MAP URI .* "data:"/,
  );
  await rejects(
    '#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-KEY:METHOD=AES-128,URI="file:///k.key"\n' +
      "#EXTINF:2,\na.ts\n#EXT-X-ENDLIST\n",
    url,
    `${url}: line 3`,
    /EXT-X-KEY URI "file:\/\/\/k.key"/,
  );
  await rejects(
    "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nfile:///tmp/v.m3u8\n",
    url,
    `${url}: line 3`,
    /media playlist URI "file:\/\/\/tmp\/v.m3u8"/,
  );
});

Deno.test("a local playlist without --base-url: the error says how to fix it", async () => {
  await rejects(
    "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\na.ts\n#EXT-X-ENDLIST\n",
    "file:///tmp/x/index.m3u8",
    "file:///tmp/x/index.m3u8: line 4",
    /give --base-url/,
  );
});

Deno.test("live playlists are refused, naming the playlist and its last line", async () => {
  const url = `${ORIGIN}live/index.m3u8`;
  await rejects(
    "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\na.ts\n\n",
    url,
    `${url}: line 4`,
    /a live playlist \(no EXT-X-ENDLIST and not EXT-X-PLAYLIST-TYPE:VOD\)/,
  );
  await rejects(
    "#EXTM3U\n#EXT-X-PLAYLIST-TYPE:EVENT\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\na.ts\n",
    url,
    `${url}: line 5`,
    /a live playlist/,
  );
  // …also behind a master, where the media playlist is named.
  await rejects(
    "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nv/index.m3u8\n",
    `${ORIGIN}live/master.m3u8`,
    `${ORIGIN}live/v/index.m3u8: line 4`,
    /a live playlist/,
    { "/live/v/index.m3u8": "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\na.ts\n" },
  );
  // PLAYLIST-TYPE:VOD without ENDLIST is VOD.
  const { plan } = await planHls(
    { text: "#EXTM3U\n#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\na.ts\n", url },
    fixtureFetcher().fetch,
  );
  assert.equal(plan.items.length, 1);
});

Deno.test("bad input in one media playlist fails that playlist only, naming its URL and line", async () => {
  const master = "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nv/index.m3u8\n" +
    "#EXT-X-STREAM-INF:BANDWIDTH=2\nw/index.m3u8\n";
  const good = "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXTINF:2,\nb.ts\n#EXT-X-ENDLIST\n";
  for (
    const [bad, pattern] of [
      [
        "#EXTM3U\n#EXT-X-TARGETDURATION:2\n#EXT-X-BYTERANGE:@0\n#EXTINF:2,\na.ts\n#EXT-X-ENDLIST\n",
        /m\/v\/index\.m3u8: line 3: EXT-X-BYTERANGE must be <length>\[@<offset>\] with a length/,
      ],
      [
        "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nw.m3u8\n",
        /is a master playlist; a variant or rendition must be a media playlist/,
      ],
    ] as const
  ) {
    const f = fixtureFetcher({ "/m/v/index.m3u8": bad, "/m/w/index.m3u8": good });
    const { plan } = await planHls({ text: master, url: `${ORIGIN}m/master.m3u8` }, f.fetch);
    assert.deepEqual(plan.items.map((i) => i.path), ["hls/w/b.ts"]);
    assert.equal(plan.failures?.length, 1);
    assert.equal(plan.failures![0].url, `${ORIGIN}m/v/index.m3u8`);
    assert.match(plan.failures![0].reason, /master\.m3u8: line 3/);
    assert.match(plan.failures![0].reason, pattern);
    assert.deepEqual(plan.manifests.map((m) => m.path), ["master.m3u8", "w/index.m3u8"]);
  }
});

Deno.test("a media playlist that cannot be fetched fails that playlist only, naming the master line", async () => {
  const failing: FetchPlaylist = (url) =>
    url.includes("/v/")
      ? Promise.reject(new HttpError("HTTP 404 Not Found", { status: 404, retryable: false }))
      : Promise.resolve({ text: "#EXTM3U\n#EXTINF:2,\nb.ts\n#EXT-X-ENDLIST\n", url });
  const { plan } = await planHls({
    text: "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-STREAM-INF:BANDWIDTH=1\nv/index.m3u8\n" +
      "#EXT-X-STREAM-INF:BANDWIDTH=2\nw/index.m3u8\n",
    url: `${ORIGIN}m/master.m3u8`,
  }, failing);
  assert.deepEqual(plan.failures?.map((f) => f.url), [`${ORIGIN}m/v/index.m3u8`]);
  assert.match(plan.failures![0].reason, /master\.m3u8: line 4\): HTTP 404/);
  assert.deepEqual(plan.items.map((i) => i.path), ["hls/w/b.ts"]);
  // Anything else (a bug, an abort) passes through unchanged.
  const broken: FetchPlaylist = () => Promise.reject(new TypeError("boom"));
  await assert.rejects(
    () =>
      planHls({ text: "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nv.m3u8\n", url: ORIGIN }, broken),
    TypeError,
  );
});
