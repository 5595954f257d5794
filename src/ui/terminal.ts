/**
 * The one writer to the terminal. Every line streamkit prints during a run goes through
 * here, so a live progress display and messages from parallel workers never garble each
 * other.
 *
 * @module
 */
import type { createLogUpdate } from "log-update";

const encoder = new TextEncoder();

/**
 * log-update and node:process, loaded only when stderr is a terminal: a live display is
 * possible only then ({@link displayMode}), and loading them costs about 25 ms of start-up
 * (log-update's dependencies pull in much of Deno's Node compatibility layer).
 */
const liveDeps = Deno.stderr.isTerminal()
  ? { ...(await import("log-update")), process: (await import("node:process")).default }
  : undefined;

/** How progress and messages are shown. */
export type DisplayMode = "tty" | "plain" | "quiet";

/** Picks the display mode: `quiet` when asked, `tty` when stderr is a terminal. */
export function displayMode(quiet: boolean): DisplayMode {
  if (quiet) return "quiet";
  if (!Deno.stderr.isTerminal() || Deno.env.get("TERM") === "dumb") return "plain";
  try {
    // A pseudo-terminal without a size cannot show a live line.
    if (Deno.consoleSize().rows === 0) return "plain";
  } catch {
    return "plain";
  }
  return "tty";
}

/** Writes text to stdout (results: summaries, plans, JSON). */
export function writeOut(text: string): void {
  const data = encoder.encode(text);
  let off = 0;
  while (off < data.length) off += Deno.stdout.writeSync(data.subarray(off));
}

/**
 * The stderr writer: a live area (redrawn in place on a terminal) and lines printed above
 * it.
 */
export class Terminal {
  #mode: DisplayMode;
  #live: ReturnType<typeof createLogUpdate> | undefined;
  #frame = "";

  /** @param mode how to display */
  constructor(mode: DisplayMode) {
    this.#mode = mode;
    if (mode === "tty" && liveDeps) {
      this.#live = liveDeps.createLogUpdate(liveDeps.process.stderr, { showCursor: true });
    }
  }

  /** The display mode. */
  get mode(): DisplayMode {
    return this.#mode;
  }

  /** Prints a message line on stderr (above the live area). Shown even when quiet if `always`. */
  line(text: string, always = false): void {
    if (this.#mode === "quiet" && !always) return;
    if (this.#live && this.#frame) {
      this.#live.clear();
      this.#writeErr(`${text}\n`);
      this.#live(this.#frame);
    } else this.#writeErr(`${text}\n`);
  }

  /** Redraws the live area (terminal only). */
  live(frame: string): void {
    if (!this.#live) return;
    this.#frame = frame;
    this.#live(frame);
  }

  /** Leaves the live area as it is and stops redrawing it. */
  done(): void {
    if (this.#live && this.#frame) this.#live.done();
    this.#frame = "";
  }

  #writeErr(text: string): void {
    const data = encoder.encode(text);
    let off = 0;
    while (off < data.length) off += Deno.stderr.writeSync(data.subarray(off));
  }
}
