/**
 * `--progress json`: the run's events as newline-delimited JSON on standard error, one
 * object per line, each with an `event` field — for scripts and CI dashboards:
 *
 * - `plan`: `tracks` (`id`, `label`, `files`), `files`, `manifests`;
 * - `file`, for every file when it ends: `path` (relative to the output folder), `status`
 *   (`done`, `present`, `failed`), `bytes` (received in this run), `size`, `track`, `url`,
 *   and `message` when it failed;
 * - `progress`, at most once a second: `bytes`, `files_done`, `files_total`;
 * - `retry`: `path`, `track`, `url`, `attempt`, `wait` (seconds), `reason`;
 * - `stall`: `path`, `track`, `seconds` (without a byte);
 * - `note`: `text`;
 * - `end`, last: the same summary `--json` prints.
 *
 * @module
 */
import type { Observer, RunEvent } from "../events.ts";
import type { OutputStream } from "./io.ts";

/** How often a `progress` event is written at most. */
const PROGRESS_MS = 1000;

/** The JSON event writer of a run. */
export interface JsonEvents {
  /** The observer to give the runner. */
  observe: Observer;
  /** Writes the `end` event with the run's summary (call once, last). */
  end(summary: Record<string, unknown>): void;
}

/**
 * Makes the `--progress json` writer on `err` (standard error).
 *
 * @example
 * ```ts
 * import { memoryIo } from "./io.ts";
 * const io = memoryIo();
 * const json = jsonEvents(io.stderr);
 * json.observe({ event: "plan", tracks: [], files: 1, manifests: 1 });
 * json.observe({ event: "file", path: "a.m4s", url: "https://x/a.m4s", status: "done", bytes: 9 });
 * json.end({ command: "dash get", done: 1 });
 * io.stderrText(); // three lines of JSON
 * ```
 */
export function jsonEvents(err: OutputStream): JsonEvents {
  const write = (value: Record<string, unknown>) => err.write(JSON.stringify(value) + "\n");
  let bytes = 0;
  let done = 0;
  let total = 0;
  let lastProgress = 0;
  const progress = (force: boolean) => {
    const now = performance.now();
    if (!force && now - lastProgress < PROGRESS_MS) return;
    lastProgress = now;
    write({ event: "progress", bytes, files_done: done, files_total: total });
  };
  const observe = (e: RunEvent) => {
    switch (e.event) {
      case "plan":
        total = e.files;
        write({ ...e });
        break;
      case "bytes":
        bytes += e.bytes;
        progress(false);
        break;
      case "file":
        done++;
        write({ ...e });
        progress(false);
        break;
      case "retry":
      case "stall":
      case "note":
        write({ ...e });
        break;
      case "end":
        progress(true);
        break;
      case "start":
        break;
    }
  };
  return { observe, end: (summary) => write({ event: "end", ...summary }) };
}
