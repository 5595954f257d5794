/**
 * The facts a check needs from an MP4 resource, collected as an {@linkcode Inspector} while
 * the one box walker (`mp4/walker.ts`) lists the boxes — so nothing here reads a byte of MP4
 * itself. From an initialization segment: each track's id, timescale, handler, sample entry
 * and codec configuration, edit list and `trex` defaults. From media: each fragment's `mfhd`,
 * and per `traf` the `tfhd` track id, `tfdt`, and from `trun` the sample count, summed
 * durations, earliest composition and first sample's flags (never a per-sample list, so
 * memory stays flat whatever the segment's size); and every `sidx`.
 *
 * @module
 */
import type { BoxHeaderInfo, Inspector } from "../mp4/inspect.ts";
import { walkBoxes } from "../mp4/walker.ts";
import type { ByteSource } from "../mp4/reader.ts";
import type { MediaCodec } from "./codecs.ts";
import type {
  FragmentFacts,
  InitFacts,
  Mp4Facts,
  SidxFacts,
  SidxReference,
  TrackInit,
  TrafFacts,
} from "./mp4_model.ts";

export type * from "./mp4_model.ts";

const AVC_PROFILES: Record<string, number> = {
  "Baseline": 66,
  "Main": 77,
  "Extended": 88,
  "High": 100,
  "High 10": 110,
  "High 4:2:2": 122,
  "High 4:4:4": 144,
};
const HEVC_PROFILES: Record<string, number> = {
  "Main": 1,
  "Main 10": 2,
  "Main Still Picture": 3,
  "Rext": 4,
};

/** Signed value of a field that may be a 64-bit two's complement bigint. */
function num(v: number | bigint): number {
  if (typeof v === "number") return v;
  return Number(v >= 1n << 63n ? v - (1n << 64n) : v);
}

/** The audio object type an AudioSpecificConfig starts with. */
function audioObjectType(hex: string): number | undefined {
  const b = hex.trim().split(/\s+/).filter((x) => x !== "").map((x) => parseInt(x, 16));
  if (b.length === 0 || b.some((x) => Number.isNaN(x))) return undefined;
  const aot = b[0] >> 3;
  if (aot !== 31) return aot;
  return b.length > 1 ? 32 + (((b[0] & 7) << 3) | (b[1] >> 5)) : undefined;
}

/** A sample's duration and flags as its `trun` entry gives them. */
interface SampleFields {
  duration?: number;
  flags?: number;
  cto: number;
}

/** The collecting Inspector. */
class FactsInspector implements Inspector {
  readonly verbosity = 2;
  readonly facts: Mp4Facts = { boxes: [], fragments: [], sidx: [], problems: [] };
  #given?: InitFacts;
  #stack: string[] = [];
  #init?: InitFacts;
  #track?: TrackInit;
  #trackEntries = 0;
  #codec: Record<string, number | bigint | string> = {};
  #elst: { duration: number; time: number }[] = [];
  #trex?: { id: number; duration: number; flags: number };
  #pendingTrex: { id: number; duration: number; flags: number }[] = [];
  #fragment?: FragmentFacts;
  #traf?: TrafFacts & { defaultDuration?: number; defaultFlags?: number; decode: number };
  #trunFlags = 0;
  #trunFirstFlags?: number;
  #trunIndex = 0;
  #sample?: SampleFields;
  #sidx?: SidxFacts;
  #ref?: Partial<SidxReference>;

  constructor(given?: InitFacts) {
    this.#given = given;
  }

  get #top(): string {
    return this.#stack[this.#stack.length - 1] ?? "";
  }

  #trexFor(id: number): { duration: number; flags: number } | undefined {
    const init = this.#init ?? this.#given;
    return init?.tracks.find((t) => t.id === id)?.trex;
  }

  startBox(h: BoxHeaderInfo): void {
    const parent = this.#top;
    this.#stack.push(h.name);
    if (this.#stack.length === 1) {
      this.facts.boxes.push({ type: h.name, offset: h.offset, size: h.size });
    }
    switch (h.name) {
      case "moov":
        this.#init = { tracks: [], fragmented: false };
        return;
      case "mvex":
        if (this.#init) this.#init.fragmented = true;
        return;
      case "trak":
        this.#track = { id: 0 };
        this.#trackEntries = 0;
        this.#elst = [];
        return;
      case "trex":
        this.#trex = { id: 0, duration: 0, flags: 0 };
        return;
      case "moof":
        this.#fragment = { offset: h.offset, trafs: [] };
        return;
      case "traf":
        this.#traf = {
          trackId: 0,
          samples: 0,
          duration: 0,
          unresolved: false,
          maxSampleDuration: 0,
          ctsMin: Infinity,
          decode: 0,
        };
        return;
      case "trun":
        this.#trunFlags = h.flags;
        this.#trunFirstFlags = undefined;
        this.#trunIndex = 0;
        return;
      case "sidx":
        this.#sidx = {
          offset: h.offset,
          size: h.size,
          referenceId: 0,
          timescale: 0,
          ept: 0,
          firstOffset: 0,
          refs: [],
        };
        return;
    }
    if (parent === "stsd" && this.#track && this.#trackEntries++ === 0) {
      this.#track.entry = h.name;
      this.#codec = {};
    }
  }

  endBox(): void {
    const name = this.#stack.pop();
    switch (name) {
      case "trak":
        if (this.#track && this.#init) this.#finishTrack(this.#track);
        this.#track = undefined;
        return;
      case "trex":
        if (this.#trex && this.#init) {
          const t = this.#init.tracks.find((x) => x.id === this.#trex!.id);
          if (t) t.trex = { duration: this.#trex.duration, flags: this.#trex.flags };
          else this.#pendingTrex.push(this.#trex);
        }
        this.#trex = undefined;
        return;
      case "moov":
        if (this.#init) {
          for (const x of this.#pendingTrex) {
            const t = this.#init.tracks.find((tr) => tr.id === x.id);
            if (t) t.trex = { duration: x.duration, flags: x.flags };
          }
          this.facts.init = this.#init;
        }
        return;
      case "traf":
        if (this.#traf && this.#fragment) {
          const { defaultDuration: _d, defaultFlags: _f, decode: _x, ...traf } = this.#traf;
          if (traf.ctsMin === Infinity) traf.ctsMin = 0;
          this.#fragment.trafs.push(traf);
        }
        this.#traf = undefined;
        return;
      case "moof":
        if (this.#fragment) this.facts.fragments.push(this.#fragment);
        this.#fragment = undefined;
        return;
      case "sidx":
        if (this.#sidx) this.facts.sidx.push(this.#sidx);
        this.#sidx = undefined;
        return;
    }
  }

  #finishTrack(t: TrackInit): void {
    const empties = this.#elst.findIndex((e) => e.time !== -1);
    if (this.#elst.length > 0) {
      const lead = empties === -1 ? this.#elst : this.#elst.slice(0, empties);
      t.edit = {
        empty: lead.reduce((s, e) => s + e.duration, 0),
        mediaTime: empties === -1 ? 0 : this.#elst[empties].time,
      };
    }
    t.codec = this.#mediaCodec(t);
    this.#init!.tracks.push(t);
  }

  #mediaCodec(t: TrackInit): MediaCodec | undefined {
    const entry = t.original ?? t.entry;
    if (entry === undefined) return undefined;
    const c = this.#codec;
    const n = (k: string) => (typeof c[k] === "string" ? undefined : Number(c[k]));
    const codec: MediaCodec = { entry };
    if (c["avcC.Level"] !== undefined) {
      const p = c["avcC.Profile"];
      const profile = typeof p === "string" ? AVC_PROFILES[p] : Number(p);
      codec.avc = {
        profile: profile ?? 0,
        constraints: n("avcC.Profile Compatibility") ?? 0,
        level: n("avcC.Level") ?? 0,
      };
    } else if (c["hvcC.Level"] !== undefined) {
      const p = c["hvcC.Profile"];
      codec.hevc = {
        profileSpace: n("hvcC.Profile Space") ?? 0,
        profile: (typeof p === "string" ? HEVC_PROFILES[p] : Number(p)) ?? 0,
        tier: n("hvcC.Tier") ?? 0,
        compatibility: n("hvcC.Profile Compatibility") ?? 0,
        constraints: BigInt(c["hvcC.Constraint"] ?? 0),
        level: n("hvcC.Level") ?? 0,
      };
    } else if (c["DecoderConfig.object_type"] !== undefined) {
      const dsi = c["DecoderConfig.DecoderSpecificInfo"];
      codec.mp4a = {
        oti: n("DecoderConfig.object_type") ?? 0,
        aot: typeof dsi === "string" ? audioObjectType(dsi) : undefined,
      };
    } else if (c["av1C.seq_profile"] !== undefined) {
      const high = n("av1C.high_bitdepth") ?? 0, twelve = n("av1C.twelve_bit") ?? 0;
      codec.av1 = {
        profile: n("av1C.seq_profile") ?? 0,
        level: n("av1C.seq_level_idx_0") ?? 0,
        tier: n("av1C.seq_tier_0") ?? 0,
        bitDepth: high ? (twelve ? 12 : 10) : 8,
      };
    } else if (c["vpcC.profile"] !== undefined) {
      codec.vp9 = {
        profile: n("vpcC.profile") ?? 0,
        level: n("vpcC.level") ?? 0,
        bitDepth: n("vpcC.bit depth") ?? 8,
      };
    }
    return codec;
  }

  #field(name: string | null, value: number | bigint | string): void {
    if (name === null) return;
    const box = this.#top;
    const v = typeof value === "string" ? NaN : num(value);
    if (this.#track && this.#stack.includes("stsd")) {
      if (box === "frma" && name === "original_format") this.#track.original = String(value);
      else if (this.#trackEntries === 1) this.#codec[`${box}.${name}`] = value;
      return;
    }
    switch (box) {
      case "mvhd":
        if (name === "timescale" && this.#init) this.#init.movieTimescale = v;
        return;
      case "tkhd":
        if (name === "id" && this.#track) this.#track.id = v;
        return;
      case "mdhd":
        if (name === "timescale" && this.#track) this.#track.timescale = v;
        return;
      case "hdlr":
        if (name === "handler_type" && this.#track) this.#track.handler = String(value);
        return;
      case "elst":
        if (name === "entry/segment duration") this.#elst.push({ duration: v, time: 0 });
        else if (name === "entry/media time" && this.#elst.length > 0) {
          this.#elst[this.#elst.length - 1].time = v;
        }
        return;
      case "trex":
        if (!this.#trex) return;
        if (name === "track id") this.#trex.id = v;
        else if (name === "default sample duration") this.#trex.duration = v;
        else if (name === "default sample flags") this.#trex.flags = v;
        return;
      case "mfhd":
        if (name === "sequence number" && this.#fragment) this.#fragment.sequence = v;
        return;
      case "tfhd":
        if (!this.#traf) return;
        if (name === "track ID") this.#traf.trackId = v;
        else if (name === "default sample duration") this.#traf.defaultDuration = v;
        else if (name === "default sample flags") this.#traf.defaultFlags = v;
        return;
      case "tfdt":
        if (name === "base media decode time" && this.#traf) {
          this.#traf.baseDecodeTime = v;
          this.#traf.decode = 0;
        }
        return;
      case "trun":
        if (name === "first sample flags") this.#trunFirstFlags = v;
        else if (this.#sample) this.#sampleField(name, v);
        return;
      case "sidx":
        this.#sidxField(name, v);
        return;
    }
  }

  #sampleField(name: string, v: number): void {
    const s = this.#sample!;
    if (name === "sample_duration") s.duration = v;
    else if (name === "sample_flags") s.flags = v;
    else if (name === "sample_composition_time_offset") s.cto = v;
  }

  #endSample(s: SampleFields): void {
    const t = this.#traf;
    if (!t) return;
    const trex = this.#trexFor(t.trackId);
    const duration = s.duration ?? t.defaultDuration ?? trex?.duration;
    if (t.samples === 0) {
      t.firstFlags = this.#trunIndex === 0 && this.#trunFirstFlags !== undefined
        ? this.#trunFirstFlags
        : s.flags ?? t.defaultFlags ?? trex?.flags;
    }
    t.ctsMin = Math.min(t.ctsMin, t.decode + s.cto);
    if (duration === undefined) t.unresolved = true;
    const d = duration ?? 0;
    t.decode += d;
    t.duration += d;
    t.maxSampleDuration = Math.max(t.maxSampleDuration, d);
    t.samples++;
    this.#trunIndex++;
  }

  #sidxField(name: string, v: number): void {
    const x = this.#sidx;
    if (!x) return;
    if (this.#ref) {
      const r = this.#ref;
      if (name === "reference_type") r.type = v;
      else if (name === "referenced_size") r.size = v;
      else if (name === "subsegment_duration") r.duration = v;
      else if (name === "starts_with_SAP") r.startsWithSap = v;
      else if (name === "SAP_type") r.sapType = v;
      return;
    }
    if (name === "reference_ID") x.referenceId = v;
    else if (name === "timescale") x.timescale = v;
    else if (name === "earliest_presentation_time") x.ept = v;
    else if (name === "first_offset") x.firstOffset = v;
  }

  addInt(name: string | null, value: number | bigint): void {
    this.#field(name, value);
  }

  addString(name: string | null, value: string): void {
    this.#field(name, value);
  }

  addFloat(): void {}

  addBytes(): void {}

  startArray(): void {}

  endArray(): void {}

  startObject(): void {
    if (this.#top === "trun") this.#sample = { cto: 0 };
    else if (this.#top === "sidx") this.#ref = {};
  }

  endObject(): void {
    if (this.#sample) {
      const s = this.#sample;
      this.#sample = undefined;
      this.#endSample(s);
    } else if (this.#ref && this.#sidx) {
      const r = this.#ref;
      this.#sidx.refs.push({
        type: r.type ?? 0,
        size: r.size ?? 0,
        duration: r.duration ?? 0,
        startsWithSap: r.startsWithSap ?? 0,
        sapType: r.sapType ?? 0,
      });
      this.#ref = undefined;
    }
  }
}

/**
 * Walks `source` with the one box walker and collects what a check needs.
 *
 * @param source the bytes (a segment, or a window of a file)
 * @param init the initialization segment's facts, for `trex` defaults (a `moov` in the walk
 *   itself is used too)
 *
 * @example
 * ```ts
 * import { FileSource } from "../mp4/reader.ts";
 * const src = await FileSource.open("init.mp4");
 * const facts = await collectMp4Facts(src);
 * src.close();
 * facts.init?.tracks[0].timescale;
 * ```
 */
export async function collectMp4Facts(source: ByteSource, init?: InitFacts): Promise<Mp4Facts> {
  const ins = new FactsInspector(init);
  ins.facts.problems = await walkBoxes(source, ins);
  return ins.facts;
}

/** Whether a sample's flags mark it as a sync sample (`sample_is_non_sync_sample` is 0). */
export function isSync(flags: number): boolean {
  return (flags & 0x10000) === 0;
}

/** `sample_depends_on` of a sample's flags (2: an I picture, depending on no other). */
export function dependsOn(flags: number): number {
  return (flags >>> 24) & 3;
}
