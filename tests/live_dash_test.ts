/**
 * `dash get` on a live DASH stream, end to end: `streamkit serve --live` plays 1-second
 * segments out on the real clock and the recorder (the real CLI, in process) records them.
 * What is checked is what the issue promises: the recording starts at the live edge (or the
 * oldest segment still available with `--from-start`), stops by itself when the MPD turns
 * static, with `--duration`, or on Ctrl-C after writing the saved copy; no segment is ever
 * requested before its availability time (from the server's own request log, against times
 * read from the VOD manifests, not from the code under test), even when the origin's clock
 * is a few seconds off; a gap is named and skipped; the saved copy is a static MPD of
 * exactly the saved files, byte-identical to the origin's, that ffmpeg decodes offline; and
 * every MPD revision is kept under the name `serve --replay` reads.
 *
 * The tests need ffmpeg (to make the streams) and say so when it is missing.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { parseXml, type XmlElement } from "../src/dash/xml.ts";
import { revisionTime } from "../src/serve/replay.ts";
import { serve } from "../src/serve/server.ts";
import {
  FIXTURES,
  hasProgram,
  listFiles,
  run,
  runCli,
  sameBytes,
  scratchDir,
} from "./cli_helpers.ts";
import {
  checkNeverEarly,
  frames,
  LENGTH,
  mediaOrSkip,
  numberDue,
  record,
  timelineDue,
} from "./live_helpers.ts";
import { startServer } from "./server.ts";

/** Elements named `name` anywhere under `el`, in document order. */
function all(el: XmlElement, name: string): XmlElement[] {
  return el.children.flatMap((c) => [...(c.name === name ? [c] : []), ...all(c, name)]);
}

/** The media segment files under `out` (not init segments, not streamkit's own). */
async function mediaFiles(out: string): Promise<string[]> {
  return (await listFiles(out)).filter((f) => /^chunk-/.test(f));
}

/** Checks the revisions kept for `name`: numbered from 1, named as `serve --replay` reads. */
async function checkRevisions(out: string, name: string): Promise<string[]> {
  const dir = join(out, ".streamkit", "live", name);
  const files = (await listFiles(dir)).sort((a, b) => parseInt(a) - parseInt(b));
  assert.ok(files.length >= 2, `${files.length} revisions`);
  files.forEach((f, i) => {
    const time = revisionTime(f);
    assert.ok(time, `${f} is not named <n>-<time>.<ext>`);
    assert.equal(time.n, i + 1);
  });
  const texts = await Promise.all(files.map((f) => Deno.readTextFile(join(dir, f))));
  for (let i = 1; i < texts.length; i++) assert.notEqual(texts[i], texts[i - 1], files[i]);
  return texts;
}

/** The live edge when the recorder first asked for the manifest: the newest complete segment. */
function edgeAtFirstRequest(
  server: { requests: { path: string; time: number }[]; startMs: number },
  manifest: string,
): number {
  const first = server.requests.find((r) => r.path === manifest)!;
  return Math.floor((first.time - server.startMs) / 1000);
}

Deno.test("$Number$: from the live edge until the MPD turns static; never a segment early", async () => {
  const media = await mediaOrSkip();
  if (!media) return;
  const root = join(media, "dash-number");
  await using server = serve({ root, live: true });
  const out = await scratchDir();
  const r = await record(server, "dash", "manifest.mpd", out, [], { startAfter: 2.5 });
  assert.equal(r.code, 0, r.stderr);

  // It began at the newest complete segment (or up to three before) and ended with the last.
  const edge = edgeAtFirstRequest(server, "/manifest.mpd");
  const files = await mediaFiles(out);
  const numbers = [...new Set(files.map((f) => Number(/(\d+)\.m4s$/.exec(f)![1])))]
    .sort((a, b) => a - b);
  const first = numbers[0];
  assert.ok(first <= edge && first >= edge - 3, `began at ${first}, the edge was ${edge}`);
  const expected = [0, 1, 2].flatMap((rep) =>
    numbers.map((n) => `chunk-stream${rep}-${String(n).padStart(5, "0")}.m4s`)
  ).sort();
  assert.deepEqual(files, expected);
  assert.deepEqual(numbers, Array.from({ length: LENGTH - first + 1 }, (_, i) => first + i));
  const seconds = LENGTH - first + 1;
  assert.match(
    r.stdout,
    new RegExp(
      `recorded ${seconds}\\.0 s of live media .*: ${files.length} segments saved, ` +
        "0 gaps, .*; the event ended",
    ),
  );
  for (const f of await listFiles(out)) {
    if (f.startsWith(".streamkit/") || f === "manifest.mpd") continue;
    assert.ok(await sameBytes(join(root, f), join(out, f)), f);
  }
  assert.equal(checkNeverEarly(server, (p) => numberDue(p)), files.length);

  // The saved copy: static, its duration, a timeline of exactly the saved segments.
  const mpd = parseXml(await Deno.readTextFile(join(out, "manifest.mpd")));
  assert.equal(mpd.attrs.type, "static");
  assert.equal(mpd.attrs.mediaPresentationDuration, `PT${seconds}S`);
  for (const name of ["availabilityStartTime", "minimumUpdatePeriod", "timeShiftBufferDepth"]) {
    assert.equal(mpd.attrs[name], undefined, name);
  }
  assert.equal(all(mpd, "UTCTiming").length, 0);
  const templates = all(mpd, "SegmentTemplate");
  assert.equal(templates.length, 3);
  for (const t of templates) {
    assert.equal(t.attrs.startNumber, String(first));
    assert.equal(t.attrs.presentationTimeOffset, String((first - 1) * 1_000_000));
    assert.deepEqual(all(t, "S").map((x) => x.attrs), [{
      t: String((first - 1) * 1_000_000),
      d: "1000000",
      r: String(seconds - 1),
    }]);
  }
  const texts = await checkRevisions(out, "manifest.mpd");
  assert.match(texts[0], /type="dynamic"/);
  assert.match(texts.at(-1)!, /type="static"/);
  // `serve --replay` plays the kept revisions again, the saved segments behind them.
  {
    await using replay = serve({ root: out, replay: true });
    assert.deepEqual(replay.live.paths, ["/manifest.mpd"]);
    const first = await (await fetch(`${replay.url}manifest.mpd`)).text();
    assert.match(first, /type="dynamic"/);
    const segment = await fetch(`${replay.url}${files[0]}`);
    assert.equal(segment.status, 200);
    await segment.body?.cancel();
  }

  if (await hasProgram("ffmpeg")) {
    const decoded = await frames(join(out, "manifest.mpd"));
    assert.equal(decoded.code, 0, decoded.stderr);
    assert.equal(decoded.stderr, "");
    // Every second of 10 fps video, in both sizes.
    for (const stream of ["0,", "1,"]) {
      assert.equal(decoded.lines.filter((l) => l.startsWith(stream)).length, seconds * 10);
    }
  }
});

Deno.test("--from-start: the whole window; offline, ffmpeg decodes the very frames of the VOD", async () => {
  const media = await mediaOrSkip();
  if (!media) return;
  const root = join(media, "dash-number");
  await using server = serve({ root, live: true });
  const out = await scratchDir();
  const r = await record(server, "dash", "manifest.mpd", out, ["--from-start"], {
    startAfter: 3.5,
  });
  assert.equal(r.code, 0, r.stderr);
  assert.equal((await mediaFiles(out)).length, 3 * LENGTH);
  assert.equal(checkNeverEarly(server, numberDue), 3 * LENGTH);
  // The first segments were in the window already: fetched at once, none twice.
  assert.equal(server.count("/chunk-stream0-00001.m4s"), 1);
  await server.close();
  const copy = await frames(join(out, "manifest.mpd"));
  assert.equal(copy.code, 0, copy.stderr);
  assert.equal(copy.stderr, "");
  // The origin's VOD, through the same demuxer, gives the same frames (ffmpeg asks it for
  // segments past the end of a $Number$ + @duration stream and says so: not counted).
  const vod = await frames(join(root, "manifest.mpd"));
  assert.ok(copy.lines.length > 0);
  assert.deepEqual(copy.lines, vod.lines);
});

Deno.test("$Time$ timeline: a segment that never comes is a gap, named, skipped by the saved timeline", async () => {
  const media = await mediaOrSkip();
  if (!media) return;
  const root = join(media, "dash-time");
  const source = await Deno.readTextFile(join(root, "manifest.mpd"));
  const due = timelineDue(source);
  // The third video segment of Representation 0 is withheld: 404 however often it is asked.
  const third = [...due.keys()].filter((k) => k.startsWith("chunk-0-"))[2];
  await using server = serve({
    root,
    live: true,
    faults: [{ match: `/${third}`, status: 404 }],
  });
  const out = await scratchDir();
  const r = await record(server, "dash", "manifest.mpd", out, [], { startAfter: 1.5 });
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, new RegExp(`gap: ${third} .*404.*10 s after it was due`));
  assert.match(r.stdout, /, 1 gap, .*\ngaps \(1\):\n {2}chunk-0-/);
  const files = await mediaFiles(out);
  assert.ok(!files.includes(third));
  assert.equal(
    checkNeverEarly(server, (p) => due.get(p.slice(1)), [`/${third}`]),
    files.length + 11,
  );
  // Asked for about once a second from its availability for 10 s, then given up.
  const asked = server.requests.filter((q) => q.path === `/${third}`).map((q) => q.time);
  assert.ok(asked.length >= 5, `${asked.length} attempts`);
  assert.ok(asked.at(-1)! - (server.startMs + due.get(third)! * 1000) >= 9_000);

  // The saved timeline of Representation 0 jumps over the gap; the others are whole.
  const mpd = parseXml(await Deno.readTextFile(join(out, "manifest.mpd")));
  const reps = all(mpd, "Representation");
  const times = (rep: XmlElement) => {
    const out: number[] = [];
    let t = 0;
    for (const x of all(rep, "S")) {
      if (x.attrs.t !== undefined) t = Number(x.attrs.t);
      for (let i = 0; i <= Number(x.attrs.r ?? 0); i++, t += Number(x.attrs.d)) out.push(t);
    }
    return out;
  };
  const thirdTime = Number(/-(\d+)\.m4s$/.exec(third)![1]);
  const rep0 = times(reps.find((x) => x.attrs.id === "0")!);
  const rep1 = times(reps.find((x) => x.attrs.id === "1")!);
  assert.ok(!rep0.includes(thirdTime) && rep1.includes(thirdTime));
  assert.deepEqual(rep0, rep1.filter((t) => t !== thirdTime));
  assert.deepEqual(
    rep0.map((t) => `chunk-0-${t}.m4s`),
    files.filter((f) => f.startsWith("chunk-0-")).sort((a, b) =>
      parseInt(a.slice(8)) - parseInt(b.slice(8))
    ),
  );
  // A SegmentTimeline that grows: a revision kept per change of the MPD.
  const texts = await checkRevisions(out, "manifest.mpd");
  assert.ok(texts.length >= 4, `${texts.length} revisions`);
  assert.match(r.stdout, new RegExp(`${texts.length} manifest revisions kept`));
});

Deno.test("--duration stops once the recording covers that long; the origin never ends", async () => {
  const media = await mediaOrSkip();
  if (!media) return;
  await using server = serve({ root: join(media, "dash-number"), live: { loop: true } });
  const out = await scratchDir();
  const r = await record(server, "dash", "manifest.mpd", out, ["--duration", "0:02"], {
    startAfter: 1.2,
  });
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stdout,
    /recorded 2\.0 s of live media .*: 6 segments saved, 0 gaps, .*--duration reached/,
  );
  assert.equal((await mediaFiles(out)).length, 6);
  const mpd = parseXml(await Deno.readTextFile(join(out, "manifest.mpd")));
  assert.equal(mpd.attrs.mediaPresentationDuration, "PT2S");
  checkNeverEarly(server, numberDue);
});

Deno.test("clock skew: with the origin 3 s behind or ahead, nothing is asked for early (UTCTiming)", async () => {
  const media = await mediaOrSkip();
  if (!media) return;
  const root = join(media, "dash-number");
  await Promise.all([-3000, 3000].map(async (clockOffsetMs) => {
    await using server = serve({ root, live: true, clockOffsetMs });
    const out = await scratchDir();
    const r = await record(server, "dash", "manifest.mpd", out, ["--duration", "3"], {
      startAfter: 1.5,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stderr,
      new RegExp(
        `the origin's clock is 3\\.0 s ${clockOffsetMs < 0 ? "behind" : "ahead of"} this one`,
      ),
    );
    // Every segment asked for once, when it was available by the origin's clock.
    assert.equal(checkNeverEarly(server, numberDue), 9);
    assert.equal(server.count("/.streamkit/time"), 1);
  }));
});

Deno.test("Ctrl-C: the saved copy of what was recorded is written, then exit 130", async () => {
  const media = await mediaOrSkip();
  if (!media) return;
  const root = join(media, "dash-number");
  await using server = serve({ root, live: { loop: true } });
  const out = await scratchDir();
  const r = await record(server, "dash", "manifest.mpd", out, [], {
    startAfter: 1.2,
    interruptAfter: 2.6,
  });
  assert.equal(r.code, 130, r.stderr);
  assert.match(r.stdout, /interrupted; the saved copy holds what was recorded/);
  const files = await mediaFiles(out);
  assert.ok(files.length >= 6, files.join(" "));
  const mpd = parseXml(await Deno.readTextFile(join(out, "manifest.mpd")));
  assert.equal(mpd.attrs.type, "static");
  // Exactly what is on disk, no more.
  const listed = all(mpd, "SegmentTemplate").flatMap((t) =>
    all(t, "S").reduce((n, x) => n + 1 + Number(x.attrs.r ?? 0), 0)
  );
  assert.equal(listed.reduce((a, b) => a + b, 0), files.length);
  if (await hasProgram("ffmpeg")) {
    const decoded = await frames(join(out, "manifest.mpd"));
    assert.equal(decoded.code, 0, decoded.stderr);
    assert.equal(decoded.stderr, "");
  }
});

Deno.test("a new Period (the next lap of a looping origin) is followed into the saved copy", async () => {
  const media = await mediaOrSkip();
  if (!media) return;
  await using server = serve({
    root: join(media, "dash-number"),
    live: { loop: true, windowSeconds: 10 },
  });
  const out = await scratchDir();
  // Begins 2 to 3 s before the end of the first lap, goes on 5 s: into the second.
  const r = await record(server, "dash", "manifest.mpd", out, ["--duration", "5"], {
    startAfter: LENGTH - 2.5,
  });
  assert.equal(r.code, 0, r.stderr);
  const mpd = parseXml(await Deno.readTextFile(join(out, "manifest.mpd")));
  const periods = all(mpd, "Period");
  assert.deepEqual(periods.map((p) => p.attrs.id), ["0", "0-1"]);
  assert.equal(periods[0].attrs.start, "PT0S");
  // The second lap begins where the first ends, on the recording's own timeline.
  const firstTemplate = all(periods[0], "SegmentTemplate")[0];
  const begin = Number(firstTemplate.attrs.presentationTimeOffset) / 1_000_000;
  assert.equal(periods[1].attrs.start, `PT${LENGTH - begin}S`);
  for (const t of all(periods[1], "SegmentTemplate")) assert.equal(t.attrs.startNumber, "1");
  // (Each lap publishes the same files again: the first lap's times are a lower bound, and
  // the server's 200 says each was available when asked for.)
  checkNeverEarly(server, numberDue);
});

Deno.test("yt-dlp reads the saved copy served by a plain file server, the origin gone", async () => {
  const media = await mediaOrSkip();
  if (!media) return;
  if (!(await hasProgram("yt-dlp", "--version"))) {
    console.log("skipped: yt-dlp is not installed (apt-get install yt-dlp)");
    return;
  }
  const root = join(media, "dash-number");
  const out = await scratchDir();
  {
    await using server = serve({ root, live: true });
    const r = await record(server, "dash", "manifest.mpd", out, ["--duration", "2"], {
      startAfter: 1.2,
    });
    assert.equal(r.code, 0, r.stderr);
  }
  await using offline = startServer({ root: out });
  const dir = await scratchDir();
  const y = await run("yt-dlp", [
    "-f",
    "all",
    "--fixup",
    "never",
    "--no-progress",
    "--no-cache-dir",
    "-o",
    "%(format_id)s.%(ext)s",
    `${offline.url}manifest.mpd`,
  ], dir);
  assert.equal(y.code, 0, y.stderr);
  const got = await listFiles(dir);
  assert.equal(got.length, 3, got.join(" "));
  // Each is the Representation's init segment and its saved segments, in order.
  for (const f of got) {
    const id = /^(\d+)/.exec(f)?.[1] ?? f;
    const parts = (await listFiles(out)).filter((p) =>
      p === `init-stream${id}.m4s` || p.startsWith(`chunk-stream${id}-`)
    ).sort((a, b) => (a.startsWith("init") ? -1 : b.startsWith("init") ? 1 : a < b ? -1 : 1));
    const whole = (await Promise.all(parts.map((p) => Deno.readFile(join(out, p)))))
      .reduce((n, b) => n + b.length, 0);
    assert.equal((await Deno.stat(join(dir, f))).size, whole, f);
  }
});

Deno.test("--dry-run on a live stream records nothing; a live manifest read from a file is refused", async () => {
  // The committed fixtures are enough here: nothing waits for a segment.
  await using dash = serve({ root: join(FIXTURES, "dash-number-duration"), live: true });
  await using hls = serve({ root: join(FIXTURES, "hls-master-fmp4"), live: true });
  const out = join(await scratchDir(), "never");
  const dry = await runCli(["dash", "get", `${dash.url}manifest.mpd`, "-o", out, "--dry-run"]);
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(
    dry.stdout,
    /manifest\.mpd is a live stream \(a dynamic MPD\); --dry-run records nothing/,
  );
  const dryHls = await runCli(["hls", "get", `${hls.url}master.m3u8`, "-o", out, "--dry-run"]);
  assert.equal(dryHls.code, 0, dryHls.stderr);
  assert.match(dryHls.stdout, /is a live stream \(4 media playlists\)/);
  await assert.rejects(() => Deno.stat(out), Deno.errors.NotFound);
  assert.equal(dash.count("/init-stream0.m4s") + hls.count("/180p/init_0.mp4"), 0);

  const file = join(await scratchDir(), "live.mpd");
  await Deno.writeTextFile(file, await (await fetch(`${dash.url}manifest.mpd`)).text());
  const local = await runCli(["dash", "get", file, "-o", out]);
  assert.equal(local.code, 2);
  assert.match(local.stderr, /live\.mpd: is a live stream; give its URL/);
});
