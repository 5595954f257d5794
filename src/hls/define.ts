/**
 * Variables of a playlist (RFC 8216bis section 4.3 and `EXT-X-DEFINE`, section 4.4.2.3):
 * defined by `NAME`/`VALUE`, imported from the master playlist's definitions (`IMPORT`, media
 * playlists only) or taken from the playlist URL's query (`QUERYPARAM`), and substituted for
 * `{$name}` references in URI lines, quoted-string values and hexadecimal sequences.
 *
 * @module
 */
import type { AttributeList } from "./attr_list.ts";

/** Variable names and values, as a master playlist exposes them for its media playlists. */
export type Definitions = Readonly<Record<string, string>>;

/** A variable reference: `{$` + a name of letters, digits, `-` and `_` + `}`. */
const REFERENCE = /\{\$([A-Za-z0-9_-]+)\}/g;
const VARIABLE_NAME = /^[A-Za-z0-9_-]+$/;

/**
 * What a variable operation needs from the playlist reader: where the playlist came from,
 * the master's definitions (for `IMPORT`), and a way to fail that names the line.
 */
export interface VariableScope {
  /** The playlist's URL (its query gives `QUERYPARAM` values). */
  url: string;
  /** The master's definitions, for `IMPORT` in a media playlist. */
  imports?: Definitions;
  /** Makes the error to throw, naming the current line (and the 1-based column). */
  fail: (message: string, column?: number) => Error;
}

/**
 * The variables a playlist has defined so far. A reference may only use a variable defined
 * on an earlier line; a name defined twice is an error, as the RFC requires.
 *
 * @example
 * ```ts
 * const vars = new Variables({ url: "https://cdn.example/v.m3u8?token=abc", fail: (m) => new Error(m) });
 * vars.set("host", "cdn2.example", 0);
 * vars.substitute("https://{$host}/a.ts", 0); // "https://cdn2.example/a.ts"
 * ```
 */
export class Variables {
  #scope: VariableScope;
  #values = new Map<string, string>();

  /** @param scope where the playlist came from and how to fail */
  constructor(scope: VariableScope) {
    this.#scope = scope;
  }

  /** The definitions, name → value, in the order they were made. */
  record(): Record<string, string> {
    return Object.fromEntries(this.#values);
  }

  /**
   * Defines `name` (whose text starts at `column`, 1-based), or fails when it is not a valid
   * name or is already defined.
   */
  set(name: string, value: string, column: number): void {
    if (!VARIABLE_NAME.test(name)) {
      throw this.#scope.fail(
        `EXT-X-DEFINE variable name "${name}" may only hold letters, digits, "-" and "_"`,
        column,
      );
    }
    if (this.#values.has(name)) {
      throw this.#scope.fail(`EXT-X-DEFINE defines the variable "${name}" twice`, column);
    }
    this.#values.set(name, value);
  }

  /** Applies one `EXT-X-DEFINE` tag: exactly one of `NAME` (with `VALUE`), `IMPORT`, `QUERYPARAM`. */
  define(attrs: AttributeList): void {
    const given = ["NAME", "IMPORT", "QUERYPARAM"].filter((n) => attrs.has(n));
    if (given.length !== 1) {
      throw this.#scope.fail(
        `EXT-X-DEFINE must have exactly one of NAME, IMPORT and QUERYPARAM` +
          (given.length ? `, not ${given.join(" and ")}` : ""),
      );
    }
    const attr = attrs.get(given[0])!;
    const name = attrs.quotedString(given[0])!;
    if (given[0] === "NAME") {
      const value = attrs.quotedString("VALUE");
      if (value === undefined) {
        throw this.#scope.fail(`EXT-X-DEFINE NAME="${name}" has no VALUE attribute`);
      }
      this.set(name, value, attr.start + 1);
    } else if (given[0] === "IMPORT") {
      const imports = this.#scope.imports;
      if (imports === undefined || !Object.hasOwn(imports, name)) {
        throw this.#scope.fail(
          `EXT-X-DEFINE IMPORT="${name}": ` +
            (imports === undefined
              ? "no master playlist definitions to import from (IMPORT is for media playlists " +
                "read through their master)"
              : "the master playlist defines no such variable"),
          attr.start + 1,
        );
      }
      this.set(name, imports[name], attr.start + 1);
    } else {
      let value: string | null = null;
      try {
        value = new URL(this.#scope.url).searchParams.get(name);
      } catch {
        value = null;
      }
      if (value === null || value === "") {
        throw this.#scope.fail(
          `EXT-X-DEFINE QUERYPARAM="${name}": the playlist URL has no "${name}" query ` +
            `parameter with a value (${this.#scope.url})`,
          attr.start + 1,
        );
      }
      this.set(name, value, attr.start + 1);
    }
  }

  /**
   * Replaces every variable reference in `text` with the variable's value.
   *
   * @param start offset of `text` in its line, so an undefined variable's column is exact
   * @throws naming the line and column of a reference to a variable not defined before it
   */
  substitute(text: string, start: number): string {
    if (!text.includes("{$")) return text;
    return text.replace(REFERENCE, (ref: string, name: string, at: number) => {
      const value = this.#values.get(name);
      if (value === undefined) {
        throw this.#scope.fail(
          `variable reference ${ref} names a variable no EXT-X-DEFINE before it defines`,
          start + at + 1,
        );
      }
      return value;
    });
  }
}
