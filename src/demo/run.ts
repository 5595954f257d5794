/**
 * The flow of `streamkit demo`: serve the embedded sample on loopback, run `dash get`,
 * `dash dump` and `hls get` against it into a fresh directory, then show what was produced
 * and what to try next. Everything happens in this process, with nothing read from disk but
 * what the commands themselves wrote.
 *
 * @module
 */
import { basename, join, relative, resolve } from "node:path";
import { ExitCode, UsageError } from "../errors.ts";
import { formatBytes, formatSeconds } from "../ui/format.ts";
import type { Io } from "../ui/io.ts";
import { SAMPLE_MASTER, SAMPLE_MPD, sampleFiles, sampleSize } from "./sample.ts";
import { serveFiles } from "./server.ts";

/** Runs one streamkit command line (without the program name) and returns its exit code. */
export type CliRunner = (args: string[], io: Io) => Promise<number>;

/** Options of {@linkcode runDemo}. */
export interface DemoOptions {
  /** The directory to write into (created; must be empty or absent). Default: a new temp dir. */
  dir?: string;
  /** Keep the temp directory at the end (a directory given with `dir` is always kept). */
  keep?: boolean;
  /** Runs the CLI in this process (the `main` of `src/cli.ts`). */
  run: CliRunner;
  /** The process's streams and folder. */
  io: Io;
}

/** One file or folder of the output, for the listing. */
interface Entry {
  /** Path relative to the output directory, `/`-separated; folders end with `/`. */
  path: string;
  /** Size in bytes (files only). */
  size: number;
}

/** Every file and folder under `dir`, depth-first, names sorted within each folder. */
async function walk(dir: string, prefix = ""): Promise<Entry[]> {
  const names: { name: string; isDir: boolean }[] = [];
  for await (const e of Deno.readDir(join(dir, prefix))) {
    names.push({ name: e.name, isDir: e.isDirectory });
  }
  names.sort((a, b) => a.name < b.name ? -1 : a.name > b.name ? 1 : 0);
  const out: Entry[] = [];
  for (const { name, isDir } of names) {
    const path = prefix + name;
    if (isDir) {
      out.push({ path: `${path}/`, size: 0 });
      out.push(...await walk(dir, `${path}/`));
    } else {
      out.push({ path, size: (await Deno.stat(join(dir, path))).size });
    }
  }
  return out;
}

/**
 * Formats a listing as an indented tree, two spaces per level, folders ending in `/`,
 * each file followed by its size in bytes (right-aligned).
 *
 * @example
 * ```ts
 * formatTree([{ path: "dash/", size: 0 }, { path: "dash/a.mpd", size: 12 }]);
 * // "  dash/\n    a.mpd   12 B\n"
 * ```
 */
export function formatTree(entries: readonly { path: string; size: number }[]): string {
  const label = (e: { path: string }) => {
    const parts = e.path.replace(/\/$/, "").split("/");
    return "  ".repeat(parts.length) + parts[parts.length - 1] + (e.path.endsWith("/") ? "/" : "");
  };
  const width = Math.max(0, ...entries.map((e) => label(e).length));
  const sizeWidth = Math.max(0, ...entries.map((e) => String(e.size).length));
  return entries.map((e) =>
    e.path.endsWith("/")
      ? `${label(e)}\n`
      : `${label(e).padEnd(width)}  ${String(e.size).padStart(sizeWidth)} B\n`
  ).join("");
}

/**
 * How the user runs streamkit right now, for the suggested commands: the compiled binary's
 * path, `deno task streamkit` from a checkout, or `deno run -A <bundle>`; with
 * `npx -y deno@<version>` in place of `deno` when Deno itself came from npm.
 */
export function selfCommand(): string {
  const exec = Deno.execPath();
  const name = basename(exec).replace(/\.exe$/i, "");
  if (name !== "deno") return exec; // a compiled binary
  const deno = /[\\/]_npx[\\/]/.test(exec) ? `npx -y deno@${Deno.version.deno}` : "deno";
  const main = Deno.mainModule;
  if (!main.startsWith("file:")) return `${deno} run -A ${main}`;
  const path = decodeURIComponent(new URL(main).pathname);
  if (basename(path) === "main.ts") return `${deno} task streamkit`;
  const rel = relative(Deno.cwd(), path);
  return `${deno} run -A ${rel.startsWith("..") ? path : rel}`;
}

/** Quotes a path for a POSIX shell when it needs it. */
function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replaceAll("'", `'\\''`)}'`;
}

/** Makes `dir` ready: absent (created) or an empty folder. Throws a UsageError otherwise. */
async function freshDir(dir: string): Promise<void> {
  try {
    const info = await Deno.stat(dir);
    if (!info.isDirectory) throw new UsageError(`--dir ${dir} exists and is not a folder`);
    for await (const _ of Deno.readDir(dir)) {
      throw new UsageError(`--dir ${dir} is not empty; give a new or empty folder`);
    }
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
    await Deno.mkdir(dir, { recursive: true });
  }
}

/**
 * Runs the demo and returns its exit code: 0 when every step succeeded, else the first
 * failing step's code.
 *
 * @example
 * ```ts
 * import { main } from "../cli.ts";
 * import { memoryIo } from "../ui/io.ts";
 * const io = memoryIo();
 * const code = await runDemo({ dir: "demo-out", run: main, io });
 * ```
 */
export async function runDemo(options: DemoOptions): Promise<number> {
  const started = performance.now();
  const io = options.io;
  const writeOut = (text: string) => io.stdout.write(text);
  const temp = options.dir === undefined;
  const outDir = temp
    ? await Deno.makeTempDir({ prefix: "streamkit-demo-" })
    : resolve(io.cwd, options.dir as string);
  if (!temp) await freshDir(outDir);
  const keep = !temp || (options.keep ?? false);
  const files = sampleFiles();
  await using server = serveFiles(files);
  const mpdUrl = new URL(SAMPLE_MPD, server.url).href;
  const masterUrl = new URL(SAMPLE_MASTER, server.url).href;
  const dashDir = join(outDir, "dash");
  const hlsDir = join(outDir, "hls");
  const self = selfCommand();
  const q = shellQuote;

  writeOut(
    `streamkit demo: serving the built-in sample (${files.size} files, ` +
      `${formatBytes(sampleSize())}) at ${server.url}\n` +
      `  DASH  ${mpdUrl}   (video 256x144 + 128x72, audio eng + fra)\n` +
      `  HLS   ${masterUrl}    (2 variants, audio group eng + fra)\n` +
      `writing into ${outDir}\n`,
  );

  const steps: { why: string; args: string[] }[] = [
    { why: "mirror the DASH stream", args: ["dash", "get", mpdUrl, "-o", dashDir] },
    {
      why: "take each Representation apart: <id>.m4s, <id>.dump (box tree), <id>.hex",
      args: ["dash", "dump", "-d", dashDir, "--engine", "builtin"],
    },
    { why: "mirror the HLS stream", args: ["hls", "get", masterUrl, "-o", hlsDir] },
  ];
  let code: number = ExitCode.Ok;
  let finished = false;
  try {
    for (const step of steps) {
      writeOut(`\n# ${step.why}\n$ streamkit ${step.args.map(q).join(" ")}\n`);
      code = await options.run(step.args, io);
      if (code !== ExitCode.Ok) {
        writeOut(
          `streamkit demo: that step failed (exit code ${code}); stopping. ` +
            `What it wrote is in ${outDir}\n`,
        );
        return code;
      }
    }

    const entries = await walk(outDir);
    const fileCount = entries.filter((e) => !e.path.endsWith("/")).length;
    const total = entries.reduce((n, e) => n + e.size, 0);
    writeOut(
      `\nproduced in ${outDir}/ (${fileCount} files, ${formatBytes(total)}, ` +
        `${server.requests} requests to the loopback server, ` +
        `${formatSeconds((performance.now() - started) / 1000)} in all):\n` +
        formatTree(entries),
    );

    const d = (p: string) => q(join(dashDir, p));
    const h = (p: string) => q(join(hlsDir, p));
    const next = [
      `${self} mp4 dump ${d("init-stream0.m4s")} --verbosity 1   # one box tree`,
      `less ${d("0.dump")}   # every segment of Representation 0, with offsets`,
      `ffplay ${h(SAMPLE_MASTER)}   # the HLS mirror plays offline (with ffmpeg installed)`,
    ];
    writeOut(
      `\ntry next:\n` +
        (keep ? next.map((l) => `  ${l}\n`).join("") : "") +
        `  ${self} demo-server   # serve the sample for players and other tools\n` +
        `  ${self} dash get <your MPD URL> -o out\n` +
        `  ${self} --help\n`,
    );
    finished = true;
    return ExitCode.Ok;
  } finally {
    await server.close();
    // After a failure the files stay, so what went wrong can be looked at.
    if (!keep && finished) {
      await Deno.remove(outDir, { recursive: true });
      writeOut(
        `\nremoved ${outDir} (a temporary folder); keep the files with --keep or --dir DIR\n`,
      );
    }
  }
}
