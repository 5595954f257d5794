/**
 * The saved HLS copy resolves to the saved files (issue 15, HLS parts): names with `=`, `,`
 * and spaces are referred to by their plain names (ffmpeg opens the copy offline), thumbnail
 * (image) playlists are mirrored, interstitials stay online with a note, a delta update
 * (EXT-X-SKIP) is fetched whole, EXT-X-DEFINE variables are resolved, and a variant that
 * cannot be fetched fails alone (issue 18). The self-check runs on every `hls get`.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { copyTree, FIXTURES, listFiles, runCli, scratchDir } from "./cli_helpers.ts";
import { haveFfmpeg } from "./hls_check.ts";
import { startServer } from "./server.ts";

const FMP4 = join(FIXTURES, "hls-master-fmp4");

/** A folder holding the fMP4 variant and audio of the fixture under other names. */
async function renamedTree(names: { video: string; audio: string }): Promise<string> {
  const root = await scratchDir();
  await copyTree(join(FMP4, "180p"), join(root, names.video));
  await copyTree(join(FMP4, "audio_eng"), join(root, names.audio));
  return root;
}

Deno.test("names with '=', ',' and spaces: the saved copy names them plainly and ffmpeg plays it offline", async () => {
  const root = await renamedTree({ video: "video=145200,x", audio: "audio 96000" });
  const master = "#EXTM3U\n#EXT-X-VERSION:7\n" +
    '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="a",NAME="en",DEFAULT=YES,URI="audio%2096000/prog.m3u8"\n' +
    '#EXT-X-STREAM-INF:BANDWIDTH=145200,CODECS="avc1.42c00c,mp4a.40.2",AUDIO="a"\n' +
    "video=145200,x/prog.m3u8\n";
  await using server = startServer({ root, routes: { "/master.m3u8": master } });
  const out = await scratchDir();
  const r = await runCli(["hls", "get", `${server.url}master.m3u8`, "-o", out, "--json", "-q"]);
  assert.equal(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout);
  assert.deepEqual(s.unresolved, []);
  const saved = await Deno.readTextFile(join(out, "master.m3u8"));
  assert.match(saved, /^video=145200,x\/prog\.m3u8$/m);
  assert.match(saved, /URI="audio 96000\/prog\.m3u8"/);
  const media = await Deno.readTextFile(join(out, "video=145200,x", "prog.m3u8"));
  assert.match(media, /^\.\.\/hls\/video=145200,x\/seg_000\.m4s$/m);
  if (await haveFfmpeg()) {
    const play = await new Deno.Command("ffmpeg", {
      args: [
        "-nostdin",
        "-v",
        "error",
        "-i",
        join(out, "master.m3u8"),
        "-map",
        "0",
        "-f",
        "null",
        "-",
      ],
      stdout: "null",
      stderr: "piped",
    }).output();
    const errors = new TextDecoder().decode(play.stderr);
    assert.ok(play.success && errors === "", errors);
  }
});

Deno.test("thumbnail playlists (EXT-X-IMAGE-STREAM-INF) and their tiles are mirrored", async () => {
  const root = await scratchDir();
  await copyTree(join(FMP4, "90p"), join(root, "v"));
  await Deno.mkdir(join(root, "thumbs"));
  for (const n of ["t1.jpg", "t2.jpg"]) await Deno.writeTextFile(join(root, "thumbs", n), n);
  const master = "#EXTM3U\n#EXT-X-VERSION:7\n" +
    '#EXT-X-STREAM-INF:BANDWIDTH=79200,CODECS="avc1.42c00b"\nv/prog.m3u8\n' +
    '#EXT-X-IMAGE-STREAM-INF:BANDWIDTH=1000,RESOLUTION=320x180,CODECS="jpeg",' +
    'URI="thumbs/index.m3u8"\n';
  const thumbs = "#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXT-X-VERSION:7\n#EXT-X-MEDIA-SEQUENCE:0\n" +
    "#EXT-X-PLAYLIST-TYPE:VOD\n#EXT-X-IMAGES-ONLY\n" +
    "#EXT-X-TILES:RESOLUTION=64x36,LAYOUT=5x5,DURATION=0.12\n#EXTINF:3,\nt1.jpg\n" +
    "#EXT-X-TILES:RESOLUTION=64x36,LAYOUT=5x5,DURATION=0.12\n#EXTINF:3,\nt2.jpg\n" +
    "#EXT-X-ENDLIST\n";
  await using server = startServer({
    root,
    routes: { "/master.m3u8": master, "/thumbs/index.m3u8": thumbs },
  });
  const out = await scratchDir();
  const r = await runCli(["hls", "get", `${server.url}master.m3u8`, "-o", out, "--json", "-q"]);
  assert.equal(r.code, 0, r.stderr);
  const files = await listFiles(out);
  for (const f of ["thumbs/index.m3u8", "hls/thumbs/t1.jpg", "hls/thumbs/t2.jpg"]) {
    assert.ok(files.includes(f), `${f} in ${files.join(" ")}`);
  }
  assert.deepEqual(JSON.parse(r.stdout).unresolved, []);
});

Deno.test("interstitial assets stay online with a note; the self-check accepts them", async () => {
  const root = await scratchDir();
  await copyTree(join(FMP4, "90p"), join(root, "v"));
  const media = (await Deno.readTextFile(join(root, "v", "prog.m3u8"))).replace(
    "#EXT-X-MAP",
    '#EXT-X-DATERANGE:ID="ad1",CLASS="com.apple.hls.interstitial",' +
      'START-DATE="2026-01-01T00:00:00Z",X-ASSET-URI="https://ads.example/ad.m3u8"\n' +
      "#EXT-X-PROGRAM-DATE-TIME:2026-01-01T00:00:00Z\n#EXT-X-MAP",
  );
  await using server = startServer({ root, routes: { "/v/prog.m3u8": media } });
  const out = await scratchDir();
  const r = await runCli(["hls", "get", `${server.url}v/prog.m3u8`, "-o", out, "--json", "-q"]);
  assert.equal(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout);
  assert.ok(
    s.notes.some((n: string) => /X-ASSET-URI https:\/\/ads\.example\/ad\.m3u8 .* online/.test(n)),
    s.notes.join("\n"),
  );
  assert.deepEqual(s.unresolved, []);
});

Deno.test("a delta update (EXT-X-SKIP) is fetched whole with _HLS_skip=NO; a server that cannot is a named failure", async () => {
  const root = await scratchDir();
  await copyTree(join(FMP4, "90p"), join(root, "v"));
  const whole = await Deno.readTextFile(join(root, "v", "prog.m3u8"));
  const delta = whole.replace(
    /#EXT-X-MAP[^\n]*\n#EXTINF:2.000000,\nseg_000\.m4s\n/,
    "#EXT-X-SKIP:SKIPPED-SEGMENTS=1\n",
  );
  assert.notEqual(delta, whole);
  const master = "#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nv/prog.m3u8\n";
  await using server = startServer({ root, routes: { "/master.m3u8": master } });
  // The origin answers a delta unless asked for the whole playlist.
  server.setRoute("/v/prog.m3u8", delta);
  server.setFaults([{
    match: "/v/prog.m3u8",
    redirect: {
      status: 302,
      location: (_path, url) =>
        url.search.includes("_HLS_skip=NO") ? "/v/whole.m3u8" : "/v/delta.m3u8",
    },
  }]);
  server.setRoute("/v/whole.m3u8", whole);
  server.setRoute("/v/delta.m3u8", delta);
  const out = await scratchDir();
  const r = await runCli(["hls", "get", `${server.url}master.m3u8`, "-o", out, "--json", "-q"]);
  assert.equal(r.code, 0, r.stderr);
  assert.ok((await listFiles(out)).includes("hls/v/seg_000.m4s"), "the skipped segment too");
  // An origin that only ever sends the delta: that playlist fails, named, exit 1.
  server.setFaults([{
    match: "/v/prog.m3u8",
    redirect: { status: 302, location: "/v/delta.m3u8" },
  }]);
  const out2 = await scratchDir();
  const bad = await runCli(["hls", "get", `${server.url}master.m3u8`, "-o", out2, "-q"]);
  assert.equal(bad.code, 1);
  assert.match(bad.stdout, /EXT-X-SKIP: this is a delta update that leaves out 1 segments/);
});

Deno.test("EXT-X-DEFINE: NAME/VALUE, IMPORT from the master and QUERYPARAM resolve", async () => {
  const root = await scratchDir();
  await copyTree(join(FMP4, "90p"), join(root, "v90"));
  const master = "#EXTM3U\n#EXT-X-VERSION:11\n" +
    '#EXT-X-DEFINE:QUERYPARAM="rend"\n#EXT-X-DEFINE:NAME="seg",VALUE="seg_00"\n' +
    "#EXT-X-STREAM-INF:BANDWIDTH=1\n{$rend}/prog.m3u8\n";
  const media = "#EXTM3U\n#EXT-X-VERSION:11\n#EXT-X-TARGETDURATION:2\n#EXT-X-PLAYLIST-TYPE:VOD\n" +
    '#EXT-X-DEFINE:IMPORT="seg"\n#EXT-X-MAP:URI="init_1.mp4"\n' +
    "#EXTINF:2,\n{$seg}0.m4s\n#EXTINF:2,\n{$seg}1.m4s\n#EXT-X-ENDLIST\n";
  await using server = startServer({
    root,
    routes: { "/master.m3u8": master, "/v90/prog.m3u8": media },
  });
  const out = await scratchDir();
  const r = await runCli([
    "hls",
    "get",
    `${server.url}master.m3u8?rend=v90`,
    "-o",
    out,
    "--json",
    "-q",
  ]);
  assert.equal(r.code, 0, r.stderr);
  const files = await listFiles(out);
  for (const f of ["hls/v90/seg_000.m4s", "hls/v90/seg_001.m4s", "hls/v90/init_1.mp4"]) {
    assert.ok(files.includes(f), `${f} in ${files.join(" ")}`);
  }
  assert.deepEqual(JSON.parse(r.stdout).unresolved, []);
});

Deno.test("a variant that cannot be fetched fails alone: the rest is mirrored, the master saved, exit 1", async () => {
  await using server = startServer({
    root: FIXTURES,
    faults: [{ match: "/hls-master-fmp4/90p/prog.m3u8", status: 404 }],
  });
  const out = await scratchDir();
  const r = await runCli([
    "hls",
    "get",
    `${server.url}hls-master-fmp4/master.m3u8`,
    "-o",
    out,
    "--json",
    "-q",
  ]);
  assert.equal(r.code, 1, r.stderr);
  const s = JSON.parse(r.stdout);
  assert.equal(s.failed, 1);
  assert.equal(s.failures[0].url, `${server.url}hls-master-fmp4/90p/prog.m3u8`);
  assert.deepEqual(s.unresolved, [], "the self-check ran, and skipped what failed");
  assert.match(s.failures[0].reason, /HTTP 404/);
  const files = await listFiles(out);
  assert.ok(files.includes("master.m3u8"));
  assert.ok(files.includes("hls/180p/seg_002.m4s"));
  assert.ok(!files.some((f) => f.startsWith("hls/90p/")));
  assert.equal(server.count("/hls-master-fmp4/90p/seg_*.m4s"), 0);
});

Deno.test("the self-check's file paths equal node:url's for plain, escaped, queried and online URLs", async () => {
  const { localPath } = await import("../src/hls/selfcheck.ts");
  const { fileURLToPath } = await import("node:url");
  const plain = [
    "file:///out/hls/v/seg-1.m4s",
    "file:///out/a=b,c/x.ts",
    "file:///out/%C3%A9/s%2001.ts",
  ];
  for (const url of plain) assert.equal(localPath(url), fileURLToPath(url), url);
  assert.equal(localPath("file:///out/s.ts?token=1#t=2"), "/out/s.ts");
  assert.equal(localPath("file:///out/a%20b.ts?x"), "/out/a b.ts");
  assert.equal(localPath("https://cdn.example/s.ts"), undefined);
  assert.equal(localPath("skd://key"), undefined);
});
