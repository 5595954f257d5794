/**
 * Executes a download plan (a `DownloadPlan`, or a {@link RunnablePlan} whose items are
 * generated as the run goes): writes its manifests, downloads its items through a bounded
 * pool, tells observers what happens ({@link RunEvent}) and folds the outcomes into
 * the run's accounting. Shared by `dash get` and `hls get` (and the live recorder); it knows
 * nothing of DASH or HLS. Every local name comes from the layout: final paths from the plan,
 * temporary ones from {@link partialPaths}.
 *
 * @module
 */
import type { Observer, RunTotals, TrackInfo } from "../events.ts";
import type { DownloadOutcome } from "../net/download.ts";
import type { HttpOptions } from "../net/http.ts";
import { runEach } from "../net/pool.ts";
import { type FetchContext, fetchItem, reportFile, StallWatch } from "./fetch_item.ts";
import { originalPath } from "./layout.ts";
import type { OutputDir } from "./output.ts";
import type { Failure, RunnableManifest, RunnablePlan } from "./plan.ts";

export type { Failure };

/** Options of {@link executePlan}. */
export interface RunOptions {
  /** The output directory. */
  out: OutputDir;
  /** Parallel downloads. */
  threads: number;
  /** Compare complete files with the server's sizes. */
  verify: boolean;
  /** How to make requests (its `signal` stops the run). */
  http: HttpOptions;
  /** A transfer silent for this long is reported as stalled. @default 5000 */
  stallMs?: number;
}

/** What a run did. */
export interface RunReport {
  /** The counts. */
  totals: RunTotals;
  /** Every failure, in plan order. */
  failures: Failure[];
  /** Manifests and playlists written, relative paths. */
  manifests: string[];
  /** Whether the run was interrupted (Ctrl-C). */
  interrupted: boolean;
}

/**
 * Writes the plan's manifests (and, when rewritten, the original beside each), each
 * atomically and never through a symlink; a text given as pieces is written piece by piece.
 */
export function writeManifests(out: OutputDir, manifests: readonly RunnableManifest[]): void {
  for (const m of manifests) {
    if (m.original !== undefined) out.writeText(originalPath(m.path), m.original);
    out.writeText(m.path, typeof m.text === "string" ? m.text : m.text());
  }
}

/**
 * The tracks of a plan with their file counts, for the `plan` event: the counts the planner
 * gave, or (when a track has none) counted in one pass over the items.
 */
function trackInfos(plan: RunnablePlan): TrackInfo[] {
  const known = plan.tracks ?? [];
  if (known.length > 0 && known.every((t) => t.files !== undefined)) {
    return known.map((t) => ({ ...t, files: t.files! }));
  }
  const files = new Map<string, number>();
  for (const item of plan.items) {
    if (item.track !== undefined) files.set(item.track, (files.get(item.track) ?? 0) + 1);
  }
  const ids = new Set(known.map((t) => t.id));
  const out: TrackInfo[] = known.map((t) => ({ ...t, files: files.get(t.id) ?? 0 }));
  for (const [id, n] of files) if (!ids.has(id)) out.push({ id, files: n });
  return out;
}

/**
 * Runs the plan: manifests first, then every item through a pool of `threads` workers. The
 * items may be a lazy source ({@link RunnablePlan}): they are taken one at a time as a worker
 * becomes free, and nothing is kept per item but the failures.
 * Failures are collected, not thrown; an abort of `http.signal` stops new downloads, keeps
 * partial files, and returns with `interrupted` set. Observers see `plan`, then per file
 * `start`, `bytes`, `retry`, `stall` and `file`, and `end` last.
 *
 * @example
 * ```ts
 * import { DEFAULT_HTTP } from "../net/http.ts";
 * import { prepareOutputDir } from "./output.ts";
 * const plan = { manifests: [], items: [], notes: [] };
 * const http = DEFAULT_HTTP;
 * const out = await prepareOutputDir("/tmp/out");
 * const report = await executePlan(plan, { out, threads: 4, verify: false, http }, (e) => {
 *   if (e.event === "file") console.log(e.path, e.status);
 * });
 * ```
 */
export async function executePlan(
  plan: RunnablePlan,
  options: RunOptions,
  observe: Observer = () => {},
): Promise<RunReport> {
  const { out, http } = options;
  const started = performance.now();
  writeManifests(out, plan.manifests);
  observe({
    event: "plan",
    tracks: trackInfos(plan),
    files: plan.items.length,
    manifests: plan.manifests.length,
  });
  for (const text of plan.notes) observe({ event: "note", text });
  const planned = plan.failures ?? [];
  const totals: RunTotals = {
    files: plan.items.length + planned.length,
    done: 0,
    present: 0,
    failed: planned.length,
    notStarted: 0,
    bytes: 0,
    retries: 0,
    seconds: 0,
  };
  for (const f of planned) {
    observe({
      event: "file",
      path: f.path,
      url: f.url,
      status: "failed",
      bytes: 0,
      message: f.reason,
    });
  }
  const failures: (Failure & { index: number })[] = [];
  const cx: FetchContext = {
    out,
    http,
    verify: options.verify,
    observe,
    totals,
    stalls: new StallWatch(options.stallMs ?? 5000, observe),
  };
  let finished = 0;
  try {
    await runEach(plan.items, options.threads, async (item, index) => {
      let outcome: DownloadOutcome;
      try {
        outcome = await fetchItem(cx, item);
      } catch (err) {
        if (http.signal?.aborted) return;
        throw err;
      }
      finished++;
      if (outcome.status === "failed") {
        failures.push({ url: item.url, path: item.path, reason: outcome.message ?? "", index });
      }
      reportFile(cx, item, outcome);
    }, http.signal);
  } finally {
    cx.stalls.stop();
  }
  const interrupted = http.signal?.aborted ?? false;
  totals.notStarted = plan.items.length - finished;
  totals.seconds = (performance.now() - started) / 1000;
  // Failures in plan order, whatever order the pool finished them in.
  failures.sort((a, b) => a.index - b.index);
  observe({ event: "end", totals, interrupted });
  return {
    totals,
    failures: [...planned, ...failures.map(({ url, path, reason }) => ({ url, path, reason }))],
    manifests: plan.manifests.map((m) => m.path),
    interrupted,
  };
}
