/**
 * The `streamkit` command line: subcommands, options, help and exit codes.
 *
 * Each subcommand lives in `src/commands/<name>.ts` and exports a function that builds its
 * commander `Command`; this module assembles them and maps errors to exit codes.
 *
 * @module
 */
import { Command, CommanderError, type CommandUnknownOpts } from "@commander-js/extra-typings";
import { ExitCode, InputError, UsageError } from "./errors.ts";
import { VERSION } from "./version.ts";
import { type CommandResult, printError } from "./commands/context.ts";
import { dashDumpCommand } from "./commands/dash_dump.ts";
import { dashGetCommand } from "./commands/dash_get.ts";
import { demoCommand, demoServerCommand } from "./commands/demo.ts";
import { hlsGetCommand } from "./commands/hls_get.ts";
import { mp4DumpCommand } from "./commands/mp4_dump.ts";

/**
 * Builds the whole `streamkit` program.
 *
 * @param result where a subcommand's action records its exit code
 */
export function buildProgram(result: CommandResult): Command {
  const program = new Command("streamkit")
    .description("Mirror DASH and HLS streams to disk and take fragmented MP4 apart.")
    .version(VERSION, "-V, --version", "print the version")
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride();

  const dash = new Command("dash").description("DASH streams (MPD manifests)");
  const hls = new Command("hls").description("HLS streams (M3U8 playlists)");
  const mp4 = new Command("mp4").description("ISO base media (MP4) files");
  dash.addCommand(dashGetCommand(result));
  dash.addCommand(dashDumpCommand(result));
  hls.addCommand(hlsGetCommand(result));
  mp4.addCommand(mp4DumpCommand(result));
  program.addCommand(dash).addCommand(hls).addCommand(mp4);
  program.addCommand(demoCommand(result, main)).addCommand(demoServerCommand(result));
  // Every level reports errors to main() instead of exiting the process.
  const walk = (c: CommandUnknownOpts): void => {
    c.exitOverride().showHelpAfterError("(run with --help for usage)");
    c.commands.forEach(walk);
  };
  walk(program);
  return program;
}

/**
 * Runs the CLI on `args` (without the executable name) and returns the exit code.
 *
 * @example
 * ```ts
 * const code = await main(["--version"]);
 * ```
 */
export async function main(args: string[]): Promise<number> {
  const result: CommandResult = { exitCode: ExitCode.Ok };
  const program = buildProgram(result);
  try {
    await program.parseAsync(args, { from: "user" });
    return result.exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (
        err.code === "commander.helpDisplayed" || err.code === "commander.version" ||
        err.code === "commander.help"
      ) return ExitCode.Ok;
      return ExitCode.BadInput;
    }
    printError(err);
    if (err instanceof InputError || err instanceof UsageError) return ExitCode.BadInput;
    return ExitCode.Failed;
  }
}
