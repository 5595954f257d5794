/**
 * `dash get` and `hls get` on a live stream: the recorder takes over from the planner. This
 * runs a recording from the command's options — the output directory, the display, the
 * recorder of the format — then writes the saved copy (a VOD of what was recorded), checks
 * it offline as every `get` does, and prints the summary: how long, how many segments,
 * gaps and manifest revisions, and why the recording ended. Returns the exit code: 0 when
 * the event ended or `--duration` was reached without a gap, 1 with a gap or a failure,
 * 130 after Ctrl-C (the saved copy is written first).
 *
 * @module
 */
import { resolve } from "node:path";
import { checkSavedDash } from "../dash/copy_check.ts";
import { ExitCode, InputError } from "../errors.ts";
import type { RunTotals } from "../events.ts";
import type { HlsPlan } from "../hls/plan.ts";
import { checkHlsMirror } from "../hls/selfcheck.ts";
import { prepareOutputDir } from "../mirror/output.ts";
import { writeManifests } from "../mirror/run.ts";
import type { HttpOptions } from "../net/http.ts";
import { formatBytes, formatSeconds } from "../ui/format.ts";
import type { Io } from "../ui/io.ts";
import { jsonEvents } from "../ui/json_events.ts";
import type { Terminal } from "../ui/terminal.ts";
import { type Clock, systemClock } from "./clock.ts";
import { checkLiveMpd, DashRecorder } from "./dash_recorder.ts";
import { writeDashVod } from "./dash_vod.ts";
import { HlsRecorder } from "./hls_recorder.ts";
import { writeHlsVod } from "./hls_vod.ts";
import { liveView } from "../ui/live_view.ts";
import type { LiveOptions } from "./options.ts";
import { type EndReason, LiveSession } from "./session.ts";
import type { Selector } from "../select/expression.ts";
import { liveKeep } from "../select/plan_dash.ts";

/** A live stream found while planning, handed from the planner to the recorder. */
export interface LiveStart {
  /** Discriminant: this is not a download plan. */
  live: true;
  /** The manifest as the command read it. */
  source: { text: string; url: string; local: boolean; date?: string };
  /** HLS: the playlists as first fetched, planned (the layout, the master). */
  hls?: HlsPlan;
}

/**
 * Whether what a planner returned is a live stream for the recorder.
 *
 * @example
 * ```ts
 * const source = { text: "#EXTM3U\n", url: "https://cdn.example/live.m3u8", local: false };
 * isLiveStart({ live: true, source }); // true
 * isLiveStart({ manifests: [], items: [], notes: [] }); // false
 * ```
 */
export function isLiveStart(value: unknown): value is LiveStart {
  return typeof value === "object" && value !== null && (value as LiveStart).live === true;
}

/** What {@link recordLive} needs of the command. */
export interface LiveGet {
  /** The process's streams and interrupt. */
  io: Io;
  /** `dash get` or `hls get`, for messages. */
  command: string;
  /** What the planner found. */
  start: LiveStart;
  /** How requests are made (its signal is Ctrl-C). */
  http: HttpOptions;
  /** Messages and the live area. */
  term: Terminal;
  /** Parallel downloads. */
  threads: number;
  /** The output directory, as given. */
  output: string;
  /** Compare files already there with the server's sizes. */
  verify: boolean;
  /** `--json`: the summary as JSON on stdout. */
  json: boolean;
  /** `--progress json`: events as JSON lines on stderr. */
  jsonEvents: boolean;
  /** `--dry-run`: say what would be recorded, record nothing. */
  dryRun: boolean;
  /** Where to begin, when to stop. */
  live: LiveOptions;
  /** The clock (tests may drive their own). @default systemClock */
  clock?: Clock;
  /**
   * `--select`: DASH records only the Representations it keeps, in every revision (for HLS,
   * the planner has already left the other playlists out of `start.hls`).
   */
  select?: Selector[];
}

/** Why the recording ended, for people. */
const ENDED: Record<EndReason, string> = {
  ended: "the event ended",
  duration: "--duration reached",
  interrupted: "interrupted; the saved copy holds what was recorded",
  failed: "the origin stopped (see failed)",
};

/** `N thing` / `N things`. */
function count(n: number, thing: string, things = `${thing}s`): string {
  return `${n} ${n === 1 ? thing : things}`;
}

/**
 * Records a live stream; see the module documentation.
 *
 * @throws {InputError} for a live manifest read from a file (it must be fetched again and
 *   again) or one that cannot be recorded
 */
export async function recordLive(g: LiveGet): Promise<number> {
  const { io, start, term } = g;
  const format = start.hls ? "hls" : "dash";
  if (start.source.local) {
    throw new InputError(
      "is a live stream; give its URL, so that it can be fetched again as it changes",
      start.source.url,
    );
  }
  // Nothing is written for a live MPD that cannot be recorded.
  if (!start.hls) checkLiveMpd(start.source.text, start.source.url);
  if (g.dryRun) {
    const what = format === "hls"
      ? `${count(start.hls!.plan.tracks?.length ?? 0, "media playlist")}`
      : "a dynamic MPD";
    const text = `# ${start.source.url} is a live stream (${what}); --dry-run records nothing`;
    io.stdout.write(
      g.json
        ? JSON.stringify({ live: true, manifest: start.source.url }, null, 2) + "\n"
        : `${text}\n`,
    );
    return ExitCode.Ok;
  }
  const outDir = resolve(io.cwd, g.output);
  const out = await prepareOutputDir(outDir);
  const json = g.jsonEvents ? jsonEvents(io.stderr) : undefined;
  let session: LiveSession | undefined;
  const view = json ? undefined : liveView(term, () => ({
    revisions: session?.revisions.count ?? 0,
    gaps: session?.gaps.length ?? 0,
  }));
  const observe = json?.observe ?? view!.observe;
  const s = session = new LiveSession({
    out,
    threads: g.threads,
    verify: g.verify,
    http: g.http,
    clock: g.clock ?? systemClock,
    observe,
    term,
    live: g.live,
  });
  const started = performance.now();
  let failure: { err: unknown } | undefined;
  const hls = start.hls ? new HlsRecorder(s, start.hls) : undefined;
  const keep = g.select && g.select.length > 0 ? liveKeep(g.select) : undefined;
  const dash = start.hls ? undefined : new DashRecorder(s, start.source.url, keep);
  const hlsInfo = hls?.run();
  const dashInfo = dash?.run(start.source);
  try {
    await (hlsInfo ?? dashInfo);
  } catch (err) {
    failure = { err };
  }
  // Whatever happened, the saved copy is made of what was saved.
  await s.finish();
  try {
    s.check();
  } catch (err) {
    failure ??= { err };
  }
  let unresolved: string[] = [];
  if (hlsInfo) {
    const info = await hlsInfo.catch(() => undefined);
    if (info) {
      if (info.master) writeManifests(out, [info.master]);
      const written = await writeHlsVod(out, info.headers);
      if (info.master) s.manifests.push(info.master.path);
      s.manifests.push(...written.paths);
      s.recordedSeconds = written.seconds;
      unresolved = checkHlsMirror(out, {
        manifests: s.manifests.map((path) => ({ url: "", path, text: "" })),
        items: [],
        notes: [],
      });
    }
  } else {
    const info = await dashInfo!.catch(() => undefined);
    if (info) {
      const written = await writeDashVod(out, info);
      for (const n of written.notes) s.note(n);
      if (written.path) s.manifests.push(written.path);
      else s.note("nothing was recorded: no manifest written");
      s.recordedSeconds = written.seconds;
      if (written.saved) unresolved = await checkSavedDash(out.root, written.saved);
    }
  }
  out.tidy();
  if (failure) throw failure.err;
  for (const u of unresolved) term.line(`streamkit: saved copy: ${u}`, true);
  const totals: RunTotals = { ...s.feed.totals, seconds: (performance.now() - started) / 1000 };
  const interrupted = s.endReason === "interrupted";
  observe({ event: "end", totals, interrupted });
  view?.stop();
  const summary = {
    command: g.command,
    manifest: start.source.url,
    output: outDir,
    ...totals,
    live: {
      ended: s.endReason,
      seconds: s.recordedSeconds,
      segments: s.segments,
      revisions: s.revisions.count,
      gaps: s.gaps,
    },
    failures: s.failures,
    manifests: s.manifests,
    interrupted,
    notes: s.notes,
    unresolved,
  };
  json?.end(summary);
  if (g.json) io.stdout.write(JSON.stringify(summary, null, 2) + "\n");
  else io.stdout.write(summaryText(g.command, outDir, s, totals));
  if (interrupted) return ExitCode.Interrupted;
  const bad = s.gaps.length + s.failures.length + unresolved.length + totals.failed;
  return bad > 0 ? ExitCode.Failed : ExitCode.Ok;
}

/** The summary for people. */
function summaryText(command: string, outDir: string, s: LiveSession, t: RunTotals): string {
  const rate = t.seconds > 0 ? t.bytes / t.seconds : 0;
  const lines = [
    `${command}: recorded ${formatSeconds(s.recordedSeconds)} of live media in ${outDir}: ` +
    `${count(s.segments, "segment")} saved${t.present ? ` (${t.present} already there)` : ""}, ` +
    `${count(s.gaps.length, "gap")}, ${count(s.revisions.count, "manifest revision")} kept; ` +
    `${formatBytes(t.bytes)} in ${formatSeconds(t.seconds)} (${formatBytes(Math.round(rate))}/s)` +
    `${t.retries ? `, ${count(t.retries, "retry", "retries")}` : ""}; ${ENDED[s.endReason]}`,
  ];
  if (s.gaps.length) {
    lines.push(`gaps (${s.gaps.length}):`);
    for (const g of s.gaps) lines.push(`  ${g.path}  ${g.url}  ${g.reason}`);
  }
  if (s.failures.length) {
    lines.push(`failed (${s.failures.length}):`);
    for (const f of s.failures) lines.push(`  ${f.url}  ${f.reason}`);
  }
  if (s.manifests.length) lines.push(`saved in ${outDir}: ${s.manifests.join(", ")}`);
  return lines.join("\n") + "\n";
}
