/**
 * What every subcommand shares: how it reports its exit code and prints a fatal error.
 *
 * @module
 */
import { ExitCode } from "../errors.ts";

/** Filled in by a subcommand's action; read by `main` once parsing is done. */
export interface CommandResult {
  /** The exit code the process should end with. */
  exitCode: number;
}

/** Prints a fatal error to stderr as `streamkit: error: <message>`. */
export function printError(err: unknown): void {
  const message = err instanceof Error ? err.message : String(err);
  console.error(`streamkit: error: ${message}`);
}

/**
 * Wraps an async subcommand body so its returned exit code lands in `result`.
 *
 * @example
 * ```ts
 * const result = { exitCode: 0 };
 * const run = recordExit(result, async (n: number) => n > 0 ? 1 : 0);
 * await run(3); // result.exitCode === 1
 * ```
 */
export function recordExit<A extends unknown[]>(
  result: CommandResult,
  body: (...args: A) => Promise<number>,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    result.exitCode = await body(...args);
  };
}

export { ExitCode };
