/**
 * The MPEG-TS check of a segment (ISO/IEC 13818-1): 188-byte packets with sync bytes and
 * continuous continuity counters; the program's streams from the PAT and PMT; per stream
 * the presentation times of its PES packets; for AAC (ADTS) the frames it holds, so its
 * duration is exact; for H.264 and HEVC the parameter set's profile and level and whether
 * the first picture is a random access point. Read once, front to back, with memory flat in
 * the segment's size.
 *
 * @module
 */
import type { ByteSource } from "../mp4/reader.ts";
import type { MediaCodec } from "./codecs.ts";

/** The size of a transport stream packet. */
export const TS_PACKET = 188;

/** One elementary stream of the program. */
export interface TsStream {
  /** Its PID. */
  pid: number;
  /** PMT `stream_type`. */
  streamType: number;
  /** What it carries. */
  kind: "video" | "audio" | "other";
  /** The codec, as far as the stream says. */
  codec?: MediaCodec;
  /** PES packets with a PTS. */
  pesCount: number;
  /** Smallest PTS (90 kHz), unwrapped relative to the first. */
  ptsMin?: number;
  /** Largest PTS (90 kHz), unwrapped relative to the first. */
  ptsMax?: number;
  /** PTS of the first PES packet. */
  ptsFirst?: number;
  /** The smallest positive step between consecutive PTS (a frame, usually). */
  step?: number;
  /** AAC: ADTS frames and their sampling rate, for an exact duration. */
  adts?: { samples: number; rate: number };
  /** Video: whether the first picture of the segment is an IDR / IRAP picture. */
  startsWithRap?: boolean;
}

/** What a scan found. */
export interface TsFacts {
  /** Packets read. */
  packets: number;
  /** Bytes read. */
  bytes: number;
  /** Damage: a lost sync byte, a partial packet, a continuity counter jump. */
  problems: { offset: number; message: string }[];
  /** Whether a PMT was found. */
  hasPmt: boolean;
  /** The program's streams, in PMT order. */
  streams: TsStream[];
}

const VIDEO_TYPES: Record<number, string> = { 0x1b: "avc1", 0xdb: "avc1", 0x24: "hvc1" };
const AUDIO_TYPES: Record<number, string> = {
  0x0f: "mp4a",
  0xcf: "mp4a",
  0x11: "mp4a",
  0x03: ".mp3",
  0x04: ".mp3",
  0x81: "ac-3",
  0xc1: "ac-3",
  0x87: "ec-3",
  0xc2: "ec-3",
};
const ADTS_RATES = [
  96000,
  88200,
  64000,
  48000,
  44100,
  32000,
  24000,
  22050,
  16000,
  12000,
  11025,
  8000,
  7350,
];
/** Bytes of the first video PES kept to find its parameter sets and first picture. */
const FIRST_PES_LIMIT = 64 * 1024;

/** Per-PID state while scanning. */
interface PidState {
  stream: TsStream;
  cc?: number;
  /** The first PES of the segment (video), until complete. */
  firstPes?: Uint8Array[];
  firstPesBytes: number;
  firstPesDone: boolean;
  lastPts?: number;
  /** ADTS parsing across packets. */
  adtsHeader: number[];
  adtsSkip: number;
}

function readPts(p: Uint8Array, i: number): number {
  return ((p[i] >> 1) & 7) * 2 ** 30 + (p[i + 1] << 22 | (p[i + 2] >> 1) << 15 | p[i + 3] << 7 |
    (p[i + 4] >> 1));
}

/** Removes emulation prevention bytes (00 00 03 → 00 00) from the start of a NAL unit. */
function unescape(nal: Uint8Array, max: number): Uint8Array {
  const out: number[] = [];
  let zeros = 0;
  for (let i = 0; i < nal.length && out.length < max; i++) {
    if (zeros >= 2 && nal[i] === 3) {
      zeros = 0;
      continue;
    }
    zeros = nal[i] === 0 ? zeros + 1 : 0;
    out.push(nal[i]);
  }
  return Uint8Array.from(out);
}

/** Looks at the NAL units of a video stream's first PES: parameter set and first picture. */
function firstPicture(s: TsStream, data: Uint8Array): void {
  const hevc = s.codec?.entry === "hvc1";
  const starts: number[] = [];
  for (let i = 0; i + 3 < data.length; i++) {
    if (data[i] === 0 && data[i + 1] === 0 && data[i + 2] === 1) {
      starts.push(i + 3);
      i += 2;
    }
  }
  for (let k = 0; k < starts.length; k++) {
    const at = starts[k];
    const end = k + 1 < starts.length ? starts[k + 1] - 3 : data.length;
    const nal = data.subarray(at, end);
    if (nal.length < 2) continue;
    if (!hevc) {
      const type = nal[0] & 0x1f;
      if (type === 7 && nal.length >= 4 && s.codec && !s.codec.avc) {
        const b = unescape(nal.subarray(1), 3);
        s.codec.avc = { profile: b[0], constraints: b[1], level: b[2] };
      }
      if (type >= 1 && type <= 5 && s.startsWithRap === undefined) s.startsWithRap = type === 5;
    } else {
      const type = (nal[0] >> 1) & 0x3f;
      if (type === 33 && s.codec && !s.codec.hevc) {
        const b = unescape(nal.subarray(2), 14);
        if (b.length >= 14) {
          let constraints = 0n;
          for (let i = 6; i < 12; i++) constraints = (constraints << 8n) | BigInt(b[i]);
          s.codec.hevc = {
            profileSpace: b[1] >> 6,
            tier: (b[1] >> 5) & 1,
            profile: b[1] & 0x1f,
            compatibility: ((b[2] << 24) | (b[3] << 16) | (b[4] << 8) | b[5]) >>> 0,
            constraints,
            level: b[12],
          };
        }
      }
      if (type <= 31 && s.startsWithRap === undefined) s.startsWithRap = type >= 16 && type <= 23;
    }
  }
}

/** Feeds ADTS bytes: counts frames, reads the sampling rate and audio object type. */
function feedAdts(st: PidState, data: Uint8Array): void {
  let i = 0;
  while (i < data.length) {
    if (st.adtsSkip > 0) {
      const n = Math.min(st.adtsSkip, data.length - i);
      st.adtsSkip -= n;
      i += n;
      continue;
    }
    const h = st.adtsHeader;
    h.push(data[i++]);
    if (h.length === 1 && h[0] !== 0xff) h.length = 0;
    else if (h.length === 2 && (h[1] & 0xf0) !== 0xf0) h.length = 0;
    else if (h.length === 7) {
      const length = ((h[3] & 3) << 11) | (h[4] << 3) | (h[5] >> 5);
      const rate = ADTS_RATES[(h[2] >> 2) & 0xf];
      if (length < 7 || rate === undefined) {
        h.length = 0;
        continue;
      }
      const s = st.stream;
      s.adts ??= { samples: 0, rate };
      s.adts.samples += 1024 * ((h[6] & 3) + 1);
      if (s.codec?.mp4a && s.codec.mp4a.aot === undefined) s.codec.mp4a.aot = (h[2] >> 6) + 1;
      st.adtsSkip = length - 7;
      h.length = 0;
    }
  }
}

/** Reads the PAT's PMT PIDs or the PMT's streams from a section (after the pointer field). */
function readSection(
  data: Uint8Array,
  onPat: (pmtPid: number) => void,
  onStream: (pid: number, type: number) => void,
): void {
  if (data.length < 3) return;
  const table = data[0];
  const length = ((data[1] & 0x0f) << 8) | data[2];
  const end = Math.min(data.length, 3 + length - 4); // without the CRC
  if (table === 0x00) {
    for (let i = 8; i + 4 <= end; i += 4) {
      const program = (data[i] << 8) | data[i + 1];
      if (program !== 0) onPat(((data[i + 2] & 0x1f) << 8) | data[i + 3]);
    }
  } else if (table === 0x02 && data.length >= 12) {
    let i = 12 + (((data[10] & 0x0f) << 8) | data[11]);
    while (i + 5 <= end) {
      const type = data[i];
      const pid = ((data[i + 1] & 0x1f) << 8) | data[i + 2];
      onStream(pid, type);
      i += 5 + (((data[i + 3] & 0x0f) << 8) | data[i + 4]);
    }
  }
}

/** The scanner: one packet at a time. */
class TsScanner {
  readonly facts: TsFacts = { packets: 0, bytes: 0, problems: [], hasPmt: false, streams: [] };
  #pmtPids = new Set<number>();
  #pids = new Map<number, PidState>();
  #lost = false;

  packet(p: Uint8Array, offset: number): void {
    if (this.#lost) return;
    if (p[0] !== 0x47) {
      this.facts.problems.push({ offset, message: `no sync byte (0x47) at byte ${offset}` });
      this.#lost = true;
      return;
    }
    this.facts.packets++;
    const pid = ((p[1] & 0x1f) << 8) | p[2];
    const pusi = (p[1] & 0x40) !== 0;
    const afc = (p[3] >> 4) & 3;
    let at = 4;
    let discontinuity = false;
    if (afc & 2) {
      const len = p[4];
      if (len > 0) discontinuity = (p[5] & 0x80) !== 0;
      at = 5 + len;
    }
    if ((afc & 1) === 0 || at >= TS_PACKET) return;
    const payload = p.subarray(at);
    if (pid === 0 || this.#pmtPids.has(pid)) {
      if (!pusi) return;
      const section = payload.subarray(1 + payload[0]);
      readSection(
        section,
        (pmt) => this.#pmtPids.add(pmt),
        (esPid, type) => this.#addStream(esPid, type),
      );
      if (this.#pmtPids.has(pid)) this.facts.hasPmt = true;
      return;
    }
    const st = this.#pids.get(pid);
    if (!st) return;
    const cc = p[3] & 0x0f;
    if (st.cc !== undefined && !discontinuity && cc !== ((st.cc + 1) & 0x0f) && cc !== st.cc) {
      this.facts.problems.push({
        offset,
        message:
          `continuity counter of PID ${pid} jumps from ${st.cc} to ${cc} at byte ${offset} ` +
          `(packets are missing)`,
      });
    }
    st.cc = cc;
    this.#payload(st, payload, pusi);
  }

  #addStream(pid: number, type: number): void {
    if (this.#pids.has(pid)) return;
    const video = VIDEO_TYPES[type], audio = AUDIO_TYPES[type];
    const stream: TsStream = {
      pid,
      streamType: type,
      kind: video ? "video" : audio ? "audio" : "other",
      pesCount: 0,
    };
    if (video) stream.codec = { entry: video, fromTs: true };
    if (audio) {
      stream.codec = { entry: audio, fromTs: true };
      if (audio === "mp4a") stream.codec.mp4a = { oti: 0x40 };
    }
    this.facts.streams.push(stream);
    this.#pids.set(pid, {
      stream,
      firstPesBytes: 0,
      firstPesDone: false,
      adtsHeader: [],
      adtsSkip: 0,
    });
  }

  #payload(st: PidState, payload: Uint8Array, pusi: boolean): void {
    const s = st.stream;
    let data = payload;
    if (pusi) {
      if (st.firstPes) this.#endFirstPes(st);
      if (payload.length >= 9 && payload[0] === 0 && payload[1] === 0 && payload[2] === 1) {
        const flags = payload[7] >> 6;
        const headerLength = payload[8];
        if (flags >= 2 && payload.length >= 14) this.#pts(st, readPts(payload, 9));
        data = payload.subarray(Math.min(payload.length, 9 + headerLength));
      }
      if (s.kind === "video" && !st.firstPesDone && st.firstPes === undefined) st.firstPes = [];
    }
    if (st.firstPes && st.firstPesBytes < FIRST_PES_LIMIT) {
      st.firstPes.push(data.slice());
      st.firstPesBytes += data.length;
    }
    if (s.codec?.entry === "mp4a" && s.streamType !== 0x11) feedAdts(st, data);
  }

  #pts(st: PidState, raw: number): void {
    const s = st.stream;
    // Unwrap the 33-bit clock relative to the previous PTS.
    let pts = raw;
    if (st.lastPts !== undefined) {
      const wrap = 2 ** 33;
      while (pts - st.lastPts > wrap / 2) pts -= wrap;
      while (st.lastPts - pts > wrap / 2) pts += wrap;
      const step = Math.abs(pts - st.lastPts);
      if (step > 0 && (s.step === undefined || step < s.step)) s.step = step;
    }
    st.lastPts = pts;
    s.pesCount++;
    s.ptsFirst ??= pts;
    s.ptsMin = Math.min(s.ptsMin ?? pts, pts);
    s.ptsMax = Math.max(s.ptsMax ?? pts, pts);
  }

  #endFirstPes(st: PidState): void {
    const parts = st.firstPes ?? [];
    st.firstPes = undefined;
    st.firstPesDone = true;
    const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      all.set(p, at);
      at += p.length;
    }
    firstPicture(st.stream, all);
  }

  finish(): TsFacts {
    for (const st of this.#pids.values()) if (st.firstPes) this.#endFirstPes(st);
    return this.facts;
  }
}

/**
 * Scans a transport stream segment and returns what it holds.
 *
 * @example
 * ```ts
 * import { FileSource } from "../mp4/reader.ts";
 * const src = await FileSource.open("seg_000.ts");
 * const facts = await scanTs(src);
 * src.close();
 * facts.streams.map((s) => s.kind);
 * ```
 */
export async function scanTs(source: ByteSource): Promise<TsFacts> {
  const scanner = new TsScanner();
  const chunk = TS_PACKET * 512;
  let offset = 0;
  let carry = new Uint8Array(0);
  while (true) {
    const got = await source.read(offset + carry.length, chunk);
    if (got.length === 0) break;
    let data = got;
    if (carry.length > 0) {
      data = new Uint8Array(carry.length + got.length);
      data.set(carry);
      data.set(got, carry.length);
    }
    let i = 0;
    for (; i + TS_PACKET <= data.length; i += TS_PACKET) {
      scanner.packet(data.subarray(i, i + TS_PACKET), offset + i);
    }
    offset += i;
    carry = data.slice(i);
  }
  const facts = scanner.finish();
  facts.bytes = offset + carry.length;
  if (carry.length > 0) {
    facts.problems.push({
      offset,
      message:
        `ends with a partial packet of ${carry.length} bytes (packets are ${TS_PACKET} bytes)`,
    });
  }
  return facts;
}

/** Duration of a stream in seconds, from its ADTS frames or its PTS span plus one step. */
export function tsDuration(s: TsStream): number | undefined {
  if (s.adts && s.adts.samples > 0) return s.adts.samples / s.adts.rate;
  if (s.ptsMin === undefined || s.ptsMax === undefined) return undefined;
  return (s.ptsMax - s.ptsMin + (s.step ?? 0)) / 90000;
}
