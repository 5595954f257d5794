/**
 * The built-in dumper against the real mp4dump: every reference output in
 * tests/fixtures/reference/mp4dump (text at verbosity 0..3, JSON at 3) reproduced byte for
 * byte, the DASH Representations concatenated in manifest order, header-line annotations,
 * boxHeaderOffsets, firstBoxTypes, the stream source, and the paths that walk large boxes
 * from the file instead of loading them.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import {
  boxHeaderOffsets,
  dumpMp4,
  dumpMp4Stream,
  type DumpOptions,
  dumpSource,
  firstBoxTypes,
} from "../src/mp4/dump.ts";
import { FileSource } from "../src/mp4/reader.ts";

const REF = join(import.meta.dirname!, "fixtures", "reference");
const FOLDERS = ["codecs", "dash-avc-aac", "hls-fmp4", "hls-byterange"];

interface Reference {
  folder: string;
  media: string;
  verbosity: 0 | 1 | 2 | 3;
  format: "text" | "json";
  expected: string;
}

function references(): Reference[] {
  const out: Reference[] = [];
  for (const folder of FOLDERS) {
    const names = [...Deno.readDirSync(join(REF, "mp4dump", folder))].map((e) => e.name).sort();
    for (const name of names) {
      const m = name.match(/^(.*)\.v([0-3])\.(txt|json)$/);
      if (!m || name.startsWith("rep")) continue;
      out.push({
        folder,
        media: m[1],
        verbosity: Number(m[2]) as Reference["verbosity"],
        format: m[3] === "json" ? "json" : "text",
        expected: join(REF, "mp4dump", folder, name),
      });
    }
  }
  return out;
}

async function dumpToString(
  path: string,
  options: DumpOptions,
): Promise<{ text: string; problems: number }> {
  let text = "";
  const { problems } = await dumpMp4(path, (t) => {
    text += t;
  }, options);
  return { text, problems: problems.length };
}

/** init + media segments of each Representation, in the order the manifest lists them. */
function representationFiles(): Map<string, string[]> {
  const dir = join(REF, "dash-avc-aac");
  const mpd = Deno.readTextFileSync(join(dir, "manifest.mpd"));
  const reps = new Map<string, string[]>();
  for (const m of mpd.matchAll(/<Representation\s[^>]*id="([^"]+)"[\s\S]*?<\/Representation>/g)) {
    const id = m[1], body = m[0];
    const tpl = body.match(/<SegmentTemplate\s([^>]*)>/)![1];
    const attr = (n: string) => tpl.match(new RegExp(`${n}="([^"]*)"`))?.[1];
    let count = 0;
    for (const s of body.matchAll(/<S\s([^>]*)\/>/g)) {
      count += 1 + Number(s[1].match(/\br="(\d+)"/)?.[1] ?? 0);
    }
    const fill = (t: string, n?: number) =>
      t.replaceAll("$RepresentationID$", id).replace(
        /\$Number%0(\d+)d\$/,
        (_, w) => String(n).padStart(Number(w), "0"),
      );
    const first = Number(attr("startNumber") ?? 1);
    const files = [join(dir, fill(attr("initialization")!))];
    for (let i = 0; i < count; i++) files.push(join(dir, fill(attr("media")!, first + i)));
    reps.set(id, files);
  }
  return reps;
}

let concatDir: string | undefined;
/** Builds (once) `<tmp>/rep<N>.m4s` for each Representation. */
function concatenated(id: string): string {
  if (!concatDir) {
    concatDir = Deno.makeTempDirSync({ prefix: "streamkit_mp4_" });
    for (const [rep, files] of representationFiles()) {
      const parts = files.map((f) => Deno.readFileSync(f));
      const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
      let at = 0;
      for (const p of parts) {
        all.set(p, at);
        at += p.length;
      }
      Deno.writeFileSync(join(concatDir, `rep${rep}.m4s`), all);
    }
  }
  return join(concatDir, `rep${id}.m4s`);
}

globalThis.addEventListener("unload", () => {
  if (concatDir) Deno.removeSync(concatDir, { recursive: true });
});

const REFS = references();

Deno.test("every reference output is present (text v0..v3 and JSON for each media file)", () => {
  const media = new Set(REFS.map((r) => `${r.folder}/${r.media}`));
  assert.ok(media.size >= 37, `only ${media.size} media files`);
  assert.equal(REFS.length, media.size * 5);
});

for (const ref of REFS) {
  const label = `${ref.folder}/${ref.media} ${ref.format} v${ref.verbosity}`;
  Deno.test(`mp4dump reference reproduced byte for byte: ${label}`, async () => {
    const { text, problems } = await dumpToString(join(REF, ref.folder, ref.media), ref);
    assert.equal(problems, 0);
    assert.equal(text, Deno.readTextFileSync(ref.expected));
  });
}

for (const id of ["0", "1", "2", "3"]) {
  for (const format of ["text", "json"] as const) {
    Deno.test(`Representation ${id} concatenated in manifest order: ${format} v3`, async () => {
      const { text, problems } = await dumpToString(concatenated(id), { verbosity: 3, format });
      assert.equal(problems, 0);
      const ext = format === "json" ? "json" : "txt";
      const expected = join(REF, "mp4dump", "dash-avc-aac", `rep${id}.concat.v3.${ext}`);
      assert.equal(text, Deno.readTextFileSync(expected));
    });
  }
}

Deno.test("the manifest order puts the init segment first, then Number order", () => {
  const files = representationFiles().get("2")!.map((f) => f.split("/").pop());
  assert.deepEqual(files, [
    "init-stream2.m4s",
    "chunk-stream2-00001.m4s",
    "chunk-stream2-00002.m4s",
    "chunk-stream2-00003.m4s",
    "chunk-stream2-00004.m4s",
  ]);
});

const HEADER_LINE =
  /^( *)\[([^\]]+)\] size=(\d+)\+(\d+)(?:, [a-z]+=[0-9a-f]+)* @(\d+) \(0x([0-9a-f]+)\)$/;

/** Checks that `bytes` at `at` hold a box (or descriptor) printed as `name` of `total` bytes. */
function assertBoxAt(bytes: Uint8Array, at: number, name: string, total: number): void {
  const fourcc = new TextDecoder("latin1").decode(bytes.subarray(at + 4, at + 8));
  if (name === "ESDescriptor" || name === "DecoderConfig" || name.startsWith("Descriptor:")) {
    const tag = name === "ESDescriptor" ? 3 : name === "DecoderConfig" ? 4 : parseInt(
      name.slice(11),
      16,
    );
    assert.equal(bytes[at], tag, `descriptor tag at ${at}`);
  } else if (name.length > 4) {
    assert.equal(fourcc, "uuid", `uuid box at ${at}`);
    const hex = Array.from(bytes.subarray(at + 8, at + 24), (b) => b.toString(16).padStart(2, "0"))
      .join("").toUpperCase();
    assert.equal(name.replaceAll("-", ""), hex);
  } else {
    const printed = [...fourcc].map((c) => c >= " " && c <= "~" ? c : ".").join("");
    assert.equal(printed, name, `box type at ${at}`);
    const size = new DataView(bytes.buffer, bytes.byteOffset + at, 4).getUint32(0);
    if (size > 1) assert.equal(size, total, `size of '${name}' at ${at}`);
  }
}

for (const id of ["0", "2"]) {
  Deno.test(`annotated header lines of Representation ${id} point at the printed boxes`, async () => {
    const path = concatenated(id);
    const base = 1000;
    const { text, problems } = await dumpToString(path, {
      verbosity: 3,
      format: "text",
      annotate: { base },
    });
    assert.equal(problems, 0);
    const bytes = Deno.readFileSync(path);
    let boxes = 0;
    for (const line of text.split("\n")) {
      if (!line.includes(" size=") || !line.trimStart().startsWith("[")) continue;
      const m = line.match(HEADER_LINE);
      assert.ok(m, `unannotated header line: ${line}`);
      const abs = Number(m[5]);
      assert.equal(abs.toString(16), m[6]);
      assertBoxAt(bytes, abs - base, m[2], Number(m[3]) + Number(m[4]));
      boxes++;
    }
    assert.ok(boxes > 50);
    // without the annotations the text is exactly the reference
    const plain = text.replace(/ @\d+ \(0x[0-9a-f]+\)$/gm, "");
    const expected = join(REF, "mp4dump", "dash-avc-aac", `rep${id}.concat.v3.txt`);
    assert.equal(plain, Deno.readTextFileSync(expected));
  });
}

Deno.test("annotation uses the absolute offset base + offset, lowercase hex", async () => {
  const path = join(REF, "dash-avc-aac", "chunk-stream0-00001.m4s");
  const { text } = await dumpToString(path, {
    verbosity: 0,
    format: "text",
    annotate: { base: 843 },
  });
  assert.equal(text.split("\n")[0], "[styp] size=8+16 @843 (0x34b)");
});

Deno.test("boxHeaderOffsets agrees with the annotated header lines", async () => {
  for (const path of [concatenated("0"), concatenated("3"), join(REF, "codecs", "cenc.mp4")]) {
    const { text } = await dumpToString(path, {
      verbosity: 1,
      format: "text",
      annotate: { base: 0 },
    });
    const annotated = [...text.matchAll(/ @(\d+) \(0x[0-9a-f]+\)$/gm)].map((m) => Number(m[1]));
    const offsets = await boxHeaderOffsets(path);
    assert.deepEqual(offsets, annotated);
    assert.equal(offsets[0], 0);
  }
});

Deno.test("firstBoxTypes reads only the first top-level boxes", async () => {
  assert.deepEqual(await firstBoxTypes(join(REF, "dash-avc-aac", "init-stream0.m4s")), [
    "ftyp",
    "moov",
  ]);
  assert.deepEqual(await firstBoxTypes(join(REF, "dash-avc-aac", "chunk-stream0-00001.m4s"), 3), [
    "styp",
    "sidx",
    "moof",
  ]);
  assert.deepEqual(await firstBoxTypes(join(REF, "codecs", "progressive.mp4"), 2), [
    "ftyp",
    "free",
  ]);
  const garbage = join(REF, "dash-avc-aac", "manifest.mpd");
  assert.deepEqual(await firstBoxTypes(garbage), []);
});

Deno.test("a ReadableStream source dumps the same text as the file", async () => {
  for (const name of ["codecs/cmaf.mp4", "codecs/smooth.ismv", "hls-byterange/index.m4s"]) {
    const [folder, media] = name.split("/");
    const file = await Deno.open(join(REF, folder, media));
    let text = "";
    const { problems } = await dumpMp4Stream(file.readable, (t) => {
      text += t;
    }, { verbosity: 3, format: "text" });
    assert.equal(problems.length, 0);
    assert.equal(text, Deno.readTextFileSync(join(REF, "mp4dump", folder, `${media}.v3.txt`)));
  }
});

Deno.test("containers walked from the file (not loaded whole) give the same output", async () => {
  for (const ref of REFS.filter((r) => r.verbosity === 3)) {
    const src = await FileSource.open(join(REF, ref.folder, ref.media));
    let text = "";
    try {
      const { problems } = await dumpSource(
        src,
        (t) => {
          text += t;
        },
        ref,
        { loadLimit: 0 },
      );
      assert.equal(problems.length, 0);
    } finally {
      src.close();
    }
    assert.equal(text, Deno.readTextFileSync(ref.expected), ref.expected);
  }
});

function be32(n: number): Uint8Array {
  return new Uint8Array([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);
}

Deno.test("a last box of size 0 runs to the end of the file", async () => {
  const path = join(REF, "dash-avc-aac", "chunk-stream0-00001.m4s");
  const bytes = Deno.readFileSync(path);
  const offsets = await boxHeaderOffsets(path);
  const lastTop = offsets.filter((o) => {
    const t = new TextDecoder().decode(bytes.subarray(o + 4, o + 8));
    return t === "mdat";
  }).pop()!;
  const copy = bytes.slice();
  copy.set(be32(0), lastTop);
  const tmp = Deno.makeTempFileSync({ suffix: ".m4s" });
  try {
    Deno.writeFileSync(tmp, copy);
    for (const format of ["text", "json"] as const) {
      const { text, problems } = await dumpToString(tmp, { verbosity: 3, format });
      assert.equal(problems, 0);
      const ext = format === "json" ? "json" : "txt";
      const expected = join(REF, "mp4dump", "dash-avc-aac", `chunk-stream0-00001.m4s.v3.${ext}`);
      assert.equal(text, Deno.readTextFileSync(expected));
    }
  } finally {
    Deno.removeSync(tmp);
  }
});

Deno.test("a 64-bit largesize box is read, and shown with its 16-byte header", async () => {
  const path = join(REF, "dash-avc-aac", "chunk-stream2-00004.m4s");
  const bytes = Deno.readFileSync(path);
  // rewrite the mdat with a largesize header: 8 more header bytes
  const offsets = await boxHeaderOffsets(path);
  const mdat = offsets.find((o) =>
    new TextDecoder().decode(bytes.subarray(o + 4, o + 8)) === "mdat"
  )!;
  const size = new DataView(bytes.buffer, mdat, 4).getUint32(0);
  const header = new Uint8Array(16);
  header.set(be32(1), 0);
  header.set(bytes.subarray(mdat + 4, mdat + 8), 4);
  header.set(be32(0), 8);
  header.set(be32(size + 8), 12);
  const copy = new Uint8Array(bytes.length + 8);
  copy.set(bytes.subarray(0, mdat));
  copy.set(header, mdat);
  copy.set(bytes.subarray(mdat + 8), mdat + 16);
  const tmp = Deno.makeTempFileSync({ suffix: ".m4s" });
  try {
    Deno.writeFileSync(tmp, copy);
    const { text, problems } = await dumpToString(tmp, { verbosity: 3, format: "text" });
    assert.equal(problems, 0);
    const expected = Deno.readTextFileSync(
      join(REF, "mp4dump", "dash-avc-aac", "chunk-stream2-00004.m4s.v3.txt"),
    ).replace(`[mdat] size=8+${size - 8}`, `[mdat] size=16+${size - 8}`);
    assert.equal(text, expected);
  } finally {
    Deno.removeSync(tmp);
  }
});
