/**
 * DASH-aware edits on top of {@link XmlEditor}: the building blocks for every change
 * streamkit makes to a saved MPD — rewriting references (`saved_copy.ts`), turning a live
 * MPD into a VOD one (a SegmentTimeline of what was recorded), keeping a selection of
 * Representations and a time range.
 *
 * - {@link xmlAddressing}: which addressing elements a Representation element uses, from
 *   the XML alone (it works on Representations the model could not read, too).
 * - {@link mergedAddressing}: those elements merged into one, with overrides — to give one
 *   Representation an addressing of its own without touching its siblings.
 * - {@link setOwnAddressing}: puts such an element into a Representation, in place of its
 *   own one.
 * - {@link usersOf}: the Representations an AdaptationSet- or Period-level element serves.
 * - {@link timelineNode}, {@link removeRepresentations}.
 *
 * @example Give Representation `v1` a SegmentTimeline of its own (the live recorder's case)
 * ```ts
 * import { parseMpd } from "./mpd.ts";
 * import { XmlEditor } from "./xml_edit.ts";
 * const text = await Deno.readTextFile("manifest.mpd");
 * const mpd = parseMpd(text, "https://cdn.example/vod/manifest.mpd");
 * const edit = new XmlEditor(text, mpd.root);
 * const rep = mpd.representations.find((r) => r.id === "v1")!;
 * const chain = xmlAddressing(rep.elements.representation, edit).chain;
 * setOwnAddressing(edit, rep.elements.representation, mergedAddressing(edit, chain, {
 *   children: { SegmentTimeline: timelineNode([{ t: 0, d: 96000, r: 29, k: 1 }]) },
 * }));
 * edit.setAttr(mpd.root, "type", "static");
 * const saved = edit.apply();
 * ```
 *
 * @module
 */
import { ADDRESSING, type AddressingName } from "./mpd.ts";
import type { TimelineEntry } from "./mpd_model.ts";
import { childNamed, childrenNamed, type XmlElement } from "./xml.ts";
import type { NewElement, NewNode, XmlEditor } from "./xml_edit.ts";

/** The addressing a Representation element uses, read from the XML. */
export interface XmlAddressing {
  /** The mode (the most specific level naming an addressing element decides), if any. */
  kind?: AddressingName;
  /** The elements of that mode at each level that has one, most specific first. */
  chain: XmlElement[];
}

/**
 * The addressing elements a Representation element uses: its own, its AdaptationSet's and
 * its Period's, of the mode the most specific level names (ISO/IEC 23009-1, 5.3.9.1).
 */
export function xmlAddressing(rep: XmlElement, edit: XmlEditor): XmlAddressing {
  const set = edit.parent(rep);
  const period = set && edit.parent(set);
  const levels = [rep, set, period].filter((e): e is XmlElement => e !== undefined);
  for (const level of levels) {
    const kind = ADDRESSING.find((name) => childNamed(level, name) !== undefined);
    if (kind === undefined) continue;
    const chain = levels.flatMap((l) => {
      const c = childNamed(l, kind);
      return c ? [c] : [];
    });
    return { kind, chain: chain.slice(chain.indexOf(childNamed(level, kind)!)) };
  }
  return { chain: [] };
}

/**
 * The Representation elements that use `el`, an addressing element (SegmentTemplate,
 * SegmentList, SegmentBase) of an AdaptationSet or a Period, in document order.
 */
export function usersOf(edit: XmlEditor, el: XmlElement): XmlElement[] {
  const holder = edit.parent(el);
  if (holder === undefined) return [];
  const reps = holder.name === "AdaptationSet"
    ? childrenNamed(holder, "Representation")
    : holder.name === "Period"
    ? childrenNamed(holder, "AdaptationSet").flatMap((s) => childrenNamed(s, "Representation"))
    : holder.name === "Representation"
    ? [holder]
    : [];
  return reps.filter((r) => xmlAddressing(r, edit).chain.includes(el));
}

/** Changes to make while merging a chain of addressing elements into one. */
export interface MergeOverrides {
  /** The merged element's name (e.g. "SegmentList" to turn a template into a list). */
  name?: AddressingName;
  /**
   * Attribute values to set (or, with `null`, leave out of the copy — it is then still
   * inherited from any element of the chain left in place above it).
   */
  attrs?: Record<string, string | number | null>;
  /** Children to put in place of the inherited ones of that name (`null`: none). */
  children?: Record<string, NewNode | NewNode[] | null>;
  /** Attribute values to set on the inherited child of that name (`Initialization`). */
  childAttrs?: Record<string, Record<string, string | number>>;
  /** Attribute values to set on the n-th inherited `SegmentURL`. */
  segmentUrlAttrs?: Map<number, Record<string, string | number>>;
}

/** The order children of SegmentBase, SegmentList and SegmentTemplate take in the schema. */
const CHILD_ORDER = [
  "Initialization",
  "RepresentationIndex",
  "FailoverContent",
  "SegmentTimeline",
  "BitstreamSwitching",
  "SegmentURL",
];

function withAttrs(el: XmlElement, attrs: Record<string, string | number>): NewElement {
  const out: [string, string | number][] = Object.entries(el.attrs).map(([k, v]) => [k, v]);
  for (const [k, v] of Object.entries(attrs)) {
    const i = out.findIndex(([name]) => name === k);
    if (i >= 0) out[i] = [k, v];
    else out.push([k, v]);
  }
  return { name: el.name, attrs: out };
}

/**
 * Merges a chain of addressing elements (most specific first, as {@link xmlAddressing}
 * gives it) into one element that says everything the chain says: each attribute from the
 * most specific element that has it, each kind of child from the most specific element that
 * has one; then applies `overrides`. Children are copied as written.
 */
export function mergedAddressing(
  edit: XmlEditor,
  chain: readonly XmlElement[],
  overrides: MergeOverrides = {},
): NewElement {
  if (chain.length === 0) throw new Error("mergedAddressing needs at least one element");
  const attrs: [string, string | number][] = [];
  for (const el of [...chain].reverse()) {
    for (const [k, v] of Object.entries(el.attrs)) {
      const i = attrs.findIndex(([name]) => name === k);
      if (i >= 0) attrs[i] = [k, v];
      else attrs.push([k, v]);
    }
  }
  for (const [k, v] of Object.entries(overrides.attrs ?? {})) {
    const i = attrs.findIndex(([name]) => name === k);
    if (v === null) {
      if (i >= 0) attrs.splice(i, 1);
    } else if (i >= 0) attrs[i] = [k, v];
    else attrs.push([k, v]);
  }
  const names: string[] = [];
  for (const el of chain) {
    for (const c of el.children) if (!names.includes(c.name)) names.push(c.name);
  }
  for (const n of Object.keys(overrides.children ?? {})) if (!names.includes(n)) names.push(n);
  const rank = (n: string) => {
    const i = CHILD_ORDER.indexOf(n);
    return i < 0 ? CHILD_ORDER.length : i;
  };
  names.sort((a, b) => rank(a) - rank(b));
  const children: NewNode[] = [];
  for (const name of names) {
    const replaced = overrides.children?.[name];
    if (replaced !== undefined) {
      if (replaced !== null) children.push(...(Array.isArray(replaced) ? replaced : [replaced]));
      continue;
    }
    const from = chain.find((el) => childNamed(el, name) !== undefined);
    if (from === undefined) continue;
    childrenNamed(from, name).forEach((c, i) => {
      const set = name === "SegmentURL"
        ? overrides.segmentUrlAttrs?.get(i)
        : overrides.childAttrs?.[name];
      children.push(set ? withAttrs(c, set) : edit.source(c));
    });
  }
  return { name: overrides.name ?? chain[0].name, attrs, children };
}

/**
 * Gives a Representation element its own addressing element: in place of the one it has
 * (any other of its own addressing elements is removed), or at its end (where the schema
 * puts them).
 */
export function setOwnAddressing(edit: XmlEditor, rep: XmlElement, node: NewNode): void {
  const own = rep.children.filter((c) => (ADDRESSING as readonly string[]).includes(c.name));
  if (own.length === 0) {
    edit.insert(rep, node);
    return;
  }
  edit.replace(own[0], node);
  for (const other of own.slice(1)) edit.remove(other);
}

/**
 * A `SegmentTimeline` element listing `entries` (`@t` and `@n` when given, `@r` and `@k`
 * when not their defaults).
 *
 * @example
 * ```ts
 * timelineNode([{ t: 0, d: 2, r: 2, k: 1 }]); // <SegmentTimeline><S t="0" d="2" r="2"/></…>
 * ```
 */
export function timelineNode(entries: readonly TimelineEntry[]): NewElement {
  return {
    name: "SegmentTimeline",
    children: entries.map((s) => {
      const attrs: [string, number][] = [];
      if (s.t !== undefined) attrs.push(["t", s.t]);
      if (s.n !== undefined) attrs.push(["n", s.n]);
      attrs.push(["d", s.d]);
      if (s.r !== 0) attrs.push(["r", s.r]);
      if (s.k !== 1) attrs.push(["k", s.k]);
      return { name: "S", attrs };
    }),
  };
}

/**
 * Removes Representation elements, and each AdaptationSet left without any (a Period is
 * kept: removing one would move the Periods after it).
 */
export function removeRepresentations(edit: XmlEditor, reps: readonly XmlElement[]): void {
  const gone = new Set(reps);
  const sets = new Set(reps.map((r) => edit.parent(r)).filter((s) => s !== undefined));
  for (const set of sets) {
    const all = childrenNamed(set!, "Representation");
    if (all.every((r) => gone.has(r))) edit.remove(set!);
    else for (const r of all) if (gone.has(r)) edit.remove(r);
  }
}
