/**
 * `streamkit mp4 dump --verbosity 3` side by side with Bento4's `mp4dump --verbosity 3` on a
 * fragmented MP4 of about 100 MB and 3,000 `moof`s (and on one of about 200 MB and 6,000, to
 * show that memory stays flat in file size): wall time of each subprocess from spawn to exit
 * (Deno's start-up included), standard output to a file, the ratio (target: at most 3×), peak
 * RSS, and whether the two outputs are byte-identical. Also the built-in dumper's time in
 * process (no start-up), first (cold) and best of the rest (warm).
 *
 * Run: `deno run -A bench/mp4_dump_bench.ts [--mp4dump PATH] [--runs 9]`
 *
 * The media is made with ffmpeg in `.bench/mp4dump/` (kept between runs): 10 s of noisy
 * 640×360 video at 30 fps, copied 10 (and 20) times over into one file with a fragment per
 * frame.
 *
 * @module
 */
import { join } from "node:path";
import { dumpMp4Bytes } from "../src/mp4/dump.ts";
import {
  CACHE,
  markdownTable,
  median,
  mib,
  numberArg,
  sameFile,
  streamkitRun,
  which,
} from "./common.ts";

/** The target: streamkit within this many times mp4dump's time. */
export const MP4_DUMP_TARGET = 3;

const DIR = join(CACHE, "mp4dump");

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
      ...["-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30,noise=alls=25:allf=t"],
      ...["-t", "10", "-c:v", "libx264", "-preset", "ultrafast", "-crf", "29", "-g", "30"],
      base,
    ]);
  }
  await ffmpeg([
    ...["-stream_loop", String(loops - 1), "-i", base, "-c", "copy"],
    ...["-movflags", "frag_every_frame+empty_moov+default_base_moof", out],
  ]);
  return out;
}

interface Run {
  seconds: number;
  rssKiB: number;
}

/** Runs `cmd args > out` under GNU time; returns its wall time and peak RSS. */
async function timed(cmd: string, args: string[], out: string): Promise<Run> {
  const stats = await Deno.makeTempFile();
  const script = 'out="$1"; shift; exec /usr/bin/time -f "%M" -o "$STATS" "$@" > "$out"';
  const t0 = performance.now();
  const r = await new Deno.Command("sh", {
    args: ["-c", script, "sh", out, cmd, ...args],
    env: { STATS: stats },
    stdout: "null",
    stderr: "null",
  }).output();
  const seconds = (performance.now() - t0) / 1000;
  const rssKiB = Number((await Deno.readTextFile(stats)).trim().split("\n").pop());
  await Deno.remove(stats);
  if (!r.success) throw new Error(`${cmd} failed`);
  return { seconds, rssKiB };
}

/** One file's results. */
export interface Mp4DumpRow {
  file: string;
  bytes: number;
  moofs: number;
  mp4dump: number;
  streamkit: number;
  /** In process: the first dump (cold) and the best of the others (warm). */
  cold: number;
  warm: number;
  rssMp4dump: number;
  rssStreamkit: number;
  same: boolean;
}

/** The floor of any `streamkit mp4 dump` run on this machine (medians, seconds). */
export interface Mp4DumpFloor {
  /** `deno run` of an empty script: Deno's own start-up and exit. */
  denoEmpty: number;
  /** `streamkit mp4 dump --verbosity 3` of the media's init (`ftyp` + `moov`, under 1 KB). */
  tinyDump: number;
  /** mp4dump on the same init. */
  tinyMp4dump: number;
}

/** What the benchmark measured. */
export interface Mp4DumpBenchResult {
  rows: Mp4DumpRow[];
  /** What every run pays (absent when not measured). */
  floor?: Mp4DumpFloor;
  markdown: string;
}

/** The init (`ftyp` + `moov`) of `path`, written beside it once; returns its path. */
async function initOf(path: string): Promise<string> {
  const out = path.replace(/\.mp4$/, ".init.mp4");
  const bytes = await Deno.readFile(path);
  const view = new DataView(bytes.buffer);
  let end = 0;
  while (end + 8 <= bytes.length) {
    const type = String.fromCharCode(...bytes.subarray(end + 4, end + 8));
    if (type !== "ftyp" && type !== "moov") break;
    end += view.getUint32(end);
  }
  await Deno.writeFile(out, bytes.subarray(0, end));
  return out;
}

/**
 * What every run pays whatever the file: Deno's start-up (an empty script), and streamkit's
 * start-up with its module loading and a dump of a file of under 1 KB.
 */
async function measureFloor(program: string, media: string, runs: number): Promise<Mp4DumpFloor> {
  const init = await initOf(media);
  const empty = join(CACHE, "out", "empty.ts");
  await Deno.writeTextFile(empty, "export {};\n");
  const out = join(CACHE, "out", "floor.txt");
  const deno: number[] = [], tiny: number[] = [], peer: number[] = [];
  for (let i = 0; i < runs; i++) {
    deno.push((await timed(Deno.execPath(), ["run", "-A", empty], out)).seconds);
    const args = [...streamkitRun(), "mp4", "dump", "--verbosity", "3", init];
    tiny.push((await timed(Deno.execPath(), args, out)).seconds);
    peer.push((await timed(program, ["--verbosity", "3", init], out)).seconds);
  }
  await Deno.remove(out).catch(() => {});
  return { denoEmpty: median(deno), tinyDump: median(tiny), tinyMp4dump: median(peer) };
}

/** Runs the benchmark; undefined when mp4dump is not found. */
export async function runMp4DumpBench(
  options: { runs?: number; mp4dump?: string } = {},
): Promise<Mp4DumpBenchResult | undefined> {
  const runs = options.runs ?? 9;
  const program = options.mp4dump ?? (await which("mp4dump"));
  if (!program) return undefined;
  const rows: Mp4DumpRow[] = [];
  const outA = join(CACHE, "out", "mp4dump.txt");
  const outB = join(CACHE, "out", "streamkit.txt");
  await Deno.mkdir(join(CACHE, "out"), { recursive: true });
  for (const loops of [10, 20]) {
    const path = await media(loops);
    const bytes = (await Deno.stat(path)).size;
    const ext: Run[] = [], ours: Run[] = [], inproc: number[] = [];
    let same = true;
    for (let i = 0; i < runs; i++) {
      // Alternating order, so a slow moment of the machine falls on both alike.
      const pair = [
        () => timed(program, ["--verbosity", "3", path], outA).then((r) => ext.push(r)),
        () =>
          timed(Deno.execPath(), [
            ...streamkitRun(),
            "mp4",
            "dump",
            "--verbosity",
            "3",
            path,
          ], outB).then((r) => ours.push(r)),
      ];
      if (i % 2) pair.reverse();
      for (const run of pair) await run();
      if (i === 0) same = await sameFile(outA, outB);
    }
    for (let i = 0; i < Math.max(3, Math.min(runs, 6)); i++) {
      const t0 = performance.now();
      await dumpMp4Bytes(path, () => {}, { verbosity: 3, format: "text" });
      inproc.push((performance.now() - t0) / 1000);
    }
    const text = await Deno.readTextFile(outA);
    rows.push({
      file: `frag_x${loops}.mp4`,
      bytes,
      moofs: text.match(/^\[moof\]/gm)?.length ?? 0,
      mp4dump: median(ext.map((r) => r.seconds)),
      streamkit: median(ours.map((r) => r.seconds)),
      cold: inproc[0],
      warm: Math.min(...inproc.slice(1)),
      rssMp4dump: median(ext.map((r) => r.rssKiB)) * 1024,
      rssStreamkit: median(ours.map((r) => r.rssKiB)) * 1024,
      same,
    });
  }
  await Deno.remove(outA).catch(() => {});
  await Deno.remove(outB).catch(() => {});
  const floor = await measureFloor(program, await media(10), runs);
  const markdown = [
    `### mp4 dump --verbosity 3 against Bento4's mp4dump (median of ${runs}, alternating, ` +
    "output to a file)",
    "",
    markdownTable(
      [
        "file",
        "MB",
        "moofs",
        "mp4dump s",
        "streamkit s",
        "ratio (≤ 3)",
        "in process cold / warm s",
        "RSS mp4dump MiB",
        "RSS streamkit MiB",
        "same bytes",
      ],
      rows.map((r) => [
        r.file,
        (r.bytes / 1e6).toFixed(0),
        String(r.moofs),
        r.mp4dump.toFixed(3),
        r.streamkit.toFixed(3),
        `${(r.streamkit / r.mp4dump).toFixed(1)}× ${
          r.streamkit <= MP4_DUMP_TARGET * r.mp4dump ? "met" : "MISSED"
        }`,
        `${r.cold.toFixed(3)} / ${r.warm.toFixed(3)}`,
        mib(r.rssMp4dump),
        mib(r.rssStreamkit),
        r.same ? "yes" : "NO",
      ]),
    ),
    "",
    `- floor (medians): \`deno run\` of an empty script ${floor.denoEmpty.toFixed(3)} s; ` +
    `streamkit's dump of the media's init (ftyp + moov, under 1 KB) ` +
    `${floor.tinyDump.toFixed(3)} s, mp4dump's ${floor.tinyMp4dump.toFixed(3)} s. What a ` +
    "dump costs beyond its start-up is the file's time less the init's.",
    `- mp4dump: ${program}`,
  ].join("\n");
  return { rows, floor, markdown };
}

if (import.meta.main) {
  const i = Deno.args.indexOf("--mp4dump");
  const result = await runMp4DumpBench({
    runs: numberArg(Deno.args, "--runs", 9),
    mp4dump: i >= 0 ? Deno.args[i + 1] : undefined,
  });
  console.log(result?.markdown ?? "mp4dump not found: nothing to compare with (--mp4dump PATH)");
}
