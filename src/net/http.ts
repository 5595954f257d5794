/**
 * HTTP for streamkit: one request with timeouts, redirects followed hop by hop (so the
 * user's headers go only to the hosts they were meant for, see {@link HeaderScope}), and
 * whole-text fetches for manifests. Knows nothing of plans, tracks or the layout.
 *
 * @module
 */
import { bodyReader, contentEncoding, decodeBody } from "./body.ts";
import type { HeaderScope } from "./credentials.ts";
import { describeError, HttpError, isRetryableStatus, parseRetryAfter } from "./retry.ts";
import { type RetryPolicy, withRetries } from "./retry.ts";

export { describeError, HttpError, sleep, withRetries } from "./retry.ts";

/** How requests are made; shared by every fetch of a run. */
export interface HttpOptions extends RetryPolicy {
  /** The user's own request headers (`-H "Name: value"`), sent where `scope` allows. */
  headers: [string, string][];
  /** Which hosts receive `headers`. @default nowhere */
  scope?: HeaderScope;
  /** The `User-Agent` header. @default "streamkit" */
  userAgent?: string;
  /** Milliseconds to wait for response headers, and for the next body bytes. */
  timeoutMs: number;
}

/** Default {@link HttpOptions}. */
export const DEFAULT_HTTP: HttpOptions = {
  headers: [],
  timeoutMs: 30_000,
  retries: 5,
  retryDelayMs: 500,
};

/** The most redirects followed for one request. */
export const MAX_REDIRECTS = 20;

/** A response whose body is read with an idle timeout; `done()` releases the timers. */
export interface TimedResponse {
  /** The response (body not yet read). */
  response: Response;
  /** The URL that answered (after redirects). */
  url: string;
  /**
   * Whether the user's headers were withheld from the host that answered (there were some,
   * and the scope did not allow that host).
   */
  withheld: boolean;
  /**
   * Whether the server sent the body with a Content-Encoding (although streamkit asks for
   * `identity`): then Content-Length counts encoded bytes and ranges do not apply to the
   * resource's bytes.
   */
  encoded: boolean;
  /**
   * Reads the body chunk by chunk, decoded when the server gzip- or deflate-encoded it;
   * errors when no byte arrives within the timeout, or when the encoded body is corrupt or
   * cut short. With `reuse`, an unencoded body is read into one reused buffer: each chunk is
   * valid only until the next one is asked for (see `bodyReader`).
   */
  chunks(options?: { reuse?: boolean }): AsyncGenerator<Uint8Array>;
  /** Cancels the body (if unread) and clears timers. */
  done(): Promise<void>;
}

/** Sets each of `entries` in `headers`, replacing a header of the same name in any case. */
function setHeaders(headers: Record<string, string>, entries: Iterable<[string, string]>): void {
  for (const [name, value] of entries) {
    const lower = name.toLowerCase();
    for (const k of Object.keys(headers)) if (k.toLowerCase() === lower) delete headers[k];
    headers[name] = value;
  }
}

/** The host name of `url`, or the URL itself when it does not parse. */
function hostOf(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return url;
  }
}

/** Whether a fetch error is a failure to resolve the host name (not worth retrying). */
function isDnsFailure(err: unknown): boolean {
  return /dns error|failed to lookup address|name or service not known|no address associated/i
    .test(describeError(err));
}

/** How often running deadlines are looked at: a timeout fires at most this late. */
const DEADLINE_TICK_MS = 50;

/** The deadlines armed now, looked at by one shared timer (none runs while there is none). */
const armed = new Set<Deadline>();
let ticker: ReturnType<typeof setInterval> | undefined;

function tick(): void {
  const now = performance.now();
  for (const d of armed) if (now >= d.at) d.expire();
}

/** Forgets `d`; the shared timer stops with the last deadline, so nothing is left running. */
function unwatch(d: Deadline): void {
  if (!armed.delete(d) || armed.size > 0) return;
  clearInterval(ticker);
  ticker = undefined;
}

/**
 * A request's deadline: `arm` moves it `ms` ahead. Every armed deadline is checked by one
 * shared interval timer, so arming one for each body chunk of 100,000 requests costs a store,
 * not a timer.
 */
class Deadline {
  at = 0;
  #ms: number;
  #onExpire: () => void;
  expired = false;

  constructor(ms: number, onExpire: () => void) {
    this.#ms = ms;
    this.#onExpire = onExpire;
  }

  arm(): void {
    this.at = performance.now() + this.#ms;
    if (armed.has(this)) return;
    armed.add(this);
    ticker ??= setInterval(tick, Math.min(DEADLINE_TICK_MS, this.#ms));
  }

  expire(): void {
    unwatch(this);
    this.expired = true;
    this.#onExpire();
  }

  disarm(): void {
    unwatch(this);
  }
}

/**
 * One HTTP request with streamkit's headers and timeouts. Redirects are followed here, one
 * hop at a time (at most {@link MAX_REDIRECTS}, http and https only), each hop getting the
 * user's headers only when `options.scope` allows its host. The response headers must come
 * within `timeoutMs`, and then each body chunk within `timeoutMs` of the previous one.
 * Non-2xx statuses are returned, not thrown; network errors and timeouts throw a retryable
 * {@link HttpError} (an unknown host a final one), and `options.signal` aborts with its
 * reason.
 *
 * @example
 * ```ts
 * const r = await request("https://cdn.example/a.m4s", DEFAULT_HTTP);
 * try {
 *   for await (const chunk of r.chunks()) console.log(chunk.length);
 * } finally {
 *   await r.done();
 * }
 * ```
 */
export async function request(
  url: string,
  options: HttpOptions,
  init: { method?: string; headers?: Record<string, string> } = {},
): Promise<TimedResponse> {
  const controller = new AbortController();
  const onAbort = () => controller.abort(options.signal!.reason);
  options.signal?.addEventListener("abort", onAbort, { once: true });
  const deadline = new Deadline(
    options.timeoutMs,
    () => controller.abort(new DOMException("timed out", "TimeoutError")),
  );
  const release = () => {
    deadline.disarm();
    options.signal?.removeEventListener("abort", onAbort);
  };
  let method = init.method ?? "GET";
  // The URL as a string: fetch parses it anyway; a URL object is made only when needed (for
  // the scope of the user's headers, and to follow a redirect).
  let current = url;
  let withheld = false;
  let response: Response | undefined;
  deadline.arm();
  try {
    for (let hop = 0;; hop++) {
      // A plain record: fetch reads it with a few property lookups, where a Headers object
      // is gone through with an iterator (it adds up over 100,000 requests).
      const headers: Record<string, string> = {
        "User-Agent": options.userAgent ?? "streamkit",
        "Accept-Encoding": "identity",
      };
      if (init.headers) setHeaders(headers, Object.entries(init.headers));
      if (options.headers.length > 0) {
        const trusted = options.scope?.allows(new URL(current)) ?? false;
        withheld = !trusted;
        if (trusted) setHeaders(headers, options.headers);
      }
      response = await fetch(current, {
        method,
        headers,
        signal: controller.signal,
        redirect: "manual",
      });
      const location = response.headers.get("location");
      if (response.status < 300 || response.status > 399 || location === null) break;
      await response.body?.cancel().catch(() => {});
      if (hop >= MAX_REDIRECTS) {
        throw new HttpError(`more than ${MAX_REDIRECTS} redirects from ${url}`, {
          retryable: false,
        });
      }
      const next = new URL(location, current);
      if (next.protocol !== "http:" && next.protocol !== "https:") {
        throw new HttpError(`${current} redirects to ${next.href}, which is not http(s)`, {
          retryable: false,
        });
      }
      if (response.status === 303 && method !== "HEAD") method = "GET";
      current = next.href;
    }
  } catch (err) {
    release();
    if (options.signal?.aborted) throw options.signal.reason;
    if (err instanceof HttpError) throw err;
    if (isDnsFailure(err)) {
      throw new HttpError(`cannot resolve the host ${hostOf(current)}: ${describeError(err)}`, {
        retryable: false,
      });
    }
    throw new HttpError(
      deadline.expired
        ? `no response within ${options.timeoutMs / 1000} s`
        : `network error: ${describeError(err)}`,
      { retryable: true },
    );
  }
  const res = response!;
  const body = res.body;
  /** Whether the body was read to its end (a closed stream needs no cancelling). */
  let drained = false;
  async function* raw(reuse: boolean): AsyncGenerator<Uint8Array> {
    if (!body) return;
    const reader = bodyReader(body, reuse);
    try {
      while (true) {
        deadline.arm();
        let r: ReadableStreamReadResult<Uint8Array>;
        try {
          r = await reader.read();
        } catch (err) {
          if (options.signal?.aborted) throw options.signal.reason;
          throw new HttpError(
            deadline.expired
              ? `body stalled: no data for ${options.timeoutMs / 1000} s`
              : `connection broken: ${describeError(err)}`,
            { retryable: true },
          );
        }
        if (r.done) {
          drained = true;
          return;
        }
        yield r.value;
      }
    } finally {
      deadline.disarm();
      reader.releaseLock();
    }
  }
  const encoding = contentEncoding(res.headers);
  return {
    response: res,
    url: new URL(current).href,
    withheld,
    encoded: encoding !== undefined,
    chunks: (opts) =>
      encoding === undefined ? raw(opts?.reuse ?? false) : decodeBody(raw(false), encoding, url),
    async done() {
      release();
      if (!drained) await body?.cancel().catch(() => {});
    },
  };
}

/**
 * Turns a non-2xx response into an {@link HttpError}. A 401 or 403 from a host the user's
 * headers were withheld from says so, and how to send them there.
 *
 * @example
 * ```ts
 * const r = await request("https://cdn.example/a.m4s", DEFAULT_HTTP);
 * if (!r.response.ok) throw statusError(r.response, r.url, r.withheld);
 * ```
 */
export function statusError(response: Response, url: string, withheld = false): HttpError {
  let message = `HTTP ${response.status} ${response.statusText} for ${url}`.replace(/ +/g, " ");
  if (withheld && (response.status === 401 || response.status === 403)) {
    const host = new URL(url).host;
    message += ` (the -H headers were not sent to ${host}, which the manifest named; ` +
      `pass --header-host ${new URL(url).hostname} if it should get them)`;
  }
  return new HttpError(message, {
    status: response.status,
    retryable: isRetryableStatus(response.status),
    retryAfterMs: parseRetryAfter(response.headers.get("retry-after")),
  });
}

/** A fetched text document and where it came from. */
export interface FetchedText {
  /** The body, decoded as UTF-8. */
  text: string;
  /** The final URL (after redirects). */
  url: string;
  /** The response's Content-Type, when given. */
  contentType?: string;
  /** The response's Date header, when given (the origin's clock). */
  date?: string;
}

/** The largest manifest or playlist streamkit reads (bytes). */
export const MAX_MANIFEST_BYTES = 32 * 1024 * 1024;

/**
 * Fetches a manifest or playlist as text, with retries, refusing bodies larger than
 * `maxBytes` (a hostile 100 MB manifest costs at most that much memory).
 *
 * @example
 * ```ts
 * const { text, url } = await fetchText("https://cdn.example/vod/manifest.mpd", DEFAULT_HTTP);
 * ```
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
      if (!r.response.ok) throw statusError(r.response, r.url, r.withheld);
      const declared = Number(r.response.headers.get("content-length") ?? NaN);
      if (!r.encoded && declared > maxBytes) {
        throw new HttpError(`${url} is ${declared} bytes; the limit is ${maxBytes}`, {
          retryable: false,
        });
      }
      // Decoded chunk by chunk: a large manifest is held once, as its text, not also as its
      // bytes and their concatenation (a third of the peak for a 32 MB one).
      const decoder = new TextDecoder("utf-8", { ignoreBOM: true });
      const parts: string[] = [];
      let size = 0;
      for await (const chunk of r.chunks()) {
        size += chunk.length;
        if (size > maxBytes) {
          throw new HttpError(`${url} is larger than ${maxBytes} bytes`, { retryable: false });
        }
        parts.push(decoder.decode(chunk, { stream: true }));
      }
      parts.push(decoder.decode());
      if (!r.encoded && declared >= 0 && size !== declared) {
        throw new HttpError(`${url}: got ${size} of ${declared} bytes`, { retryable: true });
      }
      return {
        text: parts.join(""),
        url: r.url,
        contentType: r.response.headers.get("content-type") ?? undefined,
        date: r.response.headers.get("date") ?? undefined,
      };
    } finally {
      await r.done();
    }
  }, onRetry);
}
