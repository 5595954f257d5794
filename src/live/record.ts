/**
 * The record of what a live recording saved: one JSON line per resource, appended when the
 * resource is on disk under its final name, to `OUT/.streamkit/live/saved.jsonl`. The VOD
 * manifests are written from it at the end, so the recorder keeps in memory only the
 * segments in flight, however long it runs; and after a kill the record still says exactly
 * what the folder holds.
 *
 * @module
 */
import { writeAllSync } from "../bytes.ts";
import { internalPath } from "../mirror/layout.ts";
import type { OutputDir } from "../mirror/output.ts";
import { LIVE_DIR } from "./revisions.ts";

/** Where the record is kept, relative to the output directory. */
export const RECORD_PATH = internalPath(LIVE_DIR, "saved.jsonl");

const encoder = new TextEncoder();

/**
 * An append-only record of JSON values, one per line. A new recording starts it afresh.
 *
 * @example
 * ```ts
 * import { OutputDir } from "../mirror/output.ts";
 * const out = new OutputDir("/tmp/out");
 * const record = SavedRecord.create(out);
 * record.append({ track: "0", t: 0, d: 2000, path: "chunk-0-0.m4s" });
 * record.close();
 * for await (const entry of readRecord(out)) console.log(entry);
 * ```
 */
export class SavedRecord {
  #file: Deno.FsFile;

  private constructor(file: Deno.FsFile) {
    this.#file = file;
  }

  /**
   * Starts the record of a new recording in `out` (an earlier one is replaced; a symlink
   * planted in its place is removed, never followed).
   */
  static create(out: OutputDir): SavedRecord {
    out.ensureParent(RECORD_PATH);
    const abs = out.abs(RECORD_PATH);
    try {
      Deno.removeSync(abs);
    } catch (err) {
      if (!(err instanceof Deno.errors.NotFound)) throw err;
    }
    return new SavedRecord(Deno.openSync(abs, { write: true, createNew: true }));
  }

  /** Appends one value as a line (written through at once). */
  append(value: unknown): void {
    writeAllSync(this.#file, encoder.encode(JSON.stringify(value) + "\n"));
  }

  /** Closes the file. */
  close(): void {
    try {
      this.#file.close();
    } catch {
      // already closed
    }
  }
}

/**
 * Reads the record of `out` back, value by value, streaming (a line that does not parse —
 * the last one, cut by a kill — is skipped).
 */
export async function* readRecord<T>(out: OutputDir): AsyncGenerator<T> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(out.abs(RECORD_PATH), { read: true });
  } catch (err) {
    if (err instanceof Deno.errors.NotFound) return;
    throw err;
  }
  const lines = file.readable.pipeThrough(new TextDecoderStream());
  let rest = "";
  for await (const chunk of lines) {
    rest += chunk;
    let nl: number;
    while ((nl = rest.indexOf("\n")) >= 0) {
      const line = rest.slice(0, nl);
      rest = rest.slice(nl + 1);
      const value = parseLine<T>(line);
      if (value !== undefined) yield value;
    }
  }
  const last = parseLine<T>(rest);
  if (last !== undefined) yield last;
}

function parseLine<T>(line: string): T | undefined {
  if (line.trim() === "") return undefined;
  try {
    return JSON.parse(line) as T;
  } catch {
    return undefined;
  }
}
