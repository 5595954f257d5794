/**
 * What every subcommand shares: the process's edges ({@link Io}), where its action records
 * the exit code, and how a fatal error is printed.
 *
 * @module
 */
import { errorMessage, ExitCode } from "../errors.ts";
import type { Io } from "../ui/io.ts";

/** Filled in by a subcommand's action; read by `main` once parsing is done. */
export interface CommandResult {
  /** The exit code the process should end with. */
  exitCode: number;
}

/** Runs one streamkit command line (without the program name) in this process. */
export type CliRunner = (args: string[], io: Io) => Promise<number>;

/** What a subcommand builder is given. */
export interface CommandContext {
  /** The process's streams, environment, folder and interrupt. */
  io: Io;
  /** Where the action records its exit code. */
  result: CommandResult;
  /** Runs another command line in this process (the demo uses it). */
  run: CliRunner;
}

/** Prints a fatal error to stderr as `streamkit: error: <message>`. */
export function printError(io: Io, err: unknown): void {
  io.stderr.write(`streamkit: error: ${errorMessage(err)}\n`);
}

/**
 * Wraps an async subcommand body so its returned exit code lands in `ctx.result`.
 *
 * @example
 * ```ts
 * import { memoryIo } from "../ui/io.ts";
 * const ctx = { io: memoryIo(), result: { exitCode: 0 }, run: () => Promise.resolve(0) };
 * const run = recordExit(ctx, (n: number) => Promise.resolve(n > 0 ? 1 : 0));
 * await run(3); // ctx.result.exitCode === 1
 * ```
 */
export function recordExit<A extends unknown[]>(
  ctx: CommandContext,
  body: (...args: A) => Promise<number>,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    ctx.result.exitCode = await body(...args);
  };
}

export { ExitCode };
