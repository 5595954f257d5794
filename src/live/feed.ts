/**
 * The live recorder's runner: a long-lived feed of segments into the same download code as
 * VOD (`downloadFile`, temporary names from the layout's {@link partialPaths}, symlink-safe
 * folders, the same {@link RunEvent}s and totals as `executePlan`), with what live needs on
 * top:
 *
 * - a job is never requested before its time (`notBefore`, the segment's availability on the
 *   local clock), and waits for it without taking one of the `threads` slots;
 * - a job that fails (a 404 from an origin or CDN that is late, a 5xx after the HTTP
 *   retries) is tried again, about once a second, until `giveUpAt` (its availability plus
 *   about 10 s): then it is a gap, and the recording goes on;
 * - a path already being fetched is not fetched twice at once (an HLS I-frame playlist and
 *   its variant name the same resource);
 * - Ctrl-C (the HTTP signal) stops waiting jobs at once and running ones mid-body, keeping
 *   their partial files; they end `skipped`.
 *
 * Nothing here grows with the length of a recording: only jobs in flight are held.
 *
 * @module
 */
import type { Observer, RunTotals } from "../events.ts";
import {
  type FetchContext,
  fetchItem,
  noteRetry,
  reportFile,
  StallWatch,
} from "../mirror/fetch_item.ts";
import type { OutputDir } from "../mirror/output.ts";
import type { PlanItem } from "../mirror/plan.ts";
import type { DownloadOutcome } from "../net/download.ts";
import type { HttpOptions } from "../net/http.ts";
import { type Clock, sleepUntil } from "./clock.ts";

/** One segment (or init segment, map, key) to fetch. */
export interface FeedJob {
  /** What to fetch and where it goes. */
  item: PlanItem;
  /** Local time before which it is not requested (its availability). */
  notBefore: number;
  /** Local time after which a failure is final (a gap). */
  giveUpAt: number;
}

/** How a job ended: as `downloadFile` says, or `skipped` when Ctrl-C stopped it. */
export interface JobResult {
  /** `done`, `present`, `failed` (a gap), or `skipped` (interrupted). */
  status: DownloadOutcome["status"] | "skipped";
  /** Why it failed. */
  message?: string;
}

/** Options of {@link Feed}. */
export interface FeedOptions {
  /** The output directory. */
  out: OutputDir;
  /** Parallel downloads. */
  threads: number;
  /** Compare files already there with the server's sizes. */
  verify: boolean;
  /** How to make requests (its `signal` is Ctrl-C). */
  http: HttpOptions;
  /** The local clock. */
  clock: Clock;
  /** Told about every event. */
  observe: Observer;
  /** How long to wait between attempts at a late segment. @default 1000 */
  retryEveryMs?: number;
  /** A transfer silent for this long is reported as stalled. @default 5000 */
  stallMs?: number;
}

/** A counting semaphore whose waiters give up when a signal aborts. */
class Slots {
  #free: number;
  #waiting: (() => void)[] = [];

  constructor(n: number) {
    this.#free = n;
  }

  acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#free > 0) {
      this.#free--;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const grant = () => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      };
      const onAbort = () => {
        this.#waiting = this.#waiting.filter((w) => w !== grant);
        reject(signal!.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#waiting.push(grant);
    });
  }

  release(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#free++;
  }
}

/**
 * The feed; see the module documentation. Call {@link Feed.drain} to wait for what was
 * pushed, {@link Feed.close} at the end.
 *
 * @example
 * ```ts
 * import { OutputDir } from "../mirror/output.ts";
 * import { DEFAULT_HTTP } from "../net/http.ts";
 * import { systemClock } from "./clock.ts";
 * const out = new OutputDir("/tmp/out");
 * const feed = new Feed({
 *   out,
 *   threads: 4,
 *   verify: false,
 *   http: DEFAULT_HTTP,
 *   clock: systemClock,
 *   observe: (e) => console.log(e.event),
 * });
 * const result = await feed.push({
 *   item: { url: "https://cdn.example/live/seg-7.m4s", path: "seg-7.m4s", kind: "media" },
 *   notBefore: Date.now() + 1000,
 *   giveUpAt: Date.now() + 11_000,
 * });
 * feed.close();
 * ```
 */
export class Feed {
  /** The counts so far (`files` counts every job pushed). */
  readonly totals: RunTotals = {
    files: 0,
    done: 0,
    present: 0,
    failed: 0,
    notStarted: 0,
    bytes: 0,
    retries: 0,
    seconds: 0,
  };
  #o: FeedOptions;
  #slots: Slots;
  #inflight = new Map<string, Promise<JobResult>>();
  #cx: FetchContext;
  #below: { n: number; resolve: () => void }[] = [];

  /** @param options where, how and with whom */
  constructor(options: FeedOptions) {
    this.#o = options;
    this.#slots = new Slots(Math.max(1, options.threads));
    this.#cx = {
      out: options.out,
      http: options.http,
      verify: options.verify,
      observe: options.observe,
      totals: this.totals,
      stalls: new StallWatch(options.stallMs ?? 5000, options.observe),
    };
  }

  /** Jobs pushed and not yet ended. */
  get pending(): number {
    return this.#inflight.size;
  }

  /**
   * Adds a job; resolves when it has ended (never rejects for download problems). A job for
   * a path already in flight shares that job's result.
   */
  push(job: FeedJob): Promise<JobResult> {
    const running = this.#inflight.get(job.item.path);
    if (running) return running;
    this.totals.files++;
    const p = this.#run(job).finally(() => {
      this.#inflight.delete(job.item.path);
      const ready = this.#below.filter((w) => this.#inflight.size < w.n);
      this.#below = this.#below.filter((w) => this.#inflight.size >= w.n);
      for (const w of ready) w.resolve();
    });
    this.#inflight.set(job.item.path, p);
    return p;
  }

  /** Waits until every job pushed so far (and pushed meanwhile) has ended. */
  async drain(): Promise<void> {
    while (this.#inflight.size > 0) await Promise.all(this.#inflight.values());
  }

  /** Resolves once fewer than `n` jobs are pending (at once when that is already so). */
  waitBelow(n: number): Promise<void> {
    if (this.#inflight.size < n) return Promise.resolve();
    return new Promise((resolve) => this.#below.push({ n, resolve }));
  }

  /** Stops the stall watch. */
  close(): void {
    this.#cx.stalls.stop();
  }

  async #run(job: FeedJob): Promise<JobResult> {
    const { clock, http } = this.#o;
    try {
      await sleepUntil(clock, job.notBefore, http.signal);
      await this.#slots.acquire(http.signal);
    } catch (err) {
      if (!http.signal?.aborted) throw err;
      this.totals.notStarted++;
      return { status: "skipped" };
    }
    try {
      return await this.#fetch(job);
    } finally {
      this.#slots.release();
    }
  }

  async #fetch(job: FeedJob): Promise<JobResult> {
    const { http, clock } = this.#o;
    const { item } = job;
    let outcome: DownloadOutcome | undefined;
    for (let attempt = 1; outcome === undefined; attempt++) {
      let got: DownloadOutcome;
      try {
        got = await fetchItem(this.#cx, item, attempt === 1);
      } catch (err) {
        if (!http.signal?.aborted) throw err;
        this.totals.notStarted++;
        return { status: "skipped" };
      }
      const left = job.giveUpAt - clock.now();
      if (got.status !== "failed" || left <= 0) {
        outcome = got;
        break;
      }
      // Not there yet (a late origin or CDN): again in a moment, until it is a gap.
      const wait = Math.min(this.#o.retryEveryMs ?? 1000, left);
      noteRetry(this.#cx, item, attempt, wait, got.message ?? "failed");
      try {
        await clock.sleep(wait, http.signal);
      } catch (err) {
        if (!http.signal?.aborted) throw err;
        this.totals.notStarted++;
        return { status: "skipped" };
      }
    }
    reportFile(this.#cx, item, outcome);
    return { status: outcome.status, message: outcome.message };
  }
}
