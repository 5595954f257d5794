/**
 * Which box dumper `dash dump` uses: Bento4's `mp4dump` (an external program) or streamkit's
 * built-in one, which prints the same text. `auto` takes mp4dump when it can be found (named
 * with `--mp4dump`, or on `PATH`) and the built-in dumper otherwise.
 *
 * @module
 */
import { delimiter, isAbsolute, resolve } from "node:path";
import { UsageError } from "../errors.ts";

/** What the user asked for with `--engine`. */
export type EngineChoice = "auto" | "mp4dump" | "builtin";

/** The engines `--engine` accepts. */
export const ENGINE_CHOICES: readonly EngineChoice[] = ["auto", "mp4dump", "builtin"];

/** The dumper a run uses. */
export type Engine =
  | {
    /** streamkit's own dumper. */
    kind: "builtin";
  }
  | {
    /** Bento4's mp4dump, run once per segment. */
    kind: "mp4dump";
    /** The program to run (absolute path, or as given). */
    program: string;
    /** Whether the user insisted on it (`--engine mp4dump`): no fallback when it fails. */
    required: boolean;
  };

/** The engine picked, and a note for the user when `auto` fell back. */
export interface EngineDecision {
  /** The engine to use. */
  engine: Engine;
  /** One line saying why the built-in dumper is used instead of mp4dump, when it is. */
  note?: string;
}

/** Whether `path` is a regular file that may be executed (by mode bits, where there are any). */
async function isExecutableFile(path: string): Promise<boolean> {
  try {
    const info = await Deno.stat(path);
    if (!info.isFile) return false;
    return info.mode === null || (info.mode & 0o111) !== 0;
  } catch {
    return false;
  }
}

/**
 * Finds an executable on `PATH` (with `PATHEXT` on Windows), like the shell does.
 *
 * @param name a program name without a folder, e.g. `mp4dump`
 * @param path the search path @default Deno.env.get("PATH")
 * @returns the absolute path of the first match, or undefined
 *
 * @example
 * ```ts
 * const mp4dump = await findOnPath("mp4dump"); // "/usr/local/bin/mp4dump" or undefined
 * ```
 */
export async function findOnPath(
  name: string,
  path: string | undefined = Deno.env.get("PATH"),
): Promise<string | undefined> {
  if (!path) return undefined;
  const exts = Deno.build.os === "windows"
    ? ["", ...(Deno.env.get("PATHEXT") ?? ".EXE;.CMD;.BAT").split(";").filter((e) => e)]
    : [""];
  for (const dir of path.split(delimiter)) {
    if (dir === "") continue;
    for (const ext of exts) {
      const candidate = resolve(dir, name + ext);
      if (await isExecutableFile(candidate)) return candidate;
    }
  }
  return undefined;
}

/** Options of {@link chooseEngine}. */
export interface ChooseEngineOptions {
  /** `--engine`. @default "auto" */
  engine?: EngineChoice;
  /** `--mp4dump <path>`: the program to use as mp4dump. */
  mp4dump?: string;
  /** The search path for `mp4dump`. @default Deno.env.get("PATH") */
  path?: string;
}

/**
 * Picks the engine of a run. With `--engine mp4dump`, a program that cannot be found is a
 * {@link UsageError}; with `auto` it is a note and the built-in dumper.
 *
 * A `--mp4dump` value containing a path separator is a file (relative to the current
 * directory); a bare name is looked up on `PATH`.
 *
 * @example
 * ```ts
 * const { engine, note } = await chooseEngine({ engine: "auto" });
 * if (note) console.error(`note: ${note}`);
 * ```
 */
export async function chooseEngine(options: ChooseEngineOptions = {}): Promise<EngineDecision> {
  const choice = options.engine ?? "auto";
  if (choice === "builtin") return { engine: { kind: "builtin" } };
  const required = choice === "mp4dump";
  let program: string | undefined;
  let problem: string;
  const named = options.mp4dump;
  if (named !== undefined) {
    const isPath = isAbsolute(named) || named.includes("/") || named.includes("\\");
    const candidate = isPath ? resolve(named) : await findOnPath(named, options.path);
    if (candidate !== undefined && await isExecutableFile(candidate)) program = candidate;
    problem = candidate === undefined
      ? `--mp4dump ${named}: not found on PATH`
      : `--mp4dump ${named}: ${await whyNotExecutable(candidate)}`;
  } else {
    program = await findOnPath("mp4dump", options.path);
    problem = "mp4dump (Bento4) is not on PATH";
  }
  if (program !== undefined) return { engine: { kind: "mp4dump", program, required } };
  if (required) {
    throw new UsageError(
      `${problem}; install Bento4's mp4dump, name it with --mp4dump <path>, ` +
        "or use --engine builtin (same output)",
    );
  }
  return {
    engine: { kind: "builtin" },
    note: `${problem}; using the built-in dumper (it prints the same text)`,
  };
}

/** Says why `path` cannot be run, for messages. */
async function whyNotExecutable(path: string): Promise<string> {
  try {
    const info = await Deno.stat(path);
    if (!info.isFile) return `${path} is not a file`;
    return `${path} is not executable`;
  } catch {
    return `no such file ${path}`;
  }
}
