/**
 * `streamkit mp4 dump <file|-> [--verbosity 0..3] [--format text|json]`: the built-in box
 * dumper, printing byte for byte what Bento4's `mp4dump` prints (`-` reads standard input).
 * Damaged input gets exactly mp4dump's output, then a note on stderr naming what is wrong and
 * at which offset, and exit code 1.
 *
 * @module
 */
import { Command, Option } from "@commander-js/extra-typings";

/** The options of `mp4 dump`, as commander parses them. */
export type Mp4DumpOptions = {
  /** `--verbosity`: "0".."3". */
  verbosity: "0" | "1" | "2" | "3";
  /** `--format`: "text" or "json". */
  format: "text" | "json";
};
import { type Mp4DumpRequest, runMp4Dump } from "../mp4/cli_dump.ts";
import { type CommandContext, recordExit } from "./context.ts";

/**
 * Builds the `mp4 dump` subcommand.
 *
 * @param ctx the process's edges and where the action records its exit code
 * @example
 * ```ts
 * import { Command } from "@commander-js/extra-typings";
 * import type { CommandContext } from "./context.ts";
 * import { mp4DumpCommand } from "./mp4_dump.ts";
 * declare const ctx: CommandContext;
 * new Command("mp4").addCommand(mp4DumpCommand(ctx));
 * ```
 */
export function mp4DumpCommand(ctx: CommandContext): Command<[string], Mp4DumpOptions> {
  return new Command("dump")
    .description(
      "Print the box tree of an MP4 file, exactly as Bento4's mp4dump prints it " +
        "(damaged input: output up to the damage, a note on stderr, exit 1).",
    )
    .argument("<file>", "the MP4 file (fragmented or not); - reads standard input")
    .addOption(
      new Option("--verbosity <level>", "detail level, as mp4dump's --verbosity")
        .choices(["0", "1", "2", "3"] as const)
        .default("0" as const),
    )
    .addOption(
      new Option("--format <format>", "text, or json (as mp4dump's --format json)")
        .choices(["text", "json"] as const)
        .default("text" as const),
    )
    .action(recordExit(ctx, (file, opts) =>
      runMp4Dump(ctx.io, {
        file,
        verbosity: Number(opts.verbosity) as Mp4DumpRequest["verbosity"],
        format: opts.format,
      })));
}
