/**
 * What a person sees while a live recording runs on a terminal: one line for the
 * recording (how long, segments saved, manifest revisions kept, gaps, bytes and rate) and
 * one per track, redrawn a few times a second below the messages (gaps, notes, failures).
 * Elsewhere the usual plain lines of `get` are printed (one per file). An observer of the
 * run's events, as the VOD views are; the counts of revisions and gaps, which are not
 * events, come from `status`.
 *
 * @module
 */
import type { Observer, RunEvent } from "../events.ts";
import { formatBytes, formatSeconds } from "./format.ts";
import { type ProgressView, progressView } from "./progress.ts";
import type { Terminal } from "./terminal.ts";

/** What the recording says of itself besides the events. */
export interface LiveStatus {
  /** Manifest revisions kept. */
  revisions: number;
  /** Gaps so far. */
  gaps: number;
}

/** Redraws per second at most. */
const FRAME_MS = 250;

interface Row {
  id: string;
  label: string;
  saved: number;
  failed: number;
  bytes: number;
}

/**
 * The live recording's view for `term`: the status lines on a terminal, the plain lines of
 * {@link progressView} otherwise (nothing when quiet).
 *
 * @example
 * ```ts
 * import { memoryIo } from "./io.ts";
 * import { Terminal } from "./terminal.ts";
 * const term = new Terminal(memoryIo(), "plain");
 * const view = liveView(term, () => ({ revisions: 3, gaps: 0 }));
 * view.observe({ event: "note", text: "recording" });
 * view.stop();
 * ```
 */
export function liveView(term: Terminal, status: () => LiveStatus): ProgressView {
  if (term.mode !== "tty") return progressView(term);
  const rows = new Map<string, Row>();
  const total: Row = { id: "", label: "", saved: 0, failed: 0, bytes: 0 };
  const started = performance.now();
  const row = (id: string, label = ""): Row => {
    let r = rows.get(id);
    if (!r) rows.set(id, r = { id, label, saved: 0, failed: 0, bytes: 0 });
    return r;
  };
  const render = () => {
    const seconds = (performance.now() - started) / 1000;
    const s = status();
    const rate = seconds > 0 ? total.bytes / seconds : 0;
    const lines = [
      `recording ${formatSeconds(seconds)}: ${total.saved} saved, ${s.revisions} revisions, ` +
      `${s.gaps} gaps, ${formatBytes(total.bytes)} (${formatBytes(Math.round(rate))}/s)`,
    ];
    const shown = [...rows.values()].slice(0, Math.max(1, term.rows - 2));
    const width = Math.max(...shown.map((r) => `${r.id}  ${r.label}`.length), 0);
    for (const r of shown) {
      lines.push(
        `  ${`${r.id}  ${r.label}`.padEnd(width)}  ${r.saved} saved  ${formatBytes(r.bytes)}` +
          (r.failed ? `  ${r.failed} gaps` : ""),
      );
    }
    term.live(lines);
  };
  const timer = setInterval(render, FRAME_MS);
  const observe: Observer = (e: RunEvent) => {
    switch (e.event) {
      case "plan":
        for (const t of e.tracks) row(t.id, t.label ?? "");
        break;
      case "bytes":
        total.bytes += e.bytes;
        if (e.track !== undefined) row(e.track).bytes += e.bytes;
        break;
      case "file":
        if (e.status === "failed") {
          total.failed++;
          if (e.track !== undefined) row(e.track).failed++;
        } else {
          total.saved++;
          if (e.track !== undefined) row(e.track).saved++;
        }
        break;
      case "note":
        term.line(`note: ${e.text}`);
        break;
    }
  };
  return {
    observe,
    stop() {
      clearInterval(timer);
      render();
      term.done();
    },
  };
}
