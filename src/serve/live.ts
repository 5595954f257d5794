/**
 * The live model shared by the DASH and HLS views of `serve --live`: a VOD presentation
 * of `lap` seconds is played out on the server's clock from the start of serving (the
 * availability start time), once or in a loop, and each media segment is published when
 * it is complete and withdrawn once it has left the time-shift window.
 *
 * Times inside a lap are seconds from the lap's start; times on the live timeline
 * (`rel`) are seconds since the availability start time. A segment that ends at `end`
 * within lap `n` is available, on the live timeline, from `n × lap + end` (ISO/IEC
 * 23009-1 5.3.9.5.3: the segment availability start time, with no availabilityTimeOffset)
 * until that time plus its own duration plus the window (the segment availability end
 * time of DASH-IF IOP 4.3.3.2; RFC 8216 6.2.2 asks the same of HLS: available for its
 * duration plus that of the playlist that listed it).
 *
 * @module
 */

/**
 * The origin manifests are parsed against, so every URL they name maps back to a request
 * path of this server (and a URL on any other origin is recognised as one).
 */
export const STAND_IN = "http://streamkit.invalid";

/**
 * The stand-in URL of a request path.
 *
 * @example
 * ```ts
 * standInUrl("/a b/x.mpd"); // "http://streamkit.invalid/a%20b/x.mpd"
 * ```
 */
export function standInUrl(path: string): string {
  return `${STAND_IN}${path.split("/").map(encodeURIComponent).join("/")}`;
}

/**
 * The request path a stand-in URL names, or undefined for a URL on another origin.
 *
 * @example
 * ```ts
 * localPath("http://streamkit.invalid/a%20b/x.m4s"); // "/a b/x.m4s"
 * localPath("https://cdn.example/x.m4s"); // undefined
 * ```
 */
export function localPath(url: string): string | undefined {
  const u = new URL(url);
  return u.origin === STAND_IN ? decodeURIComponent(u.pathname) : undefined;
}

/** Options of the live views (`serve --live`). */
export interface LiveOptions {
  /**
   * The time-shift window in seconds: `MPD@timeShiftBufferDepth`, and how far back an HLS
   * media playlist reaches (at least three target durations, as RFC 8216 6.2.2 asks).
   * @default {30}
   */
  windowSeconds?: number;
  /** Start the content again when it ends, without an end (DASH: a new Period per lap). */
  loop?: boolean;
  /**
   * End the event this many seconds after the start of serving: the MPD turns static,
   * HLS media playlists get `EXT-X-ENDLIST`. Without `loop` the event also ends with the
   * content. See also `Server.endEvent()`.
   */
  endAfterSeconds?: number;
  /** `MPD@minimumUpdatePeriod` in seconds. @default the longest media segment */
  updatePeriodSeconds?: number;
}

/** The default time-shift window, in seconds. */
export const DEFAULT_WINDOW = 30;

/**
 * The live event every view plays out: when it started (the availability start time, by
 * the server's clock) and when it ends, if it does.
 *
 * @example
 * ```ts
 * const event = new LiveEvent(Date.parse("2026-12-04T10:00:00Z"));
 * event.rel(Date.parse("2026-12-04T10:00:05Z")); // 5
 * ```
 */
export class LiveEvent {
  /** The availability start time, milliseconds since the epoch (server clock). */
  readonly startMs: number;
  #endRel: number;

  /**
   * @param startMs the availability start time (server clock)
   * @param endAfterSeconds when the event ends, in seconds after the start
   */
  constructor(startMs: number, endAfterSeconds?: number) {
    this.startMs = startMs;
    this.#endRel = endAfterSeconds ?? Infinity;
  }

  /** Seconds since the start at server time `nowMs`. */
  rel(nowMs: number): number {
    return (nowMs - this.startMs) / 1000;
  }

  /** The server time `rel` seconds after the start, in milliseconds. */
  at(rel: number): number {
    return this.startMs + rel * 1000;
  }

  /** Ends the event at server time `nowMs` (an earlier end stays). */
  end(nowMs: number): void {
    this.#endRel = Math.min(this.#endRel, Math.max(0, this.rel(nowMs)));
  }

  /** When the event ends, in seconds after the start (Infinity: not decided). */
  get endRel(): number {
    return this.#endRel;
  }
}

/** How one view plays a presentation out. */
export interface Playout {
  /** The event (start and end). */
  event: LiveEvent;
  /** The length of one lap of the content, in seconds. */
  lap: number;
  /** Whether the content loops. */
  loop: boolean;
  /** How long a segment stays available after it is published, beyond its own duration. */
  keep: number;
}

/** A piece of media within one lap: seconds from the lap's start. */
export interface Slot {
  /** Where it starts. */
  start: number;
  /** Where it ends. */
  end: number;
}

/** When the playout ends, in seconds after the start: the event's end, or the content's. */
export function playoutEnd(p: Playout): number {
  return p.loop ? p.event.endRel : Math.min(p.event.endRel, p.lap);
}

/** The lap that live time `rel` falls in (never past the only lap without `loop`). */
export function lapAt(p: Playout, rel: number): number {
  const n = Math.max(0, Math.floor(rel / p.lap + 1e-9));
  return p.loop ? n : Math.min(n, 0);
}

/**
 * Whether a slot of lap `n` is available at live time `rel` while the event runs: from
 * the slot's end until its end plus its duration plus `keep`.
 */
export function availableInLap(p: Playout, slot: Slot, n: number, rel: number): boolean {
  const published = n * p.lap + slot.end;
  return published <= rel + 1e-9 && rel < published + (slot.end - slot.start) + p.keep;
}

/**
 * Whether a slot can be fetched at live time `rel`: while the event runs, in some lap
 * (see {@link availableInLap}); once it has ended, when it is part of what was played
 * (`startedBefore`: its start came before the end, as a static MPD lists it; otherwise
 * its end did, as the last HLS playlist lists it).
 *
 * @example
 * ```ts
 * const p = { event: new LiveEvent(0), lap: 6, loop: false, keep: 30 };
 * slotAvailable(p, { start: 2, end: 4 }, 3.9, false); // false: not complete yet
 * slotAvailable(p, { start: 2, end: 4 }, 4, false); // true
 * ```
 */
export function slotAvailable(
  p: Playout,
  slot: Slot,
  rel: number,
  startedBefore: boolean,
): boolean {
  const end = playoutEnd(p);
  // After the end every lap that was played is whole but the last; lap 0 is the earliest.
  if (rel >= end) return startedBefore ? slot.start < end - 1e-9 : slot.end <= end + 1e-9;
  const newest = Math.max(0, Math.floor((rel - slot.end) / p.lap + 1e-9));
  return availableInLap(p, slot, p.loop ? newest : 0, rel);
}

/**
 * An ISO 8601 duration for seconds, to the millisecond: `PT30S`, `PT2.002S`.
 *
 * @example
 * ```ts
 * isoDuration(6); // "PT6S"
 * isoDuration(0.2); // "PT0.2S"
 * ```
 */
export function isoDuration(seconds: number): string {
  const ms = Math.round(seconds * 1000);
  const fraction = ms % 1000 === 0 ? "" : `.${String(ms % 1000).padStart(3, "0")}`;
  return `PT${Math.trunc(ms / 1000)}${fraction.replace(/0+$/, "")}S`;
}

/** What a live view of one format answers. */
export interface LiveView {
  /** The manifests it renders, as request paths. */
  readonly manifests: readonly string[];
  /** The text of manifest `path` at server time `nowMs`; `origin` is `http://host:port`. */
  manifest(path: string, nowMs: number, origin: string): string | undefined;
  /**
   * Whether `path` is one of its media segments and, if so, whether it can be fetched at
   * server time `nowMs`; undefined when the path is not one of its segments.
   */
  segment(path: string, nowMs: number): boolean | undefined;
  /** One line per manifest for the start message. */
  describe(): string[];
  /**
   * Other paths the file requested at `path` may be saved under in the folder (tried in
   * order when `path` itself is not there).
   */
  alternatives?(path: string): string[];
}
