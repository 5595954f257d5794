/**
 * File-level and index boxes: `ftyp`, `styp`, `mdat`, `free`/`skip`, `sidx`, the movie
 * fragment random access boxes (`mfra`, `tfra`, `mfro`) and metadata (`udta`, `meta`, `ilst`,
 * its items and `data`).
 *
 * @module
 */
import { textOf } from "../byte_reader.ts";
import { type CodecTable, CONTAINER, FULL_CONTAINER, HEADER_ONLY } from "./codec.ts";

/** Codecs of the file-level, index and metadata boxes. */
export const FILE_BOXES: CodecTable = {
  ftyp: {
    inspect(r, { ins }) {
      ins.addString("major_brand", r.fourcc());
      ins.addInt("minor_version", r.u32(), true);
      while (r.remaining >= 4) ins.addString("compatible_brand", r.fourcc());
    },
  },
  styp: HEADER_ONLY,
  mdat: HEADER_ONLY,
  free: HEADER_ONLY,
  skip: HEADER_ONLY,
  sidx: {
    full: true,
    inspect(r, { ins, version }) {
      ins.addInt("reference_ID", r.u32());
      ins.addInt("timescale", r.u32());
      if (version === 0) {
        ins.addInt("earliest_presentation_time", r.u32());
        ins.addInt("first_offset", r.u32());
      } else {
        ins.addInt("earliest_presentation_time", r.u64());
        ins.addInt("first_offset", r.u64());
      }
      r.skip(2);
      const count = r.u16();
      r.need(count * 12);
      if (ins.verbosity < 1) {
        r.skip(count * 12);
        return;
      }
      ins.startArray("entries");
      for (let i = 0; i < count; i++) {
        const a = r.u32(), duration = r.u32(), c = r.u32();
        ins.startEntry();
        ins.addInt("reference_type", a >>> 31);
        ins.addInt("referenced_size", a & 0x7fffffff);
        ins.addInt("subsegment_duration", duration);
        ins.addInt("starts_with_SAP", c >>> 31);
        ins.addInt("SAP_type", (c >>> 28) & 7);
        ins.addInt("SAP_delta_time", c & 0x0fffffff);
        ins.endEntry();
      }
      ins.endArray();
    },
  },
  mfra: CONTAINER,
  tfra: {
    full: true,
    inspect(r, { ins, version }) {
      ins.addInt("track_ID", r.u32());
      const sizes = r.u32();
      const trafSize = ((sizes >> 4) & 3) + 1;
      const trunSize = ((sizes >> 2) & 3) + 1;
      const sampleSize = (sizes & 3) + 1;
      ins.addInt("length_size_of_traf_num", trafSize - 1);
      ins.addInt("length_size_of_trun_num", trunSize - 1);
      ins.addInt("length_size_of_sample_num", sampleSize - 1);
      const count = r.u32();
      const timeSize = version === 1 ? 8 : 4;
      r.need(count * (2 * timeSize + trafSize + trunSize + sampleSize));
      if (ins.verbosity < 1) return;
      ins.startArray("entries");
      for (let i = 0; i < count; i++) {
        ins.startEntry();
        ins.addInt("time", r.uint(timeSize));
        ins.addInt("moof_offset", r.uint(timeSize));
        ins.addInt("traf_number", r.uint(trafSize));
        ins.addInt("trun_number", r.uint(trunSize));
        ins.addInt("sample_number", r.uint(sampleSize));
        ins.endEntry();
      }
      ins.endArray();
    },
  },
  mfro: {
    full: true,
    inspect(r, { ins }) {
      ins.addInt("mfra_size", r.u32());
    },
  },
  udta: CONTAINER,
  meta: FULL_CONTAINER,
  ilst: {
    // every child of ilst is a metadata item holding `data` boxes, whatever its type
    inspect: (r, ctx) => ctx.children(r, CONTAINER),
  },
  data: {
    inspect(r, { ins }) {
      const type = r.u32();
      ins.addInt("type", type);
      ins.addInt("lang", r.u32());
      const value = r.rest();
      if (type === 1) ins.addString("value", textOf(value));
      else ins.addBytes("value", value);
    },
  },
};
