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
import { childNamed, childrenNamed, parseXml, type XmlElement } from "./xml.ts";

/** One `S` element of a SegmentTimeline. */
export interface TimelineEntry {
  /** `@t`, when given. */
  t?: number;
  /** `@n`, when given (an explicit segment number). */
  n?: number;
  /** `@d` */
  d: number;
  /** `@r` (0 when absent; -1 repeats to the next `S@t` or the end of the Period). */
  r: number;
  /** `@k` (1 when absent): segments in each Segment Sequence, addressed by `$SubNumber$`. */
  k: number;
}

/** A URL (relative to the BaseURL, or absent: the BaseURL itself) and an optional range. */
export interface UrlRange {
  /** `@sourceURL` or `@media`, unresolved; `undefined` means the BaseURL itself. */
  url?: string;
  /** `@range` or `@mediaRange`. */
  range?: ByteRange;
}

/** The addressing of one Representation, with inheritance already applied. */
export type Addressing =
  | TemplateAddressing
  | ListAddressing
  | BaseAddressing
  | { kind: "single" };

/** Attributes shared by SegmentTemplate and SegmentList (MultipleSegmentBaseInformation). */
interface MultipleSegmentBase {
  /** `@timescale` (default 1). */
  timescale: number;
  /** `@presentationTimeOffset` (default 0). */
  presentationTimeOffset: number;
  /** `@duration` in timescale units. */
  duration?: number;
  /** `@startNumber` (default 1). */
  startNumber: number;
  /** `@endNumber`, when given. */
  endNumber?: number;
  /** SegmentTimeline entries, when present. */
  timeline?: TimelineEntry[];
  /** `Initialization` child. */
  initialization?: UrlRange;
  /** `RepresentationIndex` child. */
  representationIndex?: UrlRange;
}

/** SegmentTemplate addressing. */
export interface TemplateAddressing extends MultipleSegmentBase {
  /** Discriminant. */
  kind: "template";
  /** `@media` template. */
  media?: string;
  /** `@initialization` template. */
  initializationTemplate?: string;
  /** `@index` template. */
  indexTemplate?: string;
  /** `@bitstreamSwitching` template. */
  bitstreamSwitchingTemplate?: string;
}

/** SegmentList addressing. */
export interface ListAddressing extends MultipleSegmentBase {
  /** Discriminant. */
  kind: "list";
  /** `SegmentURL` children in order. */
  segmentUrls: { media?: string; mediaRange?: ByteRange; index?: string; indexRange?: ByteRange }[];
}

/** SegmentBase addressing: one file (the BaseURL), addressed by ranges. */
export interface BaseAddressing {
  /** Discriminant. */
  kind: "base";
  /** `@timescale` (default 1). */
  timescale: number;
  /** `@indexRange`. */
  indexRange?: ByteRange;
  /** `Initialization` child. */
  initialization?: UrlRange;
  /** `RepresentationIndex` child. */
  representationIndex?: UrlRange;
}

/** A Representation with everything it inherits. */
export interface Representation {
  /** `@id`. */
  id: string;
  /** `@bandwidth` (bits per second). */
  bandwidth?: number;
  /** `@mimeType`, inherited from the AdaptationSet when absent. */
  mimeType?: string;
  /** `@codecs`, inherited from the AdaptationSet when absent. */
  codecs?: string;
  /** `@contentType` of the AdaptationSet, when given. */
  contentType?: string;
  /** `@lang` of the AdaptationSet, when given. */
  lang?: string;
  /** The absolute BaseURL every relative URL of this Representation resolves against. */
  baseUrl: string;
  /** The addressing mode and its parameters. */
  addressing: Addressing;
  /** Index of the Period in the MPD. */
  periodIndex: number;
  /** `Period@id`, when given. */
  periodId?: string;
  /** Period start, seconds. */
  periodStart: number;
  /** Period duration, seconds, when it can be known. */
  periodDuration?: number;
  /** Where in the MPD this Representation is, for messages. */
  where: string;
}

/** A `BaseURL` element, in document order, with what it resolved to. */
export interface BaseUrlElement {
  /** The element's text as written (entity-decoded). */
  text: string;
  /** The absolute URL it resolved to. */
  resolved: string;
  /** The absolute base it was resolved against (its parent's BaseURL). */
  parentBase: string;
  /** Index among all BaseURL elements of the document, in document order. */
  index: number;
}

/** The parsed MPD. */
export interface Mpd {
  /** `@type`: "static" (VOD) or "dynamic" (live). */
  type: "static" | "dynamic";
  /** `@mediaPresentationDuration`, seconds. */
  mediaPresentationDuration?: number;
  /** Every Representation of every Period, in document order. */
  representations: Representation[];
  /** Every BaseURL element, in document order (the ones in use and the alternatives). */
  baseUrls: BaseUrlElement[];
  /** Things the user should know (alternatives ignored, and so on). */
  notes: string[];
}

const ADDRESSING = ["SegmentBase", "SegmentList", "SegmentTemplate"] as const;
type AddressingName = typeof ADDRESSING[number];

/** The chain of elements that a Representation inherits from, most specific first. */
type Chain = XmlElement[];

/** An addressing element and how far up from the Representation it sits (0 = on it). */
interface Level {
  el: XmlElement;
  depth: number;
}

/** Looks up an attribute on the first element of `chain` that has it. */
function inheritAttr(chain: Chain, name: string): string | undefined {
  for (const el of chain) {
    if (el.attrs[name] !== undefined) return el.attrs[name];
  }
  return undefined;
}

/** Looks up a child element on the first element of `chain` that has it. */
function inheritChild(chain: Chain, name: string): XmlElement | undefined {
  for (const el of chain) {
    const c = childNamed(el, name);
    if (c) return c;
  }
  return undefined;
}

class MpdReader {
  #url: string;
  #notes: string[] = [];
  #baseUrls: BaseUrlElement[] = [];

  constructor(url: string) {
    this.#url = url;
  }

  fail(message: string, where: string): never {
    throw new InputError(message, `${this.#url}: ${where}`);
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

  /** Resolves the BaseURL children of `el` against `parent`, recording them all. */
  base(el: XmlElement, parent: string, where: string): string {
    const elements = childrenNamed(el, "BaseURL");
    let chosen = parent;
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
      });
      if (i === 0) chosen = resolved;
    });
    if (elements.length > 1) {
      this.#notes.push(
        `${where}: ${elements.length} BaseURL alternatives; using the first (${elements[0].text})`,
      );
    }
    return chosen;
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

  addressing(chains: Record<AddressingName, Level[]>, where: string): Addressing {
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
    if (mode === undefined) return { kind: "single" };
    const chain = chains[mode].map((c) => c.el);
    const w = `${where}/${mode}`;
    const timescale = this.int(inheritAttr(chain, "timescale"), "timescale", w, 1) ?? 1;
    const initialization = this.urlRange(inheritChild(chain, "Initialization"), w);
    const representationIndex = this.urlRange(inheritChild(chain, "RepresentationIndex"), w);
    if (mode === "SegmentBase") {
      return {
        kind: "base",
        timescale,
        indexRange: this.range(inheritAttr(chain, "indexRange"), "indexRange", w),
        initialization,
        representationIndex,
      };
    }
    const common: MultipleSegmentBase = {
      timescale,
      presentationTimeOffset:
        this.int(inheritAttr(chain, "presentationTimeOffset"), "presentationTimeOffset", w) ?? 0,
      duration: this.int(inheritAttr(chain, "duration"), "duration", w),
      startNumber: this.int(inheritAttr(chain, "startNumber"), "startNumber", w) ?? 1,
      endNumber: this.int(inheritAttr(chain, "endNumber"), "endNumber", w),
      timeline: this.timeline(inheritChild(chain, "SegmentTimeline"), w),
      initialization,
      representationIndex,
    };
    if (common.duration === 0) this.fail(`@duration must be > 0`, w);
    if (mode === "SegmentTemplate") {
      return {
        kind: "template",
        ...common,
        media: inheritAttr(chain, "media"),
        initializationTemplate: inheritAttr(chain, "initialization"),
        indexTemplate: inheritAttr(chain, "index"),
        bitstreamSwitchingTemplate: inheritAttr(chain, "bitstreamSwitching"),
      };
    }
    const holder = chain.find((el) => childrenNamed(el, "SegmentURL").length > 0);
    const segmentUrls = (holder ? childrenNamed(holder, "SegmentURL") : []).map((s, i) => {
      const sw = `${w}/SegmentURL[${i}]`;
      return {
        media: s.attrs.media,
        mediaRange: this.range(s.attrs.mediaRange, "mediaRange", sw),
        index: s.attrs.index,
        indexRange: this.range(s.attrs.indexRange, "indexRange", sw),
      };
    });
    return { kind: "list", ...common, segmentUrls };
  }

  read(text: string, manifestUrl: string): Mpd {
    let root: XmlElement;
    try {
      root = parseXml(text);
    } catch (err) {
      this.fail(err instanceof Error ? err.message : String(err), "document");
    }
    if (root.name !== "MPD") this.fail(`root element is <${root.name}>, not <MPD>`, "document");
    const type = root.attrs.type ?? "static";
    if (type !== "static" && type !== "dynamic") {
      this.fail(`MPD@type="${type}" is neither "static" nor "dynamic"`, "MPD");
    }
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
    periods.forEach((p, i) => {
      const w = `Period[${i}]`;
      if (p.attrs.href !== undefined) this.fail("remote (xlink:href) Periods are not supported", w);
      const start = this.duration(p.attrs.start, "start", w);
      const dur = this.duration(p.attrs.duration, "duration", w);
      const prevEnd = i === 0
        ? 0
        : (starts[i - 1] !== undefined && durations[i - 1] !== undefined
          ? starts[i - 1]! + durations[i - 1]!
          : undefined);
      starts.push(start ?? prevEnd);
      durations.push(dur);
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
      const pw = `Period[${pi}]${period.attrs.id !== undefined ? `(id=${period.attrs.id})` : ""}`;
      const periodBase = this.base(period, mpdBase, pw);
      childrenNamed(period, "AdaptationSet").forEach((set, ai) => {
        const aw = `${pw}/AdaptationSet[${ai}]`;
        if (set.attrs.href !== undefined) {
          this.fail("remote (xlink:href) AdaptationSets are not supported", aw);
        }
        const setBase = this.base(set, periodBase, aw);
        const reps = childrenNamed(set, "Representation");
        reps.forEach((rep, ri) => {
          const id = rep.attrs.id;
          const rw = `${aw}/Representation[${ri}]${id !== undefined ? `(id=${id})` : ""}`;
          if (id === undefined || id === "") this.fail("Representation@id is missing", rw);
          const levels = [rep, set, period];
          const chains = Object.fromEntries(ADDRESSING.map((name) => [
            name,
            levels.flatMap((el, depth) => {
              const c = childNamed(el, name);
              return c ? [{ el: c, depth }] : [];
            }),
          ])) as Record<AddressingName, Level[]>;
          representations.push({
            id,
            bandwidth: this.int(rep.attrs.bandwidth, "bandwidth", rw),
            mimeType: rep.attrs.mimeType ?? set.attrs.mimeType,
            codecs: rep.attrs.codecs ?? set.attrs.codecs,
            contentType: set.attrs.contentType ?? rep.attrs.contentType,
            lang: set.attrs.lang,
            baseUrl: this.base(rep, setBase, rw),
            addressing: this.addressing(chains, rw),
            periodIndex: pi,
            periodId: period.attrs.id,
            periodStart: starts[pi] ?? 0,
            periodDuration: durations[pi],
            where: rw,
          });
        });
      });
    });
    if (representations.length === 0) this.fail("no Representation in any AdaptationSet", "MPD");
    return {
      type,
      mediaPresentationDuration: mpdDuration,
      representations,
      baseUrls: this.#baseUrls,
      notes: this.#notes,
    };
  }
}

/**
 * Parses MPD text fetched from `manifestUrl` (the final URL after redirects, or a file
 * URL). Relative BaseURLs resolve against it. Throws {@link InputError} naming the element
 * and the problem for anything that cannot be used.
 *
 * @example
 * ```ts
 * const mpd = parseMpd(await Deno.readTextFile("manifest.mpd"), "https://cdn.example/vod/manifest.mpd");
 * mpd.representations.map((r) => r.id);
 * ```
 */
export function parseMpd(text: string, manifestUrl: string): Mpd {
  return new MpdReader(manifestUrl).read(text, manifestUrl);
}
