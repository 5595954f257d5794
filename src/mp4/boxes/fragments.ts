/**
 * Movie fragments: `mvex`, `mehd`, `trex`, `moof`, `mfhd`, `traf`, `tfhd`, `tfdt`, `trun`.
 *
 * @module
 */
import { Mp4DataError } from "../byte_reader.ts";
import { type CodecTable, CONTAINER } from "./codec.ts";

/** More sample records than this in a `trun` whose records hold no bytes is taken as damage. */
const MAX_EMPTY_RECORDS = 1 << 20;

/** Codecs of the movie fragment boxes. */
export const FRAGMENT_BOXES: CodecTable = {
  mvex: CONTAINER,
  moof: CONTAINER,
  traf: CONTAINER,
  mehd: {
    full: true,
    inspect(r, { ins, version }) {
      ins.addInt("duration", version === 1 ? r.u64() : r.u32());
    },
  },
  trex: {
    full: true,
    inspect(r, { ins }) {
      ins.addInt("track id", r.u32());
      ins.addInt("default sample description index", r.u32());
      ins.addInt("default sample duration", r.u32());
      ins.addInt("default sample size", r.u32());
      ins.addInt("default sample flags", r.u32(), true);
    },
  },
  mfhd: {
    full: true,
    inspect(r, { ins }) {
      ins.addInt("sequence number", r.u32());
    },
  },
  tfhd: {
    full: true,
    inspect(r, { ins, flags }) {
      ins.addInt("track ID", r.u32());
      if (flags & 0x01) ins.addInt("base data offset", r.u64());
      if (flags & 0x02) ins.addInt("sample description index", r.u32());
      if (flags & 0x08) ins.addInt("default sample duration", r.u32());
      if (flags & 0x10) ins.addInt("default sample size", r.u32());
      if (flags & 0x20) ins.addInt("default sample flags", r.u32(), true);
    },
  },
  tfdt: {
    full: true,
    inspect(r, { ins, version }) {
      ins.addInt("base media decode time", version === 1 ? r.u64() : r.u32());
    },
  },
  trun: {
    full: true,
    inspect(r, { ins, version, flags }) {
      const count = r.u32();
      ins.addInt("sample count", count);
      if (flags & 0x001) ins.addInt("data offset", r.i32());
      if (flags & 0x004) ins.addInt("first sample flags", r.u32(), true);
      const hasDuration = (flags & 0x100) !== 0, hasSize = (flags & 0x200) !== 0;
      const hasFlags = (flags & 0x400) !== 0, hasCto = (flags & 0x800) !== 0;
      const record = 4 * (+hasDuration + +hasSize + +hasFlags + +hasCto);
      if (record === 0 && count > MAX_EMPTY_RECORDS) {
        throw new Mp4DataError(r.offset, `implausible sample count ${count} in 'trun'`);
      }
      r.need(count * record);
      if (ins.verbosity < 1) return;
      const short = ins.verbosity === 1;
      const nd = short ? "d" : "sample_duration", ns = short ? "s" : "sample_size";
      const nf = short ? "f" : "sample_flags";
      const nc = short ? "c" : "sample_composition_time_offset";
      ins.startArray("entries");
      for (let i = 0; i < count; i++) {
        ins.startEntry();
        if (hasDuration) ins.addInt(nd, r.u32());
        if (hasSize) ins.addInt(ns, r.u32());
        if (hasFlags) ins.addInt(nf, r.u32());
        if (hasCto) ins.addInt(nc, version === 0 ? r.u32() : r.i32());
        ins.endEntry();
      }
      ins.endArray();
    },
  },
};
