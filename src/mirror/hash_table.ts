/**
 * One compact hash table for every "have we seen this text" question of a plan with 100,000
 * entries: a key is a 64-bit hash of the text ({@link hash64}), kept with a fixed number of
 * 32-bit values in one open-addressing table of 32-bit words (linear probing, at most four
 * fifths full: 100,000 keys fit in 131,072 slots) — 8 to 16 bytes a slot instead of a map
 * entry and the text's string.
 *
 * Two different texts are taken for one only when their 64-bit hashes collide: about once in
 * 10^8 runs of a million entries.
 *
 * @module
 */

/** A 64-bit hash as two 32-bit halves. */
export interface Hash64 {
  /** High half. */
  hi: number;
  /** Low half. */
  lo: number;
}

/** Final mixing of one 32-bit lane (an avalanche: every input bit moves every output bit). */
function mix32(h: number): number {
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * The 64-bit hash of `text` (of its UTF-16 code units).
 *
 * @example
 * ```ts
 * hash64("a/seg-1.m4s").hi === hash64("a/seg-1.m4s").hi; // true
 * ```
 */
export function hash64(text: string): Hash64 {
  let a = 0x243f6a88 ^ text.length, b = 0x85a308d3;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x9e3779b1);
    b = Math.imul(b ^ c, 0x5bd1e995) ^ (a >>> 13);
  }
  const hi = mix32(a ^ Math.imul(b, 0x27d4eb2f) ^ text.length);
  const lo = mix32(b ^ Math.imul(hi, 0x165667b1));
  return { hi, lo };
}

const MIN_SLOTS = 256;

/**
 * Keys (64-bit hashes) each with `values` unsigned 32-bit values.
 *
 * @example
 * ```ts
 * const table = new HashTable64(1);
 * table.set(hash64("https://cdn.example/a.ts"), [7]); // true: new
 * table.get(hash64("https://cdn.example/a.ts")); // 7
 * table.get(hash64("https://cdn.example/b.ts")); // undefined
 * ```
 */
export class HashTable64 {
  readonly #stride: number;
  #words: Uint32Array;
  #mask = MIN_SLOTS - 1;
  #count = 0;

  /** @param values how many 32-bit values each key holds (0 makes a set) */
  constructor(values = 0) {
    this.#stride = 2 + values;
    this.#words = new Uint32Array(MIN_SLOTS * this.#stride);
  }

  /** How many keys it holds. */
  get size(): number {
    return this.#count;
  }

  /** The offset of `key`'s slot: where it is, or the empty slot where it would go. */
  #slot(hi: number, lo: number): number {
    const w = this.#words;
    for (let i = lo & this.#mask;; i = (i + 1) & this.#mask) {
      const at = i * this.#stride;
      if ((w[at] === hi && w[at + 1] === lo) || (w[at] === 0 && w[at + 1] === 0)) return at;
    }
  }

  /** Whether `key` is in. */
  has(key: Hash64): boolean {
    const [hi, lo] = nonZero(key);
    const at = this.#slot(hi, lo);
    return this.#words[at] !== 0 || this.#words[at + 1] !== 0;
  }

  /** Value number `index` of `key`, or undefined when `key` is not in. */
  get(key: Hash64, index = 0): number | undefined {
    const [hi, lo] = nonZero(key);
    const at = this.#slot(hi, lo);
    const w = this.#words;
    return w[at] === 0 && w[at + 1] === 0 ? undefined : w[at + 2 + index];
  }

  /** Puts `key` in with `values` (replacing those it had); whether it was new. */
  set(key: Hash64, values: readonly number[] = []): boolean {
    const [hi, lo] = nonZero(key);
    let at = this.#slot(hi, lo);
    const fresh = this.#words[at] === 0 && this.#words[at + 1] === 0;
    if (fresh) {
      // at most 4/5 full: with keys this well mixed, about 3 slots probed per lookup
      if ((this.#count + 1) * 5 > (this.#mask + 1) * 4) {
        this.#grow();
        at = this.#slot(hi, lo);
      }
      this.#count++;
    }
    const w = this.#words;
    w[at] = hi;
    w[at + 1] = lo;
    for (let i = 0; i < values.length; i++) w[at + 2 + i] = values[i];
    return fresh;
  }

  /** Puts `key` in if it is not (its values left as they are); whether it was new. */
  add(key: Hash64): boolean {
    return this.set(key);
  }

  #grow(): void {
    const old = this.#words;
    const stride = this.#stride;
    const slots = (this.#mask + 1) * 2;
    this.#words = new Uint32Array(slots * stride);
    this.#mask = slots - 1;
    for (let at = 0; at < old.length; at += stride) {
      if (old[at] === 0 && old[at + 1] === 0) continue;
      this.#words.set(old.subarray(at, at + stride), this.#slot(old[at], old[at + 1]));
    }
  }
}

/** A key's halves as stored: never both zero, which marks an empty slot. */
function nonZero(key: Hash64): [number, number] {
  const hi = key.hi >>> 0, lo = key.lo >>> 0;
  return hi === 0 && lo === 0 ? [0, 1] : [hi, lo];
}
