/**
 * Time for the live recorder: the local clock (injectable, so timing code can be tested
 * without waiting), waiting until a moment, and the origin's clock — the local one corrected
 * by the skew measured with a DASH `UTCTiming` element or an HTTP `Date` header (see
 * `utc_timing.ts`). Availability times in a manifest are on the origin's clock; waits are on
 * the local one.
 *
 * @module
 */
import { sleep } from "../net/retry.ts";

/** Wall-clock time and waiting. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Waits `ms` milliseconds; rejects with the signal's reason when it aborts. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** The system clock (`Date.now`, timers). */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) => sleep(Math.max(0, ms), signal),
};

/**
 * Waits until `clock.now()` has reached `at` (a timer may fire a little early: this checks
 * and waits again, so the moment is never anticipated).
 *
 * @example
 * ```ts
 * await sleepUntil(systemClock, Date.now() + 50);
 * ```
 */
export async function sleepUntil(clock: Clock, at: number, signal?: AbortSignal): Promise<void> {
  for (;;) {
    if (signal?.aborted) throw signal.reason;
    const left = at - clock.now();
    if (left <= 0) return;
    await clock.sleep(left, signal);
  }
}

/**
 * The origin's clock: the local clock plus the measured offset (origin minus local). The
 * offset is a lower bound of the true one (see `utc_timing.ts`), so the recorder may wait a
 * little longer than needed, never less.
 *
 * @example
 * ```ts
 * const origin = new OriginClock(systemClock);
 * origin.offsetMs = -3000;          // the origin runs 3 s behind
 * origin.toLocal(origin.now());     // ≈ Date.now()
 * ```
 */
export class OriginClock {
  /** The local clock. */
  readonly local: Clock;
  /** Origin time minus local time, in milliseconds. */
  offsetMs = 0;

  /** @param local the local clock */
  constructor(local: Clock) {
    this.local = local;
  }

  /** The origin's time now, in milliseconds since the epoch. */
  now(): number {
    return this.local.now() + this.offsetMs;
  }

  /** The local time at which the origin's clock shows `originMs`. */
  toLocal(originMs: number): number {
    return originMs - this.offsetMs;
  }
}

/**
 * Parses an `xs:dateTime` (or an ISO 8601 date-time) into milliseconds since the epoch; a
 * value without a time zone is UTC, as DASH reads it. Undefined when it is not a date.
 *
 * @example
 * ```ts
 * parseDateTime("2026-12-04T10:00:00Z");   // 1796378400000
 * parseDateTime("2026-12-04T10:00:00");    // the same
 * ```
 */
export function parseDateTime(text: string): number | undefined {
  const t = text.trim();
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/.test(t)) {
    return undefined;
  }
  const zoned = /(Z|[+-]\d{2}:?\d{2})$/.test(t) ? t : `${t}Z`;
  const ms = Date.parse(zoned);
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * The file name of a kept manifest revision: `<n>-<time>.<ext>`, the time in ISO 8601 UTC
 * with `:` written as `-` (a name every file system accepts), as `serve --replay` reads it.
 *
 * @example
 * ```ts
 * revisionFileName(3, Date.parse("2026-12-04T10:00:05.123Z"), "mpd");
 * // "3-2026-12-04T10-00-05.123Z.mpd"
 * ```
 */
export function revisionFileName(n: number, atMs: number, ext: string): string {
  return `${n}-${new Date(atMs).toISOString().replaceAll(":", "-")}.${ext}`;
}
