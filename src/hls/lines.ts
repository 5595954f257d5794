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

/** A line of {@link eachLine}: its number, text and the offset of its first character. */
export interface LineAt {
  /** 1-based line number. */
  number: number;
  /** The line's text without its terminator. */
  text: string;
  /** Offset of its first character in the whole text. */
  offset: number;
}

/**
 * The lines of a text one at a time, as {@link splitLines} cuts them, without keeping them:
 * a 100,000-segment playlist is read without 200,000 line objects held at once.
 *
 * @example
 * ```ts
 * [...eachLine("#EXTM3U\r\na.ts")].map((l) => l.offset); // [0, 9]
 * ```
 */
export function* eachLine(text: string): Generator<LineAt> {
  let offset = 0;
  for (let number = 1;; number++) {
    const nl = text.indexOf("\n", offset);
    if (nl < 0) {
      yield { number, text: text.slice(offset), offset };
      return;
    }
    const end = nl > offset && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
    yield { number, text: text.slice(offset, end), offset };
    offset = nl + 1;
  }
}

/**
 * The lines of a file one at a time, as {@link eachLine} cuts its text (decoded as UTF-8, as
 * `Deno.readTextFile` does), read in pieces of `chunk` bytes: a saved playlist of 100,000
 * segments is read back without its whole text, or its bytes, in memory. The file is closed
 * when the lines run out or the reader stops early.
 *
 * @example
 * ```ts
 * for (const line of eachLineOfFile("out/index.m3u8")) console.log(line.number, line.text);
 * ```
 */
export function* eachLineOfFile(path: string, chunk = 1 << 16): Generator<LineAt> {
  const file = Deno.openSync(path, { read: true });
  try {
    const buffer = new Uint8Array(chunk);
    const decoder = new TextDecoder("utf-8", { ignoreBOM: true }); // as readTextFile: a BOM kept
    let carry = "", offset = 0, number = 1;
    for (;;) {
      const n = file.readSync(buffer);
      const done = n === null || n === 0;
      const text = carry + decoder.decode(done ? undefined : buffer.subarray(0, n), {
        stream: !done,
      });
      let from = 0;
      for (let nl = text.indexOf("\n"); nl >= 0; nl = text.indexOf("\n", from)) {
        const end = nl > from && text.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
        yield { number: number++, text: text.slice(from, end), offset: offset + from };
        from = nl + 1;
      }
      offset += from;
      carry = text.slice(from);
      if (done) {
        yield { number, text: carry, offset };
        return;
      }
    }
  } finally {
    file.close();
  }
}

/**
 * The tag name a line holds (`EXTINF`, `EXT-X-KEY`), or undefined for a comment, a URI or a
 * blank line.
 *
 * @example
 * ```ts
 * tagOf("#EXT-X-KEY:METHOD=NONE"); // "EXT-X-KEY"
 * tagOf("seg-1.ts"); // undefined
 * ```
 */
export function tagOf(text: string): string | undefined {
  return /^\s*#(EXT[A-Z0-9-]*)/.exec(text)?.[1];
}
