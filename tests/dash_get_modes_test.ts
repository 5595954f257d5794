/**
 * `dash get` on hand-written MPDs that use every addressing mode, BaseURL chains, parent
 * folders, a second origin and several Periods — then offline replay: with the origins
 * stopped, the saved manifest served from the output directory gives a client the same
 * bytes for every resource as the origins did.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { startServer } from "./server.ts";
import { resolvedResources } from "./dash_resources.ts";
import { bytesEqual, FIXTURES, listFiles, runCli, sameBytes, scratchDir } from "./cli_helpers.ts";

const REF = join(FIXTURES, "reference");

function allModesMpd(second: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<!-- every addressing mode; <BaseURL>not-this</BaseURL> in a comment is ignored -->
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" mediaPresentationDuration="PT12S"
     profiles="urn:mpeg:dash:profile:isoff-on-demand:2011">
  <BaseURL>../</BaseURL>
  <Period id="p0" start="PT0S">
    <BaseURL>dash-avc-aac/</BaseURL>
    <AdaptationSet contentType="video" mimeType="video/mp4">
      <SegmentTemplate timescale="1" duration="2" startNumber="1"
        initialization="init-stream$RepresentationID$.m4s" media="chunk-stream$RepresentationID$-$Number%05d$.m4s"/>
      <Representation id="0" bandwidth="200000" codecs="avc1.42c00d"/>
      <Representation id="1" bandwidth="80000" codecs="avc1.42c00b"/>
    </AdaptationSet>
    <AdaptationSet contentType="audio" mimeType="audio/mp4" lang="eng">
      <Representation id="2" bandwidth="64000" codecs="mp4a.40.2">
        <BaseURL>${second}dash-avc-aac/</BaseURL>
        <SegmentTemplate timescale="48000" initialization="init-stream$RepresentationID$.m4s"
          media="chunk-stream$RepresentationID$-$Number%05d$.m4s">
          <SegmentTimeline><S t="0" d="95232"/><S d="96256" r="1"/><S d="256"/></SegmentTimeline>
        </SegmentTemplate>
      </Representation>
    </AdaptationSet>
  </Period>
  <Period id="p1" start="PT6S" duration="PT6S">
    <AdaptationSet contentType="video" mimeType="video/mp4">
      <Representation id="list" bandwidth="300000" codecs="avc1.42c00d">
        <BaseURL>hls-byterange/index.m4s</BaseURL>
        <SegmentList timescale="1" duration="2">
          <Initialization range="0-826"/>
          <SegmentURL mediaRange="827-60097"/>
          <SegmentURL mediaRange="60098-115327"/>
          <SegmentURL mediaRange="115328-167989"/>
        </SegmentList>
      </Representation>
      <Representation id="base" bandwidth="900000" codecs="avc1.64000d">
        <BaseURL>${second}codecs/cmaf.mp4</BaseURL>
        <SegmentBase indexRange="1217-1404"><Initialization range="0-1216"/></SegmentBase>
      </Representation>
    </AdaptationSet>
  </Period>
</MPD>
`;
}

Deno.test("dash get: every addressing mode, BaseURL chains, a second origin, two Periods; offline replay", async () => {
  const out = await Deno.makeTempDir();
  try {
    const b = startServer({ root: REF });
    const a = startServer({ root: REF, routes: { "/manifests/all.mpd": allModesMpd(b.url) } });
    const manifestUrl = `${a.url}manifests/all.mpd`;
    const origin = await resolvedResources(manifestUrl);
    a.resetLog();
    b.resetLog();
    const r = await runCli(["dash", "get", manifestUrl, "-o", out, "-q", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const summary = JSON.parse(r.stdout);
    // 2×(1+3) video + 1+4 audio + one file for the list + one for the base = 15.
    assert.equal(summary.done, 15);

    const extA = `_ext/http_127.0.0.1_${a.port}`;
    const extB = `_ext/http_127.0.0.1_${b.port}`;
    const expected = [
      "all.mpd",
      "all.mpd.orig",
      ...["0", "1"].flatMap((id) => [
        `${extA}/dash-avc-aac/init-stream${id}.m4s`,
        ...[1, 2, 3].map((n) => `${extA}/dash-avc-aac/chunk-stream${id}-0000${n}.m4s`),
      ]),
      `${extB}/dash-avc-aac/init-stream2.m4s`,
      ...[1, 2, 3, 4].map((n) => `${extB}/dash-avc-aac/chunk-stream2-0000${n}.m4s`),
      `${extA}/hls-byterange/index.m4s`,
      `${extB}/codecs/cmaf.mp4`,
    ].sort();
    assert.deepEqual(await listFiles(out), expected);
    for (const f of expected.filter((f) => f.startsWith("_ext/"))) {
      const source = join(REF, f.split("/").slice(2).join("/"));
      assert.ok(await sameBytes(source, join(out, f)), f);
    }
    // Byte-range-addressed files were fetched once, whole.
    assert.equal(a.count("/hls-byterange/index.m4s"), 1);
    assert.equal(b.count("/codecs/cmaf.mp4"), 1);
    assert.ok([...a.requests, ...b.requests].every((q) => q.range === null));

    // Only the BaseURLs changed; the original is kept beside the manifest.
    const saved = await Deno.readTextFile(join(out, "all.mpd"));
    const original = allModesMpd(b.url);
    assert.equal(await Deno.readTextFile(join(out, "all.mpd.orig")), original);
    assert.equal(
      saved.replace(/<BaseURL>[^<]*<\/BaseURL>/g, "<BaseURL/>"),
      original.replace(/<BaseURL>[^<]*<\/BaseURL>/g, "<BaseURL/>"),
    );
    assert.match(saved, new RegExp(`<BaseURL>${extA}/</BaseURL>`));
    assert.ok(
      saved.includes(`<BaseURL>../../http_127.0.0.1_${b.port}/dash-avc-aac/</BaseURL>`),
      saved,
    );
    assert.ok(
      saved.includes(`<BaseURL>../http_127.0.0.1_${b.port}/codecs/cmaf.mp4</BaseURL>`),
      saved,
    );
    assert.match(saved, /<BaseURL>not-this<\/BaseURL> in a comment/);

    // Offline: the origins are gone; the output directory alone serves the same bytes.
    await a.close();
    await b.close();
    await using offline = startServer({ root: out });
    const replay = await resolvedResources(`${offline.url}all.mpd`);
    assert.deepEqual([...replay.keys()], [...origin.keys()]);
    for (const [key, bytes] of origin) assert.ok(bytesEqual(replay.get(key), bytes), key);
    assert.ok(offline.requests.every((q) => !q.path.startsWith("/..")));
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});

Deno.test("dash get refuses a file: URL in a remote manifest, writes nothing", async () => {
  const mpd = allModesMpd("http://127.0.0.1:1/").replace(
    "<BaseURL>../</BaseURL>",
    "<BaseURL>file:///etc/</BaseURL>",
  );
  await using server = startServer({ root: REF, routes: { "/m/x.mpd": mpd } });
  const out = join(await scratchDir(), "out");
  const r = await runCli(["dash", "get", `${server.url}m/x.mpd`, "-o", out]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /unsupported scheme "file:"/);
  assert.match(r.stderr, new RegExp(`${server.url}m/x.mpd`));
  await assert.rejects(Deno.stat(out));
});

Deno.test("dash get: a data: BaseURL fails the parts that rely on it; the rest is mirrored, exit 1", async () => {
  await using b = startServer({ root: REF });
  const mpd = allModesMpd(b.url).replace(
    "<BaseURL>../</BaseURL>",
    "<BaseURL>data:text/plain,hello/</BaseURL>",
  );
  await using server = startServer({ root: REF, routes: { "/m/x.mpd": mpd } });
  const out = join(await scratchDir(), "out");
  const r = await runCli(["dash", "get", `${server.url}m/x.mpd`, "-o", out, "--json", "-q"]);
  assert.equal(r.code, 1, r.stderr);
  const summary = JSON.parse(r.stdout);
  const reasons = summary.failures.map((f: { reason: string }) => f.reason);
  assert.deepEqual(reasons, [
    'Period[0](id=p0): BaseURL "dash-avc-aac/" is not a valid URL; not mirrored',
    "Period[1](id=p1)/AdaptationSet[0]/Representation[0](id=list): BaseURL " +
    '"hls-byterange/index.m4s" is not a valid URL; not mirrored',
  ]);
  // Representation 2 of Period 0 sits under the failed Period; only "base" (absolute) is left.
  assert.equal(summary.done, 1);
  assert.deepEqual(b.requests.map((q) => q.path), ["/codecs/cmaf.mp4"]);
  assert.equal(server.count(/\.m4s$/), 0);
});

Deno.test("dash get: bad manifests exit 2 with the problem and where, writing nothing", async () => {
  const cases: [string, string, RegExp][] = [
    ["notxml.mpd", "this is not XML at all", /not well-formed XML at line 1/],
    ["html.mpd", "<html><body>404</body></html>", /this is an HTML page/],
    ["other.mpd", "<Document><x/></Document>", /root element is <Document>, not <MPD>/],
    [
      "empty.mpd",
      `<MPD type="static"><Period><AdaptationSet/></Period></MPD>`,
      /no Representation/,
    ],
    [
      "live.mpd",
      `<MPD type="dynamic"><Period><AdaptationSet><Representation id="a"/></AdaptationSet></Period></MPD>`,
      /live stream/,
    ],
    [
      "zero.mpd",
      `<MPD type="static"><Period><AdaptationSet><Representation id="a"><SegmentTemplate media="$Number$">
        <SegmentTimeline><S d="0"/></SegmentTimeline></SegmentTemplate></Representation></AdaptationSet></Period></MPD>`,
      /S\[0\]: S@d="0" must be > 0/,
    ],
    [
      "huge.mpd",
      `<MPD type="static"><Period><AdaptationSet><Representation id="a"><SegmentTemplate media="$Number$">
        <SegmentTimeline><S d="1" r="2000000000"/></SegmentTimeline></SegmentTemplate></Representation></AdaptationSet></Period></MPD>`,
      /would expand to 2000000001 segments \(limit 1000000\)/,
    ],
  ];
  const routes = Object.fromEntries(cases.map(([name, text]) => [`/${name}`, text]));
  await using server = startServer({ root: REF, routes });
  for (const [name, , pattern] of cases) {
    const out = join(await scratchDir(), "out");
    const r = await runCli(["dash", "get", `${server.url}${name}`, "-o", out]);
    assert.equal(r.code, 2, `${name}: ${r.stderr}`);
    assert.match(r.stderr, pattern, name);
    assert.ok(r.stderr.includes(`${server.url}${name}`), r.stderr);
    await assert.rejects(Deno.stat(out), name);
  }
});

Deno.test("dash get: a missing manifest and bad options exit 2", async () => {
  await using server = startServer({ root: REF });
  const r = await runCli(["dash", "get", `${server.url}nope.mpd`, "-o", await scratchDir()]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /HTTP 404/);
  for (
    const args of [["-t", "0"], ["--threads", "x"], ["-H", "no colon"], ["--timeout", "-1"], [
      "--bogus",
    ]]
  ) {
    const bad = await runCli(["dash", "get", `${server.url}x.mpd`, ...args]);
    assert.equal(bad.code, 2, args.join(" "));
  }
  assert.equal((await runCli(["dash", "get", "--help"])).code, 0);
  assert.equal((await runCli(["--version"])).code, 0);
});
