/**
 * The AC-4 decoder specific information box `dac4` (ETSI TS 103 190-2 annex E), read as far as
 * Bento4 reads it: the DSI header, the bit rate and, per presentation, the fields mp4dump lists.
 *
 * @module
 */
import type { Inspector } from "../inspect.ts";
import { type BoxCodec, plainBox } from "./codec.ts";

/** Reads bits most significant first; past the end it reads zeros. */
class Bits {
  #data: Uint8Array;
  /** Bits read so far. */
  pos = 0;

  constructor(data: Uint8Array) {
    this.#data = data;
  }

  /** The next `n` bits (n ≤ 32) as an unsigned number. */
  read(n: number): number {
    let v = 0;
    for (let i = 0; i < n; i++) {
      const byte = this.#data[this.pos >> 3] ?? 0;
      v = v * 2 + ((byte >> (7 - (this.pos & 7))) & 1);
      this.pos++;
    }
    return v;
  }

  /** Skips `n` bits. */
  skip(n: number): void {
    this.pos += n;
  }

  /** Skips to the next byte boundary. */
  align(): void {
    if (this.pos % 8) this.pos += 8 - (this.pos % 8);
  }
}

type Fields = [string, number, boolean?][];

/** Reads one presentation (`ac4_presentation_v1_dsi` or v0) and returns its listed fields. */
function presentation(b: Bits, version: number): Fields {
  if (version === 0) {
    const config = b.read(5);
    let mdcompat = 0, id = 0, rate = 0, emdf = 0, key = 0, mask = 0;
    if (config !== 6) {
      mdcompat = b.read(3);
      if (b.read(1)) id = b.read(5);
      rate = b.read(2);
      emdf = b.read(5);
      key = b.read(10);
      mask = b.read(24);
    }
    b.align();
    return [
      ["presentation_config", config],
      ["mdcompat", mdcompat],
      ["presentation_id", id],
      ["dsi_frame_rate_multiply_info", rate],
      ["presentation_emdf_version", emdf],
      ["presentation_key_id", key],
      ["presentation_channel_mask", mask, true],
    ];
  }
  if (version !== 1 && version !== 2) return [];
  const config = b.read(5);
  let mdcompat = 0, id = 0, rate = 0, fraction = 0, emdf = 0, key = 0, coded = 0, chMode = 0;
  let back = 0, top = 0, mask = 0, addEmdf = 0;
  if (config === 6) {
    addEmdf = 1;
  } else {
    mdcompat = b.read(3);
    if (b.read(1)) id = b.read(5);
    rate = b.read(2);
    fraction = b.read(2);
    emdf = b.read(5);
    key = b.read(10);
    coded = b.read(1);
    if (coded) {
      chMode = b.read(5);
      if (chMode >= 11 && chMode <= 14) {
        back = b.read(1);
        top = b.read(2);
      }
      mask = b.read(24);
    } else {
      mask = 0x800000;
    }
    if (b.read(1) && b.read(1)) b.read(2);
    if (b.read(1)) {
      b.read(1);
      b.skip(8 * b.read(8));
    }
    let groups = 0;
    if (config === 0x1f) groups = 1;
    else {
      b.read(1);
      if (config <= 2) groups = 2;
      else if (config <= 4) groups = 3;
      else if (config === 5) groups = b.read(3) + 2;
      else b.skip(8 * b.read(7));
    }
    for (let g = 0; g < groups; g++) {
      b.read(2);
      const channelCoded = b.read(1);
      const n = b.read(8);
      for (let s = 0; s < n; s++) {
        b.read(2);
        if (b.read(1)) b.read(5);
        if (channelCoded) b.read(24);
        else {
          if (b.read(1)) {
            if (b.read(1) === 0) b.read(4);
            b.read(6);
          }
          b.read(4);
        }
      }
      if (b.read(1)) {
        b.read(3);
        if (b.read(1)) b.skip(8 * b.read(6));
      }
    }
    b.read(1);
    addEmdf = b.read(1);
  }
  if (addEmdf) b.skip(15 * b.read(7));
  if (b.read(1)) b.skip(66);
  if (b.read(1)) {
    b.align();
    b.skip(8 * b.read(16));
    b.skip(11 * b.read(5));
  }
  b.align();
  b.skip(6);
  if (b.read(1)) b.skip(9);
  else b.skip(1);
  return [
    ["presentation_config_v1", config],
    ["mdcompat", mdcompat],
    ["presentation_id", id],
    ["dsi_frame_rate_multiply_info", rate],
    ["dsi_frame_rate_fraction_info", fraction],
    ["presentation_emdf_version", emdf],
    ["presentation_key_id", key],
    ["b_presentation_channel_coded", coded],
    ["dsi_presentation_ch_mode", chMode],
    ["pres_b_4_back_channels_present", back],
    ["pres_top_channel_pairs", top],
    ["presentation_channel_mask_v1", mask, true],
  ];
}

/** The `dac4` codec. */
export const DAC4: BoxCodec = plainBox((c, box) => {
  const p = c.bytes(Math.max(0, box.size - 8));
  if (!c.ok) return null;
  let dsiVersion = 0;
  let head: Fields = [["bitstream_version", 0], ["fs_index", 0], ["fs", 0], [
    "frame_rate_index",
    0,
  ]];
  let bitrate: Fields = [];
  let uuid: Uint8Array | null = null;
  let program = 0;
  const presentations: { version: number; fields: Fields }[] = [];
  if (p.length >= 11) {
    const b = new Bits(p);
    dsiVersion = b.read(3);
    if (dsiVersion <= 1) {
      const bitstream = b.read(7), fsIndex = b.read(1), rate = b.read(4), n = b.read(9);
      head = [
        ["bitstream_version", bitstream],
        ["fs_index", fsIndex],
        ["fs", fsIndex === 0 ? 44100 : 48000],
        ["frame_rate_index", rate],
      ];
      if (dsiVersion === 1) {
        uuid = new Uint8Array(16);
        if (bitstream > 1 && b.read(1)) {
          program = b.read(16);
          if (b.read(1)) { for (let i = 0; i < 16; i++) uuid[i] = b.read(8); }
        }
        bitrate = [["bit_rate_mode", b.read(2)], ["bit_rate", b.read(32)], [
          "bit_rate_precision",
          b.read(32),
        ]];
        b.align();
        let stopped = false;
        for (let i = 0; i < n; i++) {
          if (stopped) {
            presentations.push({
              version: 0,
              fields: presentation(new Bits(new Uint8Array(8)), 0),
            });
            continue;
          }
          const version = b.read(8);
          let bytes = b.read(8);
          if (bytes === 255) bytes += b.read(16);
          const before = b.pos;
          const fields = presentation(b, version);
          presentations.push({ version, fields });
          const used = Math.floor((b.pos - before) / 8);
          if (bytes < used) {
            stopped = true;
            continue;
          }
          b.skip(8 * (bytes - used));
        }
        if (bitstream <= 1) uuid = null;
      }
    }
  }
  return (ins: Inspector) => {
    ins.addInt("ac4_dsi_version", dsiVersion);
    if (dsiVersion > 1) return;
    for (const [name, v] of head) ins.addInt(name, v);
    if (dsiVersion !== 1) return;
    if (uuid) {
      ins.addInt("short_program_id", program);
      ins.addBytes("program_uuid", uuid);
    }
    for (const [name, v] of bitrate) ins.addInt(name, v);
    presentations.forEach((pr, i) => {
      const tag = `[${String(i).padStart(2, "0")}]`;
      ins.addInt(`${tag}.presentation_version`, pr.version);
      for (const [name, v, hex] of pr.fields) {
        ins.addInt(`${tag}.${name}`, v, hex ? { hint: "hex" } : undefined);
      }
    });
  };
});
