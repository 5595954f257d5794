/**
 * `--select` on live streams (issue 16: "every variant and rendition recorded, with
 * --select"): the recorder follows only the kept tracks — the server is never asked for the
 * others — and the saved VOD copy lists only them. `--range` is refused on a live stream
 * (exit 2, nothing written): a live recording is bounded by `--from-start` and `--duration`.
 *
 * The live streams are the 1-second ones of tests/live_helpers.ts (made by ffmpeg; the tests
 * say so and skip without it): DASH Representations 0 (160x90, 60 kb/s), 1 (96x54,
 * 30 kb/s), 2 (audio); HLS variants `v160/`, `v96/` and the rendition `audio/`.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { parseXml, type XmlElement } from "../src/dash/xml.ts";
import { serve } from "../src/serve/server.ts";
import { listFiles, runCli, scratchDir } from "./cli_helpers.ts";
import { mediaOrSkip, record } from "./live_helpers.ts";

/** Elements named `name` anywhere under `el`, in document order. */
function all(el: XmlElement, name: string): XmlElement[] {
  return el.children.flatMap((c) => [...(c.name === name ? [c] : []), ...all(c, name)]);
}

Deno.test("live DASH: --select kind=video:best records Representation 0 and the audio, only", async () => {
  const media = await mediaOrSkip();
  if (!media) return;
  await using server = serve({ root: join(media, "dash-number"), live: { loop: true } });
  const out = await scratchDir();
  const r = await record(server, "dash", "manifest.mpd", out, [
    "--select",
    "kind=video:best",
    "--duration",
    "2",
  ], { startAfter: 1.2 });
  assert.equal(r.code, 0, r.stderr);
  const chunks = server.requests.map((q) => q.path).filter((p) => p.includes("chunk-stream"));
  assert.ok(chunks.length >= 4, chunks.join(" "));
  assert.deepEqual([...new Set(chunks.map((p) => /chunk-stream(\d)/.exec(p)![1]))].sort(), [
    "0",
    "2",
  ]);
  assert.equal(server.requests.filter((q) => q.path.includes("stream1")).length, 0);
  const files = (await listFiles(out)).filter((f) => !f.startsWith(".streamkit/"));
  assert.ok(files.every((f) => !/stream1/.test(f)), files.join(" "));
  const mpd = parseXml(await Deno.readTextFile(join(out, "manifest.mpd")));
  assert.equal(mpd.attrs.type, "static");
  assert.deepEqual(all(mpd, "Representation").map((e) => e.attrs.id), ["0", "2"]);
});

Deno.test("live DASH: an expression that matches nothing is exit 2 before anything is recorded", async () => {
  const media = await mediaOrSkip();
  if (!media) return;
  await using server = serve({ root: join(media, "dash-number"), live: { loop: true } });
  const out = join(await scratchDir(), "out");
  const r = await runCli([
    "dash",
    "get",
    `${server.url}manifest.mpd`,
    "-o",
    out,
    "--select",
    "kind=audio,lang=fr",
  ]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--select "kind=audio,lang=fr": matches none of the 3 tracks/);
  assert.deepEqual(server.requests.map((q) => q.path), ["/manifest.mpd"]);
  await assert.rejects(Deno.stat(out), Deno.errors.NotFound);
});

Deno.test("live HLS: --select kind=video:worst records the 96x54 variant and the audio, only", async () => {
  const media = await mediaOrSkip();
  if (!media) return;
  await using server = serve({ root: join(media, "hls"), live: { loop: true } });
  const out = await scratchDir();
  const r = await record(server, "hls", "master.m3u8", out, [
    "--select",
    "kind=video:worst",
    "--duration",
    "2",
  ], { startAfter: 1.2 });
  assert.equal(r.code, 0, r.stderr);
  const folders = new Set(server.requests.map((q) => q.path.split("/")[1]));
  assert.deepEqual([...folders].sort(), ["audio", "master.m3u8", "v96"]);
  const master = await Deno.readTextFile(join(out, "master.m3u8"));
  assert.doesNotMatch(master, /v160/);
  assert.match(master, /^v96\/prog\.m3u8$/m);
  assert.match(master, /URI="audio\/prog\.m3u8"/);
  const saved = await Deno.readTextFile(join(out, "v96/prog.m3u8"));
  assert.match(saved, /#EXT-X-ENDLIST\n$/);
});

Deno.test("--range on a live stream: exit 2, nothing recorded", async () => {
  const media = await mediaOrSkip();
  if (!media) return;
  for (
    const [format, folder, manifest] of [["dash", "dash-number", "manifest.mpd"], [
      "hls",
      "hls",
      "master.m3u8",
    ]]
  ) {
    await using server = serve({ root: join(media, folder), live: { loop: true } });
    const out = join(await scratchDir(), "out");
    const r = await runCli([
      format,
      "get",
      `${server.url}${manifest}`,
      "-o",
      out,
      "--range",
      "0-2",
    ]);
    assert.equal(r.code, 2, r.stdout);
    assert.match(
      r.stderr,
      /--range applies to VOD streams; a live stream is recorded from the live edge/,
    );
    assert.equal(server.requests.filter((q) => /\.(m4s|mp4)$/.test(q.path)).length, 0);
    await assert.rejects(Deno.stat(out), Deno.errors.NotFound);
  }
});
