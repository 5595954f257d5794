/**
 * `dash dump` of a 500-segment Representation (bench/make_stream.ts `dump`: 500 s of 360p
 * video, 1 s segments, about 50 MB), with the built-in box dumper.
 *
 * Measured:
 * - the whole command, `deno run -A main.ts dash dump -d DIR -r 0 --engine builtin`, with and
 *   without `--no-hex` (median of `--rounds`, start-up included);
 * - where its time goes: one more run under `--cpu-prof`, each sample put in the phase whose
 *   function is on its stack (concatenation, box dump, hexdump; the dump and the hexdump run
 *   at the same time, so this is CPU time, not wall time);
 * - the built-in dumper alone, in this process: input MB/s at `--verbosity 3` over the 501
 *   segment files one by one (as `dash dump` does) and over the concatenated file.
 *
 * Checked: `0.m4s` is the segments concatenated; `0.hex` is what `hexdump -C -v 0.m4s` prints
 * (when hexdump is installed); `0.dump` has one section per segment.
 *
 * Also: the way the original scripts did it (`cat` of the segments, `mp4dump --verbosity 3` per
 * segment, `hexdump -C -v` of the concatenation) beside `dash dump` with mp4dump on PATH (the
 * default engine) and with the built-in one, same outputs checked (target: at most 0.25×); and
 * `dash dump` of a 10,000-segment Representation, with its peak RSS beside the 501-file one's.
 *
 * Run: `deno run -A bench/dump_bench.ts [--rounds 3] [--mp4dump PATH]`
 *
 * @module
 */
import { join } from "node:path";
import { hexdumpFile } from "../src/dump/hexdump.ts";
import { dumpMp4 } from "../src/mp4/dump.ts";
import {
  CACHE,
  markdownTable,
  median,
  mib,
  numberArg,
  ratio,
  REPO,
  sameFile,
  secs,
  streamkitRun,
  timeCommand,
  V8_FLAGS,
  which,
} from "./common.ts";
import { DUMP_MANY_SEGMENTS, ensureDumpManyStream, ensureDumpStream } from "./make_stream.ts";

/** What the benchmark measured. */
export interface DumpBenchResult {
  /** Median seconds of the whole command, with and without the hexdump. */
  cli: { withHex: number; noHex: number };
  /** CPU milliseconds per phase from the profile. */
  phases: Record<string, number>;
  /** Seconds of each phase run alone, in process. */
  alone: { concat: number; dump: number; hex: number };
  /** Built-in dumper input MB/s: per segment file, and on the concatenation. */
  dumperMBps: { perFile: number; concatenated: number };
  /**
   * The original scripts' way (cat, mp4dump per segment, hexdump -C -v) beside `dash dump`,
   * median seconds; absent without mp4dump and hexdump.
   */
  scripts?: { scripts: number; mp4dumpEngine: number; builtin: number; same: boolean };
  /** `dash dump` of the 10,000-segment Representation: seconds and peak RSS, and the 501's. */
  many?: { segments: number; seconds: number; peakRss: number; fewPeakRss: number };
  markdown: string;
}

/** The Representation dumped. */
const REP = "0";

/**
 * The phase a profile frame belongs to, by its module (and, in representation.ts, its
 * function), or undefined. A frame resumed after an `await` has only its own function on
 * the stack, so the module is a better guide than the callers.
 */
function phaseOfFrame(url: string, fn: string): string | undefined {
  if (url.includes("/src/dump/hexdump.ts")) return "hexdump";
  if (url.includes("/src/mp4/")) return "box dump";
  if (url.includes("/src/dump/representation.ts")) {
    if (fn === "concatenate") return "concatenation";
    if (fn === "writeDump" || fn === "write" || fn === "flush" || fn === "builtin") {
      return "box dump";
    }
  }
  return undefined;
}

interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string };
    children?: number[];
  }[];
  samples: number[];
  timeDeltas: number[];
}

/** CPU ms per phase (plus idle, GC, I/O that cannot be attributed, other) from a V8 profile. */
function splitProfile(profile: CpuProfile): Record<string, number> {
  const parent = new Map<number, number>();
  const frame = new Map<number, CpuProfile["nodes"][number]["callFrame"]>();
  for (const n of profile.nodes) {
    frame.set(n.id, n.callFrame);
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  const phaseOf = new Map<number, string>();
  const classify = (id: number): string => {
    const known = phaseOf.get(id);
    if (known) return known;
    let phase: string | undefined;
    for (let at: number | undefined = id; at !== undefined && !phase; at = parent.get(at)) {
      const f = frame.get(at)!;
      phase = phaseOfFrame(f.url, f.functionName);
    }
    if (!phase) {
      const self = frame.get(id)!.functionName;
      phase = self === "(idle)"
        ? "idle (waiting for I/O)"
        : self === "(garbage collector)"
        ? "garbage collection"
        : self.startsWith("op_")
        ? "I/O calls resumed after an await (unattributed)"
        : "start-up, manifest, other";
    }
    phaseOf.set(id, phase);
    return phase;
  };
  const out: Record<string, number> = {};
  profile.samples.forEach((id, i) => {
    const p = classify(id);
    out[p] = (out[p] ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000;
  });
  return out;
}

/** Appends `files` into `out`, reading 1 MiB at a time (what `dash dump` does first). */
async function concatenateFiles(files: string[], out: string): Promise<void> {
  using target = await Deno.open(out, { write: true, create: true, truncate: true });
  const buffer = new Uint8Array(1 << 20);
  for (const f of files) {
    using source = await Deno.open(f);
    for (;;) {
      const n = await source.read(buffer);
      if (n === null) break;
      for (let at = 0; at < n;) at += await target.write(buffer.subarray(at, n));
    }
  }
}

/** Hard-links (or copies) every file of `from` into a fresh `to`. */
async function linkTree(from: string, to: string): Promise<void> {
  await Deno.remove(to, { recursive: true }).catch(() => {});
  await Deno.mkdir(to, { recursive: true });
  for await (const e of Deno.readDir(from)) {
    if (!e.isFile || e.name.startsWith(".")) continue;
    await Deno.link(join(from, e.name), join(to, e.name)).catch(() =>
      Deno.copyFile(join(from, e.name), join(to, e.name))
    );
  }
}

/** The Representation's files in order: init, then media segments by number. */
async function segmentPaths(dir: string): Promise<string[]> {
  const media: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    if (e.name.startsWith(`chunk-stream${REP}-`)) media.push(e.name);
  }
  media.sort();
  return [`init-stream${REP}.m4s`, ...media].map((n) => join(dir, n));
}

/** Runs the dump benchmark. */
export async function runDumpBench(
  { rounds = 3, mp4dump }: { rounds?: number; mp4dump?: string } = {},
): Promise<DumpBenchResult> {
  const stream = await ensureDumpStream();
  const work = join(CACHE, "out", "dump");
  const notes: string[] = [];
  const cli = (extra: string[]) => [
    "run",
    "-A",
    ...V8_FLAGS,
    ...extra,
    join(REPO, "main.ts"),
    "dash",
    "dump",
    "-d",
    work,
    "-r",
    REP,
    "--engine",
    "builtin",
    "-q",
  ];
  try {
    const files = await segmentPaths(stream.root);
    let inputBytes = 0;
    for (const f of files) inputBytes += (await Deno.stat(f)).size;
    const withHex: number[] = [];
    const noHex: number[] = [];
    for (let round = 0; round < rounds; round++) {
      for (const hex of round % 2 ? [false, true] : [true, false]) {
        await linkTree(stream.root, work);
        const r = await timeCommand(Deno.execPath(), [...cli([]), ...(hex ? [] : ["--no-hex"])]);
        if (r.code !== 0) throw new Error(`dash dump failed (${r.code}): ${r.stderr}`);
        (hex ? withHex : noHex).push(r.seconds);
      }
    }

    // Check the last run with the hexdump, then profile one more.
    await linkTree(stream.root, work);
    const prof = join(CACHE, "out", "dump-prof");
    await Deno.remove(prof, { recursive: true }).catch(() => {});
    const r = await timeCommand(Deno.execPath(), cli(["--cpu-prof", `--cpu-prof-dir=${prof}`]));
    if (r.code !== 0) throw new Error(`dash dump --cpu-prof failed: ${r.stderr}`);
    const problems = await check(work, files);
    if (problems) throw new Error(`dash dump wrote wrong output: ${problems}`);
    if (!(await which("hexdump"))) notes.push("hexdump not found: 0.hex not checked");
    let phases: Record<string, number> = {};
    for await (const e of Deno.readDir(prof)) {
      if (e.name.endsWith(".cpuprofile")) {
        phases = splitProfile(JSON.parse(await Deno.readTextFile(join(prof, e.name))));
      }
    }

    // Each phase alone, in process: the concatenation (the same copy loop: 1 MiB reads,
    // appended), the built-in dumper over every file (text discarded), the hexdump.
    const perFile: number[] = [];
    const whole: number[] = [];
    const concatTimes: number[] = [];
    const hexTimes: number[] = [];
    const concatenated = join(work, `${REP}.m4s`);
    const copy = join(work, "copy.m4s");
    const hexOut = join(work, "alone.hex");
    let offset = 0;
    for (let round = 0; round < rounds; round++) {
      let t = performance.now();
      await concatenateFiles(files, copy);
      concatTimes.push((performance.now() - t) / 1000);
      t = performance.now();
      await hexdumpFile(concatenated, hexOut);
      hexTimes.push((performance.now() - t) / 1000);
      let chars = 0;
      const sink = (t: string) => {
        chars += t.length;
      };
      let t0 = performance.now();
      offset = 0;
      for (const f of files) {
        await dumpMp4(f, sink, { verbosity: 3, format: "text", annotate: { base: offset } });
        offset += (await Deno.stat(f)).size;
      }
      perFile.push((performance.now() - t0) / 1000);
      t0 = performance.now();
      await dumpMp4(concatenated, sink, { verbosity: 3, format: "text" });
      whole.push((performance.now() - t0) / 1000);
      if (chars === 0) throw new Error("the built-in dumper printed nothing");
    }
    const mb = inputBytes / 1e6;
    const program = mp4dump ?? await which("mp4dump");
    const hasHexdump = (await which("hexdump")) !== undefined;
    const scripts = program && hasHexdump
      ? await againstScripts(stream.root, work, files, program, rounds)
      : undefined;
    if (!scripts) notes.push("mp4dump or hexdump not found: no comparison with the scripts' way");
    const many = await manySegments();
    const result = {
      cli: { withHex: median(withHex), noHex: median(noHex) },
      phases,
      alone: { concat: median(concatTimes), dump: median(perFile), hex: median(hexTimes) },
      dumperMBps: { perFile: mb / median(perFile), concatenated: mb / median(whole) },
      scripts,
      many,
    };
    const total = Object.values(phases).reduce((a, b) => a + b, 0);
    const markdown = [
      ...(scripts
        ? [
          `### dash dump against the original scripts' way (${files.length} files, ` +
          `${mb.toFixed(1)} MB, median of ${rounds})`,
          "",
          markdownTable(["how", "median s", "× scripts", "target"], [
            ["scripts: cat, mp4dump per segment, hexdump -C -v", secs(scripts.scripts), "1.00", ""],
            [
              "streamkit dash dump (mp4dump on PATH: the default engine)",
              secs(scripts.mp4dumpEngine),
              ratio(scripts.mp4dumpEngine, scripts.scripts),
              `≤ 0.25: ${scripts.mp4dumpEngine <= 0.25 * scripts.scripts ? "met" : "MISSED"}`,
            ],
            [
              "streamkit dash dump --engine builtin",
              secs(scripts.builtin),
              ratio(scripts.builtin, scripts.scripts),
              `≤ 0.25: ${scripts.builtin <= 0.25 * scripts.scripts ? "met" : "MISSED"}`,
            ],
          ]),
          "",
          `- same outputs: ${
            scripts.same ? "yes" : "NO"
          } (the .m4s and .hex byte for byte; the .dump once its \`# \` lines and \` @…\` ` +
          "suffixes are removed)",
          "",
        ]
        : []),
      ...(many
        ? [
          `### dash dump of a ${many.segments.toLocaleString("en-US")}-segment Representation`,
          "",
          markdownTable(["Representation", "dash dump --engine builtin s", "peak RSS MiB"], [
            [
              `${many.segments.toLocaleString("en-US")} segments (audio, 164 MB)`,
              secs(many.seconds),
              mib(many.peakRss),
            ],
            [`${files.length} segments (video, ${mb.toFixed(0)} MB)`, "", mib(many.fewPeakRss)],
          ]),
          "",
        ]
        : []),
      `### dash dump of a ${files.length}-file Representation (${mb.toFixed(1)} MB, ` +
      `built-in dumper, median of ${rounds})`,
      "",
      markdownTable(["what", "median s", "runs s"], [
        ["dash dump (m4s + dump + hex)", secs(result.cli.withHex), withHex.map(secs).join(" ")],
        ["dash dump --no-hex (m4s + dump)", secs(result.cli.noHex), noHex.map(secs).join(" ")],
      ]),
      "",
      "Each phase alone, in process (median of the rounds):",
      "",
      markdownTable(
        ["phase", "s", "input MB/s"],
        [
          ["concatenation (501 files → one, 1 MiB reads)", result.alone.concat],
          ["box dump, built-in, --verbosity 3, file by file", result.alone.dump],
          ["hexdump of the .m4s (hexdump -C -v format)", result.alone.hex],
        ].map(([what, sec]) => [
          what as string,
          secs(sec as number),
          (mb / (sec as number)).toFixed(0),
        ]),
      ),
      "",
      "CPU time by phase in the real command (one run under `--cpu-prof`; the dump and the " +
      "hexdump run at the same time):",
      "",
      markdownTable(
        ["phase", "CPU ms", "share"],
        Object.entries(phases).sort((a, b) => b[1] - a[1]).map(([p, ms]) => [
          p,
          ms.toFixed(0),
          `${((100 * ms) / total).toFixed(0)} %`,
        ]),
      ),
      "",
      markdownTable(["built-in dumper, --verbosity 3, in process", "input MB/s"], [
        [`${files.length} segment files one by one`, result.dumperMBps.perFile.toFixed(1)],
        ["the concatenated file", result.dumperMBps.concatenated.toFixed(1)],
      ]),
      "",
      ...notes.map((n) => `- ${n}`),
    ].join("\n");
    return { ...result, markdown };
  } finally {
    await Deno.remove(work, { recursive: true }).catch(() => {});
    await Deno.remove(join(CACHE, "out", "dump-prof"), { recursive: true }).catch(() => {});
  }
}

/**
 * The way the original scripts dumped a Representation, as a shell script: `cat` of the
 * segments into `rep.m4s`, `mp4dump --verbosity 3` of each segment appended to `rep.dump`,
 * `hexdump -C -v rep.m4s > rep.hex`.
 */
const SCRIPTS = `set -e
cd "$1"; shift
cat "$@" > rep.m4s
: > rep.dump
for f in "$@"; do "$MP4DUMP" --verbosity 3 "$f" >> rep.dump; done
hexdump -C -v rep.m4s > rep.hex
`;

/**
 * The scripts' way beside \`dash dump\` (with mp4dump on PATH, the default engine, and with the
 * built-in one), alternating, median of \`rounds\`; and whether the outputs are the same.
 */
async function againstScripts(
  root: string,
  work: string,
  files: string[],
  program: string,
  rounds: number,
): Promise<{ scripts: number; mp4dumpEngine: number; builtin: number; same: boolean }> {
  const folder = program.includes("/") ? program.slice(0, program.lastIndexOf("/")) : undefined;
  const path = `${folder ? `${folder}:` : ""}${Deno.env.get("PATH") ?? ""}`;
  const names = files.map((f) => f.slice(f.lastIndexOf("/") + 1));
  const runs = { scripts: [] as number[], mp4dumpEngine: [] as number[], builtin: [] as number[] };
  const argv = {
    scripts: ["sh", ["-c", SCRIPTS, "sh", work, ...names]],
    mp4dumpEngine: [Deno.execPath(), [
      ...streamkitRun(),
      "dash",
      "dump",
      "-d",
      work,
      "-r",
      REP,
      "-q",
    ]],
    builtin: [Deno.execPath(), [
      ...streamkitRun(),
      "dash",
      "dump",
      "-d",
      work,
      "-r",
      REP,
      "-q",
      "--engine",
      "builtin",
    ]],
  } as const;
  const order = ["scripts", "mp4dumpEngine", "builtin"] as const;
  let same = true;
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < order.length; k++) {
      const how = order[(k + round) % order.length];
      await linkTree(root, work);
      const [cmd, args] = argv[how];
      const r = await timeCommand(cmd, [...args], {
        env: { PATH: path, MP4DUMP: program },
      });
      if (r.code !== 0) throw new Error(`${how} failed (${r.code}): ${r.stderr}`);
      runs[how].push(r.seconds);
      if (how === "mp4dumpEngine" && round === 0) {
        // Keep streamkit's outputs of this run to compare with the scripts' below.
        for (const ext of ["m4s", "dump", "hex"]) {
          await Deno.rename(join(work, `${REP}.${ext}`), join(CACHE, "out", `streamkit.${ext}`));
        }
      }
      if (how === "scripts" && round === 0) {
        for (const ext of ["m4s", "dump", "hex"]) {
          await Deno.rename(join(work, `rep.${ext}`), join(CACHE, "out", `scripts.${ext}`));
        }
      }
    }
  }
  const at = (name: string) => join(CACHE, "out", name);
  same = (await sameFile(at("streamkit.m4s"), at("scripts.m4s"))) &&
    (await sameFile(at("streamkit.hex"), at("scripts.hex")));
  const ours = (await Deno.readTextFile(at("streamkit.dump"))).split("\n")
    .filter((l) => !l.startsWith("# ")).map((l) => l.replace(/ @\d+ \(0x[0-9a-f]+\)$/, ""))
    .join("\n");
  same &&= ours === await Deno.readTextFile(at("scripts.dump"));
  for (const who of ["streamkit", "scripts"]) {
    for (const ext of ["m4s", "dump", "hex"]) await Deno.remove(at(`${who}.${ext}`));
  }
  return {
    scripts: median(runs.scripts),
    mp4dumpEngine: median(runs.mp4dumpEngine),
    builtin: median(runs.builtin),
    same,
  };
}

/**
 * \`dash dump --engine builtin\` of the 10,000-segment Representation (bench/make_stream.ts
 * \`dumpmany\`) and of the 501-file one: wall time and peak RSS, to show memory stays flat.
 */
async function manySegments(): Promise<
  { segments: number; seconds: number; peakRss: number; fewPeakRss: number }
> {
  const run = async (root: string, rep: string) => {
    const work = join(CACHE, "out", "dump-many");
    await linkTree(root, work);
    try {
      const r = await timeCommand(Deno.execPath(), [
        ...streamkitRun(),
        "dash",
        "dump",
        "-d",
        work,
        "-r",
        rep,
        "-q",
        "--engine",
        "builtin",
      ], { rss: true });
      if (r.code !== 0) throw new Error(`dash dump failed (${r.code}): ${r.stderr}`);
      return r;
    } finally {
      await Deno.remove(work, { recursive: true }).catch(() => {});
    }
  };
  const many = await ensureDumpManyStream();
  const big = await run(many.root, "1");
  const few = await run((await ensureDumpStream()).root, REP);
  return {
    segments: DUMP_MANY_SEGMENTS,
    seconds: big.seconds,
    peakRss: big.peakRss ?? NaN,
    fewPeakRss: few.peakRss ?? NaN,
  };
}

/** What is wrong with `dash dump`'s output in `dir`, or undefined. */
async function check(dir: string, files: string[]): Promise<string | undefined> {
  const m4s = join(dir, `${REP}.m4s`);
  const expected = join(dir, "expected.m4s");
  {
    using out = await Deno.open(expected, { write: true, create: true, truncate: true });
    for (const f of files) await out.write(await Deno.readFile(f));
  }
  if (!(await sameFile(m4s, expected))) return `${REP}.m4s is not the segments concatenated`;
  const dump = await Deno.readTextFile(join(dir, `${REP}.dump`));
  const sections = dump.split("\n").filter((l) => l.startsWith("# ")).length;
  if (sections !== files.length) return `${REP}.dump has ${sections} sections, not ${files.length}`;
  if (await which("hexdump")) {
    const want = join(dir, "expected.hex");
    const r = await new Deno.Command("sh", {
      args: ["-c", 'hexdump -C -v "$1" > "$2"', "sh", m4s, want],
    }).output();
    if (!r.success) return "hexdump failed";
    if (!(await sameFile(join(dir, `${REP}.hex`), want))) return `${REP}.hex differs from hexdump`;
  }
  return undefined;
}

if (import.meta.main) {
  const i = Deno.args.indexOf("--mp4dump");
  const result = await runDumpBench({
    rounds: numberArg(Deno.args, "--rounds", 3),
    mp4dump: i >= 0 ? Deno.args[i + 1] : undefined,
  });
  console.log(result.markdown);
}
