/**
 * Codec strings (RFC 6381 and its descendants: ISO/IEC 14496-15 for AVC and HEVC, the AV1
 * and VP9 codec ISO-BMFF bindings) against what the media says: the sample entry and its
 * configuration record, or what an MPEG-TS stream carries. AVC and HEVC are compared on
 * profile, tier, level and constraint flags, AAC on object type; AV1 and VP9 on profile, level
 * and bit depth; anything else (Opus, AC-3, E-AC-3, text) on its four-character code alone.
 *
 * @module
 */
import type { Severity } from "./problems.ts";

/** What the media says about one track's codec. */
export interface MediaCodec {
  /** The sample entry's type (the original format of an encrypted one), e.g. `avc1`. */
  entry: string;
  /** Read from MPEG-TS, where `avc1`/`avc3` and `hvc1`/`hev1` cannot be told apart. */
  fromTs?: boolean;
  /** AVC: `profile_idc`, the constraint flags byte, `level_idc`. */
  avc?: { profile: number; constraints: number; level: number };
  /** HEVC: from the `hvcC` record (or the SPS). */
  hevc?: {
    profileSpace: number;
    profile: number;
    tier: number;
    compatibility: number;
    constraints: bigint;
    level: number;
  };
  /** MPEG-4 audio: object type indication, and audio object type when known. */
  mp4a?: { oti: number; aot?: number };
  /** AV1: from `av1C`. */
  av1?: { profile: number; level: number; tier: number; bitDepth: number };
  /** VP9: from `vpcC`. */
  vp9?: { profile: number; level: number; bitDepth: number };
}

/** One difference between a codec string and the media. */
export interface CodecDifference {
  /** How bad it is. */
  severity: Severity;
  /** What differs, in words. */
  message: string;
}

const MP4A_FAMILY: Record<number, string> = {
  0x40: "aac",
  0x66: "aac",
  0x67: "aac",
  0x68: "aac",
  0x69: "mp3",
  0x6b: "mp3",
  0xa5: "ac-3",
  0xa6: "ec-3",
  0xa9: "dts",
  0xac: "dts",
  0xad: "opus",
  0xae: "ac-4",
};

/** The codec family of a four-character code (and, for `mp4a`, its object type). */
function family(fourcc: string, oti?: number, aot?: number): string {
  const f = fourcc.toLowerCase();
  if (/^avc[1-4]$/.test(f)) return "avc";
  if (f === "hvc1" || f === "hev1") return "hevc";
  if (f === "dvh1" || f === "dvhe") return "dolby-vision";
  if (f === "av01") return "av1";
  if (f === "vp09") return "vp9";
  if (f === "vp08") return "vp8";
  if (f === ".mp3") return "mp3";
  if (f === "mp4a") {
    if (oti === 0x40 && aot === 34) return "mp3";
    return oti !== undefined ? MP4A_FAMILY[oti] ?? `mp4a.${oti.toString(16)}` : "aac";
  }
  return f;
}

/** Splits a `CODECS` / `@codecs` value into its codec strings. */
export function splitCodecs(value: string): string[] {
  return value.split(",").map((s) => s.trim()).filter((s) => s !== "");
}

/** A parsed codec string: its four-character code, family and dotted fields. */
interface Declared {
  text: string;
  fourcc: string;
  family: string;
  parts: string[];
}

function parseDeclared(text: string): Declared {
  const parts = text.split(".");
  const fourcc = parts[0];
  let oti: number | undefined, aot: number | undefined;
  if (fourcc.toLowerCase() === "mp4a") {
    if (parts[1] !== undefined && /^[0-9a-f]{1,2}$/i.test(parts[1])) oti = parseInt(parts[1], 16);
    if (parts[2] !== undefined && /^\d+$/.test(parts[2])) aot = Number(parts[2]);
  }
  return { text, fourcc, family: family(fourcc, oti, aot), parts: parts.slice(1) };
}

/** The family of the media's codec. */
export function mediaFamily(m: MediaCodec): string {
  return family(m.entry, m.mp4a?.oti, m.mp4a?.aot);
}

const hex2 = (n: number) => n.toString(16).padStart(2, "0");

/** Reverses the 32 bits of `n` (HEVC codec strings write the compatibility flags reversed). */
function reverse32(n: number): number {
  let r = 0;
  for (let i = 0; i < 32; i++) r = (r << 1) | ((n >>> i) & 1);
  return r >>> 0;
}

/**
 * The codec string the media calls for, e.g. `avc1.42c00c`, `hvc1.1.6.L60.90`, `mp4a.40.2`.
 *
 * @example
 * ```ts
 * codecString({ entry: "avc1", avc: { profile: 66, constraints: 0xc0, level: 12 } });
 * // "avc1.42c00c"
 * ```
 */
export function codecString(m: MediaCodec): string {
  const entry = m.fromTs && mediaFamily(m) === "avc" ? "avc1" : m.entry;
  if (m.avc) return `${entry}.${hex2(m.avc.profile)}${hex2(m.avc.constraints)}${hex2(m.avc.level)}`;
  if (m.hevc) {
    const h = m.hevc;
    const space = ["", "A", "B", "C"][h.profileSpace] ?? "";
    const bytes: string[] = [];
    for (let i = 5; i >= 0; i--) bytes.push(hex2(Number((h.constraints >> BigInt(i * 8)) & 0xffn)));
    while (bytes.length > 0 && bytes[bytes.length - 1] === "00") bytes.pop();
    const fourcc = m.fromTs ? "hvc1" : entry;
    return [
      fourcc,
      `${space}${h.profile}`,
      reverse32(h.compatibility).toString(16),
      `${h.tier ? "H" : "L"}${h.level}`,
      ...bytes,
    ].join(".");
  }
  if (m.mp4a) {
    const oti = hex2(m.mp4a.oti);
    return m.mp4a.aot !== undefined && m.mp4a.oti === 0x40
      ? `mp4a.${oti}.${m.mp4a.aot}`
      : `mp4a.${oti}`;
  }
  if (m.av1) {
    const a = m.av1;
    return `av01.${a.profile}.${String(a.level).padStart(2, "0")}${a.tier ? "H" : "M"}.` +
      String(a.bitDepth).padStart(2, "0");
  }
  if (m.vp9) {
    const v = m.vp9;
    return `vp09.${String(v.profile).padStart(2, "0")}.${String(v.level).padStart(2, "0")}.` +
      String(v.bitDepth).padStart(2, "0");
  }
  return entry;
}

/** Compares a level the manifest declares with the media's: lower is an error, higher a warning. */
function level(declared: number, actual: number, out: CodecDifference[], label = "level"): void {
  if (declared < actual) {
    out.push({ severity: "error", message: `${label} ${declared} is below the media's ${actual}` });
  } else if (declared > actual) {
    out.push({
      severity: "warning",
      message: `${label} ${declared} is above the media's ${actual}`,
    });
  }
}

function compareAvc(d: Declared, m: MediaCodec, out: CodecDifference[]): void {
  const a = m.avc;
  if (!a) return;
  let profile: number, constraints: number | undefined, lvl: number;
  if (d.parts.length === 1 && /^[0-9a-f]{6}$/i.test(d.parts[0])) {
    const v = parseInt(d.parts[0], 16);
    profile = v >> 16;
    constraints = (v >> 8) & 0xff;
    lvl = v & 0xff;
  } else if (d.parts.length === 2 && d.parts.every((p) => /^\d+$/.test(p))) {
    profile = Number(d.parts[0]); // the old decimal form: avc1.66.30
    lvl = Number(d.parts[1]);
  } else {
    out.push({ severity: "error", message: `"${d.text}" is not an AVC codec string` });
    return;
  }
  if (profile !== a.profile) {
    out.push({ severity: "error", message: `profile ${profile} is not the media's ${a.profile}` });
  }
  level(lvl, a.level, out);
  if (constraints !== undefined && constraints !== a.constraints) {
    out.push({
      severity: "warning",
      message: `constraint flags 0x${hex2(constraints)} are not the media's 0x${
        hex2(a.constraints)
      }`,
    });
  }
}

function compareHevc(d: Declared, m: MediaCodec, out: CodecDifference[]): void {
  const h = m.hevc;
  if (!h) return;
  const [p, compat, tierLevel, ...cons] = d.parts;
  const pm = /^([ABC]?)(\d+)$/i.exec(p ?? "");
  const tm = /^([LH])(\d+)$/i.exec(tierLevel ?? "");
  if (!pm || !tm || compat === undefined || !/^[0-9a-f]{1,8}$/i.test(compat)) {
    out.push({ severity: "error", message: `"${d.text}" is not an HEVC codec string` });
    return;
  }
  const space = pm[1] === "" ? 0 : pm[1].toUpperCase().charCodeAt(0) - 64;
  if (space !== h.profileSpace || Number(pm[2]) !== h.profile) {
    out.push({
      severity: "error",
      message: `profile ${pm[1]}${pm[2]} is not the media's ${
        ["", "A", "B", "C"][h.profileSpace] ?? ""
      }${h.profile}`,
    });
  }
  const tier = tm[1].toUpperCase() === "H" ? 1 : 0;
  if (tier !== h.tier) {
    out.push({
      severity: "error",
      message: `tier ${tm[1]} is not the media's ${h.tier ? "H" : "L"}`,
    });
  }
  level(Number(tm[2]), h.level, out);
  if (reverse32(parseInt(compat, 16)) !== h.compatibility) {
    out.push({
      severity: "warning",
      message: `compatibility flags ${compat} are not the media's ${
        reverse32(h.compatibility).toString(16)
      }`,
    });
  }
  let declaredCons = 0n;
  for (let i = 0; i < 6; i++) {
    const byte = cons[i] !== undefined && /^[0-9a-f]{1,2}$/i.test(cons[i])
      ? parseInt(cons[i], 16)
      : 0;
    declaredCons = (declaredCons << 8n) | BigInt(byte);
  }
  if (declaredCons !== h.constraints) {
    out.push({
      severity: "warning",
      message: `constraint flags ${cons.join(".") || "(none)"} are not the media's`,
    });
  }
}

function compareMp4a(d: Declared, m: MediaCodec, out: CodecDifference[]): void {
  const a = m.mp4a;
  if (!a) return;
  const oti = d.parts[0] !== undefined ? parseInt(d.parts[0], 16) : undefined;
  if (oti !== undefined && oti !== a.oti && family("mp4a", oti) !== family("mp4a", a.oti)) {
    out.push({
      severity: "error",
      message: `object type indication 0x${hex2(oti)} is not the media's 0x${hex2(a.oti)}`,
    });
    return;
  }
  const aot = d.parts[1] !== undefined ? Number(d.parts[1]) : undefined;
  if (aot === undefined || a.aot === undefined || aot === a.aot) return;
  // HE-AAC (5) and HE-AACv2 (29) may be signalled implicitly: the configuration says 2.
  if ((aot === 5 || aot === 29) && a.aot === 2) return;
  if (aot === 2 && (a.aot === 5 || a.aot === 29)) {
    out.push({
      severity: "warning",
      message: `audio object type 2 (AAC-LC) declared; the media signals ${a.aot} (HE-AAC)`,
    });
    return;
  }
  out.push({ severity: "error", message: `audio object type ${aot} is not the media's ${a.aot}` });
}

function compareAv1(d: Declared, m: MediaCodec, out: CodecDifference[]): void {
  const a = m.av1;
  if (!a || d.parts.length < 3) return;
  const lm = /^(\d+)([MH])$/i.exec(d.parts[1]);
  if (!/^\d$/.test(d.parts[0]) || !lm || !/^\d+$/.test(d.parts[2])) {
    out.push({ severity: "error", message: `"${d.text}" is not an AV1 codec string` });
    return;
  }
  if (Number(d.parts[0]) !== a.profile) {
    out.push({
      severity: "error",
      message: `profile ${d.parts[0]} is not the media's ${a.profile}`,
    });
  }
  level(Number(lm[1]), a.level, out);
  if ((lm[2].toUpperCase() === "H" ? 1 : 0) !== a.tier) {
    out.push({ severity: "error", message: `tier ${lm[2]} is not the media's` });
  }
  if (Number(d.parts[2]) !== a.bitDepth) {
    out.push({
      severity: "error",
      message: `bit depth ${Number(d.parts[2])} is not the media's ${a.bitDepth}`,
    });
  }
}

function compareVp9(d: Declared, m: MediaCodec, out: CodecDifference[]): void {
  const v = m.vp9;
  if (!v || d.parts.length < 3) return;
  if (!d.parts.slice(0, 3).every((p) => /^\d+$/.test(p))) {
    out.push({ severity: "error", message: `"${d.text}" is not a VP9 codec string` });
    return;
  }
  if (Number(d.parts[0]) !== v.profile) {
    out.push({
      severity: "error",
      message: `profile ${Number(d.parts[0])} is not the media's ${v.profile}`,
    });
  }
  level(Number(d.parts[1]), v.level, out);
  if (Number(d.parts[2]) !== v.bitDepth) {
    out.push({
      severity: "error",
      message: `bit depth ${Number(d.parts[2])} is not the media's ${v.bitDepth}`,
    });
  }
}

/**
 * Compares one codec string with the media's codec. Returns no difference when they agree
 * (or when the string is of a family whose details are not compared).
 *
 * @example
 * ```ts
 * const media = { entry: "avc1", avc: { profile: 66, constraints: 0xc0, level: 12 } };
 * compareCodec("avc1.42c00c", media); // []
 * compareCodec("avc1.4d401f", media)[0].severity; // "error"
 * ```
 */
export function compareCodec(declared: string, media: MediaCodec): CodecDifference[] {
  const d = parseDeclared(declared);
  const out: CodecDifference[] = [];
  const fam = mediaFamily(media);
  if (d.family !== fam) {
    return [{ severity: "error", message: `${declared} is not the media's ${codecString(media)}` }];
  }
  // avc1/avc3 and hvc1/hev1 differ in where parameter sets are: the entry type matters.
  if ((fam === "avc" || fam === "hevc") && !media.fromTs && d.fourcc !== media.entry) {
    out.push({ severity: "error", message: `sample entry is ${media.entry}, not ${d.fourcc}` });
  }
  // A bare four-character code (`hvc1`, as ffmpeg's DASH muxer writes) names the family only.
  if (d.parts.length === 0) return out;
  if (fam === "avc") compareAvc(d, media, out);
  else if (fam === "hevc") compareHevc(d, media, out);
  else if (d.fourcc.toLowerCase() === "mp4a") compareMp4a(d, media, out);
  else if (fam === "av1") compareAv1(d, media, out);
  else if (fam === "vp9") compareVp9(d, media, out);
  return out;
}

/** Whether a codec string is of the media's family (a candidate to compare with). */
export function sameFamily(declared: string, media: MediaCodec): boolean {
  return parseDeclared(declared).family === mediaFamily(media);
}
