/**
 * The Inspector — what a box lists its fields to — and the two printers that are Inspectors:
 * {@linkcode TextInspector} (mp4dump's text) and {@linkcode JsonInspector} (mp4dump's
 * `--format json`). Boxes decide *what* to list and at which verbosity; printers decide only
 * *how* it looks, so adding a box never touches a printer. A field may carry a format hint
 * (`{ hint: "hex" }`), as Bento4's fields do.
 *
 * Printers produce byte strings (see `format.ts`): each character is one byte of output.
 *
 * @example
 * ```ts
 * import { TextInspector } from "./inspect.ts";
 * const out = new TextInspector(3);
 * out.startBox({ name: "mfhd", headerSize: 12, size: 16, version: 0, flags: 0, offset: 0 });
 * out.addInt("sequence number", 1);
 * out.endBox();
 * out.drain(); // "[mfhd] size=12+4\n  sequence number = 1\n"
 * ```
 *
 * @module
 */
import { bytesText, formatFixed6, hexText, intText, jsonEscape } from "./format.ts";
import { ByteOutput, recurring } from "./output.ts";

/** How much detail to list: 0 (least) to 3 (most), as mp4dump's `--verbosity`. */
export type Verbosity = 0 | 1 | 2 | 3;

/** What a printer needs to open a box (or an MPEG-4 descriptor) header line. */
export interface BoxHeaderInfo {
  /** The name printed between brackets (four-character code, formatted UUID, descriptor name). */
  name: string;
  /** Header bytes, including version and flags for a full box. */
  headerSize: number;
  /** Total size in bytes, header included. */
  size: number;
  /** Full-box version (0 when none); printed only when non-zero. */
  version: number;
  /** Full-box flags (0 when none); printed only when non-zero. */
  flags: number;
  /** Offset of the box in the file being dumped. */
  offset: number;
}

/** How a field's value is best shown: Bento4's format hints. */
export type FormatHint = "hex" | "boolean";

/** Options of a field. */
export interface FieldOptions {
  /** `hex` prints an integer in hexadecimal in text (JSON stays decimal). */
  hint?: FormatHint;
}

/** The receiver of a box tree: each box opens, lists its fields, its children, and closes. */
export interface Inspector {
  /** The verbosity the boxes should honour. */
  readonly verbosity: Verbosity;
  /**
   * Opens a box (or descriptor): everything until {@linkcode endBox} belongs to it. `header`
   * is valid only during the call (the walker fills one record in for every box): copy what
   * is kept.
   */
  startBox(header: BoxHeaderInfo): void;
  /** Closes the innermost open box. */
  endBox(): void;
  /** An integer field (`name` null: an element of the open array). */
  addInt(name: string | null, value: number | bigint, options?: FieldOptions): void;
  /** A text field (a byte string). */
  addString(name: string | null, value: string): void;
  /** A real-number field (printed as C's `%f`). */
  addFloat(name: string | null, value: number): void;
  /** A byte-run field, printed as `[0a 1b ...]`. */
  addBytes(name: string | null, value: Uint8Array): void;
  /** Opens an array; its elements (fields with a null name, or objects) follow. */
  startArray(name: string | null): void;
  /** Closes the innermost array. */
  endArray(): void;
  /**
   * Opens an object; a compact one prints its fields on one line, a non-compact one on lines
   * below it.
   */
  startObject(name: string | null, compact?: boolean): void;
  /** Closes the innermost object. */
  endObject(): void;
}

/** An Inspector that lists nothing: subclasses override what they need. */
export class NullInspector implements Inspector {
  /** Creates one at a verbosity. */
  constructor(readonly verbosity: Verbosity = 0) {}
  /** Ignored. */
  startBox(_header: BoxHeaderInfo): void {}
  /** Ignored. */
  endBox(): void {}
  /** Ignored. */
  addInt(): void {}
  /** Ignored. */
  addString(): void {}
  /** Ignored. */
  addFloat(): void {}
  /** Ignored. */
  addBytes(): void {}
  /** Ignored. */
  startArray(): void {}
  /** Ignored. */
  endArray(): void {}
  /** Ignored. */
  startObject(): void {}
  /** Ignored. */
  endObject(): void {}
}

/** A printer: an Inspector whose output is collected and handed out in chunks. */
export interface Printer extends Inspector {
  /** Returns the text produced since the last call (and forgets it). */
  drain(): string;
  /**
   * Returns the bytes produced since the last call (one per character of the byte strings
   * printed) and forgets them: a view of the printer's buffer, valid until it prints again.
   */
  drainBytes(): Uint8Array;
  /** Approximate number of characters waiting to be drained. */
  readonly pending: number;
  /** Closes whatever is still open and ends the output. */
  finish(): void;
  /**
   * Lets the next printer reuse this one's buffer, once everything has been drained: this
   * printer must not be used again.
   */
  release(): void;
}

const SPACES = " ".repeat(255);
/** mp4dump's indent: at most 255 spaces. */
function indent(n: number): string {
  return SPACES.slice(0, Math.min(n, 255));
}

const enum TextKind {
  Top,
  Atom,
  Array,
  Object,
  Compact,
}

/** `[name] size=`, the start of a box header line. */
const boxHead = recurring((name) => "[" + name + "] size=");
/** `name = `, the start of a field. */
const fieldHead = recurring((name) => name + " = ");

/** Options of the text printer. */
export interface TextInspectorOptions {
  /** When set, each box header line ends with ` @<base+offset> (0x<hex>)`. */
  annotateBase?: number;
}

/**
 * Prints mp4dump's text format: `[type] size=H+P[, version=V][, flags=F]` per box, then
 * `name = value` per field, two spaces of indent per level.
 */
export class TextInspector implements Printer {
  /** The verbosity the boxes should honour. */
  readonly verbosity: Verbosity;
  #out = new ByteOutput();
  /** The open contexts, outermost first: their kinds and how many entries each has. */
  #kinds: TextKind[] = [TextKind.Top];
  #counts: number[] = [0];
  #annotateBase: number | undefined;

  /**
   * Creates a text printer.
   *
   * @param verbosity detail level (0..3)
   * @param options annotation of header lines
   */
  constructor(verbosity: Verbosity, options: TextInspectorOptions = {}) {
    this.verbosity = verbosity;
    this.#annotateBase = options.annotateBase;
  }

  /** Characters waiting to be drained. */
  get pending(): number {
    return this.#out.pending;
  }

  /** Returns the text produced since the last call. */
  drain(): string {
    return this.#out.drain();
  }

  /** Returns the bytes produced since the last call (valid until the next print). */
  drainBytes(): Uint8Array {
    return this.#out.drainBytes();
  }

  /** Hands the output buffer on to the next printer; this one must not print again. */
  release(): void {
    this.#out.release();
  }

  /** Nothing is left open in text. */
  finish(): void {}

  #push(kind: TextKind): void {
    this.#kinds.push(kind);
    this.#counts.push(0);
  }

  #pop(): void {
    this.#kinds.pop();
    this.#counts.pop();
  }

  /** What starts an entry: the indent (and an array index), or a comma in a compact object. */
  #prefix(): void {
    const out = this.#out;
    const last = this.#kinds.length - 1;
    const kind = this.#kinds[last];
    if (kind === TextKind.Compact) {
      if (this.#counts[last]++) {
        out.byte(0x2c); // ","
        out.byte(0x20);
      }
      return;
    }
    out.spaces(Math.min(last * 2, 255));
    if (kind === TextKind.Array) {
      // "(       7) ": the index right-aligned in 8 columns
      const i = this.#counts[last]++;
      out.byte(0x28); // "("
      let digits = 1;
      for (let n = i; n >= 10; n = Math.floor(n / 10)) digits++;
      out.spaces(8 - digits);
      out.writeInt(i);
      out.byte(0x29); // ")"
      out.byte(0x20);
    }
  }

  /** What ends an entry: a new line, except inside a compact object. */
  #suffix(): void {
    if (this.#kinds[this.#kinds.length - 1] !== TextKind.Compact) this.#out.byte(0x0a);
  }

  startBox(h: BoxHeaderInfo): void {
    this.#prefix();
    this.#push(TextKind.Atom);
    const out = this.#out;
    out.bytes(boxHead(h.name));
    out.writeInt(h.headerSize);
    out.byte(0x2b); // "+"
    out.writeInt(h.size - h.headerSize);
    if (h.headerSize === 12 || h.headerSize === 20 || h.headerSize === 28) {
      if (h.version) {
        out.write(", version=");
        out.writeInt(h.version);
      }
      if (h.flags) {
        out.write(", flags=");
        out.writeHex(h.flags);
      }
    }
    if (this.#annotateBase !== undefined) {
      const abs = this.#annotateBase + h.offset;
      out.write(" @");
      out.writeInt(abs);
      out.write(" (0x");
      out.writeHex(abs);
      out.byte(0x29); // ")"
    }
    this.#suffix();
  }

  endBox(): void {
    this.#pop();
  }

  /** The start of a field: its prefix and `name = `. */
  #name(name: string | null): void {
    this.#prefix();
    if (name !== null) this.#out.bytes(fieldHead(name));
  }

  #field(name: string | null, value: string): void {
    this.#name(name);
    this.#out.write(value);
    this.#suffix();
  }

  addInt(name: string | null, value: number | bigint, options?: FieldOptions): void {
    if (typeof value === "number") {
      // printed digit by digit into the output (no string made)
      this.#name(name);
      if (options?.hint === "hex") this.#out.writeHex(value);
      else this.#out.writeInt(value);
      this.#suffix();
      return;
    }
    this.#field(name, options?.hint === "hex" ? hexText(value) : intText(value));
  }

  addString(name: string | null, value: string): void {
    this.#field(name, value);
  }

  addFloat(name: string | null, value: number): void {
    this.#field(name, formatFixed6(value));
  }

  addBytes(name: string | null, value: Uint8Array): void {
    this.#field(name, bytesText(value));
  }

  startArray(name: string | null): void {
    this.#prefix();
    this.#push(TextKind.Array);
    if (name !== null) {
      this.#out.write(name);
      this.#out.byte(0x3a); // ":"
    }
    this.#suffix();
  }

  endArray(): void {
    this.#pop();
  }

  startObject(name: string | null, compact = false): void {
    this.#prefix();
    this.#push(compact ? TextKind.Compact : TextKind.Object);
    if (name !== null) {
      this.#out.write(name);
      this.#out.write(": ");
    }
    this.#suffix();
  }

  endObject(): void {
    if (this.#kinds[this.#kinds.length - 1] === TextKind.Compact) this.#out.byte(0x0a);
    this.#pop();
  }
}

const enum JsonKind {
  Top,
  Atom,
  Array,
}

interface JsonContext {
  kind: JsonKind;
  fields: number;
  children: number;
}

/**
 * Prints mp4dump's `--format json`: an array of box objects with `name`, `header_size`,
 * `size`, fields in order (keys may repeat, as mp4dump repeats them) and `children`.
 */
export class JsonInspector implements Printer {
  /** The verbosity the boxes should honour. */
  readonly verbosity: Verbosity;
  #out = new ByteOutput();
  #contexts: JsonContext[] = [{ kind: JsonKind.Top, fields: 0, children: 0 }];
  #prefix = "  ";
  #finished = false;

  /**
   * Creates a JSON printer (it writes the opening `[` at once).
   *
   * @param verbosity detail level (0..3)
   */
  constructor(verbosity: Verbosity) {
    this.verbosity = verbosity;
    this.#out.write("[\n");
  }

  /** Characters waiting to be drained. */
  get pending(): number {
    return this.#out.pending;
  }

  /** Returns the text produced since the last call. */
  drain(): string {
    return this.#out.drain();
  }

  /** Returns the bytes produced since the last call (valid until the next print). */
  drainBytes(): Uint8Array {
    return this.#out.drainBytes();
  }

  /** Hands the output buffer on to the next printer; this one must not print again. */
  release(): void {
    this.#out.release();
  }

  /** Closes every open box, array and object, then the outer array. */
  finish(): void {
    if (this.#finished) return;
    while (this.#contexts.length > 1) {
      const kind = this.#last().kind;
      if (kind === JsonKind.Atom) this.endBox();
      else this.endArray();
    }
    this.#out.write("\n]\n");
    this.#finished = true;
  }

  #last(): JsonContext {
    return this.#contexts[this.#contexts.length - 1];
  }

  #push(kind: JsonKind): void {
    this.#contexts.push({ kind, fields: 0, children: 0 });
    this.#prefix = indent(this.#contexts.length * 2);
  }

  #pop(): JsonContext {
    const c = this.#contexts.pop()!;
    this.#prefix = indent(this.#contexts.length * 2);
    return c;
  }

  #fieldAdded(): void {
    const last = this.#last();
    if (last.fields++) this.#out.write(",\n");
  }

  #name(name: string | null): string {
    return name === null ? "" : '"' + jsonEscape(name) + '": ';
  }

  startBox(h: BoxHeaderInfo): void {
    this.#fieldAdded();
    const last = this.#last();
    last.children++;
    let s = "";
    if (last.kind === JsonKind.Atom && last.children === 1) {
      s += this.#prefix + '"children":[ \n';
    }
    s += this.#prefix + "{\n";
    this.#out.write(s);
    this.#push(JsonKind.Atom);
    const p = this.#prefix;
    this.#last().fields = 3;
    s = p + '"name": "' + jsonEscape(h.name) + '",\n' + p + '"header_size": ' + h.headerSize +
      ",\n" + p + '"size": ' + intText(h.size);
    if (h.version) {
      s += ",\n" + p + '"version": ' + h.version;
      this.#last().fields++;
    }
    if (h.flags) {
      s += ",\n" + p + '"flags": ' + h.flags;
      this.#last().fields++;
    }
    this.#out.write(s);
  }

  endBox(): void {
    const c = this.#pop();
    this.#out.write((c.children ? "]" : "") + "\n" + this.#prefix + "}");
  }

  #field(name: string | null, text: string): void {
    this.#fieldAdded();
    this.#out.write(this.#prefix + this.#name(name) + text);
  }

  addInt(name: string | null, value: number | bigint): void {
    this.#field(name, intText(value));
  }

  addString(name: string | null, value: string): void {
    this.#field(name, '"' + jsonEscape(value) + '"');
  }

  addFloat(name: string | null, value: number): void {
    this.#field(name, formatFixed6(value));
  }

  addBytes(name: string | null, value: Uint8Array): void {
    this.#field(name, '"' + bytesText(value) + '"');
  }

  startArray(name: string | null): void {
    this.#field(name, "[\n");
    this.#push(JsonKind.Array);
  }

  endArray(): void {
    this.#pop();
    this.#out.write("\n" + this.#prefix + "]");
  }

  startObject(name: string | null): void {
    this.#field(name, "{\n");
    this.#push(JsonKind.Array);
  }

  endObject(): void {
    this.#pop();
    this.#out.write("\n" + this.#prefix + "}");
  }
}
