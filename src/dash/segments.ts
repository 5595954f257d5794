/**
 * Every DASH addressing mode → the ordered list of resources of one Representation:
 * initialization, index, and media segments, each an absolute URL and an optional byte
 * range (ISO/IEC 23009-1, 5.3.9).
 *
 * Expansion is bounded: a SegmentTimeline or template that would yield more than
 * {@link MAX_SEGMENTS} segments is rejected before anything is generated.
 *
 * @module
 */
import { InputError } from "../errors.ts";
import type { ByteRange } from "../mirror/plan.ts";
import type {
  ListAddressing,
  Representation,
  TemplateAddressing,
  TimelineEntry,
  UrlRange,
} from "./mpd.ts";
import { checkTemplate, fillTemplate, type TemplateValues } from "./template.ts";

/** The most segments one Representation may expand to. */
export const MAX_SEGMENTS = 1_000_000;

/** What a segment is for. */
export type SegmentKind = "init" | "index" | "media" | "bitstreamSwitching";

/** One addressed resource of a Representation. */
export interface Segment {
  /** Absolute URL. */
  url: string;
  /** The byte range addressed, when the manifest gives one. */
  range?: ByteRange;
  /** What it is. */
  kind: SegmentKind;
  /** `$Number$` of a media segment, for templates and lists (1-based position otherwise). */
  number?: number;
  /** `$Time$` of a media segment, in timescale units, when known. */
  time?: number;
  /**
   * The reference that names it, as written (a template filled in); undefined when the
   * resource is the BaseURL itself.
   */
  ref?: string;
  /** Which attribute names it, for messages: `SegmentTemplate@media`, `SegmentURL[3]@media`. */
  source: string;
}

/** Options of {@link representationSegments}. */
export interface SegmentOptions {
  /** Prefix for error locations, usually the manifest URL. */
  source?: string;
  /** Maximum number of segments. @default MAX_SEGMENTS */
  limit?: number;
}

/** A position in a timeline: number, time and sub-number of one media segment. */
interface Slot {
  number: number;
  time: number;
  subNumber?: number;
}

class Expander {
  #rep: Representation;
  #where: string;
  #limit: number;

  constructor(rep: Representation, options: SegmentOptions) {
    this.#rep = rep;
    this.#where = options.source ? `${options.source}: ${rep.where}` : rep.where;
    this.#limit = options.limit ?? MAX_SEGMENTS;
  }

  fail(message: string): never {
    throw new InputError(message, this.#where);
  }

  resolve(relative: string | undefined): string {
    if (relative === undefined) return this.#rep.baseUrl;
    try {
      return new URL(relative, this.#rep.baseUrl).href;
    } catch {
      this.fail(`"${relative}" is not a valid URL reference`);
    }
  }

  checkCount(count: number, what: string): void {
    if (!Number.isFinite(count) || count > this.#limit) {
      this.fail(
        `${what} would expand to ${
          Number.isFinite(count) ? count : "unbounded"
        } segments (limit ${this.#limit})`,
      );
    }
  }

  /** The Period's end, in timescale units on the media timeline. */
  periodEnd(timescale: number, pto: number, what: string): number {
    const d = this.#rep.periodDuration;
    if (d === undefined) {
      this.fail(
        `${what} needs the Period's duration, but neither Period@duration, the next ` +
          `Period@start nor MPD@mediaPresentationDuration gives it`,
      );
    }
    return pto + d * timescale;
  }

  urlRange(u: UrlRange | undefined, kind: SegmentKind, element: string): Segment[] {
    if (!u) return [];
    const source = u.url === undefined ? "BaseURL" : `${element}@sourceURL`;
    return [{ url: this.resolve(u.url), range: u.range, kind, ref: u.url, source }];
  }

  /** A segment named by a filled template attribute. */
  filled(template: string, attr: string, kind: SegmentKind, slot?: Slot): Segment {
    const ref = this.fill(template, slot);
    return { url: this.resolve(ref), kind, ref, source: `SegmentTemplate@${attr}` };
  }

  /** Media slots of a SegmentTimeline. */
  timelineSlots(a: TemplateAddressing | ListAddressing, timeline: TimelineEntry[]): Slot[] {
    const pto = a.presentationTimeOffset;
    // First pass: count, without generating, so a hostile @r costs nothing.
    let total = 0;
    let cursor = 0;
    const repeats: number[] = [];
    timeline.forEach((s, i) => {
      const start = s.t ?? cursor;
      let r = s.r;
      if (r === -1) {
        const next = timeline[i + 1];
        const end = next?.t !== undefined
          ? next.t
          : this.periodEnd(a.timescale, pto, "SegmentTimeline S@r=-1");
        r = Math.max(0, Math.ceil((end - start) / s.d - 1e-9) - 1);
      }
      repeats.push(r);
      total += (r + 1) * s.k;
      this.checkCount(total, "SegmentTimeline");
      cursor = start + (r + 1) * s.d;
    });
    const slots: Slot[] = [];
    let number = a.startNumber;
    cursor = 0;
    timeline.forEach((s, i) => {
      if (s.n !== undefined) number = s.n;
      let time = s.t ?? cursor;
      for (let j = 0; j <= repeats[i]; j++) {
        if (a.endNumber !== undefined && number > a.endNumber) return;
        if (s.k > 1) {
          for (let sub = 1; sub <= s.k; sub++) slots.push({ number, time, subNumber: sub });
        } else slots.push({ number, time });
        number++;
        time += s.d;
      }
      cursor = time;
    });
    return slots;
  }

  /** Media slots of `@duration`-based addressing. */
  durationSlots(a: TemplateAddressing | ListAddressing, duration: number): Slot[] {
    let count: number;
    if (a.endNumber !== undefined) count = a.endNumber - a.startNumber + 1;
    else {
      const span = this.periodEnd(a.timescale, 0, "@duration addressing");
      count = Math.ceil(span / duration - 1e-9);
    }
    this.checkCount(count, "@duration addressing");
    const slots: Slot[] = [];
    for (let i = 0; i < count; i++) {
      slots.push({ number: a.startNumber + i, time: a.presentationTimeOffset + i * duration });
    }
    return slots;
  }

  fill(template: string, slot?: Slot): string {
    const values: TemplateValues = {
      representationId: this.#rep.id,
      bandwidth: this.#rep.bandwidth,
      number: slot?.number,
      time: slot?.time,
      subNumber: slot?.subNumber,
    };
    try {
      return fillTemplate(template, values);
    } catch (err) {
      this.fail(err instanceof Error ? err.message : String(err));
    }
  }

  template(a: TemplateAddressing): Segment[] {
    for (
      const t of [a.media, a.initializationTemplate, a.indexTemplate, a.bitstreamSwitchingTemplate]
    ) {
      if (t === undefined) continue;
      const problem = checkTemplate(t);
      if (problem) this.fail(`SegmentTemplate: ${problem}`);
    }
    const out: Segment[] = [];
    if (a.initializationTemplate !== undefined) {
      out.push(this.filled(a.initializationTemplate, "initialization", "init"));
    } else out.push(...this.urlRange(a.initialization, "init", "Initialization"));
    if (a.bitstreamSwitchingTemplate !== undefined) {
      out.push(
        this.filled(a.bitstreamSwitchingTemplate, "bitstreamSwitching", "bitstreamSwitching"),
      );
    }
    const perSegmentIndex = a.indexTemplate !== undefined &&
      /\$(Number|Time)/.test(a.indexTemplate);
    if (a.indexTemplate !== undefined && !perSegmentIndex) {
      out.push(this.filled(a.indexTemplate, "index", "index"));
    } else out.push(...this.urlRange(a.representationIndex, "index", "RepresentationIndex"));
    if (a.media === undefined) {
      if (a.timeline || a.duration !== undefined) this.fail("SegmentTemplate@media is missing");
      return out;
    }
    const slots = a.timeline
      ? this.timelineSlots(a, a.timeline)
      : a.duration !== undefined
      ? this.durationSlots(a, a.duration)
      : [{ number: a.startNumber, time: a.presentationTimeOffset }];
    for (const slot of slots) {
      if (perSegmentIndex) out.push(this.filled(a.indexTemplate!, "index", "index", slot));
      out.push({
        ...this.filled(a.media, "media", "media", slot),
        number: slot.number,
        time: slot.time,
      });
    }
    return out;
  }

  list(a: ListAddressing): Segment[] {
    this.checkCount(a.segmentUrls.length, "SegmentList");
    const out: Segment[] = [
      ...this.urlRange(a.initialization, "init", "Initialization"),
      ...this.urlRange(a.bitstreamSwitching, "bitstreamSwitching", "BitstreamSwitching"),
      ...this.urlRange(a.representationIndex, "index", "RepresentationIndex"),
    ];
    // Numbers and times follow the timeline or @duration when given.
    const slots = a.timeline
      ? this.timelineSlots(a, a.timeline)
      : a.duration !== undefined
      ? a.segmentUrls.map((_, i) => ({
        number: a.startNumber + i,
        time: a.presentationTimeOffset + i * a.duration!,
      }))
      : undefined;
    a.segmentUrls.forEach((s, i) => {
      if (s.index !== undefined || s.indexRange !== undefined) {
        out.push({
          url: this.resolve(s.index),
          range: s.indexRange,
          kind: "index",
          ref: s.index,
          source: s.index === undefined ? "BaseURL" : `SegmentURL[${i}]@index`,
        });
      }
      out.push({
        url: this.resolve(s.media),
        range: s.mediaRange,
        kind: "media",
        number: slots?.[i]?.number ?? a.startNumber + i,
        time: slots?.[i]?.time,
        ref: s.media,
        source: s.media === undefined ? "BaseURL" : `SegmentURL[${i}]@media`,
      });
    });
    return out;
  }

  expand(): Segment[] {
    const a = this.#rep.addressing;
    switch (a.kind) {
      case "template":
        return this.template(a);
      case "list":
        return this.list(a);
      case "base": {
        const out = this.urlRange(a.initialization, "init", "Initialization");
        if (a.indexRange) {
          out.push({
            url: this.#rep.baseUrl,
            range: a.indexRange,
            kind: "index",
            source: "BaseURL",
          });
        } else out.push(...this.urlRange(a.representationIndex, "index", "RepresentationIndex"));
        out.push({ url: this.#rep.baseUrl, kind: "media", number: 1, source: "BaseURL" });
        return out;
      }
      case "single":
        return [{ url: this.#rep.baseUrl, kind: "media", number: 1, source: "BaseURL" }];
    }
  }
}

/**
 * Expands one Representation into its resources, in manifest order: initialization (and
 * bitstream-switching and index) segments first, then media segments.
 *
 * @example
 * ```ts
 * import { parseMpd } from "./mpd.ts";
 * const url = "https://cdn.example/vod/manifest.mpd";
 * const mpd = parseMpd(await Deno.readTextFile("manifest.mpd"), url);
 * for (const rep of mpd.representations) {
 *   for (const seg of representationSegments(rep, { source: url })) console.log(seg.url);
 * }
 * ```
 */
export function representationSegments(
  rep: Representation,
  options: SegmentOptions = {},
): Segment[] {
  return new Expander(rep, options).expand();
}
