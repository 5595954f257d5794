/**
 * `dash get` on every ffmpeg-made DASH fixture: every file present and byte-identical; then
 * offline replay with independent clients — yt-dlp (`-f all`) reads the saved copy, served
 * from the output directory with the origin stopped, and gets exactly what it got from the
 * origin; ffmpeg decodes the saved SegmentTimeline stream to the same frames (`-f md5`).
 * The yt-dlp and ffmpeg parts say plainly when those programs are missing (CI installs
 * ffmpeg; yt-dlp is optional).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { startServer } from "./server.ts";
import { FIXTURES, hasProgram, listFiles, run, runCli, sameBytes } from "./cli_helpers.ts";

const FOLDERS = [
  "reference/dash-avc-aac",
  "dash-number-duration",
  "dash-time",
  "dash-segmentlist",
  "dash-segmentlist-range",
  "dash-segmentbase",
  "dash-webm",
  "dash-long",
];

/** Mirrors `folder` into a fresh temp dir; asserts the mirror equals the fixture. */
async function mirror(folder: string, serverUrl: string): Promise<string> {
  const out = await Deno.makeTempDir();
  const r = await runCli([
    "dash",
    "get",
    `${serverUrl}${folder}/manifest.mpd`,
    "-o",
    out,
    "-q",
    "-t",
    "8",
  ]);
  assert.equal(r.code, 0, `${folder}: ${r.stderr}`);
  const expected = await listFiles(join(FIXTURES, folder));
  assert.deepEqual(await listFiles(out), expected, folder);
  for (const f of expected) {
    assert.ok(await sameBytes(join(FIXTURES, folder, f), join(out, f)), `${folder}/${f}`);
  }
  return out;
}

Deno.test("dash get mirrors every ffmpeg-made DASH fixture byte for byte", async () => {
  await using server = startServer({ root: FIXTURES });
  for (const folder of FOLDERS) {
    const out = await mirror(folder, server.url);
    await Deno.remove(out, { recursive: true });
    // Single-file Representations were fetched once each, whole.
    if (folder.includes("segmentbase") || folder.includes("segmentlist-range")) {
      for (const id of [0, 1, 2, 3]) {
        assert.equal(server.count(`/${folder}/manifest-stream${id}.mp4`), 1, `${folder} ${id}`);
      }
    }
  }
  assert.ok(server.requests.every((q) => q.range === null));
});

/** Runs `yt-dlp -f all` on an MPD into `dir`; returns format id → file bytes path. */
async function ytDlp(mpdUrl: string, dir: string): Promise<string[]> {
  const r = await run("yt-dlp", [
    "-f",
    "all",
    "--fixup",
    "never",
    "--no-progress",
    "--no-cache-dir",
    "-o",
    "%(format_id)s.%(ext)s",
    mpdUrl,
  ], dir);
  assert.equal(r.code, 0, r.stderr);
  return await listFiles(dir);
}

Deno.test("offline replay: yt-dlp reads the saved copy and gets what it got from the origin", async (t) => {
  if (!(await hasProgram("yt-dlp", "--version"))) {
    console.log("skipped: yt-dlp is not installed (apt-get install yt-dlp)");
    return;
  }
  // yt-dlp reads all of these; not SegmentBase (it needs the sidx) nor ffmpeg's
  // SegmentList@mediaRange (Debian's yt-dlp crashes on it).
  for (
    const folder of [
      "reference/dash-avc-aac",
      "dash-number-duration",
      "dash-time",
      "dash-segmentlist",
    ]
  ) {
    await t.step(folder, async () => {
      const origin = startServer({ root: FIXTURES });
      const out = await mirror(folder, origin.url);
      const fromOrigin = await Deno.makeTempDir();
      const fromCopy = await Deno.makeTempDir();
      try {
        const files = await ytDlp(`${origin.url}${folder}/manifest.mpd`, fromOrigin);
        await origin.close();
        await using offline = startServer({ root: out });
        assert.deepEqual(await ytDlp(`${offline.url}manifest.mpd`, fromCopy), files);
        assert.ok(files.length >= 2, files.join(","));
        for (const f of files) {
          assert.ok(await sameBytes(join(fromOrigin, f), join(fromCopy, f)), f);
        }
      } finally {
        await origin.close();
        for (const d of [out, fromOrigin, fromCopy]) await Deno.remove(d, { recursive: true });
      }
    });
  }
});

Deno.test("offline replay: ffmpeg decodes the saved SegmentTimeline stream to the same frames", async () => {
  if (!(await hasProgram("ffmpeg"))) {
    console.log("skipped: ffmpeg is not installed (apt-get install ffmpeg)");
    return;
  }
  const md5 = async (url: string) => {
    const r = await run("ffmpeg", ["-v", "error", "-i", url, "-map", "0", "-f", "md5", "-"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^MD5=[0-9a-f]{32}$/m);
    return r.stdout;
  };
  const origin = startServer({ root: FIXTURES });
  const out = await mirror("reference/dash-avc-aac", origin.url);
  try {
    const before = await md5(`${origin.url}reference/dash-avc-aac/manifest.mpd`);
    await origin.close();
    await using offline = startServer({ root: out });
    assert.equal(await md5(`${offline.url}manifest.mpd`), before);
  } finally {
    await origin.close();
    await Deno.remove(out, { recursive: true });
  }
});
