/**
 * Codec strings against real media: the sample entries of the ffmpeg-made reference files
 * (AVC, HEVC as hvc1 and hev1, AAC, VP9, AV1, Opus, AC-3, E-AC-3, encrypted AVC+AAC), read by
 * the check's facts collector, agree with the strings ffmpeg's own DASH and HLS muxers write
 * for them and with the strings their configuration records call for (read off Bento4's
 * mp4dump output in `reference/mp4dump`); a wrong profile, level, tier, object type, bit depth
 * or family is an error. Then `dash check` on a stream of one Representation per file.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { codecString, compareCodec, type MediaCodec } from "../src/check/codecs.ts";
import { collectMp4Facts } from "../src/check/mp4_facts.ts";
import { FileSource } from "../src/mp4/reader.ts";
import { startServer } from "./server.ts";
import { FIXTURES } from "./cli_helpers.ts";
import { assertClean, assertOnlyOn, checkJson } from "./check_helpers.ts";

const CODECS = join(FIXTURES, "reference/codecs");

/** The codecs of a file's tracks, as the check reads them. */
async function mediaCodecs(file: string): Promise<MediaCodec[]> {
  const src = await FileSource.open(join(CODECS, file));
  try {
    const facts = await collectMp4Facts(src);
    return facts.init!.tracks.map((t) => t.codec!);
  } finally {
    src.close();
  }
}

const errors = (declared: string, media: MediaCodec) =>
  compareCodec(declared, media).filter((d) => d.severity === "error");

/**
 * Per file: what ffmpeg 5.1's DASH muxer writes as @codecs (and its HLS muxer as CODECS where
 * it writes one), and the full string the configuration record calls for.
 */
const EXPECTED: Record<string, { ffmpeg: string[]; full?: string }> = {
  "avc.mp4": { ffmpeg: ["avc1.42c00c"], full: "avc1.42c00c" },
  "hevc.mp4": { ffmpeg: ["hvc1", "hvc1.1.4.L60.B01"], full: "hvc1.1.6.L60.90" },
  "hev1.mp4": { ffmpeg: ["hev1"], full: "hev1.1.6.L60.90" },
  "aac.mp4": { ffmpeg: ["mp4a.40.2"], full: "mp4a.40.2" },
  "vp9.mp4": { ffmpeg: ["vp09.00.11.08"], full: "vp09.00.11.08" },
  "av1.mp4": { ffmpeg: ["av01.0.00M.08"], full: "av01.0.00M.08" },
  "opus.mp4": { ffmpeg: ["opus"] },
  "ac3.mp4": { ffmpeg: ["ac-3"] },
  "eac3.mp4": { ffmpeg: ["ec-3"] },
};

Deno.test("codec strings: ffmpeg's own strings give no error; the full strings match exactly", async () => {
  for (const [file, want] of Object.entries(EXPECTED)) {
    const [media] = await mediaCodecs(file);
    for (const s of want.ffmpeg) assert.deepEqual(errors(s, media), [], `${file}: ${s}`);
    if (want.full) {
      assert.equal(codecString(media), want.full, file);
      assert.deepEqual(compareCodec(want.full, media), [], `${file}: ${want.full}`);
    }
  }
  // An encrypted file: the original format (frma) is compared, not encv/enca.
  const [video, audio] = await mediaCodecs("cenc.mp4");
  assert.equal(codecString(video), "avc1.42c00c");
  assert.equal(codecString(audio), "mp4a.40.2");
});

Deno.test("codec strings: each wrong field is an error, a higher level or other flags a warning", async () => {
  const [avc] = await mediaCodecs("avc.mp4");
  const [hevc] = await mediaCodecs("hevc.mp4");
  const [aac] = await mediaCodecs("aac.mp4");
  const [vp9] = await mediaCodecs("vp9.mp4");
  const [av1] = await mediaCodecs("av1.mp4");
  const [ac3] = await mediaCodecs("ac3.mp4");
  for (
    const [declared, media] of [
      ["avc1.4d400c", avc], // profile
      ["avc1.42c00b", avc], // a lower level
      ["avc3.42c00c", avc], // parameter sets in band: another sample entry
      ["hvc1.2.4.L60.90", hevc], // profile
      ["hvc1.1.6.H60.90", hevc], // tier
      ["hvc1.1.6.L30.90", hevc], // a lower level
      ["hev1.1.6.L60.90", hevc], // another sample entry
      ["mp4a.40.1", aac], // object type
      ["mp4a.6B", aac], // MP3, not AAC
      ["vp09.02.11.08", vp9], // profile
      ["vp09.00.11.10", vp9], // bit depth
      ["av01.1.00M.08", av1], // profile
      ["av01.0.00H.08", av1], // tier
      ["ec-3", ac3], // E-AC-3 is not AC-3
      ["avc1.42c00c", ac3], // not even audio
    ] as const
  ) {
    assert.ok(errors(declared, media).length > 0, `${declared} should be an error`);
  }
  for (
    const [declared, media] of [
      ["avc1.42c01f", avc], // a higher level
      ["avc1.42e00c", avc], // other constraint flags
      ["hvc1.1.6.L93.90", hevc], // a higher level
      ["mp4a.40.5", aac], // HE-AAC, signalled implicitly
      ["mp4a.40.29", aac],
      ["mp4a.40", aac],
      ["vp09.00.31.08", vp9],
    ] as const
  ) {
    assert.deepEqual(errors(declared, media), [], declared);
  }
  assert.equal(compareCodec("avc1.42c01f", avc)[0].severity, "warning");
});

Deno.test("dash check: a Representation per codec, each a whole fragmented file, gives no false error", async () => {
  const reps = Object.entries(EXPECTED).map(([file, want], i) => {
    const kind = /aac|opus|ac3/.test(file) ? "audio" : "video";
    return `<AdaptationSet contentType="${kind}"><Representation id="r${i}" mimeType="${kind}/mp4" ` +
      `codecs="${
        want.full ?? want.ffmpeg[0]
      }" bandwidth="1"><BaseURL>reference/codecs/${file}</BaseURL>` +
      `</Representation></AdaptationSet>`;
  });
  reps.push(
    `<AdaptationSet><Representation id="enc" mimeType="video/mp4" codecs="avc1.42c00c,mp4a.40.2" ` +
      `bandwidth="1"><BaseURL>reference/codecs/cenc.mp4</BaseURL></Representation></AdaptationSet>`,
    `<AdaptationSet><Representation id="progressive" mimeType="video/mp4" codecs="avc1.42c00c,mp4a.40.2" ` +
      `bandwidth="1"><BaseURL>reference/codecs/progressive.mp4</BaseURL></Representation></AdaptationSet>`,
  );
  const mpd = (body: string) =>
    `<?xml version="1.0"?>\n<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" ` +
    `mediaPresentationDuration="PT2S"><Period>${body}</Period></MPD>\n`;
  const good = mpd(reps.join("\n"));
  const bad = good.replace('codecs="vp09.00.11.08"', 'codecs="vp09.02.11.08"');
  await using server = startServer({
    root: FIXTURES,
    routes: { "/good.mpd": good, "/bad.mpd": bad },
  });
  const clean = await checkJson(["dash", "check", `${server.url}good.mpd`]);
  assertClean(clean.report, "codecs");
  assert.equal(clean.code, 0);
  assert.equal(clean.report.tracks.length, 11);
  const wrong = await checkJson(["dash", "check", `${server.url}bad.mpd`]);
  assertOnlyOn(wrong.report, { code: "codec-mismatch", track: "r4", segment: "vp9.mp4" });
});
