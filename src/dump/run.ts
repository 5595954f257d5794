/**
 * The `dash dump` workflow, beside `mirror/run.ts`: find the saved manifest, place every
 * Representation's files with the same DASH code and the same layout as `dash get`, name
 * the outputs through that layout, and dump each selected fMP4 Representation. Returns a
 * report; printing is the command's business.
 *
 * @module
 */
import { dirname, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { readManifestFile } from "../manifest_file.ts";
import { parseMpd } from "../dash/mpd.ts";
import { dashLayout, type PlacedRepresentation, placeSegments } from "../dash/plan.ts";
import { representationSegments, type Segment } from "../dash/segments.ts";
import { errorMessage, InputError, UsageError } from "../errors.ts";
import { OutputDir } from "../mirror/output.ts";
import { chooseEngine, type Engine, type EngineChoice } from "./engine.ts";
import { Mp4dumpError } from "./mp4dump.ts";
import {
  declaredNotFmp4,
  dumpRepresentation,
  missingFiles,
  OUTPUT_EXTENSIONS,
  segmentFiles,
  sniffNotFmp4,
} from "./representation.ts";

/** What a `dash dump` run is asked to do. */
export interface DumpRunOptions {
  /** The folder `dash get` wrote (absolute). */
  directory: string;
  /** The MPD to read, relative to the directory or absolute; found when absent. */
  manifest?: string;
  /** Representation ids (or output names) to dump; all when absent or empty. */
  reps?: string[];
  /** The engine asked for. */
  engine: EngineChoice;
  /** The mp4dump program, when named. */
  mp4dump?: string;
  /** The search path for mp4dump (the caller's `PATH`). */
  searchPath?: string;
  /** Write `<name>.hex`. */
  hex: boolean;
  /** mp4dump processes at once. */
  concurrency: number;
  /** Told about things the user should know. */
  onNote: (message: string) => void;
  /** Told about a Representation's progress. */
  onProgress?: (id: string, name: string, done: number, total: number) => void;
  /** Told about a Representation that cannot be dumped (missing files, a failure). */
  onProblem?: (id: string, message: string) => void;
}

/** What became of one Representation. */
export type RepresentationStatus = "dumped" | "damaged" | "skipped" | "incomplete" | "failed";

/** One Representation in the report (also the `--json` shape). */
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
  /** Damage found in the files, each naming the segment and the offsets. */
  problems: string[];
  /** Output files of an earlier run, left as they were when this one wrote nothing. */
  earlier?: string[];
}

/** What a `dash dump` run did. */
export interface DumpReport {
  /** The directory. */
  directory: string;
  /** The manifest read (absolute path). */
  manifest: string;
  /** The engine used (undefined when nothing was dumped). */
  engine?: Engine;
  /** Every selected Representation. */
  representations: RepresentationReport[];
  /** Notes (the manifest's, and the run's). */
  notes: string[];
  /** Whether the MPD has several Periods. */
  multiPeriod: boolean;
}

/** Which of a Representation's output files an earlier run left in `out`. */
function earlierOutputs(out: OutputDir, name: string): string[] {
  return OUTPUT_EXTENSIONS.map((ext) => `${name}${ext}`).filter((f) => out.sizeOf(f) !== undefined);
}

/**
 * Finds the directory and the manifest to read: the one named, or the only `.mpd` in the
 * directory.
 *
 * @throws {InputError} when there is none; {@link UsageError} when there are several
 */
export async function locateManifest(
  directory: string,
  manifest?: string,
): Promise<{ dir: string; manifest: string }> {
  if (manifest !== undefined) {
    const path = resolve(directory, manifest);
    if (dirname(path) !== directory) {
      throw new UsageError(`--manifest ${manifest} is not in the directory ${directory}`);
    }
    return { dir: directory, manifest: path };
  }
  const found: string[] = [];
  try {
    for await (const e of Deno.readDir(directory)) {
      if (e.isFile && /\.mpd$/i.test(e.name)) found.push(e.name);
    }
  } catch (err) {
    throw new InputError(`cannot read the directory (${errorMessage(err)})`, directory);
  }
  found.sort();
  if (found.length === 0) {
    throw new InputError(
      "no .mpd manifest here; run `streamkit dash get` first, or name one with --manifest",
      directory,
    );
  }
  if (found.length > 1) {
    throw new UsageError(
      `${directory} holds ${found.length} manifests (${found.join(", ")}); ` +
        "choose one with --manifest",
    );
  }
  return { dir: directory, manifest: resolve(directory, found[0]) };
}

/** Picks the Representations named (by id or output name), or all. */
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

/** The state the Representations of one run share. */
interface RunState {
  options: DumpRunOptions;
  out: OutputDir;
  engine?: Engine;
}

/** Skips, reports incomplete, or dumps one Representation. */
async function dumpOne(
  run: RunState,
  p: PlacedRepresentation,
  name: string,
): Promise<RepresentationReport> {
  const { options, out } = run;
  const files = segmentFiles(p.segments, out.root);
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
    options.onProblem?.(p.rep.id, reason);
    return { ...report, status: "incomplete", missing, reason, earlier: earlierOutputs(out, name) };
  }
  const sniffed = files.length === 0
    ? "the manifest addresses no file"
    : await sniffNotFmp4(files[0].file, files[0].path);
  if (sniffed !== undefined) return { ...report, status: "skipped", reason: sniffed };
  if (run.engine === undefined) {
    const decision = await chooseEngine({
      engine: options.engine,
      mp4dump: options.mp4dump,
      path: options.searchPath,
    });
    run.engine = decision.engine;
    if (decision.note) options.onNote(decision.note);
  }
  try {
    const result = await dumpRepresentation(files, out, name, {
      engine: run.engine,
      hex: options.hex,
      concurrency: options.concurrency,
      onNote: options.onNote,
      onProgress: (n, total) => options.onProgress?.(p.rep.id, name, n, total),
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
    if (err instanceof InputError) throw err;
    const reason = errorMessage(err);
    options.onProblem?.(p.rep.id, reason);
    return { ...report, status: "failed", reason, earlier: earlierOutputs(out, name) };
  }
}

/**
 * Runs `dash dump`: every selected fMP4 Representation of the saved manifest is dumped; the
 * others are skipped (not fMP4), incomplete (files missing) or failed, each with its reason.
 *
 * @throws {InputError} for a manifest that cannot be read or used (exit 2), and
 *   {@link UsageError} for options that do not fit it
 *
 * @example
 * ```ts
 * const report = await runDump({
 *   directory: "/data/out",
 *   engine: "builtin",
 *   hex: true,
 *   concurrency: 4,
 *   onNote: (m) => console.error(m),
 * });
 * ```
 */
export async function runDump(options: DumpRunOptions): Promise<DumpReport> {
  const notes: string[] = [];
  const note = (message: string) => {
    notes.push(message);
    options.onNote(message);
  };
  const { dir, manifest } = await locateManifest(options.directory, options.manifest);
  const text = await readManifestFile(manifest);
  const manifestUrl = pathToFileURL(manifest).href;
  // A saved copy may keep a part `dash get` could not mirror: it is noted, the rest dumped.
  const mpd = parseMpd(text, manifestUrl, { tolerant: true });
  if (mpd.type === "dynamic") {
    throw new InputError('MPD@type="dynamic" (a live stream) cannot be dumped', manifest);
  }
  for (const p of mpd.problems) note(`${p.message}; not dumped`);
  const { layout } = dashLayout(manifestUrl);
  const placed: PlacedRepresentation[] = [];
  for (const rep of mpd.representations) {
    // A Representation whose addressing cannot be expanded was not mirrored either: noted.
    // A reference that leaves the folder, or points online, makes the copy unusable (exit 2).
    let segments: Segment[];
    try {
      segments = representationSegments(rep, { source: manifestUrl });
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      note(`${err.message}; not dumped`);
      continue;
    }
    placed.push(placeSegments(rep, segments, manifestUrl, layout, {
      schemes: ["file:"],
      insideRoot: true,
    }));
  }
  // Output names come from the same layout, after every segment has its path: no output can
  // take a segment's, the manifest's or its original's name. An id used in several Periods
  // gets the Period's index.
  const periods = new Map<string, Set<number>>();
  for (const p of placed) {
    periods.set(p.rep.id, (periods.get(p.rep.id) ?? new Set()).add(p.rep.periodIndex));
  }
  const names = placed.map((p) =>
    layout.derivedName(
      periods.get(p.rep.id)!.size > 1 ? `${p.rep.id}.p${p.rep.periodIndex}` : p.rep.id,
      OUTPUT_EXTENSIONS,
    )
  );
  const chosen = select(placed, names, options.reps);
  const run: RunState = { options: { ...options, onNote: note }, out: new OutputDir(dir) };
  const representations: RepresentationReport[] = [];
  for (const i of chosen) representations.push(await dumpOne(run, placed[i], names[i]));
  const dumped = representations.filter((r) => r.status === "dumped" || r.status === "damaged");
  if (dumped.length === 0 && representations.every((r) => r.status === "skipped")) {
    note("nothing dumped: no fMP4 Representation among those selected");
  }
  return {
    directory: dir,
    manifest,
    engine: run.engine,
    representations,
    notes: [...mpd.notes, ...notes],
    multiPeriod: new Set(placed.map((p) => p.rep.periodIndex)).size > 1,
  };
}
