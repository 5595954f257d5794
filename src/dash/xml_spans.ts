/**
 * Where each element and attribute of an XML text is: exact offsets of tags, attribute names
 * and values, and element content, so an editor can change a few values and keep every other
 * byte. Meaning still comes from the one parser (`parseXml` in `xml.ts`, fast-xml-parser);
 * this scanner only finds positions, and {@link locateElements} matches its elements to the
 * parsed tree in document order, refusing any disagreement.
 *
 * Comments, CDATA sections, processing instructions and the DOCTYPE are masked before the
 * scan, so markup inside them is never taken for an element.
 *
 * @module
 */
import { decodeXmlText, type XmlElement } from "./xml.ts";

/** One attribute of a start tag, with its offsets in the text. */
export interface AttrSpan {
  /** The name as written, with its prefix (`xlink:href`). */
  name: string;
  /** The name without its prefix (`href`). */
  local: string;
  /** Offset of the name's first character. */
  start: number;
  /** Offset just after the closing quote. */
  end: number;
  /** Offset just after the opening quote. */
  valueStart: number;
  /** Offset of the closing quote. */
  valueEnd: number;
  /** The quote character used. */
  quote: '"' | "'";
  /** The value, entity-decoded. */
  value: string;
}

/** One element, with the offsets of its tags and content. */
export interface ElementSpan {
  /** The name as written, with its prefix (`mpd:BaseURL`). */
  name: string;
  /** The name without its prefix (`BaseURL`). */
  local: string;
  /** The prefix ("" when none). */
  prefix: string;
  /** Offset of the `<` of the start tag. */
  start: number;
  /** Offset just after the last attribute (or the name): where a new attribute goes. */
  attrsEnd: number;
  /** Offset just after the `>` of the start tag. */
  openEnd: number;
  /** Whether the start tag ends with `/>`. */
  selfClosing: boolean;
  /** Offset of the `</` of the end tag (`openEnd` for a self-closing element). */
  closeStart: number;
  /** Offset just after the element (its end tag's `>`). */
  end: number;
  /** Attributes in the order written (namespace declarations included). */
  attrs: AttrSpan[];
  /** Child elements in document order. */
  children: ElementSpan[];
}

/**
 * Replaces comments, CDATA sections, processing instructions and the DOCTYPE with spaces
 * (newlines kept), so a scan for elements sees only real markup, at the same offsets.
 *
 * @example
 * ```ts
 * maskNonMarkup("<a><!-- <b/> --></a>"); // "<a>             </a>"
 * ```
 */
export function maskNonMarkup(text: string): string {
  return text.replace(
    /<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>|<\?[\s\S]*?\?>|<!DOCTYPE(?:[^[>]|\[[\s\S]*?\])*>/g,
    (m) => m.replace(/[^\r\n]/g, " "),
  );
}

const NAME_END = /[\s/>=]/;

function localOf(name: string): { local: string; prefix: string } {
  const colon = name.indexOf(":");
  return colon < 0
    ? { local: name, prefix: "" }
    : { local: name.slice(colon + 1), prefix: name.slice(0, colon) };
}

class Scanner {
  #m: string;
  #text: string;
  #at = 0;

  constructor(text: string) {
    this.#text = text;
    this.#m = maskNonMarkup(text);
  }

  fail(message: string): never {
    throw new Error(`XML scan: ${message} at offset ${this.#at}`);
  }

  skipSpace(): void {
    while (this.#at < this.#m.length && /\s/.test(this.#m[this.#at])) this.#at++;
  }

  name(): string {
    const start = this.#at;
    while (this.#at < this.#m.length && !NAME_END.test(this.#m[this.#at])) this.#at++;
    if (this.#at === start) this.fail("a name was expected");
    return this.#m.slice(start, this.#at);
  }

  /** Reads a start tag at `<`; returns the element without children. */
  startTag(): ElementSpan {
    const start = this.#at;
    this.#at++; // <
    const name = this.name();
    const attrs: AttrSpan[] = [];
    let attrsEnd = this.#at;
    for (;;) {
      this.skipSpace();
      const c = this.#m[this.#at];
      if (c === undefined) this.fail(`<${name}> is not closed`);
      if (c === ">" || (c === "/" && this.#m[this.#at + 1] === ">")) {
        const selfClosing = c === "/";
        this.#at += selfClosing ? 2 : 1;
        return {
          name,
          ...localOf(name),
          start,
          attrsEnd,
          openEnd: this.#at,
          selfClosing,
          closeStart: this.#at,
          end: this.#at,
          attrs,
          children: [],
        };
      }
      const attrStart = this.#at;
      const attrName = this.name();
      this.skipSpace();
      if (this.#m[this.#at] !== "=") this.fail(`attribute ${attrName} has no value`);
      this.#at++;
      this.skipSpace();
      const quote = this.#m[this.#at];
      if (quote !== '"' && quote !== "'") this.fail(`attribute ${attrName} is not quoted`);
      const valueStart = this.#at + 1;
      const valueEnd = this.#m.indexOf(quote, valueStart);
      if (valueEnd < 0) this.fail(`attribute ${attrName} is not closed`);
      this.#at = valueEnd + 1;
      attrs.push({
        name: attrName,
        ...localOf(attrName),
        start: attrStart,
        end: this.#at,
        valueStart,
        valueEnd,
        quote,
        value: decodeXmlText(this.#text.slice(valueStart, valueEnd)),
      });
      attrsEnd = this.#at;
    }
  }

  scan(): ElementSpan {
    const stack: ElementSpan[] = [];
    let root: ElementSpan | undefined;
    for (;;) {
      const lt = this.#m.indexOf("<", this.#at);
      if (lt < 0) break;
      this.#at = lt;
      if (this.#m[lt + 1] === "/") {
        this.#at += 2;
        const name = this.name();
        this.skipSpace();
        if (this.#m[this.#at] !== ">") this.fail(`</${name} is not closed`);
        const open = stack.pop();
        if (open === undefined || open.name !== name) {
          this.fail(`</${name}> does not close <${open?.name ?? "nothing"}>`);
        }
        open.closeStart = lt;
        this.#at++;
        open.end = this.#at;
        continue;
      }
      const el = this.startTag();
      if (stack.length > 0) stack[stack.length - 1].children.push(el);
      else if (root === undefined) root = el;
      else this.fail("a second root element");
      if (!el.selfClosing) stack.push(el);
    }
    if (stack.length > 0) this.fail(`<${stack[stack.length - 1].name}> is not closed`);
    if (root === undefined) this.fail("no root element");
    return root;
  }
}

/**
 * Scans well-formed XML text (check it with `parseXml` first) for its elements and their
 * offsets. Throws an `Error` on text it cannot follow.
 *
 * @example
 * ```ts
 * const root = scanElements('<MPD><BaseURL a="1>2">x/</BaseURL></MPD>');
 * const b = root.children[0];
 * '<MPD><BaseURL a="1>2">x/</BaseURL></MPD>'.slice(b.openEnd, b.closeStart); // "x/"
 * ```
 */
export function scanElements(text: string): ElementSpan {
  return new Scanner(text).scan();
}

/**
 * Matches the scanned elements of `text` to the tree `parseXml` made of it, element by
 * element in document order. Throws when the two disagree (a different name or number of
 * children anywhere), so an edit can never land on the wrong element.
 *
 * @example
 * ```ts
 * import { parseXml } from "./xml.ts";
 * const text = "<MPD><Period/></MPD>";
 * const root = parseXml(text);
 * locateElements(text, root).get(root.children[0])!.start; // 5
 * ```
 */
export function locateElements(text: string, root: XmlElement): Map<XmlElement, ElementSpan> {
  const spans = new Map<XmlElement, ElementSpan>();
  const walk = (el: XmlElement, span: ElementSpan, path: string): void => {
    if (el.name !== span.local) {
      throw new Error(`XML scan: found <${span.name}> where the parser has <${el.name}> (${path})`);
    }
    if (el.children.length !== span.children.length) {
      throw new Error(
        `XML scan: <${span.name}> has ${span.children.length} child elements in the text but ` +
          `${el.children.length} in the document (${path})`,
      );
    }
    spans.set(el, span);
    el.children.forEach((c, i) => walk(c, span.children[i], `${path}/${c.name}[${i}]`));
  };
  walk(root, scanElements(text), root.name);
  return spans;
}
