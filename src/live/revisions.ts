/**
 * Every distinct revision of a manifest or playlist the origin served during a recording,
 * kept as it came, so a packager's mistake in one revision can be shown later (and replayed
 * by `streamkit serve --replay`):
 *
 * ```
 * OUT/.streamkit/live/<name>/<n>-<time>.<ext>
 * ```
 *
 * `<name>` is the manifest's path in the mirror (`manifest.mpd`, `180p/prog.m3u8`), `n`
 * counts from 1 (a later recording into the same folder numbers on), `time` is when it was
 * fetched, on the origin's clock, in ISO 8601 UTC with `:` written as `-`. A text equal to
 * the previous revision of the same manifest is not kept again. Only a hash of the last text
 * stays in memory.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { internalPath, sanitizeComponent } from "../mirror/layout.ts";
import type { OutputDir } from "../mirror/output.ts";
import { revisionFileName } from "./clock.ts";

/** The folder (under `.streamkit/`) the revisions are kept in. */
export const LIVE_DIR = "live";

/** What is remembered of one manifest. */
interface Kept {
  /** The number of the last revision written. */
  n: number;
  /** The hash of its text. */
  hash?: string;
  /** Its path, relative to the output directory. */
  last?: string;
}

/**
 * The keeper of manifest revisions for one output directory.
 *
 * @example
 * ```ts
 * import { OutputDir } from "../mirror/output.ts";
 * const out = new OutputDir("/tmp/out");
 * const text = '<MPD type="dynamic"/>';
 * const revisions = new Revisions(out);
 * revisions.keep("manifest.mpd", text, Date.now()); // ".streamkit/live/manifest.mpd/1-….mpd"
 * revisions.keep("manifest.mpd", text, Date.now()); // undefined: the same text again
 * ```
 */
export class Revisions {
  #out: OutputDir;
  #kept = new Map<string, Kept>();
  #count = 0;

  /** @param out the output directory */
  constructor(out: OutputDir) {
    this.#out = out;
  }

  /** Revisions written so far, all manifests together. */
  get count(): number {
    return this.#count;
  }

  /** The path of the last revision kept of `name`, if any. */
  last(name: string): string | undefined {
    return this.#kept.get(name)?.last;
  }

  /**
   * Keeps `text` as the next revision of the manifest saved at `name`, unless it is the same
   * as the previous one. Returns the path written (relative to the output directory).
   *
   * @param name the manifest's path in the mirror
   * @param text the text as served
   * @param atMs when it was fetched (origin clock)
   */
  keep(name: string, text: string, atMs: number): string | undefined {
    const kept = this.#kept.get(name) ?? { n: this.#existing(name) };
    this.#kept.set(name, kept);
    const hash = createHash("sha256").update(text).digest("base64");
    if (kept.hash === hash) return undefined;
    kept.n++;
    kept.hash = hash;
    const ext = /\.mpd$/i.test(name) ? "mpd" : "m3u8";
    const path = internalPath(LIVE_DIR, ...name.split("/"), revisionFileName(kept.n, atMs, ext));
    this.#out.writeText(path, text);
    kept.last = path;
    this.#count++;
    return path;
  }

  /** The highest revision number already in the folder of `name` (0 when none). */
  #existing(name: string): number {
    const dir = internalPath(LIVE_DIR, ...name.split("/").map(sanitizeComponent));
    let max = 0;
    try {
      for (const e of Deno.readDirSync(this.#out.abs(dir))) {
        const m = /^(\d+)-/.exec(e.name);
        if (m && e.isFile) max = Math.max(max, Number(m[1]));
      }
    } catch {
      // no folder yet
    }
    return max;
  }
}
