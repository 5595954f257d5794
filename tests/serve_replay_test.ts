/**
 * `serve --replay`: the manifest revisions a live recording keeps
 * (`OUT/.streamkit/live/<name>/<n>-<time>.<ext>`) are served again on their original
 * timing, rebased to the start of serving, with their dates moved by the same amount.
 * The revisions here are written by the test, with the naming the recorder uses.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { revisionTime } from "../src/serve/replay.ts";
import { serve } from "../src/serve/server.ts";
import { scratchDir } from "./cli_helpers.ts";
import { startServe } from "./serve_helpers.ts";

Deno.test.sanitizer({ ops: true, resources: true });

/** A dynamic MPD as an origin might have served it, with a marker per revision. */
function mpd(revision: number, type = "dynamic"): string {
  return `<?xml version="1.0"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="${type}" availabilityStartTime="2026-12-04T09:59:50Z"
  publishTime="2026-12-04T10:00:0${revision}Z" minimumUpdatePeriod="PT2S">
  <Period id="p${revision}" start="PT0S"><AdaptationSet><Representation id="v" bandwidth="1">
    <SegmentTemplate media="chunk-$Number$.m4s" duration="2" startNumber="1"/>
  </Representation></AdaptationSet></Period>
  <UTCTiming schemeIdUri="urn:mpeg:dash:utc:http-xsdate:2014" value="https://time.example/now"/>
</MPD>
`;
}

/** A recorded mirror: one segment, three MPD revisions, one HLS revision. */
async function recording(): Promise<string> {
  const out = await scratchDir();
  await Deno.writeTextFile(join(out, "chunk-1.m4s"), "segment one");
  await Deno.writeTextFile(join(out, "manifest.mpd"), mpd(9, "static"));
  const live = join(out, ".streamkit", "live");
  await Deno.mkdir(join(live, "manifest.mpd"), { recursive: true });
  await Deno.mkdir(join(live, "v", "prog.m3u8"), { recursive: true });
  await Deno.writeTextFile(join(live, "manifest.mpd", "1-2026-12-04T10-00-00.000Z.mpd"), mpd(1));
  await Deno.writeTextFile(join(live, "manifest.mpd", "2-2026-12-04T10-00-04.000Z.mpd"), mpd(2));
  await Deno.writeTextFile(
    join(live, "manifest.mpd", "3-2026-12-04T10-00-08.500Z.mpd"),
    mpd(3, "static"),
  );
  await Deno.writeTextFile(join(live, "notes.txt"), "not a revision");
  await Deno.writeTextFile(
    join(live, "v", "prog.m3u8", "1-2026-12-04T10-00-01.000Z.m3u8"),
    [
      "#EXTM3U",
      "#EXT-X-TARGETDURATION:2",
      "#EXT-X-MEDIA-SEQUENCE:7",
      '#EXT-X-DATERANGE:ID="ad",START-DATE="2026-12-04T10:00:00.500Z",DURATION=1.0',
      "#EXT-X-PROGRAM-DATE-TIME:2026-12-04T09:59:58.000Z",
      "#EXTINF:2.0,",
      "../chunk-1.m4s",
      "",
    ].join("\n"),
  );
  return out;
}

Deno.test("revision names: number and fetch time", () => {
  assert.deepEqual(revisionTime("3-2026-12-04T10-00-05.123Z.mpd"), {
    n: 3,
    at: Date.parse("2026-12-04T10:00:05.123Z"),
  });
  assert.deepEqual(revisionTime("12-2026-12-04T10-00-05Z.m3u8"), {
    n: 12,
    at: Date.parse("2026-12-04T10:00:05Z"),
  });
  for (const name of ["x-2026-12-04T10-00-05Z.mpd", "3-2026-12-04T10:00:05Z.mpd", "3.mpd"]) {
    assert.equal(revisionTime(name), undefined, name);
  }
});

Deno.test("each revision in its turn, on the original timing rebased to now, dates moved", async () => {
  const out = await recording();
  const start = Date.parse("2030-01-01T00:00:00Z");
  let now = start;
  await using server = serve({ root: out, replay: true, now: () => now });
  assert.deepEqual(server.live.paths, ["/manifest.mpd", "/v/prog.m3u8"]);
  const get = async (path: string) => {
    const r = await fetch(new URL(path, server.url));
    assert.equal(r.status, 200, path);
    return await r.text();
  };
  // The session's first revision (10:00:00.000) is served at the start: 2030-01-01T00:00Z.
  const first = await get("manifest.mpd");
  assert.match(first, /<Period id="p1"/);
  // Its dates move by the same amount: 09:59:50 was 10 s before the first fetch.
  assert.match(first, /availabilityStartTime="2029-12-31T23:59:50\.000Z"/);
  assert.match(first, /publishTime="2030-01-01T00:00:01\.000Z"/);
  assert.match(
    first,
    new RegExp(
      `<UTCTiming schemeIdUri="urn:mpeg:dash:utc:http-iso:2014" value="${server.url}\\.streamkit/time"/>`,
    ),
  );
  assert.doesNotMatch(first, /time\.example/);
  // Everything else stays byte for byte.
  const expected = mpd(1)
    .replace("2026-12-04T09:59:50Z", "2029-12-31T23:59:50.000Z")
    .replace("2026-12-04T10:00:01Z", "2030-01-01T00:00:01.000Z")
    .replace(
      /<UTCTiming[^>]*\/>/,
      () =>
        `<UTCTiming schemeIdUri="urn:mpeg:dash:utc:http-iso:2014" value="${server.url}.streamkit/time"/>`,
    );
  assert.equal(first, expected);

  now = start + 3_999;
  assert.match(await get("manifest.mpd"), /id="p1"/);
  now = start + 4_000;
  assert.match(await get("manifest.mpd"), /id="p2"/);
  now = start + 8_500;
  assert.match(await get("manifest.mpd"), /type="static"[\s\S]*id="p3"/);
  now = start + 3_600_000;
  assert.match(await get("manifest.mpd"), /id="p3"/);

  const playlist = await get("v/prog.m3u8");
  assert.match(playlist, /^#EXT-X-PROGRAM-DATE-TIME:2029-12-31T23:59:58\.000Z$/m);
  assert.match(playlist, /START-DATE="2030-01-01T00:00:00\.500Z"/);
  assert.match(playlist, /^#EXT-X-MEDIA-SEQUENCE:7$/m);

  // The segments are the mirror's; the revisions themselves are not files to serve.
  assert.equal(await get("chunk-1.m4s"), "segment one");
  const hidden = await fetch(
    new URL(".streamkit/live/manifest.mpd/1-2026-12-04T10-00-00.000Z.mpd", server.url),
  );
  assert.equal(hidden.status, 404);
  await hidden.body?.cancel();
});

Deno.test("serve --replay through the CLI lists the replayed manifests", async () => {
  const out = await recording();
  const server = await startServe([out, "--replay"]);
  try {
    assert.match(server.stdout(), new RegExp(`DASH  ${server.url}manifest\\.mpd\\n`));
    assert.match(server.stdout(), new RegExp(`HLS   ${server.url}v/prog\\.m3u8\\n`));
    assert.match(server.stdout(), /\/manifest\.mpd: 3 revisions over 8\.5 s/);
    assert.match(await (await fetch(`${server.url}manifest.mpd`)).text(), /id="p1"/);
  } finally {
    assert.equal(await server.stop(), 0);
  }
});
