/**
 * Content protection (ISO/IEC 23001-7 Common Encryption and ISO/IEC 14496-12 §8.12):
 * `sinf`, `frma`, `schm`, `schi`, `tenc`, `pssh`, `senc`, and the PIFF sample encryption
 * `uuid` box.
 *
 * @module
 */
import { type ByteReader, Mp4DataError } from "../byte_reader.ts";
import type { BoxContext, CodecTable } from "./codec.ts";
import { CONTAINER } from "./codec.ts";

/** mp4dump's name for the PIFF SampleEncryptionBox UUID a2394f52-5a9b-4f14-a244-6c427c648df4. */
export const PIFF_SENC_NAME = "A2394F525A9B-4F14-A244-6C42-7C648DF4";

/** More records than this in a `senc` whose records hold no bytes is taken as damage. */
const MAX_EMPTY_RECORDS = 1 << 20;

/** Whether `count` records fit `r`'s bytes exactly when each IV is `ivSize` bytes long. */
function fits(r: ByteReader, count: number, ivSize: number, subsamples: boolean): boolean {
  let p = r.pos;
  for (let i = 0; i < count; i++) {
    p += ivSize;
    if (subsamples) {
      if (p + 2 > r.end) return false;
      const n = (r.bytes[p] << 8) | r.bytes[p + 1];
      p += 2 + 6 * n;
    }
    if (p > r.end) return false;
  }
  return p === r.end;
}

function inspectSampleEncryption(r: ByteReader, ctx: BoxContext): void {
  const { ins, flags } = ctx;
  if (flags & 1) {
    ins.addInt("AlgorithmID", r.u24());
    ins.addInt("IV_size", r.u8());
    ins.addBytes("KID", r.bytesOf(16));
  }
  const count = r.u32();
  ins.addInt("sample info count", count);
  const subsamples = (flags & 2) !== 0;
  let ivSize = 0;
  if (count > 0) {
    const found = [0, 8, 16].find((s) => fits(r, count, s, subsamples));
    if (found === undefined) {
      throw new Mp4DataError(
        r.offset,
        `the ${count} sample encryption records do not fit the ${r.remaining} bytes of the box`,
      );
    }
    ivSize = found;
    if (ivSize === 0 && !subsamples && count > MAX_EMPTY_RECORDS) {
      throw new Mp4DataError(r.offset, `implausible sample info count ${count}`);
    }
  }
  if (ins.verbosity < 2) return;
  ins.addInt("IV Size (inferred)", ivSize);
  ins.startArray("sample info entries");
  for (let i = 0; i < count; i++) {
    ins.startEntry(false);
    ins.addBytes("info", r.bytesOf(ivSize));
    if (subsamples) {
      const n = r.u16();
      ins.startArray("sub entries");
      for (let j = 0; j < n; j++) {
        ins.startEntry();
        ins.addInt("bytes_of_clear_data", r.u16());
        ins.addInt("bytes_of_encrypted_data", r.u32());
        ins.endEntry();
      }
      ins.endArray();
    }
    ins.endEntry();
  }
  ins.endArray();
}

/** Codecs of the protection boxes. */
export const PROTECTION_BOXES: CodecTable = {
  sinf: CONTAINER,
  schi: CONTAINER,
  frma: {
    inspect(r, { ins }) {
      ins.addString("original_format", r.fourcc());
    },
  },
  schm: {
    full: true,
    inspect(r, { ins, flags }) {
      ins.addString("scheme_type", r.fourcc());
      ins.addInt("scheme_version", r.u32());
      if (flags & 1) ins.addString("scheme_uri", r.cstring());
    },
  },
  tenc: {
    full: true,
    inspect(r, { ins, version }) {
      r.skip(1);
      const pattern = r.u8();
      const isProtected = r.u8(), ivSize = r.u8();
      const kid = r.bytesOf(16);
      if (version >= 1) {
        ins.addInt("default_crypt_byte_block", pattern >> 4);
        ins.addInt("default_skip_byte_block", pattern & 15);
      }
      ins.addInt("default_isProtected", isProtected);
      ins.addInt("default_Per_Sample_IV_Size", ivSize);
      ins.addBytes("default_KID", kid);
      if (isProtected === 1 && ivSize === 0) {
        const n = r.u8();
        ins.addInt("default_constant_IV_size", n);
        ins.addBytes("default_constant_IV", r.bytesOf(n));
      }
    },
  },
  pssh: {
    full: true,
    inspect(r, { ins, version }) {
      ins.addBytes("system_id", r.bytesOf(16));
      if (version > 0) {
        const n = r.u32();
        r.need(n * 16);
        ins.addInt("kid_count", n);
        for (let i = 0; i < n; i++) ins.addBytes("kid", r.bytesOf(16));
      }
      const size = r.u32();
      const data = r.bytesOf(size);
      ins.addInt("data_size", size);
      if (ins.verbosity >= 2) ins.addBytes("data", data);
    },
  },
  senc: { full: true, inspect: inspectSampleEncryption },
  [PIFF_SENC_NAME]: { full: true, inspect: inspectSampleEncryption },
};
