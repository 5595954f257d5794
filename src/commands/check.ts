/**
 * `streamkit dash check <mpd>` and `streamkit hls check <m3u8>`: read every segment the
 * manifest lists and say where the media disagree with it. One line per problem on stderr (a
 * table on a terminal), a summary on stdout (or `--json`), `--html FILE` for a page with a
 * timeline per track. Exit 0 without errors (warnings allowed), 1 with errors, 2 when the
 * manifest cannot be checked at all.
 *
 * @module
 */
import { Command } from "@commander-js/extra-typings";
import { resolve } from "node:path";
import { ExitCode } from "../errors.ts";
import type { CheckReport } from "../check/problems.ts";
import { countBySeverity, reportJson } from "../check/problems.ts";
import { problemLines, problemTable, summaryLine } from "../check/text.ts";
import { formatBytes } from "../ui/format.ts";
import { type CommandContext, recordExit } from "./context.ts";
import { type FetchOptions, fetchSetup, withFetchOptions } from "./get_common.ts";
import { checkFormat, type ManifestFormat, readManifest } from "./source.ts";

/** The parsed options of a `check` subcommand. */
interface CheckCommandOptions extends FetchOptions {
  html?: string;
}

/** Adds the options of a `check` subcommand: those of every command that fetches, and `--html`. */
function withCheckOptions<A extends unknown[]>(cmd: Command<A>) {
  return withFetchOptions(cmd).option(
    "--html <file>",
    "also write a self-contained HTML report (problems and a timeline per track) to FILE",
  );
}

/** How often the JSON `progress` event is written at most. */
const PROGRESS_MS = 1000;
/** How often the live line on a terminal is redrawn at most. */
const DRAW_MS = 100;

/** Runs a check and prints it; returns the exit code. */
async function runCheck(
  ctx: CommandContext,
  format: ManifestFormat,
  arg: string,
  opts: CheckCommandOptions,
): Promise<number> {
  const { io } = ctx;
  const command = `${format} check`;
  const jsonProgress = opts.progress === "json";
  const { threads, term, http } = fetchSetup(ctx, opts, arg);
  const event = (value: Record<string, unknown>) => io.stderr.write(JSON.stringify(value) + "\n");
  let bytes = 0;
  let lastProgress = 0;
  let lastDraw = -Infinity;
  try {
    const source = await readManifest(arg, http, {
      baseUrl: opts.baseUrl,
      cwd: io.cwd,
      onRetry: (m) => term.line(m),
    });
    checkFormat(source, format);
    const readCtx = {
      http,
      allowFiles: source.local,
      onRetry: (m: string) => term.line(m),
      onBytes: (n: number) => bytes += n,
    };
    const { checkDash, checkHls } = await import("../check/run.ts");
    const check = format === "dash" ? checkDash : checkHls;
    const report: CheckReport = await check(source, readCtx, {
      threads,
      onPlan(tracks, items) {
        if (jsonProgress) event({ event: "plan", tracks, resources: items });
      },
      onItem(done, total) {
        const now = performance.now();
        if (jsonProgress && (now - lastProgress >= PROGRESS_MS || done === total)) {
          lastProgress = now;
          event({ event: "progress", done, total, bytes });
        }
        if (now - lastDraw >= DRAW_MS || done === total) {
          lastDraw = now;
          term.live([`${command}: ${done}/${total} resources read, ${formatBytes(bytes)}`]);
        }
      },
    });
    term.clear();
    report.bytes = bytes;
    for (const note of report.notes) term.line(`note: ${note}`);
    if (!jsonProgress) {
      const lines = term.mode === "tty"
        ? problemTable(report.problems)
        : problemLines(report.problems);
      for (const l of lines) term.line(l, true);
    }
    if (opts.html !== undefined) {
      const { reportHtml } = await import("../check/html.ts");
      const path = resolve(io.cwd, opts.html);
      await Deno.writeTextFile(path, reportHtml(command, report));
      term.line(`report written to ${path}`);
    }
    if (jsonProgress) event({ event: "end", ...reportJson(report) });
    if (opts.json) io.stdout.write(JSON.stringify(reportJson(report), null, 2) + "\n");
    else io.stdout.write(summaryLine(command, report) + "\n");
    return countBySeverity(report.problems).errors > 0 ? ExitCode.Failed : ExitCode.Ok;
  } catch (err) {
    term.clear();
    if (io.interrupt.aborted) {
      term.line("interrupted", true);
      return ExitCode.Interrupted;
    }
    throw err;
  }
}

/** Builds the `dash check` subcommand. */
export function dashCheckCommand(ctx: CommandContext) {
  return withCheckOptions(
    new Command("check")
      .description(
        "read every segment of every Representation and report where the media disagree " +
          "with the MPD (presence, integrity, timing, codecs, random access, track ids)",
      )
      .argument("<mpd>", "MPD URL (http/https), local file, or the MPD of a mirror made by `get`"),
  ).action(recordExit(ctx, (mpd: string, opts) => runCheck(ctx, "dash", mpd, opts)));
}

/** Builds the `hls check` subcommand. */
export function hlsCheckCommand(ctx: CommandContext) {
  return withCheckOptions(
    new Command("check")
      .description(
        "read every segment of every media playlist and report where the media disagree " +
          "with the playlists (presence, integrity, EXTINF and target duration, codecs, " +
          "random access, track ids)",
      )
      .argument(
        "<m3u8>",
        "master or media playlist URL (http/https), local file, or a mirror made by `get`",
      ),
  ).action(recordExit(ctx, (m3u8: string, opts) => runCheck(ctx, "hls", m3u8, opts)));
}
