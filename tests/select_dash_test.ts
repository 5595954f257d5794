/**
 * `dash get --select` and `--range`, end to end against the loopback server: only what is
 * kept is requested (the server's log), the saved MPD lists exactly what was kept (read
 * back with the XML reader, element by element), the saved copy's self-check passes, and
 * ffmpeg plays it offline with the frames of the kept segments — counted against ffmpeg
 * decoding those segment files directly.
 *
 * `select-dash/` (tests/fixtures/make_fixtures.sh): Representations 0 (256x144, 60 kb/s),
 * 1 (192x108, 40 kb/s), 2 (128x72, 20 kb/s) in AdaptationSet 0; 3 (eng) and 4 (fra) in
 * AdaptationSets 1 and 2. Video: timescale 10240, `<S t="0" d="20480" r="2"/>` (three 2 s
 * segments of 20 frames at 10 fps). Audio: timescale 48000, S@d 95232, 96256, 91712 (segments
 * at 0-1.984, 1.984-3.989, 3.989-5.9 s). Media `chunk-stream<id>-<%05d number>.m4s`.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { childrenNamed, parseXml, type XmlElement } from "../src/dash/xml.ts";
import { FIXTURES, listFiles, runCli, scratchDir } from "./cli_helpers.ts";
import { startServer } from "./server.ts";
import {
  asked,
  decodedFrames,
  ffmpegOrSkip,
  playedFrames,
  streamCount,
} from "./selection_helpers.ts";

/** Elements named `name` anywhere under `el`, in document order. */
function all(el: XmlElement, name: string): XmlElement[] {
  return el.children.flatMap((c) => [...(c.name === name ? [c] : []), ...all(c, name)]);
}

/** `chunk-stream<id>-<n>.m4s`. */
function chunk(id: number, n: number): string {
  return `chunk-stream${id}-${String(n).padStart(5, "0")}.m4s`;
}

/** Runs `dash get <fixture>/manifest.mpd -o <new folder> <args>` against `server`. */
async function get(
  server: { url: string },
  fixture: string,
  args: string[],
  manifest = "manifest.mpd",
) {
  const out = join(await scratchDir(), "out");
  const r = await runCli([
    "dash",
    "get",
    `${server.url}${fixture}/${manifest}`,
    "-o",
    out,
    ...args,
  ]);
  return { ...r, out };
}

/** The saved MPD, parsed. */
async function saved(out: string, manifest = "manifest.mpd"): Promise<XmlElement> {
  return parseXml(await Deno.readTextFile(join(out, manifest)));
}

Deno.test("--select kind=video:best --select lang=fra: only those are fetched, listed and played", async () => {
  await using server = startServer({ root: FIXTURES });
  const r = await get(server, "select-dash", [
    "--select",
    "kind=video:best",
    "--select",
    "lang=fra",
    "--json",
    "-q",
  ]);
  assert.equal(r.code, 0, r.stderr);
  const kept = [
    "init-stream0.m4s",
    "init-stream4.m4s",
    ...[1, 2, 3].flatMap((n) => [chunk(0, n), chunk(4, n)]),
  ]
    .sort();
  assert.deepEqual(asked(server, "/select-dash/"), ["manifest.mpd", ...kept].sort());
  assert.deepEqual(await listFiles(r.out), [...kept, "manifest.mpd", "manifest.mpd.orig"].sort());
  // The server's MPD is kept beside the saved one, byte for byte.
  assert.equal(
    await Deno.readTextFile(join(r.out, "manifest.mpd.orig")),
    await Deno.readTextFile(join(FIXTURES, "select-dash/manifest.mpd")),
  );
  const mpd = await saved(r.out);
  assert.deepEqual(all(mpd, "Representation").map((e) => e.attrs.id), ["0", "4"]);
  assert.deepEqual(all(mpd, "AdaptationSet").map((e) => e.attrs.id), ["0", "2"]);
  // Nothing else changed: the kept Representations address what they did.
  assert.deepEqual(all(mpd, "S").map((s) => s.attrs), [
    { t: "0", d: "20480", r: "2" },
    { t: "0", d: "95232" },
    { d: "96256" },
    { d: "91712" },
  ]);
  const summary = JSON.parse(r.stdout);
  assert.deepEqual(summary.unresolved, []);
  assert.deepEqual(summary.selection.select, ["kind=video:best", "lang=fra"]);
  assert.deepEqual(summary.selection.kept.map((t: { id: string }) => t.id), ["0", "4"]);
  assert.deepEqual(
    summary.selection.left.map((t: { id: string; reason: string }) => [t.id, t.reason]),
    [
      ["1", 'not selected by --select "kind=video:best" or --select "lang=fra"'],
      ["2", 'not selected by --select "kind=video:best" or --select "lang=fra"'],
      ["3", 'not selected by --select "lang=fra"'],
    ],
  );
  if (await ffmpegOrSkip()) {
    const manifest = join(r.out, "manifest.mpd");
    assert.equal(await streamCount(manifest), 2);
    assert.equal(await playedFrames(manifest, "0:0"), 60);
    const audio = await decodedFrames(
      r.out,
      ["init-stream4.m4s", chunk(4, 1), chunk(4, 2), chunk(4, 3)],
      "mp4",
    );
    assert.equal(await playedFrames(manifest, "0:1"), audio);
  }
});

Deno.test("--select 'height<=108': the videos of at most 108 lines, and no audio (it has no height)", async () => {
  await using server = startServer({ root: FIXTURES });
  const r = await get(server, "select-dash", ["--select", "height<=108", "-q"]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(
    asked(server, "/select-dash/"),
    [
      "manifest.mpd",
      "init-stream1.m4s",
      "init-stream2.m4s",
      ...[1, 2, 3].flatMap((n) => [chunk(1, n), chunk(2, n)]),
    ].sort(),
  );
  const mpd = await saved(r.out);
  assert.deepEqual(all(mpd, "Representation").map((e) => e.attrs.id), ["1", "2"]);
  assert.deepEqual(all(mpd, "AdaptationSet").map((e) => e.attrs.id), ["0"]);
  assert.match(
    r.stdout,
    /left out \(3\):\n {2}0 \(video 256x144\): not selected by --select "height<=108"/,
  );
  assert.match(r.stdout, / {2}3 \(audio eng\): not selected by --select "height<=108"/);
});

Deno.test("a bad expression, or one that matches nothing: exit 2 quoting it, before any download", async () => {
  await using server = startServer({ root: FIXTURES });
  const bad = await get(server, "select-dash", ["--select", "height<<5"]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /'height<<5' is invalid\. "height<<5": "<5" is not a number/);
  assert.deepEqual(server.requests, []);
  for (
    const [args, message] of [
      [
        ["--select", "kind=video:best", "--select", "kind=audio,lang=de"],
        /--select "kind=audio,lang=de": matches none of the 5 tracks/,
      ],
      [["--select", "codecs~hev"], /--select "codecs~hev": matches none of the 5 tracks/],
      [
        ["--range", "6.5-"],
        /--range 6\.5- keeps no segment of any track \(the presentation ends at 6 s\)/,
      ],
    ] as const
  ) {
    server.resetLog();
    const r = await get(server, "select-dash", [...args]);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, message);
    assert.deepEqual(asked(server), ["select-dash/manifest.mpd"]);
    await assert.rejects(Deno.stat(r.out), Deno.errors.NotFound, "nothing is written");
  }
});

Deno.test("--range 2-4: the segments overlapping [2, 4), inits always; timing moved to the kept span", async () => {
  await using server = startServer({ root: FIXTURES });
  const r = await get(server, "select-dash", [
    "--select",
    "kind=video:worst",
    "--range",
    "2-4",
    "-q",
  ]);
  assert.equal(r.code, 0, r.stderr);
  // Video [2, 4): its 2nd segment; audio 1.984-3.989 and 3.989-5.9 both overlap.
  const kept = [
    "init-stream2.m4s",
    chunk(2, 2),
    "init-stream3.m4s",
    chunk(3, 2),
    chunk(3, 3),
    "init-stream4.m4s",
    chunk(4, 2),
    chunk(4, 3),
  ].sort();
  assert.deepEqual(asked(server, "/select-dash/"), ["manifest.mpd", ...kept].sort());
  const mpd = await saved(r.out);
  // The kept span begins with the earliest kept segment (audio, 1.984 s) and ends with the
  // latest (audio, 5.9 s): 3.916 s. Every track moves by 1.984 s: video 1.984 × 10240 =
  // 20316.16 → 20316; audio 95232.
  assert.equal(mpd.attrs.mediaPresentationDuration, "PT3.916S");
  const [period] = all(mpd, "Period");
  assert.equal(period.attrs.start, "PT0S");
  assert.equal(period.attrs.duration, "PT3.916S");
  const templates = all(mpd, "SegmentTemplate");
  assert.deepEqual(
    templates.map((t) => [t.attrs.startNumber, t.attrs.presentationTimeOffset]),
    [["2", "20316"], ["2", "95232"], ["2", "95232"]],
  );
  assert.deepEqual(
    templates.map((t) => all(t, "S").map((s) => s.attrs)),
    [
      [{ t: "20480", d: "20480" }],
      [{ t: "95232", d: "96256" }, { d: "91712" }],
      [{ t: "95232", d: "96256" }, { d: "91712" }],
    ],
  );
  assert.match(r.stdout, /cut to --range 2-4 \(3\):\n {2}2: 1 of 3 media segments\n {2}3: 2 of 3/);
  if (await ffmpegOrSkip()) {
    const manifest = join(r.out, "manifest.mpd");
    assert.equal(await streamCount(manifest), 3);
    assert.equal(await playedFrames(manifest, "0:0"), 20);
    for (const [stream, id] of [["0:1", 3], ["0:2", 4]] as const) {
      const direct = await decodedFrames(
        r.out,
        [`init-stream${id}.m4s`, chunk(id, 2), chunk(id, 3)],
        "mp4",
      );
      assert.equal(await playedFrames(manifest, stream), direct, stream);
    }
  }
});

Deno.test("--range on @duration, SegmentList and $Time$ addressing: a SegmentTimeline of the kept", async () => {
  await using server = startServer({ root: FIXTURES });
  // dash-number-duration: $Number$ + @duration 2 s (timescale 1000000), 25 fps video.
  const number = await get(server, "dash-number-duration", ["--range", "2-4", "--json", "-q"]);
  assert.equal(number.code, 0, number.stderr);
  assert.deepEqual(JSON.parse(number.stdout).unresolved, []);
  const numbered = [0, 1, 2, 3].flatMap((id) => [`init-stream${id}.m4s`, chunk(id, 2)]).sort();
  assert.deepEqual(asked(server, "/dash-number-duration/"), ["manifest.mpd", ...numbered].sort());
  const templates = all(await saved(number.out), "SegmentTemplate");
  for (const t of templates) {
    assert.equal(t.attrs.startNumber, "2");
    assert.equal(t.attrs.duration, undefined);
    assert.equal(t.attrs.presentationTimeOffset, "2000000");
    assert.deepEqual(all(t, "S").map((s) => s.attrs), [{ t: "2000000", d: "2000000" }]);
  }
  // dash-segmentlist: SegmentList, one file per segment: the first two.
  server.resetLog();
  const list = await get(server, "dash-segmentlist", ["--range", "0-3", "-q"]);
  assert.equal(list.code, 0, list.stderr);
  const listed = [0, 1, 2, 3].flatMap((id) => [`init-stream${id}.m4s`, chunk(id, 1), chunk(id, 2)]);
  assert.deepEqual(asked(server, "/dash-segmentlist/"), ["manifest.mpd", ...listed].sort());
  for (const l of all(await saved(list.out), "SegmentList")) {
    assert.equal(childrenNamed(l, "SegmentURL").length, 2);
  }
  // dash-time: $Time$ names; video segments at 0.021-2.021-4.021-6 s (S@t 274, 25600 in
  // 12800/s), audio at 0-2.005-4.011-5.9 s: from 4.5 s on, the last segment of each.
  server.resetLog();
  const time = await get(server, "dash-time", ["--range", "4.5-", "-q"]);
  assert.equal(time.code, 0, time.stderr);
  assert.deepEqual(
    asked(server, "/dash-time/").filter((p) => p.startsWith("chunk")),
    ["chunk-0-51474.m4s", "chunk-1-51474.m4s", "chunk-2-192512.m4s", "chunk-3-192512.m4s"],
  );
  if (await ffmpegOrSkip()) {
    const manifest = join(number.out, "manifest.mpd");
    for (const [stream, id] of [["0:0", 0], ["0:1", 1], ["0:2", 2], ["0:3", 3]] as const) {
      const direct = await decodedFrames(number.out, [`init-stream${id}.m4s`, chunk(id, 2)], "mp4");
      assert.equal(await playedFrames(manifest, stream), direct, stream);
    }
    assert.equal(await playedFrames(manifest, "0:0"), 50, "2 s of 25 fps");
  }
});

Deno.test("SegmentBase: --range cannot cut a single file; it is kept whole, and said", async () => {
  await using server = startServer({ root: FIXTURES });
  const r = await get(server, "dash-segmentbase", ["--range", "2-4", "--json", "-q"]);
  assert.equal(r.code, 0, r.stderr);
  const summary = JSON.parse(r.stdout);
  assert.equal(summary.files, 4);
  assert.equal(
    summary.notes.filter((n: string) => /--range cannot cut it; kept whole/.test(n)).length,
    4,
  );
  assert.deepEqual(summary.selection.cut, []);
});

Deno.test("--dry-run shows the selection; with --json, as a field of the plan", async () => {
  await using server = startServer({ root: FIXTURES });
  const text = await runCli([
    "dash",
    "get",
    `${server.url}select-dash/manifest.mpd`,
    "--select",
    "kind=audio,lang=en",
    "--range",
    "0:04-",
    "--dry-run",
  ]);
  assert.equal(text.code, 0, text.stderr);
  assert.match(
    text.stdout,
    /^# selection --select "kind=audio,lang=en" --range 0:04-: 4 tracks kept: 0 \(video 256x144\), 1 \(video 192x108\), 2 \(video 128x72\), 3 \(audio eng\)$/m,
  );
  assert.match(
    text.stdout,
    /^# left out \(1\):\n# {3}4 \(audio fra\): not selected by --select "kind=audio,lang=en"$/m,
  );
  assert.match(text.stdout, /^# {3}3: 1 of 3 media segments$/m);
  const json = await runCli([
    "dash",
    "get",
    `${server.url}select-dash/manifest.mpd`,
    "--select",
    "kind=audio,lang=en",
    "--range",
    "0:04-",
    "--dry-run",
    "--json",
  ]);
  const plan = JSON.parse(json.stdout);
  assert.deepEqual(plan.selection.range, { text: "0:04-", start: 4, end: null });
  assert.deepEqual(plan.selection.cut.map((c: { id: string }) => c.id), ["0", "1", "2", "3"]);
  assert.deepEqual(
    plan.items.map((i: { path: string }) => i.path).filter((p: string) => p.startsWith("chunk")),
    [
      chunk(0, 3),
      chunk(1, 3),
      chunk(2, 3),
      chunk(3, 3),
    ],
  );
  assert.equal(server.count("**/*.m4s"), 0, "a dry run fetches no media");
});

/** The select-dash MPD with its Period twice (`p0`, `p1`, 6 s each); in `p1`, ids 10-14. */
async function twoPeriods(): Promise<string> {
  const text = await Deno.readTextFile(join(FIXTURES, "select-dash/manifest.mpd"));
  const start = text.indexOf("\t<Period");
  const end = text.indexOf("</Period>") + "</Period>".length;
  const period = text.slice(start, end);
  const p0 = period.replace('<Period id="0" start="PT0.0S">', '<Period id="p0" duration="PT6S">');
  const p1 = period.replace('<Period id="0" start="PT0.0S">', '<Period id="p1" duration="PT6S">')
    .replace(/<Representation id="(\d)"/g, '<Representation id="1$1"');
  const head = text.slice(0, start)
    .replace('mediaPresentationDuration="PT6.0S"', 'mediaPresentationDuration="PT12S"');
  return head + p0 + "\n" + p1 + text.slice(end);
}

Deno.test("several Periods: a range across two; a Period --select leaves empty goes", async () => {
  const root = await scratchDir();
  const dir = join(root, "two");
  await Deno.mkdir(dir);
  // Period p1's Representations 10-14 use the fixture's files under their own names.
  for (const f of await listFiles(join(FIXTURES, "select-dash"))) {
    await Deno.copyFile(join(FIXTURES, "select-dash", f), join(dir, f));
    const m = /^(init-stream|chunk-stream)(\d)(.*)$/.exec(f);
    if (m) {
      await Deno.copyFile(join(FIXTURES, "select-dash", f), join(dir, `${m[1]}1${m[2]}${m[3]}`));
    }
  }
  await Deno.writeTextFile(join(dir, "manifest.mpd"), await twoPeriods());
  await using server = startServer({ root });
  // 5-7: the last segments of p0 (4-6; audio 3.989-5.9) and the first of p1 (6-8).
  const r = await get(server, "two", [
    "--select",
    "kind=video:worst",
    "--range",
    "5-7",
    "--json",
    "-q",
  ]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout).unresolved, []);
  const mpd = await saved(r.out);
  assert.equal(mpd.attrs.mediaPresentationDuration, "PT4.011S");
  assert.deepEqual(
    all(mpd, "Period").map((p) => [p.attrs.id, p.attrs.start, p.attrs.duration]),
    [["p0", "PT0S", "PT2.011S"], ["p1", "PT2.011S", "PT2S"]],
  );
  assert.deepEqual(all(mpd, "Representation").map((e) => e.attrs.id), [
    "2",
    "3",
    "4",
    "12",
    "13",
    "14",
  ]);
  assert.deepEqual(
    asked(server, "/two/").filter((p) => p.startsWith("chunk")),
    [chunk(2, 3), chunk(3, 3), chunk(4, 3), chunk(12, 1), chunk(13, 1), chunk(14, 1)].sort(),
  );
  // --select keeps nothing of p1: it goes, and p0 keeps its place and length.
  server.resetLog();
  const one = await get(server, "two", [
    "--select",
    "kind=video,id=0",
    "--select",
    "kind=audio,id=3",
    "-q",
  ]);
  assert.equal(one.code, 0, one.stderr);
  const single = await saved(one.out);
  assert.deepEqual(
    all(single, "Period").map((p) => [p.attrs.id, p.attrs.start, p.attrs.duration]),
    [
      ["p0", "PT0S", "PT6S"],
    ],
  );
  assert.equal(single.attrs.mediaPresentationDuration, "PT6S");
  assert.deepEqual(all(single, "Representation").map((e) => e.attrs.id), ["0", "3"]);
  assert.equal(asked(server, "/two/").filter((p) => /stream1\d/.test(p)).length, 0);
});
