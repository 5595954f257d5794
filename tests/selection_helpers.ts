/**
 * What the `--select` / `--range` tests share: frame counts from ffmpeg — of a saved
 * manifest played offline, one stream at a time, and of a track's own files decoded
 * directly (the truth the manifest is held to) — and the paths a server was asked for.
 *
 * @module
 */
import { join } from "node:path";
import { hasProgram, run, scratchDir } from "./cli_helpers.ts";
import type { TestServer } from "./server.ts";

let ffmpeg: Promise<boolean> | undefined;

/** Whether ffmpeg is installed (said once per test when it is not). */
export async function ffmpegOrSkip(): Promise<boolean> {
  ffmpeg ??= hasProgram("ffmpeg");
  const ok = await ffmpeg;
  if (!ok) console.log("skipped the playback check: ffmpeg is not installed");
  return ok;
}

/** The frames ffmpeg reads of one stream (`0:1`) of `input`, played with its own demuxer. */
export async function playedFrames(input: string, stream: string): Promise<number> {
  const r = await run("ffmpeg", [
    "-v",
    "error",
    "-allowed_extensions",
    "ALL",
    "-i",
    input,
    "-map",
    stream,
    "-f",
    "framecrc",
    "-",
  ]);
  if (r.code !== 0) throw new Error(`ffmpeg ${input} ${stream}: ${r.stderr}`);
  return r.stdout.split("\n").filter((l) => l !== "" && !l.startsWith("#")).length;
}

/** The number of streams ffmpeg finds in `input`. */
export async function streamCount(input: string): Promise<number> {
  const probe = await run("ffprobe", [
    "-v",
    "error",
    "-show_entries",
    "stream=index",
    "-of",
    "csv=p=0",
    input,
  ]);
  if (probe.code !== 0) throw new Error(`ffprobe ${input}: ${probe.stderr}`);
  // Streams are listed once more for each program that holds them.
  return new Set(probe.stdout.split("\n").map((l) => l.trim()).filter((l) => l !== "")).size;
}

/**
 * The frames ffmpeg decodes of `files` (under `dir`) concatenated in order — an init
 * segment and media segments, or MPEG-TS segments — in `format` (`mp4`, `mpegts`).
 */
export async function decodedFrames(dir: string, files: string[], format: string): Promise<number> {
  const parts = await Promise.all(files.map((f) => Deno.readFile(join(dir, f))));
  const whole = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    whole.set(p, at);
    at += p.length;
  }
  const file = join(await scratchDir(), `joined.${format === "mpegts" ? "ts" : "mp4"}`);
  await Deno.writeFile(file, whole);
  const r = await run("ffmpeg", [
    "-v",
    "error",
    "-f",
    format,
    "-i",
    file,
    "-map",
    "0",
    "-f",
    "framecrc",
    "-",
  ]);
  if (r.code !== 0) throw new Error(`ffmpeg ${files.join(" ")}: ${r.stderr}`);
  return r.stdout.split("\n").filter((l) => l !== "" && !l.startsWith("#")).length;
}

/** The paths a server was asked for (GET), sorted, under `prefix` (which is cut off). */
export function asked(server: TestServer, prefix = "/"): string[] {
  return server.requests.filter((r) => r.method === "GET" && r.path.startsWith(prefix))
    .map((r) => r.path.slice(prefix.length)).sort();
}
