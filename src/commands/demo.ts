/**
 * `streamkit demo [--dir DIR] [--keep]` and `streamkit demo-server [--port N]`: the built-in
 * sample stream, mirrored and taken apart in a few seconds, or served on loopback for
 * players and other tools. Neither needs the network beyond 127.0.0.1.
 *
 * @module
 */
import { Command } from "@commander-js/extra-typings";
import { type CommandContext, recordExit } from "./context.ts";
import { runServer, urlOf, withServeOptions } from "./serve.ts";

/**
 * Builds the `demo` subcommand.
 *
 * @param ctx the process's edges; its `run` runs a streamkit command line in this process
 *   (passed in rather than imported so this module does not depend on the CLI that includes it)
 * @example
 * ```ts
 * import { Command } from "@commander-js/extra-typings";
 * import { main } from "../cli.ts";
 * import { memoryIo } from "../ui/io.ts";
 * const ctx = { io: memoryIo(), result: { exitCode: 0 }, run: main };
 * new Command("streamkit").addCommand(demoCommand(ctx));
 * ```
 */
export function demoCommand(ctx: CommandContext) {
  return new Command("demo")
    .description(
      "try streamkit in seconds: dash get, dash dump and hls get on the built-in sample " +
        "stream, served on 127.0.0.1; shows what they made and what to try next",
    )
    .option("--dir <dir>", "write into this folder (new or empty; kept) instead of a temp folder")
    .option("--keep", "keep the temp folder at the end (it is removed otherwise)")
    .action(recordExit(ctx, async (opts) => {
      const { runDemo } = await import("../demo/run.ts");
      return await runDemo({ dir: opts.dir, keep: opts.keep, run: ctx.run, io: ctx.io });
    }));
}

/**
 * Builds the `demo-server` subcommand: `serve` over the built-in sample until Ctrl-C (exit
 * code 0), with every option of `serve` (`--live`, the faults, `--log`).
 *
 * @param ctx the process's edges and where the action records its exit code
 * @example
 * ```ts
 * import { Command } from "@commander-js/extra-typings";
 * import { memoryIo } from "../ui/io.ts";
 * const ctx = { io: memoryIo(), result: { exitCode: 0 }, run: () => Promise.resolve(0) };
 * new Command("streamkit").addCommand(demoServerCommand(ctx));
 * ```
 */
export function demoServerCommand(ctx: CommandContext) {
  return withServeOptions(
    new Command("demo-server")
      .description("serve the built-in sample stream (DASH and HLS) on 127.0.0.1 until Ctrl-C"),
  ).action(recordExit(ctx, async (opts) => {
    // The sample (and its base64 text) is loaded only by the commands that serve it.
    const { SAMPLE_MASTER, SAMPLE_MPD, sampleFiles } = await import("../demo/sample.ts");
    return await runServer(ctx, {
      files: sampleFiles(),
      label: "the built-in sample",
      index: true,
      heading: (server) =>
        `serving the streamkit sample at ${server.url} (Ctrl-C to stop)\n` +
        `  DASH  ${urlOf(server, `/${SAMPLE_MPD}`)}\n` +
        `  HLS   ${urlOf(server, `/${SAMPLE_MASTER}`)}\n` +
        `  files ${server.url} (a list)\n`,
    }, opts);
  }));
}
