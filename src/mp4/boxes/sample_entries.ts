/**
 * Sample entries, the children of `stsd`: visual (`avc1`, `hvc1`, `vp09`, `av01`, `encv`, …),
 * audio (`mp4a`, `ac-3`, `ec-3`, `Opus`, `enca`, …) and timed text (`tx3g`). Each lists its
 * fixed fields, then its child boxes (codec configuration, `sinf`, `btrt`, `pasp`, …).
 *
 * @module
 */
import { textOf } from "../byte_reader.ts";
import type { BoxCodec, CodecTable } from "./codec.ts";

/** A visual sample entry (ISO/IEC 14496-12 VisualSampleEntry). */
export const VISUAL_SAMPLE_ENTRY: BoxCodec = {
  inspect(r, ctx) {
    r.skip(6);
    const dri = r.u16();
    r.skip(16);
    const width = r.u16(), height = r.u16();
    r.skip(14); // resolutions, reserved, frame_count
    const name = r.bytesOf(32);
    r.skip(4); // depth, pre_defined
    const length = Math.min(name[0], 31);
    const { ins } = ctx;
    ins.addInt("data_reference_index", dri);
    ins.addInt("width", width);
    ins.addInt("height", height);
    ins.addString("compressor", textOf(name.subarray(1, 1 + length)));
    ctx.children(r);
  },
};

/** An audio sample entry (ISO/IEC 14496-12 AudioSampleEntry, QuickTime versions 1 and 2). */
export const AUDIO_SAMPLE_ENTRY: BoxCodec = {
  inspect(r, ctx) {
    r.skip(6);
    const dri = r.u16();
    const version = r.u16();
    r.skip(6); // revision, vendor
    const channels = r.u16(), sampleSize = r.u16();
    r.skip(4); // compression_id, packet_size
    const rate = r.u32();
    if (version === 1) r.skip(16);
    else if (version === 2) r.skip(36);
    const { ins } = ctx;
    ins.addInt("data_reference_index", dri);
    ins.addInt("channel_count", channels);
    ins.addInt("sample_size", sampleSize);
    ins.addInt("sample_rate", rate >>> 16);
    ctx.children(r);
  },
};

/** A sample entry listed by its data reference index alone (its payload is opaque). */
export const OPAQUE_SAMPLE_ENTRY: BoxCodec = {
  inspect(r, { ins }) {
    r.skip(6);
    ins.addInt("data_reference_index", r.u16());
  },
};

const VISUAL = [
  "avc1",
  "avc2",
  "avc3",
  "avc4",
  "hvc1",
  "hev1",
  "dvh1",
  "dvhe",
  "dvav",
  "dva1",
  "vp08",
  "vp09",
  "av01",
  "mp4v",
  "encv",
  "s263",
];
const AUDIO = ["mp4a", "enca", "ac-3", "ec-3", "ac-4", "Opus", "fLaC", "alac", "samr", "sawb"];
const OPAQUE = ["tx3g"];

/** Codecs of the sample entries. */
export const SAMPLE_ENTRY_BOXES: CodecTable = Object.fromEntries([
  ...VISUAL.map((t) => [t, VISUAL_SAMPLE_ENTRY]),
  ...AUDIO.map((t) => [t, AUDIO_SAMPLE_ENTRY]),
  ...OPAQUE.map((t) => [t, OPAQUE_SAMPLE_ENTRY]),
]);
