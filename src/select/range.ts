/**
 * `--range START-END`: a span of the presentation timeline. Times are seconds (`90`,
 * `12.5`) or `[HH:]MM:SS(.mmm)` (`00:41:00`, `41:00.5`); `START-` runs to the end and
 * `-END` from the beginning. A segment is kept when it overlaps `[START, END)`.
 *
 * @module
 */

/** A span of the presentation timeline, seconds; `end` is Infinity for an open end. */
export interface TimeRange {
  /** Where it begins (0 for an open start). */
  start: number;
  /** Where it ends, exclusive (Infinity for an open end). */
  end: number;
  /** As the user wrote it. */
  text: string;
}

/** A time as `--range` writes it, in seconds, or undefined. */
export function parseTime(text: string): number | undefined {
  const t = text.trim();
  if (/^\d+(\.\d+)?$/.test(t)) return Number(t);
  const m = /^(?:(\d+):)?(\d{1,2}):(\d{1,2}(?:\.\d+)?)$/.exec(t);
  if (!m) return undefined;
  const [h, min, s] = [Number(m[1] ?? 0), Number(m[2]), Number(m[3])];
  if ((m[1] !== undefined && min >= 60) || s >= 60) return undefined;
  return h * 3600 + min * 60 + s;
}

/**
 * Parses `START-END`; returns the range, or a sentence saying what is wrong.
 *
 * @example
 * ```ts
 * parseRange("00:41:00-00:43:00"); // { start: 2460, end: 2580, text: "00:41:00-00:43:00" }
 * parseRange("90-");                // { start: 90, end: Infinity, text: "90-" }
 * parseRange("5-2");                // "--range 5-2: START must be before END"
 * ```
 */
export function parseRange(text: string): TimeRange | string {
  const m = /^([^-]*)-([^-]*)$/.exec(text.trim());
  const usage = "give START-END, START- or -END, in seconds or HH:MM:SS(.mmm)";
  if (!m || (m[1].trim() === "" && m[2].trim() === "")) return `--range ${text}: ${usage}`;
  const start = m[1].trim() === "" ? 0 : parseTime(m[1]);
  const end = m[2].trim() === "" ? Infinity : parseTime(m[2]);
  if (start === undefined) return `--range ${text}: "${m[1].trim()}" is not a time (${usage})`;
  if (end === undefined) return `--range ${text}: "${m[2].trim()}" is not a time (${usage})`;
  if (!(start < end)) return `--range ${text}: START must be before END`;
  return { start, end, text };
}

/** Whether `[start, end)` overlaps the range (a segment of no length counts at its start). */
export function overlaps(range: TimeRange, start: number, end: number): boolean {
  const eps = 1e-9;
  if (end <= start) return start >= range.start - eps && start < range.end - eps;
  return start < range.end - eps && end > range.start + eps;
}
