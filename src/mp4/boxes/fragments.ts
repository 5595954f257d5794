/**
 * Movie fragments and their index: `mvex`, `mehd`, `trex`, `moof`, `mfhd`, `traf`, `tfhd`,
 * `tfdt`, `trun`, `sidx`, and the random access boxes `mfra`, `tfra`, `mfro`.
 *
 * @module
 */
import type { Cursor } from "../cursor.ts";
import type { FieldOptions, Inspector } from "../inspect.ts";
import { type BoxView, type CodecTable, CONTAINER, fullBox, YIELD_EVERY } from "./codec.ts";

/** An empty table of records. */
const NO_RECORDS = new Uint32Array(0);
/** The hint of fields shown in hexadecimal. */
const HEX: FieldOptions = { hint: "hex" };

/** Bento4 refuses a `trun` of empty records with more samples than this. */
const TRUN_MAX_EMPTY = 0xffffff;

/** Reads an unsigned integer of 1..4 bytes. */
function uintOf(c: Cursor, bytes: number): number {
  if (bytes === 1) return c.u8();
  if (bytes === 2) return c.u16();
  if (bytes === 3) return c.u24();
  return c.u32();
}

/** Codecs of the fragment and index boxes. */
export const FRAGMENT_BOXES: CodecTable = {
  mvex: CONTAINER,
  moof: CONTAINER,
  traf: CONTAINER,
  mfra: CONTAINER,
  mehd: fullBox(1, (c, _box, { version }) => {
    const duration = version === 0 ? c.u32() : c.u64Value();
    return { fields: (ins) => ins.addInt("duration", duration) };
  }),
  trex: fullBox(0, (c) => {
    const v = [c.u32(), c.u32(), c.u32(), c.u32(), c.u32()];
    return {
      fields(ins) {
        ins.addInt("track id", v[0]);
        ins.addInt("default sample description index", v[1]);
        ins.addInt("default sample duration", v[2]);
        ins.addInt("default sample size", v[3]);
        ins.addInt("default sample flags", v[4], HEX);
      },
    };
  }),
  mfhd: fullBox(0, (c) => {
    const n = c.u32();
    return { fields: (ins) => ins.addInt("sequence number", n) };
  }),
  tfhd: fullBox(0, (c, box, { flags }) => {
    let need = 16;
    if (flags & 0x01) need += 8;
    if (flags & 0x02) need += 4;
    if (flags & 0x08) need += 4;
    if (flags & 0x10) need += 4;
    if (flags & 0x20) need += 4;
    if (box.size < need) return null;
    const trackId = c.u32();
    const base = flags & 0x01 ? c.u64Value() : 0;
    const sdi = flags & 0x02 ? c.u32() : 1;
    const duration = flags & 0x08 ? c.u32() : 0;
    const size = flags & 0x10 ? c.u32() : 0;
    const sampleFlags = flags & 0x20 ? c.u32() : 0;
    return {
      fields(ins) {
        ins.addInt("track ID", trackId);
        if (flags & 0x01) ins.addInt("base data offset", base);
        if (flags & 0x02) ins.addInt("sample description index", sdi);
        if (flags & 0x08) ins.addInt("default sample duration", duration);
        if (flags & 0x10) ins.addInt("default sample size", size);
        if (flags & 0x20) ins.addInt("default sample flags", sampleFlags, HEX);
      },
    };
  }),
  tfdt: fullBox(1, (c, _box, { version }) => {
    const t = version === 0 ? c.u32() : c.u64Value();
    return { fields: (ins) => ins.addInt("base media decode time", t) };
  }),
  trun: fullBox(1, (c, box, { version, flags }) => readTrun(c, box.size, version, flags)),
  sidx: fullBox(1, (c, box, { version }) => {
    const referenceId = c.u32(), timescale = c.u32();
    const earliest = version === 0 ? c.u32() : c.u64Value();
    const first = version === 0 ? c.u32() : c.u64Value();
    c.skip(2);
    const count = c.u16();
    let refs = new Uint32Array(0);
    if (box.size >= 12 + 8 + (version === 0 ? 8 : 16) + 4 + count * 12) {
      refs = new Uint32Array(count * 3);
      for (let i = 0; i < refs.length; i++) refs[i] = c.u32();
    }
    return {
      *fields(ins) {
        ins.addInt("reference_ID", referenceId);
        ins.addInt("timescale", timescale);
        ins.addInt("earliest_presentation_time", earliest);
        ins.addInt("first_offset", first);
        if (ins.verbosity < 1) return;
        ins.startArray("entries");
        for (let i = 0; i < refs.length; i += 3) {
          const a = refs[i], sap = refs[i + 2];
          ins.startObject(null, true);
          ins.addInt("reference_type", a >>> 31);
          ins.addInt("referenced_size", a & 0x7fffffff);
          ins.addInt("subsegment_duration", refs[i + 1]);
          ins.addInt("starts_with_SAP", sap >>> 31);
          ins.addInt("SAP_type", (sap >>> 28) & 7);
          ins.addInt("SAP_delta_time", sap & 0x0fffffff);
          ins.endObject();
          if (i % 12288 === 12285) yield;
        }
        ins.endArray();
      },
    };
  }),
  tfra: fullBox(1, (c, box, { version }) => {
    const trackId = c.u32();
    const sizes = c.u32();
    const traf = (sizes >> 4) & 3, trun = (sizes >> 2) & 3, sample = sizes & 3;
    const count = c.u32();
    const entrySize = (version === 1 ? 16 : 8) + traf + trun + sample + 3;
    const entries: [number | bigint, number | bigint, number, number, number][] = [];
    if (count > 0 && Math.floor(((box.size - 24) >>> 0) / count) >= entrySize) {
      for (let i = 0; i < count; i++) {
        const time = version === 1 ? c.u64Value() : c.u32();
        const moof = version === 1 ? c.u64Value() : c.u32();
        entries.push([time, moof, uintOf(c, traf + 1), uintOf(c, trun + 1), uintOf(c, sample + 1)]);
      }
    }
    return {
      *fields(ins) {
        ins.addInt("track_ID", trackId);
        ins.addInt("length_size_of_traf_num", traf);
        ins.addInt("length_size_of_trun_num", trun);
        ins.addInt("length_size_of_sample_num", sample);
        if (ins.verbosity < 1) return;
        ins.startArray("entries");
        for (const e of entries) {
          ins.startObject(null, true);
          ins.addInt("time", e[0]);
          ins.addInt("moof_offset", e[1]);
          ins.addInt("traf_number", e[2]);
          ins.addInt("trun_number", e[3]);
          ins.addInt("sample_number", e[4]);
          ins.endObject();
          if (entries.length > 4096) yield;
        }
        ins.endArray();
      },
    };
  }),
  mfro: fullBox(0, (c) => {
    const n = c.u32();
    return { fields: (ins) => ins.addInt("mfra_size", n) };
  }),
};

/** Reads a `trun` with Bento4's limits: records that do not fit leave the table empty. */
function readTrun(c: Cursor, size: number, version: number, flags: number): BoxView {
  let dataOffset = 0, firstFlags = 0, count = 0;
  let records = NO_RECORDS;
  // the per-sample fields present (duration, size, flags, composition offset): bits 8..11
  const present = (flags >>> 8) & 15;
  const perSample = (present & 1) + ((present >>> 1) & 1) + ((present >>> 2) & 1) +
    (present >>> 3);
  read: if (size >= 16) {
    const n = c.u32();
    let left = size - 16;
    if (flags & 1) {
      if (left < 4) break read;
      dataOffset = c.u32() | 0;
      if (!c.ok) break read;
      left -= 4;
    }
    if (flags & 4) {
      if (left < 4) break read;
      firstFlags = c.u32();
      if (!c.ok) break read;
      left -= 4;
    }
    if (perSample ? Math.floor(left / (perSample * 4)) < n : n > TRUN_MAX_EMPTY) break read;
    count = n;
    if (n * perSample > 0) records = new Uint32Array(n * perSample);
    for (let i = 0; i < records.length && left >= 4; i++, left -= 4) records[i] = c.u32();
  }
  /** Lists entries `from` to `to` (the record of `from` at `k`); returns the next record. */
  const list = (ins: Inspector, from: number, to: number, k: number): number => {
    const names = ins.verbosity >= 2 ? LONG_NAMES : SHORT_NAMES;
    for (let i = from; i < to; i++) {
      ins.startObject(null, true);
      for (let f = 0; f < 4; f++) {
        if (!(present & (1 << f))) continue;
        const v = records[k++];
        ins.addInt(names[f], f === 3 && version !== 0 ? v | 0 : v);
      }
      ins.endObject();
    }
    return k;
  };
  const head = (ins: Inspector): boolean => {
    ins.addInt("sample count", count);
    if (flags & 1) ins.addInt("data offset", dataOffset);
    if (flags & 4) ins.addInt("first sample flags", firstFlags, HEX);
    if (ins.verbosity < 1) return false;
    ins.startArray("entries");
    return true;
  };
  if (count <= YIELD_EVERY) {
    // a fragment's few samples: listed at once
    return {
      fields(ins: Inspector) {
        if (!head(ins)) return;
        list(ins, 0, count, 0);
        ins.endArray();
      },
    };
  }
  return {
    *fields(ins: Inspector) {
      if (!head(ins)) return;
      let k = 0;
      for (let i = 0; i < count; i += YIELD_EVERY) {
        k = list(ins, i, Math.min(count, i + YIELD_EVERY), k);
        yield;
      }
      ins.endArray();
    },
  };
}

const LONG_NAMES = [
  "sample_duration",
  "sample_size",
  "sample_flags",
  "sample_composition_time_offset",
];
const SHORT_NAMES = ["d", "s", "f", "c"];
