/**
 * `streamkit mp4 dump <file> [--verbosity 0..3] [--format text|json]`: the built-in box
 * dumper, printing exactly what Bento4's `mp4dump` prints. Damaged input gets the output up
 * to the damage, a note on stderr naming what is wrong and at which offset, and exit code 1.
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
import { dumpMp4, type DumpOptions } from "../mp4/dump.ts";
import { type CommandResult, ExitCode, printError, recordExit } from "./context.ts";

/** Writes text to stdout; after the reader goes away (a closed pipe) it writes nothing. */
function stdoutWriter(): (text: string) => Promise<void> {
  const encoder = new TextEncoder();
  let closed = false;
  return async (text: string) => {
    if (closed) return;
    const bytes = encoder.encode(text);
    try {
      let done = 0;
      while (done < bytes.length) done += await Deno.stdout.write(bytes.subarray(done));
    } catch (err) {
      if (err instanceof Deno.errors.BrokenPipe) closed = true;
      else throw err;
    }
  };
}

/**
 * Builds the `mp4 dump` subcommand.
 *
 * @param result where the action records its exit code
 * @example
 * ```ts
 * const result = { exitCode: 0 };
 * new Command("mp4").addCommand(mp4DumpCommand(result));
 * ```
 */
export function mp4DumpCommand(result: CommandResult): Command<[string], Mp4DumpOptions> {
  return new Command("dump")
    .description(
      "Print the box tree of an MP4 file, exactly as Bento4's mp4dump prints it " +
        "(damaged input: output up to the damage, a note on stderr, exit 1).",
    )
    .argument("<file>", "the MP4 file (fragmented or not)")
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
    .action(recordExit(result, async (file, opts) => {
      const options: DumpOptions = {
        verbosity: Number(opts.verbosity) as DumpOptions["verbosity"],
        format: opts.format,
      };
      let problems;
      try {
        ({ problems } = await dumpMp4(file, stdoutWriter(), options));
      } catch (err) {
        if (err instanceof Deno.errors.NotFound || err instanceof Deno.errors.PermissionDenied) {
          printError(new Error(`${file}: cannot open: ${err.message}`));
          return ExitCode.BadInput;
        }
        throw err;
      }
      for (const p of problems) {
        console.error(
          `streamkit: ${file}: damaged MP4 at offset ${p.offset} (0x${p.offset.toString(16)}): ` +
            p.message,
        );
      }
      return problems.length > 0 ? ExitCode.Failed : ExitCode.Ok;
    }));
}
