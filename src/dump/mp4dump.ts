/**
 * Runs Bento4's `mp4dump --verbosity 3` on segment files through `Deno.Command`, several at
 * once with their results handed back in order, and annotates each box header line of its
 * output with the box's absolute offset (` @<abs> (0x<hex>)`), taken from streamkit's own
 * box walk ({@linkcode boxHeaderOffsets}). Every other byte of mp4dump's output is kept.
 *
 * @module
 */
import { concatBytes } from "../bytes.ts";
import { errorMessage } from "../errors.ts";
import { type Mp4Problem, scanBoxes } from "../mp4/dump.ts";

/** mp4dump could not dump a segment: it could not be started, it failed, or it disagrees. */
export class Mp4dumpError extends Error {
  /** True when the program could not be started at all (missing, not executable). */
  readonly cannotRun: boolean;

  /**
   * @param message what went wrong, naming the program and the file
   * @param cannotRun whether the program could not be started
   */
  constructor(message: string, cannotRun = false) {
    super(message);
    this.name = "Mp4dumpError";
    this.cannotRun = cannotRun;
  }
}

/** A box header line of mp4dump's text: indent, `[type]`, ` size=H+P`. */
const HEADER_LINE = /^ *\[.*\] size=\d+\+\d+/;
/** Header lines are short; longer lines are not looked at. */
const MAX_HEADER_LINE = 1024;
const NEWLINE = 0x0a;
const SPACE = 0x20;
const BRACKET = 0x5b;
const encoder = new TextEncoder();

/** The annotation streamkit appends to the header line of a box at absolute offset `abs`. */
export function offsetAnnotation(abs: number): string {
  return ` @${abs} (0x${abs.toString(16)})`;
}

/** Whether the line `bytes[start, end)` is a box header line. */
function isHeaderLine(bytes: Uint8Array, start: number, end: number): boolean {
  let i = start;
  while (i < end && bytes[i] === SPACE) i++;
  if (bytes[i] !== BRACKET || end - start > MAX_HEADER_LINE) return false;
  return HEADER_LINE.test(String.fromCharCode(...bytes.subarray(start, end)));
}

/**
 * Appends ` @<base+offset> (0x<hex>)` to every box header line of mp4dump text output, the
 * n-th header line getting `offsets[n]`. Works on bytes, so text that is not UTF-8 (box
 * names, strings inside boxes) passes through unchanged.
 *
 * @param text mp4dump's standard output for one file
 * @param offsets the offsets of the boxes in that file, in the order their header lines appear
 * @param base where the file starts in the concatenation
 * @throws {Mp4dumpError} when the number of header lines and boxes differ
 *
 * @example
 * ```ts
 * const out = annotateHeaderLines(new TextEncoder().encode("[styp] size=8+16\n"), [0], 843);
 * new TextDecoder().decode(out); // "[styp] size=8+16 @843 (0x34b)\n"
 * ```
 */
export function annotateHeaderLines(text: Uint8Array, offsets: number[], base: number): Uint8Array {
  const parts: Uint8Array[] = [];
  let n = 0;
  let copied = 0;
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf(NEWLINE, start);
    if (end < 0) end = text.length;
    if (isHeaderLine(text, start, end)) {
      if (n < offsets.length) {
        parts.push(text.subarray(copied, end), encoder.encode(offsetAnnotation(base + offsets[n])));
        copied = end;
      }
      n++;
    }
    start = end + 1;
  }
  if (n !== offsets.length) {
    throw new Mp4dumpError(
      `mp4dump printed ${n} box header lines where streamkit found ${offsets.length} boxes`,
    );
  }
  parts.push(text.subarray(copied));
  return concatBytes(parts);
}

/** The first line of a program's stderr, for messages. */
function firstLine(bytes: Uint8Array): string {
  const text = new TextDecoder().decode(bytes).trim();
  const line = text.split("\n")[0]?.trim() ?? "";
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}

/**
 * Runs `program --verbosity 3 <file>` and returns its standard output.
 *
 * @throws {Mp4dumpError} when it cannot be started (`cannotRun`), or exits with a non-zero code
 *
 * @example
 * ```ts
 * const text = await runMp4dump("/usr/local/bin/mp4dump", "init.mp4");
 * ```
 */
export async function runMp4dump(program: string, file: string): Promise<Uint8Array> {
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command(program, {
      args: ["--verbosity", "3", file],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
  } catch (err) {
    throw new Mp4dumpError(`cannot run ${program}: ${errorMessage(err)}`, true);
  }
  if (!out.success) {
    const said = firstLine(out.stderr) || firstLine(out.stdout);
    throw new Mp4dumpError(
      `${program} exited with code ${out.code} on ${file}${said ? `: ${said}` : ""}`,
    );
  }
  return out.stdout;
}

/** mp4dump's annotated text for one file, and the damage streamkit's own walk found in it. */
export interface AnnotatedDump {
  /** mp4dump's output with every box header line annotated. */
  text: Uint8Array;
  /**
   * The damage found by streamkit's own box walk (the one the offsets come from): reported
   * whatever mp4dump makes of the file, since mp4dump prints what it can and exits 0.
   */
  problems: Mp4Problem[];
}

/**
 * mp4dump's output for one file with every box header line annotated, and the damage the
 * built-in walk found.
 *
 * @param program the mp4dump program
 * @param file the file to dump
 * @param base where the file starts in the concatenation
 * @throws {Mp4dumpError} as {@linkcode runMp4dump} and {@linkcode annotateHeaderLines} do
 *
 * @example
 * ```ts
 * const { text, problems } = await annotatedMp4dump("mp4dump", "seg-1.m4s", 843);
 * ```
 */
export async function annotatedMp4dump(
  program: string,
  file: string,
  base: number,
): Promise<AnnotatedDump> {
  const [text, scan] = await Promise.all([runMp4dump(program, file), scanBoxes(file)]);
  try {
    return { text: annotateHeaderLines(text, scan.offsets, base), problems: scan.problems };
  } catch (err) {
    if (err instanceof Mp4dumpError) throw new Mp4dumpError(`${file}: ${err.message}`);
    throw err;
  }
}

/** One file to dump and where it starts in the concatenation. */
export interface DumpJob {
  /** The file. */
  path: string;
  /** Its offset in the concatenation. */
  base: number;
}

/** The outcome of one {@link DumpJob}: the annotated text and damage, or why there is none. */
export type DumpOutcome = AnnotatedDump & { error?: undefined } | { error: Mp4dumpError };

/**
 * Runs {@linkcode annotatedMp4dump} on every job, at most `concurrency` at once, and yields
 * the outcomes in job order as soon as each one and all before it are done. Memory holds at
 * most `concurrency` outputs. A failed job is yielded as an error; the others go on.
 *
 * @example
 * ```ts
 * const jobs = [{ path: "init.m4s", base: 0 }, { path: "seg1.m4s", base: 843 }];
 * for await (const o of mp4dumpInOrder("mp4dump", jobs, 4)) {
 *   if (o.error) console.error(o.error.message);
 *   else await Deno.stdout.write(o.text);
 * }
 * ```
 */
export async function* mp4dumpInOrder(
  program: string,
  jobs: readonly DumpJob[],
  concurrency: number,
): AsyncGenerator<DumpOutcome> {
  const running: Promise<DumpOutcome>[] = [];
  let next = 0;
  const start = () => {
    const job = jobs[next++];
    running.push(
      annotatedMp4dump(program, job.path, job.base).then(
        (dump): DumpOutcome => dump,
        (err): DumpOutcome => {
          if (err instanceof Mp4dumpError) return { error: err };
          return { error: new Mp4dumpError(`${job.path}: ${errorMessage(err)}`) };
        },
      ),
    );
  };
  const limit = Math.max(1, concurrency);
  while (next < jobs.length && running.length < limit) start();
  while (running.length > 0) {
    const outcome = await running.shift()!;
    if (next < jobs.length) start();
    yield outcome;
  }
}
