/**
 * ISO 8601 durations as used by MPD attributes (`xs:duration`): `PT6.0S`, `PT1H2M3.5S`,
 * `P1DT2H`, `P2W`, `PT0,5S`, and `P1Y2M` (a year counts 365 days, a month 30 days, as
 * players do: the MPD has no calendar to anchor them to).
 *
 * @module
 */

const SECONDS = {
  Y: 365 * 86400,
  M_DATE: 30 * 86400,
  W: 7 * 86400,
  D: 86400,
  H: 3600,
  M_TIME: 60,
  S: 1,
} as const;

const PATTERN =
  /^(-)?P(?:(\d+(?:[.,]\d+)?)Y)?(?:(\d+(?:[.,]\d+)?)M)?(?:(\d+(?:[.,]\d+)?)W)?(?:(\d+(?:[.,]\d+)?)D)?(?:T(?:(\d+(?:[.,]\d+)?)H)?(?:(\d+(?:[.,]\d+)?)M)?(?:(\d+(?:[.,]\d+)?)S)?)?$/;

/**
 * Parses an ISO 8601 duration into seconds. Returns `undefined` for text that is not a
 * duration (callers turn that into an error naming the attribute). Negative durations
 * are returned as negative numbers; callers decide whether they make sense.
 *
 * @example
 * ```ts
 * parseDuration("PT1M30.5S"); // 90.5
 * parseDuration("P1DT1S"); // 86401
 * parseDuration("soon"); // undefined
 * ```
 */
export function parseDuration(text: string): number | undefined {
  const m = PATTERN.exec(text.trim());
  if (!m) return undefined;
  const [, neg, y, mo, w, d, h, mi, s] = m;
  const parts: [string | undefined, number][] = [
    [y, SECONDS.Y],
    [mo, SECONDS.M_DATE],
    [w, SECONDS.W],
    [d, SECONDS.D],
    [h, SECONDS.H],
    [mi, SECONDS.M_TIME],
    [s, SECONDS.S],
  ];
  const present = parts.filter(([v]) => v !== undefined);
  // "P" alone or "PT" alone is not a duration.
  if (present.length === 0) return undefined;
  // Only the smallest component given may carry a fraction.
  for (let i = 0; i < present.length - 1; i++) {
    if (/[.,]/.test(present[i][0]!)) return undefined;
  }
  let total = 0;
  for (const [v, unit] of present) total += Number(v!.replace(",", ".")) * unit;
  return neg ? -total : total;
}
