/**
 * A small generator of synthetic MP4 files for what ffmpeg cannot make: boxes written byte by
 * byte to exercise mp4dump's printing rules (pssh v1, tenc v1, senc IV-size inference, saiz/saio
 * aux info type, sgpd versions, PIFF boxes, QuickTime `meta` without version/flags, dvcC, dac4,
 * iods, track reference kinds, 3GPP asset boxes, four-character codes with NUL bytes, a 64-bit
 * `moov`, iTunes items, damage). `tests/fixtures/mp4-parity/make_fixtures.sh` runs it, and
 * `tests/mp4_parity_test.ts` checks that it still writes the committed files.
 *
 * Run: `deno run -A tests/mp4_synth.ts OUT_DIR`
 *
 * @module
 */
import { join } from "node:path";

type Part = Uint8Array | number[] | string;

/** Concatenates parts: byte arrays, arrays of bytes, and strings (one byte per character). */
export function bytes(...parts: Part[]): Uint8Array {
  const arrays = parts.map((p) =>
    typeof p === "string"
      ? Uint8Array.from(p, (c) => c.charCodeAt(0))
      : p instanceof Uint8Array
      ? p
      : Uint8Array.from(p)
  );
  const out = new Uint8Array(arrays.reduce((n, a) => n + a.length, 0));
  let at = 0;
  for (const a of arrays) {
    out.set(a, at);
    at += a.length;
  }
  return out;
}

/** Big-endian 8/16/24/32-bit and 64-bit integers. */
export const u8 = (v: number): number[] => [v & 255];
export const u16 = (v: number): number[] => [(v >>> 8) & 255, v & 255];
export const u24 = (v: number): number[] => [(v >>> 16) & 255, (v >>> 8) & 255, v & 255];
export const u32 = (v: number): number[] => [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255];
export const u64 = (
  v: bigint,
): number[] => [...u32(Number(v >> 32n)), ...u32(Number(v & 0xffffffffn))];

/** A box of `type` holding `parts`. */
export function box(type: string, ...parts: Part[]): Uint8Array {
  const body = bytes(...parts);
  return bytes(u32(body.length + 8), type, body);
}

/** A full box (version and flags first). */
export function full(type: string, version: number, flags: number, ...parts: Part[]): Uint8Array {
  return box(type, u8(version), u24(flags), ...parts);
}

/** A box with a 64-bit size. */
export function largeBox(type: string, ...parts: Part[]): Uint8Array {
  const body = bytes(...parts);
  return bytes(u32(1), type, u64(BigInt(body.length + 16)), body);
}

/** A box with the given 32-bit size field, whatever its content (for damage). */
export function sizedBox(size: number, type: string, ...parts: Part[]): Uint8Array {
  return bytes(u32(size), type, ...parts);
}

const zeros = (n: number): number[] => new Array(n).fill(0);
const KID = bytes("0123456789abcdef");
const FTYP = box("ftyp", "isom", u32(0x200), "isomiso6");
const MVHD = full(
  "mvhd",
  0,
  0,
  zeros(8),
  u32(600),
  u32(771),
  u32(0x10000),
  u16(0x100),
  zeros(10),
  u32(0x10000),
  zeros(12),
  u32(0x10000),
  zeros(12),
  u32(0x40000000),
  zeros(24),
  u32(2),
);

function tkhd(flags: number, opts: { layer?: number; width?: number; height?: number } = {}) {
  return full(
    "tkhd",
    0,
    flags,
    zeros(8),
    u32(1),
    zeros(4),
    u32(1000),
    zeros(8),
    u16(opts.layer ?? 0),
    u16(0),
    u16(0x100),
    zeros(2),
    u32(0x10000),
    u32(0),
    u32(0),
    u32(0),
    u32(0xffff0000),
    u32(0),
    u32(0),
    u32(0),
    u32(0x40000000),
    u32(opts.width ?? 0x00a00000),
    u32(opts.height ?? 0x005a8000),
  );
}

function mdhd(version: number, lang: number, duration = 1000n, timescale = 48000) {
  return version === 1
    ? full("mdhd", 1, 0, zeros(16), u32(timescale), u64(duration), u16(lang), zeros(2))
    : full("mdhd", 0, 0, zeros(8), u32(timescale), u32(Number(duration)), u16(lang), zeros(2));
}

const hdlr = (type: string, name: string) =>
  full("hdlr", 0, 0, zeros(4), type, zeros(12), name, [0]);

function visual(type: string, ...children: Uint8Array[]): Uint8Array {
  const name = bytes([10], "synthetic!", zeros(21));
  return box(
    type,
    zeros(6),
    u16(1),
    zeros(16),
    u16(160),
    u16(90),
    u32(0x480000),
    u32(0x480000),
    zeros(4),
    u16(1),
    name,
    u16(24),
    u16(0xffff),
    ...children,
  );
}

function audio(type: string, version: number, extra: Part, ...children: Uint8Array[]) {
  return box(
    type,
    zeros(6),
    u16(1),
    u16(version),
    zeros(6),
    u16(2),
    u16(16),
    zeros(4),
    u32(48000 << 16),
    extra,
    ...children,
  );
}

function trak(_id: number, handler: string, entries: Uint8Array[], ...extra: Uint8Array[]) {
  const stsd = full("stsd", 0, 0, u32(entries.length), ...entries);
  const stbl = box(
    "stbl",
    stsd,
    full("stts", 0, 0, u32(0)),
    full("stsc", 0, 0, u32(0)),
    full("stsz", 0, 0, u32(0), u32(0)),
    full("stco", 0, 0, u32(0)),
  );
  const minf = box(
    "minf",
    full("nmhd", 0, 0),
    box("dinf", full("dref", 0, 0, u32(1), full("url ", 0, 1))),
    stbl,
  );
  return box("trak", tkhd(3), ...extra, box("mdia", mdhd(0, 0x55c4), hdlr(handler, "h"), minf));
}

/** The synthetic files, by name. */
export function synthFiles(): Record<string, Uint8Array> {
  const files: Record<string, Uint8Array> = {};

  // Common Encryption: pssh v0/v1 (and Marlin), tenc v0/v1 with a constant IV, senc/saiz/saio
  const marlinData = bytes(box("marl", full("mkid", 0, 0, u32(0))), box("free"));
  const pssh = [
    full(
      "pssh",
      1,
      0,
      "\x10\x77\xef\xec\xc0\xb2\x4d\x02\xac\xe3\x3c\x1e\x52\xe2\xfb\x4b",
      u32(2),
      KID,
      bytes("fedcba9876543210"),
      u32(0),
    ),
    full("pssh", 0, 0, "\xed\xef\x8b\xa9\x79\xd6\x4a\xce\xa3\xc8\x27\xdc\xd5\x1d\x21\xed", u32(4), [
      8,
      1,
      18,
      16,
    ]),
    full(
      "pssh",
      0,
      0,
      "\x69\xf9\x08\xaf\x48\x16\x46\xea\x91\x0c\xcd\x5d\xcc\xcb\x0a\x3a",
      u32(marlinData.length),
      marlinData,
    ),
  ];
  const sinf = (scheme: string, tenc: Uint8Array) =>
    box("sinf", box("frma", "avc1"), full("schm", 0, 0, scheme, u32(0x10000)), box("schi", tenc));
  const encv1 = visual(
    "encv",
    sinf("cbcs", full("tenc", 1, 0, [0, 0x19, 1, 0], KID, [16], bytes("constant-iv-0123"))),
  );
  const encv0 = visual("encv", sinf("cenc", full("tenc", 0, 0, [0, 0, 1, 8], KID)));
  const ivs8 = bytes(zeros(8), [1, 2, 3, 4, 5, 6, 7, 8]);
  const subs16 = bytes(
    zeros(16),
    u16(2),
    u16(5),
    u32(100),
    u16(7),
    u32(200),
    zeros(15),
    [9],
    u16(1),
    u16(1),
    u32(3),
  );
  const traf = box(
    "traf",
    full("tfhd", 0, 0x2002a, u32(1), u32(1), u32(1024), u32(0x1010000)),
    full("tfdt", 1, 0, u64(90000n)),
    full(
      "trun",
      1,
      0xf05,
      u32(2),
      u32(-8 >>> 0),
      u32(0x2000000),
      u32(1),
      u32(100),
      u32(0x10000),
      u32(-512 >>> 0),
      u32(1),
      u32(200),
      u32(0x10000),
      u32(512),
    ),
    full("saiz", 0, 1, "cenc", u32(0), [0], u32(2), [8, 8]),
    full("saio", 1, 1, "cenc", u32(0), u32(1), u64(1234n)),
    full("senc", 0, 0, u32(2), ivs8),
    full("senc", 0, 2, u32(2), subs16),
    full("senc", 0, 1, u24(1), u8(8), KID, u32(1), zeros(8)),
    full("sbgp", 1, 0, "seig", u32(7), u32(1), u32(2), u32(1)),
    full("sgpd", 0, 0, "roll", u32(2), u16(0xffff), u16(1)),
    full("sgpd", 1, 0, "seig", u32(0), u32(2), u32(20), zeros(20), u32(20), zeros(20)),
    full("sgpd", 1, 0, "seig", u32(4), u32(2), [1, 2, 3, 4], [5, 6, 7, 8]),
    full("sgpd", 2, 0, "seig", u32(4), u32(1), u32(1), [1, 2, 3, 4]),
  );
  files["cenc_boxes.mp4"] = bytes(
    FTYP,
    box("moov", MVHD, ...pssh, trak(1, "vide", [encv0, encv1])),
    box("moof", full("mfhd", 0, 0, u32(1)), traf),
    box("mdat", zeros(16)),
  );

  // PIFF: track and sample encryption uuid boxes, an unknown uuid box
  const piffTenc = bytes(
    u32(8 + 16 + 4 + 20),
    "uuid",
    "\x89\x74\xdb\xce\x7b\xe7\x4c\x51\x84\xf9\x71\x48\xf9\x88\x25\x54",
    u8(0),
    u24(0),
    u24(1),
    u8(8),
    KID,
  );
  const piffSenc = bytes(
    u32(8 + 16 + 4 + 4 + 2 * 8 + 2 * 8),
    "uuid",
    "\xa2\x39\x4f\x52\x5a\x9b\x4f\x14\xa2\x44\x6c\x42\x7c\x64\x8d\xf4",
    u8(0),
    u24(2),
    u32(2),
    zeros(8),
    u16(1),
    u16(2),
    u32(3),
    zeros(8),
    u16(1),
    u16(4),
    u32(5),
  );
  const otherUuid = bytes(u32(8 + 16 + 3), "uuid", "0123456789ABCDEF", "xyz");
  files["piff.ismv"] = bytes(
    FTYP,
    box(
      "moov",
      MVHD,
      trak(1, "vide", [
        visual(
          "encv",
          box(
            "sinf",
            box("frma", "avc1"),
            full("schm", 0, 0, "piff", u32(0x10001)),
            box("schi", piffTenc),
          ),
        ),
      ]),
    ),
    box(
      "moof",
      full("mfhd", 0, 0, u32(1)),
      box(
        "traf",
        full("tfhd", 0, 0x20, u32(1), u32(0x1010000)),
        full("trun", 0, 0x201, u32(2), u32(8), u32(10), u32(20)),
        piffSenc,
      ),
    ),
    otherUuid,
    box("mdat", zeros(30)),
  );

  // sample entries and codec configurations ffmpeg does not write
  const dvcc = box("dvcC", [1, 0, 5 << 1, (6 << 3) | 5, 0x20], zeros(19));
  const dvvc = box("dvvC", [1, 0, 8 << 1, (4 << 3) | 7, 0x10], zeros(19));
  const hvcc = box(
    "hvcC",
    [1, 0x41],
    u32(0x60000000),
    u16(0x9000),
    u32(0),
    [93],
    u16(0xf000),
    [0xfc, 0xfd, 0xf8, 0xf8],
    u16(0),
    [0x0f],
    [0],
  );
  const dac4 = box("dac4", [
    0x20,
    0xa6,
    0x01,
    0x40,
    0x00,
    0x00,
    0x00,
    0x1f,
    0xff,
    0xff,
    0xff,
    0xe0,
    0x01,
    0x0e,
    0xf9,
    0x00,
    0x00,
    0x09,
    0x08,
    0x00,
    0x00,
    0x24,
    0x00,
    0x00,
    0x09,
    0x08,
    0x00,
    0x00,
  ]);
  const dec3 = box("dec3", [0x0c, 0x00, 0x20, 0x0f, 0x00, 0x01, 0x10]);
  const dmlp = box("dmlp", u32(0x12345678), u16(0x8123), u32(0));
  const alacEntry = audio(
    "alac",
    0,
    [],
    full("alac", 0, 0, u32(4096), [0, 16, 40, 10, 14, 2], u16(255), u32(0), u32(0), u32(48000)),
  );
  const qtV1 = audio(
    "mp4a",
    1,
    bytes(u32(1024), u32(1), u32(4), u32(2)),
    box(
      "wave",
      box("frma", "mp4a"),
      box("mp4a", zeros(4)),
      full("esds", 0, 0, [3, 25, 0, 1, 0, 4, 17, 0x40, 0x15], zeros(3), u32(128000), u32(128000), [
        5,
        2,
        0x11,
        0x90,
        6,
        1,
        2,
      ]),
      bytes(u32(8), zeros(4)),
    ),
  );
  const qtV2 = audio(
    "lpcm",
    2,
    bytes(
      u32(76),
      u64(0x40e7700000000000n),
      u32(6),
      u32(0x7f000000),
      u32(24),
      u32(12),
      u32(18),
      u32(1),
      u32(0xabcd),
    ),
  );
  const avcc244 = box(
    "avcC",
    [1, 244, 0, 30, 0xff, 0xe1],
    u16(4),
    [0x67, 0xf4, 0, 30],
    [1],
    u16(2),
    [0x68, 0xce],
  );
  const avccV0 = box("avcC", [0, 100, 0, 30, 0xff, 0xe0, 0]);
  const vpcc = full("vpcC", 1, 0, [1, 31, 0x85, 1, 1, 1], u16(2), [0xaa, 0xbb]);
  const colr = (kind: string, n: number) =>
    box("colr", kind, u16(9), u16(16), u16(9), n === 11 ? [0x80] : []);
  files["sample_entries.mp4"] = bytes(
    FTYP,
    box(
      "moov",
      MVHD,
      trak(1, "vide", [
        visual("dvh1", hvcc, dvcc, colr("nclx", 11), box("pasp", u32(1), u32(1))),
        visual("hvc1", hvcc, dvvc, colr("nclc", 10), colr("prof", 11)),
        visual("avc1", avcc244, box("btrt", u32(0), u32(1000), u32(900))),
        visual("avc3", avccV0, box("av1C")),
        visual("vp09", vpcc),
        visual("dav1", box("av1C", [0x81, 0x0d, 0x0c, 0x10])),
        visual(
          "mp4v",
          full(
            "esds",
            0,
            0,
            [3, 0x80, 0x80, 0x80, 22, 0, 2, 0x1f],
            [4, 13, 0x20, 0x11],
            zeros(3),
            u32(0),
            u32(0),
            [5, 30, 0, 0],
          ),
        ),
      ]),
      trak(2, "soun", [
        audio("ac-4", 0, [], dac4),
        audio("ec-3", 0, [], dec3),
        audio("mlpa", 0, [], dmlp),
        alacEntry,
        qtV1,
        qtV2,
        audio("enca", 0, [], box("dac3", [0x10, 0x3d, 0xc0]), dec3),
      ]),
      trak(3, "text", [
        box("wvtt", zeros(6), u16(1), box("vttC", "WEBVTT")),
        box(
          "stpp",
          zeros(6),
          u16(1),
          "http://www.w3.org/ns/ttml",
          [0],
          [0],
          "image/png",
          [0],
          box("btrt", u32(0), u32(1), u32(1)),
        ),
        box("c608", zeros(6), u16(1)),
        box("tmcd", zeros(6), u16(1), zeros(20)),
        box("tx3g", zeros(6), u16(1), zeros(30)),
        box("mett", zeros(6), u16(1), "text/x", [0], [0]),
        box("ipcm", zeros(6), u16(1), zeros(20), full("pcmC", 0, 0, [1, 16])),
        box("rtp ", zeros(6), u16(1), u16(1), u16(1), u32(1450), box("tims", u32(90000))),
      ]),
    ),
  );

  // stsd with more (and fewer) entries than its entry_count; an entry with a 64-bit size
  files["stsd_counts.mp4"] = bytes(
    FTYP,
    box(
      "moov",
      MVHD,
      box(
        "trak",
        box(
          "mdia",
          box(
            "minf",
            box(
              "stbl",
              full("stsd", 0, 0, u32(1), visual("avc1"), visual("avc2")),
              full("stsd", 0, 0, u32(3), visual("avc1")),
              full("stsd", 0, 0, u32(2), visual("avc1"), largeBox("avc1", zeros(78))),
              full("stsd", 2, 0, u32(0)),
            ),
          ),
        ),
      ),
    ),
  );

  // tref kinds, iods, udta with 3GPP/DCF strings, iTunes items, QuickTime meta without version
  const trefs = box(
    "tref",
    box("hint", u32(2)),
    box("cdsc", u32(1), u32(3)),
    box("chap", u32(4)),
    box("sync", u32(5)),
    box("tmcd", u32(6)),
    box("auxl", u32(7)),
    box("vdep", u32(8)),
  );
  const iods = full(
    "iods",
    0,
    0,
    [0x10, 7, 0x00, 0x4f, 0xff, 0xff, 0x29, 0x15, 0xff],
    [0x0e, 4],
    u32(1),
    [0x0f, 2],
    u16(9),
  );
  const loc = (type: string, lang: number, text: string) => full(type, 0, 0, u16(lang), text, [0]);
  const udta = box(
    "udta",
    loc("titl", 0x15c7, "A title"),
    loc("auth", 0x15c7, "An author"),
    loc("cprt", 0, "(c) \x80"),
    loc("perf", 0x15c7, "Perf"),
    loc("gnre", 0x15c7, "Genre"),
    loc("dscp", 0x15c7, "Tab\there"),
    full("loci", 0, 0, u16(0x15c7), "Place", [0], zeros(13)),
    full("icnu", 0, 0, "http://x/i"),
    full("dcfD", 0, 0, u32(12345)),
    box("\xa9too", u16(5), u16(0), "tool!"),
    full(
      "meta",
      0,
      0,
      hdlr("mdir", "appl"),
      box(
        "ilst",
        box("\xa9nam", box("data", u32(1), u32(0), 'Quote " back\\ \x01 é')),
        box("trkn", box("data", u32(0), u32(0), zeros(2), u16(3), u16(12), zeros(2))),
        box("tmpo", box("data", u32(21), u32(0), u16(0xff88))),
        box("cpil", box("data", u32(21), u32(0), [1])),
        box("rtng", box("data", u32(21), u32(0), [1, 2, 3])),
        box("plID", box("data", u32(21), u32(0), u64(1n << 40n))),
        box("sfID", box("data", u32(21), u32(0), u32(0xfffffffe))),
        box("covr", box("data", u32(14), u32(0), [0xff, 0xd8, 0xff])),
        box("\xa9cmt", box("data", u32(1), u32(0), "bad \xff\xfe utf8 \x1f")),
        box(
          "----",
          box("mean", u32(0), "com.apple.iTunes"),
          box("name", u32(0), "iTunSMPB"),
          box("data", u32(1), u32(0), " 00000000"),
        ),
        box("xyzw", box("data", u32(1), u32(0), "unknown item")),
        box("free", zeros(4)),
      ),
    ),
  );
  const qtMeta = box(
    "meta",
    hdlr("mdta", ""),
    box("keys", u32(0), u32(1), box("mdta", "com.apple.quicktime.title")),
    box("ilst", box("\x00\x00\x00\x01", box("data", u32(1), u32(0), "QT title"))),
  );
  files["metadata.mp4"] = bytes(
    FTYP,
    box("moov", MVHD, iods, box("trak", tkhd(1, { layer: 0xffff }), trefs), udta, qtMeta),
  );

  // four-character codes with NUL bytes, odd header fields, edit lists, languages
  files["fourcc_nul.mp4"] = bytes(
    box("ftyp", "ab\0\0", u32(1), "\0\0\0\0", "mp41", "\xa9x\x01y"),
    box(
      "moov",
      MVHD,
      box(
        "trak",
        tkhd(0, { width: 0x00a01234, height: 0x7fffffff }),
        box(
          "edts",
          full(
            "elst",
            1,
            0,
            u32(2),
            u64(1000n),
            u64(0xffffffffffffffffn),
            u16(1),
            u16(0),
            u64(5n),
            u64(7n),
            u16(0xffff),
            u16(0),
          ),
        ),
        box(
          "mdia",
          mdhd(1, 0x7fff, 0xffffffffffffffffn, 600),
          full("hdlr", 0, 0, zeros(4), "s\0b\0", zeros(12), [9], "QuickTime"),
          box(
            "minf",
            full("vmhd", 0, 1, u16(64), [1, 2, 3, 4, 0xff, 0]),
            full("smhd", 0, 0, u16(0xff00), zeros(2)),
            full("hmhd", 0, 0, u16(1), u16(2), u32(3), u32(4), zeros(4)),
            box(
              "dinf",
              full(
                "dref",
                0,
                0,
                u32(2),
                full("url ", 0, 0, "http://e/x\0"),
                full("urn ", 0, 0, "urn:x\0loc\0"),
              ),
            ),
            box(
              "stbl",
              full("ctts", 1, 0, u32(2), u32(1), u32(-2 >>> 0), u32(3), u32(4)),
              full("stz2", 0, 0, zeros(3), [4], u32(3), [0x12, 0x30]),
              full("co64", 0, 0, u32(1), u64(1n << 33n)),
              full("stss", 0, 0, u32(2), u32(1), u32(5)),
              full("stsc", 0, 0, u32(2), u32(1), u32(3), u32(1), u32(4), u32(2), u32(1)),
              full("stts", 0, 0, u32(1), u32(5), u32(1024)),
            ),
          ),
        ),
      ),
      box("trak", tkhd(1), box("mdia", mdhd(0, 0))),
    ),
    box("\x01\x02ab", zeros(4)),
    full("pdin", 0, 0, u32(1000), u32(2), u32(2000), u32(1)),
    box(
      "mfra",
      full("tfra", 1, 0, u32(1), u32(0x3f), u32(1), u64(1n), u64(2n), u32(3), u32(4), u32(5)),
      full("mfro", 0, 0, u32(8)),
    ),
  );

  // a 64-bit moov: mp4dump stops there (and a 64-bit mdat and free before it)
  files["largesize.mp4"] = bytes(
    FTYP,
    largeBox("free", zeros(4)),
    largeBox("mdat", zeros(8)),
    largeBox("moov", MVHD),
    box("free"),
  );

  // size 0: the last box runs to the end of the file
  files["size0.mp4"] = bytes(FTYP, box("moov", MVHD), sizedBox(0, "mdat", zeros(100)));

  // damage: an esds whose last descriptor is cut, a bad child in udta/meta, trailing bytes
  files["damaged.mp4"] = bytes(
    FTYP,
    box(
      "moov",
      MVHD,
      trak(1, "soun", [
        audio(
          "mp4a",
          0,
          [],
          full(
            "esds",
            0,
            0,
            [3, 25, 0, 1, 0, 4, 17, 0x40, 0x15],
            zeros(3),
            u32(128000),
            u32(128000),
            [5, 9, 0x11, 0x90],
          ),
        ),
      ]),
      box(
        "udta",
        box("meta", u8(0), u24(0), hdlr("mdir", "appl"), sizedBox(4000, "ilst", zeros(8))),
        box("free", zeros(2)),
      ),
    ),
    box("moof", full("mfhd", 0, 0, u32(1)), sizedBox(9999, "traf", zeros(8))),
    full(
      "sidx",
      1,
      0,
      u32(1),
      u32(1000),
      u64(0n),
      u64(0n),
      u16(0),
      u16(2),
      u32(100),
      u32(1000),
      u32(0x90000000),
    ),
    box("emsg", zeros(20)),
    [0, 0, 0],
  );

  // fields that run past their box into the next one, and past the end of the file
  files["overrun.mp4"] = bytes(
    FTYP,
    box(
      "moov",
      box("mvhd", u32(0)),
      full("mehd", 1, 0),
      box("trak", full("tkhd", 0, 0, zeros(8)), box("tref", box("chap", [1, 2]))),
    ),
    full("stts", 0, 0, u32(3), u32(1), u32(2)),
    box("ftyp"),
  );
  return files;
}

if (import.meta.main) {
  const out = Deno.args[0];
  if (!out) {
    console.error("usage: mp4_synth.ts OUT_DIR");
    Deno.exit(2);
  }
  Deno.mkdirSync(out, { recursive: true });
  for (const [name, data] of Object.entries(synthFiles())) {
    Deno.writeFileSync(join(out, name), data);
  }
}
