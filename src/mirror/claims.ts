/**
 * The layout's memory of which local names are taken, kept compact: a path is remembered as a
 * 64-bit hash of its case-folded text, with a 64-bit hash of its owner (the URL that got it),
 * in one open-addressing table of 32-bit words — 16 bytes a slot, about 32 bytes a claimed
 * path, instead of the path and URL strings (~380 bytes). A long live recording or a
 * 100,000-segment stream thus costs a few megabytes of names.
 *
 * Two different paths (or owners) are taken for one only when their 64-bit hashes collide:
 * about once in 10^8 runs of a million files. The cost of such a collision is a path that
 * looks taken and gets a suffixed name, or, for owners, two URLs competing for one natural
 * name being taken for the same one.
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

/** The 64-bit hash of `text` (of its UTF-16 code units). */
export function hash64(text: string): Hash64 {
  let a = 0x243f6a88 ^ text.length, b = 0x85a308d3;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x9e3779b1);
    b = Math.imul(b ^ c, 0x5bd1e995) ^ (a >>> 13);
  }
  return finish(a, b, text.length);
}

function finish(a: number, b: number, length: number): Hash64 {
  const hi = mix32(a ^ Math.imul(b, 0x27d4eb2f) ^ length);
  const lo = mix32(b ^ Math.imul(hi, 0x165667b1));
  return { hi, lo };
}

/**
 * The hashes of every folder prefix of `key` (the text before each `/`) and of `key` itself,
 * in one pass; the last element is the whole key's.
 *
 * @example
 * ```ts
 * prefixHashes("a/b/c.m4s").length; // 3: "a", "a/b", "a/b/c.m4s"
 * ```
 */
export function prefixHashes(key: string): Hash64[] {
  const out: Hash64[] = [];
  for (let at = key.indexOf("/"); at > 0; at = key.indexOf("/", at + 1)) {
    out.push(hash64(key.slice(0, at)));
  }
  out.push(hash64(key));
  return out;
}

/** The owner recorded for a folder: no URL hashes to it in practice, and none may claim it. */
const FOLDER: Hash64 = { hi: 0xffffffff, lo: 0xfffffffe };

const SLOT_WORDS = 4;
const MIN_SLOTS = 256;

/**
 * A set of claimed paths, each with its owner, by 64-bit hashes; and of the folders those
 * paths are in.
 *
 * @example
 * ```ts
 * const claims = new PathClaims();
 * const owner = hash64("https://cdn.example/a/seg-1.m4s");
 * claims.claim("a/seg-1.m4s", owner);
 * claims.ownerOf(hash64("a/seg-1.m4s")); // owner
 * claims.isFolder(hash64("a")); // true
 * ```
 */
export class PathClaims {
  #words = new Uint32Array(MIN_SLOTS * SLOT_WORDS);
  #mask = MIN_SLOTS - 1;
  #count = 0;

  /** Paths and folders remembered. */
  get size(): number {
    return this.#count;
  }

  /** The slot of `key`: where it is, or the empty slot where it would go. */
  #slot(key: Hash64): number {
    const w = this.#words;
    // The low half picks the slot; linear probing from there.
    for (let i = key.lo & this.#mask;; i = (i + 1) & this.#mask) {
      const at = i * SLOT_WORDS;
      const hi = w[at], lo = w[at + 1];
      if ((hi === key.hi && lo === key.lo) || (hi === 0 && lo === 0)) return at;
    }
  }

  #get(key: Hash64): Hash64 | undefined {
    const k = nonZero(key);
    const at = this.#slot(k);
    const w = this.#words;
    if (w[at] === 0 && w[at + 1] === 0) return undefined;
    return { hi: w[at + 2], lo: w[at + 3] };
  }

  #set(key: Hash64, owner: Hash64): void {
    const k = nonZero(key);
    let at = this.#slot(k);
    const w0 = this.#words;
    if (w0[at] === 0 && w0[at + 1] === 0) {
      if ((this.#count + 1) * 2 > this.#mask + 1) {
        this.#grow();
        at = this.#slot(k);
      }
      this.#count++;
    }
    const w = this.#words;
    w[at] = k.hi;
    w[at + 1] = k.lo;
    w[at + 2] = owner.hi;
    w[at + 3] = owner.lo;
  }

  #grow(): void {
    const old = this.#words;
    const slots = (this.#mask + 1) * 2;
    this.#words = new Uint32Array(slots * SLOT_WORDS);
    this.#mask = slots - 1;
    for (let at = 0; at < old.length; at += SLOT_WORDS) {
      if (old[at] === 0 && old[at + 1] === 0) continue;
      const to = this.#slot({ hi: old[at], lo: old[at + 1] });
      this.#words.set(old.subarray(at, at + SLOT_WORDS), to);
    }
  }

  /** The owner of the file path with hash `key`, or undefined when no file has it. */
  ownerOf(key: Hash64): Hash64 | undefined {
    const owner = this.#get(key);
    return owner === undefined || isFolder(owner) ? undefined : owner;
  }

  /** Whether a claimed file lies under the folder path with hash `key`. */
  isFolder(key: Hash64): boolean {
    const owner = this.#get(key);
    return owner !== undefined && isFolder(owner);
  }

  /**
   * Whether `key` (a case-folded path) is free for `owner`: no other owner's file has it, no
   * file lies under it, and none of its folders is a file.
   */
  free(key: string, owner: Hash64): boolean {
    const hashes = prefixHashes(key);
    const own = this.#get(hashes[hashes.length - 1]);
    if (own !== undefined) return !isFolder(own) && own.hi === owner.hi && own.lo === owner.lo;
    for (let i = 0; i < hashes.length - 1; i++) {
      if (this.ownerOf(hashes[i]) !== undefined) return false;
    }
    return true;
  }

  /** Records `key` (a case-folded path) as `owner`'s file, and its folders as folders. */
  claim(key: string, owner: Hash64): void {
    const hashes = prefixHashes(key);
    this.#set(hashes[hashes.length - 1], owner);
    for (let i = 0; i < hashes.length - 1; i++) {
      if (this.#get(hashes[i]) === undefined) this.#set(hashes[i], FOLDER);
    }
  }
}

function isFolder(owner: Hash64): boolean {
  return owner.hi === FOLDER.hi && owner.lo === FOLDER.lo;
}

/** Keys are never all zero: that marks an empty slot. */
function nonZero(key: Hash64): Hash64 {
  return key.hi === 0 && key.lo === 0 ? { hi: 0, lo: 1 } : key;
}

/**
 * A set of texts kept as their 64-bit hashes ({@link hash64}) in one open-addressing table:
 * 16 bytes a slot, whatever the texts' length. A text is taken for one already added only
 * when their hashes collide (about once in 10^8 sets of a million texts).
 *
 * @example
 * ```ts
 * const seen = new HashSet64();
 * seen.add("https://cdn.example/a.m4s"); // true: new
 * seen.add("https://cdn.example/a.m4s"); // false: seen before
 * ```
 */
export class HashSet64 {
  #words = new Uint32Array(MIN_SLOTS * 2);
  #mask = MIN_SLOTS - 1;
  #count = 0;

  /** How many texts it holds. */
  get size(): number {
    return this.#count;
  }

  #slot(hi: number, lo: number): number {
    const w = this.#words;
    for (let i = lo & this.#mask;; i = (i + 1) & this.#mask) {
      const at = i * 2;
      if ((w[at] === hi && w[at + 1] === lo) || (w[at] === 0 && w[at + 1] === 0)) return at;
    }
  }

  /** Adds `text`; whether it was new. */
  add(text: string): boolean {
    const k = nonZero(hash64(text));
    let at = this.#slot(k.hi, k.lo);
    if (this.#words[at] !== 0 || this.#words[at + 1] !== 0) return false;
    if ((this.#count + 1) * 2 > this.#mask + 1) {
      const old = this.#words;
      const slots = (this.#mask + 1) * 2;
      this.#words = new Uint32Array(slots * 2);
      this.#mask = slots - 1;
      for (let i = 0; i < old.length; i += 2) {
        if (old[i] === 0 && old[i + 1] === 0) continue;
        const to = this.#slot(old[i], old[i + 1]);
        this.#words[to] = old[i];
        this.#words[to + 1] = old[i + 1];
      }
      at = this.#slot(k.hi, k.lo);
    }
    this.#words[at] = k.hi;
    this.#words[at + 1] = k.lo;
    this.#count++;
    return true;
  }
}
