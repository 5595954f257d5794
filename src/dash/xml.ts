/**
 * A small, safe XML tree for MPDs, built on fast-xml-parser.
 *
 * Remote XML is hostile: a DOCTYPE that declares entities is refused and no entity is
 * ever expanded by the parser (so an entity-expansion bomb or an external entity reads
 * nothing and costs nothing), nesting is bounded, and only the five predefined entities
 * and numeric character references are decoded, by us, in text and attribute values. Children keep document order, which the
 * BaseURL rewriter relies on.
 *
 * @module
 */
import { XMLParser, XMLValidator } from "fast-xml-parser";

/** An element: local name (namespace prefix removed), attributes, ordered children, text. */
export interface XmlElement {
  /** Local name, e.g. `Representation`. */
  name: string;
  /** Attributes by local name, entity-decoded. */
  attrs: Record<string, string>;
  /** Child elements in document order. */
  children: XmlElement[];
  /** The element's own text content, trimmed and entity-decoded ("" when none). */
  text: string;
}

/** Deepest element nesting accepted; real MPDs stay under 10. */
export const MAX_XML_DEPTH = 64;

const PREDEFINED: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
};

/** Decodes the predefined XML entities and numeric character references; nothing else. */
export function decodeXmlText(text: string): string {
  if (!text.includes("&")) return text;
  return text.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-zA-Z]+);/g, (whole, ref: string) => {
    if (ref[0] === "#") {
      const code = ref[1] === "x" ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return PREDEFINED[ref] ?? whole;
  });
}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: "",
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  processEntities: false,
  htmlEntities: false,
  trimValues: true,
  maxNestedTags: MAX_XML_DEPTH,
});

type RawNode = Record<string, unknown>;

function convert(raw: RawNode): XmlElement | undefined {
  const name = Object.keys(raw).find((k) => k !== ":@");
  if (name === undefined || name === "#text" || name.startsWith("?") || name.startsWith("!")) {
    return undefined;
  }
  const attrsRaw = (raw[":@"] ?? {}) as Record<string, unknown>;
  const attrs: Record<string, string> = {};
  for (const [k, v] of Object.entries(attrsRaw)) {
    if (k.startsWith("xmlns")) continue;
    attrs[k] = decodeXmlText(String(v));
  }
  const children: XmlElement[] = [];
  let text = "";
  for (const child of (raw[name] ?? []) as RawNode[]) {
    if ("#text" in child) text += String(child["#text"]);
    else {
      const el = convert(child);
      if (el) children.push(el);
    }
  }
  return { name, attrs, children, text: decodeXmlText(text) };
}

/**
 * Parses XML text into its root element. Throws an `Error` whose message carries the line
 * and column of the first problem; callers add the URL.
 *
 * @example
 * ```ts
 * const root = parseXml('<MPD type="static"><Period/></MPD>');
 * root.children[0].name; // "Period"
 * ```
 */
export function parseXml(text: string): XmlElement {
  // An MPD has no use for entity declarations; refusing them outright is simpler to trust
  // than expanding them carefully (billion laughs, external entities reading local files).
  const entity = /<!DOCTYPE[^[>]*\[[^\]]*?<!ENTITY\s+%?\s*([^\s>]*)/.exec(text);
  if (entity) {
    const line = text.slice(0, entity.index).split("\n").length;
    throw new Error(
      `the DOCTYPE declares entities (${entity[1] || "?"}, line ${line}); MPDs may not`,
    );
  }
  const valid = XMLValidator.validate(text);
  if (valid !== true) {
    const { msg, line, col } = valid.err;
    throw new Error(`not well-formed XML at line ${line}, column ${col}: ${msg}`);
  }
  let raw: RawNode[];
  try {
    raw = parser.parse(text) as RawNode[];
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    throw new Error(
      /nested/i.test(msg) ? `XML nested deeper than ${MAX_XML_DEPTH} elements` : msg,
    );
  }
  for (const node of raw) {
    const el = convert(node);
    if (el) return el;
  }
  throw new Error("no root element");
}

/** The children of `el` with the given local name, in document order. */
export function childrenNamed(el: XmlElement, name: string): XmlElement[] {
  return el.children.filter((c) => c.name === name);
}

/** The first child of `el` with the given local name. */
export function childNamed(el: XmlElement, name: string): XmlElement | undefined {
  return el.children.find((c) => c.name === name);
}
