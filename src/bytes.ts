/**
 * Small byte helpers that every layer uses: joining chunks, and writing all of a buffer to
 * a file (a single `write` may take only part of it).
 *
 * @module
 */

/**
 * Joins byte arrays into one.
 *
 * @example
 * ```ts
 * concatBytes([new Uint8Array([1]), new Uint8Array([2, 3])]); // Uint8Array [1, 2, 3]
 * ```
 */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let size = 0;
  for (const p of parts) size += p.length;
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Something bytes can be written to synchronously, like `Deno.FsFile`. */
export interface SyncWriter {
  /** Writes some of `p`, returning how many bytes it took. */
  writeSync(p: Uint8Array): number;
}

/** Something bytes can be written to, like `Deno.FsFile`. */
export interface AsyncWriter {
  /** Writes some of `p`, returning how many bytes it took. */
  write(p: Uint8Array): Promise<number>;
}

/**
 * Writes every byte of `bytes` to `file` synchronously.
 *
 * @example
 * ```ts
 * using file = Deno.openSync("/tmp/x.bin", { write: true, create: true, truncate: true });
 * writeAllSync(file, new Uint8Array([1, 2, 3]));
 * ```
 */
export function writeAllSync(file: SyncWriter, bytes: Uint8Array): void {
  let off = 0;
  while (off < bytes.length) off += file.writeSync(bytes.subarray(off));
}

/**
 * Writes every byte of `bytes` to `file`.
 *
 * @example
 * ```ts
 * using file = await Deno.open("/tmp/x.bin", { write: true, create: true, truncate: true });
 * await writeAll(file, new Uint8Array([1, 2, 3]));
 * ```
 */
export async function writeAll(file: AsyncWriter, bytes: Uint8Array): Promise<void> {
  let off = 0;
  while (off < bytes.length) off += await file.write(bytes.subarray(off));
}
