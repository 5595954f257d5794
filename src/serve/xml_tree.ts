/**
 * An MPD as an ordered tree that can be written back: element names with their namespace
 * prefixes, attributes as written (entities left encoded), comments and text kept, so a
 * live rendering changes only what it means to change. Reading goes through
 * `parseXml` of `src/dash/xml.ts` first, which refuses entity declarations and bounds the
 * nesting.
 *
 * @module
 */
import { XMLBuilder, XMLParser } from "fast-xml-parser";
import { parseXml } from "../dash/xml.ts";

/** A node: `{ [name]: children, ":@"?: attributes }`, or text (`#text`) or a comment. */
export type XmlNode = Record<string, unknown>;

const OPTIONS = {
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: "",
  parseTagValue: false,
  parseAttributeValue: false,
  processEntities: false,
  htmlEntities: false,
  trimValues: true,
  commentPropName: "#comment",
} as const;

const parser = new XMLParser(OPTIONS);
const builder = new XMLBuilder({
  ...OPTIONS,
  format: true,
  indentBy: "  ",
  suppressEmptyNode: true,
});

/**
 * Parses XML text into ordered nodes (the declaration, comments and the root element).
 * Throws an `Error` naming the problem.
 *
 * @example
 * ```ts
 * const nodes = parseOrdered('<MPD type="static"><Period/></MPD>');
 * nameOf(nodes[0]); // "MPD"
 * ```
 */
export function parseOrdered(text: string): XmlNode[] {
  parseXml(text); // the safety checks: no entity declarations, bounded nesting, well-formed
  return parser.parse(text) as XmlNode[];
}

/**
 * Writes ordered nodes back as indented XML text.
 *
 * @example
 * ```ts
 * buildOrdered([element("MPD", { type: "static" })]); // '<MPD type="static"/>\n'
 * ```
 */
export function buildOrdered(nodes: XmlNode[]): string {
  const text = builder.build(nodes) as string;
  return text.startsWith("\n") ? text.slice(1) : text;
}

/** The element's name as written (`cenc:pssh`), or undefined for text, comments, `<?…?>`. */
export function nameOf(node: XmlNode): string | undefined {
  const name = Object.keys(node).find((k) => k !== ":@");
  if (name === undefined || name.startsWith("#") || name.startsWith("?")) return undefined;
  return name;
}

/** The element's local name (without a namespace prefix), or undefined. */
export function localNameOf(node: XmlNode): string | undefined {
  const name = nameOf(node);
  return name === undefined ? undefined : name.slice(name.indexOf(":") + 1);
}

/** The children of an element (the array itself: changing it changes the element). */
export function childrenOf(node: XmlNode): XmlNode[] {
  const name = nameOf(node);
  if (name === undefined) return [];
  return node[name] as XmlNode[];
}

/** The element children with local name `local`. */
export function childElements(node: XmlNode, local: string): XmlNode[] {
  return childrenOf(node).filter((c) => localNameOf(c) === local);
}

/** The attributes of an element (the object itself: changing it changes the element). */
export function attrsOf(node: XmlNode): Record<string, string> {
  let attrs = node[":@"] as Record<string, string> | undefined;
  if (attrs === undefined) {
    attrs = {};
    node[":@"] = attrs;
  }
  return attrs;
}

/** Sets (or, with undefined, removes) an attribute. */
export function setAttr(node: XmlNode, name: string, value: string | number | undefined): void {
  const attrs = attrsOf(node);
  if (value === undefined) delete attrs[name];
  else attrs[name] = String(value);
}

/**
 * A new element.
 *
 * @example
 * ```ts
 * element("S", { t: 0, d: 2048, r: 3 });
 * ```
 */
export function element(
  name: string,
  attrs: Record<string, string | number> = {},
  children: XmlNode[] = [],
): XmlNode {
  const node: XmlNode = { [name]: children };
  if (Object.keys(attrs).length > 0) {
    node[":@"] = Object.fromEntries(Object.entries(attrs).map(([k, v]) => [k, String(v)]));
  }
  return node;
}

/** The root element among parsed nodes. */
export function rootOf(nodes: XmlNode[]): XmlNode | undefined {
  return nodes.find((n) => nameOf(n) !== undefined);
}
