/**
 * The facts a check collects from MP4 (`mp4_facts.ts` collects them): what an initialization
 * segment declares per track, what each movie fragment and segment index says.
 *
 * @module
 */
import type { Mp4Problem } from "../mp4/walker.ts";
import type { MediaCodec } from "./codecs.ts";

/** An edit list reduced to what timing needs: leading empty time and the first media time. */
export interface EditFacts {
  /** Summed duration of the leading empty edits, in the movie timescale. */
  empty: number;
  /** `media_time` of the first non-empty edit (the media time shown first). */
  mediaTime: number;
}

/** One track of an initialization segment. */
export interface TrackInit {
  /** `tkhd` track id. */
  id: number;
  /** `mdhd` timescale. */
  timescale?: number;
  /** `hdlr` handler type (`vide`, `soun`, `text`, `subt`, …). */
  handler?: string;
  /** The first sample entry's type, e.g. `avc1`, `encv`. */
  entry?: string;
  /** The original format of an encrypted entry (`frma`). */
  original?: string;
  /** What the sample entry and its configuration record say. */
  codec?: MediaCodec;
  /** The edit list, when there is one. */
  edit?: EditFacts;
  /** `trex` defaults for its fragments. */
  trex?: { duration: number; flags: number };
}

/** What an initialization segment (a `moov`) declares. */
export interface InitFacts {
  /** `mvhd` timescale (edit list durations are in it). */
  movieTimescale?: number;
  /** Its tracks in order. */
  tracks: TrackInit[];
  /** Whether it has `mvex` (its media comes in fragments). */
  fragmented: boolean;
}

/** One `traf`: a track's run of samples in a fragment. */
export interface TrafFacts {
  /** `tfhd` track id. */
  trackId: number;
  /** `tfdt` base media decode time, when present. */
  baseDecodeTime?: number;
  /** Samples in its `trun`s. */
  samples: number;
  /** Sum of the sample durations (media timescale). */
  duration: number;
  /** Whether some durations had no value (no `trun`, `tfhd` or `trex` default). */
  unresolved: boolean;
  /** The longest sample duration. */
  maxSampleDuration: number;
  /** The earliest composition time relative to `baseDecodeTime` (0 without offsets). */
  ctsMin: number;
  /** The first sample's flags, when known. */
  firstFlags?: number;
}

/** A movie fragment: its `moof` and `traf`s. */
export interface FragmentFacts {
  /** Offset of the `moof` in the walked bytes. */
  offset: number;
  /** `mfhd` sequence number. */
  sequence?: number;
  /** Its track fragments. */
  trafs: TrafFacts[];
}

/** One reference of a `sidx`. */
export interface SidxReference {
  /** 1 for a reference to another `sidx`. */
  type: number;
  /** `referenced_size`. */
  size: number;
  /** `subsegment_duration`. */
  duration: number;
  /** `starts_with_SAP`. */
  startsWithSap: number;
  /** `SAP_type`. */
  sapType: number;
}

/** A segment index box. */
export interface SidxFacts {
  /** Offset of the box. */
  offset: number;
  /** Size of the box. */
  size: number;
  /** `reference_ID`. */
  referenceId: number;
  /** `timescale`. */
  timescale: number;
  /** `earliest_presentation_time`. */
  ept: number;
  /** `first_offset`. */
  firstOffset: number;
  /** Its references. */
  refs: SidxReference[];
}

/** A top-level box: its type, offset and size. */
export interface TopBox {
  /** Type as printed (`moof`, `mdat`). */
  type: string;
  /** Offset in the walked bytes. */
  offset: number;
  /** Size in bytes. */
  size: number;
}

/** Everything collected from one walk. */
export interface Mp4Facts {
  /** Top-level boxes in order. */
  boxes: TopBox[];
  /** The `moov` found in this walk, if any. */
  init?: InitFacts;
  /** Movie fragments in order. */
  fragments: FragmentFacts[];
  /** Segment indexes in order. */
  sidx: SidxFacts[];
  /** What the walker found damaged. */
  problems: Mp4Problem[];
}
