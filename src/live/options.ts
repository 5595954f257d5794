/**
 * What a live recording is asked to do: where to begin (`--from-start`), when to stop
 * (`--duration`), and how long a late segment is waited for before it is a gap.
 *
 * @module
 */

/** Seconds after its availability time a segment that does not come becomes a gap. */
export const GAP_SECONDS = 10;

/** Options of a live recording. */
export interface LiveOptions {
  /**
   * Begin at the oldest segment still available (DASH: the time-shift window; HLS: the
   * first segment of the playlist) instead of the live edge.
   */
  fromStart: boolean;
  /** Stop once the recorded media covers this many seconds. */
  durationSeconds?: number;
  /** Seconds after its availability a missing segment is a gap. @default GAP_SECONDS */
  gapSeconds?: number;
}

/**
 * Parses a `--duration` value: seconds (`90`, `12.5`) or `[[HH:]MM:]SS[.fff]` (`1:30`,
 * `01:00:00`). Undefined when it is neither, or not positive.
 *
 * @example
 * ```ts
 * parseRecordDuration("90");        // 90
 * parseRecordDuration("01:02:03");  // 3723
 * parseRecordDuration("1:30.5");    // 90.5
 * parseRecordDuration("-3");        // undefined
 * ```
 */
export function parseRecordDuration(text: string): number | undefined {
  const t = text.trim();
  let seconds: number;
  if (/^\d+(\.\d+)?$/.test(t)) seconds = Number(t);
  else {
    const m = /^(?:(\d+):)?(\d{1,2}):(\d{1,2}(?:\.\d+)?)$/.exec(t);
    if (!m) return undefined;
    const [h, mi, s] = [Number(m[1] ?? 0), Number(m[2]), Number(m[3])];
    if (mi >= 60 || s >= 60) return undefined;
    seconds = h * 3600 + mi * 60 + s;
  }
  return Number.isFinite(seconds) && seconds > 0 ? seconds : undefined;
}
