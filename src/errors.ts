/**
 * Error types shared by every subcommand, and the exit codes they map to.
 *
 * @module
 */

/** Exit codes of the `streamkit` executable. */
export const ExitCode = {
  /** Everything asked for was done. */
  Ok: 0,
  /** The run finished, but some downloads (or dumps) failed. */
  Failed: 1,
  /** Bad usage or bad input (a manifest that cannot be used, an unknown option). */
  BadInput: 2,
  /** Interrupted by SIGINT (Ctrl-C). */
  Interrupted: 130,
} as const;

/**
 * Input that streamkit cannot use: a manifest that is not XML, a playlist without
 * `#EXTM3U`, a template that would expand without bound, a hostile URL.
 *
 * The message names the problem; `where` names the place (a URL, a line, an element),
 * so the user can find it.
 *
 * @example
 * ```ts
 * throw new InputError("SegmentTimeline S@d must be > 0", "https://x/a.mpd: Period[0]/AdaptationSet[1]/Representation[2]");
 * ```
 */
export class InputError extends Error {
  /** Where the problem is: a URL, a file and line, an element path. */
  readonly where: string;

  /**
   * @param message what is wrong
   * @param where where it is wrong
   */
  constructor(message: string, where: string) {
    super(`${where}: ${message}`);
    this.name = "InputError";
    this.where = where;
  }
}

/** A command line that cannot be run (conflicting or invalid options). */
export class UsageError extends Error {
  /** @param message what is wrong with the command line */
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/**
 * The message of anything thrown: an Error's message, or the value as text.
 *
 * @example
 * ```ts
 * errorMessage(new Error("boom")); // "boom"
 * errorMessage("plain");           // "plain"
 * ```
 */
export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * How many things to do at once when the user did not say: the number of CPUs, at least 2
 * and at most 8 (for CPU-bound work such as dumping; downloads default to 4).
 */
export function defaultParallelism(): number {
  return Math.min(8, Math.max(2, navigator.hardwareConcurrency || 4));
}
