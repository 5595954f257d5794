/**
 * File-level boxes and odds and ends Bento4 reads: `ftyp`, `pdin`, `bloc`, `ainf`, RTP hint
 * information (`hnti`, `sdp `, `rtp `, `tims`), and the containers `wave` and `mdri`.
 *
 * @module
 */
import { cString, fourccRaw } from "../format.ts";
import { type CodecTable, CONTAINER, fullBox, plainBox } from "./codec.ts";

/** Codecs of the file-level boxes. */
export const FILE_BOXES: CodecTable = {
  ftyp: plainBox((c, box) => {
    let major = 0, minor = 0;
    const brands: number[] = [];
    if (box.size >= 16) {
      major = c.u32();
      minor = c.u32();
      for (let left = box.size - 16; left >= 4; left -= 4) {
        const b = c.u32();
        if (!c.ok) break;
        brands.push(b);
      }
    }
    return (ins) => {
      ins.addString("major_brand", fourccRaw(major));
      ins.addInt("minor_version", minor, { hint: "hex" });
      for (const b of brands) ins.addString("compatible_brand", fourccRaw(b));
    };
  }),
  pdin: fullBox(1, (c, box) => {
    const count = Math.floor(((box.size - 12) >>> 0) / 8);
    const entries: number[] = [];
    for (let i = 0; i < count; i++) entries.push(c.u32(), c.u32());
    return {
      fields(ins) {
        for (let i = 0; i < count; i++) {
          ins.addInt(`rate(${i})`, entries[2 * i]);
          ins.addInt(`initial_delay(${i})`, entries[2 * i + 1]);
        }
      },
    };
  }),
  bloc: fullBox(1, (c) => {
    const base = cString(c.bytes(256)), purchase = cString(c.bytes(256));
    c.bytes(512);
    return {
      fields(ins) {
        ins.addString("base_location", base);
        ins.addString("purchase_location", purchase);
      },
    };
  }),
  ainf: fullBox(1, (c, box) => {
    const profile = c.u32();
    let apid = "";
    if (box.size > 16 && box.size < 16 * 1024 * 1024) apid = cString(c.bytes(box.size - 16));
    return {
      fields(ins) {
        ins.addString("profile_version", fourccRaw(profile));
        ins.addString("APID", apid);
      },
    };
  }),
  wave: CONTAINER,
  mdri: CONTAINER,
  hnti: CONTAINER,
  tims: plainBox((c) => {
    const timescale = c.u32();
    return (ins) => ins.addInt("timescale", timescale);
  }),
  "sdp ": plainBox((c, box) => {
    const n = box.size - 8;
    const text = n > 0 ? cString(c.bytes(n)) : "";
    return (ins) => ins.addString("sdp_text", text);
  }),
  "rtp ": plainBox((c, box) => {
    const format = c.u32();
    const n = box.size - 12;
    const text = box.size >= 12 && n > 0 ? cString(c.bytes(n)) : "";
    return (ins) => {
      ins.addString("description_format", fourccRaw(format));
      ins.addString("sdp_text", text);
    };
  }),
  "8id ": {
    large: true,
    read(c, box) {
      const n = box.size - 8;
      let text = "";
      if (n > 0) {
        const raw = c.bytes(n);
        raw[n - 1] = 0;
        text = cString(raw);
      }
      return { fields: (ins) => ins.addString("string value", text) };
    },
  },
};
