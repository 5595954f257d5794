/**
 * The `streamkit` command line: subcommands, options, help and exit codes.
 *
 * Each subcommand lives in `src/commands/<name>.ts` and exports a function that builds its
 * commander `Command` from a {@link CommandContext}; this module assembles them, routes all
 * of commander's output through the {@link Io} and maps errors to exit codes.
 *
 * @module
 */
import { Command, CommanderError, type CommandUnknownOpts } from "@commander-js/extra-typings";
import { ExitCode, InputError, UsageError } from "./errors.ts";
import { VERSION } from "./version.ts";
import { type CommandContext, printError } from "./commands/context.ts";
import { dashCheckCommand, hlsCheckCommand } from "./commands/check.ts";
import { dashDumpCommand } from "./commands/dash_dump.ts";
import { dashGetCommand } from "./commands/dash_get.ts";
import { demoCommand, demoServerCommand } from "./commands/demo.ts";
import { hlsGetCommand } from "./commands/hls_get.ts";
import { mp4DumpCommand } from "./commands/mp4_dump.ts";
import { serveCommand } from "./commands/serve.ts";
import { ClosedPipe, type Io, processIo } from "./ui/io.ts";

/**
 * Builds the whole `streamkit` program.
 *
 * @param ctx the process's edges and where actions record their exit code
 */
export function buildProgram(ctx: CommandContext): Command {
  const program = new Command("streamkit")
    .description("Mirror DASH and HLS streams to disk and take fragmented MP4 apart.")
    .version(VERSION, "-V, --version", "print the version");

  const dash = new Command("dash").description("DASH streams (MPD manifests)");
  const hls = new Command("hls").description("HLS streams (M3U8 playlists)");
  const mp4 = new Command("mp4").description("ISO base media (MP4) files");
  dash.addCommand(dashGetCommand(ctx));
  dash.addCommand(dashCheckCommand(ctx));
  dash.addCommand(dashDumpCommand(ctx));
  hls.addCommand(hlsGetCommand(ctx));
  hls.addCommand(hlsCheckCommand(ctx));
  mp4.addCommand(mp4DumpCommand(ctx));
  program.addCommand(dash).addCommand(hls).addCommand(mp4);
  program.addCommand(demoCommand(ctx)).addCommand(demoServerCommand(ctx));
  program.addCommand(serveCommand(ctx));
  // Every level reports errors to main() instead of exiting the process, and writes
  // through the Io.
  const walk = (c: CommandUnknownOpts): void => {
    c.exitOverride()
      .showHelpAfterError("(run with --help for usage)")
      .configureOutput({
        writeOut: (s) => ctx.io.stdout.write(s),
        writeErr: (s) => ctx.io.stderr.write(s),
      });
    c.commands.forEach(walk);
  };
  walk(program);
  return program;
}

/**
 * `help a b` → `a b --help`, so `streamkit help dash get` shows the help of `dash get` (as
 * `streamkit dash get --help` does), not of `dash`.
 */
function expandHelp(args: string[]): string[] {
  if (args[0] !== "help" || args.length < 2) return args;
  return [...args.slice(1).filter((a) => !a.startsWith("-")), "--help"];
}

/**
 * Runs the CLI on `args` (without the executable name) and returns the exit code. With no
 * `io`, it uses the real process (stdout, stderr, SIGINT) for the time of the run.
 *
 * @example
 * ```ts
 * const code = await main(["--version"]);
 * ```
 */
export async function main(args: string[], io?: Io): Promise<number> {
  if (io === undefined) {
    const own = processIo();
    try {
      return await main(args, own);
    } finally {
      own.close();
    }
  }
  const ctx: CommandContext = { io, result: { exitCode: ExitCode.Ok }, run: main };
  const program = buildProgram(ctx);
  try {
    await program.parseAsync(expandHelp(args), { from: "user" });
    return ctx.result.exitCode;
  } catch (err) {
    // The reader of stdout went away (`streamkit … | head`): stop quietly, like git does.
    if (err instanceof ClosedPipe) return ExitCode.Ok;
    if (err instanceof CommanderError) {
      if (
        err.code === "commander.helpDisplayed" || err.code === "commander.version" ||
        err.code === "commander.help"
      ) return ExitCode.Ok;
      return ExitCode.BadInput;
    }
    printError(io, err);
    if (err instanceof InputError || err instanceof UsageError) return ExitCode.BadInput;
    return ExitCode.Failed;
  }
}
