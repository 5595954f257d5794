/**
 * Codec configuration boxes found inside sample entries: `avcC`, `hvcC`, `vpcC`, `av1C`,
 * `esds` (with its MPEG-4 descriptors), `dac3`, `dec3` and `dOps`.
 *
 * @module
 */
import { type ByteReader, Mp4DataError } from "../byte_reader.ts";
import type { Inspector } from "../inspect.ts";
import type { CodecTable } from "./codec.ts";

const AVC_PROFILES: Record<number, string> = {
  66: "Baseline",
  77: "Main",
  88: "Extended",
  100: "High",
  110: "High 10",
  122: "High 4:2:2",
  244: "High 4:4:4",
};

const HEVC_PROFILES: Record<number, string> = {
  1: "Main",
  2: "Main 10",
  3: "Main Still Picture",
  4: "Rext",
};

function addProfile(ins: Inspector, names: Record<number, string>, profile: number): void {
  const name = names[profile];
  if (name) ins.addString("Profile", name);
  else ins.addInt("Profile", profile);
}

const AC3_BITRATES = [
  32,
  40,
  48,
  56,
  64,
  80,
  96,
  112,
  128,
  160,
  192,
  224,
  256,
  320,
  384,
  448,
  512,
  576,
  640,
];

/** An MPEG-4 descriptor header (ISO/IEC 14496-1): tag and expandable size. */
interface Descriptor {
  tag: number;
  offset: number;
  headerSize: number;
  size: number;
}

function readDescriptorHeader(r: ByteReader): Descriptor {
  const offset = r.offset;
  const tag = r.u8();
  let size = 0, headerSize = 1;
  for (let i = 0; i < 4; i++) {
    const b = r.u8();
    headerSize++;
    size = size * 128 + (b & 0x7f);
    if (!(b & 0x80)) break;
  }
  if (size > r.remaining) {
    throw new Mp4DataError(
      offset,
      `descriptor (tag ${tag}) of ${size} bytes runs past the end of its box (${r.remaining} left)`,
    );
  }
  return { tag, offset, headerSize, size: headerSize + size };
}

function descriptorName(tag: number): string {
  if (tag === 3) return "ESDescriptor";
  if (tag === 4) return "DecoderConfig";
  return "Descriptor:" + tag.toString(16).padStart(2, "0");
}

/** Lists the descriptor at the reader's position and everything inside it. */
function inspectDescriptor(r: ByteReader, ins: Inspector): void {
  const d = readDescriptorHeader(r);
  const body = r.sub(d.size - d.headerSize);
  ins.startBox({
    name: descriptorName(d.tag),
    headerSize: d.headerSize,
    size: d.size,
    version: 0,
    flags: 0,
    offset: d.offset,
  });
  if (d.tag === 3) {
    ins.addInt("es_id", body.u16());
    const bits = body.u8();
    ins.addInt("stream_priority", bits & 0x1f);
    if (bits & 0x80) ins.addInt("depends_on_es_id", body.u16());
    if (bits & 0x40) ins.addString("url", new TextDecoder().decode(body.bytesOf(body.u8())));
    if (bits & 0x20) ins.addInt("ocr_es_id", body.u16());
    while (body.remaining > 0) inspectDescriptor(body, ins);
  } else if (d.tag === 4) {
    const objectType = body.u8(), bits = body.u8();
    const bufferSize = body.u24(), maxBitrate = body.u32(), avgBitrate = body.u32();
    ins.addInt("stream_type", bits >> 2);
    ins.addInt("object_type", objectType);
    ins.addInt("up_stream", (bits >> 1) & 1);
    ins.addInt("buffer_size", bufferSize);
    ins.addInt("max_bitrate", maxBitrate);
    ins.addInt("avg_bitrate", avgBitrate);
    while (body.remaining > 0) {
      if (body.bytes[body.pos] === 5) {
        const dsi = readDescriptorHeader(body);
        const info = body.bytesOf(dsi.size - dsi.headerSize);
        let text = "";
        for (const b of info) text += b.toString(16).padStart(2, "0") + " ";
        ins.addString("DecoderSpecificInfo", text);
      } else {
        inspectDescriptor(body, ins);
      }
    }
  }
  ins.endBox();
}

/** A zero-filled view of `count` bytes from the reader's position (short input reads as 0). */
function padded(r: ByteReader, count: number): Uint8Array {
  const out = new Uint8Array(count);
  out.set(r.bytes.subarray(r.pos, Math.min(r.pos + count, r.end)));
  return out;
}

/** Codecs of the codec configuration boxes. */
export const CODEC_CONFIG_BOXES: CodecTable = {
  avcC: {
    inspect(r, { ins }) {
      const version = r.u8(), profile = r.u8(), compat = r.u8(), level = r.u8();
      const lengthSize = (r.u8() & 3) + 1;
      const sps: Uint8Array[] = [], pps: Uint8Array[] = [];
      const spsCount = r.u8() & 0x1f;
      for (let i = 0; i < spsCount; i++) sps.push(r.bytesOf(r.u16()));
      const ppsCount = r.u8();
      for (let i = 0; i < ppsCount; i++) pps.push(r.bytesOf(r.u16()));
      ins.addInt("Configuration Version", version);
      addProfile(ins, AVC_PROFILES, profile);
      ins.addInt("Profile Compatibility", compat, true);
      ins.addInt("Level", level);
      ins.addInt("NALU Length Size", lengthSize);
      for (const s of sps) ins.addBytes("Sequence Parameter", s);
      for (const p of pps) ins.addBytes("Picture Parameter", p);
    },
  },
  hvcC: {
    inspect(r, { ins }) {
      const version = r.u8(), b1 = r.u8();
      const compat = r.u32();
      const constraint = (BigInt(r.u16()) << 32n) | BigInt(r.u32());
      const level = r.u8();
      const minSpatial = r.u16() & 0x0fff;
      const parallelism = r.u8() & 3, chroma = r.u8() & 3;
      const lumaDepth = (r.u8() & 7) + 8, chromaDepth = (r.u8() & 7) + 8;
      const avgFrameRate = r.u16(), b2 = r.u8();
      const arrays = r.u8();
      for (let i = 0; i < arrays; i++) {
        r.skip(1);
        const n = r.u16();
        for (let j = 0; j < n; j++) r.skip(r.u16());
      }
      ins.addInt("Configuration Version", version);
      ins.addInt("Profile Space", b1 >> 6);
      addProfile(ins, HEVC_PROFILES, b1 & 0x1f);
      ins.addInt("Tier", (b1 >> 5) & 1);
      ins.addInt("Profile Compatibility", compat, true);
      ins.addInt("Constraint", constraint, true);
      ins.addInt("Level", level);
      ins.addInt("Min Spatial Segmentation", minSpatial);
      ins.addInt("Parallelism Type", parallelism);
      ins.addInt("Chroma Format", chroma);
      ins.addInt("Chroma Depth", chromaDepth);
      ins.addInt("Luma Depth", lumaDepth);
      ins.addInt("Average Frame Rate", avgFrameRate);
      ins.addInt("Constant Frame Rate", b2 >> 6);
      ins.addInt("Number Of Temporal Layers", (b2 >> 3) & 7);
      ins.addInt("Temporal Id Nested", (b2 >> 2) & 1);
      ins.addInt("NALU Length Size", (b2 & 3) + 1);
    },
  },
  vpcC: {
    full: true,
    inspect(r, { ins }) {
      const profile = r.u8(), level = r.u8(), bits = r.u8();
      const primaries = r.u8();
      r.skip(1); // transfer characteristics: not listed by mp4dump
      const matrix = r.u8();
      const init = r.bytesOf(r.u16());
      ins.addInt("profile", profile);
      ins.addInt("level", level);
      ins.addInt("bit depth", bits >> 4);
      ins.addInt("chroma subsampling", (bits >> 1) & 7);
      ins.addInt("video full range flag", bits & 1);
      ins.addInt("colour primaries", primaries);
      ins.addInt("matrix coefficients", matrix);
      ins.addBytes("codec initialization data", init);
    },
  },
  av1C: {
    inspect(r, { ins }) {
      const b0 = r.u8(), b1 = r.u8(), b2 = r.u8(), b3 = r.u8();
      ins.addInt("version", b0 & 0x7f);
      ins.addInt("seq_profile", b1 >> 5);
      ins.addInt("seq_level_idx_0", b1 & 0x1f);
      ins.addInt("seq_tier_0", b2 >> 7);
      ins.addInt("high_bitdepth", (b2 >> 6) & 1);
      ins.addInt("twelve_bit", (b2 >> 5) & 1);
      ins.addInt("monochrome", (b2 >> 4) & 1);
      ins.addInt("chroma_subsampling_x", (b2 >> 3) & 1);
      ins.addInt("chroma_subsampling_y", (b2 >> 2) & 1);
      ins.addInt("chroma_sample_position", b2 & 3);
      ins.addInt("initial_presentation_delay", b3 & 0x10 ? (b3 & 0x0f) + 1 : 0);
    },
  },
  esds: {
    full: true,
    inspect(r, { ins }) {
      while (r.remaining > 0) inspectDescriptor(r, ins);
    },
  },
  dac3: {
    inspect(r, { ins }) {
      const v = r.u24();
      const code = (v >> 5) & 0x1f;
      ins.addInt("data_rate", AC3_BITRATES[code] ?? 0);
      ins.addInt("fscod", v >> 22);
      ins.addInt("bsid", (v >> 17) & 0x1f);
      ins.addInt("bsmod", (v >> 14) & 7);
      ins.addInt("acmod", (v >> 11) & 7);
      ins.addInt("lfeon", (v >> 10) & 1);
    },
  },
  dec3: {
    inspect(r, { ins }) {
      // mp4dump 1.6 reads the two bytes after data_rate/num_ind_sub as the type A extension
      // and complexity index, then the substreams after them (short input reads as zeros).
      const head = r.u16();
      const substreams = (head & 7) + 1;
      const rest = padded(r, 2 + 4 * substreams);
      r.skip(r.remaining);
      ins.addInt("data_rate", head >> 3);
      ins.addInt("complexity_index_type_a", rest[1]);
      let p = 2;
      for (let i = 0; i < substreams; i++) {
        const a = rest[p], b = rest[p + 1], c = rest[p + 2];
        p += 3;
        const numDep = (c >> 1) & 15;
        let chanLoc = 0;
        if (numDep > 0) chanLoc = ((c & 1) << 8) | rest[p++];
        ins.addString(
          "[" + String(i).padStart(2, "0") + "]",
          `fscod=${a >> 6}, bsid=${(a >> 1) & 0x1f}, bsmod=${(b >> 4) & 7}, ` +
            `acmod=${(b >> 1) & 7}, lfeon=${b & 1}, num_dep_sub=${numDep}, chan_loc=${chanLoc}`,
        );
      }
    },
  },
  dOps: {},
};
