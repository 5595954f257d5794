/**
 * The box tables and the rule that picks an entry, as Bento4's atom factory picks a class:
 * inside `stsd` every child is a sample entry; elsewhere a type is looked up in the tables,
 * some types only in the parent types where Bento4 reads them (`dac3` in `ac-3`, track
 * reference kinds in `tref`, …), and any other type goes to the metadata rules (`ilst` items,
 * `udta` strings). A type found nowhere is shown by its header alone.
 *
 * @module
 */
import { type BoxCodec, type CodecTable, FULL_CONTAINER, LARGE_CONTAINER } from "./codec.ts";
import { CODEC_CONFIG_BOXES, CONTEXT_BOXES } from "./codec_config.ts";
import { DAC4 } from "./dac4.ts";
import { FILE_BOXES } from "./file.ts";
import { FRAGMENT_BOXES } from "./fragments.ts";
import { metadataCodec } from "./metadata.ts";
import { MOVIE_BOXES, TREF_TYPE, TREF_TYPES } from "./movie.ts";
import { MKID, PROTECTION_BOXES, UUID_BOXES } from "./protection.ts";
import { SAMPLE_ENTRY_BOXES, UNKNOWN_SAMPLE_ENTRY } from "./sample_entries.ts";
import { SAMPLE_TABLE_BOXES } from "./sample_table.ts";

/** `meta`: a full box, except where Apple wrote it as a plain one (`hdlr` right after). */
const META: BoxCodec = {
  large: true,
  container: true,
  read(c, box) {
    if (box.size < 12) return null;
    const v = c.u32();
    if (!c.ok) return null;
    if (v >= 8 && box.size >= 16) {
      const peek = c.u32();
      if (!c.ok) return null;
      if (peek === 0x68646c72) {
        const start = box.offset + box.headerSize;
        return { children: { start, available: box.size - box.headerSize, context: "meta" } };
      }
    }
    const headerSize = box.headerSize + 4;
    return {
      headerSize,
      version: v >>> 24,
      flags: v & 0xffffff,
      children: {
        start: box.offset + headerSize,
        available: box.size - headerSize,
        context: "meta",
      },
    };
  },
};

/** Every box Bento4 reads outside `stsd`, by type. */
const REGULAR: CodecTable = {
  ...FILE_BOXES,
  ...MOVIE_BOXES,
  ...SAMPLE_TABLE_BOXES,
  ...CODEC_CONFIG_BOXES,
  ...FRAGMENT_BOXES,
  ...PROTECTION_BOXES,
  udta: LARGE_CONTAINER_UNLESS(),
  ilst: LARGE_CONTAINER_UNLESS(),
  meta: META,
  odrm: FULL_CONTAINER,
  odkm: FULL_CONTAINER,
};

/** `udta` and `ilst` are plain containers (a 64-bit size is refused, as for the others). */
function LARGE_CONTAINER_UNLESS(): BoxCodec {
  return { ...LARGE_CONTAINER, large: false };
}

/** Boxes read only inside given parent types: type → [codec, parents, refused when large]. */
const IN_CONTEXT: Record<string, [BoxCodec, readonly string[]]> = {
  ...CONTEXT_BOXES,
  dac4: [DAC4, ["ac-4", "enca"]],
  mkid: [MKID, ["marl"]],
};

/** The PIFF `uuid` boxes, by the name mp4dump gives their UUID. */
export const UUID_CODECS: ReadonlyMap<string, BoxCodec> = UUID_BOXES;

/** What the factory does with a type in a context. */
export interface Found {
  /** The codec; null: shown by its header alone. */
  codec: BoxCodec | null;
  /** A 64-bit size ends the enclosing list (Bento4 refuses it for this type). */
  refusesLarge: boolean;
  /** A `uuid` box: the walker reads its extended type and picks by it. */
  uuid?: boolean;
}

const NONE: Found = { codec: null, refusesLarge: false };

/** The answer for each regular codec, made once (a box is looked up for every header). */
const REGULAR_FOUND = new Map<BoxCodec, Found>();
/** The same answers by type (only types of the tables: a bounded set). */
const REGULAR_BY_KEY = new Map<string, Found>();

/**
 * The codec for a box of type `key` whose parent has type `context` ("" at the top level).
 *
 * @param key the type's four bytes as a byte string
 * @param context the parent's type
 * @param depth nesting depth (0 at the top level)
 */
export function codecFor(key: string, context: string, depth: number): Found {
  if (context === "stsd") {
    return { codec: SAMPLE_ENTRY_BOXES[key] ?? UNKNOWN_SAMPLE_ENTRY, refusesLarge: true };
  }
  if (key === "uuid") return { codec: null, refusesLarge: false, uuid: true };
  // payloads mp4dump never reads (no table has them): the most common boxes of all
  if (key === "mdat" || key === "free" || key === "wide") return NONE;
  let found = REGULAR_BY_KEY.get(key);
  if (found !== undefined) return found;
  const codec = REGULAR[key];
  if (codec) {
    found = REGULAR_FOUND.get(codec);
    if (found === undefined) {
      REGULAR_FOUND.set(codec, found = { codec, refusesLarge: !codec.large });
    }
    REGULAR_BY_KEY.set(key, found);
    return found;
  }
  const scoped = IN_CONTEXT[key];
  if (scoped) {
    return { codec: scoped[1].includes(context) ? scoped[0] : null, refusesLarge: true };
  }
  if (TREF_TYPES.includes(key)) {
    return context === "tref" ? { codec: TREF_TYPE, refusesLarge: true } : NONE;
  }
  if (key === "marl") return depth === 0 ? { codec: LARGE_CONTAINER, refusesLarge: false } : NONE;
  const meta = metadataCodec(key, context);
  return meta ? { codec: meta, refusesLarge: false } : NONE;
}
