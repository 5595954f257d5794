/**
 * What a box type is to the dumper — one {@linkcode BoxCodec} per entry of the box tables —
 * and the helpers most entries are made of. A codec reads the box's fields from a
 * {@linkcode Cursor} (the file's bytes, as Bento4 reads them) and says how to list them and
 * which children to walk; it returns `null` where Bento4 gives up on the box, which is then
 * shown by its header alone.
 *
 * @module
 */
import type { Cursor } from "../cursor.ts";
import type { Inspector } from "../inspect.ts";

/** The header of a box, as the walker read it. */
export interface BoxInfo {
  /** The 32-bit type. */
  type: number;
  /** The type's four bytes as a byte string (the key of the tables). */
  key: string;
  /** File offset of the box. */
  offset: number;
  /** Total size in bytes. */
  size: number;
  /** Header bytes before the payload: 8, or 16 with a 64-bit size. */
  headerSize: number;
  /** The header had a 64-bit size (mp4dump then shows a 16-byte header). */
  large: boolean;
}

/** Children to walk after a box's fields. */
export interface Children {
  /** File offset of the first child. */
  start: number;
  /** Bytes the children may take. */
  available: number;
  /** The parent type the children are read in (Bento4's factory context); null: unchanged. */
  context: string | null;
  /** At most this many children (`stsd`'s entry_count). */
  max?: number;
  /**
   * The children are read as a file of their own (a fresh context; a `size = 0` box ends with
   * the list), as Bento4 reads the boxes inside a Marlin `pssh`.
   */
  reset?: boolean;
}

/** What reading a box gave: how to show it. */
export interface BoxView {
  /** The name between brackets, when not the type (uuid boxes, computed types). */
  name?: string;
  /** Header size shown, when not the walker's (full boxes add 4, uuid boxes 16). */
  headerSize?: number;
  /** Size shown, when the box reports a computed size rather than the file's. */
  size?: number;
  /** Version shown (full boxes). */
  version?: number;
  /** Flags shown (full boxes). */
  flags?: number;
  /**
   * Lists the fields. A long list may be a generator that yields now and then, so the
   * output can be handed on before the list ends.
   */
  fields?: (ins: Inspector) => void | Iterable<unknown>;
  /** Children to walk after the fields. */
  children?: Children;
}

/** What a codec may ask while it reads. */
export interface ReadContext {
  /** The types of the enclosing boxes, innermost last (Bento4's factory context stack). */
  readonly contexts: readonly string[];
  /** The verbosity of the dump (a few boxes read children only from some verbosity). */
  readonly verbosity: number;
  /** How many children would be read from `children` (for a count printed before them). */
  countChildren(children: Children): number;
}

/** How one box type reads itself and lists its fields. */
export interface BoxCodec {
  /** The box may have a 64-bit size; otherwise such a header ends the enclosing list. */
  readonly large?: boolean;
  /**
   * The box holds only a few bytes of fields before its children, so a very large one is
   * walked from the source instead of being loaded whole.
   */
  readonly container?: boolean;
  /**
   * Reads the box; the cursor stands after the header. Returns how to show it, or null when
   * Bento4 would not make this box (shown by its header alone).
   */
  read(c: Cursor, box: BoxInfo, ctx: ReadContext): BoxView | null;
}

/** A map from four-character type (a byte string) to codec. */
export type CodecTable = Record<string, BoxCodec>;

/**
 * Version and flags of a full box, with what the codec reads after them: valid only while the
 * codec's reader runs (one object serves every box), so a reader takes the values it needs.
 */
export interface FullInfo {
  /** The version byte. */
  version: number;
  /** The 24 flag bits. */
  flags: number;
}

/** The version and flags handed to a full box's reader (read at once, never kept). */
const FULL: FullInfo = { version: 0, flags: 0 };

/**
 * A full box (version + flags) as Bento4 makes one: none when the box is smaller than 12 bytes
 * or its version is above `maxVersion`.
 *
 * @param maxVersion the highest version Bento4 reads
 * @param read reads the fields after version and flags
 */
export function fullBox(
  maxVersion: number,
  read: (c: Cursor, box: BoxInfo, full: FullInfo, ctx: ReadContext) => BoxView | null,
  options: { container?: boolean } = {},
): BoxCodec {
  return {
    container: options.container,
    read(c, box, ctx) {
      if (box.size < 12) return null;
      const v = c.u32();
      if (!c.ok) return null;
      const version = v >>> 24;
      if (version > maxVersion) return null;
      // one object for every full box: codecs take version and flags from it as they start
      const full = FULL;
      full.version = version;
      full.flags = v & 0xffffff;
      const view = read(c, box, full, ctx);
      if (view === null) return null;
      // what the codec says wins (one object of one shape, no spread: a box is read per box)
      return {
        name: view.name,
        headerSize: view.headerSize ?? box.headerSize + 4,
        size: view.size,
        version: view.version ?? version,
        flags: view.flags ?? (v & 0xffffff),
        fields: view.fields,
        children: view.children,
      };
    },
  };
}

/** A box of fields only: `fields` reads them and returns the lister. */
export function plainBox(
  read: (
    c: Cursor,
    box: BoxInfo,
    ctx: ReadContext,
  ) => ((ins: Inspector) => void | Iterable<unknown>) | null,
): BoxCodec {
  return {
    read(c, box, ctx) {
      const fields = read(c, box, ctx);
      return fields === null ? null : { fields };
    },
  };
}

/** A box that holds only child boxes (a 64-bit size is refused, as for most of Bento4's). */
export const CONTAINER: BoxCodec = containerOf(false);

/** A container that may have a 64-bit size. */
export const LARGE_CONTAINER: BoxCodec = containerOf(true);

function containerOf(large: boolean): BoxCodec {
  return {
    large,
    container: true,
    read(c, box) {
      return {
        children: { start: c.pos, available: box.size - box.headerSize, context: box.key },
      };
    },
  };
}

/** A full box that holds only child boxes. */
export const FULL_CONTAINER: BoxCodec = {
  large: true,
  container: true,
  read(c, box) {
    if (box.size < 12) return null;
    const v = c.u32();
    if (!c.ok) return null;
    const headerSize = box.headerSize + 4;
    return {
      headerSize,
      version: v >>> 24,
      flags: v & 0xffffff,
      children: { start: c.pos, available: box.size - headerSize, context: box.key },
    };
  },
};

/** A box shown by its header alone (its payload is never read). */
export const HEADER_ONLY: BoxCodec = { read: () => null };

/** Entries listed between two yields of a long list. */
export const YIELD_EVERY = 4096;
