/**
 * The state one playlist is read with: its URL (which every error names, with the line),
 * the line being read, its variables, the URIs found so far and the notes on what was
 * tolerated.
 *
 * @module
 */
import { InputError } from "../errors.ts";
import { resolveUrl } from "../net/resolve.ts";
import { type AttributeList, readAttributeList } from "./attr_list.ts";
import { type Definitions, Variables } from "./define.ts";
import type { UriRef, UriRole } from "./model.ts";

/** The reading state of one playlist. */
export class ReadContext {
  /** The playlist's URL: URIs resolve against it, errors name it. */
  readonly url: string;
  /** Every URI found so far, in document order. */
  readonly refs: UriRef[] = [];
  /** Its variables (EXT-X-DEFINE). */
  readonly vars: Variables;
  /** The 1-based number of the line being read. */
  line = 0;
  #notes = new Map<string, number[]>();
  /** Per note, lines counted but not listed ({@link noteCounted}). */
  #unlisted = new Map<string, number>();

  /**
   * @param url the playlist's URL (after redirects)
   * @param imports the master's definitions, for EXT-X-DEFINE IMPORT
   */
  constructor(url: string, imports?: Definitions) {
    this.url = url;
    this.vars = new Variables({
      url,
      imports,
      fail: (message, column) => this.error(message, this.line, column),
    });
  }

  /** An InputError at the current line (or at `line`), naming the column when given. */
  error(message: string, line = this.line, column?: number): InputError {
    const at = column === undefined ? "" : ` (column ${column})`;
    return new InputError(`${message}${at}`, `${this.url}: line ${line}`);
  }

  /** Records something tolerated on the current line (or on `line`; 0 for none). */
  note(message: string, line = this.line): void {
    const lines = this.#notes.get(message) ?? [];
    if (line > 0 && lines.at(-1) !== line) lines.push(line);
    this.#notes.set(message, lines);
  }

  /**
   * Records `message` for `count` lines of which only the first few (ascending: the three
   * shown, or all when fewer) are given: what {@link note} of each line would record, without
   * holding the lines that are never shown.
   */
  noteCounted(message: string, first: readonly number[], count: number): void {
    for (const line of first) this.note(message, line);
    const unlisted = count - first.length;
    if (unlisted > 0) this.#unlisted.set(message, (this.#unlisted.get(message) ?? 0) + unlisted);
  }

  /** The notes, each said once with the lines it applies to. */
  notes(): string[] {
    return [...this.#notes].map(([message, lines]) => {
      const count = lines.length + (this.#unlisted.get(message) ?? 0);
      if (count === 0) return message;
      const shown = lines.slice(0, 3).join(", ");
      const more = count > 3 ? ` and ${count - 3} more` : "";
      return `${message} (line${count > 1 ? "s" : ""} ${shown}${more})`;
    });
  }

  /** Reads the attribute list of `tag` starting at `from` of the current line `text`. */
  attributes(tag: string, text: string, from: number): AttributeList {
    return readAttributeList(tag, text, from, {
      fail: (message, column) => this.error(message, this.line, column),
      note: (message) => this.note(message),
      substitute: (value, start) => this.vars.substitute(value, start),
    });
  }

  /**
   * Records a URI written at [start, end) of the current line; `expanded` is the URI after
   * variable substitution (computed here when not given).
   */
  ref(role: UriRole, uri: string, start: number, end: number, expanded?: string): UriRef {
    expanded ??= this.vars.substitute(uri, start);
    if (expanded.trim() === "") throw this.error(`the ${role} URI is empty`);
    let url: string;
    try {
      url = resolveUrl(expanded, this.url);
    } catch {
      throw this.error(`URI "${expanded}" is not a valid URL reference`, this.line, start + 1);
    }
    const ref: UriRef = { role, uri, expanded, url, line: this.line, start, end };
    this.refs.push(ref);
    return ref;
  }

  /** Records the URI held by attribute `name` of `attrs`, when present. */
  refAttribute(attrs: AttributeList, name: string, role: UriRole): UriRef | undefined {
    const a = attrs.get(name);
    if (a === undefined) return undefined;
    attrs.quotedString(name);
    return this.ref(role, a.raw, a.start, a.end, a.value);
  }

  /** Records the URI held by attribute `name`, which the tag must have. */
  requireRef(attrs: AttributeList, name: string, role: UriRole): UriRef {
    attrs.require(name);
    return this.refAttribute(attrs, name, role)!;
  }
}
