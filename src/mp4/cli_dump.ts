/**
 * What `streamkit mp4 dump` does once its command line is read: dump a file (or standard
 * input) to standard output as mp4dump's exact bytes, name any damage on standard error, and
 * give the exit code. Shared by the command (`src/commands/mp4_dump.ts`) and by the CLI's
 * shortcut for a plain `mp4 dump` command line, which runs it without loading the command-line
 * parser (`src/cli.ts`), so that dumping a file starts as fast as Deno does.
 *
 * @module
 */
import { ExitCode } from "../errors.ts";
import { printError } from "../commands/context.ts";
import type { Io } from "../ui/io.ts";
import { dumpMp4Bytes, type DumpOptions, dumpSourceBytes } from "./dump.ts";
import { StreamSource } from "./reader.ts";

/** How to dump: mp4dump's `--verbosity` and `--format`. */
export interface Mp4DumpRequest {
  /** The file, or `-` for standard input. */
  file: string;
  /** Detail level. */
  verbosity: DumpOptions["verbosity"];
  /** Text or JSON. */
  format: DumpOptions["format"];
}

/** `file` made absolute against `cwd` (without `node:path`, which is slow to load). */
function absolute(cwd: string, file: string): string {
  if (/^(?:[A-Za-z]:)?[\\/]/.test(file)) return file;
  return `${cwd.replace(/[\\/]+$/, "")}/${file}`;
}

/**
 * Runs `mp4 dump`: writes the dump to `io.stdout` as it goes, reports damage on `io.stderr`,
 * returns the exit code (0 sound, 1 damaged, 2 cannot be opened).
 *
 * @example
 * ```ts
 * import { memoryIo } from "../ui/io.ts";
 * const io = memoryIo();
 * const code = await runMp4Dump(io, { file: "init.mp4", verbosity: 3, format: "text" });
 * ```
 */
export async function runMp4Dump(io: Io, request: Mp4DumpRequest): Promise<number> {
  const { file } = request;
  const options: DumpOptions = { verbosity: request.verbosity, format: request.format };
  // Each batch is written (synchronously) before the dumper prints again.
  const write = (bytes: Uint8Array) => io.stdout.write(bytes);
  let problems;
  try {
    if (file === "-") {
      const src = new StreamSource(io.stdin);
      try {
        ({ problems } = await dumpSourceBytes(src, write, options));
      } finally {
        src.close();
      }
    } else {
      ({ problems } = await dumpMp4Bytes(absolute(io.cwd, file), write, options));
    }
  } catch (err) {
    if (err instanceof Deno.errors.NotFound || err instanceof Deno.errors.PermissionDenied) {
      printError(io, new Error(`${file}: cannot open: ${err.message}`));
      return ExitCode.BadInput;
    }
    throw err;
  }
  for (const p of problems) {
    io.stderr.write(
      `streamkit: ${file}: damaged MP4 at offset ${p.offset} (0x${p.offset.toString(16)}): ` +
        `${p.message}\n`,
    );
  }
  return problems.length > 0 ? ExitCode.Failed : ExitCode.Ok;
}
