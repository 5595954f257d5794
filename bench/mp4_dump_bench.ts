/**
 * `streamkit mp4 dump --verbosity 3` side by side with Bento4's `mp4dump --verbosity 3` on a
 * fragmented MP4 of about 100 MB and 3,000 `moof`s (and on one of about 200 MB, to show that
 * memory stays flat in file size): wall time of each subprocess (Deno's start-up included), the
 * ratio, peak RSS, and whether the two stdouts are byte-identical. Also the built-in dumper's
 * time in process (no start-up).
 *
 * Run: `deno run -A bench/mp4_dump_bench.ts [--mp4dump PATH] [--runs N]`
 *
 * The media is made with ffmpeg in `.bench/mp4dump/` (kept between runs): 10 s of noisy
 * 640×360 video at 30 fps, copied 10 (and 20) times over into one file with a fragment per
 * frame.
 *
 * @module
 */
import { join } from "node:path";
import { dumpMp4 } from "../src/mp4/dump.ts";

const ROOT = join(import.meta.dirname!, "..");
const DIR = join(ROOT, ".bench", "mp4dump");

function arg(name: string, fallback: string): string {
  const i = Deno.args.indexOf(name);
  return i >= 0 ? Deno.args[i + 1] : fallback;
}

const MP4DUMP = arg("--mp4dump", "mp4dump");
const RUNS = Number(arg("--runs", "5"));

async function ffmpeg(args: string[]): Promise<void> {
  const r = await new Deno.Command("ffmpeg", {
    args: ["-hide_banner", "-loglevel", "error", "-y", ...args],
  }).output();
  if (!r.success) throw new Error(`ffmpeg ${args.join(" ")} failed`);
}

/** Makes (once) the fragmented input repeated `loops` times; returns its path. */
async function media(loops: number): Promise<string> {
  await Deno.mkdir(DIR, { recursive: true });
  const base = join(DIR, "base.mp4");
  const out = join(DIR, `frag_x${loops}.mp4`);
  try {
    await Deno.stat(out);
    return out;
  } catch {
    // not made yet
  }
  try {
    await Deno.stat(base);
  } catch {
    await ffmpeg([
      "-f",
      "lavfi",
      "-i",
      "testsrc2=size=640x360:rate=30,noise=alls=25:allf=t",
      "-t",
      "10",
      "-c:v",
      "libx264",
      "-preset",
      "ultrafast",
      "-crf",
      "29",
      "-g",
      "30",
      base,
    ]);
  }
  await ffmpeg([
    "-stream_loop",
    String(loops - 1),
    "-i",
    base,
    "-c",
    "copy",
    "-movflags",
    "frag_every_frame+empty_moov+default_base_moof",
    out,
  ]);
  return out;
}

interface Run {
  seconds: number;
  rssKiB: number;
  stdout: Uint8Array;
}

/** Runs a command under GNU time; returns its wall time, peak RSS and stdout. */
async function timed(cmd: string, args: string[]): Promise<Run> {
  const stats = await Deno.makeTempFile();
  const t0 = performance.now();
  const r = await new Deno.Command("/usr/bin/time", {
    args: ["-f", "%M", "-o", stats, cmd, ...args],
    stdout: "piped",
    stderr: "null",
  }).output();
  const seconds = (performance.now() - t0) / 1000;
  const rssKiB = Number((await Deno.readTextFile(stats)).trim().split("\n").pop());
  await Deno.remove(stats);
  if (!r.success) throw new Error(`${cmd} failed`);
  return { seconds, rssKiB, stdout: r.stdout };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function same(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

async function inProcess(path: string): Promise<number> {
  const t0 = performance.now();
  await dumpMp4(path, () => {}, { verbosity: 3, format: "text", encoding: "bytes" });
  return (performance.now() - t0) / 1000;
}

console.log(`mp4 dump --verbosity 3 vs ${MP4DUMP} (median of ${RUNS} runs, warm page cache)\n`);
console.log(
  "| file | size | moofs | mp4dump s | streamkit s | ratio | in-process s | RSS mp4dump | RSS streamkit | same bytes |",
);
console.log("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
for (const loops of [10, 20]) {
  const path = await media(loops);
  const size = (await Deno.stat(path)).size;
  const ext: Run[] = [], ours: Run[] = [], inproc: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    ext.push(await timed(MP4DUMP, ["--verbosity", "3", path]));
    ours.push(
      await timed(Deno.execPath(), [
        "run",
        "-A",
        join(ROOT, "main.ts"),
        "mp4",
        "dump",
        "--verbosity",
        "3",
        path,
      ]),
    );
    inproc.push(await inProcess(path));
  }
  const moofs = new TextDecoder().decode(ext[0].stdout).match(/^\[moof\]/gm)?.length ?? 0;
  const e = median(ext.map((r) => r.seconds)), o = median(ours.map((r) => r.seconds));
  console.log(
    `| frag_x${loops}.mp4 | ${(size / 1e6).toFixed(0)} MB | ${moofs} | ${e.toFixed(3)} | ` +
      `${o.toFixed(3)} | ${(o / e).toFixed(1)}× | ${median(inproc).toFixed(3)} | ` +
      `${(median(ext.map((r) => r.rssKiB)) / 1024).toFixed(0)} MiB | ` +
      `${(median(ours.map((r) => r.rssKiB)) / 1024).toFixed(0)} MiB | ` +
      `${same(ext[0].stdout, ours[0].stdout) ? "yes" : "NO"} |`,
  );
}
const start: number[] = [];
for (let i = 0; i < RUNS; i++) {
  start.push(
    (await timed(Deno.execPath(), ["run", "-A", join(ROOT, "main.ts"), "--version"])).seconds,
  );
}
console.log(`\nstreamkit start-up alone (main.ts --version): ${median(start).toFixed(3)} s`);
