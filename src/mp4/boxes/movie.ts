/**
 * Movie and track structure: `moov`, `mvhd`, `trak`, `tkhd`, `edts`/`elst`, `mdia`, `mdhd`,
 * `hdlr`, `minf`, the media headers (`vmhd`, `smhd`, `hmhd`, `nmhd`, `sthd`) and data
 * references (`dinf`, `dref`, `url `, `urn `).
 *
 * @module
 */
import { type ByteReader, textOf } from "../byte_reader.ts";
import type { Inspector } from "../inspect.ts";
import { type CodecTable, CONTAINER } from "./codec.ts";

/** `duration` in milliseconds, truncated to 32 bits as mp4dump prints it. */
export function durationMs(duration: bigint, timescale: number): bigint {
  if (timescale === 0) return 0n;
  return BigInt.asUintN(32, (duration * 1000n) / BigInt(timescale));
}

/**
 * Reads the creation and modification times (skipped), timescale and duration that open
 * `mvhd` and `mdhd`: 32-bit fields in version 0, 64-bit in version 1.
 */
function readTimes(r: ByteReader, version: number): { timescale: number; duration: bigint } {
  r.skip(version === 1 ? 16 : 8);
  const timescale = r.u32();
  const duration = version === 1 ? r.u64() : BigInt(r.u32());
  return { timescale, duration };
}

function addDurations(ins: Inspector, timescale: number, duration: bigint): void {
  ins.addInt("timescale", timescale);
  ins.addInt("duration", duration);
  ins.addInt("duration(ms)", durationMs(duration, timescale));
}

/** Codecs of the movie, track and media structure boxes. */
export const MOVIE_BOXES: CodecTable = {
  moov: CONTAINER,
  trak: CONTAINER,
  edts: CONTAINER,
  mdia: CONTAINER,
  minf: CONTAINER,
  dinf: CONTAINER,
  stbl: CONTAINER,
  mvhd: {
    full: true,
    inspect(r, { ins, version }) {
      const { timescale, duration } = readTimes(r, version);
      r.skip(80); // rate, volume, reserved, matrix, pre_defined, next_track_ID
      addDurations(ins, timescale, duration);
    },
  },
  tkhd: {
    full: true,
    inspect(r, { ins, version, flags }) {
      let id: number, duration: bigint;
      if (version === 1) {
        r.skip(16);
        id = r.u32();
        r.skip(4);
        duration = r.u64();
      } else {
        r.skip(8);
        id = r.u32();
        r.skip(4);
        duration = BigInt(r.u32());
      }
      r.skip(8);
      const layer = r.i16(), alternateGroup = r.i16(), volume = r.i16();
      r.skip(2);
      const matrix: number[] = [];
      for (let i = 0; i < 9; i++) matrix.push(r.i32());
      const width = r.u32(), height = r.u32();
      ins.addInt("enabled", flags & 1);
      ins.addInt("id", id);
      ins.addInt("duration", duration);
      if (ins.verbosity >= 1) {
        ins.addInt("volume", volume);
        ins.addInt("layer", layer);
        ins.addInt("alternate_group", alternateGroup);
        for (let i = 0; i < 9; i++) ins.addFloat(`matrix_${i}`, matrix[i] / 65536);
      }
      ins.addFloat("width", width / 65536);
      ins.addFloat("height", height / 65536);
    },
  },
  elst: {
    full: true,
    inspect(r, { ins, version }) {
      const count = r.u32();
      r.need(count * (version === 1 ? 20 : 12));
      ins.addInt("entry_count", count);
      for (let i = 0; i < count; i++) {
        if (version === 1) {
          ins.addInt("entry/segment duration", r.u64());
          ins.addInt("entry/media time", BigInt.asIntN(64, r.u64()));
        } else {
          ins.addInt("entry/segment duration", r.u32());
          ins.addInt("entry/media time", r.i32());
        }
        ins.addInt("entry/media rate", r.i16());
        r.skip(2);
      }
    },
  },
  mdhd: {
    full: true,
    inspect(r, { ins, version }) {
      const { timescale, duration } = readTimes(r, version);
      const lang = r.u16();
      r.skip(2);
      addDurations(ins, timescale, duration);
      ins.addString(
        "language",
        String.fromCharCode(
          ((lang >> 10) & 0x1f) + 0x60,
          ((lang >> 5) & 0x1f) + 0x60,
          (lang & 0x1f) + 0x60,
        ),
      );
    },
  },
  hdlr: {
    full: true,
    inspect(r, { ins }) {
      r.skip(4);
      const type = r.fourcc();
      r.skip(12);
      let name = r.rest();
      // a QuickTime handler name is a counted string
      if (name.length > 0 && name[0] === name.length - 1) name = name.subarray(1);
      ins.addString("handler_type", type);
      ins.addString("handler_name", textOf(name));
    },
  },
  vmhd: {
    full: true,
    inspect(r, { ins }) {
      const mode = r.u16();
      const c = [r.u16(), r.u16(), r.u16()].map((v) => v.toString(16).padStart(4, "0"));
      ins.addInt("graphics_mode", mode);
      ins.addString("op_color", c.join(","));
    },
  },
  smhd: {
    full: true,
    inspect(r, { ins }) {
      ins.addInt("balance", r.i16());
      r.skip(2);
    },
  },
  hmhd: {
    full: true,
    inspect(r, { ins }) {
      ins.addInt("max_pdu_size", r.u16());
      ins.addInt("avg_pdu_size", r.u16());
      ins.addInt("max_bitrate", r.u32());
      ins.addInt("avg_bitrate", r.u32());
    },
  },
  nmhd: { full: true, inspect() {} },
  sthd: { full: true, inspect() {} },
  dref: {
    full: true,
    inspect(r, ctx) {
      r.skip(4); // entry_count: the children speak for themselves
      ctx.children(r);
    },
  },
  "url ": {
    full: true,
    inspect(r, { ins, flags }) {
      if (flags & 1) ins.addString("location", "[local to file]");
      else ins.addString("location", textOf(r.rest()));
    },
  },
  "urn ": {
    full: true,
    inspect(r, { ins }) {
      ins.addString("name", r.cstring());
      ins.addString("location", r.cstring());
    },
  },
};
