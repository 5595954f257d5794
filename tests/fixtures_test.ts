/**
 * Sanity tests of the committed media fixtures themselves (tests/fixtures/, made by
 * tests/fixtures/make_fixtures.sh, plus the copied reference streams), so a broken
 * regeneration is caught before it confuses the tests that use them.
 *
 * For every stream: the manifest parses (MPD: well-formed XML; M3U8: starts with `#EXTM3U`),
 * every file it references exists and is not empty, byte ranges lie inside their file and
 * start at the right box, and the folder holds nothing the manifest does not reference. The
 * reference expansion below is deliberately small (only what ffmpeg writes); it is a check of
 * the fixtures, not the product's DASH/HLS code. No ffmpeg is needed.
 *
 * @module
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { createDecipheriv } from "node:crypto";
import { join, posix } from "node:path";
import { XMLParser, XMLValidator } from "fast-xml-parser";

const FIXTURES = join(import.meta.dirname!, "fixtures");

/** The DASH streams: folder (under tests/fixtures) and manifest name. */
const DASH = [
  "dash-number-duration",
  "dash-time",
  "dash-segmentlist",
  "dash-segmentlist-range",
  "dash-segmentbase",
  "dash-webm",
  "dash-long",
  "select-dash",
  "reference/dash-avc-aac",
].map((folder) => ({ folder, manifest: "manifest.mpd" }));

/** The HLS streams: folder (under tests/fixtures) and top playlist name. */
const HLS = [
  { folder: "hls-aes", manifest: "index.m3u8" },
  { folder: "hls-master", manifest: "master.m3u8" },
  { folder: "hls-master-fmp4", manifest: "master.m3u8" },
  { folder: "select-hls", manifest: "master.m3u8" },
  { folder: "reference/hls-fmp4", manifest: "index.m3u8" },
  { folder: "reference/hls-byterange", manifest: "index.m3u8" },
  { folder: "reference/hls-ts", manifest: "index.m3u8" },
];

/** The size budget of the generated folders (tests/fixtures/reference not counted). */
const BUDGET_BYTES = 4 * 1024 * 1024;

/** A resource a manifest references: a path relative to the folder, maybe a byte range. */
interface Ref {
  path: string;
  range?: [number, number];
  /** What the range holds: the init part, an index (sidx), or media. */
  role: "init" | "index" | "media" | "key" | "playlist";
}

type XmlValue = string | number | boolean | XmlNode | XmlValue[];
interface XmlNode {
  [key: string]: XmlValue;
}

const ARRAYS = new Set(["Period", "AdaptationSet", "Representation", "S", "SegmentURL", "BaseURL"]);
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: "@",
  parseAttributeValue: false,
  parseTagValue: false,
  isArray: (name) => ARRAYS.has(name),
});

function nodes(parent: XmlNode | undefined, name: string): XmlNode[] {
  const v = parent?.[name];
  const list = Array.isArray(v) ? v : v === undefined ? [] : [v];
  return list.map((x) => (typeof x === "object" && !Array.isArray(x) ? x : { "#text": x }));
}

function node(parent: XmlNode | undefined, name: string): XmlNode | undefined {
  return nodes(parent, name)[0];
}

function attr(n: XmlNode | undefined, name: string): string | undefined {
  const v = n?.[`@${name}`];
  return v === undefined ? undefined : String(v);
}

function text(n: XmlNode): string {
  return String(n["#text"] ?? "").trim();
}

function range(spec: string): [number, number] {
  const m = /^(\d+)-(\d+)$/.exec(spec);
  assert.ok(m, `bad byte range ${spec}`);
  return [Number(m[1]), Number(m[2])];
}

/** Seconds of an ISO 8601 duration of the forms ffmpeg writes (PT#H#M#S). */
function seconds(iso: string): number {
  const m = /^PT(?:(\d+)H)?(?:(\d+)M)?(?:([\d.]+)S)?$/.exec(iso);
  assert.ok(m, `unexpected duration ${iso}`);
  return Number(m[1] ?? 0) * 3600 + Number(m[2] ?? 0) * 60 + Number(m[3] ?? 0);
}

function fill(template: string, id: string, bandwidth: string, n: number, t: number): string {
  return template.replace(/\$(RepresentationID|Number|Time|Bandwidth|)(%0(\d+)d)?\$/g, (
    _all,
    name: string,
    _fmt,
    width: string | undefined,
  ) => {
    if (name === "") return "$";
    const value = name === "RepresentationID"
      ? id
      : name === "Bandwidth"
      ? bandwidth
      : String(name === "Number" ? n : t);
    return width ? value.padStart(Number(width), "0") : value;
  });
}

/** Every resource of one Representation, in manifest order. */
function representationRefs(mpd: XmlNode, set: XmlNode, rep: XmlNode): Ref[] {
  const id = attr(rep, "id")!;
  const bandwidth = attr(rep, "bandwidth") ?? "";
  const base = nodes(rep, "BaseURL").map(text)[0] ?? "";
  const refs: Ref[] = [];
  const template = node(rep, "SegmentTemplate") ?? node(set, "SegmentTemplate");
  const list = node(rep, "SegmentList") ?? node(set, "SegmentList");
  const segmentBase = node(rep, "SegmentBase") ?? node(set, "SegmentBase");
  if (template) {
    const start = Number(attr(template, "startNumber") ?? 1);
    const init = attr(template, "initialization");
    if (init) refs.push({ path: base + fill(init, id, bandwidth, 0, 0), role: "init" });
    const media = attr(template, "media")!;
    const timeline = node(template, "SegmentTimeline");
    if (timeline) {
      let t = 0;
      let n = start;
      for (const s of nodes(timeline, "S")) {
        t = Number(attr(s, "t") ?? t);
        const d = Number(attr(s, "d"));
        const r = Number(attr(s, "r") ?? 0);
        assert.ok(d > 0 && r >= 0, `representation ${id}: S@d=${d} S@r=${r}`);
        for (let i = 0; i <= r; i++, n++, t += d) {
          refs.push({ path: base + fill(media, id, bandwidth, n, t), role: "media" });
        }
      }
    } else {
      const timescale = Number(attr(template, "timescale") ?? 1);
      const duration = Number(attr(template, "duration"));
      const total = seconds(attr(mpd, "mediaPresentationDuration")!);
      const count = Math.ceil(total * timescale / duration);
      for (let i = 0; i < count; i++) {
        refs.push({ path: base + fill(media, id, bandwidth, start + i, 0), role: "media" });
      }
    }
  } else if (list) {
    const init = node(list, "Initialization");
    if (attr(init, "sourceURL")) refs.push({ path: attr(init, "sourceURL")!, role: "init" });
    else if (attr(init, "range")) {
      refs.push({ path: base, range: range(attr(init, "range")!), role: "init" });
    }
    for (const u of nodes(list, "SegmentURL")) {
      const mediaRange = attr(u, "mediaRange");
      const path = attr(u, "media") ?? base;
      refs.push({ path, range: mediaRange ? range(mediaRange) : undefined, role: "media" });
      const indexRange = attr(u, "indexRange");
      if (indexRange) refs.push({ path, range: range(indexRange), role: "index" });
    }
  } else if (segmentBase) {
    const init = node(segmentBase, "Initialization");
    if (attr(init, "range")) {
      refs.push({ path: base, range: range(attr(init, "range")!), role: "init" });
    }
    const indexRange = attr(segmentBase, "indexRange");
    if (indexRange) refs.push({ path: base, range: range(indexRange), role: "index" });
  } else {
    assert.ok(base, `representation ${id} has no addressing and no BaseURL`);
    refs.push({ path: base, role: "media" });
  }
  return refs;
}

interface DashStream {
  mpd: XmlNode;
  reps: { id: string; set: XmlNode; rep: XmlNode; refs: Ref[] }[];
}

async function readDash(folder: string, manifest: string): Promise<DashStream> {
  const xml = await Deno.readTextFile(join(FIXTURES, folder, manifest));
  const valid = XMLValidator.validate(xml);
  assert.equal(valid, true, `${folder}/${manifest}: ${JSON.stringify(valid)}`);
  const mpd = node(parser.parse(xml) as XmlNode, "MPD");
  assert.ok(mpd, `${folder}/${manifest}: no MPD element`);
  const reps = [];
  for (const period of nodes(mpd, "Period")) {
    for (const set of nodes(period, "AdaptationSet")) {
      for (const rep of nodes(set, "Representation")) {
        reps.push({ id: attr(rep, "id")!, set, rep, refs: representationRefs(mpd, set, rep) });
      }
    }
  }
  assert.ok(reps.length > 0, `${folder}/${manifest}: no Representation`);
  return { mpd, reps };
}

/** Attribute list of an HLS tag line (`#TAG:A=1,B="x,y"`). */
function hlsAttrs(line: string): Map<string, string> {
  const out = new Map<string, string>();
  const body = line.slice(line.indexOf(":") + 1);
  for (const m of body.matchAll(/([A-Z0-9-]+)=("[^"]*"|[^,]*)/g)) {
    out.set(m[1], m[2].replace(/^"(.*)"$/, "$1"));
  }
  return out;
}

/** `n[@o]` (EXT-X-BYTERANGE / BYTERANGE=): length and offset, if given. */
function hlsRange(spec: string): { length: number; offset?: number } {
  const [n, o] = spec.split("@");
  return { length: Number(n), offset: o === undefined ? undefined : Number(o) };
}

interface HlsPlaylist {
  path: string;
  lines: string[];
}

/** Every playlist and resource reachable from the top playlist, paths relative to folder. */
async function readHls(folder: string, manifest: string) {
  const playlists: HlsPlaylist[] = [];
  const refs: Ref[] = [];
  const keyLines: { playlist: string; attrs: Map<string, string> }[] = [];
  const seen = new Set<string>();
  const visit = async (path: string) => {
    if (seen.has(path)) return;
    seen.add(path);
    const textBody = await Deno.readTextFile(join(FIXTURES, folder, path));
    const lines = textBody.split(/\r?\n/);
    assert.equal(lines[0], "#EXTM3U", `${folder}/${path}: first line`);
    playlists.push({ path, lines });
    const dir = posix.dirname(path);
    const resolve = (uri: string) => {
      assert.ok(!/^[a-z]+:|^\//i.test(uri), `${folder}/${path}: non-relative URI ${uri}`);
      return posix.normalize(posix.join(dir, uri));
    };
    const children: string[] = [];
    let pending: { length: number; offset?: number } | undefined;
    const ends = new Map<string, number>(); // per file: the byte after its previous range
    for (const line of lines) {
      if (line.startsWith("#EXT-X-BYTERANGE:")) {
        pending = hlsRange(line.slice("#EXT-X-BYTERANGE:".length));
      } else if (line.startsWith("#") && line.includes('URI="')) {
        const a = hlsAttrs(line);
        const uri = resolve(a.get("URI")!);
        if (line.startsWith("#EXT-X-KEY")) {
          refs.push({ path: uri, role: "key" });
          keyLines.push({ playlist: path, attrs: a });
        } else if (line.startsWith("#EXT-X-MAP")) {
          const br = a.get("BYTERANGE");
          const r = br ? hlsRange(br) : undefined;
          const first = r?.offset ?? 0;
          const range: [number, number] | undefined = r ? [first, first + r.length - 1] : undefined;
          refs.push({ path: uri, range, role: "init" });
        } else children.push(uri);
      } else if (line !== "" && !line.startsWith("#")) {
        const uri = resolve(line);
        if (uri.endsWith(".m3u8")) children.push(uri);
        else {
          let range: [number, number] | undefined;
          if (pending) {
            // Without @offset, a range follows the previous range of the same file.
            const first = pending.offset ?? ends.get(uri) ?? 0;
            range = [first, first + pending.length - 1];
            ends.set(uri, range[1] + 1);
            pending = undefined;
          }
          refs.push({ path: uri, range, role: "media" });
        }
      }
    }
    for (const child of children) {
      refs.push({ path: child, role: "playlist" });
      await visit(child);
    }
  };
  await visit(manifest);
  return { playlists, refs, keyLines };
}

async function listFiles(dir: string, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(join(dir, prefix))) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory) out.push(...await listFiles(dir, rel));
    else out.push(rel);
  }
  return out.sort();
}

/** Top-level boxes of an MP4 file: type, first byte, last byte (inclusive). */
function topBoxes(bytes: Uint8Array): { type: string; first: number; last: number }[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const boxes = [];
  for (let off = 0; off + 8 <= bytes.length;) {
    let size = view.getUint32(off);
    if (size === 1) size = Number(view.getBigUint64(off + 8));
    if (size === 0) size = bytes.length - off;
    assert.ok(size >= 8, `box at ${off} has size ${size}`);
    const type = new TextDecoder().decode(bytes.subarray(off + 4, off + 8));
    boxes.push({ type, first: off, last: off + size - 1 });
    off += size;
  }
  return boxes;
}

/** Checks that the refs exist, are not empty, and that ranges fit and start at a right box. */
async function checkRefs(folder: string, refs: Ref[]): Promise<void> {
  for (const ref of refs) {
    const file = join(FIXTURES, folder, ref.path);
    const info = await Deno.stat(file).catch(() => undefined);
    assert.ok(info?.isFile, `${folder}: ${ref.path} is referenced but missing`);
    assert.ok(info.size > 0, `${folder}: ${ref.path} is empty`);
    if (!ref.range) continue;
    const [first, last] = ref.range;
    assert.ok(first <= last && last < info.size, `${folder}: ${ref.path} range ${first}-${last}`);
    const boxes = topBoxes(await Deno.readFile(file));
    const starts = boxes.find((b) => b.first === first);
    const ends = boxes.find((b) => b.last === last);
    assert.ok(starts && ends, `${folder}: ${ref.path} ${first}-${last} is not box-aligned`);
    const expected = { init: ["ftyp"], index: ["sidx"], media: ["sidx", "styp", "moof"] };
    if (ref.role in expected) {
      assert.ok(
        expected[ref.role as keyof typeof expected].includes(starts.type),
        `${folder}: ${ref.path} ${ref.role} range ${first}-${last} starts with ${starts.type}`,
      );
    }
  }
}

/** Asserts that the folder holds exactly the manifest(s) and the referenced files. */
async function checkComplete(folder: string, referenced: string[]): Promise<void> {
  const files = await listFiles(join(FIXTURES, folder));
  assert.deepEqual(files, [...new Set(referenced)].sort(), `${folder}: files vs references`);
}

for (const { folder, manifest } of DASH) {
  Deno.test(`fixture ${folder}: MPD parses, references exist, nothing extra`, async () => {
    const { reps } = await readDash(folder, manifest);
    const refs = reps.flatMap((r) => r.refs);
    await checkRefs(folder, refs);
    await checkComplete(folder, [manifest, ...refs.map((r) => r.path)]);
    for (const { id, set, rep, refs } of reps) {
      const mime = attr(rep, "mimeType") ?? attr(set, "mimeType") ?? "";
      const first = refs[0].path;
      const head = (await Deno.readFile(join(FIXTURES, folder, first))).subarray(0, 8);
      if (mime.endsWith("/webm")) {
        assert.deepEqual([...head.subarray(0, 4)], [0x1a, 0x45, 0xdf, 0xa3], `${folder} ${id}`);
      } else {
        const type = new TextDecoder().decode(head.subarray(4, 8));
        assert.equal(type, "ftyp", `${folder}: representation ${id} starts with ${type}`);
      }
    }
  });
}

for (const { folder, manifest } of HLS) {
  Deno.test(`fixture ${folder}: playlists parse, references exist, nothing extra`, async () => {
    const { playlists, refs } = await readHls(folder, manifest);
    for (const p of playlists) {
      const isMedia = p.lines.some((l) => l.startsWith("#EXTINF:"));
      if (isMedia) assert.ok(p.lines.includes("#EXT-X-ENDLIST"), `${folder}/${p.path}: ENDLIST`);
    }
    await checkRefs(folder, refs);
    await checkComplete(folder, [manifest, ...refs.map((r) => r.path)]);
  });
}

Deno.test("fixture dash-*: four-Representation streams have two videos and eng + fra audio", async () => {
  for (const folder of DASH.map((d) => d.folder)) {
    if (["dash-webm", "dash-long", "select-dash", "reference/dash-avc-aac"].includes(folder)) {
      continue;
    }
    const { reps } = await readDash(folder, "manifest.mpd");
    const summary = reps.map(({ set }) => `${attr(set, "contentType")}:${attr(set, "lang") ?? ""}`);
    assert.deepEqual(summary, ["video:", "video:", "audio:eng", "audio:fra"], folder);
    const [a, b] = reps.map(({ rep }) => Number(attr(rep, "bandwidth")));
    assert.notEqual(a, b, `${folder}: the two videos have the same bandwidth`);
  }
});

Deno.test("fixture dash-*: each addressing mode is the one its folder is named for", async () => {
  const xml = async (folder: string) =>
    await Deno.readTextFile(join(FIXTURES, folder, "manifest.mpd"));
  const numberDuration = await xml("dash-number-duration");
  assert.match(numberDuration, /<SegmentTemplate [^>]*duration="\d+"[^>]*\$Number/);
  assert.doesNotMatch(numberDuration, /SegmentTimeline/);
  const time = await xml("dash-time");
  assert.match(time, /<SegmentTemplate [^>]*media="[^"]*\$Time\$/);
  assert.match(time, /<SegmentTimeline>/);
  assert.match(await xml("dash-segmentlist"), /<SegmentURL media="/);
  assert.match(await xml("dash-segmentlist-range"), /<SegmentURL mediaRange="/);
  const segmentBase = await xml("dash-segmentbase");
  assert.match(segmentBase, /<SegmentBase indexRange="\d+-\d+">/);
  assert.doesNotMatch(segmentBase, /SegmentList|SegmentTemplate/);
  assert.match(await xml("dash-webm"), /mimeType="video\/webm"/);
});

Deno.test("fixture dash-long: one Representation with at least 300 media segments", async () => {
  const { reps } = await readDash("dash-long", "manifest.mpd");
  assert.equal(reps.length, 1);
  assert.ok(reps[0].refs.filter((r) => r.role === "media").length >= 300);
});

Deno.test("fixture hls-aes: the key decrypts the first segment to MPEG-TS", async () => {
  const { keyLines, refs } = await readHls("hls-aes", "index.m3u8");
  assert.equal(keyLines.length, 1);
  const { attrs } = keyLines[0];
  assert.equal(attrs.get("METHOD"), "AES-128");
  const key = await Deno.readFile(join(FIXTURES, "hls-aes", attrs.get("URI")!));
  assert.equal(key.length, 16);
  const iv = Buffer.from(attrs.get("IV")!.replace(/^0x/i, ""), "hex");
  const first = refs.find((r) => r.role === "media")!.path;
  const encrypted = await Deno.readFile(join(FIXTURES, "hls-aes", first));
  assert.notEqual(encrypted[0], 0x47, "segment is not encrypted");
  const decipher = createDecipheriv("aes-128-cbc", key, iv);
  const plain = Buffer.concat([decipher.update(encrypted), decipher.final()]);
  assert.equal(plain.length % 188, 0);
  for (let off = 0; off < plain.length; off += 188) assert.equal(plain[off], 0x47, `at ${off}`);
});

Deno.test("fixture hls-master*: two variants, eng + fra renditions, shared segment names", async () => {
  for (const folder of ["hls-master", "hls-master-fmp4"]) {
    const { playlists, refs } = await readHls(folder, "master.m3u8");
    const master = playlists[0].lines;
    assert.equal(master.filter((l) => l.startsWith("#EXT-X-STREAM-INF:")).length, 2, folder);
    const audio = master.filter((l) => l.startsWith("#EXT-X-MEDIA:TYPE=AUDIO"));
    assert.deepEqual(audio.map((l) => hlsAttrs(l).get("LANGUAGE")), ["eng", "fra"], folder);
    const media = refs.filter((r) => r.role === "media").map((r) => r.path);
    const names = media.map((p) => posix.basename(p));
    assert.ok(names.length > new Set(names).size, `${folder}: no shared segment file name`);
    assert.equal(new Set(media.map((p) => posix.dirname(p))).size, 4, folder);
    if (folder.endsWith("fmp4")) {
      assert.equal(refs.filter((r) => r.role === "init").length, 4, `${folder}: EXT-X-MAP`);
    }
  }
});

Deno.test("fixtures: make_fixtures.sh builds exactly the folders tested here, within budget", async () => {
  const script = await Deno.readTextFile(join(FIXTURES, "make_fixtures.sh"));
  const all = /^ALL=\(([^)]*)\)/m.exec(script);
  assert.ok(all, "ALL=(...) not found in make_fixtures.sh");
  const built = all[1].split(/\s+/).filter(Boolean).sort();
  const tested = [...DASH, ...HLS].map((s) => s.folder).filter((f) => !f.startsWith("reference/"));
  assert.deepEqual(built, tested.sort());
  let total = 0;
  for (const folder of built) {
    for (const f of await listFiles(join(FIXTURES, folder))) {
      total += (await Deno.stat(join(FIXTURES, folder, f))).size;
    }
  }
  assert.ok(total < BUDGET_BYTES, `generated fixtures take ${total} bytes`);
});
