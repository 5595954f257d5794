/**
 * Does a saved MPD resolve to the saved files? Reads the saved text with the same parser
 * and addressing code as everything else (`parseMpd`, `representationSegments`, as
 * `dash dump` does), resolves every reference offline against the output directory, and
 * compares each Representation's resources with what was saved for it: same files, same
 * byte ranges, same times, in the same order, each reached by a plain reference (one that a
 * client which does not decode URLs — ffmpeg — also follows).
 *
 * Used twice: while planning, to choose how to rewrite the saved copy (`saved_copy.ts`),
 * and after a `dash get`, on the copy as written to disk ({@link checkSavedDash}).
 *
 * @module
 */
import { pathToFileURL } from "node:url";
import type { ByteRange } from "../mirror/plan.ts";
import { errorMessage } from "../errors.ts";
import { isPlainRef, savedPathOf } from "./local_ref.ts";
import { mpdDocument, readMpd } from "./mpd.ts";
import type { Representation } from "./mpd_model.ts";
import { type Segment, type SegmentKind, type SegmentSource, segmentSource } from "./segments.ts";
import { hash64, HashTable64 } from "../mirror/hash_table.ts";

/** One resource as it was saved. */
export interface ExpectedSegment {
  /** What it is. */
  kind: SegmentKind;
  /** Its saved path, relative to the output directory. */
  path: string;
  /** The byte range addressed in it, if any. */
  range?: ByteRange;
  /** Its `$Time$` (media segments), when known. */
  time?: number;
}

/**
 * The resources of a Representation as saved, in manifest order: an array, or a source
 * that generates them each time it is gone through and knows how many there are.
 */
export interface ExpectedSegments extends Iterable<ExpectedSegment> {
  /** How many resources it yields. */
  readonly length: number;
}

/** One Representation as it was saved: its resources in manifest order. */
export interface ExpectedRepresentation {
  /** Its key ({@link representationKeys}). */
  key: string;
  /** Where it is in the MPD, for messages. */
  where: string;
  /** Its resources. */
  segments: ExpectedSegments;
}

/** What a check knows of the mirror. */
export interface CopyExpectation {
  /** The Representations mirrored. */
  representations: ExpectedRepresentation[];
  /** Keys of Representations that were not mirrored (reported already): not checked. */
  skipKeys: string[];
  /**
   * Places (`where`) of parts that could not be read (reported already): not checked, nor
   * anything inside them.
   */
  skipWheres: string[];
}

/** A reference of the saved copy that does not land where it should. */
export interface CopyIssue {
  /** The Representation's key, when the issue is one Representation's. */
  key?: string;
  /** The message, naming the Representation and the reference. */
  message: string;
}

/**
 * A key for each Representation that stays the same when the MPD is edited (elements
 * rewritten, Representations or AdaptationSets removed): `<Period@id or #index>/<id>`, with
 * `~2`, `~3`… for a repeated id.
 *
 * @example
 * ```ts
 * import { parseMpd } from "./mpd.ts";
 * const mpd = parseMpd(await Deno.readTextFile("m.mpd"), "https://cdn.example/m.mpd");
 * representationKeys(mpd.representations); // ["p0/video", "p0/audio", "#1/video"]
 * ```
 */
export function representationKeys(reps: readonly Representation[]): string[] {
  const seen = new Map<string, number>();
  return reps.map((r) => {
    const base = `${r.periodId ?? `#${r.periodIndex}`}/${r.id}`;
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return n === 1 ? base : `${base}~${n}`;
  });
}

function sameRange(a?: ByteRange, b?: ByteRange): boolean {
  return a?.start === b?.start && a?.end === b?.end;
}

/** Every folder (ending in `/`, and "" for the output directory) that holds a saved file. */
function foldersOf(expect: CopyExpectation): Set<string> {
  const folders = new Set<string>([""]);
  for (const r of expect.representations) {
    let last = "";
    for (const s of r.segments) {
      // Resources come folder by folder: a folder just seen adds nothing.
      const slash = s.path.lastIndexOf("/");
      const folder = s.path.slice(0, slash + 1);
      if (folder === last) continue;
      last = folder;
      const parts = s.path.split("/");
      for (let i = 1; i < parts.length; i++) folders.add(`${parts.slice(0, i).join("/")}/`);
    }
  }
  return folders;
}

/**
 * Follows references the way a client that joins paths without normalising them does (the
 * file system then resolves each `..`, which needs the folder it leaves to exist): returns
 * the first folder a `..` climbs out of that holds no saved file, if any.
 */
function missingFolderOnTheWay(
  refs: readonly string[],
  folders: ReadonlySet<string>,
): string | undefined {
  let at: string[] = [];
  for (const ref of refs) {
    if (!isPlainRef(ref) && ref !== "") return undefined; // reported as not plain
    const parts = ref.split("/");
    const last = parts.pop()!; // a file name, or "" after a trailing slash
    for (const p of parts) {
      if (p === "" || p === ".") continue;
      if (p === "..") {
        const here = at.length === 0 ? "" : `${at.join("/")}/`;
        if (!folders.has(here)) return here;
        at = at.slice(0, -1);
      } else at.push(p);
    }
    if (last === "..") {
      const here = at.length === 0 ? "" : `${at.join("/")}/`;
      if (!folders.has(here)) return here;
      at = at.slice(0, -1);
    } // any other last part names a file (or is empty): the folder stays
  }
  return undefined;
}

/** What is wrong with one resource of the saved manifest, if anything. */
function segmentProblem(
  s: Segment,
  e: ExpectedSegment,
  rep: Representation,
  root: string,
  folders: ReadonlySet<string>,
  climbs: Map<string, string | undefined>,
): string | undefined {
  const path = savedPathOf(s.url, root);
  const what = `${s.kind}${s.kind === "media" && s.number !== undefined ? ` ${s.number}` : ""}`;
  if (path === undefined) return `${what} resolves to ${s.url}, outside the output folder`;
  if (path !== e.path) return `${what} resolves to ${path}, but was saved as ${e.path}`;
  if (s.kind !== e.kind) return `${what} is saved as a ${e.kind} resource`;
  if (!sameRange(s.range, e.range)) {
    return `${what} addresses bytes ${s.range?.start}-${s.range?.end} of ${path}, not ` +
      `${e.range?.start}-${e.range?.end}`;
  }
  if (e.time !== undefined && s.time !== undefined && e.time !== s.time) {
    return `${what} starts at ${s.time}, not at ${e.time}`;
  }
  if (s.ref !== undefined && !isPlainRef(s.ref)) {
    return `${what} is named "${s.ref}", which a client that does not decode URLs ` +
      `(ffmpeg) does not find as ${path}`;
  }
  const dir = s.ref === undefined ? "" : s.ref.slice(0, s.ref.lastIndexOf("/") + 1);
  let missing = climbs.get(dir);
  if (!climbs.has(dir)) {
    missing = missingFolderOnTheWay([...rep.baseRefs, dir], folders);
    climbs.set(dir, missing);
  }
  if (missing !== undefined) {
    return `${what} is reached through "${missing}..", but nothing is saved in ` +
      `${missing || "the output folder"} (a client that joins paths as written fails)`;
  }
  return undefined;
}

/** Checks one saved Representation against what was saved for it. */
function checkRepresentation(
  rep: Representation,
  expected: ExpectedRepresentation,
  root: string,
  folders: ReadonlySet<string>,
): string[] {
  const out: string[] = [];
  const name = `${rep.where}`;
  for (const b of rep.baseRefs) {
    if (b !== "" && !isPlainRef(b)) {
      out.push(
        `${name}: BaseURL "${b}" is not a plain relative reference (a client that does not ` +
          `decode URLs, such as ffmpeg, misses the files)`,
      );
    }
  }
  let segments: SegmentSource;
  try {
    segments = segmentSource(rep);
  } catch (err) {
    return [...out, `${name}: ${errorMessage(err)}`];
  }
  const want = expected.segments;
  const found: string[] = [];
  if (segments.length !== want.length) {
    found.push(
      `${name}: the saved manifest addresses ${segments.length} resources, but ${want.length} ` +
        `were saved for this Representation`,
    );
  }
  const bySource = new Map<string, { first: string; count: number }>();
  const climbs = new Map<string, string | undefined>();
  const wanted = want[Symbol.iterator]();
  try {
    for (const s of segments) {
      const next = wanted.next();
      if (next.done) break;
      const problem = segmentProblem(s, next.value, rep, root, folders, climbs);
      if (problem === undefined) continue;
      const entry = bySource.get(s.source);
      if (entry) entry.count++;
      else bySource.set(s.source, { first: problem, count: 1 });
    }
  } catch (err) {
    return [...out, `${name}: ${errorMessage(err)}`];
  } finally {
    wanted.return?.();
  }
  // How many resources each attribute names, counted only when one is wrong.
  const totals = new Map<string, number>();
  if (bySource.size > 0) {
    try {
      for (const s of segments) totals.set(s.source, (totals.get(s.source) ?? 0) + 1);
    } catch {
      // generated once already: cannot fail now
    }
  }
  for (const [source, { first, count }] of bySource) {
    const of = totals.get(source) ?? 1;
    const many = of > 1 ? ` (${count} of ${of} resources; the first: ${first})` : `: ${first}`;
    found.push(`${name}: ${source} does not land on the saved file${many}`);
  }
  return [...out, ...found];
}

/**
 * Checks saved MPD text: every Representation that was mirrored must resolve, offline, to
 * exactly the files saved for it. Returns one issue per reference that does not (empty when
 * the copy is whole).
 *
 * @param text the saved MPD
 * @param manifestUrl the saved MPD's URL under `root`
 * @param root the output directory's URL, ending in `/`
 * @param expect what was saved
 */
export function checkSavedText(
  text: string,
  manifestUrl: string,
  root: string,
  expect: CopyExpectation,
): CopyIssue[] {
  let mpd;
  try {
    mpd = readMpd(mpdDocument(text, manifestUrl), manifestUrl, { tolerant: true });
  } catch (err) {
    return [{ message: `the saved manifest cannot be read: ${errorMessage(err)}` }];
  }
  const issues: CopyIssue[] = [];
  const skipped = (where: string) =>
    expect.skipWheres.some((w) => where === w || where.startsWith(`${w}/`));
  for (const p of mpd.problems) if (!skipped(p.where)) issues.push({ message: p.message });
  const byKey = new Map(expect.representations.map((r) => [r.key, r]));
  const folders = foldersOf(expect);
  const found = new Set<string>();
  const keys = representationKeys(mpd.representations);
  mpd.representations.forEach((rep, i) => {
    const key = keys[i];
    if (expect.skipKeys.includes(key) || skipped(rep.where)) return;
    const expected = byKey.get(key);
    if (expected === undefined) {
      issues.push({ key, message: `${rep.where}: is in the saved manifest but was not mirrored` });
      return;
    }
    found.add(key);
    for (const message of checkRepresentation(rep, expected, root, folders)) {
      issues.push({ key, message });
    }
  });
  for (const r of expect.representations) {
    if (!found.has(r.key)) {
      issues.push({
        key: r.key,
        message: `${r.where}: was mirrored but is missing from the saved manifest`,
      });
    }
  }
  return issues;
}

/** What {@link checkSavedDash} needs to know of a finished `dash get`. */
export interface SavedDash {
  /** The saved manifest's path, relative to the output directory. */
  manifestPath: string;
  /** What was saved. */
  expect: CopyExpectation;
}

/**
 * The offline self-check of a finished `dash get`: re-reads the saved MPD from disk,
 * resolves every reference against the output directory, and returns one message per
 * reference that does not land on the file saved for it (or whose file is not there).
 *
 * @param outDir the output directory (absolute)
 * @param saved what the run saved
 * @example
 * ```ts
 * import { planDash } from "./plan.ts";
 * const { saved } = planDash(await Deno.readTextFile("m.mpd"), "https://cdn.example/m.mpd");
 * const problems = await checkSavedDash("/tmp/out", saved);
 * ```
 */
export async function checkSavedDash(outDir: string, saved: SavedDash): Promise<string[]> {
  const root = pathToFileURL(outDir.endsWith("/") ? outDir : `${outDir}/`).href;
  const manifestFile = `${outDir.replace(/\/$/, "")}/${saved.manifestPath}`;
  let text: string;
  try {
    text = await Deno.readTextFile(manifestFile);
  } catch (err) {
    return [`${saved.manifestPath}: cannot be read (${errorMessage(err)})`];
  }
  const manifestUrl = pathToFileURL(manifestFile).href;
  const messages = checkSavedText(text, manifestUrl, root, saved.expect).map((i) => i.message);
  // Each saved file once (by hash: 100,000 paths are not held as strings).
  const seen = new HashTable64();
  for (const r of saved.expect.representations) {
    for (const { path } of r.segments) {
      if (!seen.add(hash64(path))) continue;
      try {
        // Synchronously: 100,000 awaited stats took seconds; these take milliseconds.
        const st = Deno.lstatSync(`${outDir.replace(/\/$/, "")}/${path}`);
        if (!st.isFile) messages.push(`${path}: is not a regular file`);
      } catch {
        messages.push(`${path}: the saved file is missing`);
      }
    }
  }
  return messages;
}
