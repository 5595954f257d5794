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
import {
  checkTemplate,
  fillTemplate,
  joinTemplate,
  splitTemplate,
  type TemplateValues,
} from "./template.ts";

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

/** The media slots of a Representation: how many, and each generated on demand. */
interface Slots {
  count: number;
  generate: () => Iterator<Slot> & Iterable<Slot>;
}

/**
 * A Representation's resources in manifest order, generated each time they are gone
 * through (a template's segments are made from the template and the slot as they are
 * needed, never all held at once); it knows how many there are. An array is one.
 */
export interface SegmentSource extends Iterable<Segment> {
  /** How many resources it yields. */
  readonly length: number;
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

  /** Media slots of a SegmentTimeline, generated on demand (the timeline is checked now). */
  timelineSlots(a: TemplateAddressing | ListAddressing, timeline: TimelineEntry[]): Slots {
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
    const generate = function* (): Generator<Slot> {
      let number = a.startNumber;
      let cursor = 0;
      for (let i = 0; i < timeline.length; i++) {
        const s = timeline[i];
        if (s.n !== undefined) number = s.n;
        let time = s.t ?? cursor;
        let cut = false;
        for (let j = 0; j <= repeats[i]; j++) {
          if (a.endNumber !== undefined && number > a.endNumber) {
            cut = true;
            break;
          }
          if (s.k > 1) {
            for (let sub = 1; sub <= s.k; sub++) yield { number, time, subNumber: sub };
          } else yield { number, time };
          number++;
          time += s.d;
        }
        if (!cut) cursor = time;
      }
    };
    let count = 0;
    if (a.endNumber === undefined) count = total;
    else for (const _ of generate()) count++;
    return { count, generate };
  }

  /** Media slots of `@duration`-based addressing, generated on demand. */
  durationSlots(a: TemplateAddressing | ListAddressing, duration: number): Slots {
    let count: number;
    if (a.endNumber !== undefined) count = a.endNumber - a.startNumber + 1;
    else {
      const span = this.periodEnd(a.timescale, 0, "@duration addressing");
      count = Math.ceil(span / duration - 1e-9);
    }
    this.checkCount(count, "@duration addressing");
    count = Math.max(0, count);
    return {
      count,
      *generate() {
        for (let i = 0; i < count; i++) {
          yield { number: a.startNumber + i, time: a.presentationTimeOffset + i * duration };
        }
      },
    };
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

  /**
   * Makes the segment of each slot named by a template attribute: the template's constant
   * parts resolved against the BaseURL once, and only the numbers written in per segment,
   * when that gives the same URL as resolving each filled reference (checked on the first
   * segments); otherwise each filled reference is resolved.
   */
  filler(template: string, attr: string, kind: SegmentKind): (slot: Slot) => Segment {
    const source = `SegmentTemplate@${attr}`;
    const slow = (slot: Slot): Segment => this.filled(template, attr, kind, slot);
    const split = splitTemplate(template, {
      representationId: this.#rep.id,
      bandwidth: this.#rep.bandwidth,
    });
    if (split === undefined || split.vars.length === 0) return slow;
    const marks = split.vars.map((_, i) => `zq${i}streamkitslot`);
    let urlPieces: string[];
    try {
      const u = new URL(joinTemplate(split.pieces, marks), this.#rep.baseUrl);
      const href = u.href;
      // A number in the scheme, host or port could change how the URL parses.
      const pathAt = href.length - (u.pathname.length + u.search.length + u.hash.length);
      urlPieces = [];
      let rest = href;
      for (const mark of marks) {
        const at = rest.indexOf(mark);
        if (at < 0 || rest.indexOf(mark, at + 1) >= 0) return slow;
        if (urlPieces.length === 0 && at < pathAt) return slow;
        urlPieces.push(rest.slice(0, at));
        rest = rest.slice(at + mark.length);
      }
      urlPieces.push(rest);
    } catch {
      return slow;
    }
    let checked = 0;
    return (slot: Slot): Segment => {
      const values: string[] = [];
      for (const v of split.vars) {
        const value = slot[v.key];
        if (value === undefined) return slow(slot); // fails, naming the identifier
        values.push(v.format(value));
      }
      const seg: Segment = {
        url: joinTemplate(urlPieces, values),
        kind,
        ref: joinTemplate(split.pieces, values),
        source,
      };
      if (checked < 2) {
        checked++;
        const want = slow(slot);
        if (want.url !== seg.url || want.ref !== seg.ref) {
          checked = Infinity;
          return slow(slot);
        }
      }
      return checked === Infinity ? slow(slot) : seg;
    };
  }

  template(a: TemplateAddressing): SegmentSource {
    for (
      const t of [a.media, a.initializationTemplate, a.indexTemplate, a.bitstreamSwitchingTemplate]
    ) {
      if (t === undefined) continue;
      const problem = checkTemplate(t);
      if (problem) this.fail(`SegmentTemplate: ${problem}`);
    }
    const head: Segment[] = [];
    if (a.initializationTemplate !== undefined) {
      head.push(this.filled(a.initializationTemplate, "initialization", "init"));
    } else head.push(...this.urlRange(a.initialization, "init", "Initialization"));
    if (a.bitstreamSwitchingTemplate !== undefined) {
      head.push(
        this.filled(a.bitstreamSwitchingTemplate, "bitstreamSwitching", "bitstreamSwitching"),
      );
    }
    const perSegmentIndex = a.indexTemplate !== undefined &&
      /\$(Number|Time)/.test(a.indexTemplate);
    if (a.indexTemplate !== undefined && !perSegmentIndex) {
      head.push(this.filled(a.indexTemplate, "index", "index"));
    } else head.push(...this.urlRange(a.representationIndex, "index", "RepresentationIndex"));
    if (a.media === undefined) {
      if (a.timeline || a.duration !== undefined) this.fail("SegmentTemplate@media is missing");
      return head;
    }
    const slots: Slots = a.timeline
      ? this.timelineSlots(a, a.timeline)
      : a.duration !== undefined
      ? this.durationSlots(a, a.duration)
      : {
        count: 1,
        generate: () =>
          [{ number: a.startNumber, time: a.presentationTimeOffset }][Symbol.iterator](),
      };
    const media = a.media;
    const index = a.indexTemplate;
    const makeSource = () => {
      const mediaOf = this.filler(media, "media", "media");
      const indexOf = perSegmentIndex ? this.filler(index!, "index", "index") : undefined;
      return { mediaOf, indexOf };
    };
    const source: SegmentSource = {
      length: head.length + slots.count * (perSegmentIndex ? 2 : 1),
      *[Symbol.iterator]() {
        yield* head;
        const { mediaOf, indexOf } = makeSource();
        for (const slot of slots.generate()) {
          if (indexOf) yield indexOf(slot);
          const seg = mediaOf(slot);
          seg.number = slot.number;
          seg.time = slot.time;
          yield seg;
        }
      },
    };
    return source;
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
      ? [...this.timelineSlots(a, a.timeline).generate()]
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

  expand(): SegmentSource {
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
  return [...segmentSource(rep, options)];
}

/**
 * One Representation's resources as {@link representationSegments} lists them, generated
 * on demand each time they are gone through: a 100,000-segment template costs its template
 * and a count until it is read. Problems of the addressing as a whole (a bad template, too
 * many segments) are thrown here; a template that cannot be filled for a segment throws
 * while it is read.
 *
 * @example
 * ```ts
 * import { parseMpd } from "./mpd.ts";
 * const url = "https://cdn.example/vod/manifest.mpd";
 * const mpd = parseMpd(await Deno.readTextFile("manifest.mpd"), url);
 * const source = segmentSource(mpd.representations[0], { source: url });
 * console.log(source.length);
 * for (const seg of source) console.log(seg.url);
 * ```
 */
export function segmentSource(rep: Representation, options: SegmentOptions = {}): SegmentSource {
  return new Expander(rep, options).expand();
}
