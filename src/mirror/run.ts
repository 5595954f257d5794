/**
 * Executes a {@link DownloadPlan}: writes its manifests, downloads its items through a
 * bounded pool, and returns what happened. Shared by `dash get` and `hls get`; it knows
 * nothing of DASH or HLS.
 *
 * @module
 */
import { dirname } from "node:path";
import { InputError } from "../errors.ts";
import { downloadItem, type DownloadOutcome } from "../net/download.ts";
import type { HttpOptions } from "../net/http.ts";
import { OutputSnapshot } from "../net/output_snapshot.ts";
import { runPool } from "../net/pool.ts";
import type { Progress } from "../ui/progress.ts";
import { resolveInside } from "./layout.ts";
import type { DownloadPlan, SavedManifest } from "./plan.ts";

/** Options of {@link executePlan}. */
export interface RunOptions {
  /** The output directory. */
  outDir: string;
  /** Parallel downloads. */
  threads: number;
  /** Compare complete files with the server's sizes. */
  verify: boolean;
  /** How to make requests (its `signal` stops the run). */
  http: HttpOptions;
}

/** One failed resource. */
export interface Failure {
  /** The URL that failed. */
  url: string;
  /** Where it would have been saved. */
  path: string;
  /** Why. */
  reason: string;
}

/** What a run did. */
export interface RunSummary {
  /** Resources in the plan. */
  planned: number;
  /** Fetched in this run. */
  downloaded: number;
  /** Already complete on disk. */
  skipped: number;
  /** Failed. */
  failed: number;
  /** Not attempted (the run was interrupted). */
  notStarted: number;
  /** Bytes received. */
  bytes: number;
  /** Retries made. */
  retries: number;
  /** Wall-clock seconds. */
  seconds: number;
  /** Every failure, in plan order. */
  failures: Failure[];
  /** Manifests/playlists written, relative paths. */
  manifests: string[];
  /** Whether SIGINT stopped the run. */
  interrupted: boolean;
}

/**
 * Makes sure the output directory exists and is writable, before any download starts, so
 * an unwritable target is one clear error and not one per file.
 */
export async function prepareOutputDir(outDir: string): Promise<void> {
  const probe = `${outDir}/.streamkit-write-test-${Deno.pid}`;
  try {
    await Deno.mkdir(outDir, { recursive: true });
    await Deno.writeFile(probe, new Uint8Array());
    await Deno.remove(probe);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new InputError(`cannot write to the output directory (${why})`, outDir);
  }
}

/** Writes a text file atomically (via `<path>.part` and a rename). */
export async function writeTextAtomic(path: string, text: string): Promise<void> {
  await Deno.mkdir(dirname(path), { recursive: true });
  await Deno.writeTextFile(`${path}.part`, text);
  await Deno.rename(`${path}.part`, path);
}

/** Writes the plan's manifests (and, when rewritten, the original beside each as `.orig`). */
export async function writeManifests(outDir: string, manifests: SavedManifest[]): Promise<void> {
  for (const m of manifests) {
    const path = resolveInside(outDir, m.path);
    if (m.original !== undefined) await writeTextAtomic(`${path}.orig`, m.original);
    await writeTextAtomic(path, m.text);
  }
}

/**
 * Runs the plan: manifests first, then every item through a pool of `threads` workers.
 * Failures are collected, not thrown; an abort of `http.signal` stops new downloads,
 * keeps `.part` files, and returns with `interrupted` set.
 */
export async function executePlan(
  plan: DownloadPlan,
  options: RunOptions,
  progress: Progress,
): Promise<RunSummary> {
  await writeManifests(options.outDir, plan.manifests);
  progress.start(plan.items.length);
  const snapshot = OutputSnapshot.scan(
    plan.items.map((item) => resolveInside(options.outDir, item.path)),
  );
  const outcomes = await runPool(plan.items, options.threads, async (item) => {
    let outcome: DownloadOutcome;
    try {
      outcome = await downloadItem(item, {
        outDir: options.outDir,
        http: options.http,
        verify: options.verify,
        onBytes: (n) => progress.bytes(n),
        onRetry: (it, err, n, wait) => progress.retry(it, err.message, n, wait),
        snapshot,
      });
    } catch (err) {
      if (options.http.signal?.aborted) return undefined;
      throw err;
    }
    progress.fileDone(item, outcome);
    return outcome;
  }, options.http.signal);
  progress.stop();
  const c = progress.counts;
  const failures: Failure[] = [];
  outcomes.forEach((o, i) => {
    if (o?.status === "failed") {
      failures.push({ url: plan.items[i].url, path: plan.items[i].path, reason: o.message ?? "" });
    }
  });
  return {
    planned: plan.items.length,
    downloaded: c.downloaded,
    skipped: c.skipped,
    failed: c.failed,
    notStarted: plan.items.length - c.finished,
    bytes: c.bytes,
    retries: c.retries,
    seconds: progress.elapsed,
    failures,
    manifests: plan.manifests.map((m) => m.path),
    interrupted: options.http.signal?.aborted ?? false,
  };
}
