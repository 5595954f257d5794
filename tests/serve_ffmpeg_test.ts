/**
 * ffmpeg plays what `serve` serves, over HTTP: a served mirror decodes to the same frames
 * and samples as the files on disk, and so does a live rendering once the event has ended
 * (the MPD turned static; HLS playlists with `EXT-X-PROGRAM-DATE-TIME`, and with
 * `--loop`, `EXT-X-DISCONTINUITY` between laps). Skipped when ffmpeg is not installed.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { serve } from "../src/serve/server.ts";
import { FIXTURES, hasProgram, run } from "./cli_helpers.ts";

const hasFfmpeg = await hasProgram("ffmpeg");

/**
 * The MD5 of the decoded streams of `input`, as ffmpeg's md5 muxer prints it. ffmpeg 5.1's
 * DASH demuxer logs "Error when loading first fragment" for every MPD, local ones too, so
 * only HLS must decode without a word on stderr.
 */
async function md5(input: string, maps = ["0"], quiet = true): Promise<string> {
  const r = await run("ffmpeg", [
    "-v",
    "error",
    "-i",
    input,
    ...maps.flatMap((m) => ["-map", m]),
    "-f",
    "md5",
    "-",
  ]);
  assert.equal(r.code, 0, r.stderr);
  if (quiet) assert.equal(r.stderr, "", r.stderr);
  assert.match(r.stdout, /^MD5=[0-9a-f]{32}$/m);
  return r.stdout;
}

const T0 = Date.parse("2026-12-04T10:00:00Z");

Deno.test({
  name: "ffmpeg decodes a served HLS mirror (TS and fMP4) to the same frames as the files",
  ignore: !hasFfmpeg,
  async fn() {
    for (const fixture of ["hls-master", "hls-master-fmp4"]) {
      const root = join(FIXTURES, fixture);
      await using server = serve({ root });
      const local = await md5(join(root, "master.m3u8"));
      assert.equal(await md5(`${server.url}master.m3u8`), local, fixture);
      assert.ok(server.count("*.m4s") + server.count("*.ts") >= 6, fixture);
    }
  },
});

Deno.test({
  name: "ffmpeg decodes a served DASH mirror and the static MPD a live event ends with",
  ignore: !hasFfmpeg,
  async fn() {
    const root = join(FIXTURES, "dash-number-duration");
    // ffmpeg's DASH demuxer reads a local MPD by its absolute path.
    const local = await md5(join(root, "manifest.mpd"), ["0:0", "0:2"], false);
    {
      await using server = serve({ root });
      assert.equal(await md5(`${server.url}manifest.mpd`, ["0:0", "0:2"], false), local);
    }
    let now = T0;
    await using live = serve({ root, live: true, now: () => now });
    now = T0 + 6_000; // the content has ended: a static MPD over the same segments
    assert.equal(await md5(`${live.url}manifest.mpd`, ["0:0", "0:2"], false), local);
  },
});

Deno.test({
  name: "ffmpeg decodes live HLS playlists once the event has ended, laps and all",
  ignore: !hasFfmpeg,
  async fn() {
    const root = join(FIXTURES, "hls-master-fmp4");
    const local = await md5(join(root, "master.m3u8"));
    let now = T0;
    {
      await using live = serve({ root, live: true, now: () => now });
      now = T0 + 6_000;
      assert.equal(await md5(`${live.url}master.m3u8`), local);
    }
    // Two laps and a half in the window, then the end: ffmpeg reads across the
    // discontinuities.
    now = T0;
    await using loop = serve({ root, live: { loop: true, windowSeconds: 60 }, now: () => now });
    now = T0 + 15_000;
    loop.endEvent();
    const playlist = await (await fetch(`${loop.url}180p/prog.m3u8`)).text();
    assert.equal(playlist.match(/#EXT-X-DISCONTINUITY\n/g)?.length, 2);
    assert.match(playlist, /#EXT-X-ENDLIST\n$/);
    const r = await run("ffmpeg", [
      "-v",
      "error",
      "-i",
      `${loop.url}master.m3u8`,
      "-f",
      "null",
      "-",
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, "");
  },
});
