/**
 * What `dash get` and `hls get` share: their options, reading the manifest (URL or local
 * file), and running a plan with progress, a summary, Ctrl-C handling and exit codes. The
 * two commands differ only in the planner they pass to {@link runGet}.
 *
 * @module
 */
import { type Command, InvalidArgumentError, Option } from "@commander-js/extra-typings";
import { basename, resolve } from "node:path";
import { ExitCode, InputError, UsageError } from "../errors.ts";
import type { DownloadPlan } from "../mirror/plan.ts";
import { executePlan, prepareOutputDir, type RunSummary } from "../mirror/run.ts";
import {
  DEFAULT_HTTP,
  fetchText,
  HttpError,
  type HttpOptions,
  MAX_MANIFEST_BYTES,
} from "../net/http.ts";
import { Progress } from "../ui/progress.ts";
import { formatBytes, formatSeconds } from "../ui/format.ts";
import { displayMode, Terminal, writeOut } from "../ui/terminal.ts";

/** Parses a whole number within [min, max] for an option. */
function intOption(name: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || n < min || n > max) {
      throw new InvalidArgumentError(`${name} must be a whole number from ${min} to ${max}`);
    }
    return n;
  };
}

/** Parses a positive number of seconds for an option. */
function secondsOption(name: string) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) {
      throw new InvalidArgumentError(`${name} must be a positive number of seconds`);
    }
    return n;
  };
}

/** Collects repeated `-H "Name: value"` options. */
function collectHeader(value: string, previous: [string, string][] = []): [string, string][] {
  const m = /^\s*([!#$%&'*+.^_`|~0-9A-Za-z-]+)\s*:\s*(.*)$/.exec(value);
  if (!m) throw new InvalidArgumentError(`"${value}" is not a header of the form "Name: value"`);
  return [...previous, [m[1], m[2].trim()]];
}

/**
 * Adds the options every `get` subcommand takes.
 *
 * @example
 * ```ts
 * const cmd = withGetOptions(new Command("get").argument("<url>"));
 * ```
 */
export function withGetOptions<A extends unknown[]>(cmd: Command<A>) {
  return cmd
    .option(
      "-t, --threads <n>",
      "parallel downloads, default 4 (alias: --max-threads)",
      intOption("--threads", 1, 256),
    )
    .addOption(
      new Option("--max-threads <n>", "alias of --threads").hideHelp().argParser(
        intOption("--max-threads", 1, 256),
      ),
    )
    .option("-o, --output <dir>", "output directory", ".")
    .option(
      "-H, --header <header>",
      'extra request header "Name: value" (repeatable)',
      collectHeader,
    )
    .option(
      "--retries <n>",
      "further attempts after a failed request",
      intOption("--retries", 0, 100),
      DEFAULT_HTTP.retries,
    )
    .option(
      "--retry-delay <seconds>",
      "first backoff between attempts (doubles each time, with jitter)",
      secondsOption("--retry-delay"),
      DEFAULT_HTTP.retryDelayMs / 1000,
    )
    .option(
      "--timeout <seconds>",
      "give up on a request when no byte arrives for this long",
      secondsOption("--timeout"),
      DEFAULT_HTTP.timeoutMs / 1000,
    )
    .option("--base-url <url>", "base URL for relative references when reading a local manifest")
    .option("--verify", "check complete files against the server's sizes; refetch mismatches")
    .option("--dry-run", "print the plan (every URL, byte range and local path); write nothing")
    .option("--json", "print a machine-readable summary (or plan) on stdout")
    .option("-q, --quiet", "no progress; only errors and the summary");
}

/** The parsed options of a `get` subcommand. */
export interface GetOptions {
  threads?: number;
  maxThreads?: number;
  output: string;
  header?: [string, string][];
  retries: number;
  retryDelay: number;
  timeout: number;
  baseUrl?: string;
  verify?: boolean;
  dryRun?: boolean;
  json?: boolean;
  quiet?: boolean;
}

/** The manifest a run starts from. */
export interface ManifestSource {
  /** Its text. */
  text: string;
  /** The URL it came from after redirects, or the URL it stands for (local file). */
  url: string;
  /** Whether it was read from a local file. */
  local: boolean;
}

/** Whether `arg` is an http(s) URL rather than a local path. */
export function isRemote(arg: string): boolean {
  return /^https?:\/\//i.test(arg);
}

/**
 * Reads the manifest named on the command line: fetched (with retries) when it is an
 * http(s) URL, read from disk otherwise. A local manifest stands at `--base-url` when
 * given, so its relative references resolve there.
 */
export async function readManifest(
  arg: string,
  http: HttpOptions,
  baseUrl: string | undefined,
  onRetry?: (message: string) => void,
): Promise<ManifestSource> {
  if (isRemote(arg)) {
    try {
      const got = await fetchText(
        arg,
        http,
        MAX_MANIFEST_BYTES,
        (err, n, wait) =>
          onRetry?.(`retry ${n} in ${formatSeconds(wait / 1000)}: ${arg}: ${err.message}`),
      );
      return { text: got.text, url: got.url, local: false };
    } catch (err) {
      // A manifest that cannot be fetched is bad input (exit 2), not a failed download.
      if (err instanceof HttpError) {
        throw new InputError(`cannot fetch the manifest: ${err.message}`, arg);
      }
      throw err;
    }
  }
  if (/^[a-z][a-z0-9+.-]*:/i.test(arg) && !/^[a-z]:[\\/]/i.test(arg)) {
    throw new UsageError(`unsupported manifest URL scheme: ${arg} (use http(s) or a file path)`);
  }
  const path = resolve(arg);
  const text = await readManifestFile(path, arg);
  let url = new URL(`file://${path}`).href;
  if (baseUrl !== undefined) {
    if (!isRemote(baseUrl)) throw new UsageError(`--base-url must be an http(s) URL: ${baseUrl}`);
    url = new URL(encodeURIComponent(basename(path)), baseUrl).href;
  }
  return { text, url, local: true };
}

/**
 * Reads a local manifest or playlist, refusing anything but a regular file of at most
 * {@link MAX_MANIFEST_BYTES}. Errors name `label` (the path as the user gave it).
 */
export async function readManifestFile(path: string, label = path): Promise<string> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch {
    throw new InputError("no such file", label);
  }
  if (!info.isFile) throw new InputError("not a file", label);
  if (info.size > MAX_MANIFEST_BYTES) {
    throw new InputError(
      `manifest is ${info.size} bytes; the limit is ${MAX_MANIFEST_BYTES}`,
      label,
    );
  }
  return await Deno.readTextFile(path);
}

/** Builds {@link HttpOptions} from parsed options. */
export function httpOptions(opts: GetOptions, signal: AbortSignal): HttpOptions {
  return {
    headers: opts.header ?? [],
    timeoutMs: opts.timeout * 1000,
    retries: opts.retries,
    retryDelayMs: opts.retryDelay * 1000,
    signal,
  };
}

/** Prints the plan of a `--dry-run`. */
function printPlan(plan: DownloadPlan, json: boolean): void {
  if (json) {
    writeOut(JSON.stringify(plan, null, 2) + "\n");
    return;
  }
  const lines: string[] = [];
  for (const m of plan.manifests) {
    lines.push(`${m.path}\t${m.url}${m.original !== undefined ? "\t(rewritten)" : ""}`);
  }
  for (const item of plan.items) {
    const ranges = item.ranges?.map((r) => `${r.start}-${r.end}`).join(",");
    lines.push(`${item.path}\t${item.url}${ranges ? `\tranges ${ranges}` : ""}`);
  }
  lines.push(
    `# ${plan.manifests.length} manifest(s), ${plan.items.length} resource(s); nothing written`,
  );
  writeOut(lines.join("\n") + "\n");
}

/** Prints the summary of a run: text for people, or JSON with `--json`. */
function printSummary(
  command: string,
  source: ManifestSource,
  outDir: string,
  s: RunSummary,
  opts: GetOptions,
  notes: string[],
): void {
  if (opts.json) {
    writeOut(
      JSON.stringify({ command, manifest: source.url, output: outDir, ...s, notes }, null, 2) +
        "\n",
    );
    return;
  }
  const rate = s.seconds > 0 ? s.bytes / s.seconds : 0;
  const lines = [
    `${command}: ${s.planned} files: ${s.downloaded} downloaded, ${s.skipped} already present, ` +
    `${s.failed} failed${s.notStarted ? `, ${s.notStarted} not started` : ""}; ` +
    `${formatBytes(s.bytes)} in ${formatSeconds(s.seconds)} (${formatBytes(Math.round(rate))}/s)` +
    `${s.retries ? `, ${s.retries} retries` : ""}`,
    `saved in ${outDir}: ${s.manifests.join(", ")}`,
  ];
  if (s.failures.length) {
    lines.push(`failed (${s.failures.length}):`);
    for (const f of s.failures) lines.push(`  ${f.url}  ${f.reason}`);
  }
  if (s.interrupted) lines.push("interrupted: rerun the same command to resume");
  writeOut(lines.join("\n") + "\n");
}

/**
 * Runs a `get` subcommand: read the manifest, plan, then (unless `--dry-run`) download,
 * and print the summary. Returns the exit code.
 *
 * @param command the subcommand's name, for messages (`dash get`)
 * @param arg the manifest URL or path given by the user
 * @param opts the parsed options
 * @param plan turns the manifest into a plan (may fetch more, e.g. HLS media playlists)
 */
export async function runGet(
  command: string,
  arg: string,
  opts: GetOptions,
  plan: (source: ManifestSource, http: HttpOptions, term: Terminal) => Promise<DownloadPlan>,
): Promise<number> {
  if (
    opts.threads !== undefined && opts.maxThreads !== undefined && opts.threads !== opts.maxThreads
  ) {
    throw new UsageError("--threads and --max-threads disagree; give one");
  }
  const threads = opts.threads ?? opts.maxThreads ?? 4;
  const controller = new AbortController();
  const onSigint = () => controller.abort(new DOMException("interrupted", "AbortError"));
  const term = new Terminal(displayMode(opts.quiet ?? false));
  const http = httpOptions(opts, controller.signal);
  Deno.addSignalListener("SIGINT", onSigint);
  try {
    const source = await readManifest(arg, http, opts.baseUrl, (m) => term.line(m));
    const p = await plan(source, http, term);
    if (opts.dryRun) {
      printPlan(p, opts.json ?? false);
      return ExitCode.Ok;
    }
    const outDir = resolve(opts.output);
    await prepareOutputDir(outDir);
    for (const n of p.notes) term.line(`note: ${n}`);
    const summary = await executePlan(
      p,
      { outDir, threads, verify: opts.verify ?? false, http },
      new Progress(term),
    );
    printSummary(command, source, outDir, summary, opts, p.notes);
    if (summary.interrupted) return ExitCode.Interrupted;
    return summary.failed > 0 ? ExitCode.Failed : ExitCode.Ok;
  } catch (err) {
    if (controller.signal.aborted) {
      term.line("interrupted", true);
      return ExitCode.Interrupted;
    }
    throw err;
  } finally {
    Deno.removeSignalListener("SIGINT", onSigint);
  }
}
