/**
 * The attribute lists of HLS tags (RFC 8216 section 4.2): `NAME=value` pairs separated by
 * commas, read once into a list that knows where each value stands on its line, with typed
 * getters for the value types of the RFC (decimal integer, hexadecimal sequence, decimal
 * floating point, signed too, quoted string, enumerated string, decimal resolution) and
 * the `<n>[@<o>]` byte range of `BYTERANGE` attributes.
 *
 * What players accept is accepted: blanks around commas and `=`, a trailing comma, a value
 * quoted where the RFC wants it bare or bare where it wants quotes (told through `note`).
 * A malformed list, or a value of the wrong type, is an error naming the column.
 *
 * @module
 */

/** One attribute, with where its value stands on the line. */
export interface Attribute {
  /** AttributeName, as written. */
  name: string;
  /** The value as written (for a quoted string, without the quotes). */
  raw: string;
  /** The value after variable substitution (the same as `raw` when nothing was substituted). */
  value: string;
  /** Whether the value was written as a quoted string. */
  quoted: boolean;
  /** Offset of the value's first character in the line (inside the quotes). */
  start: number;
  /** Offset just past the value's last character (before the closing quote). */
  end: number;
}

/** A byte range as written: `<length>[@<offset>]`. */
export interface ByteRangeSpec {
  /** Number of bytes. */
  length: number;
  /** Offset of the first byte, when written. */
  offset?: number;
}

/** Width and height of a decimal resolution (`1280x720`). */
export interface Resolution {
  /** Pixels across. */
  width: number;
  /** Lines. */
  height: number;
}

/**
 * An attribute list that cannot be read. `column` is 1-based, and absent for an attribute
 * that is missing altogether.
 */
export class AttributeListError extends Error {
  /** 1-based column of the problem on its line, when it has one. */
  readonly column?: number;

  /**
   * @param message what is wrong
   * @param column 1-based column of the problem
   */
  constructor(message: string, column?: number) {
    super(column === undefined ? message : `${message} (column ${column})`);
    this.name = "AttributeListError";
    this.column = column;
  }
}

/** Options of {@link readAttributeList}. */
export interface AttributeListOptions {
  /**
   * Makes the error to throw; `column` is 1-based. Lets a caller name its file and line.
   * @default creates an {@link AttributeListError}
   */
  fail?: (message: string, column?: number) => Error;
  /** Told about tolerated deviations (a quoted number, a lower-case `yes`). */
  note?: (message: string) => void;
  /**
   * Substitutes variable references in quoted strings and hexadecimal sequences
   * (RFC 8216bis section 4.3); gets the text and the offset of its first character.
   */
  substitute?: (text: string, start: number) => string;
}

/** Getter options: `lenient` turns a value of the wrong type into a note and `undefined`. */
export interface ReadOptions {
  /** Note a malformed value and treat it as absent instead of failing. @default false */
  lenient?: boolean;
}

const NAME = /[A-Za-z0-9_-]+/y;
const DECIMAL_INTEGER = /^\d+$/;
const HEXADECIMAL = /^0[xX][0-9a-fA-F]+$/;
const DECIMAL_FLOAT = /^(?:\d+(?:\.\d*)?|\.\d+)$/;
const SIGNED_FLOAT = /^[-+]?(?:\d+(?:\.\d*)?|\.\d+)$/;
const RESOLUTION = /^(\d+)[xX](\d+)$/;
const BYTE_RANGE = /^(\d+)(?:@(\d+))?$/;

/** Whether a character is a blank that may surround separators. */
function blank(c: string | undefined): boolean {
  return c === " " || c === "\t";
}

/**
 * Reads `<length>[@<offset>]` (the value of `EXT-X-BYTERANGE`, and of `BYTERANGE` attributes).
 *
 * @param what names the value in messages (`EXT-X-BYTERANGE`, `EXT-X-MAP BYTERANGE`)
 * @returns the range, or a message saying what is wrong with it
 *
 * @example
 * ```ts
 * parseByteRange("1000@20", "EXT-X-BYTERANGE"); // { length: 1000, offset: 20 }
 * parseByteRange("1000", "EXT-X-BYTERANGE"); // { length: 1000 }
 * ```
 */
export function parseByteRange(text: string, what: string): ByteRangeSpec | string {
  const m = BYTE_RANGE.exec(text.trim());
  if (!m) return `${what} must be <length>[@<offset>] with a length, not "${text}"`;
  const length = Number(m[1]);
  const offset = m[2] === undefined ? undefined : Number(m[2]);
  if (!Number.isSafeInteger(length) || (offset !== undefined && !Number.isSafeInteger(offset))) {
    return `${what} "${text}" is too large`;
  }
  if (length === 0) return `${what} "${text}" has a length of 0`;
  return offset === undefined ? { length } : { length, offset };
}

/**
 * Reads the attribute list that starts at offset `from` of `line`.
 *
 * @param tag the tag's name, for messages (`EXT-X-STREAM-INF`)
 * @param line the whole line, so that offsets are line offsets
 * @param from where the list starts (just past the tag's `:`)
 * @throws what `options.fail` makes (an {@link AttributeListError} by default) for a
 *   malformed list: a name without `=value`, an unclosed quote, text after a closing quote,
 *   a stray quote, an empty value, an attribute given twice
 *
 * @example
 * ```ts
 * const attrs = readAttributeList("EXT-X-MAP", '#EXT-X-MAP:URI="init.mp4",BYTERANGE="800@0"', 11);
 * attrs.quotedString("URI"); // "init.mp4"
 * attrs.get("URI")!.start; // 16
 * attrs.byteRange("BYTERANGE"); // { length: 800, offset: 0 }
 * ```
 */
export function readAttributeList(
  tag: string,
  line: string,
  from: number,
  options: AttributeListOptions = {},
): AttributeList {
  const fail = options.fail ?? ((message, column) => new AttributeListError(message, column));
  const attrs = new Map<string, Attribute>();
  const end = line.trimEnd().length;
  let i = from;
  const malformed = (why: string) =>
    fail(`malformed attribute list of ${tag}: ${why}`, Math.min(i, end) + 1);
  const skipBlanks = () => {
    while (i < end && blank(line[i])) i++;
  };
  skipBlanks();
  while (i < end) {
    NAME.lastIndex = i;
    const m = NAME.exec(line);
    if (!m) throw malformed(`expected an attribute name, found "${line.slice(i, i + 10)}"`);
    const name = m[0];
    i += name.length;
    skipBlanks();
    if (line[i] !== "=") throw malformed(`attribute ${name} has no "=value"`);
    i++;
    skipBlanks();
    let attr: Attribute;
    if (line[i] === '"') {
      const close = line.indexOf('"', i + 1);
      if (close < 0 || close >= end) throw malformed(`the quoted value of ${name} is not closed`);
      const raw = line.slice(i + 1, close);
      attr = { name, raw, value: raw, quoted: true, start: i + 1, end: close };
      i = close + 1;
    } else {
      let j = i;
      while (j < end && line[j] !== ",") {
        if (line[j] === '"') {
          i = j;
          throw malformed(`stray quote in the value of ${name}`);
        }
        j++;
      }
      const raw = line.slice(i, j).trimEnd();
      if (raw === "") throw malformed(`attribute ${name} has an empty value`);
      attr = { name, raw, value: raw, quoted: false, start: i, end: i + raw.length };
      i = j;
    }
    if (attrs.has(name)) {
      i = attr.start;
      throw malformed(`attribute ${name} appears twice`);
    }
    const hex = !attr.quoted && /^0[xX]/.test(attr.raw);
    if (options.substitute && (attr.quoted || hex) && attr.raw.includes("{$")) {
      attr.value = options.substitute(attr.raw, attr.start);
    }
    attrs.set(name, attr);
    skipBlanks();
    if (i >= end) break;
    if (line[i] !== ",") throw malformed(`expected "," after the value of ${name}`);
    i++;
    skipBlanks();
  }
  return new AttributeList(tag, attrs, fail, options.note ?? (() => {}));
}

/**
 * The attributes of one tag, with typed getters. Each getter returns `undefined` for an
 * absent attribute and throws (naming the column) for a value of the wrong type, unless
 * asked to be lenient.
 */
export class AttributeList {
  /** The tag the list belongs to. */
  readonly tag: string;
  #attrs: Map<string, Attribute>;
  #fail: (message: string, column?: number) => Error;
  #note: (message: string) => void;

  /**
   * Made by {@link readAttributeList}.
   *
   * @param tag the tag's name, for messages
   * @param attrs the attributes by name
   * @param fail makes the error to throw
   * @param note told about tolerated deviations
   */
  constructor(
    tag: string,
    attrs: Map<string, Attribute>,
    fail: (message: string, column?: number) => Error,
    note: (message: string) => void,
  ) {
    this.tag = tag;
    this.#attrs = attrs;
    this.#fail = fail;
    this.#note = note;
  }

  /** The attribute called `name`, with its span, if present. */
  get(name: string): Attribute | undefined {
    return this.#attrs.get(name);
  }

  /** Whether the attribute is present. */
  has(name: string): boolean {
    return this.#attrs.has(name);
  }

  /** Every attribute, in the order written. */
  all(): Attribute[] {
    return [...this.#attrs.values()];
  }

  /** The attribute, or an error saying the tag lacks it. */
  require(name: string): Attribute {
    const a = this.#attrs.get(name);
    if (a === undefined) throw this.#fail(`${this.tag} has no ${name} attribute`);
    return a;
  }

  /** A value of the wrong type: an error, or (lenient) a note and `undefined`. */
  #invalid(a: Attribute, expected: string, options: ReadOptions): undefined {
    const message = `${this.tag} ${a.name} must be ${expected}, not "${a.raw}"`;
    if (!options.lenient) throw this.#fail(message, a.start + 1);
    this.#note(`${message}; ignored`);
    return undefined;
  }

  /** A bare value written in quotes: read, with a note. */
  #bare(a: Attribute): string {
    if (a.quoted) this.#note(`${this.tag} ${a.name} should not be quoted`);
    return a.value;
  }

  /** A decimal-integer (`0` to 2^53 - 1 here; larger values are refused). */
  decimalInteger(name: string, options: ReadOptions = {}): number | undefined {
    const a = this.#attrs.get(name);
    if (a === undefined) return undefined;
    const text = this.#bare(a);
    const n = Number(text);
    if (!DECIMAL_INTEGER.test(text) || !Number.isSafeInteger(n)) {
      return this.#invalid(a, "a decimal integer", options);
    }
    return n;
  }

  /** A hexadecimal-sequence (`0x…`), as written (after substitution). */
  hexadecimal(name: string, options: ReadOptions = {}): string | undefined {
    const a = this.#attrs.get(name);
    if (a === undefined) return undefined;
    const text = this.#bare(a);
    if (!HEXADECIMAL.test(text)) return this.#invalid(a, "a hexadecimal sequence (0x…)", options);
    return text;
  }

  /** A decimal-floating-point (non-negative; `.5` and `25` are accepted too). */
  decimalFloat(name: string, options: ReadOptions = {}): number | undefined {
    const a = this.#attrs.get(name);
    if (a === undefined) return undefined;
    const text = this.#bare(a);
    if (!DECIMAL_FLOAT.test(text)) return this.#invalid(a, "a decimal number", options);
    return Number(text);
  }

  /** A signed-decimal-floating-point. */
  signedDecimalFloat(name: string, options: ReadOptions = {}): number | undefined {
    const a = this.#attrs.get(name);
    if (a === undefined) return undefined;
    const text = this.#bare(a);
    if (!SIGNED_FLOAT.test(text)) return this.#invalid(a, "a signed decimal number", options);
    return Number(text);
  }

  /** A quoted-string (after substitution); a bare value is accepted with a note. */
  quotedString(name: string): string | undefined {
    const a = this.#attrs.get(name);
    if (a === undefined) return undefined;
    if (!a.quoted) this.#note(`${this.tag} ${a.name} should be a quoted string`);
    return a.value;
  }

  /**
   * An enumerated-string. With `allowed`, the value must be one of them; a value that
   * matches one only when upper-cased is accepted (with a note) and returned upper-cased.
   */
  enumeratedString(
    name: string,
    allowed?: readonly string[],
    options: ReadOptions = {},
  ): string | undefined {
    const a = this.#attrs.get(name);
    if (a === undefined) return undefined;
    const text = this.#bare(a);
    if (!allowed || allowed.includes(text)) return text;
    const upper = text.toUpperCase();
    if (allowed.includes(upper)) {
      this.#note(`${this.tag} ${a.name}=${text} should be upper case`);
      return upper;
    }
    return this.#invalid(a, `one of ${allowed.join(", ")}`, options);
  }

  /** `YES` → true; `NO` or absent → false (lower case accepted with a note). */
  flag(name: string, options: ReadOptions = {}): boolean {
    return this.enumeratedString(name, ["YES", "NO"], options) === "YES";
  }

  /** A decimal-resolution (`<width>x<height>`). */
  resolution(name: string, options: ReadOptions = {}): Resolution | undefined {
    const a = this.#attrs.get(name);
    if (a === undefined) return undefined;
    const m = RESOLUTION.exec(this.#bare(a));
    if (!m) return this.#invalid(a, "<width>x<height>", options);
    return { width: Number(m[1]), height: Number(m[2]) };
  }

  /** A byte range `<n>[@<o>]` (a quoted string in the RFC; bare is accepted with a note). */
  byteRange(name: string): ByteRangeSpec | undefined {
    const a = this.#attrs.get(name);
    if (a === undefined) return undefined;
    const r = parseByteRange(this.quotedString(name)!, `${this.tag} ${name}`);
    if (typeof r === "string") throw this.#fail(r, a.start + 1);
    return r;
  }
}
