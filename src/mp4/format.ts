/**
 * How mp4dump renders values, as "byte strings": every character of the text this module makes
 * stands for one byte of mp4dump's output (char codes 0..255), so raw bytes from a file (a
 * handler name that is not UTF-8, a four-character code with a byte over 127) come out exactly
 * as mp4dump writes them. {@linkcode byteStringToBytes} and {@linkcode byteStringToText} turn
 * the result into bytes or into a JavaScript string.
 *
 * @example
 * ```ts
 * import { formatFixed6, hexText } from "./format.ts";
 * formatFixed6(0.0078125); // "0.007812" (printf's round-half-to-even)
 * hexText(255); // "ff"
 * ```
 *
 * @module
 */

/** A 64-bit value as C's `%lld` prints it (values of 2^63 and more come out negative). */
export function intText(value: number | bigint): string {
  if (typeof value === "number") return String(value);
  return BigInt.asIntN(64, value).toString();
}

/** A value as C's `%llx` prints it (negative numbers as their 64-bit two's complement). */
export function hexText(value: number | bigint): string {
  if (typeof value === "bigint") return BigInt.asUintN(64, value).toString(16);
  if (value >= 0) return value.toString(16);
  return BigInt.asUintN(64, BigInt(value)).toString(16);
}

/**
 * A number as C's `printf("%f")` prints it: six decimals, an exact tie rounded to the even
 * digit (JavaScript's `toFixed` rounds ties up).
 */
export function formatFixed6(value: number): string {
  if (!Number.isFinite(value)) return Number.isNaN(value) ? "nan" : value > 0 ? "inf" : "-inf";
  const fixed = value.toFixed(6);
  if (Math.abs(value) >= 1e15) return fixed;
  const exact = value.toFixed(40);
  const dot = exact.indexOf(".");
  const tail = exact.slice(dot + 7);
  if (!/^50*$/.test(tail)) return fixed;
  // an exact tie: round the sixth decimal to even
  const truncated = exact.slice(0, dot + 7);
  const last = truncated.charCodeAt(truncated.length - 1) - 48;
  if (last % 2 === 0) return truncated === "-0.000000" ? "-0.000000" : truncated;
  return fixed;
}

const TWO63 = 2 ** 63;
const INDEFINITE = 0x8000000000000000n;

/** x86-64's truncation of a double to a signed 64-bit integer (out of range: 2^63). */
function cvttsd2si(x: number): bigint {
  if (!Number.isFinite(x) || x >= TWO63 || x < -TWO63) return INDEFINITE;
  return BigInt.asUintN(64, BigInt(Math.trunc(x)));
}

/** A C cast `(uint64_t)x` as gcc compiles it for x86-64 (out of range: 0). */
export function doubleToUint64(x: number): bigint {
  if (x < TWO63) return cvttsd2si(x);
  return cvttsd2si(x - TWO63) ^ INDEFINITE;
}

/** A C cast `(uint32_t)x` as gcc compiles it for x86-64 (through a signed 64-bit integer). */
export function doubleToUint32(x: number): number {
  return Number(BigInt.asUintN(32, cvttsd2si(x)));
}

/** `value` stored as a C `float` (single precision), the way Bento4 computes matrix fields. */
export function toFloat32(value: number): number {
  return Math.fround(value);
}

const HEX2 = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/** `[0a 1b 2c]`: bytes as mp4dump lists them. */
export function bytesText(value: Uint8Array): string {
  if (value.length === 0) return "[]";
  let s = "[" + HEX2[value[0]];
  for (let i = 1; i < value.length; i++) s += " " + HEX2[value[i]];
  return s + "]";
}

/** Two lowercase hex digits of a byte. */
export function hex2(byte: number): string {
  return HEX2[byte & 0xff];
}

/**
 * Bytes as a byte string, up to the first NUL (what a C string made of them holds).
 *
 * @param bytes raw bytes
 */
export function cString(bytes: Uint8Array): string {
  let end = bytes.indexOf(0);
  if (end < 0) end = bytes.length;
  return latin1(bytes, 0, end);
}

/** `bytes[start, end)` as a byte string (one character per byte). */
export function latin1(bytes: Uint8Array, start = 0, end = bytes.length): string {
  let s = "";
  const CHUNK = 8192;
  for (let i = start; i < end; i += CHUNK) {
    s += String.fromCharCode(...bytes.subarray(i, Math.min(end, i + CHUNK)));
  }
  return s;
}

/** A four-character code as raw bytes (mp4dump's `AP4_FormatFourChars`), cut at a NUL. */
export function fourccRaw(value: number): string {
  return cString(
    new Uint8Array([value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255]),
  );
}

/**
 * The most box types whose names are kept (a file rarely has more than a hundred; a hostile
 * one could have millions, which are then simply not kept).
 */
const MAX_CACHED_TYPES = 4096;
const printableCache = new Map<number, string>();
const keyCache = new Map<number, string>();

/** `make(value)`, kept in `cache` while it has room. */
function cached(cache: Map<number, string>, value: number, make: (v: number) => string): string {
  let s = cache.get(value);
  if (s === undefined) {
    s = make(value);
    if (cache.size < MAX_CACHED_TYPES) cache.set(value, s);
  }
  return s;
}

function makePrintable(value: number): string {
  let s = "";
  for (let shift = 24; shift >= 0; shift -= 8) {
    const c = (value >>> shift) & 255;
    s += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : ".";
  }
  return s;
}

function makeKey(value: number): string {
  return String.fromCharCode(value >>> 24, (value >>> 16) & 255, (value >>> 8) & 255, value & 255);
}

/** A four-character code with bytes outside 0x20..0x7e shown as `.` (box names). */
export function fourccPrintable(value: number): string {
  return cached(printableCache, value, makePrintable);
}

/** The four bytes of a type as a byte string, the key of the box tables (`"\xa9nam"`). */
export function typeKey(value: number): string {
  return cached(keyCache, value, makeKey);
}

/** Reads one UTF-8 code point the way Bento4's JSON escaper does; null when it stops. */
function utf8At(s: string, i: number): { length: number; code: number } | null {
  const c = s.charCodeAt(i);
  const left = s.length - i;
  if ((c & 0x80) === 0) return { length: 1, code: c };
  if (left < 2) return null;
  const c1 = s.charCodeAt(i + 1);
  if ((c1 & 0xc0) !== 0x80) return null;
  if ((c & 0xe0) === 0xe0) {
    if (left < 3) return null;
    const c2 = s.charCodeAt(i + 2);
    if ((c2 & 0xc0) !== 0x80) return null;
    if ((c & 0xf0) === 0xf0) {
      if (left < 4) return null;
      const c3 = s.charCodeAt(i + 3);
      if ((c & 0xf8) !== 0xf0 || (c3 & 0xc0) !== 0x80) return null;
      return { length: 4, code: 1 };
    }
    return { length: 3, code: 1 };
  }
  return { length: 2, code: 1 };
}

// deno-lint-ignore no-control-regex
const NEEDS_ESCAPE = /[\x00-\x1f"\\\x80-\xff]/;

/**
 * A byte string escaped the way mp4dump's JSON printer escapes it: `"` and `\` get a
 * backslash, control characters become `\u00XX`, and the text stops at the first byte that
 * does not start a valid UTF-8 sequence (unless nothing needed escaping, then it is unchanged).
 */
export function jsonEscape(s: string): string {
  if (!NEEDS_ESCAPE.test(s)) return s;
  let outSize = 0;
  for (let i = 0; i < s.length;) {
    const u = utf8At(s, i);
    if (!u) break;
    const c = s.charCodeAt(i);
    if (u.length === 1 && (c === 0x22 || c === 0x5c)) outSize += 2;
    else if (u.length === 1 && c <= 0x1f) outSize += 6;
    else outSize += u.length;
    i += u.length;
  }
  if (outSize === s.length) return s;
  let out = "";
  for (let i = 0; i < s.length;) {
    const u = utf8At(s, i);
    if (!u) break;
    const c = s.charCodeAt(i);
    if (u.length === 1 && (c === 0x22 || c === 0x5c)) out += "\\" + s[i];
    else if (u.length === 1 && c <= 0x1f) out += "\\u00" + hex2(c).toUpperCase();
    else out += s.slice(i, i + u.length);
    i += u.length;
  }
  return out;
}

const NON_ASCII = /[\x80-\xff]/;
const encoder = new TextEncoder();

/** The bytes a byte string stands for. */
export function byteStringToBytes(s: string): Uint8Array {
  if (!NON_ASCII.test(s)) return encoder.encode(s);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

/**
 * Decodes byte strings as UTF-8 into JavaScript text, chunk after chunk (a sequence split
 * between two chunks is joined). Invalid bytes become U+FFFD.
 */
export class ByteStringDecoder {
  #decoder = new TextDecoder("utf-8");

  /** The text of the next chunk. */
  decode(s: string): string {
    if (!NON_ASCII.test(s)) return this.#decoder.decode(encoder.encode(s), { stream: true });
    return this.#decoder.decode(byteStringToBytes(s), { stream: true });
  }

  /** Whatever is left of a split sequence. */
  end(): string {
    return this.#decoder.decode();
  }
}
