/**
 * Sample tables: `stbl`, `stsd` (whose children are sample entries), `stts`, `ctts`, `stss`,
 * `stsc`, `stsz`, `stz2`, `stco`, `co64`, sample groups (`sgpd`, `sbgp`) and sample auxiliary
 * information (`saio`, `saiz`), each with the limits Bento4 puts on its counts.
 *
 * @module
 */
import { Cursor } from "../cursor.ts";
import { fourccRaw } from "../format.ts";
import type { Inspector } from "../inspect.ts";
import { type CodecTable, CONTAINER, fullBox } from "./codec.ts";

/** `(size - used) / each` with Bento4's 32-bit unsigned arithmetic. */
function room(size: number, used: number, each: number): number {
  return Math.floor(((size - used) >>> 0) / each);
}

const EMPTY = new Uint8Array(0);

/** Lists pairs as an array of compact objects. */
function* pairs(ins: Inspector, a: string, b: string, values: Uint32Array): Generator<void> {
  ins.startArray("entries");
  for (let i = 0; i < values.length; i += 2) {
    ins.startObject(null, true);
    ins.addInt(a, values[i]);
    ins.addInt(b, values[i + 1]);
    ins.endObject();
    if ((i & 8191) === 8190) yield;
  }
  ins.endArray();
}

/** Lists values as an array of elements. */
function* elements(ins: Inspector, values: ArrayLike<number | bigint>): Generator<void> {
  ins.startArray("entries");
  for (let i = 0; i < values.length; i++) {
    ins.addInt(null, values[i]);
    if ((i & 8191) === 8191) yield;
  }
  ins.endArray();
}

/** Reads `count` 32-bit values. */
function u32s(c: Cursor, count: number): Uint32Array<ArrayBuffer> {
  const out = new Uint32Array(count);
  for (let i = 0; i < count; i++) out[i] = c.u32();
  return out;
}

/** Codecs of the sample table boxes. */
export const SAMPLE_TABLE_BOXES: CodecTable = {
  stbl: CONTAINER,
  stsd: fullBox(1, (c, box, _full, ctx) => {
    if (box.size < 16) return { fields: (ins) => ins.addInt("entry_count", 0) };
    const declared = c.u32();
    const children = { start: c.pos, available: box.size - 16, context: "stsd", max: declared };
    const count = ctx.countChildren(children);
    return { fields: (ins) => ins.addInt("entry_count", count), children };
  }, { container: true }),
  stts: fullBox(0, (c) => {
    let count = c.u32();
    const values: number[] = [];
    // Bento4 keeps reading pairs (past the box, to the end of the file) while they can be read
    for (; count > 0; count--) {
      const a = c.u32();
      if (!c.ok) break;
      const b = c.u32();
      if (!c.ok) break;
      values.push(a, b);
    }
    const table = Uint32Array.from(values);
    return {
      *fields(ins) {
        ins.addInt("entry_count", table.length / 2);
        if (ins.verbosity >= 1) yield* pairs(ins, "sample_count", "sample_duration", table);
      },
    };
  }),
  ctts: fullBox(1, (c, box) => {
    let table = new Uint32Array(0);
    if (box.size >= 16) {
      const count = c.u32();
      if (room(box.size, 16, 8) >= count) {
        const values = u32s(c, count * 2);
        table = c.ok ? values : new Uint32Array(count * 2);
      }
    }
    return {
      *fields(ins) {
        ins.addInt("entry_count", table.length / 2);
        if (ins.verbosity >= 2) yield* pairs(ins, "count", "offset", table);
      },
    };
  }),
  stss: fullBox(0, (c, box) => {
    let count = 0;
    if (box.size - 8 >= 4) {
      const n = c.u32();
      if (room(box.size, 12, 4) >= n) {
        c.skip(n * 4);
        if (c.ok) count = n;
      }
    }
    return { fields: (ins) => ins.addInt("entry_count", count) };
  }),
  stsc: fullBox(0, (c, box) => {
    let table = new Uint32Array(0);
    if (box.size - 8 >= 4) {
      const count = c.u32();
      if (room(box.size, 12, 12) >= count) {
        const values = u32s(c, count * 3);
        table = c.ok ? values : new Uint32Array(count * 3);
      }
    }
    return {
      *fields(ins) {
        const count = table.length / 3;
        ins.addInt("entry_count", count);
        if (ins.verbosity < 1) return;
        ins.startArray("entries");
        let firstSample = 1;
        for (let i = 0; i < count; i++) {
          const firstChunk = table[i * 3], perChunk = table[i * 3 + 1];
          if (i > 0) {
            const prevChunks = (firstChunk - table[(i - 1) * 3]) >>> 0;
            firstSample = (firstSample + Math.imul(prevChunks, table[(i - 1) * 3 + 1])) >>> 0;
          }
          const chunkCount = i + 1 < count ? (table[(i + 1) * 3] - firstChunk) >>> 0 : 0;
          ins.startObject(null, true);
          ins.addInt("first_chunk", firstChunk);
          ins.addInt("first_sample", firstSample);
          ins.addInt("chunk_count", chunkCount);
          ins.addInt("samples_per_chunk", perChunk);
          ins.addInt("sample_desc_index", table[i * 3 + 2]);
          ins.endObject();
          if ((i & 4095) === 4095) yield;
        }
        ins.endArray();
      },
    };
  }),
  stsz: fullBox(0, (c, box) => {
    let sampleSize = 0, sampleCount = 0;
    let table = new Uint32Array(0);
    if (box.size >= 20) {
      sampleSize = c.u32();
      const n = c.u32();
      sampleCount = n;
      if (sampleSize === 0) {
        if (n > room(box.size, 20, 4)) {
          sampleCount = 0;
        } else {
          const values = u32s(c, n);
          if (c.ok) table = values;
          else sampleCount = 0;
        }
      }
    }
    return {
      *fields(ins) {
        ins.addInt("sample_size", sampleSize);
        ins.addInt("sample_count", sampleCount);
        if (ins.verbosity < 2) return;
        yield* elements(ins, table);
      },
    };
  }),
  stz2: fullBox(0, (c, box) => {
    let fieldSize = 0;
    let table: number[] = [];
    if (box.size >= 20) {
      c.skip(3);
      const fs = c.u8();
      if (fs === 4 || fs === 8 || fs === 16) {
        const n = c.u32();
        if (c.ok) {
          const tableSize = Math.ceil((n * fs) / 8);
          if (tableSize <= ((box.size - 20) >>> 0)) {
            const raw = c.bytes(tableSize);
            if (c.ok) {
              fieldSize = fs;
              table = new Array(n);
              for (let i = 0; i < n; i++) {
                if (fs === 4) table[i] = i % 2 === 0 ? raw[i >> 1] >> 4 : raw[i >> 1] & 15;
                else if (fs === 8) table[i] = raw[i];
                else table[i] = (raw[2 * i] << 8) | raw[2 * i + 1];
              }
            }
          }
        }
      }
    }
    return {
      *fields(ins) {
        ins.addInt("field_size", fieldSize);
        ins.addInt("sample_count", table.length);
        if (ins.verbosity < 2) return;
        yield* elements(ins, table);
      },
    };
  }),
  stco: fullBox(0, (c, box) => {
    let table = new Uint32Array(0);
    if (box.size >= 16) {
      let n = c.u32();
      const max = room(box.size, 16, 4);
      if (n > max) n = max;
      const values = u32s(c, n);
      table = c.ok ? values : new Uint32Array(n);
    }
    return {
      *fields(ins) {
        ins.addInt("entry_count", table.length);
        if (ins.verbosity < 1) return;
        yield* elements(ins, table);
      },
    };
  }),
  co64: fullBox(0, (c, box) => {
    let n = c.u32();
    const max = room(box.size, 16, 8);
    if (n > max) n = max;
    const table: bigint[] = [];
    for (let i = 0; i < n; i++) table.push(c.u64());
    return {
      *fields(ins) {
        ins.addInt("entry_count", table.length);
        if (ins.verbosity < 1) return;
        yield* elements(ins, table);
      },
    };
  }),
  sgpd: fullBox(1, (c, box, { version }) => {
    const available = (box.size - 12 - (version >= 1 ? 12 : 8)) >>> 0;
    const groupingType = c.u32();
    const defaultLength = version >= 1 ? c.u32() : 0;
    const count = c.u32();
    // Bento4 gives version 0 entries all the bytes left (each, from where the last ended), and
    // stores the result code (0) of reading a version 1 entry's length, not the length
    const length = version === 0 ? available : defaultLength;
    const listed = c.ok && length <= available ? count : 0;
    const first = c.pos;
    const view = c.view;
    return {
      *fields(ins) {
        ins.addString("grouping_type", fourccRaw(groupingType));
        if (version >= 1) ins.addInt("default_length", defaultLength);
        ins.addInt("entry_count", listed);
        ins.startArray("entries");
        const at = new Cursor(view, first);
        for (let i = 0; i < listed; i++) {
          if (length > 0) ins.addBytes(null, at.bytes(length));
          else {
            ins.addBytes(null, EMPTY);
          }
          if ((i & 8191) === 8191) yield;
        }
        ins.endArray();
      },
    };
  }),
  sbgp: fullBox(1, (c, box, { version }) => {
    let groupingType = 0, parameter = 0;
    let table = new Uint32Array(0);
    if (box.size >= 16) {
      let remains = box.size - 12;
      groupingType = c.u32();
      remains -= 4;
      let go = true;
      if (version >= 1) {
        if (remains < 4) go = false;
        else {
          parameter = c.u32();
          remains -= 4;
        }
      }
      if (go && remains >= 4) {
        const count = c.u32();
        if (c.ok && remains - 4 >= count * 8) table = u32s(c, count * 2);
      }
    }
    return {
      *fields(ins) {
        ins.addString("grouping_type", fourccRaw(groupingType));
        if (version >= 1) ins.addInt("grouping_type_parameter", parameter);
        ins.addInt("entry_count", table.length / 2);
        if (ins.verbosity >= 2) yield* pairs(ins, "sample_count", "group_description_index", table);
      },
    };
  }),
  saio: fullBox(1, (c, box, { version, flags }) => {
    let auxType = 0, auxParam = 0;
    const entries: (number | bigint)[] = [];
    let remains = box.size - 12;
    let go = true;
    if (flags & 1) {
      if (remains < 8) go = false;
      else {
        auxType = c.u32();
        auxParam = c.u32();
        remains -= 8;
      }
    }
    if (go && remains >= 4) {
      const count = c.u32();
      remains -= 4;
      if (c.ok && remains >= count * (version === 0 ? 4 : 8)) {
        for (let i = 0; i < count; i++) entries.push(version === 0 ? c.u32() : c.u64());
      }
    }
    return {
      *fields(ins) {
        if (flags & 1) {
          ins.addInt("aux info type", auxType, { hint: "hex" });
          ins.addInt("aux info type parameter", auxParam, { hint: "hex" });
        }
        ins.addInt("entry_count", entries.length);
        if (ins.verbosity < 2) return;
        yield* elements(ins, entries);
      },
    };
  }),
  saiz: fullBox(0, (c, box, { flags }) => {
    let auxType = 0, auxParam = 0;
    let remains = (box.size - 12) >>> 0;
    if (flags & 1) {
      auxType = c.u32();
      auxParam = c.u32();
      remains = (remains - 8) >>> 0;
    }
    const defaultSize = c.u8();
    let count = c.u32();
    remains = (remains - 5) >>> 0;
    let entries = new Uint8Array(0);
    if (defaultSize === 0) {
      if (count > remains) count = remains;
      const raw = c.bytes(count);
      entries = c.ok ? raw : new Uint8Array(count);
    }
    return {
      *fields(ins) {
        if (flags & 1) {
          ins.addInt("aux info type", auxType, { hint: "hex" });
          ins.addInt("aux info type parameter", auxParam, { hint: "hex" });
        }
        ins.addInt("default sample info size", defaultSize);
        ins.addInt("sample count", count);
        if (ins.verbosity < 2) return;
        yield* elements(ins, entries);
      },
    };
  }),
};
