/**
 * Helpers for tests that run the real `streamkit` CLI: in this process (`main(args, io)`
 * with an in-memory Io, the default: fast) or as a subprocess (for signals, exit codes of
 * the real process, terminals).
 *
 * @module
 */
import { join, relative } from "node:path";
import { memoryIo } from "../src/ui/io.ts";

/** The repository root (where main.ts is). */
export const REPO = new URL("..", import.meta.url).pathname.replace(/\/$/, "");

/** Test fixtures folder. */
export const FIXTURES = join(REPO, "tests/fixtures");

/** What a CLI run printed and how it ended. */
export interface CliResult {
  /** Exit code. */
  code: number;
  /** Standard output, decoded. */
  stdout: string;
  /** Standard error, decoded. */
  stderr: string;
}

/** Options of {@link runCli} and {@link runCliProcess}. */
export interface CliOptions {
  /** The folder relative paths resolve against. @default REPO */
  cwd?: string;
  /** Environment variables added to (or replacing) the test process's own. */
  env?: Record<string, string>;
  /** Aborts the run as Ctrl-C would (in process only). */
  interrupt?: AbortSignal;
}

/**
 * Runs the CLI in this process, as `streamkit <args>` would run, with stdout and stderr
 * kept in memory; the environment is this process's plus `options.env`.
 *
 * @example
 * ```ts
 * const r = await runCli(["--version"]);
 * ```
 */
export async function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  const io = memoryIo({
    cwd: options.cwd ?? REPO,
    env: { ...Deno.env.toObject(), NO_COLOR: "1", ...options.env },
  });
  if (options.interrupt) {
    options.interrupt.addEventListener("abort", () => io.sendInterrupt(), { once: true });
  }
  // Loaded on first use, so tests that never run the CLI do not load all of it.
  const { main } = await import("../src/cli.ts");
  const code = await main(args, io);
  return { code, stdout: io.stdoutText(), stderr: io.stderrText() };
}

/**
 * Runs `deno run -A main.ts <args>` as a subprocess and waits for it.
 *
 * @example
 * ```ts
 * const r = await runCliProcess(["--version"]);
 * ```
 */
export async function runCliProcess(
  args: string[],
  options: CliOptions = {},
): Promise<CliResult> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", join(REPO, "main.ts"), ...args],
    cwd: options.cwd ?? REPO,
    env: { NO_COLOR: "1", ...options.env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

/** Every file under `dir`, as sorted paths relative to it. */
export async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  async function walk(d: string): Promise<void> {
    for await (const e of Deno.readDir(d)) {
      const p = join(d, e.name);
      if (e.isDirectory) await walk(p);
      else out.push(relative(dir, p));
    }
  }
  await walk(dir);
  return out.sort();
}

/**
 * Whether two byte arrays are equal. (Use this, not `assert.deepEqual`, on media: the
 * latter's diff of two large arrays can exhaust memory.)
 */
export function bytesEqual(x: Uint8Array | undefined, y: Uint8Array | undefined): boolean {
  if (x === undefined || y === undefined || x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

/** Whether two files have the same bytes. */
export async function sameBytes(a: string, b: string): Promise<boolean> {
  const [x, y] = await Promise.all([Deno.readFile(a), Deno.readFile(b)]);
  return bytesEqual(x, y);
}

/** Copies a folder tree. */
export async function copyTree(from: string, to: string): Promise<void> {
  await Deno.mkdir(to, { recursive: true });
  for await (const e of Deno.readDir(from)) {
    const a = join(from, e.name), b = join(to, e.name);
    if (e.isDirectory) await copyTree(a, b);
    else await Deno.copyFile(a, b);
  }
}

/** Whether a program can be run (`name -version` or `--version` succeeds). */
export async function hasProgram(name: string, versionFlag = "-version"): Promise<boolean> {
  try {
    const r = await new Deno.Command(name, { args: [versionFlag], stdout: "null", stderr: "null" })
      .output();
    return r.success;
  } catch {
    return false;
  }
}

/** Runs a program and returns its exit code, stdout and stderr. */
export async function run(cmd: string, args: string[], cwd?: string): Promise<CliResult> {
  const out = await new Deno.Command(cmd, { args, cwd, stdout: "piped", stderr: "piped" }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

const scratch: string[] = [];
globalThis.addEventListener("unload", () => {
  for (const dir of scratch) {
    try {
      Deno.removeSync(dir, { recursive: true });
    } catch {
      // already gone
    }
  }
});

/**
 * A fresh temporary folder that is removed when the test process ends (for tests that
 * only need a place that must stay empty, or a parent for a path that must not appear).
 */
export async function scratchDir(): Promise<string> {
  const dir = await Deno.makeTempDir();
  scratch.push(dir);
  return dir;
}
