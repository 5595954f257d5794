/**
 * Content protection (ISO/IEC 23001-7 Common Encryption, ISO/IEC 14496-12 §8.12 and PIFF):
 * `sinf`, `frma`, `schm`, `schi`, `tenc`, `pssh`, `senc`, and the PIFF track and sample
 * encryption `uuid` boxes.
 *
 * @module
 */
import { cString, fourccRaw } from "../format.ts";
import type { Cursor } from "../cursor.ts";
import type { Inspector } from "../inspect.ts";
import {
  type BoxCodec,
  type BoxInfo,
  type BoxView,
  type CodecTable,
  CONTAINER,
  fullBox,
  plainBox,
} from "./codec.ts";

/** mp4dump's name for the PIFF track encryption box (UUID 8974dbce-7be7-4c51-84f9-…). */
export const PIFF_TENC_NAME = "8974DBCE7BE7-4C51-84F9-7148-F9882554";
/** mp4dump's name for the PIFF sample encryption box (UUID a2394f52-5a9b-4f14-a244-…). */
export const PIFF_SENC_NAME = "A2394F525A9B-4F14-A244-6C42-7C648DF4";

const MARLIN_SYSTEM_ID = "69f908af481646ea910ccd5dcccb0a3a";
const PSSH_MAX_DATA = 16 * 1024 * 1024;

/** Reads a track encryption box's fields; null when Bento4's parse fails. */
function readTrackEncryption(c: Cursor, version: number): ((ins: Inspector) => void) | null {
  c.u8();
  if (!c.ok) return null;
  const blocks = c.u8();
  if (!c.ok) return null;
  const isProtected = c.u8();
  if (!c.ok) return null;
  const ivSize = c.u8();
  if (!c.ok) return null;
  const kid = c.bytes(16);
  if (!c.ok) return null;
  let constantSize = 0, constantIv = new Uint8Array(0);
  if (ivSize === 0) {
    constantSize = c.u8();
    if (!c.ok || constantSize > 16) return null;
    constantIv = c.bytes(constantSize);
    if (!c.ok) return null;
  }
  return (ins) => {
    ins.addInt("default_isProtected", isProtected);
    ins.addInt("default_Per_Sample_IV_Size", ivSize);
    ins.addBytes("default_KID", kid);
    if (version >= 1) {
      ins.addInt("default_crypt_byte_block", blocks >> 4);
      ins.addInt("default_skip_byte_block", blocks & 15);
    }
    if (ivSize === 0) {
      ins.addInt("default_constant_IV_size", constantSize);
      ins.addBytes("default_constant_IV", constantIv);
    }
  };
}

/** Whether the sample infos parse with IVs of `ivSize` bytes (each followed by subsamples). */
function subsamplesFit(info: Uint8Array, count: number, ivSize: number): boolean {
  let p = 0, left = info.length;
  for (let i = 0; i < count; i++) {
    if (left < ivSize + 2) return false;
    p += ivSize;
    left -= ivSize;
    const n = ((info[p] << 8) | info[p + 1]) << 16 >> 16 >>> 0;
    p += 2;
    left -= 2;
    if (left < n * 6) return false;
    p += n * 6;
    left -= n * 6;
  }
  return true;
}

/** Reads a sample encryption box (`senc`, PIFF's) as Bento4 does. */
function readSampleEncryption(c: Cursor, box: BoxInfo, flags: number, headerSize: number) {
  let algorithm = 0, ivSizeField = 0, kid = new Uint8Array(16);
  if (flags & 1) {
    algorithm = c.u24();
    ivSizeField = c.u8();
    kid = c.bytes(16);
  }
  const count = c.u32();
  const payloadSize = box.size > headerSize + 4 ? box.size - headerSize - 4 : 0;
  const info = c.bytes(payloadSize);
  return function* (ins: Inspector): Generator<void> {
    if (flags & 1) {
      ins.addInt("AlgorithmID", algorithm);
      ins.addInt("IV_size", ivSizeField);
      ins.addBytes("KID", kid);
    }
    ins.addInt("sample info count", count);
    if (ins.verbosity < 2) return;
    let ivSize = ivSizeField;
    if (ivSize === 0) {
      if (flags & 2) {
        const found = [0, 8, 16].find((s) => subsamplesFit(info, count, s));
        if (found === undefined) return;
        ivSize = found;
      } else {
        ivSize = count ? Math.floor(info.length / count) : 0;
        if (ivSize * count !== info.length) return;
      }
    }
    ins.addInt("IV Size (inferred)", ivSize);
    ins.startArray("sample info entries");
    let p = 0;
    const at = (i: number) => (i < info.length ? info[i] : 0);
    for (let i = 0; i < count; i++) {
      ins.startObject(null);
      const iv = new Uint8Array(ivSize);
      for (let k = 0; k < ivSize; k++) iv[k] = at(p + k);
      ins.addBytes("info", iv);
      p += ivSize;
      if (flags & 2) {
        const n = ((at(p) << 8) | at(p + 1)) << 16 >> 16 >>> 0;
        p += 2;
        ins.startArray("sub entries");
        for (let j = 0; j < n; j++) {
          ins.startObject(null, true);
          ins.addInt("bytes_of_clear_data", (at(p) << 8) | at(p + 1));
          ins.addInt(
            "bytes_of_encrypted_data",
            ((at(p + 2) << 24) | (at(p + 3) << 16) | (at(p + 4) << 8) | at(p + 5)) >>> 0,
          );
          p += 6;
          ins.endObject();
        }
        ins.endArray();
      }
      ins.endObject();
      if ((i & 1023) === 1023) yield;
    }
    ins.endArray();
  };
}

/** Codecs of the protection boxes. */
export const PROTECTION_BOXES: CodecTable = {
  sinf: CONTAINER,
  schi: CONTAINER,
  frma: plainBox((c) => {
    const format = c.u32();
    return (ins) => ins.addString("original_format", fourccRaw(format));
  }),
  schm: fullBox(0, (c, box, { flags }, ctx) => {
    if (box.size < 18) return null;
    const depth = ctx.contexts.length;
    const short = box.size < 20 || (depth >= 2 && ctx.contexts[depth - 2] === "mrln");
    const type = c.u32();
    const version = short ? c.u16() : c.u32();
    let uri = "";
    if (flags & 1) {
      const n = box.size - 20;
      if (n > 0) uri = cString(c.bytes(n).subarray(0, n - 1));
    }
    return {
      fields(ins) {
        ins.addString("scheme_type", fourccRaw(type));
        ins.addInt(short ? "scheme_version (short)" : "scheme_version", version);
        if (flags & 1) ins.addString("scheme_uri", uri);
      },
    };
  }),
  tenc: fullBox(1, (c, _box, { version }) => {
    const fields = readTrackEncryption(c, version);
    return fields ? { fields } : null;
  }),
  pssh: fullBox(1, (c, box, { version }, ctx) => readPssh(c, box, version, ctx.verbosity)),
  senc: fullBox(0, (c, box, { flags }) => ({
    fields: readSampleEncryption(c, box, flags, 12),
  })),
};

function readPssh(c: Cursor, box: BoxInfo, version: number, verbosity: number): BoxView {
  let systemId = new Uint8Array(16), kids: Uint8Array[] = [], data = new Uint8Array(0);
  let dataOffset = 0;
  read: if (box.size >= 32) {
    systemId = c.bytes(16);
    if (version > 0) {
      const n = c.u32();
      if (n > Math.floor((box.size - 32) / 16)) break read;
      for (let i = 0; i < n; i++) kids.push(c.bytes(16));
    }
    const size = c.u32();
    if (size > PSSH_MAX_DATA) break read;
    dataOffset = c.pos;
    data = c.bytes(size);
  }
  const marlin = Array.from(systemId, (b) => b.toString(16).padStart(2, "0")).join("") ===
    MARLIN_SYSTEM_ID;
  if (version === 0) kids = [];
  return {
    fields(ins) {
      ins.addBytes("system_id", systemId);
      ins.addInt("data_size", data.length);
      kids.forEach((kid, i) => ins.addBytes(`kid ${i}`, kid));
      if (ins.verbosity >= 1 && !marlin) ins.addBytes("data", data);
    },
    // Marlin's data is a list of boxes, read with a fresh factory
    children: marlin && data.length && verbosity >= 1
      ? { start: dataOffset, available: data.length, context: "", reset: true }
      : undefined,
  };
}

/** Marlin's `mkid` (inside `marl`): KIDs and content IDs. */
export const MKID: BoxCodec = fullBox(0, (c, box) => {
  const entries: { kid: Uint8Array; id: string }[] = [];
  if (box.size >= 16) {
    let available = box.size - 16;
    const count = c.u32();
    if (available >= count * 20) {
      for (let i = 0; i < count; i++) entries.push({ kid: new Uint8Array(16), id: "" });
      for (let i = 0; i < count && available >= 20; i++) {
        const size = c.u32();
        if (available < 4 + size) break;
        if (size < 16) continue;
        available -= 4 + size;
        entries[i].kid = c.bytes(16);
        entries[i].id = cString(c.bytes(size - 16));
      }
    }
  }
  return {
    fields(ins) {
      ins.addInt("entry_count", entries.length);
      for (const e of entries) {
        ins.addBytes("KID", e.kid);
        ins.addString("content_id", e.id);
      }
    },
  };
});

/** The PIFF boxes, by the name mp4dump gives their UUID. */
export const UUID_BOXES: ReadonlyMap<string, BoxCodec> = new Map<string, BoxCodec>([
  [PIFF_TENC_NAME, {
    large: true,
    read(c, box) {
      if (box.size < 12) return null;
      const v = c.u32();
      if (!c.ok || v >>> 24 !== 0) return null;
      const fields = readTrackEncryption(c, 0);
      if (!fields) return null;
      return { headerSize: box.headerSize + 4, version: 0, flags: v & 0xffffff, fields };
    },
  }],
  [PIFF_SENC_NAME, {
    large: true,
    read(c, box) {
      if (box.size < 12) return null;
      const v = c.u32();
      if (!c.ok || v >>> 24 !== 0) return null;
      const flags = v & 0xffffff;
      return {
        headerSize: box.headerSize + 4,
        flags,
        fields: readSampleEncryption(c, box, flags, box.headerSize + 4),
      };
    },
  }],
]);
