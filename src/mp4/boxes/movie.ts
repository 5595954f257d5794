/**
 * Movie and track structure: `moov`, `mvhd`, `trak`, `tkhd`, `tref` and its kinds,
 * `edts`/`elst`, `mdia`, `mdhd`, `hdlr`, `minf`, the media headers (`vmhd`, `smhd`, `hmhd`,
 * `nmhd`, `sthd`) and data references (`dinf`, `dref`, `url `).
 *
 * @module
 */
import { cString, doubleToUint32, doubleToUint64, fourccRaw, hex2, toFloat32 } from "../format.ts";
import type { Cursor } from "../cursor.ts";
import { type CodecTable, CONTAINER, fullBox } from "./codec.ts";

/** `duration` in milliseconds as mvhd shows it: rounded to nearest, kept to 32 bits. */
export function roundedMs(duration: bigint, timescale: number): bigint {
  if (timescale === 0) return 0n;
  return BigInt.asUintN(32, doubleToUint64(0.5 + Number(duration) * (1000 / timescale)));
}

/** `duration` in milliseconds as mdhd shows it: truncated, kept to 32 bits. */
export function truncatedMs(duration: bigint, timescale: number): bigint {
  if (timescale === 0) return 0n;
  return BigInt(doubleToUint32((Number(duration) * 1000) / timescale));
}

/** Reads the times that open mvhd and mdhd: 32-bit fields in version 0, 64-bit in version 1. */
function readTimes(c: Cursor, version: number): { timescale: number; duration: bigint } {
  c.skip(version === 1 ? 16 : 8);
  const timescale = c.u32();
  const duration = version === 1 ? c.u64() : BigInt(c.u32());
  return { timescale, duration };
}

/** The track reference kinds Bento4 reads inside `tref`. */
const TREF_KINDS = ["hint", "cdsc", "sync", "mpod", "dpnd", "ipir", "alis", "chap"];

/** Codecs of the movie, track and media structure boxes. */
export const MOVIE_BOXES: CodecTable = {
  moov: CONTAINER,
  trak: CONTAINER,
  edts: CONTAINER,
  mdia: CONTAINER,
  minf: CONTAINER,
  dinf: CONTAINER,
  tref: CONTAINER,
  mvhd: fullBox(1, (c, _box, { version }) => {
    const { timescale, duration } = readTimes(c, version);
    return {
      fields(ins) {
        ins.addInt("timescale", timescale);
        ins.addInt("duration", duration);
        ins.addInt("duration(ms)", roundedMs(duration, timescale));
      },
    };
  }),
  tkhd: fullBox(1, (c, _box, { version, flags }) => {
    let id: number, duration: bigint;
    if (version === 0) {
      c.skip(8);
      id = c.u32();
      c.skip(4);
      duration = BigInt(c.u32());
    } else {
      c.skip(16);
      id = c.u32();
      c.skip(4);
      duration = c.u64();
    }
    c.skip(8);
    const layer = c.u16(), alternateGroup = c.u16(), volume = c.u16();
    c.skip(2);
    const matrix: number[] = [];
    for (let i = 0; i < 9; i++) matrix.push(c.u32() | 0);
    const width = c.u32(), height = c.u32();
    return {
      fields(ins) {
        ins.addInt("enabled", flags & 1 ? 1 : 0, { hint: "boolean" });
        ins.addInt("id", id);
        ins.addInt("duration", duration);
        if (ins.verbosity > 0) {
          ins.addInt("volume", volume);
          ins.addInt("layer", layer);
          ins.addInt("alternate_group", alternateGroup);
          for (let i = 0; i < 9; i++) ins.addFloat(`matrix_${i}`, toFloat32(matrix[i]) / 65536);
        }
        ins.addFloat("width", toFloat32(width) / 65536);
        ins.addFloat("height", toFloat32(height) / 65536);
      },
    };
  }),
  elst: fullBox(1, (c, box, { version }) => {
    let count = c.u32();
    const max = Math.floor(((box.size - 16) >>> 0) / (version === 0 ? 12 : 20));
    if (count > max) count = max;
    const entries: { duration: bigint; time: bigint; rate: number }[] = [];
    for (let i = 0; i < count; i++) {
      if (version === 0) {
        const duration = BigInt(c.u32()), time = BigInt(c.u32() | 0);
        entries.push({ duration, time, rate: c.u16() });
      } else {
        const duration = c.u64(), time = c.u64();
        entries.push({ duration, time, rate: c.u16() });
      }
      c.skip(2);
    }
    return {
      fields(ins) {
        ins.addInt("entry_count", entries.length);
        for (const e of entries) {
          ins.addInt("entry/segment duration", e.duration);
          ins.addInt("entry/media time", e.time);
          ins.addInt("entry/media rate", e.rate);
        }
      },
    };
  }),
  mdhd: fullBox(1, (c, _box, { version }) => {
    const { timescale, duration } = readTimes(c, version);
    const b0 = c.u8(), b1 = c.u8();
    const l0 = (b0 >> 2) & 0x1f, l1 = ((b0 & 3) << 3) | (b1 >> 5), l2 = b1 & 0x1f;
    let language: string;
    if (b0 === 0x7f && b1 === 0xff) language = "und";
    else if (l0 && l1 && l2) language = String.fromCharCode(l0 + 0x60, l1 + 0x60, l2 + 0x60);
    else language = "```";
    return {
      fields(ins) {
        ins.addInt("timescale", timescale);
        ins.addInt("duration", duration);
        ins.addInt("duration(ms)", truncatedMs(duration, timescale));
        ins.addString("language", language);
      },
    };
  }),
  hdlr: fullBox(0, (c, box) => {
    c.skip(4);
    const type = c.u32();
    c.skip(12);
    let name = "";
    if (box.size >= 32) {
      const raw = c.bytes(box.size - 32);
      name = raw.length > 0 && raw[0] === ((raw.length - 1) & 255)
        ? cString(raw.subarray(1))
        : cString(raw);
    }
    return {
      fields(ins) {
        ins.addString("handler_type", fourccRaw(type));
        ins.addString("handler_name", name);
      },
    };
  }),
  vmhd: fullBox(0, (c) => {
    const mode = c.u16();
    const raw = c.bytes(6);
    // Bento4 reads op_color as three host-order (little-endian) 16-bit words
    const color = [0, 2, 4].map((i) => hex2(raw[i + 1]) + hex2(raw[i])).join(",");
    return {
      fields(ins) {
        ins.addInt("graphics_mode", mode);
        ins.addString("op_color", color);
      },
    };
  }),
  smhd: fullBox(0, (c) => {
    const balance = c.u16();
    return { fields: (ins) => ins.addInt("balance", balance) };
  }),
  hmhd: fullBox(0, (c) => {
    const maxPdu = c.u16(), avgPdu = c.u16(), maxBitrate = c.u32(), avgBitrate = c.u32();
    return {
      fields(ins) {
        ins.addInt("max_pdu_size", maxPdu);
        ins.addInt("avg_pdu_size", avgPdu);
        ins.addInt("max_bitrate", maxBitrate);
        ins.addInt("avg_bitrate", avgBitrate);
      },
    };
  }),
  nmhd: fullBox(0, () => ({})),
  sthd: fullBox(0, () => ({})),
  dref: fullBox(0, (c, box) => {
    if (box.size <= 16) return {};
    const count = c.u32();
    if (!c.ok || count === 0) return {};
    // the entries are read as a plain list of boxes, in the context of dref's parent
    return { children: { start: c.pos, available: box.size - 16, context: null } };
  }, { container: true }),
  "url ": fullBox(0, (c, box, { flags }) => {
    let location = "[local to file]";
    if ((flags & 1) === 0) {
      const n = box.size - 12;
      location = n > 0 ? cString(c.bytes(n).subarray(0, n - 1)) : "";
    }
    return { fields: (ins) => ins.addString("location", location) };
  }),
};

/** A track reference of one of Bento4's kinds: the track IDs it lists. */
export const TREF_TYPE = {
  read(c: Cursor, box: { size: number }) {
    const ids: number[] = [];
    for (let left = box.size - 8; left >= 4; left -= 4) ids.push(c.u32());
    return {
      fields(ins: import("../inspect.ts").Inspector) {
        ins.addInt("track_id_count", ids.length);
        for (const id of ids) ins.addInt("track id ", id);
      },
    };
  },
};

/** The four-character types read as track references inside `tref`. */
export const TREF_TYPES: readonly string[] = TREF_KINDS;
