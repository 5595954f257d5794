/**
 * Sample entries, the children of `stsd`, by the kinds Bento4 knows: visual (`avc1`, `hvc1`,
 * `av01`, `vp09`, `encv`, …), audio (`mp4a`, `ac-3`, `ec-3`, `Opus`, `enca`, QuickTime
 * versions 1 and 2), MPEG-4 systems (`mp4s`), RTP hints (`rtp `), XML subtitles (`stpp`), and
 * every other type as an entry of opaque payload that lists its data reference index alone.
 *
 * @module
 */
import { cString, doubleToUint32 } from "../format.ts";
import type { Cursor } from "../cursor.ts";
import type { Inspector } from "../inspect.ts";
import type { BoxCodec, BoxInfo, BoxView, CodecTable } from "./codec.ts";

/** The fields every sample entry starts with; returns the data reference index. */
function baseFields(c: Cursor): number {
  c.skip(6);
  return c.u16();
}

/** The view of an entry: its fields, then children in the bytes after `fieldsSize`. */
function entry(
  c: Cursor,
  box: BoxInfo,
  fieldsSize: number,
  fields: (ins: Inspector) => void,
): BoxView {
  const payload = (box.size - box.headerSize) >>> 0;
  if (payload <= fieldsSize) return { fields };
  return {
    fields,
    children: { start: c.pos, available: payload - fieldsSize, context: box.key },
  };
}

/** A visual sample entry (ISO/IEC 14496-12 VisualSampleEntry). */
export const VISUAL_SAMPLE_ENTRY: BoxCodec = {
  container: true,
  read(c, box) {
    const dri = baseFields(c);
    c.skip(16);
    const width = c.u16(), height = c.u16();
    c.skip(14);
    const name = c.bytes(32);
    c.skip(4);
    const compressor = name[0] < 32 ? cString(name.subarray(1, 1 + name[0])) : "";
    return entry(c, box, 78, (ins) => {
      ins.addInt("data_reference_index", dri);
      ins.addInt("width", width);
      ins.addInt("height", height);
      ins.addString("compressor", compressor);
    });
  },
};

/** An audio sample entry: ISO/IEC 14496-12 AudioSampleEntry, QuickTime versions 1 and 2. */
function audioEntry(rawRate: boolean): BoxCodec {
  return {
    container: true,
    read(c, box) {
      const dri = baseFields(c);
      const version = c.u16();
      c.skip(6);
      let channels = c.u16();
      const sampleSize = c.u16();
      c.skip(4);
      const rate32 = c.u32();
      let rate = rawRate ? rate32 : rate32 >>> 16;
      let fieldsSize = 28;
      if (version === 1) {
        c.skip(16);
        fieldsSize += 16;
      } else if (version === 2) {
        const structSize = c.u32();
        const rate64 = new DataView(c.bytes(8).buffer).getFloat64(0);
        const v2Channels = c.u32();
        c.skip(20);
        fieldsSize += 36;
        if (structSize > 72) {
          c.skip(structSize - 72);
          fieldsSize += structSize - 72;
        }
        channels = v2Channels & 0xffff;
        if (!rawRate) rate = doubleToUint32(rate64);
      }
      return entry(c, box, fieldsSize, (ins) => {
        ins.addInt("data_reference_index", dri);
        ins.addInt("channel_count", channels);
        ins.addInt("sample_size", sampleSize);
        ins.addInt("sample_rate", rate);
        if (version) ins.addInt("qt_version", version);
      });
    },
  };
}

/** An entry whose fields are the data reference index alone, followed by child boxes. */
const SYSTEM_SAMPLE_ENTRY: BoxCodec = {
  container: true,
  read(c, box) {
    const dri = baseFields(c);
    return entry(c, box, 8, (ins) => ins.addInt("data_reference_index", dri));
  },
};

/** An RTP hint sample entry. */
const RTP_SAMPLE_ENTRY: BoxCodec = {
  container: true,
  read(c, box) {
    const dri = baseFields(c);
    const version = c.u16(), compatible = c.u16(), maxPacket = c.u32();
    return entry(c, box, 16, (ins) => {
      ins.addInt("data_reference_index", dri);
      ins.addInt("hint_track_version", version);
      ins.addInt("highest_compatible_version", compatible);
      ins.addInt("max_packet_size", maxPacket);
    });
  },
};

/** An XML subtitle sample entry (`stpp`). */
const SUBTITLE_SAMPLE_ENTRY: BoxCodec = {
  container: true,
  read(c, box) {
    const dri = baseFields(c);
    const texts: string[] = ["", "", ""];
    for (let i = 0; i < 3; i++) {
      const s = c.nullTerminated();
      if (!s.ok) break;
      texts[i] = s.text;
    }
    const fieldsSize = 8 + 3 + texts[0].length + texts[1].length + texts[2].length;
    return entry(c, box, fieldsSize, (ins) => {
      ins.addInt("data_reference_index", dri);
      ins.addString("namespace", texts[0]);
      ins.addString("schema_location", texts[1]);
      ins.addString("image_mime_type", texts[2]);
    });
  },
};

/** Any other sample entry: its payload is opaque, it lists only the data reference index. */
export const UNKNOWN_SAMPLE_ENTRY: BoxCodec = {
  read(c, box) {
    let dri = 1;
    if (box.size > 16) dri = baseFields(c);
    return { fields: (ins) => ins.addInt("data_reference_index", dri) };
  },
};

const VISUAL = [
  "avc1",
  "avc2",
  "avc3",
  "avc4",
  "dvav",
  "dva1",
  "hev1",
  "hvc1",
  "dvhe",
  "dvh1",
  "av01",
  "vp08",
  "vp09",
  "vp10",
  "mp4v",
  "encv",
  "drmi",
];
const AUDIO = [
  "mp4a",
  "enca",
  "drms",
  "ac-3",
  "ec-3",
  "ac-4",
  "alac",
  "dtsc",
  "dtsh",
  "dtsl",
  "dtse",
  "fLaC",
  "Opus",
];

/** Codecs of the sample entries Bento4 knows (others: {@linkcode UNKNOWN_SAMPLE_ENTRY}). */
export const SAMPLE_ENTRY_BOXES: CodecTable = {
  ...Object.fromEntries(VISUAL.map((t) => [t, VISUAL_SAMPLE_ENTRY])),
  ...Object.fromEntries(AUDIO.map((t) => [t, audioEntry(false)])),
  mlpa: audioEntry(true),
  mp4s: SYSTEM_SAMPLE_ENTRY,
  "rtp ": RTP_SAMPLE_ENTRY,
  stpp: SUBTITLE_SAMPLE_ENTRY,
};
