/**
 * The demo's sample stream: 4 seconds of ffmpeg's `testsrc2` picture and two sine tones,
 * cut into 2-second fragmented-MP4 segments and described twice — as a DASH MPD
 * (`manifest.mpd`: video at 256x144 and 128x72, AAC audio in English and French,
 * SegmentTemplate + SegmentTimeline) and as an HLS master (`master.m3u8`: two video
 * variants and an audio group with both languages), over the same segment files.
 *
 * The files live inside the program (base64 in `sample_data.ts`, made by
 * `make_sample.sh`), so the demo reads nothing from disk and works the same from
 * `deno run`, from the `deno bundle` output and from a compiled binary.
 *
 * @example
 * ```ts
 * import { SAMPLE_MPD, sampleFiles } from "./sample.ts";
 *
 * const mpd = new TextDecoder().decode(sampleFiles().get(SAMPLE_MPD));
 * ```
 *
 * @module
 */
import { SAMPLE_FILES } from "./sample_data.ts";

/** The path of the sample's DASH manifest under the served root. */
export const SAMPLE_MPD = "manifest.mpd";

/** The path of the sample's HLS master playlist under the served root. */
export const SAMPLE_MASTER = "master.m3u8";

let decoded: ReadonlyMap<string, Uint8Array> | undefined;

/**
 * Every file of the sample: its path under the served root (no leading slash) → its
 * bytes, in path order. Decoded on first use; callers must not modify the arrays.
 */
export function sampleFiles(): ReadonlyMap<string, Uint8Array> {
  decoded ??= new Map(SAMPLE_FILES.map(([path, base64]) => [path, Uint8Array.fromBase64(base64)]));
  return decoded;
}

/** The total size of the sample in bytes. */
export function sampleSize(): number {
  let total = 0;
  for (const bytes of sampleFiles().values()) total += bytes.length;
  return total;
}
