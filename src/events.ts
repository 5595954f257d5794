/**
 * The events of a run, as every display sees them. The runner (`mirror/run.ts`) emits
 * them; observers — the terminal view, the plain log, `--progress json` — only listen. This
 * module depends on nothing, so observers need import nothing from `net/`, `mirror/`,
 * `dash/`, `hls/` or `dump/`.
 *
 * @module
 */

/** A track of a run: a DASH Representation, an HLS variant or rendition. */
export interface TrackInfo {
  /** The id as the manifest names it (`Representation@id`; an HLS playlist's URI). */
  id: string;
  /** A short label for displays: kind and resolution or language (`video 1280x720`). */
  label?: string;
  /** Files of this track in the plan. */
  files: number;
}

/** How one file ended: fetched now, already complete on disk, or failed. */
export type FileStatus = "done" | "present" | "failed";

/** The totals of a run, as the summary reports them. */
export interface RunTotals {
  /** Files in the plan (manifests not counted). */
  files: number;
  /** Fetched in this run. */
  done: number;
  /** Already complete on disk. */
  present: number;
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
}

/** One event of a run. */
export type RunEvent =
  | {
    /** The plan is known. */
    event: "plan";
    /** Its tracks (may be empty when the plan has none to name). */
    tracks: TrackInfo[];
    /** Files to fetch. */
    files: number;
    /** Manifests and playlists written. */
    manifests: number;
  }
  | {
    /** A file's first request goes out. */
    event: "start";
    /** Its path relative to the output folder. */
    path: string;
    /** Its track's id. */
    track?: string;
  }
  | {
    /** Bytes arrived for a file. */
    event: "bytes";
    path: string;
    track?: string;
    /** How many. */
    bytes: number;
  }
  | {
    /** A request failed and will be tried again. */
    event: "retry";
    path: string;
    track?: string;
    url: string;
    /** Which retry this is (1 for the first). */
    attempt: number;
    /** Seconds before it. */
    wait: number;
    /** Why the last attempt failed. */
    reason: string;
  }
  | {
    /** A transfer has received no byte for a while. */
    event: "stall";
    path: string;
    track?: string;
    /** Seconds without a byte. */
    seconds: number;
  }
  | {
    /** A file ended. */
    event: "file";
    path: string;
    track?: string;
    url: string;
    status: FileStatus;
    /** Bytes received for it in this run. */
    bytes: number;
    /** Its size on disk, when it is there. */
    size?: number;
    /** Why it failed, or a note. */
    message?: string;
  }
  | {
    /** Something the user should know. */
    event: "note";
    text: string;
  }
  | {
    /** The run ended; always the last event. */
    event: "end";
    totals: RunTotals;
    interrupted: boolean;
  };

/** Receives the events of a run, in order. */
export type Observer = (event: RunEvent) => void;

/**
 * One observer that passes every event to each of `observers`.
 *
 * @example
 * ```ts
 * const seen: RunEvent[] = [];
 * const observe = fanOut((e) => seen.push(e), () => {});
 * observe({ event: "note", text: "hello" });
 * ```
 */
export function fanOut(...observers: Observer[]): Observer {
  return (event) => {
    for (const o of observers) o(event);
  };
}
