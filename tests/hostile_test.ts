/**
 * Hostile manifests, through the real CLI: names that try to climb out of the output
 * directory, absolute paths, encoded traversal, backslashes, NUL bytes, names too long,
 * reserved device names; XML bombs; a huge or deeply nested manifest; a SegmentTimeline
 * that would expand without bound. Nothing is written outside the output directory, no
 * local file is read, nothing hangs or exhausts memory, and what cannot be used gets a
 * clear error (exit 2) with nothing written.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { startServer } from "./server.ts";
import { FIXTURES, listFiles, runCli, scratchDir } from "./cli_helpers.ts";

/** References a hostile manifest makes, relative to `/deep/a/b/` where it is served. */
const HOSTILE = [
  "../../../../etc/passwd",
  "/etc/shadow",
  "%2e%2e/%2e%2e/%2e%2e/up.m4s",
  "..%2f..%2f..%2fenc.m4s",
  "%2e%2e%5c%2e%2e%5cwin.m4s",
  "..\\..\\back.m4s",
  "nul%00byte.m4s",
  `${"x".repeat(400)}.m4s`,
  "CON",
  "aux.m4s",
  "trailing.dot.",
  "sub/..%2f..%2f..%2fdeeper.m4s",
  "seg.m4s?../../q=1",
];

/**
 * A server that answers every path (the test server refuses traversal itself, and here the
 * client is under test): the manifest at `manifestPath`, and anything else with a body
 * naming the raw path it was asked for.
 */
function answerAnything(manifestPath: string, manifest: string): Deno.HttpServer<Deno.NetAddr> {
  return Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    const path = new URL(req.url).pathname;
    return new Response(path === manifestPath ? manifest : `content of ${path}`);
  });
}

/** The bodies the hostile references get, one per distinct resolved URL. */
function expectedBodies(base: string): Set<string> {
  return new Set(HOSTILE.map((h) => `content of ${new URL(h, base).pathname}`));
}

function hostileMpd(): string {
  const urls = HOSTILE.map((h) => `<SegmentURL media="${h.replace(/&/g, "&amp;")}"/>`).join("\n");
  return `<MPD type="static" mediaPresentationDuration="PT26S"><Period><AdaptationSet mimeType="video/mp4">
  <Representation id="h" bandwidth="1"><SegmentList duration="2">${urls}</SegmentList>
  </Representation></AdaptationSet></Period></MPD>`;
}

function hostileM3u8(): string {
  return ["#EXTM3U", "#EXT-X-TARGETDURATION:2", "#EXT-X-PLAYLIST-TYPE:VOD"]
    .concat(HOSTILE.flatMap((h) => ["#EXTINF:2,", h]), ["#EXT-X-ENDLIST", ""]).join("\n");
}

for (
  const [cmd, name, make] of [["dash", "m.mpd", hostileMpd], [
    "hls",
    "m.m3u8",
    hostileM3u8,
  ]] as const
) {
  Deno.test(`${cmd} get: hostile names all land safely inside the output directory`, async () => {
    const parent = await Deno.makeTempDir();
    const out = join(parent, "out");
    try {
      const manifestPath = `/deep/a/b/${name}`;
      const server = answerAnything(manifestPath, make());
      const url = `http://127.0.0.1:${server.addr.port}${manifestPath}`;
      const r = await runCli([cmd, "get", url, "-o", out, "-q", "--json"]);
      await server.shutdown();
      assert.equal(r.code, 0, r.stderr);
      const contents = expectedBodies(url);
      assert.equal(JSON.parse(r.stdout).done, contents.size);
      // Nothing outside the output directory.
      assert.deepEqual([...Deno.readDirSync(parent)].map((e) => e.name), ["out"]);
      const files = (await listFiles(out)).filter((f) => !/\.(mpd|m3u8)(\.orig)?$/.test(f));
      assert.equal(files.length, HOSTILE.length, files.join("\n"));
      for (const f of files) {
        for (const part of f.split("/")) {
          assert.ok(part !== ".." && part !== "." && part !== "", f);
          // deno-lint-ignore no-control-regex
          assert.ok(!/[\x00-\x1f\\:*?"<>|]/.test(part), f);
          assert.ok(new TextEncoder().encode(part).length <= 200, f);
          assert.ok(!/^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$/i.test(part), f);
        }
        // Each file holds the bytes of one of the hostile URLs, and no two the same.
        const text = await Deno.readTextFile(join(out, f));
        assert.ok(contents.delete(text), `${f}: ${text.slice(0, 60)}`);
      }
    } finally {
      await Deno.remove(parent, { recursive: true });
    }
  });
}

Deno.test("dash get: XML bombs, external entities, deep nesting, huge manifests and timelines: exit 2, nothing written", async () => {
  const rep =
    `<Period><AdaptationSet><Representation id="r"><BaseURL>v.mp4</BaseURL></Representation></AdaptationSet></Period>`;
  const cases: [string, string, RegExp][] = [
    [
      "bomb.mpd",
      `<?xml version="1.0"?><!DOCTYPE MPD [<!ENTITY a "aaaaaaaaaaaaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">
       <!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;">]><MPD type="static">${rep}<x>&d;</x></MPD>`,
      /the DOCTYPE declares entities \(a, line 1\)/,
    ],
    [
      "external.mpd",
      `<?xml version="1.0"?><!DOCTYPE MPD [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><MPD type="static">${rep}<x>&xxe;</x></MPD>`,
      /the DOCTYPE declares entities \(xxe/,
    ],
    [
      "deep.mpd",
      `<MPD type="static">${"<a>".repeat(100_000)}${"</a>".repeat(100_000)}${rep}</MPD>`,
      /nested deeper than 64 elements/,
    ],
    [
      "huge.mpd",
      `<MPD type="static">${rep}<!--${"x".repeat(40 * 1024 * 1024)}--></MPD>`,
      /larger than 33554432 bytes|is \d+ bytes; the limit is 33554432/,
    ],
    [
      "timeline.mpd",
      `<MPD type="static"><Period><AdaptationSet><Representation id="r"><SegmentTemplate media="$Number$.m4s">
       <SegmentTimeline><S t="0" d="1" r="2000000000"/></SegmentTimeline></SegmentTemplate></Representation></AdaptationSet></Period></MPD>`,
      /would expand to 2000000001 segments \(limit 1000000\)/,
    ],
  ];
  await using server = startServer({
    root: join(FIXTURES, "reference"),
    routes: Object.fromEntries(cases.map(([n, t]) => [`/${n}`, t])),
  });
  for (const [n, , pattern] of cases) {
    const out = join(await scratchDir(), "out");
    const r = await runCli(["dash", "get", `${server.url}${n}`, "-o", out]);
    assert.equal(r.code, 2, `${n}: ${r.stderr}`);
    assert.match(r.stderr, pattern, n);
    assert.ok(r.stderr.includes(`${server.url}${n}`), r.stderr);
    await assert.rejects(Deno.stat(out), n);
    assert.equal(server.count("/v.mp4"), 0);
  }
});
