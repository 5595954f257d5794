/**
 * HTTP for streamkit: one request with timeouts, the retry policy (which failures are worth
 * another try, and how long to wait), and whole-text fetches for manifests.
 *
 * @module
 */
import { VERSION } from "../version.ts";

/** How requests are made; shared by every fetch of a run. */
export interface HttpOptions {
  /** Extra request headers from `-H "Name: value"`, sent with every request. */
  headers: [string, string][];
  /** Seconds to wait for response headers, and for the next body bytes. */
  timeoutMs: number;
  /** Further attempts after the first one fails with a retryable error. */
  retries: number;
  /** Base of the exponential backoff, in milliseconds. */
  retryDelayMs: number;
  /** Aborts everything (Ctrl-C). */
  signal?: AbortSignal;
}

/** Default {@link HttpOptions}. */
export const DEFAULT_HTTP: HttpOptions = {
  headers: [],
  timeoutMs: 30_000,
  retries: 5,
  retryDelayMs: 500,
};

/** Longest wait honoured from a `Retry-After` header, and the backoff cap. */
export const MAX_RETRY_WAIT_MS = 60_000;

/** A failed request: the status (when there was a response) and whether to retry. */
export class HttpError extends Error {
  /** HTTP status, when the server answered. */
  readonly status?: number;
  /** Whether another attempt may succeed. */
  readonly retryable: boolean;
  /** Milliseconds the server asked to wait (`Retry-After`), when it did. */
  readonly retryAfterMs?: number;

  /**
   * @param message what happened
   * @param init status, retryability and the server's `Retry-After`
   */
  constructor(
    message: string,
    init: { status?: number; retryable: boolean; retryAfterMs?: number },
  ) {
    super(message);
    this.name = "HttpError";
    this.status = init.status;
    this.retryable = init.retryable;
    this.retryAfterMs = init.retryAfterMs;
  }
}

/** Whether a response status is worth another attempt: 408, 429 and 5xx. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/** Parses `Retry-After` (seconds or an HTTP date) into milliseconds from now. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/**
 * The wait before retry number `attempt` (1-based): exponential backoff with full jitter,
 * or the server's `Retry-After` when it gave one; both capped at {@link MAX_RETRY_WAIT_MS}.
 */
export function retryDelay(attempt: number, baseMs: number, retryAfterMs?: number): number {
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs, MAX_RETRY_WAIT_MS);
  const ceiling = Math.min(baseMs * 2 ** (attempt - 1), MAX_RETRY_WAIT_MS);
  return ceiling / 2 + Math.random() * ceiling / 2;
}

/** Sleeps `ms`, or less when `signal` aborts (then rejects with the abort reason). */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** Describes a thrown fetch/stream error in a few words. */
export function describeError(err: unknown): string {
  if (err instanceof HttpError) return err.message;
  if (err instanceof DOMException && err.name === "TimeoutError") return err.message;
  if (err instanceof Error) {
    const cause = err.cause instanceof Error ? `: ${err.cause.message}` : "";
    return `${err.message}${cause}`;
  }
  return String(err);
}

/** A response whose body is read with an idle timeout; `done()` releases the timers. */
export interface TimedResponse {
  /** The response (body not yet read). */
  response: Response;
  /**
   * Whether the server sent the body with a Content-Encoding (although streamkit asks for
   * `identity`): then Content-Length counts encoded bytes and ranges do not apply to the
   * resource's bytes.
   */
  encoded: boolean;
  /**
   * Reads the body chunk by chunk, decoded when the server gzip- or deflate-encoded it;
   * errors when no byte arrives within the timeout, or when the encoded body is corrupt or
   * cut short (gzip's own trailer checks it).
   *
   * With `reuse`, an unencoded body is read into one buffer of {@link READ_BUFFER_SIZE}
   * bytes, over and over: each chunk is a view of it, valid only until the next one is
   * asked for. That keeps memory flat however much is downloaded (each fresh chunk would
   * be a new off-heap buffer that lives until the garbage collector runs), for consumers
   * that are done with a chunk before they ask for the next, like a file writer.
   */
  chunks(options?: { reuse?: boolean }): AsyncGenerator<Uint8Array>;
  /** Cancels the body (if unread) and clears timers. */
  done(): Promise<void>;
}

/**
 * One HTTP request with streamkit's headers and timeouts: the response headers must come
 * within `timeoutMs`, and then each body chunk within `timeoutMs` of the previous one.
 * Non-2xx statuses are returned, not thrown; network errors and timeouts throw
 * {@link HttpError} (retryable), and `options.signal` aborts with its reason.
 */
export async function request(
  url: string,
  options: HttpOptions,
  init: { method?: string; headers?: Record<string, string> } = {},
): Promise<TimedResponse> {
  const controller = new AbortController();
  const onAbort = () => controller.abort(options.signal!.reason);
  options.signal?.addEventListener("abort", onAbort, { once: true });
  // One timer per request, not one per body chunk: `arm` only moves the deadline, and the
  // timer, when it fires early, sleeps again until the deadline it finds.
  let timer: ReturnType<typeof setTimeout> | undefined;
  let deadline = 0;
  let timedOut = false;
  const onTimer = () => {
    const left = deadline - performance.now();
    if (left > 0) {
      timer = setTimeout(onTimer, left);
      return;
    }
    timer = undefined;
    timedOut = true;
    controller.abort(new DOMException("timed out", "TimeoutError"));
  };
  const arm = () => {
    deadline = performance.now() + options.timeoutMs;
    timer ??= setTimeout(onTimer, options.timeoutMs);
  };
  const disarm = () => {
    clearTimeout(timer);
    timer = undefined;
  };
  const release = () => {
    disarm();
    options.signal?.removeEventListener("abort", onAbort);
  };
  const headers = new Headers({
    "User-Agent": `streamkit/${VERSION}`,
    "Accept-Encoding": "identity",
    ...init.headers,
  });
  for (const [k, v] of options.headers) headers.set(k, v);
  arm();
  let response: Response;
  try {
    response = await fetch(url, {
      method: init.method ?? "GET",
      headers,
      signal: controller.signal,
      redirect: "follow",
    });
  } catch (err) {
    release();
    if (options.signal?.aborted) throw options.signal.reason;
    throw new HttpError(
      timedOut
        ? `no response within ${options.timeoutMs / 1000} s`
        : `network error: ${describeError(err)}`,
      { retryable: true },
    );
  }
  const body = response.body;
  async function* raw(reuse: boolean): AsyncGenerator<Uint8Array> {
    if (!body) return;
    const reader = bodyReader(body, reuse);
    try {
      while (true) {
        arm();
        let r: ReadableStreamReadResult<Uint8Array>;
        try {
          r = await reader.read();
        } catch (err) {
          if (options.signal?.aborted) throw options.signal.reason;
          throw new HttpError(
            timedOut
              ? `body stalled: no data for ${options.timeoutMs / 1000} s`
              : `connection broken: ${describeError(err)}`,
            { retryable: true },
          );
        }
        if (r.done) return;
        yield r.value;
      }
    } finally {
      disarm();
      reader.releaseLock();
    }
  }
  const encoding = contentEncoding(response);
  return {
    response,
    encoded: encoding !== undefined,
    chunks: (opts) =>
      encoding === undefined ? raw(opts?.reuse ?? false) : decoded(raw(false), encoding, url),
    async done() {
      release();
      await body?.cancel().catch(() => {});
    },
  };
}

/** Size of the buffer a body is read into with `chunks({ reuse: true })`. */
export const READ_BUFFER_SIZE = 256 * 1024;

/** A body reader: `read()` gives the next chunk; `releaseLock()` lets the body go. */
interface BodyReader {
  read(): Promise<ReadableStreamReadResult<Uint8Array>>;
  releaseLock(): void;
}

/**
 * A reader of `body`. With `reuse` (and a byte stream, as fetch bodies are), a BYOB reader
 * that fills one {@link READ_BUFFER_SIZE} buffer again and again; otherwise the default
 * reader, whose every chunk is fresh memory.
 */
function bodyReader(body: ReadableStream<Uint8Array>, reuse: boolean): BodyReader {
  let byob: ReadableStreamBYOBReader | undefined;
  if (reuse) {
    try {
      byob = body.getReader({ mode: "byob" });
    } catch {
      // not a byte stream: fall back to the default reader
    }
  }
  if (!byob) return body.getReader();
  const reader = byob;
  let buffer = spareBuffers.pop() ?? new Uint8Array(READ_BUFFER_SIZE);
  return {
    async read() {
      const r = await reader.read(buffer);
      // The read transfers the buffer and hands back a view of the same memory: keep it.
      if (r.value) buffer = new Uint8Array(r.value.buffer);
      return r.done ? { done: true, value: undefined } : { done: false, value: r.value };
    },
    releaseLock() {
      reader.releaseLock();
      // A buffer still lent to an unfinished read is detached (length 0): not reusable.
      if (buffer.byteLength === READ_BUFFER_SIZE && spareBuffers.length < MAX_SPARE_BUFFERS) {
        spareBuffers.push(buffer);
      }
    },
  };
}

/** Read buffers of finished bodies, handed to the next ones (one per parallel download). */
const spareBuffers: Uint8Array[] = [];

/** The most read buffers kept for reuse. */
const MAX_SPARE_BUFFERS = 64;

/**
 * The decoder a response's Content-Encoding needs: `undefined` for none (or `identity`);
 * throws {@link HttpError} for an encoding streamkit cannot decode.
 */
function contentEncoding(response: Response): BodyEncoding | undefined {
  const enc = (response.headers.get("content-encoding") ?? "").trim().toLowerCase();
  if (enc === "" || enc === "identity") return undefined;
  if (enc === "gzip" || enc === "x-gzip") return "gzip";
  if (enc === "deflate") return "deflate";
  return "unsupported";
}

/** A body encoding streamkit decodes, or one it cannot. */
type BodyEncoding = "gzip" | "deflate" | "unsupported";

/** Decodes an encoded body; a corrupt or truncated one is a retryable error. */
async function* decoded(
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

/** Turns a non-2xx response into an {@link HttpError}. */
export function statusError(response: Response, url: string): HttpError {
  return new HttpError(`HTTP ${response.status} ${response.statusText} for ${url}`.trim(), {
    status: response.status,
    retryable: isRetryableStatus(response.status),
    retryAfterMs: parseRetryAfter(response.headers.get("retry-after")),
  });
}

/**
 * Runs `attempt` until it succeeds, fails with a non-retryable error, or `retries` further
 * attempts have failed; waits with {@link retryDelay} between attempts.
 *
 * @param onRetry told about each failed attempt that will be retried
 */
export async function withRetries<T>(
  options: HttpOptions,
  attempt: (n: number) => Promise<T>,
  onRetry?: (err: HttpError, n: number, waitMs: number) => void,
): Promise<T> {
  for (let n = 1;; n++) {
    try {
      return await attempt(n);
    } catch (err) {
      if (!(err instanceof HttpError) || !err.retryable || n > options.retries) throw err;
      const wait = retryDelay(n, options.retryDelayMs, err.retryAfterMs);
      onRetry?.(err, n, wait);
      await sleep(wait, options.signal);
    }
  }
}

/** A fetched text document and the URL it finally came from (after redirects). */
export interface FetchedText {
  /** The body, decoded as UTF-8. */
  text: string;
  /** The final URL. */
  url: string;
}

/** The largest manifest or playlist streamkit reads (bytes). */
export const MAX_MANIFEST_BYTES = 32 * 1024 * 1024;

/**
 * Fetches a manifest or playlist as text, with retries, refusing bodies larger than
 * `maxBytes` (a hostile 100 MB manifest costs at most that much memory).
 */
export async function fetchText(
  url: string,
  options: HttpOptions,
  maxBytes = MAX_MANIFEST_BYTES,
  onRetry?: (err: HttpError, n: number, waitMs: number) => void,
): Promise<FetchedText> {
  return await withRetries(options, async () => {
    const r = await request(url, options);
    try {
      if (!r.response.ok) throw statusError(r.response, url);
      const declared = Number(r.response.headers.get("content-length") ?? NaN);
      if (!r.encoded && declared > maxBytes) {
        throw new HttpError(`${url} is ${declared} bytes; the limit is ${maxBytes}`, {
          retryable: false,
        });
      }
      const parts: Uint8Array[] = [];
      let size = 0;
      for await (const chunk of r.chunks()) {
        size += chunk.length;
        if (size > maxBytes) {
          throw new HttpError(`${url} is larger than ${maxBytes} bytes`, { retryable: false });
        }
        parts.push(chunk);
      }
      if (!r.encoded && declared >= 0 && size < declared) {
        throw new HttpError(`${url}: got ${size} of ${declared} bytes`, { retryable: true });
      }
      const all = new Uint8Array(size);
      let at = 0;
      for (const p of parts) {
        all.set(p, at);
        at += p.length;
      }
      return { text: new TextDecoder().decode(all), url: r.response.url || url };
    } finally {
      await r.done();
    }
  }, onRetry);
}
