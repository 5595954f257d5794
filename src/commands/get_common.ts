/**
 * What `dash get` and `hls get` share: their options, and running a plan with progress, a
 * summary, Ctrl-C handling and exit codes. The two commands differ only in the planner they
 * pass to {@link runGet}.
 *
 * @module
 */
import { type Command, InvalidArgumentError, Option } from "@commander-js/extra-typings";
import { resolve } from "node:path";
import { ExitCode, UsageError } from "../errors.ts";
import { type OutputDir, prepareOutputDir } from "../mirror/output.ts";
import type { RunnablePlan } from "../mirror/plan.ts";
import { executePlan } from "../mirror/run.ts";
import { HeaderScope } from "../net/credentials.ts";
import { DEFAULT_HTTP, type HttpOptions } from "../net/http.ts";
import { VERSION } from "../version.ts";
import { jsonEvents } from "../ui/json_events.ts";
import { progressView } from "../ui/progress.ts";
import { displayMode, Terminal } from "../ui/terminal.ts";
import type { CommandContext } from "./context.ts";
import {
  count,
  MANIFEST_WORD,
  printPlan,
  type RunnableSelectedPlan,
  summaryJson,
  summaryText,
} from "./get_report.ts";

export { count, type RunnableSelectedPlan };
import type { LiveStart } from "../live/get_live.ts";
import { parseRecordDuration } from "../live/options.ts";
import { checkFormat, isRemote, type ManifestFormat, type ManifestSource } from "./source.ts";
import { readManifest } from "./source.ts";
import { parseSelector, SelectError, type Selector } from "../select/expression.ts";
import { parseRange, type TimeRange } from "../select/range.ts";
import {
  type Inventory,
  inventoryJson,
  inventoryTable,
  type TrackRequest,
} from "../select/report.ts";

/** Parallel downloads when `--threads` is not given. */
export const DEFAULT_THREADS = 4;

/** Parses a whole number within [min, max] for an option. */
export function intOption(name: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || n < min || n > max) {
      throw new InvalidArgumentError(`${name} must be a whole number from ${min} to ${max}`);
    }
    return n;
  };
}

/** Parses a positive number of seconds for an option. */
export function secondsOption(name: string) {
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

/** Collects repeated `--select` expressions, parsed (a bad one is a usage error, exit 2). */
function collectSelector(value: string, previous: Selector[] = []): Selector[] {
  try {
    return [...previous, parseSelector(value)];
  } catch (err) {
    // commander quotes the expression: "argument 'height<<5' is invalid. <problem>"
    if (err instanceof SelectError) throw new InvalidArgumentError(err.problem);
    throw err;
  }
}

/** Parses `--range START-END`. */
function rangeOption(value: string): TimeRange {
  const range = parseRange(value);
  if (typeof range === "string") throw new InvalidArgumentError(range);
  return range;
}

/** Collects a repeatable option's values. */
function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/** The ways `--progress` can show a run. */
export const PROGRESS_MODES = ["auto", "plain", "json"] as const;

/**
 * Adds the options every command that fetches takes (`get`, and later `check`).
 *
 * @example
 * ```ts
 * import { Command } from "@commander-js/extra-typings";
 * const cmd = withFetchOptions(new Command("check").argument("<url>"));
 * ```
 */
export function withFetchOptions<A extends unknown[]>(cmd: Command<A>) {
  return cmd
    .option(
      "-t, --threads <n>",
      `parallel downloads, default ${DEFAULT_THREADS} (alias: --max-threads)`,
      intOption("--threads", 1, 256),
    )
    .addOption(
      new Option("--max-threads <n>", "alias of --threads").hideHelp().argParser(
        intOption("--max-threads", 1, 256),
      ),
    )
    .option(
      "-H, --header <header>",
      'extra request header "Name: value" (repeatable); sent only to the origin of the URL ' +
        "you typed (and --header-host hosts)",
      collectHeader,
    )
    .option(
      "--header-host <host>",
      "also send the -H headers to HOST (any port) or HOST:PORT; '*' for every host " +
        "(repeatable)",
      collect,
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
    .addOption(
      new Option(
        "--progress <mode>",
        "auto: a live view on a terminal, plain lines otherwise; plain; json: one JSON " +
          "event per line on stderr",
      ).choices(PROGRESS_MODES).default("auto" as const),
    )
    .option("--json", "print a machine-readable summary (or plan) on stdout")
    .option("-q, --quiet", "no progress; only errors and the summary");
}

/**
 * Adds the options every `get` subcommand takes: those of {@link withFetchOptions}, and the
 * output directory, `--verify` and `--dry-run`.
 *
 * @example
 * ```ts
 * import { Command } from "@commander-js/extra-typings";
 * const cmd = withGetOptions(new Command("get").argument("<url>"));
 * ```
 */
export function withGetOptions<A extends unknown[]>(cmd: Command<A>) {
  return withFetchOptions(cmd)
    .option("-o, --output <dir>", "output directory", ".")
    .option("--verify", "check complete files against the server's sizes; refetch mismatches")
    .option("--dry-run", "print the plan (every URL, byte range and local path); write nothing")
    // Tracks and time (src/select/, docs/select.md).
    .option(
      "--list",
      'print the tracks (a table; {"tracks": [...]} with --json) and exit; fetches no media',
    )
    .option(
      "--select <expr>",
      "keep only the tracks of a kind that match (repeatable): kind=video,height<=720:best, " +
        "lang=fr, codecs~avc1, bandwidth<2M, id=…",
      collectSelector,
    )
    .option(
      "--range <START-END>",
      "keep the segments overlapping [START, END) (seconds or HH:MM:SS(.mmm); START- or -END)",
      rangeOption,
    )
    // Live streams (src/live/): where the recording begins, when it stops.
    .option(
      "--from-start",
      "live: begin at the oldest segment still available (default: the live edge)",
    )
    .option(
      "--duration <time>",
      "live: stop once the recording covers this long (seconds or HH:MM:SS)",
      (value: string) => {
        const seconds = parseRecordDuration(value);
        if (seconds === undefined) {
          throw new InvalidArgumentError("--duration must be seconds or HH:MM:SS, above 0");
        }
        return seconds;
      },
    );
}

/** The parsed options of a command that fetches. */
export interface FetchOptions {
  threads?: number;
  maxThreads?: number;
  header?: [string, string][];
  headerHost?: string[];
  retries: number;
  retryDelay: number;
  timeout: number;
  baseUrl?: string;
  progress: typeof PROGRESS_MODES[number];
  json?: boolean;
  quiet?: boolean;
}

/** The parsed options of a `get` subcommand. */
export interface GetOptions extends FetchOptions {
  output: string;
  verify?: boolean;
  dryRun?: boolean;
  /** Live: begin at the oldest segment still available. */
  fromStart?: boolean;
  /** Live: stop once the recording covers this many seconds. */
  duration?: number;
  /** `--list`: print the tracks and exit. */
  list?: boolean;
  /** `--select` expressions, parsed. */
  select?: Selector[];
  /** `--range`, parsed. */
  range?: TimeRange;
}

/** The thread count the options ask for. */
function threadsOf(opts: FetchOptions): number {
  if (
    opts.threads !== undefined && opts.maxThreads !== undefined && opts.threads !== opts.maxThreads
  ) {
    throw new UsageError("--threads and --max-threads disagree; give one");
  }
  return opts.threads ?? opts.maxThreads ?? DEFAULT_THREADS;
}

/**
 * Builds {@link HttpOptions} from parsed options: the user's headers go to the origin of the
 * URL typed (`arg`, or `--base-url` for a local manifest) and the `--header-host` hosts.
 */
function httpOptions(
  opts: FetchOptions,
  arg: string,
  signal: AbortSignal,
): HttpOptions {
  const typed = isRemote(arg) ? arg : opts.baseUrl;
  let scope: HeaderScope;
  try {
    scope = new HeaderScope(typed, opts.headerHost ?? []);
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
  return {
    headers: opts.header ?? [],
    scope,
    userAgent: `streamkit/${VERSION}`,
    timeoutMs: opts.timeout * 1000,
    retries: opts.retries,
    retryDelayMs: opts.retryDelay * 1000,
    signal,
  };
}

/** What a command that fetches sets up from its options: threads, the terminal, HTTP. */
export interface FetchSetup {
  /** Parallel downloads. */
  threads: number;
  /** The one writer to stderr, in the display mode the options ask for. */
  term: Terminal;
  /** How to make requests (the user's headers scoped, Ctrl-C as the signal). */
  http: HttpOptions;
}

/**
 * Sets up a fetching command (`get`, `check`): the thread count, the terminal in the mode
 * `--progress`/`-q` ask for (quiet under `--progress json`, whose events go to stderr), and
 * the HTTP options; warns once when `--header-host '*'` sends the headers everywhere.
 */
export function fetchSetup(ctx: CommandContext, opts: FetchOptions, arg: string): FetchSetup {
  const { io } = ctx;
  const threads = threadsOf(opts);
  const quiet = (opts.quiet ?? false) || opts.progress === "json";
  const mode = opts.progress === "plain" && !quiet ? "plain" : displayMode(io, quiet);
  const term = new Terminal(io, mode);
  const http = httpOptions(opts, arg, io.interrupt);
  if (http.scope?.everywhere && http.headers.length > 0) {
    term.line(
      "warning: --header-host '*' sends the -H headers to every host the manifest names",
      true,
    );
  }
  return { threads, term, http };
}

/**
 * Plans a run from its manifest (may fetch more, e.g. HLS media playlists) and the tracks
 * asked for (`--select`, `--range`); for a live stream, returns a {@link LiveStart} and the
 * live recorder takes over; for `--list`, returns the {@link Inventory}.
 */
export type Planner = (
  source: ManifestSource,
  http: HttpOptions,
  term: Terminal,
  request: TrackRequest,
) => Promise<RunnableSelectedPlan | LiveStart | Inventory>;

/**
 * Re-reads a finished mirror from disk with the format's own parser and resolves every
 * reference its saved manifests hold, offline; returns one message per reference that does
 * not land on a saved file (empty when the saved copy is whole).
 */
export type SelfCheck = (out: OutputDir, plan: RunnablePlan) => Promise<string[]>;

/**
 * Runs a `get` subcommand: read the manifest, plan, then (unless `--dry-run`) download,
 * and print the summary. Returns the exit code.
 *
 * @param ctx the process's edges
 * @param command the subcommand's name, for messages (`dash get`)
 * @param format the manifest format the command reads
 * @param arg the manifest URL or path given by the user
 * @param opts the parsed options
 * @param plan turns the manifest into a plan
 */
export async function runGet(
  ctx: CommandContext,
  command: string,
  format: ManifestFormat,
  arg: string,
  opts: GetOptions,
  plan: Planner,
  selfCheck?: SelfCheck,
): Promise<number> {
  const { io } = ctx;
  const { threads, term, http } = fetchSetup(ctx, opts, arg);
  try {
    const source = await readManifest(arg, http, {
      baseUrl: opts.baseUrl,
      cwd: io.cwd,
      onRetry: (m) => term.line(m),
    });
    checkFormat(source, format);
    const request: TrackRequest = {
      list: opts.list ?? false,
      selectors: opts.select ?? [],
      range: opts.range,
    };
    const p = await plan(source, http, term, request);
    if ("inventory" in p) {
      if (opts.range) term.line("note: --range plays no part in --list (it lists whole tracks)");
      for (const n of p.notes) term.line(`note: ${n}`);
      io.stdout.write(opts.json ? inventoryJson(p.inventory) : inventoryTable(p.inventory));
      return ExitCode.Ok;
    }
    if ("live" in p) {
      if (opts.range) {
        throw new UsageError(
          "--range applies to VOD streams; a live stream is recorded from the live edge " +
            "(or --from-start) for --duration",
        );
      }
      // A live stream: recorded, not mirrored (src/live/get_live.ts).
      const { recordLive } = await import("../live/get_live.ts");
      return await recordLive({
        io,
        command,
        start: p,
        http,
        term,
        threads,
        output: opts.output,
        verify: opts.verify ?? false,
        json: opts.json ?? false,
        jsonEvents: opts.progress === "json",
        dryRun: opts.dryRun ?? false,
        live: { fromStart: opts.fromStart ?? false, durationSeconds: opts.duration },
        select: request.selectors,
      });
    }
    if (opts.fromStart || opts.duration !== undefined) {
      term.line("note: --from-start and --duration apply to live streams; this one is VOD");
    }
    if (opts.dryRun) {
      printPlan(ctx, p, http, opts.json ?? false);
      const note = `# ${count(p.items.length, "file")} and ` +
        `${count(p.manifests.length, MANIFEST_WORD[format])} planned; nothing written`;
      if (!opts.json) io.stdout.write(`${note}\n`);
      return ExitCode.Ok;
    }
    const outDir = resolve(io.cwd, opts.output);
    const out = await prepareOutputDir(outDir);
    const json = opts.progress === "json" ? jsonEvents(io.stderr) : undefined;
    const view = json ? undefined : progressView(term);
    const report = await executePlan(
      p,
      { out, threads, verify: opts.verify ?? false, http },
      json?.observe ?? view!.observe,
    );
    view?.stop();
    out.tidy();
    // The saved copy must resolve to the saved files, offline: checked on every whole run.
    const downloadsFailed = report.totals.failed - (p.failures?.length ?? 0);
    const unresolved = selfCheck && downloadsFailed === 0 && !report.interrupted
      ? await selfCheck(out, p)
      : [];
    for (const u of unresolved) term.line(`streamkit: saved copy: ${u}`, true);
    const summary = {
      ...summaryJson(command, source, outDir, report, p.notes, p.selection),
      unresolved,
    };
    json?.end(summary);
    if (opts.json) io.stdout.write(JSON.stringify(summary, null, 2) + "\n");
    else io.stdout.write(summaryText(command, format, outDir, report, p.selection));
    if (report.interrupted) return ExitCode.Interrupted;
    return report.totals.failed > 0 || unresolved.length > 0 ? ExitCode.Failed : ExitCode.Ok;
  } catch (err) {
    if (io.interrupt.aborted) {
      term.line("interrupted", true);
      return ExitCode.Interrupted;
    }
    throw err;
  }
}
