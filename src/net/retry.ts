/**
 * The retry policy: which failures are worth another try, how long to wait between tries
 * (exponential backoff with jitter, or the server's `Retry-After`), and the loop that runs
 * an attempt until it succeeds or gives up.
 *
 * @module
 */

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

/**
 * Parses `Retry-After` (seconds or an HTTP date) into milliseconds from now.
 *
 * @example
 * ```ts
 * parseRetryAfter("3"); // 3000
 * ```
 */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Longest wait honoured from a `Retry-After` header, and the backoff cap. */
export const MAX_RETRY_WAIT_MS = 60_000;

/**
 * The wait before retry number `attempt` (1-based): exponential backoff with jitter (between
 * half and all of `baseMs × 2^(attempt−1)`); when the server gave a `Retry-After`, at least
 * that long, plus up to half the backoff — so that clients told "retry at once" together do
 * not come back in lockstep. Capped at {@link MAX_RETRY_WAIT_MS}.
 *
 * @example
 * ```ts
 * retryDelay(1, 500, 2000); // between 2000 and 2250: the server's Retry-After, then jitter
 * ```
 */
export function retryDelay(attempt: number, baseMs: number, retryAfterMs?: number): number {
  const ceiling = Math.min(baseMs * 2 ** (attempt - 1), MAX_RETRY_WAIT_MS);
  const jitter = Math.random() * ceiling / 2;
  if (retryAfterMs !== undefined) return Math.min(retryAfterMs + jitter, MAX_RETRY_WAIT_MS);
  return ceiling / 2 + jitter;
}

/**
 * Sleeps `ms`, or less when `signal` aborts (then rejects with the abort reason).
 *
 * @example
 * ```ts
 * await sleep(10);
 * ```
 */
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

/**
 * Describes a thrown fetch or stream error in a few words (with its cause, which is where
 * Deno's fetch puts the interesting part).
 *
 * @example
 * ```ts
 * describeError(new HttpError("HTTP 404 Not Found", { status: 404, retryable: false }));
 * ```
 */
export function describeError(err: unknown): string {
  if (err instanceof HttpError) return err.message;
  if (err instanceof DOMException && err.name === "TimeoutError") return err.message;
  if (err instanceof Error) {
    const cause = err.cause instanceof Error ? `: ${err.cause.message}` : "";
    return `${err.message}${cause}`;
  }
  return String(err);
}

/** What {@link withRetries} needs to know. */
export interface RetryPolicy {
  /** Further attempts after the first one fails with a retryable error. */
  retries: number;
  /** Base of the exponential backoff, in milliseconds. */
  retryDelayMs: number;
  /** Stops waiting (and trying) when it aborts. */
  signal?: AbortSignal;
}

/**
 * Runs `attempt` until it succeeds, fails with a non-retryable error, or `retries` further
 * attempts have failed; waits with {@link retryDelay} between attempts.
 *
 * @param onRetry told about each failed attempt that will be retried
 *
 * @example
 * ```ts
 * const text = await withRetries({ retries: 3, retryDelayMs: 500 }, async () => "done");
 * ```
 */
export async function withRetries<T>(
  policy: RetryPolicy,
  attempt: (n: number) => Promise<T>,
  onRetry?: (err: HttpError, n: number, waitMs: number) => void,
): Promise<T> {
  for (let n = 1;; n++) {
    try {
      return await attempt(n);
    } catch (err) {
      if (!(err instanceof HttpError) || !err.retryable || n > policy.retries) throw err;
      const wait = retryDelay(n, policy.retryDelayMs, err.retryAfterMs);
      onRetry?.(err, n, wait);
      await sleep(wait, policy.signal);
    }
  }
}
