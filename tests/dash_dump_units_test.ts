/**
 * The parts of `dash dump` one by one: annotating mp4dump's output (the real mp4dump's
 * reference outputs), naming output files, fMP4 detection on real media, the engine choice,
 * and the all-or-nothing writing of a Representation's files.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { chooseEngine, findOnPath } from "../src/dump/engine.ts";
import { annotateHeaderLines, Mp4dumpError } from "../src/dump/mp4dump.ts";
import {
  declaredNotFmp4,
  dumpRepresentation,
  OUTPUT_EXTENSIONS,
  segmentHeaderLine,
  sniffNotFmp4,
} from "../src/dump/representation.ts";
import { UsageError } from "../src/errors.ts";
import { dashLayout } from "../src/dash/plan.ts";
import { OutputDir } from "../src/mirror/output.ts";
import { boxHeaderOffsets, dumpMp4 } from "../src/mp4/dump.ts";
import { FIXTURES, listFiles } from "./cli_helpers.ts";
import { bytesEqual, stripAnnotations } from "./dash_dump_helpers.ts";

const REF = join(FIXTURES, "reference");
const AVC = join(REF, "dash-avc-aac");
const enc = new TextEncoder();
const dec = new TextDecoder();

Deno.test("annotateHeaderLines on the real mp4dump's text equals the built-in annotated dump", async () => {
  const segments = (await listFiles(AVC)).filter((f) => f.endsWith(".m4s"));
  assert.equal(segments.length, 18);
  for (const [i, seg] of segments.entries()) {
    const file = join(AVC, seg);
    const text = await Deno.readFile(join(REF, "mp4dump", "dash-avc-aac", `${seg}.v3.txt`));
    const base = 1000 * i + 7;
    const annotated = annotateHeaderLines(text, await boxHeaderOffsets(file), base);
    let builtin = "";
    await dumpMp4(file, (t) => {
      builtin += t;
    }, { verbosity: 3, format: "text", annotate: { base } });
    assert.equal(dec.decode(annotated), builtin, seg);
    assert.equal(stripAnnotations(builtin), dec.decode(text), seg);
  }
});

Deno.test("annotateHeaderLines keeps other bytes and counts header lines", () => {
  const text = new Uint8Array([
    ...enc.encode("[ftyp] size=8+12\n  major_brand = "),
    0xff,
    0xfe,
    ...enc.encode("\n  [Descriptor:06] size=5+1\n  [00] = fscod=0\n[free] size=8+0"),
  ]);
  const out = annotateHeaderLines(text, [0, 30, 99], 4096);
  const expected = new Uint8Array([
    ...enc.encode("[ftyp] size=8+12 @4096 (0x1000)\n  major_brand = "),
    0xff,
    0xfe,
    ...enc.encode(
      "\n  [Descriptor:06] size=5+1 @4126 (0x101e)\n  [00] = fscod=0\n[free] size=8+0 @4195 (0x1063)",
    ),
  ]);
  assert.ok(bytesEqual(out, expected), dec.decode(out));
  assert.throws(() => annotateHeaderLines(text, [0, 30], 0), Mp4dumpError);
  assert.throws(
    () => annotateHeaderLines(text, [0, 30, 99, 120], 0),
    /printed 3 box header lines where streamkit found 4 boxes/,
  );
});

Deno.test("segmentHeaderLine pads the hex offset to 8 digits, and more past 4 GiB", () => {
  assert.equal(
    segmentHeaderLine("chunk-stream0-00001.m4s", 843, 60211),
    "# chunk-stream0-00001.m4s offset=843 (0x0000034b) size=60211\n",
  );
  assert.equal(
    segmentHeaderLine("a b/s.m4s", 0x123456789, 1),
    "# a b/s.m4s offset=4886718345 (0x123456789) size=1\n",
  );
});

Deno.test("output names come from the layout: safe, unique, never a segment's or the manifest's", () => {
  const { layout } = dashLayout("file:///data/out/manifest.mpd");
  layout.pathFor("file:///data/out/seg.m4s");
  layout.pathFor("file:///data/out/x.hex");
  const name = (id: string) => layout.derivedName(id, OUTPUT_EXTENSIONS);
  assert.deepEqual(
    ["video/1", "a.p0", "a.p1", "b", "B", "..", "seg", "x", "manifest.mpd"].map(name),
    ["video_1", "a.p0", "a.p1", "b", "B~2", "__", "seg~2", "x~2", "manifest.mpd"],
  );
  // The saved original's name is the manifest's: no output takes it.
  assert.equal(layout.derivedName("manifest.mpd", [".orig"]), "manifest.mpd~2");
  // Nor does any later URL take an output's name.
  assert.notEqual(layout.pathFor("file:///data/out/b.dump"), "b.dump");
});

Deno.test("declaredNotFmp4 reads @mimeType", () => {
  assert.equal(declaredNotFmp4("video/webm"), "WebM (mimeType video/webm)");
  assert.equal(declaredNotFmp4("video/mp2t"), "MPEG-TS (mimeType video/mp2t)");
  assert.equal(declaredNotFmp4("text/vtt"), "text (mimeType text/vtt)");
  assert.equal(declaredNotFmp4("application/ttml+xml"), "text (mimeType application/ttml+xml)");
  assert.equal(declaredNotFmp4("image/jpeg"), "image (mimeType image/jpeg)");
  for (const m of ["video/mp4", "audio/mp4", "application/mp4", undefined]) {
    assert.equal(declaredNotFmp4(m), undefined, m);
  }
});

Deno.test("sniffNotFmp4 looks at the first file's bytes", async () => {
  assert.equal(await sniffNotFmp4(join(AVC, "init-stream0.m4s")), undefined);
  assert.equal(await sniffNotFmp4(join(AVC, "chunk-stream0-00001.m4s")), undefined);
  assert.equal(await sniffNotFmp4(join(REF, "codecs", "cmaf.mp4")), undefined);
  assert.equal(
    await sniffNotFmp4(join(FIXTURES, "dash-webm", "init-stream0.webm"), "i.webm"),
    "WebM (i.webm starts with an EBML header)",
  );
  assert.equal(
    await sniffNotFmp4(join(REF, "hls-ts", "seg_000.ts"), "s.ts"),
    "MPEG-TS (s.ts starts with a 0x47 sync byte)",
  );
  const dir = await Deno.makeTempDir();
  try {
    const cases: [string, string | Uint8Array, string][] = [
      ["a.vtt", "\ufeffWEBVTT\n\n00:00.000 --> 00:01.000\nhi\n", "text (a.vtt is WebVTT)"],
      ["a.ttml", '<?xml version="1.0"?><tt/>', "text (a.ttml is XML, e.g. TTML)"],
      ["empty", "", "empty is empty"],
      [
        "free",
        new Uint8Array([0, 0, 0, 8, 0x66, 0x72, 0x65, 0x65]),
        "not fMP4 (free starts with a 'free' box)",
      ],
      [
        "junk",
        new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 9]),
        "not fMP4 (junk is not an ISO BMFF file)",
      ],
    ];
    for (const [name, content, reason] of cases) {
      const path = join(dir, name);
      if (typeof content === "string") await Deno.writeTextFile(path, content);
      else await Deno.writeFile(path, content);
      assert.equal(await sniffNotFmp4(path, name), reason);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("findOnPath and chooseEngine", async () => {
  const a = await Deno.makeTempDir();
  const b = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(join(a, "mp4dump"), "#!/bin/sh\n"); // not executable: passed over
    await Deno.writeTextFile(join(b, "mp4dump"), "#!/bin/sh\n");
    await Deno.chmod(join(b, "mp4dump"), 0o755);
    const path = `${a}:${b}`;
    assert.equal(await findOnPath("mp4dump", path), join(b, "mp4dump"));
    assert.equal(await findOnPath("mp4dump", a), undefined);

    assert.deepEqual(await chooseEngine({ engine: "auto", path }), {
      engine: { kind: "mp4dump", program: join(b, "mp4dump"), required: false },
    });
    assert.deepEqual(await chooseEngine({ engine: "builtin", path }), {
      engine: { kind: "builtin" },
    });
    const fallback = await chooseEngine({ engine: "auto", path: a });
    assert.deepEqual(fallback.engine, { kind: "builtin" });
    assert.match(fallback.note!, /mp4dump \(Bento4\) is not on PATH; using the built-in dumper/);
    await assert.rejects(chooseEngine({ engine: "mp4dump", path: a }), UsageError);
    await assert.rejects(
      chooseEngine({ engine: "mp4dump", mp4dump: join(a, "mp4dump") }),
      /is not executable/,
    );
    // a bare name given to --mp4dump is looked up on PATH
    assert.equal(
      (await chooseEngine({ engine: "mp4dump", mp4dump: "mp4dump", path })).engine.kind,
      "mp4dump",
    );
  } finally {
    await Deno.remove(a, { recursive: true });
    await Deno.remove(b, { recursive: true });
  }
});

Deno.test("dumpRepresentation writes all three files or none", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const files = ["init-stream3.m4s", "chunk-stream3-00001.m4s"].map((p) => ({
      path: p,
      file: join(AVC, p),
    }));
    const out = new OutputDir(dir);
    const ok = await dumpRepresentation(files, out, "r", { engine: { kind: "builtin" } });
    assert.deepEqual(ok.written, ["r.m4s", "r.dump", "r.hex"]);
    assert.deepEqual(ok.engines, ["builtin"]);
    assert.equal(ok.files[1].offset, (await Deno.stat(files[0].file)).size);
    assert.deepEqual(await listFiles(dir), ["r.dump", "r.hex", "r.m4s"]);

    const gone = [...files, { path: "gone.m4s", file: join(dir, "gone.m4s") }];
    await assert.rejects(
      dumpRepresentation(gone, out, "s", { engine: { kind: "builtin" } }),
      Deno.errors.NotFound,
    );
    assert.deepEqual(
      (await listFiles(dir)).filter((f) => !f.startsWith(".streamkit/")),
      ["r.dump", "r.hex", "r.m4s"],
    );
    assert.deepEqual((await listFiles(dir)).filter((f) => f.startsWith(".streamkit/")), []);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
