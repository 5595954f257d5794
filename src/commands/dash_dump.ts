/**
 * `streamkit dash dump`: after `dash get`, take each fMP4 Representation of the saved
 * manifest apart. Beside the manifest it writes `<id>.m4s` (init and media segments
 * concatenated in manifest order), `<id>.dump` (mp4dump `--verbosity 3` text per segment,
 * every box annotated with its offset in `<id>.m4s`) and `<id>.hex` (`hexdump -C -v`). The
 * workflow is `dump/run.ts`; this module reads the options and prints the report.
 *
 * @module
 */
import { Command, Option } from "@commander-js/extra-typings";
import { basename, dirname, resolve } from "node:path";
import { ENGINE_CHOICES, type EngineChoice } from "../dump/engine.ts";
import {
  type DumpReport,
  type RepresentationReport,
  type RepresentationStatus,
  runDump,
} from "../dump/run.ts";
import { defaultParallelism, ExitCode } from "../errors.ts";
import { formatSeconds } from "../ui/format.ts";
import { displayMode, Terminal } from "../ui/terminal.ts";
import { type CommandContext, recordExit } from "./context.ts";
import { count } from "./get_common.ts";

/** The parsed options of `dash dump`. */
export interface DashDumpOptions {
  /** `-d, --directory`: where the manifest and the segments are. */
  directory?: string;
  /** `-r, --reps`: Representation ids (or output names) to dump. */
  reps?: string[];
  /** `--manifest`: the MPD to read. */
  manifest?: string;
  /** `--engine`. */
  engine: EngineChoice;
  /** `--mp4dump`: the mp4dump program. */
  mp4dump?: string;
  /** `--no-hex` sets this to false. */
  hex: boolean;
  /** `--json`: machine-readable summary. */
  json?: boolean;
  /** `-q, --quiet`: no progress or notes. */
  quiet?: boolean;
}

/** Formats rows as left-aligned columns (numbers right-aligned). */
function table(rows: string[][], numeric: boolean[]): string[] {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) =>
    r.map((cell, c) =>
      c === r.length - 1 ? cell : numeric[c] ? cell.padStart(widths[c]) : cell.padEnd(widths[c])
    ).join("  ").trimEnd()
  );
}

/** The text summary. */
function summaryText(report: DumpReport, seconds: number): string {
  const reps = report.representations;
  const label = (r: RepresentationReport) =>
    report.multiPeriod ? `${r.id} (Period[${r.period}])` : r.id;
  const lines: string[] = [];
  const done = reps.filter((r) => r.status === "dumped" || r.status === "damaged");
  if (done.length > 0) {
    const rows = [["Representation", "kind", "segments", "bytes", "engine", "files written"]];
    for (const r of done) {
      rows.push([
        label(r),
        r.kind,
        String(r.segments),
        String(r.bytes),
        r.engines.join("+"),
        r.files.join(" "),
      ]);
    }
    lines.push(...table(rows, [false, false, true, true, false, false]));
  }
  const section = (status: RepresentationStatus, title: string) => {
    const some = reps.filter((r) => r.status === status);
    if (some.length === 0) return;
    lines.push(`${title} (${some.length}):`);
    for (const r of some) {
      if (status === "incomplete") {
        lines.push(`  ${label(r)}: ${r.missing.length} missing: ${r.missing.join(", ")}`);
      } else if (status === "damaged") {
        for (const p of r.problems) lines.push(`  ${label(r)}: ${p}`);
      } else lines.push(`  ${label(r)} (${r.kind}): ${r.reason}`);
      if (r.earlier?.length) {
        lines.push(`    (${r.earlier.join(", ")} from an earlier run left as they were)`);
      }
    }
  };
  section("skipped", "skipped, not fMP4");
  section("incomplete", "incomplete, nothing written");
  section("failed", "failed, nothing written");
  section("damaged", "damaged");
  const n = (s: RepresentationStatus) => reps.filter((r) => r.status === s).length;
  const extra = (["skipped", "incomplete", "failed", "damaged"] as const)
    .filter((s) => n(s) > 0).map((s) => `, ${n(s)} ${s}`).join("");
  lines.push(
    `dash dump: ${done.length} of ${count(reps.length, "Representation")} dumped${extra} ` +
      `from ${basename(report.manifest)} in ${report.directory} (${formatSeconds(seconds)})`,
  );
  return lines.join("\n") + "\n";
}

/** The least time between two redraws of the progress line. */
const PROGRESS_MS = 100;

/**
 * Runs `dash dump` with parsed options and returns the exit code: 0 when every selected fMP4
 * Representation was dumped whole, 1 when one was incomplete, failed or damaged (the others
 * are still dumped) or when nothing at all could be dumped; usage and manifest errors throw
 * (exit 2).
 */
export async function runDashDump(ctx: CommandContext, opts: DashDumpOptions): Promise<number> {
  const { io } = ctx;
  const started = performance.now();
  const mode = displayMode(io, opts.quiet ?? false);
  const term = new Terminal(io, mode);
  // Only a terminal shows progress, redrawn at most every PROGRESS_MS (10,000 segments would
  // otherwise be 10,000 frames, each a string made and written).
  let drawn = -Infinity;
  const progress = (id: string, name: string, n: number, total: number) => {
    const now = performance.now();
    if (n < total && now - drawn < PROGRESS_MS) return;
    drawn = now;
    term.live([`dash dump: ${id} → ${name}.m4s: ${n}/${total} segments`]);
  };
  // `--manifest some/dir/x.mpd` without `-d` names the folder too.
  const named = opts.manifest !== undefined && opts.directory === undefined
    ? resolve(io.cwd, opts.manifest)
    : undefined;
  const report = await runDump({
    directory: named ? dirname(named) : resolve(io.cwd, opts.directory ?? "."),
    manifest: named ? basename(named) : opts.manifest,
    reps: opts.reps,
    engine: opts.engine,
    mp4dump: opts.mp4dump === undefined ? undefined : resolveProgram(io.cwd, opts.mp4dump),
    searchPath: io.env("PATH"),
    hex: opts.hex,
    concurrency: defaultParallelism(),
    onNote: (m) => term.line(`note: ${m}`),
    onProblem: (id, m) => term.line(`streamkit: ${id}: ${m}`, true),
    onProgress: mode === "tty" ? progress : undefined,
  });
  term.clear();
  const seconds = (performance.now() - started) / 1000;
  const reps = report.representations;
  if (opts.json) {
    const engine = report.engine;
    io.stdout.write(
      JSON.stringify(
        {
          command: "dash dump",
          directory: report.directory,
          manifest: basename(report.manifest),
          engine: engine?.kind ?? null,
          mp4dump: engine?.kind === "mp4dump" ? engine.program : undefined,
          representations: reps,
          notes: report.notes,
          seconds,
        },
        null,
        2,
      ) + "\n",
    );
  } else io.stdout.write(summaryText(report, seconds));
  const dumped = reps.filter((r) => r.status === "dumped" || r.status === "damaged").length;
  const bad = reps.some((r) =>
    r.status === "incomplete" || r.status === "failed" || r.status === "damaged"
  );
  return bad || dumped === 0 ? ExitCode.Failed : ExitCode.Ok;
}

/** A `--mp4dump` value with a folder in it is a path relative to the caller's folder. */
function resolveProgram(cwd: string, program: string): string {
  return /[\\/]/.test(program) ? resolve(cwd, program) : program;
}

/**
 * Builds the `dash dump` subcommand.
 *
 * @param ctx the process's edges and where the action records its exit code
 * @example
 * ```ts
 * import { Command } from "@commander-js/extra-typings";
 * import { memoryIo } from "../ui/io.ts";
 * const ctx = { io: memoryIo(), result: { exitCode: 0 }, run: () => Promise.resolve(0) };
 * new Command("dash").addCommand(dashDumpCommand(ctx));
 * ```
 */
export function dashDumpCommand(ctx: CommandContext) {
  return new Command("dump")
    .description(
      "per fMP4 Representation of the saved manifest, write <id>.m4s (segments concatenated " +
        "in manifest order), <id>.dump (mp4dump --verbosity 3 per segment, boxes annotated " +
        "with their offsets in <id>.m4s) and <id>.hex (hexdump -C -v of <id>.m4s)",
    )
    .option("-d, --directory <dir>", "the folder `dash get` wrote (default: the current one)")
    .option("-r, --reps <id...>", "Representation ids to dump (default: every fMP4 one)")
    .option("--manifest <file>", "the MPD to read when the folder holds several")
    .addOption(
      new Option("--engine <engine>", "box dumper; auto: mp4dump when found, else the built-in one")
        .choices(ENGINE_CHOICES)
        .default("auto" as EngineChoice),
    )
    .option("--mp4dump <path>", "the mp4dump program to run (Bento4's, or one that answers alike)")
    .option("--no-hex", "do not write <id>.hex")
    .option("--json", "print a machine-readable summary on stdout")
    .option("-q, --quiet", "no progress or notes; only errors and the summary")
    .action(recordExit(ctx, (opts) => runDashDump(ctx, opts)));
}
