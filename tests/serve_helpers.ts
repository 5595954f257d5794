/**
 * Helpers for the tests of `streamkit serve`: running it in this process until the test
 * stops it, as Ctrl-C would.
 *
 * @module
 */
import { main } from "../src/cli.ts";
import { memoryIo } from "../src/ui/io.ts";
import { REPO } from "./cli_helpers.ts";

/** A `streamkit serve …` running in this process. */
export interface Running {
  /** Its base URL. */
  url: string;
  /** What it printed on stdout so far. */
  stdout(): string;
  /** What it printed on stderr so far. */
  stderr(): string;
  /** Sends Ctrl-C and waits for the exit code. */
  stop(): Promise<number>;
}

/** Starts `streamkit serve <args>` in process and waits until it prints its URL. */
export async function startServe(args: string[], cwd = REPO): Promise<Running> {
  const ready = Promise.withResolvers<void>();
  let seen = "";
  const io = memoryIo({
    cwd,
    tee: {
      stdout: (chunk) => {
        seen += new TextDecoder().decode(chunk);
        if (seen.includes("(Ctrl-C to stop)\n")) ready.resolve();
      },
    },
  });
  const done = main(["serve", ...args, "--port", "0"], io);
  const exited = done.then((code) => {
    throw new Error(`serve exited with ${code} before serving:\n${io.stderrText()}`);
  });
  await Promise.race([ready.promise, exited]);
  exited.catch(() => {});
  const url = /at (http:\/\/127\.0\.0\.1:\d+\/) /.exec(io.stdoutText())![1];
  return {
    url,
    stdout: () => io.stdoutText(),
    stderr: () => io.stderrText(),
    stop: () => {
      io.sendInterrupt();
      return done;
    },
  };
}
