/**
 * Single byte ranges (RFC 9110 14.2) and the `If-Range` precondition (13.1.5), as a
 * server reads them.
 *
 * @module
 */

/** An inclusive span of bytes. */
export interface ByteSpan {
  /** The first byte. */
  start: number;
  /** The last byte (inclusive). */
  end: number;
}

/**
 * Parses a `Range` header against a resource of `size` bytes: the inclusive byte span,
 * "unsatisfiable", or null when the header is absent, malformed, asks for several ranges
 * or another unit (the whole resource is sent then, as RFC 9110 allows).
 *
 * @example
 * ```ts
 * parseRange("bytes=10-19", 100); // { start: 10, end: 19 }
 * parseRange("bytes=-5", 100); // { start: 95, end: 99 }
 * parseRange("bytes=100-", 100); // "unsatisfiable"
 * parseRange("bytes=0-1,5-6", 100); // null
 * ```
 */
export function parseRange(header: string | null, size: number): ByteSpan | "unsatisfiable" | null {
  if (header === null) return null;
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (m === null || (m[1] === "" && m[2] === "")) return null;
  if (m[1] === "") {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) return "unsatisfiable";
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const last = m[2] === "" ? Infinity : Number(m[2]);
  if (last < start) return null;
  if (start >= size) return "unsatisfiable";
  return { start, end: Math.min(last, size - 1) };
}

/**
 * Whether a `Range` still applies under an `If-Range` header: yes without one, otherwise
 * only when it names the resource's current strong ETag or its exact `Last-Modified`.
 *
 * @param ifRange the `If-Range` request header, or null
 * @param etag the resource's ETag, or undefined when none is sent
 * @param modified the resource's `Last-Modified` as sent, or undefined
 * @example
 * ```ts
 * ifRangeHolds('"abc"', '"abc"', undefined); // true
 * ifRangeHolds('"old"', '"abc"', undefined); // false: the whole resource is sent
 * ```
 */
export function ifRangeHolds(
  ifRange: string | null,
  etag: string | undefined,
  modified: string | undefined,
): boolean {
  if (ifRange === null) return true;
  return (etag !== undefined && ifRange === etag) ||
    (modified !== undefined && ifRange === modified);
}
