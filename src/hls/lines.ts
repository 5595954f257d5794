/**
 * The lines of a playlist, each with the exact terminator that ended it, so that a saved
 * copy can be rewritten byte for byte.
 *
 * @module
 */

/** One line of a playlist, with the exact terminator that ended it. */
export interface PlaylistLine {
  /** 1-based line number. */
  number: number;
  /** The line's text without its terminator (a `\r` before `\n` counts as terminator). */
  text: string;
  /** `"\n"`, `"\r\n"`, or `""` for the last line when the text does not end with `\n`. */
  eol: string;
}

/**
 * Splits a playlist into lines, keeping each terminator so that joining `text + eol` of
 * every line gives back the input exactly.
 *
 * @example
 * ```ts
 * splitLines("#EXTM3U\r\na.ts"); // [{number: 1, text: "#EXTM3U", eol: "\r\n"}, {number: 2, text: "a.ts", eol: ""}]
 * ```
 */
export function splitLines(text: string): PlaylistLine[] {
  const pieces = text.split("\n");
  return pieces.map((piece, i) => {
    const last = i === pieces.length - 1;
    if (!last && piece.endsWith("\r")) {
      return { number: i + 1, text: piece.slice(0, -1), eol: "\r\n" };
    }
    return { number: i + 1, text: piece, eol: last ? "" : "\n" };
  });
}
