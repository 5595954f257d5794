/**
 * Start-up: how long `streamkit --version`, a `--dry-run` of a small MPD and a few other
 * short commands take, from spawn to exit, beside `deno run` of an empty script (Deno's own
 * start-up, the floor) in the same run. The target is at most 1.3× the empty script.
 *
 * Every command runs `--rounds` times (default 21), in rotating order so that a slow moment
 * of the machine falls on all of them alike; the table shows the median, the quartiles and
 * the ratio of the medians. The empty script lives in `.bench/` so that Deno finds the same
 * configuration (deno.json, lock file) for it as for streamkit.
 *
 * Run: `deno run -A bench/startup_bench.ts [--rounds 21]`
 *
 * @module
 */
import { join } from "node:path";
import { CACHE, markdownTable, median, numberArg, REPO, streamkitRun } from "./common.ts";

/** The start-up target: a command within this many times the empty script. */
export const STARTUP_TARGET = 1.3;

/** One command's runs. */
export interface StartupRow {
  /** What it is. */
  name: string;
  /** Its arguments after `deno run -A`. */
  args: string[];
  /** Milliseconds of every run. */
  runs: number[];
  /** The median. */
  median: number;
  /** Whether it is held to the target (the empty script and informative rows are not). */
  target: boolean;
}

/** What the benchmark measured. */
export interface StartupBenchResult {
  rows: StartupRow[];
  markdown: string;
}

/** Milliseconds from spawn to exit of `deno args…` (stdout and stderr discarded). */
async function timeOnce(args: string[]): Promise<number> {
  const t0 = performance.now();
  const status = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: REPO,
    stdin: "null",
    stdout: "null",
    stderr: "null",
  }).spawn().status;
  const ms = performance.now() - t0;
  if (!status.success) throw new Error(`deno ${args.join(" ")} exited ${status.code}`);
  return ms;
}

function quantile(values: number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.round(q * (s.length - 1))))];
}

/** One warm-up of each case (module and code caches), then `rounds` rounds in rotating order. */
async function timeRounds(
  cases: Omit<StartupRow, "runs" | "median">[],
  rounds: number,
): Promise<StartupRow[]> {
  const runs = cases.map(() => [] as number[]);
  for (const c of cases) await timeOnce(c.args);
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < cases.length; k++) {
      const i = (k + r) % cases.length;
      runs[i].push(await timeOnce(cases[i].args));
    }
  }
  return cases.map((c, i) => ({ ...c, runs: runs[i], median: median(runs[i]) }));
}

/** Runs the start-up benchmark. */
export async function runStartupBench(options: { rounds?: number } = {}): Promise<
  StartupBenchResult
> {
  const rounds = options.rounds ?? 21;
  await Deno.mkdir(CACHE, { recursive: true });
  const empty = join(CACHE, "empty.ts");
  await Deno.writeTextFile(empty, "");
  // The two libraries a --dry-run must load (the CLI parser and the XML parser), each alone:
  // what they cost before streamkit does anything.
  const commander = join(CACHE, "import_commander.ts");
  await Deno.writeTextFile(
    commander,
    'import { Command } from "@commander-js/extra-typings";\nif (!Command) throw 1;\n',
  );
  const xml = join(CACHE, "import_xml.ts");
  await Deno.writeTextFile(
    xml,
    'import { XMLParser } from "fast-xml-parser";\nif (!XMLParser) throw 1;\n',
  );
  const main = join(REPO, "main.ts");
  const mpd = join(REPO, "tests/fixtures/reference/dash-avc-aac/manifest.mpd");
  const init = join(REPO, "tests/fixtures/reference/dash-avc-aac/init-stream0.m4s");
  const cases: Omit<StartupRow, "runs" | "median">[] = [
    { name: "deno run of an empty script", args: ["run", "-A", empty], target: false },
    { name: "streamkit --version", args: [...streamkitRun(main), "--version"], target: true },
    {
      name: "streamkit dash get --dry-run (local MPD, 18 files)",
      args: [
        ...streamkitRun(main),
        "dash",
        "get",
        mpd,
        "--base-url",
        "http://127.0.0.1:9/v/",
        "--dry-run",
      ],
      target: true,
    },
    {
      name: "streamkit mp4 dump (843-byte init)",
      args: [...streamkitRun(main), "mp4", "dump", init],
      target: false,
    },
    { name: "streamkit --help", args: [...streamkitRun(main), "--help"], target: false },
  ];
  // Measured in rounds of their own, after streamkit's: alternating these scripts with
  // streamkit's commands was seen to slow both by tens of milliseconds on this VM.
  const libraries: Omit<StartupRow, "runs" | "median">[] = [
    cases[0],
    { name: "a script that only imports commander", args: ["run", "-A", commander], target: false },
    { name: "a script that only imports fast-xml-parser", args: ["run", "-A", xml], target: false },
  ];
  const rows = [
    ...await timeRounds(cases, rounds),
    ...(await timeRounds(libraries, rounds)).slice(1),
  ];
  const base = rows[0].median;
  const table = markdownTable(
    ["command", "median ms", "quartiles ms", "× empty script", "target"],
    rows.map((r) => [
      r.name,
      r.median.toFixed(1),
      `${quantile(r.runs, 0.25).toFixed(1)}–${quantile(r.runs, 0.75).toFixed(1)}`,
      (r.median / base).toFixed(2),
      r.target
        ? `≤ ${STARTUP_TARGET}: ${r.median <= STARTUP_TARGET * base ? "met" : "MISSED"}`
        : "",
    ]),
  );
  const markdown = [
    `### Start-up (spawn to exit, median of ${rounds} rounds, rotating order)`,
    "",
    table,
    "",
    `- the empty script is \`.bench/empty.ts\`, run as \`deno run -A\` from the repository, so ` +
    "Deno reads the same deno.json and lock file as for streamkit",
    "- the last two rows are the command-line parser and the XML parser the project must use " +
    "(README, Dependencies), each imported alone by a script that does nothing else (what a " +
    "`--dry-run` pays for them before any work of its own), timed in rounds of their own " +
    "after the others'; their ratio is to the first round's empty script",
  ].join("\n");
  return { rows, markdown };
}

if (import.meta.main) {
  const result = await runStartupBench({ rounds: numberArg(Deno.args, "--rounds", 21) });
  console.log(result.markdown);
}
