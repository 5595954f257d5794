/**
 * Reading a response body: chunk by chunk into one reused buffer (so memory stays flat
 * however much is downloaded), and decoding a body that a server gzip- or deflate-encoded
 * although it was asked for `identity`.
 *
 * @module
 */
import { describeError, HttpError } from "./retry.ts";

/** Size of the buffer a body is read into when buffers are reused. */
export const READ_BUFFER_SIZE = 256 * 1024;

/** A body reader: `read()` gives the next chunk; `releaseLock()` lets the body go. */
export interface BodyReader {
  /** The next chunk, or done. */
  read(): Promise<ReadableStreamReadResult<Uint8Array>>;
  /**
   * Releases the body (and the reused buffer). A body read to its end keeps its lock: the
   * stream is closed, and releasing a lock costs two `TypeError`s (stack traces included),
   * which add up over 100,000 small downloads.
   */
  releaseLock(): void;
}

/** Read buffers of finished bodies, handed to the next ones (one per parallel download). */
const spareBuffers: Uint8Array[] = [];

/** The most read buffers kept for reuse. */
const MAX_SPARE_BUFFERS = 64;

/**
 * A reader of `body`. With `reuse` (and a byte stream, as fetch bodies are), a BYOB reader
 * that fills one {@link READ_BUFFER_SIZE} buffer again and again: each chunk is a view of it,
 * valid only until the next `read()`. Otherwise the default reader, whose every chunk is
 * fresh memory.
 *
 * @example
 * ```ts
 * const response = await fetch("https://cdn.example/seg-1.m4s");
 * using file = Deno.openSync("/tmp/seg-1.m4s", { write: true, create: true });
 * const reader = bodyReader(response.body!, true);
 * for (let r = await reader.read(); !r.done; r = await reader.read()) file.writeSync(r.value);
 * reader.releaseLock();
 * ```
 */
export function bodyReader(body: ReadableStream<Uint8Array>, reuse: boolean): BodyReader {
  let byob: ReadableStreamBYOBReader | undefined;
  if (reuse) {
    try {
      byob = body.getReader({ mode: "byob" });
    } catch {
      // not a byte stream: fall back to the default reader
    }
  }
  if (!byob) {
    const plain = body.getReader();
    let ended = false;
    return {
      async read() {
        const r = await plain.read();
        if (r.done) ended = true;
        return r;
      },
      releaseLock() {
        if (!ended) plain.releaseLock();
      },
    };
  }
  const reader = byob;
  let buffer = spareBuffers.pop() ?? new Uint8Array(READ_BUFFER_SIZE);
  let ended = false;
  return {
    async read() {
      const r = await reader.read(buffer);
      // The read transfers the buffer and hands back a view of the same memory: keep it.
      if (r.value) buffer = new Uint8Array(r.value.buffer);
      if (r.done) ended = true;
      return r.done ? { done: true, value: undefined } : { done: false, value: r.value };
    },
    releaseLock() {
      if (!ended) reader.releaseLock();
      // A buffer still lent to an unfinished read is detached (length 0): not reusable.
      if (buffer.byteLength === READ_BUFFER_SIZE && spareBuffers.length < MAX_SPARE_BUFFERS) {
        spareBuffers.push(buffer);
      }
    },
  };
}

/** A body encoding streamkit decodes, or one it cannot. */
export type BodyEncoding = "gzip" | "deflate" | "unsupported";

/**
 * The decoder a response's Content-Encoding needs: `undefined` for none (or `identity`),
 * `unsupported` for an encoding streamkit cannot decode.
 */
export function contentEncoding(headers: Headers): BodyEncoding | undefined {
  const enc = (headers.get("content-encoding") ?? "").trim().toLowerCase();
  if (enc === "" || enc === "identity") return undefined;
  if (enc === "gzip" || enc === "x-gzip") return "gzip";
  if (enc === "deflate") return "deflate";
  return "unsupported";
}

/**
 * Decodes an encoded body; a corrupt or truncated one is a retryable {@link HttpError} (the
 * gzip trailer's length and checksum check it), an unsupported encoding a final one.
 */
export async function* decodeBody(
  source: AsyncGenerator<Uint8Array>,
  format: BodyEncoding,
  url: string,
): AsyncGenerator<Uint8Array> {
  if (format !== "gzip" && format !== "deflate") {
    await source.return(undefined);
    throw new HttpError(`unsupported Content-Encoding from ${url}`, { retryable: false });
  }
  const stream = new DecompressionStream(format);
  const writer = stream.writable.getWriter();
  let sourceError: unknown;
  const pump = (async () => {
    try {
      for await (const chunk of source) await writer.write(chunk as Uint8Array<ArrayBuffer>);
      await writer.close();
    } catch (err) {
      sourceError = err;
      await writer.abort(err).catch(() => {});
    }
  })();
  const reader = stream.readable.getReader();
  try {
    while (true) {
      let r: ReadableStreamReadResult<Uint8Array>;
      try {
        r = await reader.read();
      } catch (err) {
        await pump;
        throw sourceError ??
          new HttpError(`corrupt ${format} body: ${describeError(err)}`, { retryable: true });
      }
      if (r.done) break;
      yield r.value;
    }
    await pump;
    if (sourceError) throw sourceError;
  } finally {
    reader.releaseLock();
    await source.return(undefined).catch(() => {});
  }
}
