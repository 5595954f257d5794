/**
 * One plan item fetched the way every runner fetches it — `executePlan` for VOD and the live
 * recorder's feed alike: its folders made without following a symlink, its temporary names
 * from the layout's one rule ({@link partialPaths}), the download itself, and what observers
 * see of it (`start`, `bytes`, `retry`, `stall`, `file`) and what it adds to the run's totals.
 *
 * @module
 */
import { InputError } from "../errors.ts";
import type { Observer, RunTotals } from "../events.ts";
import { downloadFile, type DownloadOutcome } from "../net/download.ts";
import type { HttpOptions } from "../net/http.ts";
import { partialPaths } from "./layout.ts";
import type { OutputDir } from "./output.ts";
import type { PlanItem } from "./plan.ts";

/**
 * Watches running transfers and reports (once) each that has received nothing for
 * `stallMs`. Holds only the transfers running now. Its clock is its own timer's tick (at
 * most a second), so marking a transfer alive — on every body chunk — is a store, not a
 * clock read: a stall is reported between `stallMs` and one tick after it.
 *
 * @example
 * ```ts
 * const stalls = new StallWatch(5000, (e) => console.log(e));
 * stalls.alive("seg-1.m4s", "v1");
 * stalls.gone("seg-1.m4s");
 * stalls.stop();
 * ```
 */
export class StallWatch {
  #last = new Map<string, { tick: number; track?: string; reported: boolean }>();
  #timer: ReturnType<typeof setInterval>;
  #tick = 0;

  /**
   * @param stallMs silence that makes a transfer stalled
   * @param observe told about each stall (`event: "stall"`)
   */
  constructor(stallMs: number, observe: Observer) {
    const tickMs = Math.min(1000, stallMs);
    const ticks = Math.max(1, Math.round(stallMs / tickMs));
    this.#timer = setInterval(() => {
      const now = ++this.#tick;
      for (const [path, s] of this.#last) {
        // Alive during tick n means silent since at most the start of tick n + 1.
        const silent = now - s.tick - 1;
        if (!s.reported && silent >= ticks) {
          s.reported = true;
          const seconds = Math.round((silent * tickMs) / 1000);
          observe({ event: "stall", path, track: s.track, seconds });
        }
      }
    }, tickMs);
  }

  /** The transfer of `path` has just shown life. */
  alive(path: string, track?: string): void {
    const known = this.#last.get(path);
    if (known === undefined) this.#last.set(path, { tick: this.#tick, track, reported: false });
    else {
      known.tick = this.#tick;
      known.reported = false;
    }
  }

  /** The transfer of `path` has ended. */
  gone(path: string): void {
    this.#last.delete(path);
  }

  /** Stops watching. */
  stop(): void {
    clearInterval(this.#timer);
  }
}

/** What fetching items of one run shares. */
export interface FetchContext {
  /** The output directory. */
  out: OutputDir;
  /** How to make requests (its `signal` is Ctrl-C). */
  http: HttpOptions;
  /** Compare files already there with the server's sizes. */
  verify: boolean;
  /** Told about every event. */
  observe: Observer;
  /** The run's totals, added to as bytes arrive and files end. */
  totals: RunTotals;
  /** The run's stall watch. */
  stalls: StallWatch;
}

/**
 * Counts and reports a retry of `item`.
 *
 * @example
 * ```ts
 * declare const cx: FetchContext;
 * noteRetry(cx, { url: "https://x/a.m4s", path: "a.m4s", kind: "media" }, 1, 500, "HTTP 503");
 * ```
 */
export function noteRetry(
  cx: FetchContext,
  item: PlanItem,
  attempt: number,
  waitMs: number,
  reason: string,
): void {
  cx.totals.retries++;
  cx.stalls.alive(item.path, item.track);
  cx.observe({
    event: "retry",
    path: item.path,
    track: item.track,
    url: item.url,
    attempt,
    wait: waitMs / 1000,
    reason,
  });
}

/**
 * Fetches one item into the output directory (its own HTTP retries included). A folder on
 * the way that is a symlink or a file fails this item, not the run. Emits `start`, `bytes`
 * and `retry`; the caller reports the end with {@link reportFile}. Throws only when
 * `cx.http.signal` aborts (Ctrl-C), leaving the partial file for the next run.
 *
 * @param lookPresent whether a complete file already there counts (a first attempt)
 *
 * @example
 * ```ts
 * declare const cx: FetchContext;
 * const item = { url: "https://x/a.m4s", path: "a.m4s", kind: "media" as const };
 * reportFile(cx, item, await fetchItem(cx, item));
 * ```
 */
export async function fetchItem(
  cx: FetchContext,
  item: PlanItem,
  lookPresent = true,
): Promise<DownloadOutcome> {
  const { out, observe, totals, stalls } = cx;
  let present: number | undefined;
  try {
    out.ensureParent(item.path);
    present = lookPresent ? out.sizeOf(item.path) : undefined;
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    return { status: "failed", bytes: 0, retries: 0, message: err.message };
  }
  // A complete file already there is counted without a look at partial files: a re-run over
  // a whole mirror passes its files quickly and lightly.
  if (present !== undefined && !cx.verify) {
    return { status: "present", bytes: 0, size: present, retries: 0 };
  }
  const tmp = partialPaths(item.path);
  try {
    out.ensureParent(tmp.partial);
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    return { status: "failed", bytes: 0, retries: 0, message: err.message };
  }
  let started = false;
  try {
    return await downloadFile(item.url, {
      final: out.abs(item.path),
      partial: out.abs(tmp.partial),
      validator: out.abs(tmp.validator),
    }, {
      http: cx.http,
      verify: cx.verify,
      present,
      partialSize: lookPresent ? out.sizeOf(tmp.partial) ?? 0 : undefined,
      validatorExists: lookPresent ? out.sizeOf(tmp.validator) !== undefined : undefined,
      onStart: () => {
        stalls.alive(item.path, item.track);
        if (!started) observe({ event: "start", path: item.path, track: item.track });
        started = true;
      },
      onBytes: (n) => {
        totals.bytes += n;
        stalls.alive(item.path, item.track);
        observe({ event: "bytes", path: item.path, track: item.track, bytes: n });
      },
      onRetry: (err, attempt, waitMs) => noteRetry(cx, item, attempt, waitMs, err.message),
    });
  } finally {
    stalls.gone(item.path);
  }
}

/**
 * Adds how `item` ended to the totals and tells the observers (`event: "file"`).
 *
 * @example
 * ```ts
 * declare const cx: FetchContext;
 * const item = { url: "https://x/a.m4s", path: "a.m4s", kind: "media" as const };
 * reportFile(cx, item, { status: "done", bytes: 10, size: 10, retries: 0 });
 * ```
 */
export function reportFile(cx: FetchContext, item: PlanItem, outcome: DownloadOutcome): void {
  cx.totals[outcome.status]++;
  cx.observe({
    event: "file",
    path: item.path,
    track: item.track,
    url: item.url,
    status: outcome.status,
    bytes: outcome.bytes,
    size: outcome.size,
    message: outcome.message,
  });
}
