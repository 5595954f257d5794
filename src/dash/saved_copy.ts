/**
 * The MPD a `dash get` saves: the server's text with every reference that would not find
 * its saved file offline rewritten — BaseURL at any level (alternatives too), `Location`,
 * `SegmentTemplate@media/@initialization/@index/@bitstreamSwitching`,
 * `Initialization@sourceURL`, `RepresentationIndex@sourceURL`,
 * `BitstreamSwitching@sourceURL`, `SegmentURL@media/@index` — into a plain relative
 * reference to the path the layout gave the resource. Every other byte stays.
 *
 * A template is kept when it still builds every saved name; rewritten when a new template
 * would (another folder, `_ext/…`); and when no template can (a name shortened with
 * `~<hash>`, moved to `_conflicts/`, a number in a query string) that Representation gets an
 * explicit SegmentList with the same timing (@timescale, @duration or the SegmentTimeline,
 * @presentationTimeOffset, @startNumber). An element shared by several Representations that
 * need different values is copied into each of them; a shared SegmentTemplate is never left
 * above a Representation that now has a SegmentList (players disagree on which wins).
 *
 * Every choice is verified the way the self-check verifies the copy on disk
 * (`copy_check.ts`), before anything is written.
 *
 * @module
 */
import type { Layout } from "../mirror/layout.ts";
import {
  checkSavedText,
  type CopyExpectation,
  type CopyIssue,
  type ExpectedRepresentation,
  representationKeys,
} from "./copy_check.ts";
import { folderOf, localUrl, plainRef, PLANNING_ROOT, savedPathOf } from "./local_ref.ts";
import type { Mpd, Representation } from "./mpd_model.ts";
import {
  mergedAddressing,
  type MergeOverrides,
  setOwnAddressing,
  usersOf,
  xmlAddressing,
} from "./mpd_edit.ts";
import type { LazyPlacement, PlacedSegment } from "./plan.ts";
import {
  commonFolder,
  explicitList,
  isPathRef,
  lands,
  type Slot,
  slotOf,
  templateCandidate,
} from "./saved_refs.ts";
import { childrenNamed, type XmlElement } from "./xml.ts";
import { type NewElement, XmlEditor } from "./xml_edit.ts";

/** What {@link savedCopy} needs. */
export interface SavedCopyInput {
  /** The MPD as fetched. */
  text: string;
  /** It, parsed (tolerantly) at its URL. */
  mpd: Mpd;
  /** The Representations mirrored, with the paths of their resources (arrays, or lazy). */
  placed: readonly Pick<LazyPlacement, "rep" | "segments">[];
  /** The layout that gave those paths. */
  layout: Layout;
  /** Where the MPD is saved, relative to the output directory. */
  manifestPath: string;
  /** Places (`where`) of parts that are not mirrored, already reported. */
  skipWheres?: string[];
  /** Keys of Representations that are not mirrored, already reported. */
  skipKeys?: string[];
  /** URL schemes resources may use (a BaseURL of another scheme is left alone). */
  schemes?: string[];
}

/** The saved MPD and how it was made. */
export interface SavedCopy {
  /** The text to save. */
  text: string;
  /** Whether it differs from the original. */
  changed: boolean;
  /** Representations (`where`) that got an explicit SegmentList in place of a template. */
  listed: string[];
  /** What the self-check will find (empty unless something could not be rewritten). */
  expect: CopyExpectation;
  /** Problems that remain (should be none). */
  unresolved: string[];
}

/** What a Representation needs of one attribute: a new value, or the one written. */
const KEEP = Symbol("keep");
type Want = string | typeof KEEP;

/**
 * Makes one saved copy: first works out what every reference needs (the BaseURLs and what
 * each Representation needs of each attribute), then builds the edits for a given set of
 * Representations that get an explicit SegmentList — once with those whose template cannot
 * build the saved names, and again if the check of that text finds more.
 */
class SavedCopyMaker {
  readonly expect: CopyExpectation;
  #input: SavedCopyInput;
  #localManifest: string;
  #keys: Map<Representation, string>;
  #modelOf: Map<XmlElement, Representation>;
  /** The BaseURL and Location texts to write. */
  #texts: [XmlElement, string][] = [];
  /** The local base URL each Representation resolves against in the saved copy. */
  #localBase = new Map<XmlElement, string>();
  /** Per element, per attribute, what each Representation using it needs. */
  #wants = new Map<XmlElement, Map<string, Map<Representation, Want>>>();
  /** Per Representation, every attribute it needs changed. */
  #ownWants = new Map<Representation, Map<Slot, string>>();
  /** Representations whose template cannot build the saved names. */
  readonly needsList = new Set<Representation>();

  constructor(input: SavedCopyInput) {
    this.#input = input;
    const { mpd, placed, manifestPath } = input;
    this.#localManifest = localUrl(PLANNING_ROOT, manifestPath);
    // Keys as the self-check computes them: over every Representation the parser could read.
    const keys = representationKeys(mpd.representations);
    this.#keys = new Map(mpd.representations.map((r, i) => [r, keys[i]]));
    this.#modelOf = new Map(mpd.representations.map((r) => [r.elements.representation, r]));
    this.expect = {
      representations: placed.map((p): ExpectedRepresentation => ({
        key: this.#keys.get(p.rep)!,
        where: p.rep.where,
        // Generated again from the placed resources each time the check goes through them.
        segments: {
          length: p.segments.length,
          *[Symbol.iterator]() {
            for (const s of p.segments) {
              yield { kind: s.kind, path: s.path, range: s.range, time: s.time };
            }
          },
        },
      })),
      skipKeys: input.skipKeys ?? [],
      skipWheres: input.skipWheres ?? [],
    };
    this.#baseUrls();
    this.#wantsOf();
  }

  /**
   * The folders of the saved paths each level's BaseURL leads to (through relative
   * references): a folder per path is all the choice of a BaseURL looks at.
   */
  #scopes(): Map<XmlElement, Set<string>> {
    const scope = new Map<XmlElement, Set<string>>();
    for (const { rep, segments } of this.#input.placed) {
      const folders = new Set<string>();
      for (const s of segments) {
        if (s.ref === undefined || isPathRef(s.ref)) folders.add(folderOf(s.path));
      }
      const { representation, adaptationSet, period } = rep.elements;
      for (const el of [representation, adaptationSet, period, this.#input.mpd.root]) {
        const set = scope.get(el);
        if (set) { for (const f of folders) set.add(f); }
        else scope.set(el, new Set(folders));
        // An absolute BaseURL here: the levels above play no part in these paths.
        const own = childrenNamed(el, "BaseURL")[0];
        if (own !== undefined && !isPathRef(own.text)) break;
      }
    }
    return scope;
  }

  /** BaseURLs at every level (alternatives pointed at the chosen one's files), Location. */
  #baseUrls(): void {
    const { mpd, layout, manifestPath } = this.#input;
    const schemes = this.#input.schemes ?? ["http:", "https:"];
    const byElement = new Map(mpd.baseUrls.map((b) => [b.element, b]));
    const scope = this.#scopes();
    const level = (el: XmlElement, parent: string): void => {
      let local = parent;
      const elements = childrenNamed(el, "BaseURL");
      const chosen = elements.length > 0 ? byElement.get(elements[0]) : undefined;
      if (elements.length > 0 && chosen === undefined) return; // a part not mirrored
      if (chosen !== undefined && !schemes.includes(new URL(chosen.resolved).protocol)) return;
      if (chosen !== undefined) {
        let target = layout.peek(chosen.resolved);
        let value = chosen.text;
        const isFolder = target === "" || target.endsWith("/");
        const below = [...scope.get(el) ?? []];
        // Clients that join paths without normalising them need each folder a `..` leaves
        // to exist: a folder with nothing saved in it is not kept as a base. (A path lies
        // under the folder `target` when its own folder does.)
        const held = !isFolder || below.length === 0 || below.some((p) => p.startsWith(target));
        if (!held || !lands(chosen.text, parent, target)) {
          if (isFolder) target = commonFolder([target, ...below]);
          value = plainRef(folderOf(savedPathOf(parent, PLANNING_ROOT) ?? ""), target);
          if (value !== chosen.text) this.#texts.push([chosen.element, value]);
        }
        for (const alt of elements.slice(1)) {
          if (!lands(alt.text, parent, target)) this.#texts.push([alt, value]);
        }
        local = new URL(value, parent).href;
      }
      if (el.name === "Representation") this.#localBase.set(el, local);
      const next = { MPD: "Period", Period: "AdaptationSet", AdaptationSet: "Representation" }[
        el.name
      ];
      if (next) { for (const c of childrenNamed(el, next)) level(c, local); }
    };
    level(mpd.root, this.#localManifest);
    for (const loc of childrenNamed(mpd.root, "Location")) {
      if (!lands(loc.text, this.#localManifest, manifestPath)) {
        this.#texts.push([loc, plainRef("", manifestPath)]);
      }
    }
  }

  /** What each Representation needs of each reference-bearing attribute. */
  #wantsOf(): void {
    for (const { rep, segments } of this.#input.placed) {
      const base = this.#localBase.get(rep.elements.representation);
      if (base === undefined) continue;
      const fromDir = folderOf(savedPathOf(base, PLANNING_ROOT) ?? "");
      // Per attribute: its first resource, and whether every one lands on its saved file.
      const bySource = new Map<string, { first: PlacedSegment; all: boolean }>();
      for (const s of segments) {
        if (s.ref === undefined) continue;
        const entry = bySource.get(s.source);
        if (entry === undefined) {
          bySource.set(s.source, { first: s, all: lands(s.ref, base, s.path) });
        } else if (entry.all && !lands(s.ref, base, s.path)) entry.all = false;
      }
      for (const [source, { first, all }] of bySource) {
        const slot = slotOf(rep, source);
        if (slot === undefined) continue;
        let want: Want = KEEP;
        if (!all) {
          if (slot.template) {
            const template = slot.element.attrs[slot.attr];
            const candidate = templateCandidate(template, rep.baseUrl, fromDir, this.#input.layout);
            // No template builds these names (or only the one that already does not).
            if (candidate === undefined || candidate === template) this.needsList.add(rep);
            else want = candidate;
          } else want = plainRef(fromDir, first.path);
        }
        let byAttr = this.#wants.get(slot.element);
        if (!byAttr) this.#wants.set(slot.element, byAttr = new Map());
        let byRep = byAttr.get(slot.attr);
        if (!byRep) byAttr.set(slot.attr, byRep = new Map());
        byRep.set(rep, want);
        if (want !== KEEP) {
          let own = this.#ownWants.get(rep);
          if (!own) this.#ownWants.set(rep, own = new Map());
          own.set(slot, want);
        }
      }
    }
  }

  /** What a Representation's own copy of its addressing must say differently. */
  #overrides(rep: Representation | undefined, edit: XmlEditor): MergeOverrides {
    const o: Required<Pick<MergeOverrides, "attrs" | "childAttrs" | "segmentUrlAttrs">> = {
      attrs: {},
      childAttrs: {},
      segmentUrlAttrs: new Map(),
    };
    for (const [slot, value] of (rep && this.#ownWants.get(rep)) ?? []) {
      if (slot.template) o.attrs[slot.attr] = value;
      else if (slot.element.name === "SegmentURL") {
        const holder = edit.parent(slot.element)!;
        const i = childrenNamed(holder, "SegmentURL").indexOf(slot.element);
        o.segmentUrlAttrs.set(i, { ...o.segmentUrlAttrs.get(i), [slot.attr]: value });
      } else o.childAttrs[slot.element.name] = { [slot.attr]: value };
    }
    return o;
  }

  /**
   * The edits of a saved copy in which the Representations of `listed` get an explicit
   * SegmentList: texts; one value for an element whose users agree, a merged copy of its own
   * for each Representation that differs; lists, with every template above them removed and
   * copied into the Representations still using it; and shared elements that every user now
   * overrides, removed.
   */
  build(listed: ReadonlySet<Representation>): XmlEditor {
    const { text, mpd } = this.#input;
    const edit = new XmlEditor(text, mpd.root);
    for (const [el, value] of this.#texts) edit.setText(el, value);
    const inside = (el: XmlElement, rep: XmlElement): boolean => {
      for (let p = edit.parent(el); p !== undefined; p = edit.parent(p)) if (p === rep) return true;
      return false;
    };
    // Each Representation element that gets an addressing element of its own, and which.
    const own = new Map<XmlElement, NewElement>();
    const copy = (repEl: XmlElement) => {
      const chain = xmlAddressing(repEl, edit).chain;
      if (chain.length === 0 || own.has(repEl)) return;
      own.set(
        repEl,
        mergedAddressing(edit, chain, this.#overrides(this.#modelOf.get(repEl), edit)),
      );
    };
    for (const [element, byAttr] of this.#wants) {
      for (const [attr, byRep] of byAttr) {
        const values = new Set(byRep.values());
        if (values.size === 1 && !values.has(KEEP)) {
          edit.setAttr(element, attr, [...values][0] as string);
        } else if (values.size > 1) {
          for (const [rep, want] of byRep) {
            if (want === KEEP || listed.has(rep)) continue;
            const repEl = rep.elements.representation;
            if (inside(element, repEl)) edit.setAttr(element, attr, want);
            else copy(repEl);
          }
        }
      }
    }
    const listedEls = new Set([...listed].map((r) => r.elements.representation));
    for (const { rep, segments } of this.#input.placed) {
      if (!listed.has(rep)) continue;
      const repEl = rep.elements.representation;
      const base = this.#localBase.get(repEl) ?? this.#localManifest;
      const fromDir = folderOf(savedPathOf(base, PLANNING_ROOT) ?? "");
      own.set(repEl, explicitList(edit, rep, segments, fromDir));
      for (const shared of xmlAddressing(repEl, edit).chain) {
        if (inside(shared, repEl)) continue;
        edit.remove(shared);
        for (const user of usersOf(edit, shared)) if (!listedEls.has(user)) copy(user);
      }
    }
    for (const [repEl, node] of own) setOwnAddressing(edit, repEl, node);
    for (const repEl of own.keys()) {
      for (const shared of xmlAddressing(repEl, edit).chain) {
        if (inside(shared, repEl)) continue;
        if (usersOf(edit, shared).every((u) => own.has(u))) edit.remove(shared);
      }
    }
    return edit;
  }

  /** What a saved text gets wrong (nothing, when the copy is right). */
  check(text: string): CopyIssue[] {
    return checkSavedText(text, this.#localManifest, PLANNING_ROOT, this.expect);
  }

  /** The template Representations that `issues` are about. */
  templatesIn(issues: CopyIssue[]): Representation[] {
    const bad = new Set(issues.flatMap((i) => (i.key === undefined ? [] : [i.key])));
    return this.#input.placed.map((p) => p.rep).filter((r) =>
      r.addressing.kind === "template" && bad.has(this.#keys.get(r)!)
    );
  }
}

/**
 * Makes the MPD to save; see the module documentation.
 *
 * @example
 * ```ts
 * import { parseMpd } from "./mpd.ts";
 * import { dashLayout, placeRepresentations } from "./plan.ts";
 * const url = "https://cdn.example/vod/manifest.mpd";
 * const text = await Deno.readTextFile("manifest.mpd");
 * const mpd = parseMpd(text, url);
 * const { layout, manifestPath } = dashLayout(url);
 * const placed = placeRepresentations(mpd, url, layout);
 * const copy = savedCopy({ text, mpd, placed, layout, manifestPath });
 * if (copy.changed) console.log(copy.text);
 * ```
 */
export function savedCopy(input: SavedCopyInput): SavedCopy {
  const maker = new SavedCopyMaker(input);
  const listed = new Set([...maker.needsList].filter((r) => r.addressing.kind === "template"));
  let text = maker.build(listed).apply();
  let issues = maker.check(text);
  // A template Representation the check still finds wrong gets a list too.
  const more = maker.templatesIn(issues).filter((r) => !listed.has(r));
  if (more.length > 0) {
    for (const r of more) listed.add(r);
    text = maker.build(listed).apply();
    issues = maker.check(text);
  }
  return {
    text,
    changed: text !== input.text,
    listed: input.placed.filter((p) => listed.has(p.rep)).map((p) => p.rep.where),
    expect: maker.expect,
    unresolved: issues.map((i) => i.message),
  };
}
