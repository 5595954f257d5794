/**
 * MPD text → a typed model in which inheritance is resolved once: every Representation
 * carries its absolute BaseURL, its Period's timing, and one flat description of its
 * addressing (SegmentTemplate, SegmentList, SegmentBase, or a plain BaseURL), merged from
 * the Period, AdaptationSet and Representation levels (ISO/IEC 23009-1, 5.3.9).
 *
 * @module
 */
import { InputError } from "../errors.ts";
import type { ByteRange } from "../mirror/plan.ts";
import { parseDuration } from "./duration.ts";
import type {
  Addressing,
  BaseUrlElement,
  Mpd,
  MpdProblem,
  MultipleSegmentBase,
  Representation,
  TimelineEntry,
  UrlRange,
} from "./mpd_model.ts";
import { childNamed, childrenNamed, parseXml, type XmlElement } from "./xml.ts";

export type {
  Addressing,
  BaseAddressing,
  BaseUrlElement,
  ListAddressing,
  Mpd,
  MpdProblem,
  MultipleSegmentBase,
  Representation,
  RepresentationElements,
  SegmentUrl,
  TemplateAddressing,
  TimelineEntry,
  UrlRange,
} from "./mpd_model.ts";

/** The three addressing elements, as named in the MPD. */
export const ADDRESSING = ["SegmentBase", "SegmentList", "SegmentTemplate"] as const;

/** The local name of an addressing element. */
export type AddressingName = typeof ADDRESSING[number];

/** The chain of elements that a Representation inherits from, most specific first. */
type Chain = XmlElement[];

/** An addressing element and how far up from the Representation it sits (0 = on it). */
interface Level {
  el: XmlElement;
  depth: number;
}

/**
 * Looks up an attribute on the first element of `chain` that has it; returns the value and
 * the element it came from.
 *
 * @example
 * ```ts
 * const url = "https://cdn.example/vod/manifest.mpd";
 * const [rep] = parseMpd(await Deno.readTextFile("manifest.mpd"), url).representations;
 * inheritedAttr(rep.elements.addressing, "media")?.from; // the SegmentTemplate that says it
 * ```
 */
export function inheritedAttr(
  chain: readonly XmlElement[],
  name: string,
): { value: string; from: XmlElement } | undefined {
  for (const el of chain) {
    if (el.attrs[name] !== undefined) return { value: el.attrs[name], from: el };
  }
  return undefined;
}

function inheritAttr(chain: Chain, name: string): string | undefined {
  return inheritedAttr(chain, name)?.value;
}

/** Looks up a child element on the first element of `chain` that has one of that name. */
export function inheritedChild(
  chain: readonly XmlElement[],
  name: string,
): XmlElement | undefined {
  for (const el of chain) {
    const c = childNamed(el, name);
    if (c) return c;
  }
  return undefined;
}

/** The element of `chain` whose `SegmentURL` children a SegmentList uses. */
export function segmentUrlHolder(chain: readonly XmlElement[]): XmlElement | undefined {
  return chain.find((el) => childrenNamed(el, "SegmentURL").length > 0);
}

/** Options of {@link parseMpd} and {@link readMpd}. */
export interface ParseOptions {
  /**
   * Collect a Period, AdaptationSet or Representation that cannot be used in
   * {@link Mpd.problems} and go on with the rest, instead of throwing. Problems of the
   * document itself (not XML, no Period, a bad MPD attribute) still throw. @default false
   */
  tolerant?: boolean;
}

/** An MPD document before its Periods are read: its root and its type. */
export interface MpdDocument {
  /** The root `MPD` element. */
  root: XmlElement;
  /** `MPD@type`. */
  type: "static" | "dynamic";
}

class MpdReader {
  #url: string;
  #notes: string[] = [];
  #baseUrls: BaseUrlElement[] = [];
  #problems: MpdProblem[] = [];
  #tolerant: boolean;

  constructor(url: string, options: ParseOptions) {
    this.#url = url;
    this.#tolerant = options.tolerant ?? false;
  }

  fail(message: string, where: string): never {
    throw new InputError(message, `${this.#url}: ${where}`);
  }

  /** Runs `part`; in tolerant mode an InputError becomes a problem of `element`. */
  part<T>(element: XmlElement, where: string, part: () => T): T | undefined {
    if (!this.#tolerant) return part();
    const baseUrls = this.#baseUrls.length;
    try {
      return part();
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      this.#baseUrls.length = baseUrls;
      this.#problems.push({ where, message: err.message, element });
      return undefined;
    }
  }

  int(value: string | undefined, name: string, where: string, min = 0): number | undefined {
    if (value === undefined) return undefined;
    const v = value.trim();
    if (!/^-?\d+$/.test(v)) this.fail(`@${name}="${value}" is not an integer`, where);
    const n = Number(v);
    if (!Number.isSafeInteger(n)) this.fail(`@${name}="${value}" is out of range`, where);
    if (n < min) this.fail(`@${name}="${value}" must be >= ${min}`, where);
    return n;
  }

  duration(value: string | undefined, name: string, where: string): number | undefined {
    if (value === undefined) return undefined;
    const d = parseDuration(value);
    if (d === undefined) this.fail(`@${name}="${value}" is not an ISO 8601 duration`, where);
    if (d < 0) this.fail(`@${name}="${value}" is negative`, where);
    return d;
  }

  range(value: string | undefined, name: string, where: string): ByteRange | undefined {
    if (value === undefined) return undefined;
    const m = /^\s*(\d+)\s*-\s*(\d+)\s*$/.exec(value);
    if (!m) this.fail(`@${name}="${value}" is not a byte range "first-last"`, where);
    const start = Number(m[1]), end = Number(m[2]);
    if (!Number.isSafeInteger(end) || end < start) {
      this.fail(`@${name}="${value}" is not a valid byte range`, where);
    }
    return { start, end };
  }

  urlRange(el: XmlElement | undefined, where: string): UrlRange | undefined {
    if (!el) return undefined;
    return {
      url: el.attrs.sourceURL,
      range: this.range(el.attrs.range, "range", `${where}/${el.name}`),
    };
  }

  /**
   * Resolves the BaseURL children of `el` against `parent`, recording them all; returns the
   * base in use and the text of the chosen element (undefined when there is none). An empty
   * BaseURL is its parent's base (RFC 3986, 5.2: an empty reference is the base itself).
   */
  base(el: XmlElement, parent: string, where: string): { url: string; text?: string } {
    const elements = childrenNamed(el, "BaseURL");
    let chosen = parent;
    const chosenIndex = this.#baseUrls.length;
    elements.forEach((b, i) => {
      let resolved: string;
      try {
        resolved = new URL(b.text, parent).href;
      } catch {
        this.fail(`BaseURL "${b.text}" is not a valid URL`, where);
      }
      this.#baseUrls.push({
        text: b.text,
        resolved,
        parentBase: parent,
        index: this.#baseUrls.length,
        element: b,
        chosen: i === 0,
        chosenIndex,
      });
      if (i === 0) chosen = resolved;
    });
    if (elements.length > 1) {
      this.#notes.push(
        `${where}: ${elements.length} BaseURL alternatives; using the first (${elements[0].text})`,
      );
    }
    return { url: chosen, text: elements[0]?.text };
  }

  timeline(el: XmlElement | undefined, where: string): TimelineEntry[] | undefined {
    if (!el) return undefined;
    const at = `${where}/SegmentTimeline`;
    return childrenNamed(el, "S").map((s, i) => {
      const w = `${at}/S[${i}]`;
      const d = this.int(s.attrs.d, "d", w, -Infinity);
      if (d === undefined) this.fail("S@d is missing", w);
      if (d <= 0) this.fail(`S@d="${s.attrs.d}" must be > 0`, w);
      const r = this.int(s.attrs.r, "r", w, -1) ?? 0;
      const k = this.int(s.attrs.k, "k", w, 1) ?? 1;
      return { t: this.int(s.attrs.t, "t", w), n: this.int(s.attrs.n, "n", w), d, r, k };
    });
  }

  addressing(
    chains: Record<AddressingName, Level[]>,
    where: string,
  ): { addressing: Addressing; chain: XmlElement[] } {
    // The most specific level that names an addressing element decides the mode.
    let mode: AddressingName | undefined;
    let depth = Infinity;
    for (const name of ADDRESSING) {
      const chain = chains[name];
      if (chain.length > 0 && chain[0].depth < depth) {
        mode = name;
        depth = chain[0].depth;
      }
    }
    if (mode === undefined) return { addressing: { kind: "single" }, chain: [] };
    const chain = chains[mode].map((c) => c.el);
    const w = `${where}/${mode}`;
    const timescale = this.int(inheritAttr(chain, "timescale"), "timescale", w, 1) ?? 1;
    const initialization = this.urlRange(inheritedChild(chain, "Initialization"), w);
    const representationIndex = this.urlRange(inheritedChild(chain, "RepresentationIndex"), w);
    if (mode === "SegmentBase") {
      return {
        chain,
        addressing: {
          kind: "base",
          timescale,
          indexRange: this.range(inheritAttr(chain, "indexRange"), "indexRange", w),
          initialization,
          representationIndex,
        },
      };
    }
    const common: MultipleSegmentBase = {
      timescale,
      presentationTimeOffset:
        this.int(inheritAttr(chain, "presentationTimeOffset"), "presentationTimeOffset", w) ?? 0,
      duration: this.int(inheritAttr(chain, "duration"), "duration", w),
      startNumber: this.int(inheritAttr(chain, "startNumber"), "startNumber", w) ?? 1,
      endNumber: this.int(inheritAttr(chain, "endNumber"), "endNumber", w),
      timeline: this.timeline(inheritedChild(chain, "SegmentTimeline"), w),
      initialization,
      representationIndex,
    };
    if (common.duration === 0) this.fail(`@duration must be > 0`, w);
    if (mode === "SegmentTemplate") {
      return {
        chain,
        addressing: {
          kind: "template",
          ...common,
          media: inheritAttr(chain, "media"),
          initializationTemplate: inheritAttr(chain, "initialization"),
          indexTemplate: inheritAttr(chain, "index"),
          bitstreamSwitchingTemplate: inheritAttr(chain, "bitstreamSwitching"),
        },
      };
    }
    const holder = segmentUrlHolder(chain);
    const segmentUrls = (holder ? childrenNamed(holder, "SegmentURL") : []).map((s, i) => {
      const sw = `${w}/SegmentURL[${i}]`;
      return {
        media: s.attrs.media,
        mediaRange: this.range(s.attrs.mediaRange, "mediaRange", sw),
        index: s.attrs.index,
        indexRange: this.range(s.attrs.indexRange, "indexRange", sw),
      };
    });
    const bitstreamSwitching = this.urlRange(inheritedChild(chain, "BitstreamSwitching"), w);
    return { chain, addressing: { kind: "list", ...common, segmentUrls, bitstreamSwitching } };
  }

  /** Reads the Periods of a document whose root and type are known. */
  read(doc: MpdDocument, manifestUrl: string): Mpd {
    const { root, type } = doc;
    const mpdDuration = this.duration(
      root.attrs.mediaPresentationDuration,
      "mediaPresentationDuration",
      "MPD",
    );
    const mpdBase = this.base(root, manifestUrl, "MPD");
    const periods = childrenNamed(root, "Period");
    if (periods.length === 0) this.fail("no Period", "MPD");

    // Period timing (5.3.2.1): @start, else the end of the previous Period.
    const starts: (number | undefined)[] = [];
    const durations: (number | undefined)[] = [];
    const usable: boolean[] = [];
    periods.forEach((p, i) => {
      const w = `Period[${i}]${p.attrs.id !== undefined ? `(id=${p.attrs.id})` : ""}`;
      const timing = this.part(p, w, () => {
        if (p.attrs.href !== undefined) {
          this.fail("remote (xlink:href) Periods are not supported", w);
        }
        return {
          start: this.duration(p.attrs.start, "start", w),
          dur: this.duration(p.attrs.duration, "duration", w),
        };
      });
      usable.push(timing !== undefined);
      const prevEnd = i === 0
        ? 0
        : (starts[i - 1] !== undefined && durations[i - 1] !== undefined
          ? starts[i - 1]! + durations[i - 1]!
          : undefined);
      starts.push(timing?.start ?? prevEnd);
      durations.push(timing?.dur);
    });
    periods.forEach((_, i) => {
      if (durations[i] !== undefined || starts[i] === undefined) return;
      const nextStart = i + 1 < periods.length ? starts[i + 1] : undefined;
      if (nextStart !== undefined) durations[i] = nextStart - starts[i]!;
      else if (i === periods.length - 1 && mpdDuration !== undefined) {
        durations[i] = mpdDuration - starts[i]!;
      }
    });

    const representations: Representation[] = [];
    periods.forEach((period, pi) => {
      if (!usable[pi]) return;
      const pw = `Period[${pi}]${period.attrs.id !== undefined ? `(id=${period.attrs.id})` : ""}`;
      const periodBase = this.part(period, pw, () => this.base(period, mpdBase.url, pw));
      if (periodBase === undefined) return;
      childrenNamed(period, "AdaptationSet").forEach((set, ai) => {
        const aw = `${pw}/AdaptationSet[${ai}]`;
        const setBase = this.part(set, aw, () => {
          if (set.attrs.href !== undefined) {
            this.fail("remote (xlink:href) AdaptationSets are not supported", aw);
          }
          return this.base(set, periodBase.url, aw);
        });
        if (setBase === undefined) return;
        childrenNamed(set, "Representation").forEach((rep, ri) => {
          const id = rep.attrs.id;
          const rw = `${aw}/Representation[${ri}]${id !== undefined ? `(id=${id})` : ""}`;
          const made = this.part(rep, rw, (): Representation => {
            if (id === undefined || id === "") this.fail("Representation@id is missing", rw);
            const levels = [rep, set, period];
            const chains = Object.fromEntries(ADDRESSING.map((name) => [
              name,
              levels.flatMap((el, depth) => {
                const c = childNamed(el, name);
                return c ? [{ el: c, depth }] : [];
              }),
            ])) as Record<AddressingName, Level[]>;
            const bandwidth = this.int(rep.attrs.bandwidth, "bandwidth", rw);
            const repBase = this.base(rep, setBase.url, rw);
            const { addressing, chain } = this.addressing(chains, rw);
            return {
              id,
              bandwidth,
              mimeType: rep.attrs.mimeType ?? set.attrs.mimeType,
              codecs: rep.attrs.codecs ?? set.attrs.codecs,
              contentType: set.attrs.contentType ?? rep.attrs.contentType,
              lang: set.attrs.lang,
              baseUrl: repBase.url,
              baseRefs: [mpdBase, periodBase, setBase, repBase].flatMap((b) =>
                b.text === undefined ? [] : [b.text]
              ),
              addressing,
              periodIndex: pi,
              periodId: period.attrs.id,
              periodStart: starts[pi] ?? 0,
              periodDuration: durations[pi],
              where: rw,
              elements: { period, adaptationSet: set, representation: rep, addressing: chain },
            };
          });
          if (made) representations.push(made);
        });
      });
    });
    if (representations.length === 0 && this.#problems.length === 0) {
      this.fail("no Representation in any AdaptationSet", "MPD");
    }
    return {
      type,
      mediaPresentationDuration: mpdDuration,
      representations,
      baseUrls: this.#baseUrls,
      notes: this.#notes,
      problems: this.#problems,
      root,
    };
  }
}

/**
 * Parses MPD text far enough to know what it is: well-formed XML with an `MPD` root, and
 * its `@type`. A live MPD is recognised here, before anything else is checked.
 *
 * @throws {InputError} naming the problem
 * @example
 * ```ts
 * mpdDocument('<MPD type="dynamic"><Period/></MPD>', "https://cdn.example/live.mpd").type;
 * // "dynamic"
 * ```
 */
export function mpdDocument(text: string, manifestUrl: string): MpdDocument {
  const fail = (message: string, where: string): never => {
    throw new InputError(message, `${manifestUrl}: ${where}`);
  };
  let root: XmlElement;
  try {
    root = parseXml(text);
  } catch (err) {
    fail(err instanceof Error ? err.message : String(err), "document");
  }
  if (root!.name !== "MPD") fail(`root element is <${root!.name}>, not <MPD>`, "document");
  const type = root!.attrs.type ?? "static";
  if (type !== "static" && type !== "dynamic") {
    fail(`MPD@type="${type}" is neither "static" nor "dynamic"`, "MPD");
  }
  return { root: root!, type: type as "static" | "dynamic" };
}

/**
 * Reads the Periods, AdaptationSets and Representations of a document from
 * {@link mpdDocument}.
 *
 * @example
 * ```ts
 * const url = "https://cdn.example/vod/manifest.mpd";
 * const doc = mpdDocument(await Deno.readTextFile("manifest.mpd"), url);
 * if (doc.type === "static") readMpd(doc, url, { tolerant: true }).problems;
 * ```
 */
export function readMpd(doc: MpdDocument, manifestUrl: string, options: ParseOptions = {}): Mpd {
  return new MpdReader(manifestUrl, options).read(doc, manifestUrl);
}

/**
 * Parses MPD text fetched from `manifestUrl` (the final URL after redirects, or a file
 * URL). Relative BaseURLs resolve against it. Throws {@link InputError} naming the element
 * and the problem for anything that cannot be used (with `tolerant`, only for problems of
 * the document itself; the others are listed in `problems`).
 *
 * @example
 * ```ts
 * const mpd = parseMpd(await Deno.readTextFile("manifest.mpd"), "https://cdn.example/vod/manifest.mpd");
 * mpd.representations.map((r) => r.id);
 * ```
 */
export function parseMpd(text: string, manifestUrl: string, options: ParseOptions = {}): Mpd {
  return readMpd(mpdDocument(text, manifestUrl), manifestUrl, options);
}
