/**
 * Download progress: a live line on a terminal (files done/total, bytes, rate, ETA), a
 * plain status line every few seconds otherwise, nothing when quiet. Retries and failures
 * are printed as they happen.
 *
 * @module
 */
import type { DownloadOutcome } from "../net/download.ts";
import type { PlanItem } from "../mirror/plan.ts";
import { formatBytes, formatSeconds } from "./format.ts";
import type { Terminal } from "./terminal.ts";

/** How often the display is refreshed, ms (terminal) and how often a plain line is printed. */
const TTY_INTERVAL_MS = 120;
const PLAIN_INTERVAL_MS = 3000;

/** Counters of a run, as the display and the summary see them. */
export interface ProgressCounts {
  /** Files in the plan. */
  total: number;
  /** Files finished (any outcome). */
  finished: number;
  /** Files fetched now. */
  downloaded: number;
  /** Files already complete on disk. */
  skipped: number;
  /** Files that failed. */
  failed: number;
  /** Bytes received. */
  bytes: number;
  /** Retries made. */
  retries: number;
}

/** Tracks a run's progress and shows it through the {@link Terminal}. */
export class Progress {
  #term: Terminal;
  #counts: ProgressCounts = {
    total: 0,
    finished: 0,
    downloaded: 0,
    skipped: 0,
    failed: 0,
    bytes: 0,
    retries: 0,
  };
  #started = performance.now();
  #timer: ReturnType<typeof setInterval> | undefined;
  #bytesOfFinished = 0;
  #sizeOfFinished = 0;

  /** @param term the terminal writer */
  constructor(term: Terminal) {
    this.#term = term;
  }

  /** The counters so far. */
  get counts(): Readonly<ProgressCounts> {
    return this.#counts;
  }

  /** Seconds since {@link start}. */
  get elapsed(): number {
    return (performance.now() - this.#started) / 1000;
  }

  /** Starts the display for `total` files. */
  start(total: number): void {
    this.#counts.total = total;
    this.#started = performance.now();
    if (this.#term.mode === "quiet" || total === 0) return;
    const every = this.#term.mode === "tty" ? TTY_INTERVAL_MS : PLAIN_INTERVAL_MS;
    this.#timer = setInterval(() => this.#render(), every);
    if (this.#term.mode === "tty") this.#render();
  }

  /** Counts received bytes. */
  bytes(n: number): void {
    this.#counts.bytes += n;
  }

  /** Records a retry and says why. */
  retry(item: PlanItem, reason: string, attempt: number, waitMs: number): void {
    this.#counts.retries++;
    this.#term.line(
      `retry ${attempt} in ${formatSeconds(waitMs / 1000)}: ${item.path}: ${reason}`,
    );
  }

  /** Records a finished file. */
  fileDone(item: PlanItem, outcome: DownloadOutcome): void {
    const c = this.#counts;
    c.finished++;
    c[outcome.status === "downloaded" ? "downloaded" : outcome.status]++;
    if (outcome.status === "downloaded") {
      this.#bytesOfFinished += outcome.bytes;
      this.#sizeOfFinished++;
    }
    if (outcome.status === "failed") {
      this.#term.line(`failed: ${item.url}: ${outcome.message ?? "unknown error"}`);
    } else if (outcome.message) this.#term.line(`${item.path}: ${outcome.message}`);
  }

  /** A message line above the display. */
  note(text: string): void {
    this.#term.line(text);
  }

  /** Stops the display (the last frame stays on a terminal). */
  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    if (this.#term.mode === "tty" && this.#counts.total > 0) this.#render();
    this.#term.done();
  }

  /** One status line. */
  status(): string {
    const c = this.#counts;
    const secs = this.elapsed;
    const rate = secs > 0 ? c.bytes / secs : 0;
    // ETA from the average size of files fetched so far and the current rate.
    const left = c.total - c.finished;
    const avg = this.#sizeOfFinished > 0 ? this.#bytesOfFinished / this.#sizeOfFinished : 0;
    const eta = rate > 0 && avg > 0 ? (left * avg) / rate : NaN;
    const pct = c.total > 0 ? Math.floor((c.finished / c.total) * 100) : 100;
    const parts = [
      `${c.finished}/${c.total} files (${pct}%)`,
      formatBytes(c.bytes),
      `${formatBytes(Math.round(rate))}/s`,
      `ETA ${left === 0 ? "0 s" : formatSeconds(eta)}`,
    ];
    if (c.retries) parts.push(`${c.retries} retries`);
    if (c.failed) parts.push(`${c.failed} failed`);
    return parts.join("  ");
  }

  #render(): void {
    if (this.#term.mode === "tty") {
      const c = this.#counts;
      const width = 24;
      const filled = c.total > 0 ? Math.round((c.finished / c.total) * width) : width;
      this.#term.live(`[${"#".repeat(filled)}${"-".repeat(width - filled)}] ${this.status()}`);
    } else this.#term.line(`progress: ${this.status()}`);
  }
}
