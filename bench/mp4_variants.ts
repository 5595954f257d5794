/**
 * Makes MP4-family files with ffmpeg that exercise what the differential corpus must cover:
 * B-frames (ctts), chapters (tref/chap, chpl), PCM (sowt, twos, in24, fl32, ipcm), ALAC,
 * TrueHD, FLAC, Opus, AC-3/E-AC-3, MP3, DTS, TTML and mov_text subtitles, HDR10 colour boxes,
 * iTunes and QuickTime metadata, 3GP/3G2, QuickTime `.mov` (ProRes, DNxHD, PNG, MJPEG,
 * Animation, raw video, timecode tracks), RTP hint tracks, CENC encryption, ISMV, and the
 * fragmenting `-movflags` variants. Each file is small (about a second of 160×90).
 *
 * Run: `deno run -A bench/mp4_variants.ts OUT_DIR [--only NAME,...]`
 *
 * A variant this ffmpeg cannot make is reported and skipped.
 *
 * @module
 */
import { join } from "node:path";

/** One file to make: its name and ffmpeg's arguments after the inputs. */
export interface Variant {
  /** The output file name (its extension picks the muxer unless `-f` is given). */
  name: string;
  /** Inputs (`-f lavfi -i …`) and options, without the output name. */
  args: string[];
  /** A file of ffmpeg metadata (chapters) to pass as an extra input. */
  metadata?: string;
}

const V = ["-f", "lavfi", "-i", "testsrc2=size=160x90:rate=25:duration=1"];
const V2 = ["-f", "lavfi", "-i", "testsrc2=size=160x90:rate=25:duration=2"];
const A = ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000:duration=1"];
const A44 = ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100:duration=1"];
const X264 = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"];
const KEY = "00112233445566778899aabbccddeeff";

const CHAPTERS = `;FFMETADATA1
title=Chapters test
[CHAPTER]
TIMEBASE=1/1000
START=0
END=1000
title=One
[CHAPTER]
TIMEBASE=1/1000
START=1000
END=2000
title=Two
`;

/** The variants, by name. */
export const VARIANTS: Variant[] = [
  { name: "bframes.mp4", args: [...V, "-c:v", "libx264", "-bf", "3", "-g", "12"] },
  {
    name: "bframes_negcts.mp4",
    args: [...V, "-c:v", "libx264", "-bf", "3", "-movflags", "+negative_cts_offsets"],
  },
  {
    name: "bframes_frag.mp4",
    args: [...V, "-c:v", "libx264", "-bf", "2", "-movflags", "frag_keyframe+empty_moov"],
  },
  {
    name: "bframes_frag_negcts.mp4",
    args: [
      ...V,
      "-c:v",
      "libx264",
      "-bf",
      "2",
      "-movflags",
      "frag_keyframe+empty_moov+negative_cts_offsets",
    ],
  },
  { name: "chapters.mp4", args: [...V2, ...A, ...X264, "-c:a", "aac"], metadata: CHAPTERS },
  { name: "chapters.mov", args: [...V2, ...A, ...X264, "-c:a", "aac"], metadata: CHAPTERS },
  {
    name: "chapters_nochpl.mp4",
    args: [...V2, ...X264, "-movflags", "+disable_chpl"],
    metadata: CHAPTERS,
  },
  { name: "pcm_s16le.mov", args: [...A, "-c:a", "pcm_s16le"] },
  { name: "pcm_s16be.mov", args: [...A, "-c:a", "pcm_s16be"] },
  { name: "pcm_s24le.mov", args: [...A, "-c:a", "pcm_s24le"] },
  { name: "pcm_f32le.mov", args: [...A, "-c:a", "pcm_f32le"] },
  { name: "alac.m4a", args: [...A44, "-c:a", "alac"] },
  { name: "alac.mov", args: [...A44, "-c:a", "alac"] },
  { name: "truehd.mp4", args: [...A, "-c:a", "truehd", "-strict", "-2"] },
  { name: "flac.mp4", args: [...A, "-c:a", "flac", "-strict", "-2"] },
  { name: "opus.mp4", args: [...A, "-c:a", "libopus", "-strict", "-2"] },
  { name: "ac3.mp4", args: [...A, "-c:a", "ac3"] },
  { name: "eac3.mp4", args: [...A, "-c:a", "eac3"] },
  { name: "mp3.mp4", args: [...A44, "-c:a", "libmp3lame"] },
  { name: "mp3.mov", args: [...A44, "-c:a", "libmp3lame"] },
  { name: "dts.mp4", args: [...A, "-c:a", "dca", "-strict", "-2"] },
  { name: "aac_he.m4a", args: [...A44, "-c:a", "aac", "-profile:a", "aac_low", "-ac", "2"] },
  {
    name: "mov_text.mp4",
    args: [...V, "-f", "lavfi", "-i", "anullsrc=duration=1", ...X264, "-c:a", "aac", "-shortest"],
  },
  { name: "hevc.mp4", args: [...V, "-c:v", "libx265", "-x265-params", "log-level=none"] },
  {
    name: "hevc_hvc1.mp4",
    args: [...V, "-c:v", "libx265", "-tag:v", "hvc1", "-x265-params", "log-level=none"],
  },
  {
    name: "hdr10.mp4",
    args: [
      ...V,
      "-c:v",
      "libx265",
      "-pix_fmt",
      "yuv420p10le",
      "-color_primaries",
      "bt2020",
      "-color_trc",
      "smpte2084",
      "-colorspace",
      "bt2020nc",
      "-x265-params",
      "log-level=none:hdr10=1:master-display=G(13250,34500)B(7500,3000)R(34000,16000)WP(15635,16450)L(10000000,1):max-cll=1000,400",
      "-tag:v",
      "hvc1",
    ],
  },
  {
    name: "hdr10.mov",
    args: [
      ...V,
      "-c:v",
      "libx265",
      "-pix_fmt",
      "yuv420p10le",
      "-color_primaries",
      "bt2020",
      "-color_trc",
      "smpte2084",
      "-colorspace",
      "bt2020nc",
      "-x265-params",
      "log-level=none",
      "-tag:v",
      "hvc1",
    ],
  },
  {
    name: "colr_bt709.mp4",
    args: [
      ...V,
      ...X264,
      "-color_primaries",
      "bt709",
      "-color_trc",
      "bt709",
      "-colorspace",
      "bt709",
      "-movflags",
      "+write_colr",
    ],
  },
  {
    name: "vp9.mp4",
    args: [...V, "-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8"],
  },
  {
    name: "av1_aom.mp4",
    args: [...V, "-c:v", "libaom-av1", "-cpu-used", "8", "-usage", "realtime"],
  },
  { name: "av1_svt.mp4", args: [...V, "-c:v", "libsvtav1", "-preset", "12"] },
  { name: "mpeg4.mp4", args: [...V, "-c:v", "mpeg4"] },
  { name: "mjpeg.mov", args: [...V, "-c:v", "mjpeg"] },
  { name: "png.mov", args: [...V, "-c:v", "png", "-frames:v", "3"] },
  { name: "prores.mov", args: [...V, "-c:v", "prores_ks", "-profile:v", "0"] },
  {
    name: "dnxhd.mov",
    args: [
      "-f",
      "lavfi",
      "-i",
      "testsrc2=size=1280x720:rate=25:duration=0.2",
      "-c:v",
      "dnxhd",
      "-b:v",
      "90M",
      "-pix_fmt",
      "yuv422p",
    ],
  },
  { name: "qtrle.mov", args: [...V, "-c:v", "qtrle", "-frames:v", "3"] },
  {
    name: "rawvideo.mov",
    args: [...V, "-c:v", "rawvideo", "-pix_fmt", "uyvy422", "-frames:v", "2"],
  },
  {
    name: "h263.3gp",
    args: [
      "-f",
      "lavfi",
      "-i",
      "testsrc2=size=176x144:rate=15:duration=1",
      ...A,
      "-c:v",
      "h263",
      "-c:a",
      "aac",
      "-ar",
      "16000",
      "-ac",
      "1",
    ],
  },
  { name: "h264.3g2", args: [...V, ...A, ...X264, "-c:a", "aac", "-ar", "16000", "-ac", "1"] },
  {
    name: "metadata_3gp.3gp",
    args: [
      ...V,
      ...X264,
      "-metadata",
      "title=Title",
      "-metadata",
      "author=Author",
      "-metadata",
      "copyright=(c) Me",
      "-metadata",
      "comment=Desc",
      "-metadata",
      "album=Album",
      "-metadata",
      "year=2024",
    ],
  },
  {
    name: "metadata.mp4",
    args: [
      ...V,
      ...A,
      ...X264,
      "-c:a",
      "aac",
      "-metadata",
      "title=Title é",
      "-metadata",
      "artist=Artist",
      "-metadata",
      "album=Album",
      "-metadata",
      "date=2024",
      "-metadata",
      "track=3/12",
      "-metadata",
      "disc=1/2",
      "-metadata",
      "genre=Rock",
      "-metadata",
      "comment=A comment",
      "-metadata",
      "compilation=1",
      "-metadata",
      "gapless_playback=1",
      "-metadata",
      "media_type=9",
      "-metadata",
      "tmpo=120",
      "-metadata",
      "custom_key=custom value",
    ],
  },
  {
    name: "metadata_mdta.mov",
    args: [
      ...V,
      ...X264,
      "-metadata",
      "title=Title",
      "-metadata",
      "com.apple.quicktime.make=Maker",
      "-movflags",
      "+use_metadata_tags",
    ],
  },
  {
    name: "metadata_mdta.mp4",
    args: [
      ...V,
      ...X264,
      "-metadata",
      "title=Title",
      "-metadata",
      "location=+48.8+002.3/",
      "-movflags",
      "+use_metadata_tags",
    ],
  },
  {
    name: "metadata_lang.mov",
    args: [
      ...V,
      ...A,
      ...X264,
      "-c:a",
      "aac",
      "-metadata:s:a:0",
      "language=fra",
      "-metadata",
      "title=Titre",
    ],
  },
  { name: "timecode.mov", args: [...V, ...X264, "-timecode", "01:00:00:00"] },
  { name: "timecode.mp4", args: [...V, ...X264, "-timecode", "01:00:00:00", "-write_tmcd", "1"] },
  { name: "rtphint.mp4", args: [...V, ...A, ...X264, "-c:a", "aac", "-movflags", "+rtphint"] },
  { name: "faststart.mp4", args: [...V, ...A, ...X264, "-c:a", "aac", "-movflags", "+faststart"] },
  {
    name: "frag_keyframe.mp4",
    args: [...V2, ...A, ...X264, "-c:a", "aac", "-g", "25", "-movflags", "frag_keyframe"],
  },
  {
    name: "frag_empty_moov.mp4",
    args: [
      ...V2,
      ...A,
      ...X264,
      "-c:a",
      "aac",
      "-g",
      "25",
      "-movflags",
      "frag_keyframe+empty_moov+default_base_moof",
    ],
  },
  {
    name: "frag_separate_moof.mp4",
    args: [
      ...V2,
      ...A,
      ...X264,
      "-c:a",
      "aac",
      "-g",
      "25",
      "-movflags",
      "frag_keyframe+empty_moov+separate_moof",
    ],
  },
  {
    name: "frag_dash.mp4",
    args: [
      ...V2,
      ...A,
      ...X264,
      "-c:a",
      "aac",
      "-g",
      "25",
      "-movflags",
      "frag_keyframe+empty_moov+dash+global_sidx",
    ],
  },
  {
    name: "frag_cmaf.mp4",
    args: [...V2, ...X264, "-g", "25", "-movflags", "cmaf+frag_keyframe+empty_moov"],
  },
  {
    name: "frag_omit_tfhd.mp4",
    args: [
      ...V2,
      ...X264,
      "-g",
      "25",
      "-movflags",
      "frag_keyframe+empty_moov+omit_tfhd_offset+skip_trailer",
    ],
  },
  {
    name: "frag_duration.mp4",
    args: [
      ...V2,
      ...A,
      ...X264,
      "-c:a",
      "aac",
      "-frag_duration",
      "300000",
      "-movflags",
      "empty_moov+default_base_moof",
    ],
  },
  {
    name: "frag_every_frame.mp4",
    args: [...V, ...X264, "-movflags", "frag_every_frame+empty_moov"],
  },
  { name: "frag_mfra.mp4", args: [...V2, ...X264, "-g", "25", "-movflags", "frag_keyframe"] },
  { name: "ismv.ismv", args: [...V2, ...A, ...X264, "-c:a", "aac", "-g", "25"] },
  { name: "isma.isma", args: [...A, "-c:a", "aac", "-f", "ismv"] },
  {
    name: "cenc_ctr.mp4",
    args: [
      ...V2,
      ...A,
      ...X264,
      "-c:a",
      "aac",
      "-g",
      "25",
      "-encryption_scheme",
      "cenc-aes-ctr",
      "-encryption_key",
      KEY,
      "-encryption_kid",
      KEY,
    ],
  },
  {
    name: "cenc_frag.mp4",
    args: [
      ...V2,
      ...X264,
      "-g",
      "25",
      "-encryption_scheme",
      "cenc-aes-ctr",
      "-encryption_key",
      KEY,
      "-encryption_kid",
      KEY,
      "-movflags",
      "frag_keyframe+empty_moov",
    ],
  },
  { name: "editlist.mp4", args: [...V, ...A, ...X264, "-c:a", "aac", "-af", "adelay=500"] },
  { name: "no_editlist.mp4", args: [...V, ...X264, "-bf", "2", "-use_editlist", "0"] },
  { name: "two_video.mp4", args: [...V, ...V, "-map", "0", "-map", "1", ...X264] },
  { name: "f4v.f4v", args: [...V, ...A, ...X264, "-c:a", "aac", "-f", "f4v"] },
  { name: "psp.mp4", args: [...V, ...A, ...X264, "-c:a", "aac", "-f", "psp"] },
  { name: "ipod.m4v", args: [...V, ...A, ...X264, "-c:a", "aac", "-f", "ipod"] },
  { name: "brand.mp4", args: [...V, ...X264, "-brand", "mp42", "-movflags", "+write_gama"] },
  {
    name: "covr.m4a",
    args: [
      ...A44,
      "-f",
      "lavfi",
      "-i",
      "testsrc2=size=32x32:duration=0.04",
      "-map",
      "0",
      "-map",
      "1",
      "-c:a",
      "aac",
      "-c:v",
      "png",
      "-disposition:v",
      "attached_pic",
    ],
  },
  { name: "gif.mov", args: [...V, "-c:v", "gif", "-frames:v", "2"] },
  {
    name: "avc_high444.mp4",
    args: [...V, "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv444p"],
  },
  {
    name: "avc_high10.mp4",
    args: [...V, "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p10le"],
  },
  {
    name: "avc3.mp4",
    args: [...V, ...X264, "-tag:v", "avc3", "-movflags", "frag_keyframe+empty_moov"],
  },
  {
    name: "stereo51.mp4",
    args: ["-f", "lavfi", "-i", "sine=duration=1:sample_rate=48000", "-ac", "6", "-c:a", "aac"],
  },
  {
    name: "ac3_51.mov",
    args: ["-f", "lavfi", "-i", "sine=duration=1:sample_rate=48000", "-ac", "6", "-c:a", "ac3"],
  },
];

async function makeOne(v: Variant, out: string): Promise<string | null> {
  const args = ["-hide_banner", "-loglevel", "error", "-y"];
  let meta: string | undefined;
  if (v.metadata) {
    meta = await Deno.makeTempFile({ suffix: ".txt" });
    await Deno.writeTextFile(meta, v.metadata);
  }
  const inputs = [...v.args];
  if (meta) {
    // the chapters file is one more input, placed after the others
    const after = inputs.lastIndexOf("-i") + 2;
    const n = countInputs(v.args);
    inputs.splice(after, 0, "-f", "ffmetadata", "-i", meta);
    inputs.push("-map", "0", "-map_chapters", String(n));
  }
  args.push(...inputs, join(out, v.name));
  const r = await new Deno.Command("ffmpeg", { args, stdout: "null", stderr: "piped" }).output();
  if (meta) await Deno.remove(meta);
  return r.success ? null : new TextDecoder().decode(r.stderr).trim().split("\n").pop() ?? "failed";
}

function countInputs(args: string[]): number {
  return args.filter((a) => a === "-i").length;
}

if (import.meta.main) {
  const out = Deno.args.find((a) => !a.startsWith("--"));
  if (!out) {
    console.error("usage: mp4_variants.ts OUT_DIR [--only NAME,...]");
    Deno.exit(2);
  }
  const only = Deno.args.includes("--only")
    ? new Set(Deno.args[Deno.args.indexOf("--only") + 1].split(","))
    : undefined;
  await Deno.mkdir(out, { recursive: true });
  let made = 0;
  for (const v of VARIANTS) {
    if (only && !only.has(v.name)) continue;
    const err = await makeOne(v, out);
    if (err) console.log(`skipped ${v.name}: ${err}`);
    else made++;
  }
  console.log(`${made} files made in ${out}`);
}
