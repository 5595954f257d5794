/**
 * `hls get` on a live HLS stream, end to end: `streamkit serve --live` slides the media
 * playlists of a master with two fMP4 variants and an audio rendition (1-second segments)
 * on the real clock, and the recorder (the real CLI, in process) records every playlist.
 * Checked: the reloads keep RFC 8216 6.3.4's pace, no segment is asked for before the
 * origin lists it, the recording starts at the live edge (or the first segment with
 * `--from-start`) and ends with `EXT-X-ENDLIST` or `--duration`; the saved playlists are VOD
 * playlists of exactly the saved files, with `EXT-X-DISCONTINUITY` where one is missing, and
 * ffmpeg decodes the copy to the very frames of the VOD it came from; every playlist
 * revision is kept.
 *
 * The tests need ffmpeg (to make the streams) and say so when it is missing.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { revisionTime } from "../src/serve/replay.ts";
import { serve } from "../src/serve/server.ts";
import { listFiles, sameBytes, scratchDir } from "./cli_helpers.ts";
import {
  checkNeverEarly,
  frames,
  LENGTH,
  mediaOrSkip,
  playlistDue,
  record,
} from "./live_helpers.ts";

/** The media playlists of the test stream, by folder. */
const FOLDERS = ["v160", "v96", "audio"];

/** The URIs of a playlist's segments, in order. */
function uris(text: string): string[] {
  return text.split("\n").filter((l) => l !== "" && !l.startsWith("#"));
}

/** Checks a saved media playlist: VOD, ended, every URI a saved file. Returns its lines. */
async function checkSaved(out: string, folder: string, source: string): Promise<string[]> {
  const text = await Deno.readTextFile(join(out, folder, "prog.m3u8"));
  const lines = text.trimEnd().split("\n");
  assert.equal(lines[0], "#EXTM3U");
  assert.ok(lines.includes("#EXT-X-PLAYLIST-TYPE:VOD"), folder);
  assert.equal(lines.at(-1), "#EXT-X-ENDLIST");
  assert.equal(lines.filter((l) => l.startsWith("#EXT-X-MAP:")).length >= 1, true);
  for (const uri of uris(text)) {
    const saved = join(out, folder, uri);
    assert.ok(
      await sameBytes(saved, join(source, folder, uri.replace(`../hls/${folder}/`, ""))),
      uri,
    );
  }
  // Exactly the segments saved for it, none more.
  const files = (await listFiles(join(out, "hls", folder))).filter((f) => f.startsWith("seg_"));
  assert.deepEqual(uris(text).map((u) => u.replace(`../hls/${folder}/`, "")).sort(), files.sort());
  return lines;
}

/** The due times of the test stream's segments, keyed by request path. */
async function dueOf(root: string): Promise<(path: string) => number | undefined> {
  const due = await playlistDue(root, FOLDERS);
  return (path: string) => due.get(path.slice(1));
}

Deno.test("master, 2 variants + audio: from the live edge until ENDLIST, at RFC 8216's pace", async () => {
  const media = await mediaOrSkip();
  if (!media) return;
  const root = join(media, "hls");
  await using server = serve({ root, live: true });
  const out = await scratchDir();
  const r = await record(server, "hls", "master.m3u8", out, [], { startAfter: 2.5 });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /, 0 gaps, .*; the event ended/);
  const saved = /saved in .*: (.*)$/m.exec(r.stdout)![1].split(", ");
  assert.deepEqual(saved.sort(), [
    "audio/prog.m3u8",
    "master.m3u8",
    "v160/prog.m3u8",
    "v96/prog.m3u8",
  ]);

  // The master as served (its URIs already point at the saved playlists' places).
  assert.ok(await sameBytes(join(out, "master.m3u8"), join(root, "master.m3u8")));
  const edge = Math.floor(
    (server.requests.find((q) => q.path === "/master.m3u8")!.time - server.startMs) / 1000,
  );
  for (const folder of FOLDERS) {
    const lines = await checkSaved(out, folder, root);
    // Began at the newest segment (seg_<edge-1>), or up to three before; ended with the last.
    const names = uris(lines.join("\n")).map((u) => u.slice(u.lastIndexOf("/") + 1));
    const first = Number(/seg_(\d+)/.exec(names[0])![1]);
    assert.ok(first <= edge - 1 && first >= edge - 4, `${folder} began at ${first}, edge ${edge}`);
    assert.equal(names.at(-1), folder === "audio" ? "seg_005.m4s" : `seg_00${LENGTH - 1}.m4s`);
    assert.ok(!lines.includes("#EXT-X-DISCONTINUITY"), folder);
  }
  checkNeverEarly(server, await dueOf(root));

  // RFC 8216 6.3.4: never reloaded sooner than half a target duration (1 s here) after the
  // previous load began.
  for (const folder of FOLDERS) {
    const loads = server.requests.filter((q) => q.path === `/${folder}/prog.m3u8`).map((q) =>
      q.time
    );
    assert.ok(loads.length >= 4, `${folder}: ${loads.length} loads`);
    for (let i = 1; i < loads.length; i++) {
      assert.ok(
        loads[i] - loads[i - 1] >= 490,
        `${folder}: reloaded after ${loads[i] - loads[i - 1]} ms`,
      );
    }
    // Every distinct revision kept, numbered from 1, under the name `serve --replay` reads.
    const kept = await listFiles(join(out, ".streamkit", "live", folder, "prog.m3u8"));
    assert.ok(kept.length >= 3, `${folder}: ${kept.length} revisions`);
    assert.deepEqual(
      kept.map((f) => revisionTime(f)?.n).sort((a, b) => a! - b!),
      kept.map((_, i) => i + 1),
    );
  }
  assert.equal((await listFiles(join(out, ".streamkit", "live", "master.m3u8"))).length, 1);

  const decoded = await frames(join(out, "master.m3u8"), ["-allowed_extensions", "ALL"]);
  assert.equal(decoded.code, 0, decoded.stderr);
  assert.equal(decoded.stderr, "");
  assert.ok(decoded.lines.length > 0);

  // `serve --replay` plays the kept revisions again: their segments, named as the origin
  // named them, come from the mirror's hls/ folder.
  await using replay = serve({ root: out, replay: true });
  const playlist = await (await fetch(`${replay.url}v160/prog.m3u8`)).text();
  // The first revision's newest segment: the recording began at the live edge.
  const edgeUri = uris(playlist).at(-1)!;
  const segment = await fetch(new URL(edgeUri, `${replay.url}v160/prog.m3u8`));
  assert.equal(segment.status, 200, edgeUri);
  const bytes = new Uint8Array(await segment.arrayBuffer());
  const name = edgeUri.slice(edgeUri.lastIndexOf("/") + 1);
  assert.deepEqual(bytes, await Deno.readFile(join(out, "hls", "v160", name)));
});

Deno.test("--from-start: every segment of the window; offline, the very frames of the VOD", async () => {
  const media = await mediaOrSkip();
  if (!media) return;
  const root = join(media, "hls");
  await using server = serve({ root, live: true });
  const out = await scratchDir();
  const r = await record(server, "hls", "master.m3u8", out, ["--from-start"], {
    startAfter: 3.5,
  });
  assert.equal(r.code, 0, r.stderr);
  for (const folder of FOLDERS) {
    const lines = await checkSaved(out, folder, root);
    assert.equal(uris(lines.join("\n"))[0], `../hls/${folder}/seg_000.m4s`);
  }
  checkNeverEarly(server, await dueOf(root));
  await server.close();
  const copy = await frames(join(out, "master.m3u8"), ["-allowed_extensions", "ALL"]);
  const vod = await frames(join(root, "master.m3u8"));
  assert.equal(copy.stderr, "");
  assert.ok(copy.lines.length > 0);
  assert.deepEqual(copy.lines, vod.lines);
});

Deno.test("a segment that never comes: a gap, named; the saved playlist jumps with EXT-X-DISCONTINUITY", async () => {
  const media = await mediaOrSkip();
  if (!media) return;
  const root = join(media, "hls");
  await using server = serve({
    root,
    live: true,
    faults: [{ match: "/v160/seg_003.m4s", status: 404 }],
  });
  const out = await scratchDir();
  const r = await record(server, "hls", "master.m3u8", out, [], { startAfter: 1.5 });
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /gap: hls\/v160\/seg_003\.m4s .*404/);
  assert.match(r.stdout, /, 1 gap, [\s\S]*gaps \(1\):\n {2}hls\/v160\/seg_003\.m4s /);
  const lines = await checkSaved(out, "v160", root);
  const at = lines.indexOf("../hls/v160/seg_004.m4s");
  assert.ok(!lines.includes("../hls/v160/seg_003.m4s"));
  // The segment after the hole: a discontinuity, the map again, then its EXTINF.
  assert.deepEqual(lines.slice(at - 4, at - 1).map((l) => l.replace(/:.*/, "")), [
    "#EXT-X-DISCONTINUITY",
    "#EXT-X-MAP",
    "#EXT-X-PROGRAM-DATE-TIME",
  ]);
  for (const folder of ["v96", "audio"]) {
    assert.ok(!(await checkSaved(out, folder, root)).includes("#EXT-X-DISCONTINUITY"), folder);
  }
  checkNeverEarly(server, await dueOf(root), ["/v160/seg_003.m4s"]);
  const decoded = await frames(join(out, "v160", "prog.m3u8"), ["-allowed_extensions", "ALL"]);
  assert.equal(decoded.code, 0, decoded.stderr);
  assert.equal(decoded.stderr, "");
});

Deno.test("a media playlist given directly, across the lap of a looping origin, with --duration", async () => {
  const media = await mediaOrSkip();
  if (!media) return;
  const root = join(media, "hls");
  await using server = serve({ root, live: { loop: true } });
  const out = await scratchDir();
  // Begins at the newest segment 3.5 s into the 6-s lap (seg_002, or up to three before);
  // 5 s take it into the second lap.
  const r = await record(server, "hls", "v96/prog.m3u8", out, ["--duration", "5"], {
    startAfter: LENGTH - 2.5,
  });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /--duration reached/);
  const text = await Deno.readTextFile(join(out, "prog.m3u8"));
  const lines = text.trimEnd().split("\n");
  assert.equal(lines.at(-1), "#EXT-X-ENDLIST");
  // The origin's discontinuity between the laps is kept.
  assert.equal(lines.filter((l) => l === "#EXT-X-DISCONTINUITY").length, 1);
  const listed = uris(text);
  assert.equal(listed.length, 5);
  const seconds = lines.filter((l) => l.startsWith("#EXTINF:")).reduce(
    (n, l) => n + Number(/#EXTINF:([\d.]+)/.exec(l)![1]),
    0,
  );
  assert.ok(seconds >= 5 && seconds < 6, `${seconds} s`);
  const decoded = await frames(join(out, "prog.m3u8"), ["-allowed_extensions", "ALL"]);
  assert.equal(decoded.code, 0, decoded.stderr);
  // The second lap's timestamps start again from 0: ffmpeg 5.1 decodes the first lap's
  // 4 s and drops what goes back in time after the discontinuity.
  assert.ok(decoded.lines.length >= 40, `${decoded.lines.length} frames`);
});
