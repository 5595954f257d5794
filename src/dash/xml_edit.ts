/**
 * Edits XML text in place: set or remove an attribute, replace an element's text, remove,
 * replace or insert an element — all collected first, then applied in one pass that keeps
 * every byte nobody edited (line endings, prefixes, quoting, comments, indentation).
 *
 * The elements edited are those of the tree `parseXml` made of the same text (the parser
 * decides what the document means); {@link locateElements} finds where they are. New
 * elements take the namespace prefix of the element they go into, the document's line
 * ending and its indentation.
 *
 * Edits combine: an edit inside an element that is removed or replaced is dropped with it;
 * edits that cross each other otherwise are a programming error and throw.
 *
 * @example
 * ```ts
 * import { parseXml } from "./xml.ts";
 * const text = '<MPD type="dynamic">\n  <Period/>\n</MPD>\n';
 * const root = parseXml(text);
 * const edit = new XmlEditor(text, root);
 * edit.setAttr(root, "type", "static");
 * edit.insert(root.children[0], { name: "BaseURL", text: "media/" });
 * edit.apply();
 * // '<MPD type="static">\n  <Period>\n    <BaseURL>media/</BaseURL>\n  </Period>\n</MPD>\n'
 * ```
 *
 * @module
 */
import type { XmlElement } from "./xml.ts";
import { type ElementSpan, locateElements } from "./xml_spans.ts";

/** A new element to insert: its local name, attributes in order, and children or text. */
export interface NewElement {
  /** Local name; the prefix of the element it goes into is added. */
  name: string;
  /** Attributes in order (values are escaped when written). */
  attrs?: [string, string | number][];
  /** Child elements (or copied markup), in order. */
  children?: NewNode[];
  /** Text content (escaped when written); ignored when there are children. */
  text?: string;
}

/** Markup copied as is (e.g. {@link XmlEditor.source} of an element), re-indented. */
export interface RawXml {
  /** The markup. */
  raw: string;
  /** The indentation its first line had where it came from (other lines lose it). */
  indent?: string;
}

/** What can be inserted. */
export type NewNode = NewElement | RawXml;

/** Where {@link XmlEditor.insert} puts a new element among its parent's children. */
export type InsertPlace =
  | { at: "start" | "end" }
  | { before: XmlElement }
  | { after: XmlElement };

/** Escapes text for an attribute value inside `quote`. */
export function escapeAttr(value: string, quote: '"' | "'" = '"'): string {
  let out = value.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
    .replace(/\t/g, "&#9;").replace(/\n/g, "&#10;").replace(/\r/g, "&#13;");
  out = quote === '"' ? out.replace(/"/g, "&quot;") : out.replace(/'/g, "&apos;");
  return out;
}

/** Escapes text for element content. */
export function escapeText(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** One replacement of `[start, end)` by `text`; zero width is an insertion. */
interface RawEdit {
  start: number;
  end: number;
  text: string;
  seq: number;
  /** Edits strictly inside this one's range are dropped with it. */
  container: boolean;
}

interface Insertion {
  place: InsertPlace;
  node: NewNode;
  seq: number;
}

/**
 * Collects edits to one XML text and applies them in one pass; see the module
 * documentation.
 */
export class XmlEditor {
  /** The original text. */
  readonly text: string;
  /** The parsed tree the edits refer to. */
  readonly root: XmlElement;
  /** The document's line ending ("\r\n" when it uses it). */
  readonly newline: string;
  #spans: Map<XmlElement, ElementSpan>;
  #parents = new Map<XmlElement, XmlElement>();
  #attrs = new Map<XmlElement, Map<string, { value: string | null; seq: number }>>();
  #texts = new Map<XmlElement, { text: string; seq: number }>();
  #removed = new Map<XmlElement, number>();
  #replaced = new Map<XmlElement, { node: NewNode; seq: number }>();
  #inserts = new Map<XmlElement, Insertion[]>();
  #seq = 0;
  #unit: string;

  /**
   * Starts editing `text`, finding where each element of `root` is in it.
   *
   * @param text the XML text
   * @param root the tree `parseXml(text)` returned
   * @throws Error when the text and the tree disagree
   */
  constructor(text: string, root: XmlElement) {
    this.text = text;
    this.root = root;
    this.#spans = locateElements(text, root);
    const walk = (el: XmlElement) => {
      for (const c of el.children) {
        this.#parents.set(c, el);
        walk(c);
      }
    };
    walk(root);
    this.newline = text.includes("\r\n") ? "\r\n" : "\n";
    this.#unit = this.#indentUnit();
  }

  /** Whether any edit has been asked for. */
  get changed(): boolean {
    return this.#attrs.size + this.#texts.size + this.#removed.size + this.#replaced.size +
        this.#inserts.size > 0;
  }

  /** Where `el` is in the text. */
  span(el: XmlElement): ElementSpan {
    const s = this.#spans.get(el);
    if (s === undefined) throw new Error(`<${el.name}> is not an element of this document`);
    return s;
  }

  /** The parent of `el` (undefined for the root). */
  parent(el: XmlElement): XmlElement | undefined {
    return this.#parents.get(el);
  }

  /** The original markup of `el`, from its `<` to the end of its end tag. */
  source(el: XmlElement): RawXml {
    const s = this.span(el);
    return { raw: this.text.slice(s.start, s.end), indent: this.#lineIndent(s.start) };
  }

  /** The original markup of an attribute of `el` (`name="value"`), by local name. */
  attrSource(el: XmlElement, local: string): string | undefined {
    const a = this.#attr(el, local);
    return a === undefined ? undefined : this.text.slice(a.start, a.end);
  }

  /** Sets an attribute (by local name): its value is replaced in its quotes, or it is added. */
  setAttr(el: XmlElement, local: string, value: string | number): this {
    this.span(el);
    let m = this.#attrs.get(el);
    if (!m) this.#attrs.set(el, m = new Map());
    m.set(local, { value: String(value), seq: this.#seq++ });
    return this;
  }

  /** Removes an attribute (by local name), with the space before it; nothing if absent. */
  removeAttr(el: XmlElement, local: string): this {
    this.span(el);
    let m = this.#attrs.get(el);
    if (!m) this.#attrs.set(el, m = new Map());
    m.set(local, { value: null, seq: this.#seq++ });
    return this;
  }

  /** Replaces the content of `el` with `text` (a self-closing element gets an end tag). */
  setText(el: XmlElement, text: string): this {
    this.span(el);
    this.#texts.set(el, { text, seq: this.#seq++ });
    return this;
  }

  /** Removes `el`, and its line when it stands alone on it. */
  remove(el: XmlElement): this {
    if (el === this.root) throw new Error("the root element cannot be removed");
    this.span(el);
    this.#removed.set(el, this.#seq++);
    return this;
  }

  /** Replaces `el` by a new element (or copied markup), at the same indentation. */
  replace(el: XmlElement, node: NewNode): this {
    this.span(el);
    this.#replaced.set(el, { node, seq: this.#seq++ });
    return this;
  }

  /**
   * Inserts a new element into `parent`: at its end (the default), its start, or before or
   * after one of its children. Several insertions at one place keep the order they were
   * asked in.
   */
  insert(parent: XmlElement, node: NewNode, place: InsertPlace = { at: "end" }): this {
    this.span(parent);
    const anchor = "before" in place ? place.before : "after" in place ? place.after : undefined;
    if (anchor !== undefined && this.#parents.get(anchor) !== parent) {
      throw new Error(`<${anchor.name}> is not a child of <${parent.name}>`);
    }
    let list = this.#inserts.get(parent);
    if (!list) this.#inserts.set(parent, list = []);
    list.push({ place, node, seq: this.#seq++ });
    return this;
  }

  /** The text with every edit asked for so far applied (the editor stays usable). */
  apply(): string {
    const edits: RawEdit[] = [];
    for (const [el, m] of this.#attrs) edits.push(...this.#attrEdits(el, m));
    for (const [el, { text, seq }] of this.#texts) edits.push(this.#textEdit(el, text, seq));
    for (const [el, seq] of this.#removed) edits.push(this.#removeEdit(el, seq));
    for (const [el, { node, seq }] of this.#replaced) {
      const s = this.span(el);
      const text = this.#render(node, this.#lineIndent(s.start), this.#prefixFor(el));
      edits.push({ start: s.start, end: s.end, text, seq, container: true });
    }
    for (const [parent, list] of this.#inserts) edits.push(...this.#insertEdits(parent, list));
    return this.#splice(edits);
  }

  #splice(edits: RawEdit[]): string {
    edits.sort((a, b) =>
      a.start - b.start || (a.end === a.start ? 0 : 1) - (b.end === b.start ? 0 : 1) ||
      a.seq - b.seq
    );
    let out = "";
    let at = 0;
    let cover: RawEdit | undefined;
    for (const e of edits) {
      if (e.start < at) {
        // Inside an earlier edit: dropped when that one removes or replaces a whole region.
        if (cover?.container && e.end <= cover.end) continue;
        throw new Error(`XML edit: overlapping edits at offsets ${e.start}-${e.end}`);
      }
      out += this.text.slice(at, e.start) + e.text;
      at = e.end;
      cover = e;
    }
    return out + this.text.slice(at);
  }

  #attr(el: XmlElement, local: string) {
    return this.span(el).attrs.find((a) => a.local === local && !/^xmlns(:|$)/.test(a.name));
  }

  #attrEdits(el: XmlElement, m: Map<string, { value: string | null; seq: number }>): RawEdit[] {
    const s = this.span(el);
    const out: RawEdit[] = [];
    for (const [local, { value, seq }] of m) {
      const a = this.#attr(el, local);
      if (a !== undefined && value !== null) {
        out.push({
          start: a.valueStart,
          end: a.valueEnd,
          text: escapeAttr(value, a.quote),
          seq,
          container: false,
        });
      } else if (a !== undefined) {
        let start = a.start;
        while (start > 0 && /\s/.test(this.text[start - 1])) start--;
        out.push({ start, end: a.end, text: "", seq, container: false });
      } else if (value !== null) {
        out.push({
          start: s.attrsEnd,
          end: s.attrsEnd,
          text: ` ${local}="${escapeAttr(value)}"`,
          seq,
          container: false,
        });
      }
    }
    return out;
  }

  #textEdit(el: XmlElement, text: string, seq: number): RawEdit {
    const s = this.span(el);
    if (s.selfClosing) {
      if (this.#inserts.has(el)) throw new Error(`XML edit: text and children for <${s.name}>`);
      return {
        start: s.attrsEnd,
        end: s.openEnd,
        text: `>${escapeText(text)}</${s.name}>`,
        seq,
        container: true,
      };
    }
    return { start: s.openEnd, end: s.closeStart, text: escapeText(text), seq, container: true };
  }

  #removeEdit(el: XmlElement, seq: number): RawEdit {
    const s = this.span(el);
    const lineStart = this.#lineStartIfBlank(s.start);
    const lineEnd = this.#lineEndIfBlank(s.end);
    if (lineStart !== undefined && lineEnd !== undefined) {
      return { start: lineStart, end: lineEnd, text: "", seq, container: true };
    }
    return { start: s.start, end: s.end, text: "", seq, container: true };
  }

  #insertEdits(parent: XmlElement, list: Insertion[]): RawEdit[] {
    const p = this.span(parent);
    const prefix = this.#prefixFor(parent);
    const parentIndent = this.#lineIndent(p.start) ?? "";
    const firstChild = p.children[0];
    const multiline = firstChild !== undefined
      ? this.#lineIndent(firstChild.start) !== undefined
      : this.#looksMultiline();
    const childIndent = firstChild !== undefined
      ? this.#lineIndent(firstChild.start) ?? parentIndent + this.#unit
      : parentIndent + this.#unit;
    const nl = multiline ? this.newline : "";
    const ind = multiline ? childIndent : "";
    const out: RawEdit[] = [];

    if (p.selfClosing || (p.children.length === 0 && !/\S/.test(this.#between(p)))) {
      // No content: the new children become all of it.
      if (this.#texts.has(parent)) throw new Error(`XML edit: text and children for <${p.name}>`);
      const ordered = [...list].sort((a, b) => {
        const rank = (i: Insertion) => ("at" in i.place && i.place.at === "start" ? 0 : 1);
        return rank(a) - rank(b) || a.seq - b.seq;
      });
      const body = ordered.map((i) =>
        nl + ind + this.#render(i.node, multiline ? ind : undefined, prefix)
      ).join("");
      const closing = multiline ? nl + parentIndent : "";
      const seq = Math.min(...list.map((i) => i.seq));
      out.push(
        p.selfClosing
          ? {
            start: p.attrsEnd,
            end: p.openEnd,
            text: `>${body}${closing}</${p.name}>`,
            seq,
            container: false,
          }
          : { start: p.openEnd, end: p.closeStart, text: body + closing, seq, container: false },
      );
      return out;
    }

    for (const ins of list) {
      const { place, node, seq } = ins;
      let anchor: ElementSpan | undefined;
      let after = false;
      if ("before" in place) anchor = this.span(place.before);
      else if ("after" in place) {
        anchor = this.span(place.after);
        after = true;
      } else if (place.at === "start") anchor = firstChild;
      if (anchor === undefined) {
        // At the end: before the end tag's line when it has one of its own.
        const lineStart = this.#lineStartIfBlank(p.closeStart);
        if (lineStart !== undefined && multiline) {
          out.push(
            this.#zero(
              lineStart,
              childIndent + this.#render(node, childIndent, prefix) + this.newline,
              seq,
            ),
          );
        } else {
          out.push(
            this.#zero(p.closeStart, this.#render(node, multiline ? ind : undefined, prefix), seq),
          );
        }
        continue;
      }
      const indent = this.#lineIndent(anchor.start);
      if (!after) {
        const lineStart = this.#lineStartIfBlank(anchor.start);
        if (lineStart !== undefined && indent !== undefined) {
          out.push(
            this.#zero(lineStart, indent + this.#render(node, indent, prefix) + this.newline, seq),
          );
        } else out.push(this.#zero(anchor.start, this.#render(node, undefined, prefix), seq));
      } else {
        const lineEnd = this.#lineEndIfBlank(anchor.end);
        if (lineEnd !== undefined && indent !== undefined && lineEnd > anchor.end) {
          const text = indent + this.#render(node, indent, prefix) + this.newline;
          out.push(this.#zero(lineEnd, text, seq));
        } else out.push(this.#zero(anchor.end, this.#render(node, undefined, prefix), seq));
      }
    }
    return out;
  }

  #zero(at: number, text: string, seq: number): RawEdit {
    return { start: at, end: at, text, seq, container: false };
  }

  /** The content of a non-self-closing element as written. */
  #between(s: ElementSpan): string {
    return this.text.slice(s.openEnd, s.closeStart);
  }

  /** The prefix of `el`, which new children of it (or its replacement) take. */
  #prefixFor(el: XmlElement): string {
    return this.span(el).prefix;
  }

  /**
   * Renders a node; `indent` is the indentation of its first line, undefined when it goes
   * inline (children then stay on its line too).
   */
  #render(node: NewNode, indent: string | undefined, prefix: string): string {
    if ("raw" in node) {
      if (indent === undefined || node.indent === undefined || node.indent === indent) {
        return node.raw;
      }
      const from = node.indent;
      return node.raw.split(/\r?\n/).map((line, i) =>
        i === 0 ? line : line.startsWith(from) ? indent + line.slice(from.length) : line
      ).join(this.newline);
    }
    const name = prefix ? `${prefix}:${node.name}` : node.name;
    const attrs = (node.attrs ?? []).map(([k, v]) => ` ${k}="${escapeAttr(String(v))}"`).join("");
    const children = node.children ?? [];
    if (children.length > 0) {
      const inner = indent === undefined ? undefined : indent + this.#unit;
      const body = children.map((c) =>
        inner === undefined
          ? this.#render(c, undefined, prefix)
          : this.newline + inner + this.#render(c, inner, prefix)
      ).join("");
      return `<${name}${attrs}>${body}${
        indent === undefined ? "" : this.newline + indent
      }</${name}>`;
    }
    if (node.text !== undefined && node.text !== "") {
      return `<${name}${attrs}>${escapeText(node.text)}</${name}>`;
    }
    return `<${name}${attrs}/>`;
  }

  /** Whether elements of the document sit on lines of their own. */
  #looksMultiline(): boolean {
    const root = this.span(this.root);
    const first = root.children[0];
    return first !== undefined ? this.#lineIndent(first.start) !== undefined : true;
  }

  /** The whitespace between the start of `pos`'s line and `pos`, when only whitespace. */
  #lineIndent(pos: number): string | undefined {
    const start = this.#lineStartIfBlank(pos);
    return start === undefined ? undefined : this.text.slice(start, pos);
  }

  /** The start of `pos`'s line when only spaces and tabs precede `pos` on it. */
  #lineStartIfBlank(pos: number): number | undefined {
    let i = pos;
    while (i > 0 && (this.text[i - 1] === " " || this.text[i - 1] === "\t")) i--;
    if (i === 0) return undefined; // the first line holds the prolog or the root
    return this.text[i - 1] === "\n" ? i : undefined;
  }

  /** Just after the newline ending `pos`'s line when only spaces and tabs follow `pos`. */
  #lineEndIfBlank(pos: number): number | undefined {
    let i = pos;
    while (i < this.text.length && (this.text[i] === " " || this.text[i] === "\t")) i++;
    if (this.text[i] === "\r" && this.text[i + 1] === "\n") return i + 2;
    if (this.text[i] === "\n") return i + 1;
    return i === this.text.length ? i : undefined;
  }

  /** The indentation step the document uses (two spaces when it cannot tell). */
  #indentUnit(): string {
    const steps = new Map<string, number>();
    const walk = (el: XmlElement) => {
      const outer = this.#lineIndent(this.span(el).start);
      for (const c of el.children) {
        const inner = this.#lineIndent(this.span(c).start);
        if (outer !== undefined && inner !== undefined && inner.startsWith(outer)) {
          const step = inner.slice(outer.length);
          if (step !== "") steps.set(step, (steps.get(step) ?? 0) + 1);
        }
        walk(c);
      }
    };
    walk(this.root);
    let best = "  ";
    let count = 0;
    for (const [step, n] of steps) if (n > count) [best, count] = [step, n];
    // The root's children often sit at column 0 or one step in; either way a step counts.
    const rootChild = this.root.children[0];
    if (count === 0 && rootChild !== undefined) {
      const i = this.#lineIndent(this.span(rootChild).start);
      if (i) best = i;
    }
    return best;
  }
}
