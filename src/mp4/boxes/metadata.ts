/**
 * Metadata boxes, read as Bento4's metadata handler reads them: iTunes-style `ilst` items and
 * their `data` (text, signed integers), `mean`/`name` of free-form (`----`) items, 3GPP
 * localized strings in `udta` (`titl`, `dscp`, `cprt`, `perf`, `auth`, `gnre`) and OMA DCF
 * strings (`icnu`, `infu`, `cvru`, `lrcu`, `dcfD`). Other items are shown by their header.
 *
 * @module
 */
import { cString } from "../format.ts";
import { type BoxCodec, fullBox, plainBox } from "./codec.ts";

/** Items of `ilst` that Bento4 reads as containers of `data`. */
export const ILST_ITEMS: ReadonlySet<string> = new Set([
  "----",
  "\xa9nam",
  "\xa9ART",
  "\xa9com",
  "\xa9wrt",
  "\xa9alb",
  "\xa9gen",
  "\xa9grp",
  "\xa9day",
  "\xa9too",
  "\xa9cmt",
  "cprt",
  "trkn",
  "disk",
  "covr",
  "desc",
  "gnre",
  "cpil",
  "tmpo",
  "rtng",
  "apID",
  "cnID",
  "cmID",
  "atID",
  "plID",
  "geID",
  "sfID",
  "akID",
  "aART",
  "tvnn",
  "tvsh",
  "tven",
  "tvsn",
  "tves",
  "stik",
  "pgap",
  "pcst",
  "purd",
  "purl",
  "egid",
  "sonm",
  "soal",
  "soar",
  "soaa",
  "soco",
  "sosn",
]);

const LOCALIZED = new Set(["titl", "dscp", "cprt", "perf", "auth", "gnre"]);
const DCF_STRINGS = new Set(["icnu", "infu", "cvru", "lrcu"]);

/** An `ilst` item: a plain container whose children are read in its own context. */
const ITEM: BoxCodec = {
  container: true,
  read(c, box) {
    return { children: { start: c.pos, available: box.size - 8, context: box.key } };
  },
};

/** A `data` box of an item. */
const DATA: BoxCodec = plainBox((c, box) => {
  let type = 0, lang = 0;
  let value: Uint8Array | null = null;
  if (box.size >= 16) {
    type = c.u32();
    lang = c.u32();
    value = c.bytes(box.size - 16);
  }
  return (ins) => {
    ins.addInt("type", type);
    ins.addInt("lang", lang);
    if (value === null) return;
    if (type === 1) {
      if (value.length <= 0x40000000) ins.addString("value", cString(value));
    } else if (type === 21) {
      const v = value;
      if (v.length === 1) ins.addInt("value", v[0]);
      else if (v.length === 2) ins.addInt("value", ((v[0] << 8) | v[1]) << 16 >> 16);
      else if (v.length === 4) {
        ins.addInt("value", (v[0] << 24) | (v[1] << 16) | (v[2] << 8) | v[3]);
      }
    }
  };
});

/** `mean` and `name` of a free-form item. */
const META_STRING: BoxCodec = plainBox((c, box) => {
  c.u32();
  const value = cString(c.bytes(Math.max(0, box.size - 12)));
  return (ins) => ins.addString("value", value);
});

/** A 3GPP localized string (`udta/titl`, …). */
const LOCALIZED_STRING: BoxCodec = fullBox(0, (c, box) => {
  const packed = c.u16();
  const language = String.fromCharCode(
    0x60 + ((packed >> 10) & 0x1f),
    0x60 + ((packed >> 5) & 0x1f),
    0x60 + (packed & 0x1f),
  );
  const value = box.size > 14 ? cString(c.bytes(box.size - 14)) : "";
  return {
    fields(ins) {
      ins.addString("language", language);
      ins.addString("value", value);
    },
  };
});

/** An OMA DCF string. */
const DCF_STRING: BoxCodec = fullBox(0, (c, box) => {
  const value = box.size > 12 ? cString(c.bytes(box.size - 12)) : "";
  return { fields: (ins) => ins.addString("value", value) };
});

/** OMA DCF duration. */
const DCF_DURATION: BoxCodec = fullBox(0, (c, box) => {
  if (box.size !== 16) return null;
  const duration = c.u32();
  return { fields: (ins) => ins.addInt("duration", duration) };
});

/**
 * The codec Bento4's metadata handler gives `key` inside `context`, or null (the box is then
 * shown by its header alone).
 */
export function metadataCodec(key: string, context: string): BoxCodec | null {
  if (context === "ilst") return ILST_ITEMS.has(key) ? ITEM : null;
  if (key === "data") return ILST_ITEMS.has(context) ? DATA : null;
  if (context === "----") return key === "mean" || key === "name" ? META_STRING : null;
  if (context === "udta") {
    if (LOCALIZED.has(key)) return LOCALIZED_STRING;
    if (DCF_STRINGS.has(key)) return DCF_STRING;
    if (key === "dcfD") return DCF_DURATION;
  }
  return null;
}
