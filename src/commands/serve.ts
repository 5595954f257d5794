/**
 * `streamkit serve <dir>`: any folder holding a manifest — a mirror made by `dash get` or
 * `hls get` — becomes an origin on 127.0.0.1: static, played out as a live stream
 * (`--live`), a recorded live session replayed (`--replay`), with faults on demand. It
 * serves until Ctrl-C, then exits 0. `demo-server` is the same over the built-in sample
 * ({@link withServeOptions}, {@link runServer}).
 *
 * @module
 */
import { Command, InvalidArgumentError } from "@commander-js/extra-typings";
import { resolve } from "node:path";
import { errorMessage, UsageError } from "../errors.ts";
import type { ServeOptions, Server } from "../serve/server.ts";
import { type CommandContext, ExitCode, recordExit } from "./context.ts";

/** The port `serve` and `demo-server` listen on when not told. */
export const DEFAULT_PORT = 8000;

/** Manifest URLs listed at start at most (the rest are counted). */
const MAX_LISTED = 20;

/** Parses `--port`: a whole number from 0 (any free port) to 65535. */
function portOption(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n > 65535) {
    throw new InvalidArgumentError("--port must be a whole number from 0 to 65535");
  }
  return n;
}

/** Parses a number of seconds (`allowNegative` for a clock offset). */
function secondsOption(name: string, allowNegative = false) {
  return (value: string): number => {
    const n = Number(value);
    if (value.trim() === "" || !Number.isFinite(n) || (!allowNegative && n <= 0)) {
      throw new InvalidArgumentError(
        `${name} must be a ${allowNegative ? "" : "positive "}number of seconds`,
      );
    }
    return n;
  };
}

/** Collects a repeatable option's values. */
function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/**
 * Adds the options `serve` and `demo-server` share: where to listen, the request log, the
 * live and replay modes, and the faults.
 *
 * @example
 * ```ts
 * import { Command } from "@commander-js/extra-typings";
 * const cmd = withServeOptions(new Command("serve").argument("<dir>"));
 * ```
 */
export function withServeOptions<A extends unknown[]>(cmd: Command<A>) {
  return cmd
    .option("-p, --port <n>", `port to listen on (0: any free port)`, portOption, DEFAULT_PORT)
    .option("--host <addr>", "address to listen on", "127.0.0.1")
    .option(
      "--log [file]",
      "log every request: one JSON line each to FILE ('-': stderr), or a short line on stderr",
    )
    .option("--live", "play the VOD manifests out as live streams, from the start of serving")
    .option(
      "--window <seconds>",
      "--live: the time-shift window (default 30)",
      secondsOption("--window"),
    )
    .option("--loop", "--live: start the content again when it ends, without an end")
    .option(
      "--end-after <seconds>",
      "--live: end the event this long after the start",
      secondsOption("--end-after"),
    )
    .option(
      "--clock-offset <seconds>",
      "run the server's clock this far ahead of this machine's (negative: behind)",
      secondsOption("--clock-offset", true),
    )
    .option("--replay", "replay a recorded live session (its .streamkit/live/ revisions)")
    .option("--latency <ms>", "wait this long before every answer")
    .option(
      "--fail-every <n[:status]>",
      "every Nth request fails with STATUS (503), Retry-After: 1",
    )
    .option("--reset-every <n>", "every Nth GET sends half its body, then resets the connection")
    .option("--throttle <kbps>", "send every body at most this many kilobits per second")
    .option(
      "--stall <glob:seconds>",
      "matching GETs: headers, then nothing for SECONDS (repeatable)",
      collect,
    )
    .option("--drop <glob>", "matching paths answer 404 (repeatable)", collect);
}

/** The parsed options of {@link withServeOptions}. */
export interface ServeCliOptions {
  port: number;
  host: string;
  log?: string | true;
  live?: true;
  window?: number;
  loop?: true;
  endAfter?: number;
  clockOffset?: number;
  replay?: true;
  latency?: string;
  failEvery?: string;
  resetEvery?: string;
  throttle?: string;
  stall?: string[];
  drop?: string[];
}

/** What to serve and how to introduce it. */
export interface ServeTarget {
  /** A folder, or files in memory (`files`). */
  root?: string;
  /** Files in memory. */
  files?: ReadonlyMap<string, Uint8Array>;
  /** What the files are. */
  label?: string;
  /** The first lines printed once serving (the URL, the manifests). */
  heading(server: Server): string;
  /** Answer `/` with the list of files. */
  index?: boolean;
}

/** A request path as a URL under the server's base. */
export function urlOf(server: Server, path: string): string {
  return new URL(path.slice(1).split("/").map(encodeURIComponent).join("/"), server.url).href;
}

/**
 * Starts the server for `target` with the command line's options, prints what it serves,
 * and serves until Ctrl-C (or SIGTERM); returns exit code 0 then. A port in use, a bad
 * fault spec or option mix is a {@link UsageError} (exit 2).
 */
export async function runServer(
  ctx: CommandContext,
  target: ServeTarget,
  opts: ServeCliOptions,
): Promise<number> {
  const { faultPlan } = await import("../serve/fault_spec.ts");
  const { serve } = await import("../serve/server.ts");
  const { logLine } = await import("../serve/request_log.ts");
  if (opts.live && opts.replay) throw new UsageError("--live and --replay cannot be combined");
  for (
    const [given, name] of [[opts.window, "--window"], [opts.loop, "--loop"], [
      opts.endAfter,
      "--end-after",
    ]] as const
  ) {
    if (given !== undefined && !opts.live) throw new UsageError(`${name} needs --live`);
  }
  const faults = faultPlan(opts);
  const io = ctx.io;

  let logFile: Deno.FsFile | undefined;
  let logPath: string | undefined;
  if (typeof opts.log === "string" && opts.log !== "-") {
    logPath = resolve(io.cwd, opts.log);
    try {
      logFile = Deno.openSync(logPath, { create: true, append: true });
    } catch (err) {
      throw new UsageError(`--log ${opts.log}: cannot open it: ${errorMessage(err)}`);
    }
  }
  const encoder = new TextEncoder();
  let requests = 0;
  const options: ServeOptions = {
    root: target.root,
    files: target.files,
    label: target.label,
    port: opts.port,
    hostname: opts.host,
    latencyMs: faults.latencyMs,
    faults: faults.rules,
    record: false,
    index: target.index,
    live: opts.live
      ? { windowSeconds: opts.window, loop: opts.loop ?? false, endAfterSeconds: opts.endAfter }
      : undefined,
    replay: opts.replay ?? false,
    clockOffsetMs: (opts.clockOffset ?? 0) * 1000,
    onRequest: (r) => {
      requests++;
      if (opts.log === true) {
        io.stderr.write(`${r.status} ${r.method} ${r.path} ${r.range ?? ""}`.trimEnd() + "\n");
      }
    },
    onComplete: (r) => {
      if (logFile !== undefined) logFile.writeSync(encoder.encode(logLine(r)));
      else if (opts.log === "-") io.stderr.write(logLine(r));
    },
    onError: (err) => io.stderr.write(`streamkit serve: ${errorMessage(err)}\n`),
  };
  let server: Server;
  try {
    server = serve(options);
  } catch (err) {
    logFile?.close();
    if (err instanceof Deno.errors.AddrInUse) {
      throw new UsageError(`port ${opts.port} on ${opts.host} is in use; pick another with --port`);
    }
    if (
      err instanceof Deno.errors.PermissionDenied || err instanceof Deno.errors.AddrNotAvailable
    ) {
      throw new UsageError(`cannot listen on ${opts.host} port ${opts.port}: ${err.message}`);
    }
    throw err;
  }

  let text = target.heading(server);
  if (opts.live || opts.replay) {
    text += `${opts.live ? "live" : "replay"} from ${new Date(server.startMs).toISOString()}` +
      ` (server clock${opts.clockOffset ? `, ${opts.clockOffset} s off this machine's` : ""}):\n`;
    text += server.live.notes.map((n) => `  ${n}\n`).join("");
  }
  if (faults.summary.length > 0) {
    text += `faults:\n${faults.summary.map((s) => `  ${s}\n`).join("")}`;
  }
  if (logPath !== undefined) text += `log: ${logPath} (one JSON line per request)\n`;
  io.stdout.write(text);

  const stopped = Promise.withResolvers<void>();
  const stop = () => stopped.resolve();
  const onTerm = Deno.build.os === "windows" ? undefined : stop;
  if (onTerm) Deno.addSignalListener("SIGTERM", onTerm);
  if (io.interrupt.aborted) stop();
  io.interrupt.addEventListener("abort", stop, { once: true });
  try {
    await stopped.promise;
  } finally {
    if (onTerm) Deno.removeSignalListener("SIGTERM", onTerm);
    io.interrupt.removeEventListener("abort", stop);
    await server.close();
    logFile?.close();
  }
  io.stderr.write(`stopped after ${requests} requests\n`);
  return ExitCode.Ok;
}

/**
 * Builds the `serve` subcommand.
 *
 * @example
 * ```ts
 * import { Command } from "@commander-js/extra-typings";
 * import { memoryIo } from "../ui/io.ts";
 * const ctx = { io: memoryIo(), result: { exitCode: 0 }, run: () => Promise.resolve(0) };
 * new Command("streamkit").addCommand(serveCommand(ctx));
 * ```
 */
export function serveCommand(ctx: CommandContext) {
  return withServeOptions(
    new Command("serve")
      .description(
        "serve a folder holding a manifest (a mirror made by dash get or hls get) on " +
          "127.0.0.1: static, as a live stream, or replaying a recording; faults on demand",
      )
      .argument("<dir>", "the folder to serve"),
  ).action(recordExit(ctx, async (dir: string, opts: ServeCliOptions) => {
    const root = resolve(ctx.io.cwd, dir);
    let info: Deno.FileInfo;
    try {
      info = await Deno.stat(root);
    } catch {
      throw new UsageError(`${root}: no such folder`);
    }
    if (!info.isDirectory) throw new UsageError(`${root} is not a folder`);
    const { findManifests } = await import("../serve/manifests.ts");
    const { directorySource } = await import("../serve/source.ts");
    const found = findManifests(directorySource(root));
    if (!opts.replay && found.dash.length + found.hls.length === 0) {
      throw new UsageError(`${root} holds no manifest (.mpd or .m3u8): nothing to serve`);
    }
    return await runServer(ctx, {
      root,
      index: true,
      heading(server) {
        const lines = [
          ...found.dash.map((p) => `  DASH  ${urlOf(server, p)}\n`),
          ...found.hls.map((p) => `  HLS   ${urlOf(server, p)}\n`),
        ];
        if (opts.replay) {
          lines.splice(
            0,
            lines.length,
            ...server.live.paths.map((p) =>
              `  ${p.endsWith(".mpd") ? "DASH" : "HLS "}  ${urlOf(server, p)}\n`
            ),
          );
        }
        const more = lines.length > MAX_LISTED ? `  … and ${lines.length - MAX_LISTED} more\n` : "";
        return `serving ${root} at ${server.url} (Ctrl-C to stop)\n` +
          lines.slice(0, MAX_LISTED).join("") + more;
      },
    }, opts);
  }));
}
