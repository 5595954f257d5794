/**
 * Codec configuration boxes found inside sample entries: `avcC`, `hvcC` (and `avcE`, `hvcE`),
 * `vpcC`, `av1C`, `dvcC`/`dvvC`, `colr`, `esds` and `iods` (with their MPEG-4 descriptors),
 * `dac3`, `dec3` and `dmlp`. Where Bento4 rebuilds a box from the values it read (`vpcC`,
 * `av1C`, `dvcC`, `dmlp`), the size and name it shows are the rebuilt box's.
 *
 * @module
 */
import type { Cursor } from "../cursor.ts";
import { type BoxCodec, type CodecTable, fullBox, plainBox } from "./codec.ts";
import { readDescriptor } from "./descriptors.ts";

const AVC_PROFILES: Record<number, string> = {
  66: "Baseline",
  77: "Main",
  88: "Extended",
  100: "High",
  110: "High 10",
  122: "High 4:2:2",
  144: "High 4:4:4",
};

const HEVC_PROFILES: Record<number, string> = {
  1: "Main",
  2: "Main 10",
  3: "Main Still Picture",
  4: "Rext",
};

const DV_PROFILES = [
  "dvav.per",
  "dvav.pen",
  "dvhe.der",
  "dvhe.den",
  "dvhe.dtr",
  "dvhe.stn",
  "dvhe.dth",
  "dvhr.dtb",
  "dvhe.st",
  "dvav.se",
];

const AC3_BITRATES = [32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384, 448];
AC3_BITRATES.push(512, 576, 640);

/** The payload of a box read whole; null when the file ends first. */
function payloadOf(c: Cursor, size: number): Uint8Array | null {
  const p = c.bytes(Math.max(0, size - 8));
  return c.ok ? p : null;
}

const be16 = (p: Uint8Array, i: number) => (p[i] << 8) | p[i + 1];
const be32 = (p: Uint8Array, i: number) =>
  ((p[i] << 24) | (p[i + 1] << 16) | (p[i + 2] << 8) | p[i + 3]) >>> 0;

/** avcC: Bento4 refuses a record whose version is not 1 or whose parameter sets overrun. */
const AVCC: BoxCodec = plainBox((c, box) => {
  const p = payloadOf(c, box.size);
  if (!p || p.length === 0 || p[0] !== 1 || p.length < 6) return null;
  let cursor = 6;
  for (let i = 0; i < (p[5] & 31); i++) {
    if (cursor + 2 > p.length) return null;
    cursor = (cursor + 2 + ((be16(p, cursor) << 16) >> 16)) >>> 0;
    if (cursor > p.length) return null;
  }
  if (cursor + 1 > p.length) return null;
  const ppsCount = p[cursor++];
  for (let i = 0; i < ppsCount; i++) {
    if (cursor + 2 > p.length) return null;
    cursor = (cursor + 2 + ((be16(p, cursor) << 16) >> 16)) >>> 0;
    if (cursor > p.length) return null;
  }
  const sps: Uint8Array[] = [], pps: Uint8Array[] = [];
  if (p.length >= 7) {
    let at = 6;
    for (let i = 0; i < (p[5] & 31); i++) {
      if (at + 2 <= p.length) {
        const n = be16(p, at);
        at += 2;
        if (at + n <= p.length) {
          sps.push(p.subarray(at, at + n));
          at += n;
        }
      }
    }
    if (at < p.length) {
      const count = p[at++];
      for (let i = 0; i < count; i++) {
        if (at + 2 <= p.length) {
          const n = be16(p, at);
          at += 2;
          if (at + n <= p.length) {
            pps.push(p.subarray(at, at + n));
            at += n;
          }
        }
      }
    }
  }
  return (ins) => {
    ins.addInt("Configuration Version", p[0]);
    const name = AVC_PROFILES[p[1]];
    if (name) ins.addString("Profile", name);
    else ins.addInt("Profile", p[1]);
    ins.addInt("Profile Compatibility", p[2], { hint: "hex" });
    ins.addInt("Level", p[3]);
    ins.addInt("NALU Length Size", 1 + (p[4] & 3));
    for (const s of sps) ins.addBytes("Sequence Parameter", s);
    for (const s of pps) ins.addBytes("Picture Parameter", s);
  };
});

/** hvcC: the fixed part of the HEVC decoder configuration record. */
const HVCC: BoxCodec = plainBox((c, box) => {
  const p = payloadOf(c, box.size);
  if (!p) return null;
  const q = p.length >= 23 ? p : new Uint8Array(23);
  const space = (q[1] >> 6) & 3, profile = q[1] & 0x1f;
  return (ins) => {
    ins.addInt("Configuration Version", q[0]);
    ins.addInt("Profile Space", space);
    const name = space === 0 ? HEVC_PROFILES[profile] : undefined;
    if (name) ins.addString("Profile", name);
    else ins.addInt("Profile", profile);
    ins.addInt("Tier", (q[1] >> 5) & 1);
    ins.addInt("Profile Compatibility", be32(q, 2), { hint: "hex" });
    ins.addInt("Constraint", (BigInt(be32(q, 6)) << 16n) | BigInt(be16(q, 10)), { hint: "hex" });
    ins.addInt("Level", q[12]);
    ins.addInt("Min Spatial Segmentation", be16(q, 13) & 0x0fff);
    ins.addInt("Parallelism Type", q[15] & 3);
    ins.addInt("Chroma Format", q[16] & 3);
    ins.addInt("Chroma Depth", 8 + (q[18] & 7));
    ins.addInt("Luma Depth", 8 + (q[17] & 7));
    ins.addInt("Average Frame Rate", be16(q, 19));
    ins.addInt("Constant Frame Rate", (q[21] >> 6) & 3);
    ins.addInt("Number Of Temporal Layers", (q[21] >> 3) & 7);
    ins.addInt("Temporal Id Nested", (q[21] >> 2) & 1);
    ins.addInt("NALU Length Size", 1 + (q[21] & 3));
  };
});

/** AC-3 and E-AC-3 boxes are read only inside their sample entry (or `enca`). */
const AC3_CONTEXTS = ["ac-3", "enca"];
const EC3_CONTEXTS = ["ec-3", "enca"];

/** Codecs of the codec configuration boxes. */
export const CODEC_CONFIG_BOXES: CodecTable = {
  avcC: AVCC,
  avcE: AVCC,
  hvcC: HVCC,
  hvcE: HVCC,
  vpcC: {
    read(c, box) {
      if (box.size < 12) return null;
      c.u32();
      if (!c.ok || box.size - 12 < 8) return null;
      const profile = c.u8(), level = c.u8(), bits = c.u8(), primaries = c.u8();
      c.u8();
      const matrix = c.u8();
      const initSize = c.u16();
      if (initSize > box.size - 20) return null;
      return {
        headerSize: 12,
        size: 20 + initSize,
        version: 1,
        flags: 0,
        fields(ins) {
          ins.addInt("profile", profile);
          ins.addInt("level", level);
          ins.addInt("bit depth", (bits >> 4) & 15);
          ins.addInt("chroma subsampling", (bits >> 1) & 7);
          ins.addInt("video full range flag", bits & 1);
          ins.addInt("colour primaries", primaries);
          ins.addInt("matrix coefficients", matrix);
          // Bento4 sizes the initialization data but never reads it in
          ins.addBytes("codec initialization data", new Uint8Array(initSize));
        },
      };
    },
  },
  av1C: {
    read(c, box) {
      const payload = box.size - 8;
      if (payload < 4) return null;
      const b = c.bytes(4);
      if (!c.ok) return null;
      if (payload > 4) {
        c.bytes(payload - 4);
        if (!c.ok) return null;
      }
      const delayPresent = (b[3] >> 4) & 1;
      return {
        headerSize: 8,
        size: 8 + payload,
        fields(ins) {
          ins.addInt("version", b[0] & 0x7f);
          ins.addInt("seq_profile", b[1] >> 5);
          ins.addInt("seq_level_idx_0", b[1] & 0x1f);
          ins.addInt("seq_tier_0", (b[2] >> 7) & 1);
          ins.addInt("high_bitdepth", (b[2] >> 6) & 1);
          ins.addInt("twelve_bit", (b[2] >> 5) & 1);
          ins.addInt("monochrome", (b[2] >> 4) & 1);
          ins.addInt("chroma_subsampling_x", (b[2] >> 3) & 1);
          ins.addInt("chroma_subsampling_y", (b[2] >> 2) & 1);
          ins.addInt("chroma_sample_position", b[2] & 3);
          ins.addInt("initial_presentation_delay", delayPresent ? ((b[3] >> 4) & 15) + 1 : 0);
        },
      };
    },
  },
  dvcC: dolbyVision(),
  dvvC: dolbyVision(),
  colr: plainBox((c, box) => {
    const p = payloadOf(c, box.size);
    if (!p) return null;
    const ok = p.length === 10 || p.length === 11;
    const q = ok ? p : new Uint8Array(11);
    return (ins) => {
      ins.addInt("Colour Parameter Type:", be32(q, 0));
      ins.addInt("Primaries Index:", be16(q, 4));
      ins.addInt("Transfer Funcion Index:", be16(q, 6));
      ins.addInt("Matrix Index:", be16(q, 8));
      if (p.length === 11) ins.addInt("Video Full Range Flag:", (q[10] >> 7) & 1);
    };
  }),
  esds: fullBox(0, (c) => {
    const es = readDescriptor(c);
    return { fields: (ins) => es?.(ins) };
  }),
  iods: fullBox(0, (c) => {
    const od = readDescriptor(c);
    return { fields: (ins) => od?.(ins) };
  }),
};

/** Boxes read only inside some sample entries: type → [codec, parent types]. */
export const CONTEXT_BOXES: Record<string, [BoxCodec, readonly string[]]> = {
  dac3: [
    plainBox((c, box) => {
      const p = payloadOf(c, box.size);
      if (!p) return null;
      let rate = 0, fscod = 0, bsid = 0, bsmod = 0, acmod = 0, lfeon = 0;
      if (p.length >= 3) {
        rate = (p[0] << 5) | (p[1] >> 3);
        fscod = (p[0] >> 6) & 3;
        bsid = (p[0] >> 1) & 0x1f;
        bsmod = ((p[0] << 2) | (p[1] >> 6)) & 7;
        acmod = (p[1] >> 3) & 7;
        lfeon = (p[1] >> 2) & 1;
        const code = ((p[1] << 3) | (p[2] >> 5)) & 0x1f;
        if (code < AC3_BITRATES.length) rate = AC3_BITRATES[code];
      }
      return (ins) => {
        ins.addInt("data_rate", rate);
        ins.addInt("fscod", fscod);
        ins.addInt("bsid", bsid);
        ins.addInt("bsmod", bsmod);
        ins.addInt("acmod", acmod);
        ins.addInt("lfeon", lfeon);
      };
    }),
    AC3_CONTEXTS,
  ],
  dec3: [plainBox((c, box) => readDec3(payloadOf(c, box.size))), EC3_CONTEXTS],
  dmlp: [{
    read(c, box) {
      if (box.size < 18) return null;
      const formatInfo = c.u32(), peak = c.u16();
      c.u32();
      return {
        size: 18,
        fields(ins) {
          ins.addInt("format_info", formatInfo);
          ins.addInt("peak_data_rate", peak);
        },
      };
    },
  }, ["mlpa", "enca"]],
};

function readDec3(p: Uint8Array | null) {
  if (!p) return null;
  let rate = 0, complexity = 0;
  const subs: string[] = [];
  if (p.length >= 2) {
    rate = (p[0] << 5) | (p[1] >> 3);
    const count = 1 + (p[1] & 7);
    let at = 2, left = p.length - 2;
    for (let i = 0; i < count; i++) {
      let fscod = 0, bsid = 0, bsmod = 0, acmod = 0, lfeon = 0, dep = 0, loc = 0;
      if (left >= 4) {
        fscod = (p[at] >> 6) & 3;
        bsid = (p[at] >> 1) & 0x1f;
        bsmod = ((p[at] << 4) | (p[at + 1] >> 4)) & 0x1f;
        acmod = (p[at + 1] >> 1) & 7;
        lfeon = p[at + 1] & 1;
        dep = (p[at + 2] >> 1) & 15;
        if (dep) {
          loc = ((p[at + 2] << 7) | p[at + 3]) & 0x1f;
          at += 4;
          left -= 4;
        } else {
          at += 3;
          left -= 3;
        }
      }
      subs.push(
        `fscod=${fscod}, bsid=${bsid}, bsmod=${bsmod}, acmod=${acmod}, lfeon=${lfeon}, ` +
          `num_dep_sub=${dep}, chan_loc=${loc}`,
      );
    }
    if (left >= 2) complexity = p[at + 1];
  }
  return (ins: import("../inspect.ts").Inspector) => {
    ins.addInt("data_rate", rate);
    ins.addInt("complexity_index_type_a", complexity);
    subs.forEach((s, i) => ins.addString(`[${String(i).padStart(2, "0")}]`, s));
  };
}

function dolbyVision(): BoxCodec {
  return {
    read(c, box) {
      if (box.size < 32) return null;
      const p = c.bytes(24);
      if (!c.ok) return null;
      const profile = p[2] >> 1;
      return {
        name: profile > 7 ? "dvvC" : "dvcC",
        headerSize: 8,
        size: 32,
        fields(ins) {
          ins.addInt("dv_version_major", p[0]);
          ins.addInt("dv_version_minor", p[1]);
          ins.addInt("dv_profile", profile);
          ins.addString("dv_profile_name", DV_PROFILES[profile] ?? "unknown");
          ins.addInt("dv_level", ((p[2] & 1) << 5) | (p[3] >> 3));
          ins.addInt("rpu_present_flag", (p[3] & 4) ? 1 : 0);
          ins.addInt("el_present_flag", (p[3] & 2) ? 1 : 0);
          ins.addInt("bl_present_flag", p[3] & 1);
          ins.addInt("dv_bl_signal_compatibility_id", p[4] >> 4);
        },
      };
    },
  };
}
