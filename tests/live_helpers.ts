/**
 * What the live recording tests share.
 *
 * Streams with 1-second segments, made by ffmpeg once per test process into a temporary
 * folder (the committed fixtures have 2-second segments; 1-second ones keep live tests
 * short). `streamkit serve --live` plays them out as live streams.
 *
 * Each stream is 6 s of `testsrc2` (10 fps, a keyframe every second) in two sizes and a sine
 * tone (AAC, 48 kHz): DASH with `$Number$` + `@duration` (`dash-number/`), DASH with `$Time$`
 * and a SegmentTimeline (`dash-time/`), and an HLS master with two fMP4 variants and an audio
 * rendition (`hls/`).
 *
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import type { RecordedRequest, TestServer } from "./server.ts";
import { type CliResult, hasProgram, run, runCli } from "./cli_helpers.ts";

/** Seconds of media in each stream. */
export const LENGTH = 6;

const COMMON = [
  "-hide_banner",
  "-nostdin",
  "-loglevel",
  "error",
  "-y",
  "-f",
  "lavfi",
  "-i",
  `testsrc2=size=160x90:rate=10:duration=${LENGTH}`,
  "-f",
  "lavfi",
  "-i",
  `sine=frequency=440:sample_rate=48000:duration=${LENGTH - 0.1}`,
  "-map",
  "0:v",
  "-map",
  "0:v",
  "-map",
  "1:a",
  "-c:v",
  "libx264",
  "-preset",
  "veryfast",
  "-profile:v",
  "baseline",
  "-pix_fmt",
  "yuv420p",
  "-threads",
  "1",
  "-g",
  "10",
  "-keyint_min",
  "10",
  "-sc_threshold",
  "0",
  "-s:v:0",
  "160x90",
  "-b:v:0",
  "60k",
  "-s:v:1",
  "96x54",
  "-b:v:1",
  "30k",
  "-c:a",
  "aac",
  "-b:a",
  "32k",
  "-ac",
  "1",
  "-metadata:s:a:0",
  "language=eng",
  // AAC priming would give the first audio segment a negative $Time$.
  "-avoid_negative_ts",
  "make_non_negative",
];

const DASH = [
  "-f",
  "dash",
  "-seg_duration",
  "1",
  "-adaptation_sets",
  "id=0,streams=v id=1,streams=a",
];

/** The streams: folder → ffmpeg arguments after the common ones. */
const STREAMS: Record<string, string[]> = {
  "dash-number": [...DASH, "-use_timeline", "0", "-use_template", "1", "manifest.mpd"],
  "dash-time": [
    ...DASH,
    "-use_timeline",
    "1",
    "-media_seg_name",
    "chunk-$RepresentationID$-$Time$.$ext$",
    "manifest.mpd",
  ],
  "hls": [
    "-f",
    "hls",
    "-hls_time",
    "1",
    "-hls_list_size",
    "0",
    "-hls_playlist_type",
    "vod",
    "-hls_segment_type",
    "fmp4",
    "-master_pl_name",
    "master.m3u8",
    "-var_stream_map",
    "v:0,agroup:aud,name:v160 v:1,agroup:aud,name:v96 a:0,agroup:aud,name:audio,language:eng,default:yes",
    "-hls_segment_filename",
    "%v/seg_%03d.m4s",
    "%v/prog.m3u8",
  ],
};

let made: Promise<string | undefined> | undefined;

/**
 * The folder holding the streams (made on first call), or undefined when ffmpeg is not
 * installed (the tests then say so and skip).
 */
export function liveMedia(): Promise<string | undefined> {
  made ??= (async () => {
    if (!(await hasProgram("ffmpeg"))) return undefined;
    const root = await Deno.makeTempDir({ prefix: "streamkit-live-media-" });
    globalThis.addEventListener("unload", () => {
      try {
        Deno.removeSync(root, { recursive: true });
      } catch {
        // already gone
      }
    });
    await Promise.all(
      Object.entries(STREAMS).map(async ([folder, args]) => {
        const cwd = join(root, folder);
        await Deno.mkdir(cwd);
        const r = await new Deno.Command("ffmpeg", {
          args: [...COMMON, ...args],
          cwd,
          stderr: "piped",
        })
          .output();
        if (!r.success) {
          throw new Error(`ffmpeg failed for ${folder}: ${new TextDecoder().decode(r.stderr)}`);
        }
      }),
    );
    return root;
  })();
  return made;
}

/** Says why a test is skipped (ffmpeg missing) and returns whether it may go on. */
export async function mediaOrSkip(): Promise<string | undefined> {
  const root = await liveMedia();
  if (root === undefined) console.log("skipped: ffmpeg is not installed (apt-get install ffmpeg)");
  return root;
}

/** Waits `ms` milliseconds. */
export function wait(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Runs `streamkit <format> get <url> -o <out> …` in this process (the recorder on the real
 * clock), `startAfter` seconds after the server started serving.
 */
export async function record(
  server: TestServer,
  format: "dash" | "hls",
  manifest: string,
  out: string,
  args: string[] = [],
  options: { startAfter?: number; interruptAfter?: number } = {},
): Promise<CliResult> {
  const left = server.startMs + (options.startAfter ?? 0) * 1000 - server.now();
  if (left > 0) await wait(left);
  const interrupt = new AbortController();
  const timer = options.interruptAfter === undefined
    ? undefined
    : setTimeout(() => interrupt.abort(), options.interruptAfter * 1000);
  try {
    return await runCli(
      [
        format,
        "get",
        new URL(manifest, server.url).href,
        "-o",
        out,
        "--progress",
        "plain",
        ...args,
      ],
      { interrupt: interrupt.signal },
    );
  } finally {
    clearTimeout(timer);
  }
}

/**
 * When each media segment of a `$Number$` + `@duration` stream of 1-second segments is
 * complete on the live timeline: segment n ends at n s (the last at the content's end).
 */
export function numberDue(path: string): number | undefined {
  const m = /chunk-stream\d+-(\d+)\.m4s$/.exec(path);
  return m ? Math.min(Number(m[1]), LENGTH) : undefined;
}

/**
 * When each media segment of a SegmentTimeline MPD ends, by file name, read from the VOD
 * MPD's own `S` elements (`chunk-<rep>-<t>.m4s`, with the timescale of its SegmentTemplate).
 */
export function timelineDue(mpd: string): Map<string, number> {
  const due = new Map<string, number>();
  for (const rep of mpd.split("<Representation ").slice(1)) {
    const id = /^id="([^"]+)"/.exec(rep)![1];
    const timescale = Number(/timescale="(\d+)"/.exec(rep)![1]);
    let t = 0;
    for (const s of rep.matchAll(/<S ([^>]*)\/>/g)) {
      const at = /\bt="(\d+)"/.exec(s[1]);
      const d = Number(/\bd="(\d+)"/.exec(s[1])![1]);
      const r = Number(/\br="(\d+)"/.exec(s[1])?.[1] ?? 0);
      if (at) t = Number(at[1]);
      for (let i = 0; i <= r; i++) {
        due.set(`chunk-${id}-${t}.m4s`, (t + d) / timescale);
        t += d;
      }
    }
  }
  return due;
}

/**
 * When each segment of a folder's VOD media playlists is published by `serve --live`: at
 * the sum of the EXTINF durations up to its end (`<folder>/<file>` → seconds).
 */
export async function playlistDue(root: string, folders: string[]): Promise<Map<string, number>> {
  const due = new Map<string, number>();
  for (const folder of folders) {
    const text = await Deno.readTextFile(join(root, folder, "prog.m3u8"));
    let end = 0;
    const lines = text.split("\n");
    lines.forEach((line, i) => {
      const m = /^#EXTINF:([\d.]+)/.exec(line);
      if (!m) return;
      end += Number(m[1]);
      due.set(`${folder}/${lines[i + 1].trim()}`, end);
    });
  }
  return due;
}

/**
 * Checks the server's log: every media segment requested (a path `due` knows) was asked
 * for at or after its availability time, by the server's own clock, and got a 200 unless
 * `withheld` names it. Returns how many there were.
 */
export function checkNeverEarly(
  server: TestServer,
  due: (path: string) => number | undefined,
  withheld: string[] = [],
): number {
  const media = server.requests.filter((r: RecordedRequest) => due(r.path) !== undefined);
  for (const r of media) {
    const at = server.startMs + due(r.path)! * 1000;
    assert.ok(r.time >= at, `${r.path} asked for ${at - r.time} ms before it was available`);
    if (!withheld.includes(r.path)) assert.equal(r.status, 200, `${r.path}: ${r.status}`);
  }
  return media.length;
}

/** ffmpeg's per-frame checksums of every stream of `input`, and what it said on stderr. */
export async function frames(input: string, extra: string[] = []): Promise<
  { lines: string[]; stderr: string; code: number }
> {
  const r = await run("ffmpeg", [
    "-v",
    "error",
    ...extra,
    "-i",
    input,
    "-map",
    "0",
    "-f",
    "framemd5",
    "-",
  ]);
  return {
    lines: r.stdout.split("\n").filter((l) => l !== "" && !l.startsWith("#")),
    stderr: r.stderr,
    code: r.code,
  };
}
