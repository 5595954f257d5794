/**
 * Bounded concurrency: run a worker over a list (or any iterable, read lazily) with at most
 * `n` in flight.
 *
 * @module
 */

/**
 * Runs `worker` on every item with at most `concurrency` running at once. Stops starting
 * new items once `signal` aborts; items never started get `undefined`. The first error a
 * worker throws stops new starts and is rethrown after the running ones settle.
 *
 * @example
 * ```ts
 * const sizes = await runPool(["a", "bb"], 2, async (s) => s.length); // [1, 2]
 * ```
 */
export async function runPool<T, R>(
  items: readonly T[],
  concurrency: number,
  worker: (item: T, index: number) => Promise<R>,
  signal?: AbortSignal,
): Promise<(R | undefined)[]> {
  const results: (R | undefined)[] = new Array(items.length).fill(undefined);
  await runEach(items, concurrency, async (item, i) => {
    results[i] = await worker(item, i);
  }, signal);
  return results;
}

/**
 * Runs `worker` on every item `items` yields, with at most `concurrency` running at once,
 * keeping no result: the iterable is read one item at a time, as a lane becomes free, so a
 * generator of a million items costs the memory of the `concurrency` items in flight. Stops
 * taking items once `signal` aborts; returns how many were started. The first error a worker
 * throws (or the iterable throws) stops new starts and is rethrown after the running ones
 * settle.
 *
 * @example
 * ```ts
 * function* numbers() {
 *   for (let i = 0; i < 1_000_000; i++) yield i;
 * }
 * let sum = 0;
 * await runEach(numbers(), 16, async (n) => {
 *   sum += n;
 * });
 * ```
 */
export async function runEach<T>(
  items: Iterable<T>,
  concurrency: number,
  worker: (item: T, index: number) => Promise<void>,
  signal?: AbortSignal,
): Promise<number> {
  const it = items[Symbol.iterator]();
  let next = 0;
  let exhausted = false;
  let failure: { err: unknown } | undefined;
  /** The next item, or undefined when there is none left or the run must stop. */
  const take = (): { item: T; index: number } | undefined => {
    if (exhausted || failure || signal?.aborted) return undefined;
    let r: IteratorResult<T>;
    try {
      r = it.next();
    } catch (err) {
      failure ??= { err };
      return undefined;
    }
    if (r.done) {
      exhausted = true;
      return undefined;
    }
    return { item: r.value, index: next++ };
  };
  const lane = async (first: { item: T; index: number }) => {
    for (let job: typeof first | undefined = first; job; job = take()) {
      try {
        await worker(job.item, job.index);
      } catch (err) {
        failure ??= { err };
      }
    }
  };
  // Lanes start only for items that exist: a list of 2 runs 2 lanes, not `concurrency`.
  const lanes: Promise<void>[] = [];
  const width = Math.max(1, concurrency);
  while (lanes.length < width) {
    const job = take();
    if (!job) break;
    lanes.push(lane(job));
  }
  await Promise.all(lanes);
  if (!exhausted) it.return?.();
  if (failure) throw failure.err;
  return next;
}
