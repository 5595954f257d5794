/**
 * The one writer to standard error during a run: message lines, and on a terminal a live
 * area of a few lines redrawn in place below them, so a progress display and messages from
 * parallel workers never garble each other.
 *
 * @module
 */
import type { Io, OutputStream } from "./io.ts";

/** How progress and messages are shown. */
export type DisplayMode = "tty" | "plain" | "quiet";

/**
 * Picks the display mode: `quiet` when asked, `tty` when stderr is a terminal with a size
 * (and `TERM` is not `dumb`), `plain` otherwise.
 */
export function displayMode(io: Io, quiet: boolean): DisplayMode {
  if (quiet) return "quiet";
  if (!io.stderr.isTerminal || io.env("TERM") === "dumb") return "plain";
  return io.stderr.size() === undefined ? "plain" : "tty";
}

/** Erases the whole line the cursor is on (the cursor stays where it is). */
const ERASE_LINE = "\x1b[2K";

/** Moves the cursor up `n` lines (nothing for 0). */
function up(n: number): string {
  return n > 0 ? `\x1b[${n}A` : "";
}

/** Cuts `line` to fit `columns` (so no line wraps and the redraw stays in place). */
function fit(line: string, columns: number): string {
  const chars = [...line];
  return chars.length < columns ? line : chars.slice(0, Math.max(1, columns - 1)).join("");
}

/**
 * Standard error as a run shows it: {@link line} prints a message above the live area;
 * {@link live} redraws the area (terminal only); {@link done} leaves the last frame.
 *
 * @example
 * ```ts
 * import { memoryIo } from "./io.ts";
 * const io = memoryIo({ terminal: { columns: 80, rows: 24 } });
 * const term = new Terminal(io, displayMode(io, false));
 * term.live(["3/10 files"]);
 * term.line("note: something to know");
 * term.done();
 * ```
 */
export class Terminal {
  #mode: DisplayMode;
  #err: OutputStream;
  #frame: string[] = [];
  #shown = 0;

  /**
   * @param io the process's streams
   * @param mode how to display
   */
  constructor(io: Io, mode: DisplayMode) {
    this.#mode = mode;
    this.#err = io.stderr;
  }

  /** The display mode. */
  get mode(): DisplayMode {
    return this.#mode;
  }

  /** Rows the live area may use (a screenful less a few lines for messages). */
  get rows(): number {
    return Math.max(3, (this.#err.size()?.rows ?? 24) - 4);
  }

  /** Prints a message line on stderr (above the live area). Shown even when quiet if `always`. */
  line(text: string, always = false): void {
    if (this.#mode === "quiet" && !always) return;
    if (this.#shown > 0) {
      // The message takes the area's first line; the area is drawn again one line lower.
      this.#err.write(`${this.#top()}${ERASE_LINE}${text}\n${this.#draw(this.#frame, 0)}`);
    } else this.#err.write(`${text}\n`);
  }

  /** Redraws the live area with `frame` (one string per line); terminal only. */
  live(frame: string[]): void {
    if (this.#mode !== "tty") return;
    if (frame.length === 0) return this.clear();
    const before = this.#shown;
    this.#frame = frame;
    this.#err.write(this.#top() + this.#draw(frame, before));
  }

  /** Leaves the live area's last frame on screen and stops redrawing it. */
  done(): void {
    if (this.#shown > 0) this.#err.write("\n");
    this.#shown = 0;
    this.#frame = [];
  }

  /** Clears the live area (nothing of it stays on screen). */
  clear(): void {
    if (this.#shown > 0) {
      const n = this.#shown;
      this.#err.write(this.#top() + `${ERASE_LINE}\n`.repeat(n - 1) + ERASE_LINE + up(n - 1));
    }
    this.#shown = 0;
    this.#frame = [];
  }

  /**
   * The cursor to the start of the area's first line. The area is redrawn line by line, each
   * line erased as it is written: erasing the whole screen from its top-left corner would
   * push the old frame into the scrollback of terminals such as tmux (`scroll-on-clear`).
   */
  #top(): string {
    return this.#shown > 0 ? `\r${up(this.#shown - 1)}` : "";
  }

  /**
   * `frame`'s lines from the cursor down, each erased first; then the lines of an older,
   * taller frame below it (`before` lines in all) erased, and the cursor back at the end of
   * the frame's last line.
   */
  #draw(frame: string[], before: number): string {
    const columns = this.#err.size()?.columns ?? 80;
    let out = frame.map((l) => ERASE_LINE + fit(l, columns)).join("\n");
    const extra = before - frame.length;
    if (extra > 0) out += `\n${ERASE_LINE}`.repeat(extra) + up(extra);
    this.#shown = frame.length;
    return out;
  }
}
