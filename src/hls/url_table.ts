/**
 * Which URLs a plan has met, and where first: a URL is kept as a 64-bit hash (the layout's
 * {@link hash64}) with one 32-bit number, in one open-addressing table — 12 bytes a slot,
 * about 24 bytes a URL instead of a map entry and the URL's string. Two URLs are taken for
 * one only when their 64-bit hashes collide (about once in 10^8 plans of a million URLs).
 *
 * @module
 */
import { hash64 } from "../mirror/claims.ts";

const SLOT_WORDS = 3;
const MIN_SLOTS = 256;

/**
 * A map from URL to a number (where the URL was first met), by hashes.
 *
 * @example
 * ```ts
 * const seen = new UrlTable();
 * seen.get("https://cdn.example/a.ts"); // undefined
 * seen.set("https://cdn.example/a.ts", 7);
 * seen.get("https://cdn.example/a.ts"); // 7
 * ```
 */
export class UrlTable {
  #words = new Int32Array(MIN_SLOTS * SLOT_WORDS);
  #mask = MIN_SLOTS - 1;
  #count = 0;

  /** How many URLs it holds. */
  get size(): number {
    return this.#count;
  }

  /** The slot of (hi, lo): where it is, or the empty slot where it would go. */
  #slot(hi: number, lo: number): number {
    const w = this.#words;
    for (let i = lo & this.#mask;; i = (i + 1) & this.#mask) {
      const at = i * SLOT_WORDS;
      if ((w[at] === hi && w[at + 1] === lo) || (w[at] === 0 && w[at + 1] === 0)) return at;
    }
  }

  /** The number `url` was set with, or undefined. */
  get(url: string): number | undefined {
    const { hi, lo } = key(url);
    const at = this.#slot(hi, lo);
    const w = this.#words;
    return w[at] === 0 && w[at + 1] === 0 ? undefined : w[at + 2];
  }

  /** Sets the number of `url` (a 32-bit integer). */
  set(url: string, value: number): void {
    const { hi, lo } = key(url);
    let at = this.#slot(hi, lo);
    if (this.#words[at] === 0 && this.#words[at + 1] === 0) {
      if ((this.#count + 1) * 2 > this.#mask + 1) {
        this.#grow();
        at = this.#slot(hi, lo);
      }
      this.#count++;
    }
    const w = this.#words;
    w[at] = hi;
    w[at + 1] = lo;
    w[at + 2] = value;
  }

  #grow(): void {
    const old = this.#words;
    const slots = (this.#mask + 1) * 2;
    this.#words = new Int32Array(slots * SLOT_WORDS);
    this.#mask = slots - 1;
    for (let at = 0; at < old.length; at += SLOT_WORDS) {
      if (old[at] === 0 && old[at + 1] === 0) continue;
      this.#words.set(old.subarray(at, at + SLOT_WORDS), this.#slot(old[at], old[at + 1]));
    }
  }
}

/** The hash of a URL as two signed 32-bit halves, never both zero (an empty slot). */
function key(url: string): { hi: number; lo: number } {
  const h = hash64(url);
  const hi = h.hi | 0, lo = h.lo | 0;
  return hi === 0 && lo === 0 ? { hi: 0, lo: 1 } : { hi, lo };
}
