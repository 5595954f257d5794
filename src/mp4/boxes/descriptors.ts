/**
 * MPEG-4 descriptors (ISO/IEC 14496-1) as Bento4 reads them inside `esds` and `iods`: the ES
 * descriptor, decoder configuration and decoder specific info, SL configuration, (initial)
 * object descriptors, ES ID references and IPMP descriptors. Each has a header line of its own,
 * like a box. A descriptor reads from its parent's payload, which ends its reads.
 *
 * @module
 */
import { cString, hex2 } from "../format.ts";
import type { Cursor } from "../cursor.ts";
import type { Inspector } from "../inspect.ts";

/** Lists a parsed descriptor (and its sub-descriptors). */
export type DescriptorLister = (ins: Inspector) => void;

interface Head {
  tag: number;
  offset: number;
  headerSize: number;
  payload: number;
}

function open(ins: Inspector, name: string, h: Head): void {
  ins.startBox({
    name,
    headerSize: h.headerSize,
    size: h.headerSize + h.payload,
    version: 0,
    flags: 0,
    offset: h.offset,
  });
}

/** Reads the descriptors that follow in `c` until one cannot be read. */
function readList(c: Cursor): DescriptorLister[] {
  const out: DescriptorLister[] = [];
  for (;;) {
    const d = readDescriptor(c);
    if (!d) return out;
    out.push(d);
  }
}

/**
 * Reads one descriptor at the cursor as Bento4's descriptor factory does; null when it cannot
 * be read (nothing left, a zero-length payload, a bad SL configuration).
 */
export function readDescriptor(c: Cursor): DescriptorLister | null {
  const start = c.pos;
  const tag = c.u8();
  if (!c.ok) {
    c.seek(start);
    return null;
  }
  let payload = 0, headerSize = 1, max = 4, ext = 0;
  do {
    headerSize++;
    ext = c.u8();
    if (!c.ok) {
      c.seek(start);
      return null;
    }
    payload = ((payload << 7) + (ext & 0x7f)) >>> 0;
  } while (--max && ext & 0x80);
  if (payload === 0) {
    c.seek(start);
    return null;
  }
  const h: Head = { tag, offset: start, headerSize, payload };
  let lister: DescriptorLister;
  switch (tag) {
    case 0x01:
    case 0x11:
    case 0x02:
    case 0x10:
      lister = objectDescriptor(c, h, tag === 0x02 || tag === 0x10);
      break;
    case 0x0e: {
      const trackId = c.u32();
      lister = (ins) => {
        open(ins, "ES_ID_Inc", h);
        ins.addInt("track_id", trackId);
        ins.endBox();
      };
      break;
    }
    case 0x0f: {
      const ref = c.u16();
      lister = (ins) => {
        open(ins, "ES_ID_Ref", h);
        ins.addInt("ref_index", ref);
        ins.endBox();
      };
      break;
    }
    case 0x03:
      lister = esDescriptor(c, h);
      break;
    case 0x04:
      lister = decoderConfig(c, h);
      break;
    case 0x05: {
      const info = c.bytes(payload);
      let text = "";
      for (const b of info) text += hex2(b) + " ";
      lister = (ins) => ins.addString("DecoderSpecificInfo", text);
      break;
    }
    case 0x06:
      if (payload !== 1) return null;
      lister = unknown(h);
      break;
    case 0x0a:
      lister = ipmpPointer(c, h);
      break;
    case 0x0b:
      lister = ipmpDescriptor(c, h);
      break;
    default:
      c.bytes(payload);
      lister = unknown(h);
  }
  c.seek(start + headerSize + payload);
  return lister;
}

function unknown(h: Head): DescriptorLister {
  return (ins) => {
    open(ins, "Descriptor:" + hex2(h.tag), h);
    ins.endBox();
  };
}

function objectDescriptor(c: Cursor, h: Head, initial: boolean): DescriptorLister {
  let left = h.payload;
  let id = 0, urlFlag = false, inline = 0, url = "";
  const levels = [0, 0, 0, 0, 0];
  let subs: DescriptorLister[] = [];
  read: if (left >= 2) {
    const bits = c.u16();
    left -= 2;
    id = bits >> 6;
    urlFlag = (bits & 0x20) !== 0;
    inline = bits & 0x10 ? 1 : 0;
    if (urlFlag) {
      if (left < 1) break read;
      const n = c.u8();
      left--;
      if (left < n) break read;
      url = cString(c.bytes(n));
      left -= n;
    } else if (initial) {
      if (left < 5) break read;
      for (let i = 0; i < 5; i++) levels[i] = c.u8();
      left -= 5;
    }
    subs = readList(c.sub(left));
  }
  return (ins) => {
    open(ins, initial ? "InitialObjectDescriptor" : "ObjectDescriptor", h);
    ins.addInt("id", id);
    if (urlFlag) ins.addString("url", url);
    else if (initial) {
      ins.addInt("include inline profile level flag", inline, { hint: "boolean" });
      const names = ["OD", "scene", "audio", "visual", "graphics"];
      names.forEach((n, i) => ins.addInt(`${n} profile level`, levels[i], { hint: "hex" }));
    }
    for (const s of subs) s(ins);
    ins.endBox();
  };
}

function esDescriptor(c: Cursor, h: Head): DescriptorLister {
  let left = h.payload;
  let esId = 0, priority = 0;
  let subs: DescriptorLister[] = [];
  read: if (left >= 3) {
    esId = c.u16();
    const bits = c.u8();
    left -= 3;
    const flags = (bits >> 5) & 7;
    priority = bits & 0x1f;
    if (flags & 4) {
      if (left < 2) break read;
      c.u16();
      left -= 2;
    }
    if (flags & 2) {
      if (left < 1) break read;
      const n = c.u8();
      left--;
      if (n) {
        if (left < n) break read;
        c.bytes(n);
        left -= n;
      }
    }
    if (flags & 1) {
      if (left < 2) break read;
      c.u16();
      left -= 2;
    }
    subs = readList(c.sub(left));
  }
  return (ins) => {
    open(ins, "ESDescriptor", h);
    ins.addInt("es_id", esId);
    ins.addInt("stream_priority", priority);
    for (const s of subs) s(ins);
    ins.endBox();
  };
}

function decoderConfig(c: Cursor, h: Head): DescriptorLister {
  let objectType = 0, streamType = 0, upStream = 0, bufferSize = 0, maxRate = 0, avgRate = 0;
  let subs: DescriptorLister[] = [];
  if (h.payload >= 13) {
    objectType = c.u8();
    const bits = c.u8();
    streamType = (bits >> 2) & 0x3f;
    upStream = bits & 2 ? 1 : 0;
    bufferSize = c.u24();
    maxRate = c.u32();
    avgRate = c.u32();
    subs = readList(c.sub(h.payload - 13));
  }
  return (ins) => {
    open(ins, "DecoderConfig", h);
    ins.addInt("stream_type", streamType);
    ins.addInt("object_type", objectType);
    ins.addInt("up_stream", upStream);
    ins.addInt("buffer_size", bufferSize);
    ins.addInt("max_bitrate", maxRate);
    ins.addInt("avg_bitrate", avgRate);
    for (const s of subs) s(ins);
    ins.endBox();
  };
}

function ipmpPointer(c: Cursor, h: Head): DescriptorLister {
  const id = c.u8();
  let idEx = 0, esId = 0;
  if (id === 0xff && h.payload >= 5) {
    idEx = c.u16();
    esId = c.u16();
  }
  return (ins) => {
    open(ins, "IPMP_DescriptorPointer", h);
    ins.addInt("IPMP_DescriptorID", id);
    if (id === 0xff) {
      ins.addInt("IPMP_DescriptorIDEx", idEx);
      ins.addInt("IPMP_ES_ID", esId);
    }
    ins.endBox();
  };
}

function ipmpDescriptor(c: Cursor, h: Head): DescriptorLister {
  const id = c.u8(), type = c.u16();
  let idEx = 0, control = 0, sequence = 0, dataSize = 0, url = "";
  let tool = new Uint8Array(16);
  if (id === 0xff && type === 0xffff) {
    let fieldsSize = 6;
    idEx = c.u16();
    tool = c.bytes(16);
    control = c.u8();
    if (control > 0) {
      sequence = c.u8();
      fieldsSize++;
    }
    if (fieldsSize < h.payload) {
      dataSize = h.payload - fieldsSize;
      c.bytes(dataSize);
    }
  } else if (type === 0) {
    if (h.payload > 3) url = cString(c.bytes(h.payload - 3));
  } else if (h.payload > 3) {
    dataSize = h.payload - 3;
    c.bytes(dataSize);
  }
  return (ins) => {
    open(ins, "IPMP_Descriptor", h);
    ins.addInt("IPMP_DescriptorID", id);
    ins.addInt("IPMPS_Type", type, { hint: "hex" });
    if (id === 0xff && type === 0xffff) {
      ins.addInt("IPMP_DescriptorIDEx", idEx);
      ins.addBytes("IPMP_ToolID", tool);
      ins.addInt("controlPointCode", control);
      if (control > 0) ins.addInt("sequenceCode", sequence);
    } else if (type === 0) {
      ins.addString("URL", url);
    } else {
      ins.addInt("data size", dataSize);
    }
    ins.endBox();
  };
}
