/**
 * The Inspector: what a box lists its fields to, and the two printers that are Inspectors —
 * {@linkcode TextInspector} (mp4dump's text) and {@linkcode JsonInspector} (mp4dump's
 * `--format json`). Boxes decide *what* to list (and at which verbosity); printers decide only
 * *how* it looks, so adding a box never touches a printer.
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

/** A scalar element of an array: a number, or a run of bytes. */
export type ElementValue = number | bigint | Uint8Array;

/** The receiver of a box tree: each box opens, lists its fields, its children, and closes. */
export interface Inspector {
  /** The verbosity the boxes should honour. */
  readonly verbosity: Verbosity;
  /** Opens a box (or descriptor): everything until {@linkcode endBox} belongs to it. */
  startBox(header: BoxHeaderInfo): void;
  /** Closes the innermost open box. */
  endBox(): void;
  /** An integer field; `hex` prints it in hexadecimal in text (JSON stays decimal). */
  addInt(name: string, value: number | bigint, hex?: boolean): void;
  /** A text field. */
  addString(name: string, value: string): void;
  /** A real-number field (printed with six decimals). */
  addFloat(name: string, value: number): void;
  /** A byte-run field, printed as `[0a 1b ...]`. */
  addBytes(name: string, value: Uint8Array): void;
  /** Opens an array field named `name`; elements follow until {@linkcode endArray}. */
  startArray(name: string): void;
  /** Closes the innermost array. */
  endArray(): void;
  /** A scalar element of the open array. */
  addElement(value: ElementValue): void;
  /**
   * Opens an object element of the open array. A compact object prints its fields on the
   * element's line; a non-compact one prints them (and nested arrays) on lines below it.
   */
  startEntry(compact?: boolean): void;
  /** Closes the open object element. */
  endEntry(): void;
}

/** A printer: an Inspector whose output is collected and handed out in chunks. */
export interface Printer extends Inspector {
  /** Returns the text produced since the last call (and forgets it). */
  drain(): string;
  /** Approximate number of characters waiting to be drained. */
  readonly pending: number;
  /** Closes whatever is still open (so output cut by damage is still well formed) and ends it. */
  finish(): void;
}

function intText(value: number | bigint): string {
  return typeof value === "bigint" ? BigInt.asIntN(64, value).toString() : String(value);
}

function hexText(value: number | bigint): string {
  return typeof value === "bigint"
    ? BigInt.asUintN(64, value).toString(16)
    : (value >= 0 ? value : value + 0x100000000).toString(16);
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, "0"));

/** `[0a 1b 2c]`: bytes as mp4dump lists them. */
export function bytesText(value: Uint8Array): string {
  let s = "[";
  for (let i = 0; i < value.length; i++) s += (i ? " " : "") + HEX[value[i]];
  return s + "]";
}

function floatText(value: number): string {
  return value.toFixed(6);
}

function elementText(value: ElementValue): string {
  return value instanceof Uint8Array ? bytesText(value) : intText(value);
}

const SPACES = " ".repeat(256);
function pad(n: number): string {
  return n <= 256 ? SPACES.slice(0, n) : " ".repeat(n);
}

function indexText(i: number): string {
  const s = String(i);
  return s.length >= 8 ? s : SPACES.slice(0, 8 - s.length) + s;
}

interface TextArray {
  index: number;
}

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
  #chunks: string[] = [];
  #pending = 0;
  #line = "";
  #indent = 0;
  #arrays: TextArray[] = [];
  /** Parts of the compact entry being built, or null when none is open. */
  #entry: string[] | null = null;
  #entryStack: (string[] | null)[] = [];
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

  #emit(s: string): void {
    this.#line += s;
    if (this.#line.length > 16384) this.#flushLine();
  }

  #flushLine(): void {
    this.#chunks.push(this.#line);
    this.#pending += this.#line.length;
    this.#line = "";
  }

  /** Characters waiting to be drained. */
  get pending(): number {
    return this.#pending + this.#line.length;
  }

  /** Returns the text produced since the last call. */
  drain(): string {
    this.#flushLine();
    const s = this.#chunks.join("");
    this.#chunks = [];
    this.#pending = 0;
    return s;
  }

  /** Nothing to close in text. */
  finish(): void {
    if (this.#entry) this.endEntry();
  }

  startBox(h: BoxHeaderInfo): void {
    let s = pad(this.#indent) + "[" + h.name + "] size=" + h.headerSize + "+" +
      (h.size - h.headerSize);
    if (h.version) s += ", version=" + h.version;
    if (h.flags) s += ", flags=" + hexText(h.flags);
    if (this.#annotateBase !== undefined) {
      const abs = this.#annotateBase + h.offset;
      s += " @" + abs + " (0x" + abs.toString(16) + ")";
    }
    this.#emit(s + "\n");
    this.#indent += 2;
  }

  endBox(): void {
    this.#indent -= 2;
  }

  #field(name: string, text: string): void {
    if (this.#entry) this.#entry.push(name + " = " + text);
    else this.#emit(pad(this.#indent) + name + " = " + text + "\n");
  }

  addInt(name: string, value: number | bigint, hex = false): void {
    this.#field(name, hex ? hexText(value) : intText(value));
  }

  addString(name: string, value: string): void {
    this.#field(name, value);
  }

  addFloat(name: string, value: number): void {
    this.#field(name, floatText(value));
  }

  addBytes(name: string, value: Uint8Array): void {
    this.#field(name, bytesText(value));
  }

  startArray(name: string): void {
    this.#emit(pad(this.#indent) + name + ":\n");
    this.#indent += 2;
    this.#arrays.push({ index: 0 });
  }

  endArray(): void {
    this.#arrays.pop();
    this.#indent -= 2;
  }

  addElement(value: ElementValue): void {
    const a = this.#arrays[this.#arrays.length - 1];
    this.#emit(pad(this.#indent) + "(" + indexText(a.index++) + ") " + elementText(value) + "\n");
  }

  startEntry(compact = true): void {
    const a = this.#arrays[this.#arrays.length - 1];
    this.#entryStack.push(this.#entry);
    if (compact) {
      this.#entry = [pad(this.#indent) + "(" + indexText(a.index++) + ") "];
    } else {
      this.#emit(pad(this.#indent) + "(" + indexText(a.index++) + ") \n");
      this.#entry = null;
      this.#indent += 2;
    }
  }

  endEntry(): void {
    const e = this.#entry;
    if (e) {
      const head = e[0];
      this.#emit(head + e.slice(1).join(", ") + "\n");
    } else {
      this.#indent -= 2;
    }
    this.#entry = this.#entryStack.pop() ?? null;
  }
}

type JsonFrameKind = "root" | "box" | "array" | "object";

interface JsonFrame {
  kind: JsonFrameKind;
  /** Indent of the frame's opening line. */
  indent: number;
  /** Items written so far (fields/elements), or children for a box. */
  count: number;
  children: number;
}

function jsonString(s: string): string {
  let needs = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c) {
      needs = true;
      break;
    }
  }
  return needs ? JSON.stringify(s) : '"' + s + '"';
}

/**
 * Prints mp4dump's `--format json`: an array of box objects with `name`, `header_size`,
 * `size`, fields in order (keys may repeat, as mp4dump repeats them) and `children`.
 */
export class JsonInspector implements Printer {
  /** The verbosity the boxes should honour. */
  readonly verbosity: Verbosity;
  #chunks: string[] = [];
  #pending = 0;
  #frames: JsonFrame[] = [{ kind: "root", indent: 0, count: 0, children: 0 }];
  #finished = false;

  /**
   * Creates a JSON printer (it writes the opening `[` at once).
   *
   * @param verbosity detail level (0..3)
   */
  constructor(verbosity: Verbosity) {
    this.verbosity = verbosity;
    this.#emit("[\n");
  }

  #emit(s: string): void {
    this.#chunks.push(s);
    this.#pending += s.length;
  }

  /** Characters waiting to be drained. */
  get pending(): number {
    return this.#pending;
  }

  /** Returns the text produced since the last call. */
  drain(): string {
    const s = this.#chunks.join("");
    this.#chunks = [];
    this.#pending = 0;
    return s;
  }

  #top(): JsonFrame {
    return this.#frames[this.#frames.length - 1];
  }

  /** Closes every open array, object and box, then the outer array. */
  finish(): void {
    if (this.#finished) return;
    while (this.#frames.length > 1) {
      const f = this.#top();
      if (f.kind === "box") this.endBox();
      else if (f.kind === "array") this.endArray();
      else this.endEntry();
    }
    this.#emit("\n]\n");
    this.#finished = true;
  }

  startBox(h: BoxHeaderInfo): void {
    const parent = this.#top();
    let indent: number;
    if (parent.kind === "root") {
      if (parent.count++ > 0) this.#emit(",\n");
      indent = 2;
    } else {
      const inner = pad(parent.indent + 2);
      if (parent.kind === "box") {
        this.#emit(parent.children++ === 0 ? ",\n" + inner + '"children":[ \n' : ",\n");
        indent = parent.indent + 2;
      } else {
        // a box inside an entry or array: list it as an element
        if (parent.count++ > 0) this.#emit(",\n");
        indent = parent.indent + 2;
      }
    }
    const p = pad(indent), q = pad(indent + 2);
    let s = p + "{\n" + q + '"name": ' + jsonString(h.name) + ",\n" + q + '"header_size": ' +
      h.headerSize + ",\n" + q + '"size": ' + h.size;
    if (h.version) s += ",\n" + q + '"version": ' + h.version;
    if (h.flags) s += ",\n" + q + '"flags": ' + h.flags;
    this.#emit(s);
    this.#frames.push({ kind: "box", indent, count: 1, children: 0 });
  }

  endBox(): void {
    const f = this.#frames.pop()!;
    this.#emit((f.children > 0 ? "]" : "") + "\n" + pad(f.indent) + "}");
  }

  #field(name: string, text: string): void {
    const f = this.#top();
    const sep = f.count++ > 0 ? ",\n" : "";
    this.#emit(sep + pad(f.indent + 2) + jsonString(name) + ": " + text);
  }

  addInt(name: string, value: number | bigint): void {
    this.#field(name, intText(value));
  }

  addString(name: string, value: string): void {
    this.#field(name, jsonString(value));
  }

  addFloat(name: string, value: number): void {
    this.#field(name, floatText(value));
  }

  addBytes(name: string, value: Uint8Array): void {
    this.#field(name, '"' + bytesText(value) + '"');
  }

  startArray(name: string): void {
    const f = this.#top();
    const sep = f.count++ > 0 ? ",\n" : "";
    this.#emit(sep + pad(f.indent + 2) + jsonString(name) + ": [\n");
    this.#frames.push({ kind: "array", indent: f.indent + 2, count: 0, children: 0 });
  }

  endArray(): void {
    const f = this.#frames.pop()!;
    this.#emit("\n" + pad(f.indent) + "]");
  }

  addElement(value: ElementValue): void {
    const f = this.#top();
    const sep = f.count++ > 0 ? ",\n" : "";
    const text = value instanceof Uint8Array ? '"' + bytesText(value) + '"' : intText(value);
    this.#emit(sep + pad(f.indent + 2) + text);
  }

  startEntry(): void {
    const f = this.#top();
    const sep = f.count++ > 0 ? ",\n" : "";
    this.#emit(sep + pad(f.indent + 2) + "{\n");
    this.#frames.push({ kind: "object", indent: f.indent + 2, count: 0, children: 0 });
  }

  endEntry(): void {
    const f = this.#frames.pop()!;
    this.#emit("\n" + pad(f.indent) + "}");
  }
}
