/**
 * The pieces `saved_copy.ts` rewrites references with: whether a reference lands on its
 * saved file, which attribute of a Representation's addressing names a resource, a template
 * that builds the saved names from another folder, and the explicit SegmentList to fall back
 * on when no template can.
 *
 * @module
 */
import type { Layout } from "../mirror/layout.ts";
import { folderOf, isPlainRef, plainRef, PLANNING_ROOT, savedPathOf } from "./local_ref.ts";
import { inheritedAttr, inheritedChild, segmentUrlHolder } from "./mpd.ts";
import type { Representation } from "./mpd_model.ts";
import { mergedAddressing, xmlAddressing } from "./mpd_edit.ts";
import type { PlacedSegment } from "./plan.ts";
import { childrenNamed, type XmlElement } from "./xml.ts";
import type { NewElement, XmlEditor } from "./xml_edit.ts";

/** A relative path reference in characters URL parsing keeps as they are. */
const SIMPLE_REF = /^[A-Za-z0-9\-._~!$&'()*+,;=@][A-Za-z0-9\-._~!$&'()*+,;=@/]*$/;
/** A `.` or `..` path segment. */
const DOT_SEGMENT = /(?:^|\/)\.\.?(?:\/|$)/;

/** Whether `ref`, resolved against `base` (a local URL), is plain and lands on `path`. */
export function lands(ref: string, base: string, path: string): boolean {
  if (ref !== "" && !isPlainRef(ref)) return false;
  // A relative path in plain characters resolves to the base's folder and itself: no URL
  // parsing (100,000 segments make 100,000 of these).
  if (SIMPLE_REF.test(ref) && !DOT_SEGMENT.test(ref) && !/[?#]/.test(base)) {
    return savedPathOf(base.slice(0, base.lastIndexOf("/") + 1) + ref, PLANNING_ROOT) === path;
  }
  try {
    return savedPathOf(new URL(ref, base).href, PLANNING_ROOT) === path;
  } catch {
    return false;
  }
}

/** Whether a reference is a relative path (resolves against the BaseURL's folder). */
export function isPathRef(ref: string): boolean {
  return !/^[A-Za-z][A-Za-z0-9+.-]*:|^\//.test(ref);
}

/** The deepest folder (ending in `/`, or "") that holds every one of `paths`. */
export function commonFolder(paths: string[]): string {
  let common: string[] | undefined;
  for (const p of paths) {
    const parts = folderOf(p).split("/").filter((c) => c !== "");
    if (common === undefined) common = parts;
    else {
      let i = 0;
      while (i < common.length && i < parts.length && common[i] === parts[i]) i++;
      common = common.slice(0, i);
    }
  }
  return common === undefined || common.length === 0 ? "" : `${common.join("/")}/`;
}

/** A reference-bearing attribute: the element that holds it and its name. */
export interface Slot {
  /** The element that holds the attribute. */
  element: XmlElement;
  /** The attribute's name. */
  attr: string;
  /** A template (filled per segment) rather than one reference. */
  template: boolean;
}

/** The attribute of `rep`'s addressing that a segment's `source` names. */
export function slotOf(rep: Representation, source: string): Slot | undefined {
  const chain = rep.elements.addressing;
  const [what, attr] = source.split("@");
  if (what === "SegmentTemplate") {
    const from = inheritedAttr(chain, attr)?.from;
    return from && { element: from, attr, template: true };
  }
  const m = /^SegmentURL\[(\d+)\]$/.exec(what);
  if (m) {
    const holder = segmentUrlHolder(chain);
    const el = holder && childrenNamed(holder, "SegmentURL")[Number(m[1])];
    return el && { element: el, attr, template: false };
  }
  if (
    what === "Initialization" || what === "RepresentationIndex" || what === "BitstreamSwitching"
  ) {
    const el = inheritedChild(chain, what);
    return el && { element: el, attr, template: false };
  }
  return undefined;
}

/** Splits a template into literal text and `$…$` identifiers (`$$` is a literal `$`). */
function templateParts(template: string): { literal: string; ident?: string }[] {
  const parts = template.split("$");
  const out: { literal: string; ident?: string }[] = [{ literal: parts[0] }];
  for (let i = 1; i < parts.length; i += 2) {
    if (parts[i] === "") out.push({ literal: "$" });
    else out.push({ literal: "", ident: parts[i] });
    out.push({ literal: parts[i + 1] ?? "" });
  }
  return out;
}

/**
 * A template that builds, from the folder `fromDir`, the saved names of what `template`
 * (resolved against `onlineBase`) names — when the layout maps its literal parts alone; or
 * undefined. The result is verified afterwards.
 */
export function templateCandidate(
  template: string,
  onlineBase: string,
  fromDir: string,
  layout: Layout,
): string | undefined {
  const parts = templateParts(template);
  const marks: string[] = [];
  let withMarks = "";
  for (const p of parts) {
    if (p.ident !== undefined) {
      const mark = `zq${marks.length}streamkitmark`;
      marks.push(p.ident);
      withMarks += mark;
    } else withMarks += p.literal;
  }
  let path: string;
  try {
    path = layout.peek(new URL(withMarks, onlineBase).href);
  } catch {
    return undefined;
  }
  let out = plainRef(fromDir, path).replace(/\$/g, "$$$$");
  for (let i = 0; i < marks.length; i++) {
    const mark = `zq${i}streamkitmark`;
    if (out.split(mark).length !== 2) return undefined;
    out = out.replace(mark, `$${marks[i]}$`);
  }
  return out;
}

/** Builds the SegmentList that addresses `segments` explicitly, timing kept from `chain`. */
export function explicitList(
  edit: XmlEditor,
  rep: Representation,
  segments: Iterable<PlacedSegment>,
  fromDir: string,
): NewElement {
  const a = rep.addressing;
  const perSegmentIndex = a.kind === "template" && a.indexTemplate !== undefined &&
    /\$(Number|Time)/.test(a.indexTemplate);
  const ref = (s: PlacedSegment) => plainRef(fromDir, s.path);
  const range = (s: PlacedSegment): [string, string][] =>
    s.range ? [["range", `${s.range.start}-${s.range.end}`]] : [];
  const firsts = new Map<string, PlacedSegment>();
  const one = (kind: string, name: string): NewElement[] => {
    const s = firsts.get(kind);
    return s === undefined ? [] : [{ name, attrs: [["sourceURL", ref(s)], ...range(s)] }];
  };
  const urls: NewElement[] = [];
  let index: PlacedSegment | undefined;
  for (const s of segments) {
    if (!firsts.has(s.kind)) firsts.set(s.kind, s);
    if (s.kind === "index" && perSegmentIndex) index = s;
    if (s.kind !== "media") continue;
    const attrs: [string, string][] = [["media", ref(s)]];
    if (s.range) attrs.push(["mediaRange", `${s.range.start}-${s.range.end}`]);
    if (index) {
      attrs.push(["index", ref(index)]);
      if (index.range) attrs.push(["indexRange", `${index.range.start}-${index.range.end}`]);
      index = undefined;
    }
    urls.push({ name: "SegmentURL", attrs });
  }
  return mergedAddressing(edit, xmlAddressing(rep.elements.representation, edit).chain, {
    name: "SegmentList",
    attrs: { media: null, initialization: null, index: null, bitstreamSwitching: null },
    children: {
      Initialization: one("init", "Initialization"),
      BitstreamSwitching: one("bitstreamSwitching", "BitstreamSwitching"),
      RepresentationIndex: perSegmentIndex ? null : one("index", "RepresentationIndex"),
      SegmentURL: urls,
    },
  });
}
