/**
 * Sample tables: `stsd` (whose children are sample entries), `stts`, `ctts`, `stss`, `stsc`,
 * `stsz`, `stz2`, `stco`, `co64`, sample groups (`sgpd`, `sbgp`) and sample auxiliary
 * information (`saio`, `saiz`).
 *
 * @module
 */
import type { ByteReader } from "../byte_reader.ts";
import type { Inspector } from "../inspect.ts";
import type { CodecTable } from "./codec.ts";

/**
 * The shape most sample tables share: a 32-bit `entry_count`, then, from `verbosity` up,
 * that many `entrySize`-byte entries listed as `entries`, each read and listed by `each`.
 */
function countedEntries(
  r: ByteReader,
  ins: Inspector,
  entrySize: number,
  verbosity: number,
  each: () => void,
): void {
  const count = r.u32();
  r.need(count * entrySize);
  ins.addInt("entry_count", count);
  if (ins.verbosity < verbosity) return;
  ins.startArray("entries");
  for (let i = 0; i < count; i++) each();
  ins.endArray();
}

/** Lists one two-field entry of a sample table. */
function pair(ins: Inspector, a: string, va: number, b: string, vb: number): void {
  ins.startEntry();
  ins.addInt(a, va);
  ins.addInt(b, vb);
  ins.endEntry();
}

/** Codecs of the sample table boxes. */
export const SAMPLE_TABLE_BOXES: CodecTable = {
  stsd: {
    full: true,
    inspect(r, ctx) {
      ctx.ins.addInt("entry_count", r.u32());
      ctx.children(r);
    },
  },
  stts: {
    full: true,
    inspect(r, { ins }) {
      countedEntries(
        r,
        ins,
        8,
        1,
        () => pair(ins, "sample_count", r.u32(), "sample_duration", r.u32()),
      );
    },
  },
  ctts: {
    full: true,
    inspect(r, { ins, version }) {
      countedEntries(
        r,
        ins,
        8,
        1,
        () =>
          pair(ins, "sample_count", r.u32(), "sample_offset", version === 1 ? r.i32() : r.u32()),
      );
    },
  },
  stss: {
    full: true,
    inspect(r, { ins }) {
      const count = r.u32();
      r.need(count * 4);
      ins.addInt("entry_count", count);
    },
  },
  stsc: {
    full: true,
    inspect(r, { ins }) {
      const count = r.u32();
      r.need(count * 12);
      ins.addInt("entry_count", count);
      if (ins.verbosity < 1) return;
      ins.startArray("entries");
      let firstSample = 1;
      for (let i = 0; i < count; i++) {
        const firstChunk = r.u32(), perChunk = r.u32(), desc = r.u32();
        const chunkCount = i + 1 < count ? (r.u32() - firstChunk) >>> 0 : 0;
        if (i + 1 < count) r.pos -= 4;
        ins.startEntry();
        ins.addInt("first_chunk", firstChunk);
        ins.addInt("first_sample", firstSample);
        ins.addInt("chunk_count", chunkCount);
        ins.addInt("samples_per_chunk", perChunk);
        ins.addInt("sample_desc_index", desc);
        ins.endEntry();
        firstSample = (firstSample + chunkCount * perChunk) >>> 0;
      }
      ins.endArray();
    },
  },
  stsz: {
    full: true,
    inspect(r, { ins }) {
      const sampleSize = r.u32(), count = r.u32();
      if (sampleSize === 0) r.need(count * 4);
      ins.addInt("sample_size", sampleSize);
      ins.addInt("sample_count", count);
      if (ins.verbosity < 2) return;
      ins.startArray("entries");
      if (sampleSize === 0) { for (let i = 0; i < count; i++) ins.addElement(r.u32()); }
      ins.endArray();
    },
  },
  stz2: {
    full: true,
    inspect(r, { ins }) {
      r.skip(3);
      const fieldSize = r.u8(), count = r.u32();
      r.need(Math.ceil((count * fieldSize) / 8));
      ins.addInt("field_size", fieldSize);
      ins.addInt("sample_count", count);
      if (ins.verbosity < 2) return;
      ins.startArray("entries");
      for (let i = 0; i < count; i++) {
        if (fieldSize === 4) {
          const b = r.bytes[r.pos];
          ins.addElement(i & 1 ? b & 15 : b >> 4);
          if (i & 1) r.pos++;
        } else if (fieldSize === 8) ins.addElement(r.u8());
        else ins.addElement(r.u16());
      }
      ins.endArray();
    },
  },
  stco: {
    full: true,
    inspect(r, { ins }) {
      countedEntries(r, ins, 4, 1, () => ins.addElement(r.u32()));
    },
  },
  co64: {
    full: true,
    inspect(r, { ins }) {
      countedEntries(r, ins, 8, 1, () => ins.addElement(r.u64()));
    },
  },
  sgpd: {
    full: true,
    inspect(r, { ins, version }) {
      ins.addString("grouping_type", r.fourcc());
      const defaultLength = version >= 1 ? r.u32() : 0;
      ins.addInt("default_length", defaultLength);
      if (version >= 2) ins.addInt("default_sample_description_index", r.u32());
      const count = r.u32();
      ins.addInt("entry_count", count);
      if (count > r.remaining) r.need(count);
      const entries: Uint8Array[] = [];
      for (let i = 0; i < count; i++) {
        let length = defaultLength;
        if (version === 0) length = Math.floor(r.remaining / (count - i));
        else if (length === 0) length = r.u32();
        entries.push(r.bytesOf(length));
      }
      ins.startArray("entries");
      for (const e of entries) ins.addElement(e);
      ins.endArray();
    },
  },
  sbgp: {
    full: true,
    inspect(r, { ins, version }) {
      ins.addString("grouping_type", r.fourcc());
      if (version === 1) ins.addInt("grouping_type_parameter", r.u32());
      countedEntries(
        r,
        ins,
        8,
        2,
        () => pair(ins, "sample_count", r.u32(), "group_description_index", r.u32()),
      );
    },
  },
  saio: {
    full: true,
    inspect(r, { ins, version, flags }) {
      if (flags & 1) {
        ins.addString("aux_info_type", r.fourcc());
        ins.addInt("aux_info_type_parameter", r.u32());
      }
      const size = version === 0 ? 4 : 8;
      countedEntries(r, ins, size, 2, () => ins.addElement(r.uint(size)));
    },
  },
  saiz: {
    full: true,
    inspect(r, { ins, flags }) {
      if (flags & 1) {
        ins.addString("aux_info_type", r.fourcc());
        ins.addInt("aux_info_type_parameter", r.u32());
      }
      const defaultSize = r.u8(), count = r.u32();
      if (defaultSize === 0) r.need(count);
      ins.addInt("default sample info size", defaultSize);
      ins.addInt("sample count", count);
      if (ins.verbosity < 2) return;
      ins.startArray("entries");
      if (defaultSize === 0) { for (let i = 0; i < count; i++) ins.addElement(r.u8()); }
      ins.endArray();
    },
  },
};
