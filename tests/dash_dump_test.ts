/**
 * `streamkit dash dump` end to end: real ffmpeg-made streams mirrored by the real `dash get`
 * through the loopback server, then the real CLI run on the mirror. Its outputs are checked
 * against the real tools: `hexdump -C -v` run here, and Bento4 mp4dump's reference outputs.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { copyTree, FIXTURES, listFiles, runCli } from "./cli_helpers.ts";
import { startServer } from "./server.ts";
import {
  bytesEqual,
  checkAnnotations,
  concatFiles,
  mirror,
  parseDump,
  stripAnnotations,
} from "./dash_dump_helpers.ts";

const REF = join(FIXTURES, "reference");
const MP4DUMP_REF = join(REF, "mp4dump", "dash-avc-aac");
const IDS = ["0", "1", "2", "3"];

/** The reference stream's files of Representation `id`, in manifest order. */
async function referenceOrder(dir: string, id: string): Promise<string[]> {
  const media = (await listFiles(dir)).filter((f) => f.startsWith(`chunk-stream${id}-`)).sort();
  return [`init-stream${id}.m4s`, ...media];
}

/** Whether `dir` holds any `.part` file. */
async function hasPartFiles(dir: string): Promise<boolean> {
  return (await listFiles(dir)).some((f) => f.endsWith(".part"));
}

Deno.test("dash dump: the reference stream gives <id>.m4s, <id>.dump and <id>.hex", async () => {
  const dir = await mirror(REF, "dash-avc-aac/manifest.mpd");
  try {
    // no -d: the current directory
    const r = await runCli(["dash", "dump", "--engine", "builtin", "-q"], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, "");
    assert.ok(!(await hasPartFiles(dir)));
    for (const id of IDS) {
      const order = await referenceOrder(dir, id);
      const m4s = await Deno.readFile(join(dir, `${id}.m4s`));
      // <id>.m4s: init + media in manifest order
      assert.ok(bytesEqual(m4s, await concatFiles(dir, order)), `${id}.m4s`);
      // <id>.hex: what the real hexdump prints
      const hex = await new Deno.Command("hexdump", {
        args: ["-C", "-v", `${id}.m4s`],
        cwd: dir,
        stdout: "piped",
      }).output();
      assert.ok(hex.success);
      assert.ok(bytesEqual(await Deno.readFile(join(dir, `${id}.hex`)), hex.stdout), `${id}.hex`);
      // <id>.dump: one section per segment; without annotations, mp4dump's own text
      const dump = await Deno.readTextFile(join(dir, `${id}.dump`));
      const sections = parseDump(dump);
      assert.deepEqual(sections.map((s) => s.path), order);
      let offset = 0;
      for (const s of sections) {
        const size = (await Deno.stat(join(dir, s.path))).size;
        assert.equal(s.offset, offset, s.path);
        assert.equal(s.size, size, s.path);
        offset += size;
        const expected = await Deno.readTextFile(join(MP4DUMP_REF, `${s.path}.v3.txt`));
        assert.equal(stripAnnotations(s.body), expected, s.path);
      }
      assert.equal(offset, m4s.length);
      // for this stream mp4dump says the same of the whole file as of its segments in turn
      assert.equal(
        stripAnnotations(dump),
        await Deno.readTextFile(join(MP4DUMP_REF, `rep${id}.concat.v3.txt`)),
      );
      // every annotated offset holds a box of the printed type and size
      const checked = checkAnnotations(dump, m4s);
      assert.equal(checked, dump.split("\n").filter((l) => / @\d+ \(0x/.test(l)).length);
      assert.ok(checked > 20);
      assert.match(r.stdout, new RegExp(`^${id} .* ${m4s.length}  builtin  ${id}\\.m4s`, "m"));
    }
    assert.match(r.stdout, /4 of 4 Representations dumped/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("dash dump -r selects Representations; an unknown id names the known ones", async () => {
  const dir = await mirror(REF, "dash-avc-aac/manifest.mpd");
  try {
    const before = await listFiles(dir);
    const bad = await runCli(["dash", "dump", "-d", dir, "-r", "2", "9"]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /no Representation "9" in the manifest; .*: 0, 1, 2, 3/);
    assert.deepEqual(await listFiles(dir), before);

    const r = await runCli(["dash", "dump", "-d", dir, "-r", "2", "0", "--no-hex", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const summary = JSON.parse(r.stdout);
    assert.deepEqual(summary.representations.map((x: { id: string }) => x.id), ["0", "2"]);
    assert.deepEqual(summary.representations[1].files, ["2.m4s", "2.dump"]);
    assert.equal(summary.representations[1].segments, 5);
    assert.equal(summary.representations[1].bytes, (await Deno.stat(join(dir, "2.m4s"))).size);
    const written = (await listFiles(dir)).filter((f) => !before.includes(f));
    assert.deepEqual(written, ["0.dump", "0.m4s", "2.dump", "2.m4s"]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("dash dump: a deleted segment makes its Representation incomplete, the rest finish", async () => {
  const dir = await mirror(REF, "dash-avc-aac/manifest.mpd");
  try {
    await Deno.remove(join(dir, "chunk-stream1-00002.m4s"));
    const r = await runCli(["dash", "dump", "-d", dir, "--engine", "builtin"]);
    assert.equal(r.code, 1);
    assert.match(
      r.stdout,
      /incomplete, nothing written \(1\):\n {2}1: 1 missing: chunk-stream1-00002\.m4s/,
    );
    assert.match(r.stderr, /1: missing chunk-stream1-00002\.m4s/);
    const files = await listFiles(dir);
    assert.ok(!files.some((f) => f.startsWith("1.")), files.join(" "));
    assert.ok(!(await hasPartFiles(dir)));
    for (const id of ["0", "2", "3"]) {
      const m4s = await Deno.readFile(join(dir, `${id}.m4s`));
      assert.ok(bytesEqual(m4s, await concatFiles(dir, await referenceOrder(dir, id))));
      assert.ok(files.includes(`${id}.hex`) && files.includes(`${id}.dump`));
    }
    // files of an earlier complete run are left alone, and said to be from then
    await Deno.copyFile(
      join(REF, "dash-avc-aac", "chunk-stream1-00002.m4s"),
      join(dir, "chunk-stream1-00002.m4s"),
    );
    assert.equal((await runCli(["dash", "dump", "-d", dir, "-r", "1", "-q"])).code, 0);
    const earlier = await Deno.readFile(join(dir, "1.m4s"));
    await Deno.remove(join(dir, "chunk-stream1-00003.m4s"));
    const again = await runCli(["dash", "dump", "-d", dir, "-r", "1", "--json"]);
    assert.equal(again.code, 1);
    const [rep] = JSON.parse(again.stdout).representations;
    assert.equal(rep.status, "incomplete");
    assert.deepEqual(rep.missing, ["chunk-stream1-00003.m4s"]);
    assert.deepEqual(rep.earlier, ["1.m4s", "1.dump", "1.hex"]);
    assert.ok(bytesEqual(await Deno.readFile(join(dir, "1.m4s")), earlier));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("dash dump: a damaged segment is named with its offsets; the files are written", async () => {
  const dir = await mirror(REF, "dash-avc-aac/manifest.mpd");
  try {
    const seg = join(dir, "chunk-stream2-00003.m4s");
    await Deno.writeFile(seg, (await Deno.readFile(seg)).subarray(0, 5000));
    const r = await runCli([
      "dash",
      "dump",
      "-d",
      dir,
      "-r",
      "2",
      "3",
      "--json",
      "-q",
      "--engine",
      "builtin",
    ]);
    assert.equal(r.code, 1);
    const [two, three] = JSON.parse(r.stdout).representations;
    assert.equal(three.status, "dumped");
    assert.equal(two.status, "damaged");
    assert.deepEqual(two.files, ["2.m4s", "2.dump", "2.hex"]);
    const order = await referenceOrder(dir, "2");
    const m4s = await Deno.readFile(join(dir, "2.m4s"));
    assert.ok(bytesEqual(m4s, await concatFiles(dir, order)));
    const sections = parseDump(await Deno.readTextFile(join(dir, "2.dump")));
    const at = sections.find((s) => s.path === "chunk-stream2-00003.m4s")!;
    assert.equal(at.size, 5000);
    assert.equal(two.problems.length, 1);
    const m = /^chunk-stream2-00003\.m4s: damaged MP4 at offset (\d+) \(0x[0-9a-f]+\), @(\d+) /
      .exec(two.problems[0]);
    assert.ok(m, two.problems[0]);
    assert.equal(Number(m[2]), at.offset + Number(m[1]));
    // the sections of the sound files are still mp4dump's text
    for (const s of sections.filter((s) => s !== at)) {
      const expected = await Deno.readTextFile(join(MP4DUMP_REF, `${s.path}.v3.txt`));
      assert.equal(stripAnnotations(s.body), expected, s.path);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("dash dump: two MPDs in one directory need --manifest", async () => {
  const dir = await mirror(REF, "dash-avc-aac/manifest.mpd");
  try {
    await Deno.copyFile(join(dir, "manifest.mpd"), join(dir, "copy.mpd"));
    const r = await runCli(["dash", "dump", "-d", dir]);
    assert.equal(r.code, 2);
    assert.match(
      r.stderr,
      /holds 2 manifests \(copy\.mpd, manifest\.mpd\); choose one with --manifest/,
    );
    assert.ok(!(await listFiles(dir)).some((f) => /^\d\./.test(f)));
    const ok = await runCli(["dash", "dump", "-d", dir, "--manifest", "copy.mpd", "-r", "3", "-q"]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(ok.stdout, /from copy\.mpd/);
    // --manifest alone: its folder is the directory
    const alone = await runCli([
      "dash",
      "dump",
      "--manifest",
      join(dir, "manifest.mpd"),
      "-r",
      "1",
    ]);
    assert.equal(alone.code, 0, alone.stderr);
    assert.ok((await listFiles(dir)).includes("1.dump"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("dash dump: an empty directory is an error naming it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const r = await runCli(["dash", "dump", "-d", dir]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /no \.mpd manifest here/);
    assert.ok(r.stderr.includes(dir));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("dash dump skips WebM Representations and says why", async () => {
  const dir = await mirror(FIXTURES, "dash-webm/manifest.mpd");
  try {
    const before = await listFiles(dir);
    const r = await runCli(["dash", "dump", "-d", dir, "--json"]);
    // nothing to dump at all is a failure
    assert.equal(r.code, 1);
    const summary = JSON.parse(r.stdout);
    assert.deepEqual(
      summary.representations.map((x: { status: string; reason: string }) => [x.status, x.reason]),
      [
        ["skipped", "WebM (mimeType video/webm)"],
        ["skipped", "WebM (mimeType audio/webm)"],
      ],
    );
    assert.deepEqual(await listFiles(dir), before);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("dash dump: fMP4 beside WebM and MPEG-TS; undeclared formats are sniffed", async () => {
  const root = await Deno.makeTempDir();
  try {
    await copyTree(join(REF, "dash-avc-aac"), join(root, "s"));
    for (const f of await listFiles(join(FIXTURES, "dash-webm"))) {
      if (f.endsWith(".webm")) {
        await Deno.copyFile(join(FIXTURES, "dash-webm", f), join(root, "s", f));
      }
    }
    for (const f of ["seg_000.ts", "seg_001.ts"]) {
      await Deno.copyFile(join(REF, "hls-ts", f), join(root, "s", f));
    }
    const avc = await Deno.readTextFile(join(REF, "dash-avc-aac", "manifest.mpd"));
    const extra = `
		<AdaptationSet id="7" contentType="video">
			<Representation id="webm" mimeType="video/webm" bandwidth="60000">
				<SegmentTemplate timescale="1000" initialization="init-stream0.webm" media="chunk-stream0-$Number%05d$.webm" startNumber="1">
					<SegmentTimeline><S t="7" d="2000" r="2" /></SegmentTimeline>
				</SegmentTemplate>
			</Representation>
			<Representation id="ts" bandwidth="90000">
				<SegmentList duration="2"><SegmentURL media="seg_000.ts"/><SegmentURL media="seg_001.ts"/></SegmentList>
			</Representation>
			<Representation id="vp9" bandwidth="60000">
				<SegmentTemplate timescale="1000" initialization="init-stream0.webm" media="chunk-stream0-$Number%05d$.webm" startNumber="1">
					<SegmentTimeline><S t="7" d="2000" r="2" /></SegmentTimeline>
				</SegmentTemplate>
			</Representation>
		</AdaptationSet>
	</Period>`;
    await Deno.writeTextFile(join(root, "s", "manifest.mpd"), avc.replace("\n\t</Period>", extra));
    const dir = await mirror(root, "s/manifest.mpd");
    try {
      const r = await runCli(["dash", "dump", "-d", dir, "-r", "1", "webm", "ts", "vp9"]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^1 +video +4 /m);
      assert.match(r.stdout, /skipped, not fMP4 \(3\):/);
      assert.match(r.stdout, / {2}webm \(video\): WebM \(mimeType video\/webm\)/);
      assert.match(
        r.stdout,
        / {2}ts \(video\): MPEG-TS \(seg_000\.ts starts with a 0x47 sync byte\)/,
      );
      assert.match(
        r.stdout,
        / {2}vp9 \(video\): WebM \(init-stream0\.webm starts with an EBML header\)/,
      );
      const files = await listFiles(dir);
      assert.ok(files.includes("1.m4s") && !files.some((f) => /^(webm|ts|vp9)\./.test(f)));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

for (const fixture of ["dash-segmentbase", "dash-segmentlist-range"]) {
  Deno.test(`dash dump: ${fixture}: byte ranges of one file are that file, once`, async () => {
    const dir = await mirror(FIXTURES, `${fixture}/manifest.mpd`);
    try {
      const r = await runCli(["dash", "dump", "-d", dir, "--json"]);
      assert.equal(r.code, 0, r.stderr);
      const summary = JSON.parse(r.stdout);
      for (const rep of summary.representations) {
        const source = `manifest-stream${rep.id}.mp4`;
        assert.equal(rep.segments, 1);
        assert.ok(rep.addressed > 1);
        const m4s = await Deno.readFile(join(dir, `${rep.id}.m4s`));
        assert.ok(bytesEqual(m4s, await Deno.readFile(join(dir, source))));
        const dump = await Deno.readTextFile(join(dir, `${rep.id}.dump`));
        const sections = parseDump(dump);
        assert.deepEqual(sections.map((s) => [s.path, s.offset, s.size]), [[
          source,
          0,
          m4s.length,
        ]]);
        const mp4 = await runCli(["mp4", "dump", "--verbosity", "3", join(dir, source)]);
        assert.equal(stripAnnotations(dump), mp4.stdout);
        assert.ok(checkAnnotations(dump, m4s) > 20);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

/** The last number in a file name (without extension): its `$Number$` or `$Time$`. */
function lastNumber(name: string): number {
  return Number(/(\d+)\.[a-z0-9]+$/.exec(name)![1]);
}

for (
  const [fixture, init, media] of [
    ["dash-segmentlist", "init-stream", "chunk-stream"],
    ["dash-number-duration", "init-stream", "chunk-stream"],
    ["dash-time", "init-stream", "chunk-"],
  ] as const
) {
  Deno.test(`dash dump: ${fixture}: the files dash get wrote, in manifest order`, async () => {
    const dir = await mirror(FIXTURES, `${fixture}/manifest.mpd`);
    try {
      const r = await runCli(["dash", "dump", "-d", dir, "-q"]);
      assert.equal(r.code, 0, r.stderr);
      const files = await listFiles(dir);
      for (const id of IDS) {
        const mine = files.filter((f) => f.startsWith(`${media}${id}-`)).sort((a, b) =>
          lastNumber(a) - lastNumber(b)
        );
        const order = [files.find((f) => f.startsWith(`${init}${id}.`))!, ...mine];
        assert.equal(order.length, 4);
        const m4s = await Deno.readFile(join(dir, `${id}.m4s`));
        assert.ok(bytesEqual(m4s, await concatFiles(dir, order)), `${fixture} ${id}`);
        const dump = await Deno.readTextFile(join(dir, `${id}.dump`));
        assert.deepEqual(parseDump(dump).map((s) => s.path), order);
        assert.ok(checkAnnotations(dump, m4s) > 20);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("dash dump: two Periods reusing ids, segments in subfolders, do not collide", async () => {
  const root = await Deno.makeTempDir();
  try {
    await copyTree(join(REF, "dash-avc-aac"), join(root, "a"));
    await copyTree(join(FIXTURES, "dash-number-duration"), join(root, "b"));
    const mpd = `<?xml version="1.0" encoding="utf-8"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" mediaPresentationDuration="PT12S"
     profiles="urn:mpeg:dash:profile:isoff-live:2011">
  <Period id="first" start="PT0S" duration="PT6S">
    <BaseURL>a/</BaseURL>
    <AdaptationSet contentType="video" mimeType="video/mp4">
      <Representation id="0" bandwidth="200000" codecs="avc1.42c00d">
        <SegmentTemplate timescale="12800" initialization="init-stream$RepresentationID$.m4s"
          media="chunk-stream$RepresentationID$-$Number%05d$.m4s" startNumber="1">
          <SegmentTimeline><S t="0" d="25600" r="2" /></SegmentTimeline>
        </SegmentTemplate>
      </Representation>
    </AdaptationSet>
  </Period>
  <Period id="second" duration="PT6S">
    <BaseURL>b/</BaseURL>
    <AdaptationSet contentType="video" mimeType="video/mp4">
      <Representation id="0" bandwidth="100000" codecs="avc1.42c00c">
        <SegmentTemplate timescale="1000000" duration="2000000" startNumber="1"
          initialization="init-stream$RepresentationID$.m4s"
          media="chunk-stream$RepresentationID$-$Number%05d$.m4s"/>
      </Representation>
    </AdaptationSet>
  </Period>
</MPD>
`;
    await Deno.writeTextFile(join(root, "two.mpd"), mpd);
    const dir = await mirror(root, "two.mpd");
    try {
      const r = await runCli(["dash", "dump", "-d", dir]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^0 \(Period\[0\]\) .* 0\.p0\.m4s 0\.p0\.dump 0\.p0\.hex$/m);
      assert.match(r.stdout, /^0 \(Period\[1\]\) .* 0\.p1\.m4s 0\.p1\.dump 0\.p1\.hex$/m);
      for (const [p, sub] of [["0", "a"], ["1", "b"]]) {
        const expected = [
          `${sub}/init-stream0.m4s`,
          ...(await referenceOrder(join(dir, sub), "0"))
            .slice(1).map((f) => `${sub}/${f}`),
        ];
        const m4s = await Deno.readFile(join(dir, `0.p${p}.m4s`));
        assert.ok(bytesEqual(m4s, await concatFiles(dir, expected)), `period ${p}`);
        const dump = await Deno.readTextFile(join(dir, `0.p${p}.dump`));
        assert.deepEqual(parseDump(dump).map((s) => s.path), expected);
      }
      // -r with the id takes both Periods; with a file name, one
      const one = await runCli(["dash", "dump", "-d", dir, "-r", "0.p1", "--json"]);
      assert.deepEqual(
        JSON.parse(one.stdout).representations.map((x: { name: string }) => x.name),
        [
          "0.p1",
        ],
      );
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("dash dump finds what dash get put under _ext/, query strings and all", async () => {
  await using other = startServer({ root: REF });
  const root = await Deno.makeTempDir();
  const dir = await Deno.makeTempDir();
  try {
    await copyTree(join(REF, "dash-avc-aac"), root);
    // Representation 2 from another origin (an absolute BaseURL), every URL with a query
    const avc = await Deno.readTextFile(join(root, "manifest.mpd"));
    await Deno.writeTextFile(
      join(root, "manifest.mpd"),
      avc.replace(
        /(<Representation id="2"[^>]*>)/,
        `$1\n\t\t\t\t<BaseURL>${other.url}dash-avc-aac/</BaseURL>`,
      ).replaceAll('.m4s"', '.m4s?token=abc"'),
    );
    await using front = startServer({ root });
    const get = await runCli(["dash", "get", `${front.url}manifest.mpd`, "-o", dir, "-q"]);
    assert.equal(get.code, 0, get.stderr);
    const ext = (await listFiles(dir)).filter((f) => f.startsWith("_ext/"));
    assert.equal(ext.length, 5, ext.join(" "));
    assert.equal(other.count(/\.m4s$/), 5);
    const r = await runCli(["dash", "dump", "-d", dir, "-q"]);
    assert.equal(r.code, 0, r.stderr);
    for (const id of IDS) {
      const order = (await referenceOrder(root, id)).map((f) =>
        id === "2" ? ext.find((e) => e.endsWith(`/${f}`))! : f
      );
      const m4s = await Deno.readFile(join(dir, `${id}.m4s`));
      assert.ok(bytesEqual(m4s, await concatFiles(dir, order)), id);
      const dump = await Deno.readTextFile(join(dir, `${id}.dump`));
      assert.deepEqual(parseDump(dump).map((s) => s.path), order);
    }
  } finally {
    await Deno.remove(root, { recursive: true });
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("dash dump reads only files under the manifest's folder", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const avc = await Deno.readTextFile(join(REF, "dash-avc-aac", "manifest.mpd"));
    for (
      const [base, message] of [
        ["../", /is outside the manifest's folder/],
        ["file:///etc/", /is outside the manifest's folder/],
        ["http://127.0.0.1:9/", /uses the unsupported scheme "http:"/],
      ] as const
    ) {
      await Deno.writeTextFile(
        join(dir, "manifest.mpd"),
        avc.replace("<Period ", `<BaseURL>${base}</BaseURL>\n\t<Period `),
      );
      const r = await runCli(["dash", "dump", "-d", dir]);
      assert.equal(r.code, 2, base);
      assert.match(r.stderr, message);
      assert.deepEqual(await listFiles(dir), ["manifest.mpd"]);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("dash dump: output names never overwrite a segment", async () => {
  const root = await Deno.makeTempDir();
  try {
    await copyTree(join(REF, "dash-avc-aac"), root);
    // Representation "init-stream2" would write init-stream2.m4s: its own init segment.
    await Deno.writeTextFile(
      join(root, "clash.mpd"),
      `<?xml version="1.0"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" mediaPresentationDuration="PT6S">
  <Period>
    <AdaptationSet contentType="audio" mimeType="audio/mp4">
      <Representation id="init-stream2" bandwidth="64000">
        <SegmentTemplate timescale="48000" initialization="init-stream2.m4s"
          media="chunk-stream2-$Number%05d$.m4s">
          <SegmentTimeline><S t="0" d="95232"/><S d="96256" r="1"/><S d="256"/></SegmentTimeline>
        </SegmentTemplate>
      </Representation>
    </AdaptationSet>
  </Period>
</MPD>
`,
    );
    const dir = await mirror(root, "clash.mpd");
    try {
      const init = await Deno.readFile(join(dir, "init-stream2.m4s"));
      const r = await runCli(["dash", "dump", "-d", dir, "--json"]);
      assert.equal(r.code, 0, r.stderr);
      const [rep] = JSON.parse(r.stdout).representations;
      assert.equal(rep.name, "init-stream2~2");
      assert.deepEqual(rep.files, [
        "init-stream2~2.m4s",
        "init-stream2~2.dump",
        "init-stream2~2.hex",
      ]);
      assert.ok(bytesEqual(await Deno.readFile(join(dir, "init-stream2.m4s")), init));
      const m4s = await Deno.readFile(join(dir, "init-stream2~2.m4s"));
      assert.ok(bytesEqual(m4s, await concatFiles(dir, await referenceOrder(dir, "2"))));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  } finally {
    await Deno.remove(root, { recursive: true });
  }
});

Deno.test("dash dump --help lists its options", async () => {
  const r = await runCli(["dash", "dump", "--help"]);
  assert.equal(r.code, 0);
  for (const o of ["--directory", "--reps", "--manifest", "--engine", "--mp4dump", "--no-hex"]) {
    assert.ok(r.stdout.includes(o), o);
  }
});
