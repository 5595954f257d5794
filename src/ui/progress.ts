/**
 * What a person sees while a run goes: an observer of the run's events ({@link RunEvent}).
 *
 * - On a terminal, a live view with a row per track (files done / total, bytes, rate,
 *   retries) and a total row with an ETA, plus a line for each transfer that has gone
 *   silent ("stalled"), redrawn at most ten times a second. Retries are counted on the
 *   rows, not printed, so a long run leaves at most a screenful of scrollback.
 * - Otherwise, one plain line per file as it ends, and one per retry and stall.
 * - Nothing when quiet (failures still reach the summary).
 *
 * @module
 */
import type { Observer, RunEvent, TrackInfo } from "../events.ts";
import { formatBytes, formatSeconds } from "./format.ts";
import type { Terminal } from "./terminal.ts";

/** Redraws per second at most, on a terminal. */
const FRAME_MS = 100;

/** The counters of one track (or of the whole run). */
interface Row {
  id: string;
  label: string;
  files: number;
  ended: number;
  failed: number;
  bytes: number;
  retries: number;
  /** Bytes and time at the last rate sample. */
  sampleBytes: number;
  sampleAt: number;
  rate: number;
}

function newRow(id: string, label: string, files: number): Row {
  return {
    id,
    label,
    files,
    ended: 0,
    failed: 0,
    bytes: 0,
    retries: 0,
    sampleBytes: 0,
    sampleAt: performance.now(),
    rate: 0,
  };
}

/** Left-aligns, right-aligns columns of `rows`. */
function columns(rows: string[][], right: boolean[]): string[] {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows.map((r) =>
    r.map((cell, c) => right[c] ? cell.padStart(widths[c]) : cell.padEnd(widths[c])).join("  ")
      .trimEnd()
  );
}

/** A progress display that listens to a run; call `stop()` when the run has ended. */
export interface ProgressView {
  /** The observer to give the runner. */
  observe: Observer;
  /** Stops redrawing (the last frame stays on a terminal). */
  stop(): void;
}

/**
 * Makes the progress display for `term`'s mode.
 *
 * @example
 * ```ts
 * import { memoryIo } from "./io.ts";
 * import { displayMode, Terminal } from "./terminal.ts";
 * const io = memoryIo();
 * const view = progressView(new Terminal(io, displayMode(io, false)));
 * view.observe({ event: "file", path: "a.m4s", url: "https://x/a.m4s", status: "done", bytes: 9 });
 * view.stop();
 * io.stderrText(); // "done: a.m4s\n"
 * ```
 */
export function progressView(term: Terminal): ProgressView {
  if (term.mode === "quiet") return { observe: () => {}, stop: () => {} };
  if (term.mode === "plain") return { observe: plainObserver(term), stop: () => {} };
  return new LiveView(term);
}

/** One line per file, retry and stall. */
function plainObserver(term: Terminal): Observer {
  return (e: RunEvent) => {
    switch (e.event) {
      case "file":
        if (e.status === "failed") term.line(`failed: ${e.url}: ${e.message ?? "unknown error"}`);
        else {
          const size = e.size !== undefined ? ` (${formatBytes(e.size)})` : "";
          term.line(`${e.status}: ${e.path}${size}${e.message ? `: ${e.message}` : ""}`);
        }
        break;
      case "retry":
        term.line(`retry ${e.attempt} in ${formatSeconds(e.wait)}: ${e.path}: ${e.reason}`);
        break;
      case "stall":
        term.line(`stalled: ${e.path}: no data for ${e.seconds} s`);
        break;
      case "note":
        term.line(`note: ${e.text}`);
        break;
    }
  };
}

/** The live terminal view. */
class LiveView implements ProgressView {
  #term: Terminal;
  #rows = new Map<string, Row>();
  #order: Row[] = [];
  #total = newRow("total", "", 0);
  #stalled = new Map<string, { track?: string; since: number }>();
  #started = performance.now();
  #timer: ReturnType<typeof setInterval> | undefined;
  #dirty = false;
  #sizeOfEnded = 0;
  #endedWithBytes = 0;

  constructor(term: Terminal) {
    this.#term = term;
  }

  observe = (e: RunEvent): void => {
    switch (e.event) {
      case "plan":
        this.#start(e.tracks, e.files);
        break;
      case "bytes":
        this.#total.bytes += e.bytes;
        if (e.track !== undefined) this.#row(e.track).bytes += e.bytes;
        this.#stalled.delete(e.path);
        break;
      case "retry":
        this.#total.retries++;
        if (e.track !== undefined) this.#row(e.track).retries++;
        break;
      case "stall":
        this.#stalled.set(e.path, { track: e.track, since: performance.now() - e.seconds * 1000 });
        break;
      case "file": {
        this.#stalled.delete(e.path);
        for (const row of [this.#total, e.track !== undefined ? this.#row(e.track) : undefined]) {
          if (!row) continue;
          row.ended++;
          if (e.status === "failed") row.failed++;
        }
        if (e.status === "done") {
          this.#sizeOfEnded += e.bytes;
          this.#endedWithBytes++;
        }
        if (e.status === "failed") this.#term.line(`failed: ${e.url}: ${e.message ?? "?"}`);
        break;
      }
      case "note":
        this.#term.line(`note: ${e.text}`);
        break;
      case "end":
        this.stop();
        return;
    }
    this.#dirty = true;
  };

  #start(tracks: TrackInfo[], files: number): void {
    this.#total.files = files;
    for (const t of tracks) {
      const row = newRow(t.id, t.label ?? "", t.files);
      this.#rows.set(t.id, row);
      this.#order.push(row);
    }
    this.#started = performance.now();
    this.#timer = setInterval(() => {
      if (this.#dirty || this.#stalled.size > 0) this.#render();
    }, FRAME_MS);
    this.#render();
  }

  #row(id: string): Row {
    let row = this.#rows.get(id);
    if (!row) {
      row = newRow(id, "", 0);
      this.#rows.set(id, row);
      this.#order.push(row);
    }
    return row;
  }

  stop(): void {
    if (this.#timer === undefined) return;
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#render();
    this.#term.done();
  }

  /** Updates a row's rate from the bytes since its last sample (every second or so). */
  #sample(row: Row, now: number): void {
    const dt = (now - row.sampleAt) / 1000;
    if (dt < 1) return;
    row.rate = (row.bytes - row.sampleBytes) / dt;
    row.sampleBytes = row.bytes;
    row.sampleAt = now;
  }

  #render(): void {
    this.#dirty = false;
    const now = performance.now();
    const t = this.#total;
    const elapsed = (now - this.#started) / 1000;
    const rate = elapsed > 0 ? t.bytes / elapsed : 0;
    const left = t.files - t.ended;
    const avg = this.#endedWithBytes > 0 ? this.#sizeOfEnded / this.#endedWithBytes : 0;
    const eta = left === 0 ? 0 : rate > 0 && avg > 0 ? (left * avg) / rate : NaN;
    const table: string[][] = [];
    const stalledLines: string[] = [];
    for (const [path, s] of this.#stalled) {
      stalledLines.push(`  ${path}: stalled, no data for ${Math.round((now - s.since) / 1000)} s`);
    }
    // Tracks still at work first, then those that finished; as many as the screen holds.
    const room = Math.max(1, this.#term.rows - 2 - Math.min(stalledLines.length, 5));
    const busy = this.#order.filter((r) => r.ended < r.files);
    const shown = [...busy, ...this.#order.filter((r) => r.ended >= r.files)].slice(0, room);
    for (const r of shown) {
      this.#sample(r, now);
      table.push([
        r.id,
        r.label,
        `${r.ended}/${r.files}`,
        formatBytes(r.bytes),
        r.ended < r.files ? `${formatBytes(Math.round(r.rate))}/s` : "",
        r.retries ? `${r.retries} retries` : "",
        r.failed ? `${r.failed} failed` : "",
      ]);
    }
    const pct = t.files > 0 ? Math.floor((t.ended / t.files) * 100) : 100;
    table.push([
      "total",
      `${pct}%  ETA ${formatSeconds(eta)}`,
      `${t.ended}/${t.files}`,
      formatBytes(t.bytes),
      `${formatBytes(Math.round(rate))}/s`,
      t.retries ? `${t.retries} retries` : "",
      t.failed ? `${t.failed} failed` : "",
    ]);
    const lines = columns(table, [false, false, true, true, true, false, false]);
    const hidden = this.#order.length - shown.length;
    if (hidden > 0) lines.splice(shown.length, 0, `… ${hidden} more tracks`);
    lines.push(...stalledLines.slice(0, 5));
    this.#term.live(lines);
  }
}
