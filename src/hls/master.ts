/**
 * The master-playlist side of the one pass over a playlist's lines: variants (with their
 * URI line), I-frame and image (thumbnail) streams, renditions, session data and keys,
 * content steering, and the finished {@link MasterPlaylist}.
 *
 * @module
 */
import type { AttributeList } from "./attr_list.ts";
import type { ReadContext } from "./context.ts";
import type { PlaylistLine } from "./lines.ts";
import type { CommonFacts } from "./media.ts";
import type {
  ContentSteering,
  ImageStream,
  KeyTag,
  MasterPlaylist,
  Rendition,
  RenditionType,
  SessionData,
  StreamAttributes,
  UriRef,
  Variant,
} from "./model.ts";
import { compact, LENIENT, readKey } from "./shared_tags.ts";

const RENDITION_TYPES: readonly RenditionType[] = [
  "AUDIO",
  "VIDEO",
  "SUBTITLES",
  "CLOSED-CAPTIONS",
];

/** The attributes the three kinds of stream tags share. */
function streamAttributes(
  cx: ReadContext,
  attrs: AttributeList,
  line: number,
  ref: UriRef,
): StreamAttributes {
  let bandwidth = attrs.decimalInteger("BANDWIDTH", LENIENT);
  if (bandwidth === undefined) {
    if (!attrs.has("BANDWIDTH")) cx.note(`${attrs.tag} has no BANDWIDTH attribute`);
    bandwidth = 0;
  }
  return compact({
    line,
    ref,
    bandwidth,
    averageBandwidth: attrs.decimalInteger("AVERAGE-BANDWIDTH", LENIENT),
    codecs: attrs.quotedString("CODECS"),
    supplementalCodecs: attrs.quotedString("SUPPLEMENTAL-CODECS"),
    resolution: attrs.resolution("RESOLUTION", LENIENT),
    hdcpLevel: attrs.enumeratedString("HDCP-LEVEL", ["TYPE-0", "TYPE-1", "NONE"], LENIENT),
    videoRange: attrs.enumeratedString("VIDEO-RANGE", ["SDR", "HLG", "PQ"], LENIENT),
    stableVariantId: attrs.quotedString("STABLE-VARIANT-ID"),
    pathwayId: attrs.quotedString("PATHWAY-ID"),
  });
}

/** A variant (EXT-X-STREAM-INF or EXT-X-I-FRAME-STREAM-INF) from its attributes and URI. */
function variant(
  cx: ReadContext,
  attrs: AttributeList,
  line: number,
  ref: UriRef,
  iFrame: boolean,
): Variant {
  const cc = attrs.get("CLOSED-CAPTIONS");
  return compact({
    ...streamAttributes(cx, attrs, line, ref),
    iFrame,
    frameRate: attrs.decimalFloat("FRAME-RATE", LENIENT),
    score: attrs.decimalFloat("SCORE", LENIENT),
    groups: compact({
      audio: attrs.quotedString("AUDIO"),
      video: attrs.quotedString("VIDEO"),
      subtitles: attrs.quotedString("SUBTITLES"),
      closedCaptions: cc === undefined || cc.value === "NONE" ? undefined : cc.value,
    }),
  });
}

/** Reads the tags of a master playlist, one at a time, in document order. */
export class MasterReader {
  #cx: ReadContext;
  #variants: Variant[] = [];
  #imageStreams: ImageStream[] = [];
  #renditions: Rendition[] = [];
  #sessionKeys: KeyTag[] = [];
  #sessionData: SessionData[] = [];
  #contentSteering?: ContentSteering;
  #pending?: { line: number; attrs: AttributeList };

  /** @param cx the reading state (URL, line, variables, URIs, notes) */
  constructor(cx: ReadContext) {
    this.#cx = cx;
  }

  /** Line of an EXT-X-STREAM-INF still waiting for its URI line. */
  get pendingLine(): number | undefined {
    return this.#pending?.line;
  }

  /** `#EXT-X-STREAM-INF`: its URI is the next URI line. */
  streamInf(attrs: AttributeList): void {
    this.#pending = { line: this.#cx.line, attrs };
  }

  /** The URI line of the pending EXT-X-STREAM-INF. */
  uriLine(raw: string, start: number, end: number): void {
    const { line, attrs } = this.#pending!;
    const ref = this.#cx.ref("variant", raw.slice(start, end), start, end);
    const cur = this.#cx.line;
    this.#cx.line = line; // notes on the attributes belong to the tag's line
    this.#variants.push(variant(this.#cx, attrs, line, ref, false));
    this.#cx.line = cur;
    this.#pending = undefined;
  }

  /** `#EXT-X-I-FRAME-STREAM-INF`: URI attribute required. */
  iFrameStreamInf(attrs: AttributeList): void {
    const ref = this.#cx.requireRef(attrs, "URI", "iframe");
    this.#variants.push(variant(this.#cx, attrs, this.#cx.line, ref, true));
  }

  /** `#EXT-X-IMAGE-STREAM-INF`: a thumbnail playlist; URI attribute required. */
  imageStreamInf(attrs: AttributeList): void {
    const ref = this.#cx.requireRef(attrs, "URI", "image");
    this.#imageStreams.push(compact({
      ...streamAttributes(this.#cx, attrs, this.#cx.line, ref),
      video: attrs.quotedString("VIDEO"),
    }));
  }

  /** `#EXT-X-MEDIA`: TYPE and GROUP-ID required; SUBTITLES need a URI. */
  media(attrs: AttributeList): void {
    const cx = this.#cx;
    attrs.require("TYPE");
    const type = attrs.enumeratedString("TYPE", RENDITION_TYPES, LENIENT) as RenditionType;
    if (type === undefined) {
      throw cx.error(`EXT-X-MEDIA has an unknown TYPE=${attrs.get("TYPE")!.value}`);
    }
    attrs.require("GROUP-ID");
    const name = attrs.quotedString("NAME");
    if (name === undefined) cx.note("EXT-X-MEDIA has no NAME attribute");
    const rendition: Rendition = compact({
      line: cx.line,
      type,
      groupId: attrs.quotedString("GROUP-ID")!,
      name: name ?? "",
      language: attrs.quotedString("LANGUAGE"),
      assocLanguage: attrs.quotedString("ASSOC-LANGUAGE"),
      isDefault: attrs.flag("DEFAULT", LENIENT),
      autoselect: attrs.flag("AUTOSELECT", LENIENT),
      forced: attrs.flag("FORCED", LENIENT),
      instreamId: attrs.quotedString("INSTREAM-ID"),
      characteristics: attrs.quotedString("CHARACTERISTICS"),
      channels: attrs.quotedString("CHANNELS"),
      stableRenditionId: attrs.quotedString("STABLE-RENDITION-ID"),
    });
    if (type === "CLOSED-CAPTIONS") {
      if (attrs.has("URI")) cx.note("EXT-X-MEDIA TYPE=CLOSED-CAPTIONS has a URI; ignored");
    } else if (attrs.has("URI")) {
      rendition.ref = cx.refAttribute(attrs, "URI", "rendition");
    } else if (type === "SUBTITLES") {
      throw cx.error("EXT-X-MEDIA TYPE=SUBTITLES has no URI attribute");
    }
    this.#renditions.push(rendition);
  }

  /** `#EXT-X-SESSION-DATA`: DATA-ID required; a VALUE or a URI. */
  sessionData(attrs: AttributeList): void {
    attrs.require("DATA-ID");
    this.#sessionData.push(compact({
      line: this.#cx.line,
      id: attrs.quotedString("DATA-ID")!,
      value: attrs.quotedString("VALUE"),
      language: attrs.quotedString("LANGUAGE"),
      ref: this.#cx.refAttribute(attrs, "URI", "session-data"),
    }));
  }

  /** `#EXT-X-SESSION-KEY`. */
  sessionKey(attrs: AttributeList): void {
    this.#sessionKeys.push(readKey(this.#cx, "EXT-X-SESSION-KEY", attrs, "session-key"));
  }

  /** `#EXT-X-CONTENT-STEERING`: SERVER-URI required. */
  contentSteering(attrs: AttributeList): void {
    this.#contentSteering = compact({
      line: this.#cx.line,
      ref: this.#cx.requireRef(attrs, "SERVER-URI", "steering"),
      pathwayId: attrs.quotedString("PATHWAY-ID"),
    });
  }

  /** The finished playlist. */
  finish(lines: PlaylistLine[], common: CommonFacts): MasterPlaylist {
    const cx = this.#cx;
    return compact({
      type: "master",
      url: cx.url,
      lines,
      refs: cx.refs,
      version: common.version,
      variants: this.#variants,
      imageStreams: this.#imageStreams,
      renditions: this.#renditions,
      sessionKeys: this.#sessionKeys,
      sessionData: this.#sessionData,
      contentSteering: this.#contentSteering,
      start: common.start,
      independentSegments: common.independentSegments,
      definitions: cx.vars.record(),
      notes: cx.notes(),
    });
  }
}
