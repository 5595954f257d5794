/**
 * What a box type is to the dumper: a {@linkcode BoxCodec} reads the box's payload and lists
 * its fields to an Inspector, asking the {@linkcode BoxContext} to dump its children.
 *
 * @module
 */
import type { ByteReader } from "../byte_reader.ts";
import type { Inspector } from "../inspect.ts";
import type { BoxHeader } from "../reader.ts";

/** Handed to a codec while it reads one box. */
export interface BoxContext {
  /** Where the fields go. */
  readonly ins: Inspector;
  /** The header of the box being read. */
  readonly header: BoxHeader;
  /** Full-box version (0 for plain boxes). */
  readonly version: number;
  /** Full-box flags (0 for plain boxes). */
  readonly flags: number;
  /**
   * Dumps every box in the reader's remaining bytes as children of this box; `fallback` is
   * the codec for child types that are not otherwise known.
   */
  children(r: ByteReader, fallback?: BoxCodec): void;
}

/** How one box type reads itself and lists its fields. */
export interface BoxCodec {
  /** The box starts with a version byte and 24 bits of flags (mp4dump shows a 12-byte header). */
  readonly full?: boolean;
  /**
   * Reads the payload (after the header, and after version/flags for a full box) and lists
   * the fields to `ctx.ins`. Absent: the box is shown by its header alone and its payload is
   * never loaded (e.g. `mdat`, `free`).
   */
  readonly inspect?: (r: ByteReader, ctx: BoxContext) => void;
  /**
   * The box holds only child boxes (after version and flags for a full box), so a very large
   * one can be walked from the file without loading it whole.
   */
  readonly container?: boolean;
}

/** A codec for a box that holds only child boxes. */
export const CONTAINER: BoxCodec = {
  container: true,
  inspect: (r, ctx) => ctx.children(r),
};

/** A codec for a full box (version + flags) that holds only child boxes. */
export const FULL_CONTAINER: BoxCodec = {
  full: true,
  container: true,
  inspect: (r, ctx) => ctx.children(r),
};

/** A box shown by its header alone. */
export const HEADER_ONLY: BoxCodec = {};

/** A map from four-character type to codec. */
export type CodecTable = Record<string, BoxCodec>;
