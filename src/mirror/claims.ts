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

import { type Hash64, hash64, HashTable64 } from "./hash_table.ts";

export { type Hash64, hash64 };

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
  /** Path hash → owner hash (two values: high and low half). */
  #table = new HashTable64(2);

  /** Paths and folders remembered. */
  get size(): number {
    return this.#table.size;
  }

  #get(key: Hash64): Hash64 | undefined {
    const hi = this.#table.get(key, 0);
    return hi === undefined ? undefined : { hi, lo: this.#table.get(key, 1)! };
  }

  #set(key: Hash64, owner: Hash64): void {
    this.#table.set(key, [owner.hi, owner.lo]);
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
