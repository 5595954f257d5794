/**
 * The types of the MPD model `parseMpd` builds: Representations with everything they
 * inherit resolved, and handles on the XML elements they came from, so an editor
 * (`xml_edit.ts`, `mpd_edit.ts`) can change the saved text of exactly those elements.
 *
 * @module
 */
import type { ByteRange } from "../mirror/plan.ts";
import type { XmlElement } from "./xml.ts";

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
export interface MultipleSegmentBase {
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

/** One `SegmentURL` of a SegmentList. */
export interface SegmentUrl {
  /** `@media`. */
  media?: string;
  /** `@mediaRange`. */
  mediaRange?: ByteRange;
  /** `@index`. */
  index?: string;
  /** `@indexRange`. */
  indexRange?: ByteRange;
}

/** SegmentList addressing. */
export interface ListAddressing extends MultipleSegmentBase {
  /** Discriminant. */
  kind: "list";
  /** `SegmentURL` children in order. */
  segmentUrls: SegmentUrl[];
  /** `BitstreamSwitching` child. */
  bitstreamSwitching?: UrlRange;
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

/** The XML elements a Representation is described by, for editors. */
export interface RepresentationElements {
  /** The `Period`. */
  period: XmlElement;
  /** The `AdaptationSet`. */
  adaptationSet: XmlElement;
  /** The `Representation`. */
  representation: XmlElement;
  /**
   * The elements of its addressing mode (SegmentTemplate, SegmentList or SegmentBase) at
   * each level that has one, most specific first (Representation, AdaptationSet, Period).
   */
  addressing: XmlElement[];
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
  /** The texts of the BaseURLs in use at each level, outermost first. */
  baseRefs: string[];
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
  /** The elements it is described by. */
  elements: RepresentationElements;
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
  /** The element. */
  element: XmlElement;
  /** Whether it is the one in use at its level (the first); the others are alternatives. */
  chosen: boolean;
  /** The index (in {@link Mpd.baseUrls}) of the one in use at its level. */
  chosenIndex: number;
}

/** A part of the MPD that cannot be used, when parsing tolerantly. */
export interface MpdProblem {
  /** Where it is (`Period[2](id=p2)/AdaptationSet[0]/Representation[1](id=v1)`). */
  where: string;
  /** What is wrong, with the manifest URL and the place. */
  message: string;
  /** The element that fails (a Period, an AdaptationSet or a Representation). */
  element: XmlElement;
}

/** The parsed MPD. */
export interface Mpd {
  /** `@type`: "static" (VOD) or "dynamic" (live). */
  type: "static" | "dynamic";
  /** `@mediaPresentationDuration`, seconds. */
  mediaPresentationDuration?: number;
  /** Every usable Representation of every Period, in document order. */
  representations: Representation[];
  /** Every BaseURL element, in document order (the ones in use and the alternatives). */
  baseUrls: BaseUrlElement[];
  /** Things the user should know (alternatives ignored, and so on). */
  notes: string[];
  /** Parts that cannot be used (only when parsed with `tolerant`; otherwise they throw). */
  problems: MpdProblem[];
  /** The document's root element (the tree every element handle belongs to). */
  root: XmlElement;
}
