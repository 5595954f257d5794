/**
 * Helpers for tests that run the real `streamkit` CLI as a subprocess.
 *
 * @module
 */
import { join, relative } from "node:path";

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

/**
 * Runs `deno run -A main.ts <args>` and waits for it.
 *
 * @example
 * ```ts
 * const r = await runCli(["--version"]);
 * ```
 */
export async function runCli(
  args: string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
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
