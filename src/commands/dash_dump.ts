/**
 * `streamkit dash dump`: after `dash get`, take each fMP4 Representation of the saved
 * manifest apart. Beside the manifest it writes `<id>.m4s` (init and media segments
 * concatenated in manifest order), `<id>.dump` (mp4dump `--verbosity 3` text per segment,
 * every box annotated with its offset in `<id>.m4s`) and `<id>.hex` (`hexdump -C -v`).
 *
 * The segment list comes from the manifest through the same DASH code and the same layout
 * as `dash get` ({@linkcode placeRepresentations}), never from a directory listing.
 *
 * @module
 */
import { Command, Option } from "@commander-js/extra-typings";
import { basename, dirname, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { dashLayout, type PlacedRepresentation, placeRepresentations } from "../dash/plan.ts";
import { parseMpd } from "../dash/mpd.ts";
import { chooseEngine, type Engine, ENGINE_CHOICES, type EngineChoice } from "../dump/engine.ts";
import { Mp4dumpError } from "../dump/mp4dump.ts";
import {
  declaredNotFmp4,
  dumpRepresentation,
  missingFiles,
  OUTPUT_EXTENSIONS,
  outputNames,
  segmentFiles,
  sniffNotFmp4,
} from "../dump/representation.ts";
import { ExitCode, InputError, UsageError } from "../errors.ts";
import { formatSeconds } from "../ui/format.ts";
import { displayMode, Terminal, writeOut } from "../ui/terminal.ts";
import { type CommandResult, recordExit } from "./context.ts";
import { readManifestFile } from "./get_common.ts";

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

/** What became of one Representation. */
export type RepresentationStatus = "dumped" | "damaged" | "skipped" | "incomplete" | "failed";

/** One Representation in the summary (also the `--json` shape). */
export interface RepresentationReport {
  /** `Representation@id`. */
  id: string;
  /** Base name of its output files. */
  name: string;
  /** Index of its Period. */
  period: number;
  /** `Period@id`, when given. */
  periodId?: string;
  /** video, audio, text, … (AdaptationSet@contentType, else the mimeType's type). */
  kind: string;
  /** `@mimeType`. */
  mimeType?: string;
  /** `@codecs`. */
  codecs?: string;
  /** Where in the MPD it is. */
  where: string;
  /** What became of it. */
  status: RepresentationStatus;
  /** Why it was skipped or failed. */
  reason?: string;
  /** Distinct local files (the sections of `<name>.dump`). */
  segments: number;
  /** Resources the manifest addresses (byte ranges of one file count one each). */
  addressed: number;
  /** Size of `<name>.m4s`. */
  bytes: number;
  /** Engines that produced `<name>.dump` (`mp4dump`, `builtin`). */
  engines: string[];
  /** Files written, relative to the directory. */
  files: string[];
  /** Local paths of the files that are not there. */
  missing: string[];
  /** Damage found in the files. */
  problems: string[];
  /** Output files of an earlier run, left as they were when this one wrote nothing. */
  earlier?: string[];
}

/** Which of a Representation's output files an earlier run left in `dir`. */
async function earlierOutputs(dir: string, name: string): Promise<string[]> {
  const found: string[] = [];
  for (const ext of OUTPUT_EXTENSIONS) {
    try {
      await Deno.stat(resolve(dir, `${name}${ext}`));
      found.push(`${name}${ext}`);
    } catch {
      // not there
    }
  }
  return found;
}

/** Finds the directory and the manifest to read. */
async function locateManifest(
  opts: DashDumpOptions,
): Promise<{ dir: string; manifest: string }> {
  if (opts.manifest !== undefined) {
    const base = resolve(opts.directory ?? ".");
    const manifest = resolve(base, opts.manifest);
    const dir = opts.directory === undefined ? dirname(manifest) : base;
    if (dirname(manifest) !== dir) {
      throw new UsageError(`--manifest ${opts.manifest} is not in the directory ${dir}`);
    }
    return { dir, manifest };
  }
  const dir = resolve(opts.directory ?? ".");
  const found: string[] = [];
  try {
    for await (const e of Deno.readDir(dir)) {
      if (e.isFile && /\.mpd$/i.test(e.name)) found.push(e.name);
    }
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new InputError(`cannot read the directory (${why})`, dir);
  }
  found.sort();
  if (found.length === 0) {
    throw new InputError(
      "no .mpd manifest here; run `streamkit dash get` first, or name one with --manifest",
      dir,
    );
  }
  if (found.length > 1) {
    throw new UsageError(
      `${dir} holds ${found.length} manifests (${found.join(", ")}); choose one with --manifest`,
    );
  }
  return { dir, manifest: resolve(dir, found[0]) };
}

/** Picks the Representations named with `-r` (by id or output name), or all. */
function select(
  placed: PlacedRepresentation[],
  names: string[],
  wanted: string[] | undefined,
): number[] {
  const all = placed.map((_, i) => i);
  if (wanted === undefined || wanted.length === 0) return all;
  const unknown = wanted.filter((w) => !placed.some((p, i) => p.rep.id === w || names[i] === w));
  if (unknown.length > 0) {
    const known = [...new Set(placed.map((p) => p.rep.id))].join(", ");
    throw new UsageError(
      `no Representation ${unknown.map((u) => `"${u}"`).join(", ")} in the manifest; ` +
        `its Representations are: ${known}`,
    );
  }
  return all.filter((i) => wanted.includes(placed[i].rep.id) || wanted.includes(names[i]));
}

function kindOf(p: PlacedRepresentation): string {
  return p.rep.contentType ?? p.rep.mimeType?.split("/")[0] ?? "?";
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
function summaryText(
  dir: string,
  manifest: string,
  reports: RepresentationReport[],
  seconds: number,
  multiPeriod: boolean,
): string {
  const label = (r: RepresentationReport) => multiPeriod ? `${r.id} (Period[${r.period}])` : r.id;
  const lines: string[] = [];
  const done = reports.filter((r) => r.status === "dumped" || r.status === "damaged");
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
    const some = reports.filter((r) => r.status === status);
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
  const count = (s: RepresentationStatus) => reports.filter((r) => r.status === s).length;
  lines.push(
    `dash dump: ${done.length} of ${reports.length} Representation(s) dumped` +
      `${count("skipped") ? `, ${count("skipped")} skipped` : ""}` +
      `${count("incomplete") ? `, ${count("incomplete")} incomplete` : ""}` +
      `${count("failed") ? `, ${count("failed")} failed` : ""}` +
      `${count("damaged") ? `, ${count("damaged")} damaged` : ""}` +
      ` from ${basename(manifest)} in ${dir} (${formatSeconds(seconds)})`,
  );
  return lines.join("\n") + "\n";
}

/** What the Representations of one run share. */
interface RunState {
  /** The directory. */
  dir: string;
  /** The options. */
  opts: DashDumpOptions;
  /** The terminal writer. */
  term: Terminal;
  /** Records and shows a note. */
  note: (message: string) => void;
  /** The engine, chosen when the first Representation is dumped. */
  engine?: Engine;
}

/** Skips, reports incomplete, or dumps one Representation. */
async function dumpOne(
  run: RunState,
  p: PlacedRepresentation,
  name: string,
): Promise<RepresentationReport> {
  const { dir, opts, term } = run;
  const files = segmentFiles(p.segments, dir);
  const report: RepresentationReport = {
    id: p.rep.id,
    name,
    period: p.rep.periodIndex,
    periodId: p.rep.periodId,
    kind: kindOf(p),
    mimeType: p.rep.mimeType,
    codecs: p.rep.codecs,
    where: p.rep.where,
    status: "dumped",
    segments: files.length,
    addressed: p.segments.length,
    bytes: 0,
    engines: [],
    files: [],
    missing: [],
    problems: [],
  };
  const declared = declaredNotFmp4(p.rep.mimeType);
  if (declared !== undefined) return { ...report, status: "skipped", reason: declared };
  const missing = (await missingFiles(files)).map((m) => m.path);
  if (missing.length > 0) {
    const reason = `missing ${missing.join(", ")}`;
    term.line(`streamkit: ${p.rep.id}: ${reason}`, true);
    const earlier = await earlierOutputs(dir, name);
    return { ...report, status: "incomplete", missing, reason, earlier };
  }
  const sniffed = files.length === 0
    ? "the manifest addresses no file"
    : await sniffNotFmp4(files[0].file, files[0].path);
  if (sniffed !== undefined) return { ...report, status: "skipped", reason: sniffed };
  if (run.engine === undefined) {
    const decision = await chooseEngine({ engine: opts.engine, mp4dump: opts.mp4dump });
    run.engine = decision.engine;
    if (decision.note) run.note(decision.note);
  }
  try {
    const result = await dumpRepresentation(files, dir, name, {
      engine: run.engine,
      hex: opts.hex,
      concurrency: Math.min(8, Math.max(2, navigator.hardwareConcurrency || 4)),
      onNote: run.note,
      onProgress: (n, total) =>
        term.live(`dash dump: ${p.rep.id} → ${name}.m4s: ${n}/${total} segments`),
    });
    if (result.mp4dumpUnusable) run.engine = { kind: "builtin" };
    return {
      ...report,
      status: result.problems.length > 0 ? "damaged" : "dumped",
      bytes: result.bytes,
      engines: result.engines,
      files: result.written,
      problems: result.problems,
    };
  } catch (err) {
    if (err instanceof Mp4dumpError && err.cannotRun) {
      throw new UsageError(`${err.message} (--engine mp4dump)`);
    }
    const reason = err instanceof Error ? err.message : String(err);
    term.line(`streamkit: ${p.rep.id}: ${reason}`, true);
    return { ...report, status: "failed", reason, earlier: await earlierOutputs(dir, name) };
  } finally {
    term.live("");
  }
}

/**
 * Runs `dash dump` with parsed options and returns the exit code: 0 when every selected fMP4
 * Representation was dumped, 1 when one was incomplete, failed or damaged (the others are
 * still dumped) or when nothing at all could be dumped; usage and manifest errors throw
 * (exit 2).
 */
export async function runDashDump(opts: DashDumpOptions): Promise<number> {
  const started = performance.now();
  const term = new Terminal(displayMode(opts.quiet ?? false));
  const notes: string[] = [];
  const note = (message: string) => {
    notes.push(message);
    term.line(`note: ${message}`);
  };
  const { dir, manifest } = await locateManifest(opts);
  const text = await readManifestFile(manifest);
  const manifestUrl = pathToFileURL(manifest).href;
  const mpd = parseMpd(text, manifestUrl);
  if (mpd.type === "dynamic") {
    throw new InputError('MPD@type="dynamic" (a live stream) cannot be dumped', manifest);
  }
  const { layout, manifestPath } = dashLayout(manifestUrl);
  const placed = placeRepresentations(mpd, manifestUrl, layout, {
    schemes: ["file:"],
    insideRoot: true,
  });
  const reserved = [manifestPath, ...placed.flatMap((p) => p.segments.map((s) => s.path))];
  const names = outputNames(placed.map((p) => ({ id: p.rep.id, periodIndex: p.rep.periodIndex })), [
    ...reserved,
    `${manifestPath}.orig`,
  ]);
  const chosen = select(placed, names, opts.reps);
  const multiPeriod = new Set(placed.map((p) => p.rep.periodIndex)).size > 1;

  const run: RunState = { dir, opts, term, note };
  const reports: RepresentationReport[] = [];
  for (const i of chosen) reports.push(await dumpOne(run, placed[i], names[i]));
  const engine = run.engine;
  term.done();

  const seconds = (performance.now() - started) / 1000;
  const dumped = reports.filter((r) => r.status === "dumped" || r.status === "damaged").length;
  if (dumped === 0 && reports.every((r) => r.status === "skipped")) {
    note("nothing dumped: no fMP4 Representation among those selected");
  }
  if (opts.json) {
    writeOut(
      JSON.stringify(
        {
          command: "dash dump",
          directory: dir,
          manifest: basename(manifest),
          engine: engine?.kind ?? null,
          mp4dump: engine?.kind === "mp4dump" ? engine.program : undefined,
          representations: reports,
          notes: [...mpd.notes, ...notes],
          seconds,
        },
        null,
        2,
      ) + "\n",
    );
  } else writeOut(summaryText(dir, manifest, reports, seconds, multiPeriod));
  const bad = reports.some((r) =>
    r.status === "incomplete" || r.status === "failed" || r.status === "damaged"
  );
  return bad || dumped === 0 ? ExitCode.Failed : ExitCode.Ok;
}

/**
 * Builds the `dash dump` subcommand.
 *
 * @param result where the action records its exit code
 * @example
 * ```ts
 * const result = { exitCode: 0 };
 * new Command("dash").addCommand(dashDumpCommand(result));
 * ```
 */
export function dashDumpCommand(result: CommandResult) {
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
    .action(recordExit(result, (opts) => runDashDump(opts)));
}
