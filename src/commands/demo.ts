/**
 * `streamkit demo [--dir DIR] [--keep]` and `streamkit demo-server [--port N]`: the built-in
 * sample stream, mirrored and taken apart in a few seconds, or served on loopback for
 * players and other tools. Neither needs the network beyond 127.0.0.1.
 *
 * @module
 */
import { Command, InvalidArgumentError } from "@commander-js/extra-typings";
import { UsageError } from "../errors.ts";
import type { CliRunner } from "../demo/run.ts";
import { writeOut } from "../ui/terminal.ts";
import { type CommandResult, ExitCode, recordExit } from "./context.ts";

/**
 * Builds the `demo` subcommand.
 *
 * @param result where the action records its exit code
 * @param run runs a streamkit command line in this process (`main` of `src/cli.ts`); passed
 *   in rather than imported so this module does not depend on the CLI that includes it
 * @example
 * ```ts
 * program.addCommand(demoCommand(result, main));
 * ```
 */
export function demoCommand(result: CommandResult, run: CliRunner) {
  return new Command("demo")
    .description(
      "try streamkit in seconds: dash get, dash dump and hls get on the built-in sample " +
        "stream, served on 127.0.0.1; shows what they made and what to try next",
    )
    .option("--dir <dir>", "write into this folder (new or empty; kept) instead of a temp folder")
    .option("--keep", "keep the temp folder at the end (it is removed otherwise)")
    .action(recordExit(result, async (opts) => {
      const { runDemo } = await import("../demo/run.ts");
      return await runDemo({ dir: opts.dir, keep: opts.keep, run });
    }));
}

/** Parses `--port`: a whole number from 0 (any free port) to 65535. */
function portOption(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n > 65535) {
    throw new InvalidArgumentError("--port must be a whole number from 0 to 65535");
  }
  return n;
}

/**
 * Builds the `demo-server` subcommand: serves the sample until Ctrl-C (exit code 0).
 *
 * @param result where the action records its exit code
 * @example
 * ```ts
 * program.addCommand(demoServerCommand(result));
 * ```
 */
export function demoServerCommand(result: CommandResult) {
  return new Command("demo-server")
    .description(
      "serve the built-in sample stream (DASH and HLS) on 127.0.0.1 until Ctrl-C",
    )
    .option("-p, --port <n>", "port to listen on (0: any free port)", portOption, 8000)
    .option("--log", "print one line per request on stderr")
    .action(recordExit(result, async (opts) => {
      // The sample (and its base64 text) is loaded only by the commands that serve it.
      const { SAMPLE_MASTER, SAMPLE_MPD, sampleFiles } = await import("../demo/sample.ts");
      const { serveFiles } = await import("../demo/server.ts");
      const files = sampleFiles();
      let server;
      try {
        server = serveFiles(files, {
          port: opts.port,
          onRequest: opts.log
            ? (r) => console.error(`${r.status} ${r.method} ${r.path} ${r.range}`.trimEnd())
            : undefined,
        });
      } catch (err) {
        if (err instanceof Deno.errors.AddrInUse) {
          throw new UsageError(`port ${opts.port} is in use; pick another with --port`);
        }
        throw err;
      }
      writeOut(
        `serving the streamkit sample at ${server.url} (Ctrl-C to stop)\n` +
          `  DASH  ${new URL(SAMPLE_MPD, server.url)}\n` +
          `  HLS   ${new URL(SAMPLE_MASTER, server.url)}\n` +
          `  files ${server.url} (a list)\n`,
      );
      const signals: Deno.Signal[] = Deno.build.os === "windows"
        ? ["SIGINT"]
        : ["SIGINT", "SIGTERM"];
      const stopped = Promise.withResolvers<void>();
      const stop = () => stopped.resolve();
      for (const s of signals) Deno.addSignalListener(s, stop);
      try {
        await stopped.promise;
      } finally {
        for (const s of signals) Deno.removeSignalListener(s, stop);
        await server.close();
      }
      console.error(`stopped after ${server.requests} requests`);
      return ExitCode.Ok;
    }));
}
