/**
 * Walks boxes held in memory: parses each header, checks it against its parent, lets the
 * box's codec read its payload and list its fields, and recurses into children.
 *
 * @module
 */
import { type ByteReader, Mp4DataError } from "./byte_reader.ts";
import type { BoxCodec, BoxContext } from "./boxes/codec.ts";
import { BOX_CODECS } from "./boxes/index.ts";
import type { Inspector } from "./inspect.ts";
import { type BoxHeader, parseBoxHeader } from "./reader.ts";

/** Boxes nested deeper than this are taken as damage (no real file comes close). */
export const MAX_DEPTH = 64;

/** The codec for a header: by formatted UUID for `uuid` boxes, else by type. */
export function codecFor(h: BoxHeader, fallback?: BoxCodec): BoxCodec | undefined {
  if (h.uuid) return BOX_CODECS.get(h.name);
  return BOX_CODECS.get(h.type) ?? fallback;
}

/** Lists boxes in memory to an Inspector. */
export class BoxWalker {
  #ins: Inspector;

  /**
   * Creates a walker.
   *
   * @param ins where every box and field goes
   */
  constructor(ins: Inspector) {
    this.#ins = ins;
  }

  /**
   * Dumps every box in `r`'s remaining bytes.
   *
   * @param r the bytes of the boxes
   * @param where names the enclosing range in messages
   * @param depth nesting depth of these boxes
   * @param fallback codec for types not otherwise known
   */
  walk(r: ByteReader, where: string, depth: number, fallback?: BoxCodec): void {
    while (r.remaining > 0) {
      if (r.remaining < 8 && r.bytes.subarray(r.pos, r.end).every((b) => b === 0)) {
        r.skip(r.remaining); // zero padding at the end of a container
        break;
      }
      const h = parseBoxHeader(r.bytes, r.pos, r.offset, r.remaining, where);
      this.box(r.sub(h.size), h, depth, fallback);
    }
  }

  /**
   * Dumps one box whose bytes (header included) are `r`'s whole range.
   *
   * @param r the box's bytes
   * @param h its parsed header
   * @param depth its nesting depth (0 at the top level)
   * @param fallback codec to use when the type is not known
   */
  box(r: ByteReader, h: BoxHeader, depth: number, fallback?: BoxCodec): void {
    if (depth > MAX_DEPTH) {
      throw new Mp4DataError(h.offset, `boxes nested more than ${MAX_DEPTH} deep`);
    }
    const codec = codecFor(h, fallback);
    r.skip(h.headerSize);
    let version = 0, flags = 0, headerSize = h.headerSize;
    if (codec?.full) {
      if (r.remaining < 4) {
        throw new Mp4DataError(h.offset, `box '${h.type}' is too small for its version and flags`);
      }
      const v = r.u32();
      version = v >>> 24;
      flags = v & 0xffffff;
      headerSize += 4;
    }
    const ins = this.#ins;
    ins.startBox({ name: h.name, headerSize, size: h.size, version, flags, offset: h.offset });
    if (codec?.inspect) {
      const ctx: BoxContext = {
        ins,
        header: h,
        version,
        flags,
        children: (c, fb) => this.walk(c, `its parent '${h.type}'`, depth + 1, fb),
      };
      try {
        codec.inspect(r, ctx);
      } catch (err) {
        if (err instanceof Mp4DataError && !err.message.startsWith("box ")) {
          throw new Mp4DataError(
            err.offset,
            `box '${h.type}' at offset ${h.offset}: ${err.message}`,
          );
        }
        throw err;
      }
    }
    ins.endBox();
  }
}
