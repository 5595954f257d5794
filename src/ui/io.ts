/**
 * The process's edges, made once in `main()` and passed down: standard output and error,
 * the environment, the folder relative paths resolve against, and the interrupt (Ctrl-C).
 * Nothing outside `src/ui/` touches `Deno.stdout`, `Deno.stderr` or `console`, so the whole
 * CLI runs in process against {@link memoryIo} as well as against the real terminal.
 *
 * One policy for a closed pipe: when the reader of standard output goes away
 * (`streamkit … | head`), the next write throws {@link ClosedPipe}; `main()` ends the run
 * quietly with exit code 0, as `git log | head` does.
 *
 * @module
 */

/** Text or bytes for an output stream. */
export type Chunk = string | Uint8Array;

/** One output stream: standard output or standard error. */
export interface OutputStream {
  /** Writes all of `chunk`; throws {@link ClosedPipe} when the reader has gone away. */
  write(chunk: Chunk): void;
  /** Whether it is a terminal (a live display is possible only then). */
  readonly isTerminal: boolean;
  /** The terminal's size, when it is one and has a size. */
  size(): { columns: number; rows: number } | undefined;
}

/** Everything a command may use of the process. */
export interface Io {
  /** Standard input (`mp4 dump -` reads it). */
  readonly stdin: ReadableStream<Uint8Array>;
  /** Results: summaries, plans, JSON, dumps. */
  readonly stdout: OutputStream;
  /** Progress, notes, warnings and errors. */
  readonly stderr: OutputStream;
  /** Reads an environment variable. */
  env(name: string): string | undefined;
  /** The folder relative paths on the command line resolve against. */
  readonly cwd: string;
  /** Aborts when the user interrupts the run (SIGINT). */
  readonly interrupt: AbortSignal;
}

/** The reader of standard output has gone away (a closed pipe). */
export class ClosedPipe extends Error {
  constructor() {
    super("standard output was closed");
    this.name = "ClosedPipe";
  }
}

const encoder = new TextEncoder();

/** Encodes a chunk to bytes. */
export function chunkBytes(chunk: Chunk): Uint8Array {
  return typeof chunk === "string" ? encoder.encode(chunk) : chunk;
}

/** A writer over a Deno stream with a synchronous `writeSync`. */
function denoStream(
  stream: { writeSync(p: Uint8Array): number; isTerminal(): boolean },
  onClosed: () => void,
): OutputStream {
  let closed = false;
  const terminal = stream.isTerminal();
  return {
    isTerminal: terminal,
    size() {
      if (!terminal) return undefined;
      try {
        const { columns, rows } = Deno.consoleSize();
        return columns > 0 && rows > 0 ? { columns, rows } : undefined;
      } catch {
        return undefined;
      }
    },
    write(chunk) {
      if (closed) return onClosed();
      const data = chunkBytes(chunk);
      let off = 0;
      try {
        while (off < data.length) off += stream.writeSync(data.subarray(off));
      } catch (err) {
        if (!(err instanceof Deno.errors.BrokenPipe)) throw err;
        closed = true;
        onClosed();
      }
    },
  };
}

/** Options of {@link processIo}. */
export interface ProcessIoOptions {
  /**
   * The folder relative paths resolve against. By default the caller's folder: `INIT_CWD`
   * when `deno task` set it (a task runs in the checkout, not where it was called from),
   * otherwise the process's working folder.
   */
  cwd?: string;
}

/** The real process: its streams, environment, folder and SIGINT. Call `close()` at the end. */
export function processIo(options: ProcessIoOptions = {}): Io & { close(): void } {
  const controller = new AbortController();
  const onSigint = () => controller.abort(new DOMException("interrupted", "AbortError"));
  Deno.addSignalListener("SIGINT", onSigint);
  return {
    // A getter: making the stream loads Deno's streams machinery, which most commands never
    // need (`mp4 dump FILE`, `--version`).
    get stdin() {
      return Deno.stdin.readable;
    },
    stdout: denoStream(Deno.stdout, () => {
      throw new ClosedPipe();
    }),
    // Nothing can be said about a closed stderr: writes to it are dropped.
    stderr: denoStream(Deno.stderr, () => {}),
    env: (name) => Deno.env.get(name),
    cwd: options.cwd ?? callerFolder(),
    interrupt: controller.signal,
    close() {
      Deno.removeSignalListener("SIGINT", onSigint);
    },
  };
}

/**
 * The folder the user called streamkit from (see {@link ProcessIoOptions.cwd}): `INIT_CWD`
 * when streamkit runs from its checkout as a task (the working folder is then the one
 * holding `main.ts`), the working folder otherwise.
 */
function callerFolder(): string {
  const init = Deno.env.get("INIT_CWD");
  const main = Deno.mainModule.startsWith("file:") ? new URL(".", Deno.mainModule) : undefined;
  const fromCheckout = main !== undefined &&
    decodeURIComponent(main.pathname).replace(/\/$/, "") === Deno.cwd().replace(/\/$/, "");
  if (init && fromCheckout) {
    try {
      if (Deno.statSync(init).isDirectory) return init;
    } catch {
      // gone or unreadable: use the working folder
    }
  }
  return Deno.cwd();
}

/** An {@link Io} that keeps what is written, for running the CLI in process (tests, demo). */
export interface MemoryIo extends Io {
  /** Everything written to standard output so far, decoded. */
  stdoutText(): string;
  /** Everything written to standard error so far, decoded. */
  stderrText(): string;
  /** Aborts {@link Io.interrupt}, as Ctrl-C would. */
  sendInterrupt(): void;
}

/** Options of {@link memoryIo}. */
export interface MemoryIoOptions {
  /** The folder relative paths resolve against. @default Deno.cwd() */
  cwd?: string;
  /** Environment variables; anything not named here is absent. @default {} */
  env?: Record<string, string>;
  /** What standard input holds. @default empty */
  stdin?: Uint8Array;
  /** Pretend standard error is a terminal of this size. */
  terminal?: { columns: number; rows: number };
  /** After this many bytes, standard output behaves like a closed pipe. */
  stdoutLimit?: number;
  /** Also pass what is written on to these (to watch a run live). */
  tee?: { stdout?: (chunk: Uint8Array) => void; stderr?: (chunk: Uint8Array) => void };
}

/**
 * An in-memory {@link Io}.
 *
 * @example
 * ```ts
 * import { main } from "../cli.ts";
 * const io = memoryIo({ cwd: "/tmp" });
 * const code = await main(["--version"], io);
 * io.stdoutText(); // "0.2.0\n"
 * ```
 */
export function memoryIo(options: MemoryIoOptions = {}): MemoryIo {
  const out: Uint8Array[] = [];
  const err: Uint8Array[] = [];
  let outBytes = 0;
  const controller = new AbortController();
  const stream = (
    into: Uint8Array[],
    terminal: boolean,
    tee?: (chunk: Uint8Array) => void,
    limit?: number,
  ): OutputStream => ({
    isTerminal: terminal,
    size: () => (terminal ? options.terminal : undefined),
    write(chunk) {
      const data = chunkBytes(chunk);
      if (limit !== undefined) {
        if (outBytes >= limit) throw new ClosedPipe();
        outBytes += data.length;
      }
      into.push(data.slice());
      tee?.(data);
    },
  });
  const decode = (parts: Uint8Array[]) => {
    const dec = new TextDecoder();
    return parts.map((p) => dec.decode(p, { stream: true })).join("") + dec.decode();
  };
  const env = options.env ?? {};
  return {
    stdin: ReadableStream.from(options.stdin ? [options.stdin] : []),
    stdout: stream(out, false, options.tee?.stdout, options.stdoutLimit),
    stderr: stream(err, options.terminal !== undefined, options.tee?.stderr),
    env: (name) => env[name],
    cwd: options.cwd ?? Deno.cwd(),
    interrupt: controller.signal,
    stdoutText: () => decode(out),
    stderrText: () => decode(err),
    sendInterrupt: () => controller.abort(new DOMException("interrupted", "AbortError")),
  };
}
