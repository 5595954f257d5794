/**
 * Makes (once, then reuses) the streams the benchmarks download and dump, under `.bench/`:
 *
 * - `media`: 120 s of noisy test video encoded by ffmpeg in three renditions (720p 3 Mb/s,
 *   480p 1.5 Mb/s, 360p 0.8 Mb/s) plus AAC audio, packaged with 1 s segments both as DASH
 *   (`dash/manifest.mpd`, SegmentTemplate, fMP4: 4 Representations, 484 files) and as HLS
 *   (`hls/master.m3u8`, 3 variants sharing an audio rendition, MPEG-TS: 480 segments).
 *   About 80 MB each.
 * - `dump`: 500 s of 360p video in one DASH Representation of 500 segments (plus audio),
 *   for `dash dump`.
 * - `big`: a hand-written MPD whose one Representation has an init file and three 200 MB
 *   segments (pseudo-random bytes, not media: a download does not care).
 * - `many`: a hand-written MPD with 10,000 small segments (1–8 KB).
 * - `scale`: 100,000 tiny segments (256–1,279 bytes) and, for 1,000, 10,000 and 100,000 of
 *   them, a DASH MPD (`$Number$` template, 1 s segments) and an HLS media playlist.
 * - `huge`: a hand-written MPD whose one Representation has three 2 GB segments.
 *
 * Each is built in a temporary folder and renamed into place when complete, so an
 * interrupted build is never reused. ffmpeg is needed for `media` and `dump` only.
 *
 * Run alone to build them all: `deno run -A bench/make_stream.ts`
 *
 * @module
 */
import { join } from "node:path";
import { CACHE, exists, listFiles, treeSize, which, writeAll } from "./common.ts";

/** A generated stream: where it is and what it holds. */
export interface BenchStream {
  /** The folder served (the server's root). */
  root: string;
  /** Manifest paths relative to `root`. */
  manifests: Record<string, string>;
  /** Number of files under `root`. */
  files: number;
  /** Bytes under `root`. */
  bytes: number;
}

/** Seconds of media in the download stream. */
const MEDIA_SECONDS = 120;

/** Seconds (= segments) of the dump stream. */
const DUMP_SECONDS = 500;

async function ffmpeg(args: string[], cwd: string): Promise<void> {
  const out = await new Deno.Command("ffmpeg", {
    args: ["-hide_banner", "-loglevel", "error", "-y", ...args],
    cwd,
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Error(`ffmpeg ${args.join(" ")} failed:\n${new TextDecoder().decode(out.stderr)}`);
  }
}

/** Builds `name` with `build(tmpDir)` unless already there; returns its folder. */
async function cached(name: string, build: (dir: string) => Promise<void>): Promise<string> {
  const dir = join(CACHE, name);
  if (await exists(join(dir, ".complete"))) return dir;
  await Deno.mkdir(CACHE, { recursive: true });
  await Deno.remove(dir, { recursive: true }).catch(() => {});
  const tmp = `${dir}.tmp-${Deno.pid}`;
  await Deno.remove(tmp, { recursive: true }).catch(() => {});
  await Deno.mkdir(tmp, { recursive: true });
  console.error(`making ${dir} (once; reused by later runs)…`);
  try {
    await build(tmp);
    await Deno.writeTextFile(join(tmp, ".complete"), new Date().toISOString() + "\n");
    await Deno.rename(tmp, dir);
  } catch (err) {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
    throw err;
  }
  return dir;
}

async function describe(root: string, manifests: Record<string, string>): Promise<BenchStream> {
  const files = (await listFiles(root)).filter((f) => f !== ".complete");
  return { root, manifests, files: files.length, bytes: await treeSize(root) };
}

async function requireFfmpeg(): Promise<void> {
  if (!(await which("ffmpeg"))) {
    throw new Error("ffmpeg is needed to make the benchmark media (apt-get install -y ffmpeg)");
  }
}

/** Video encoding options shared by the encodes: 1 s GOPs so 1 s segments cut cleanly. */
const GOP = ["-g", "25", "-keyint_min", "25", "-sc_threshold", "0", "-preset", "ultrafast"];

/** The DASH + HLS download stream (see the module documentation). */
export async function ensureMediaStream(): Promise<BenchStream> {
  const root = await cached("media", async (dir) => {
    await requireFfmpeg();
    const rate = (i: number, kbps: number) => [
      `-b:v:${i}`,
      `${kbps}k`,
      `-maxrate:v:${i}`,
      `${kbps}k`,
      `-bufsize:v:${i}`,
      `${kbps}k`,
    ];
    await ffmpeg([
      ...["-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=25"],
      ...["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000"],
      ...["-t", String(MEDIA_SECONDS)],
      "-filter_complex",
      // Noise keeps the encoder at its target rate (a test pattern compresses to nothing).
      "[0:v]noise=alls=25:allf=t,split=3[a][b][c];[b]scale=848:480[b2];[c]scale=640:360[c2]",
      ...["-map", "[a]", "-map", "[b2]", "-map", "[c2]", "-map", "1:a"],
      ...["-c:v", "libx264", ...GOP, ...rate(0, 3000), ...rate(1, 1500), ...rate(2, 800)],
      ...["-c:a", "aac", "-b:a", "128k"],
      "src.mp4",
    ], dir);
    await Deno.mkdir(join(dir, "dash"));
    await ffmpeg([
      ...["-i", "../src.mp4", "-map", "0", "-c", "copy", "-f", "dash"],
      ...["-seg_duration", "1", "-use_template", "1", "-use_timeline", "0"],
      ...["-adaptation_sets", "id=0,streams=v id=1,streams=a"],
      "manifest.mpd",
    ], join(dir, "dash"));
    await Deno.mkdir(join(dir, "hls"));
    await ffmpeg([
      "-i",
      "../src.mp4",
      ...["-map", "0:v:0", "-map", "0:v:1", "-map", "0:v:2", "-map", "0:a:0", "-c", "copy"],
      ...["-f", "hls", "-hls_time", "1", "-hls_playlist_type", "vod"],
      ...["-var_stream_map", "v:0,agroup:aud v:1,agroup:aud v:2,agroup:aud a:0,agroup:aud"],
      ...["-master_pl_name", "master.m3u8", "-hls_segment_filename", "v%v/seg%05d.ts"],
      "v%v/index.m3u8",
    ], join(dir, "hls"));
    await Deno.remove(join(dir, "src.mp4"));
  });
  return await describe(root, { dash: "dash/manifest.mpd", hls: "hls/master.m3u8" });
}

/** The 500-segment Representation for `dash dump` (see the module documentation). */
export async function ensureDumpStream(): Promise<BenchStream> {
  const root = await cached("dump", async (dir) => {
    await requireFfmpeg();
    await ffmpeg([
      ...["-f", "lavfi", "-i", "testsrc2=size=640x360:rate=25"],
      ...["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000"],
      ...["-t", String(DUMP_SECONDS)],
      ...["-vf", "noise=alls=25:allf=t", "-map", "0:v", "-map", "1:a"],
      ...["-c:v", "libx264", ...GOP, "-b:v", "800k", "-maxrate", "800k", "-bufsize", "800k"],
      ...["-c:a", "aac", "-b:a", "128k"],
      ...["-f", "dash", "-seg_duration", "1", "-use_template", "1", "-use_timeline", "0"],
      "manifest.mpd",
    ], dir);
  });
  return await describe(root, { dash: "manifest.mpd" });
}

/** Seeded pseudo-random bytes (xorshift32), fast enough for hundreds of MB. */
function fillRandom(bytes: Uint8Array, seed: number): void {
  const words = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.length >>> 2);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < words.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    words[i] = x;
  }
  for (let i = words.length * 4; i < bytes.length; i++) bytes[i] = i & 255;
}

/** Writes `size` bytes derived from `seed` to `path`, 4 MiB at a time. */
async function writeSynthetic(path: string, size: number, seed: number): Promise<void> {
  const block = new Uint8Array(Math.min(size, 4 << 20));
  using file = await Deno.open(path, { write: true, create: true, truncate: true });
  for (let at = 0, n = 0; at < size; n++) {
    fillRandom(block, seed * 7919 + n);
    const part = block.subarray(0, Math.min(block.length, size - at));
    await writeAll(file, part);
    at += part.length;
  }
}

/**
 * An MPD with one Representation whose `count` segments are `seg-<n>.bin` of 1 s each (or
 * named by `media`, a `$Number$` template, with the initialization segment `init`).
 */
function syntheticMpd(count: number, init = "init.bin", media = "seg-$Number$.bin"): string {
  return `<?xml version="1.0" encoding="utf-8"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" minBufferTime="PT2S"
  profiles="urn:mpeg:dash:profile:isoff-live:2011" mediaPresentationDuration="PT${count}S">
  <Period id="0">
    <AdaptationSet id="0" contentType="video" mimeType="video/mp4">
      <Representation id="0" bandwidth="1000000" codecs="avc1.42c01e" width="640" height="360">
        <SegmentTemplate timescale="1" duration="1" startNumber="1"
          initialization="${init}" media="${media}"/>
      </Representation>
    </AdaptationSet>
  </Period>
</MPD>
`;
}

/** Size of each big segment. */
export const BIG_SEGMENT_BYTES = 200 * 1000 * 1000;

/** Number of segments of the big-segment stream. */
export const BIG_SEGMENTS = 3;

/** The stream of three 200 MB segments (see the module documentation). */
export async function ensureBigSegmentStream(): Promise<BenchStream> {
  const root = await cached("big", async (dir) => {
    await Deno.writeTextFile(join(dir, "manifest.mpd"), syntheticMpd(BIG_SEGMENTS));
    await writeSynthetic(join(dir, "init.bin"), 1000, 1);
    for (let n = 1; n <= BIG_SEGMENTS; n++) {
      await writeSynthetic(join(dir, `seg-${n}.bin`), BIG_SEGMENT_BYTES, n + 1);
    }
  });
  return await describe(root, { dash: "manifest.mpd" });
}

/** Number of segments of the many-segment stream. */
export const MANY_SEGMENTS = 10_000;

/** The stream of 10,000 small segments (see the module documentation). */
export async function ensureManySegmentStream(): Promise<BenchStream> {
  const root = await cached("many", async (dir) => {
    await Deno.writeTextFile(join(dir, "manifest.mpd"), syntheticMpd(MANY_SEGMENTS));
    const block = new Uint8Array(8192);
    await Deno.writeFile(join(dir, "init.bin"), block.subarray(0, 700));
    for (let n = 1; n <= MANY_SEGMENTS; n++) {
      fillRandom(block, n);
      const size = 1024 + ((n * 2654435761) >>> 0) % 7168;
      await Deno.writeFile(join(dir, `seg-${n}.bin`), block.subarray(0, size));
    }
  });
  return await describe(root, { dash: "manifest.mpd" });
}

/** Segment counts of the scale streams. */
export const SCALE_COUNTS = [1_000, 10_000, 100_000] as const;

/** An HLS media playlist (VOD, fMP4 with an init map) of `count` 1-second segments. */
function scalePlaylist(count: number): string {
  const lines = [
    "#EXTM3U",
    "#EXT-X-VERSION:7",
    "#EXT-X-TARGETDURATION:1",
    "#EXT-X-PLAYLIST-TYPE:VOD",
    '#EXT-X-MAP:URI="seg/init.bin"',
  ];
  for (let n = 1; n <= count; n++) lines.push("#EXTINF:1.000000,", `seg/s-${n}.bin`);
  lines.push("#EXT-X-ENDLIST", "");
  return lines.join("\n");
}

/**
 * The scale streams (see the module documentation): `dash-<count>.mpd` and
 * `hls-<count>.m3u8` over the same `seg/` files.
 */
export async function ensureScaleStream(): Promise<BenchStream> {
  const max = SCALE_COUNTS[SCALE_COUNTS.length - 1];
  const root = await cached("scale", async (dir) => {
    await Deno.mkdir(join(dir, "seg"));
    const block = new Uint8Array(2048);
    await Deno.writeFile(join(dir, "seg", "init.bin"), block.subarray(0, 700));
    for (let n = 1; n <= max; n++) {
      fillRandom(block, n);
      const size = 256 + ((n * 2654435761) >>> 0) % 1024;
      Deno.writeFileSync(join(dir, "seg", `s-${n}.bin`), block.subarray(0, size));
    }
    for (const count of SCALE_COUNTS) {
      const mpd = syntheticMpd(count, "seg/init.bin", "seg/s-$Number$.bin");
      await Deno.writeTextFile(join(dir, `dash-${count}.mpd`), mpd);
      await Deno.writeTextFile(join(dir, `hls-${count}.m3u8`), scalePlaylist(count));
    }
  });
  const manifests: Record<string, string> = {};
  for (const count of SCALE_COUNTS) {
    manifests[`dash-${count}`] = `dash-${count}.mpd`;
    manifests[`hls-${count}`] = `hls-${count}.m3u8`;
  }
  return { root, manifests, files: max + 1 + 2 * SCALE_COUNTS.length, bytes: NaN };
}

/** Segments of the many-segment fMP4 Representation that `dash dump` reads. */
export const DUMP_MANY_SEGMENTS = 10_000;

/**
 * One fMP4 Representation of 10,000 one-second audio segments, for `dash dump` (`dumpmany`):
 * the `dump` stream's audio init segment and its 500 media segments, hard-linked over and over
 * as `chunk-stream1-00001.m4s` … `chunk-stream1-10000.m4s` (real fMP4 throughout).
 */
export async function ensureDumpManyStream(): Promise<BenchStream> {
  const dump = await ensureDumpStream();
  const root = await cached("dumpmany", async (dir) => {
    const name = (n: number) => `chunk-stream1-${String(n).padStart(5, "0")}.m4s`;
    await Deno.link(join(dump.root, "init-stream1.m4s"), join(dir, "init-stream1.m4s"));
    for (let n = 1; n <= DUMP_MANY_SEGMENTS; n++) {
      await Deno.link(join(dump.root, name(((n - 1) % DUMP_SECONDS) + 1)), join(dir, name(n)));
    }
    await Deno.writeTextFile(
      join(dir, "manifest.mpd"),
      `<?xml version="1.0" encoding="utf-8"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" minBufferTime="PT2S"
  profiles="urn:mpeg:dash:profile:isoff-live:2011" mediaPresentationDuration="PT${DUMP_MANY_SEGMENTS}S">
  <Period id="0">
    <AdaptationSet id="1" contentType="audio" mimeType="audio/mp4" codecs="mp4a.40.2">
      <Representation id="1" bandwidth="128000" audioSamplingRate="48000">
        <SegmentTemplate timescale="1000000" duration="1000000" startNumber="1"
          initialization="init-stream$RepresentationID$.m4s"
          media="chunk-stream$RepresentationID$-$Number%05d$.m4s"/>
      </Representation>
    </AdaptationSet>
  </Period>
</MPD>
`,
    );
  });
  return await describe(root, { dash: "manifest.mpd" });
}

/** Size of each segment of the huge-segment stream. */
export const HUGE_SEGMENT_BYTES = 2_000_000_000;

/** The stream of three 2 GB segments (see the module documentation). */
export async function ensureHugeSegmentStream(): Promise<BenchStream> {
  const root = await cached("huge", async (dir) => {
    await Deno.writeTextFile(join(dir, "manifest.mpd"), syntheticMpd(BIG_SEGMENTS));
    await writeSynthetic(join(dir, "init.bin"), 1000, 1);
    for (let n = 1; n <= BIG_SEGMENTS; n++) {
      await writeSynthetic(join(dir, `seg-${n}.bin`), HUGE_SEGMENT_BYTES, n + 101);
    }
  });
  return await describe(root, { dash: "manifest.mpd" });
}

if (import.meta.main) {
  for (const make of [ensureMediaStream, ensureDumpStream, ensureBigSegmentStream]) {
    const s = await make();
    console.log(`${s.root}: ${s.files} files, ${(s.bytes / 1e6).toFixed(1)} MB`);
  }
  const s = await ensureManySegmentStream();
  console.log(`${s.root}: ${s.files} files, ${(s.bytes / 1e6).toFixed(1)} MB`);
}
