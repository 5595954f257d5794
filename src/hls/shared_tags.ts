/**
 * Tags that master and media playlists share (`EXT-X-KEY` / `EXT-X-SESSION-KEY`,
 * `EXT-X-START`), and a helper that drops absent fields from a model object.
 *
 * @module
 */
import type { AttributeList } from "./attr_list.ts";
import type { ReadContext } from "./context.ts";
import type { KeyTag, StartTag, UriRole } from "./model.ts";

/** Getter option for descriptive attributes: a malformed value is a note, not an error. */
export const LENIENT = { lenient: true } as const;

/** The METHODs of EXT-X-KEY that streamkit knows by name (others are kept as written). */
const KEY_METHODS = [
  "NONE",
  "AES-128",
  "AES-256",
  "AES-256-CTR",
  "SAMPLE-AES",
  "SAMPLE-AES-CTR",
  "SAMPLE-AES-CENC",
  "ISO-23001-7",
];

/**
 * A copy of `fields` without the properties whose value is `undefined`, so that an
 * absent attribute is an absent property (in JSON and in deep comparisons).
 */
export function compact<T extends object>(fields: T): T {
  const out = { ...fields };
  for (const k of Object.keys(out) as (keyof T)[]) {
    if (out[k] === undefined) delete out[k];
  }
  return out;
}

/**
 * Reads an `EXT-X-KEY` or `EXT-X-SESSION-KEY`: METHOD is required, and so is URI unless
 * METHOD is NONE.
 */
export function readKey(
  cx: ReadContext,
  tag: string,
  attrs: AttributeList,
  role: UriRole,
): KeyTag {
  attrs.require("METHOD");
  let method = attrs.enumeratedString("METHOD")!;
  const upper = method.toUpperCase();
  if (method !== upper && KEY_METHODS.includes(upper)) {
    cx.note(`${tag} METHOD=${method} should be upper case`);
    method = upper;
  }
  const key: KeyTag = compact({
    line: cx.line,
    method,
    keyFormat: attrs.quotedString("KEYFORMAT"),
    keyFormatVersions: attrs.quotedString("KEYFORMATVERSIONS"),
    iv: attrs.hexadecimal("IV", LENIENT),
    keyId: attrs.hexadecimal("KEYID", LENIENT),
  });
  if (method !== "NONE") {
    if (!attrs.has("URI")) throw cx.error(`${tag} METHOD=${method} has no URI attribute`);
    key.ref = cx.refAttribute(attrs, "URI", role);
  }
  return key;
}

/** Reads an `EXT-X-START`; without a usable TIME-OFFSET it is noted and ignored. */
export function readStart(cx: ReadContext, attrs: AttributeList): StartTag | undefined {
  const timeOffset = attrs.signedDecimalFloat("TIME-OFFSET", LENIENT);
  if (timeOffset === undefined) {
    if (!attrs.has("TIME-OFFSET")) cx.note("EXT-X-START has no TIME-OFFSET; ignored");
    return undefined;
  }
  return { line: cx.line, timeOffset, precise: attrs.flag("PRECISE", LENIENT) };
}
