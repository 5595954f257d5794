/**
 * Bounded concurrency: run a worker over a list with at most `n` in flight, results in
 * input order.
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
  let next = 0;
  let failure: { err: unknown } | undefined;
  const lane = async () => {
    while (next < items.length && !failure && !signal?.aborted) {
      const i = next++;
      try {
        results[i] = await worker(items[i], i);
      } catch (err) {
        failure ??= { err };
      }
    }
  };
  const lanes = Math.max(1, Math.min(concurrency, items.length));
  await Promise.all(Array.from({ length: lanes }, lane));
  if (failure) throw failure.err;
  return results;
}
