/**
 * The body of an answer as it goes on the wire: read from its source chunk by chunk, and
 * shaped by the body faults — a stall after some bytes, a rate limit, a cut (a clean but
 * early end, or a reset). Every body stops promptly when the server closes.
 *
 * @module
 */

/** The error a body stream ends with when a reset is injected or the server closes. */
export class DeliberateAbort extends Error {
  /** @param message why the body was cut */
  constructor(message: string) {
    super(message);
    this.name = "DeliberateAbort";
  }
}

/**
 * Resolves after `ms`, or rejects with {@link DeliberateAbort} as soon as `signal` aborts;
 * leaves no timer behind.
 *
 * @example
 * ```ts
 * await sleep(10, new AbortController().signal);
 * ```
 */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.reject(new DeliberateAbort("server closed"));
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(new DeliberateAbort("server closed"));
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** How to shape one body on the wire. */
export interface WirePlan {
  /** Stop after this many bytes. */
  cutAt?: number;
  /** How to stop: `reset` aborts the connection, `short` ends the body early. */
  cutMode?: "reset" | "short";
  /** Pause `stallMs` after `stallAt` bytes. */
  stallAt?: number;
  /** How long to pause. */
  stallMs?: number;
  /** Send no faster than this many bytes per second. */
  bytesPerSecond?: number;
}

/** How a body ended: the bytes sent, and whether it ended cleanly. */
export interface WireEnd {
  /** Body bytes handed to the connection. */
  bytes: number;
  /** True when the whole planned body went out and the stream closed normally. */
  complete: boolean;
}

/** Pieces a throttled body is cut into per second (so the rate is smooth). */
const THROTTLE_SLICES = 20;

/**
 * The response body stream: pulls chunks from `source` and applies the wire faults.
 * Registers itself with `closing` so closing the server aborts it and releases `source`.
 * Calls `onEnd` once, when the body ends, fails, is cancelled by the client or cut; hands
 * `track` the promise of the source's release (it settles once its file is closed).
 *
 * @example
 * ```ts
 * async function* one() { yield new Uint8Array(10); }
 * const body = wireStream(one(), { cutAt: 5, cutMode: "short" }, new AbortController().signal);
 * (await new Response(body).bytes()).length; // 5
 * ```
 */
export function wireStream(
  source: AsyncIterator<Uint8Array>,
  plan: WirePlan,
  closing: AbortSignal,
  onEnd?: (end: WireEnd) => void,
  track?: (released: Promise<unknown>) => void,
): ReadableStream<Uint8Array> {
  let sent = 0;
  let pending: Uint8Array | null = null;
  let stalled = plan.stallMs === undefined;
  let finished = false;
  let controllerRef: ReadableStreamDefaultController<Uint8Array> | null = null;
  const started = performance.now();
  const rate = plan.bytesPerSecond;
  const slice = rate === undefined ? Infinity : Math.max(1, Math.floor(rate / THROTTLE_SLICES));
  // Ends a stall or a throttle pause early when the client goes away or the server closes.
  const ended = new AbortController();

  const release = (complete: boolean) => {
    if (finished) return;
    finished = true;
    closing.removeEventListener("abort", onClosing);
    ended.abort();
    // A read in progress (a file being opened) finishes first; the caller may wait for it.
    const released = source.return?.().catch(() => {});
    if (released !== undefined) track?.(released);
    onEnd?.({ bytes: sent, complete });
  };
  const onClosing = () => {
    const controller = controllerRef;
    release(false);
    try {
      controller?.error(new DeliberateAbort("server closed"));
    } catch {
      // already closed or errored
    }
  };

  return new ReadableStream<Uint8Array>({
    start(controller) {
      controllerRef = controller;
      if (closing.aborted) onClosing();
      else closing.addEventListener("abort", onClosing, { once: true });
    },
    async pull(controller) {
      if (finished) return;
      if (!stalled && sent >= (plan.stallAt ?? 0)) {
        stalled = true;
        try {
          await sleep(plan.stallMs ?? 0, ended.signal);
        } catch {
          return; // cancelled, or the server closed and onClosing errored the stream
        }
      }
      if (plan.cutAt !== undefined && sent >= plan.cutAt) {
        release(false);
        if (plan.cutMode === "reset") {
          controller.error(new DeliberateAbort(`reset after ${sent} bytes`));
        } else {
          controller.close();
        }
        return;
      }
      if (rate !== undefined) {
        const due = started + (sent / rate) * 1000 - performance.now();
        if (due > 0) {
          try {
            await sleep(due, ended.signal);
          } catch {
            return;
          }
        }
      }
      let chunk = pending;
      pending = null;
      if (chunk === null) {
        let next: IteratorResult<Uint8Array>;
        try {
          next = await source.next();
        } catch (error) {
          release(false);
          throw error; // a read error: the stream errors and the server's onError reports it
        }
        if (finished) return;
        if (next.done) {
          release(true);
          controller.close();
          return;
        }
        chunk = next.value;
      }
      let room = slice;
      if (plan.cutAt !== undefined) room = Math.min(room, plan.cutAt - sent);
      if (!stalled) room = Math.min(room, (plan.stallAt ?? 0) - sent);
      if (chunk.length > room) {
        pending = chunk.subarray(room);
        chunk = chunk.subarray(0, room);
      }
      sent += chunk.length;
      controller.enqueue(chunk);
    },
    cancel() {
      release(false);
    },
  });
}
