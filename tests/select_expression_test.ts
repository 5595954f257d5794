/**
 * The `--select` language, the language table and `--range`, on tracks written out by hand:
 * parsing (and the messages of what cannot be parsed, each quoting the expression), every
 * comparison, kind scoping, `:best`/`:worst`, `fr` = `fra` = `fre`, and which segments a
 * range keeps.
 */
import assert from "node:assert/strict";
import { appliesTo, matchesAll, parseSelector, SelectError } from "../src/select/expression.ts";
import { languageKey, sameLanguage } from "../src/select/language.ts";
import { selectTracks } from "../src/select/match.ts";
import { overlaps, parseRange, parseTime } from "../src/select/range.ts";
import { parseFrameRate, type Track, trackLabel } from "../src/select/track.ts";

/** A track with every fact absent but those given. */
function track(facts: Partial<Track> & { id: string }): Track {
  return {
    kind: null,
    codecs: null,
    bandwidth: null,
    width: null,
    height: null,
    fps: null,
    lang: null,
    channels: null,
    roles: [],
    segments: null,
    duration: null,
    ...facts,
  };
}

/** A DASH-like ladder: three videos, two audios, one text. */
const LADDER: Track[] = [
  track({
    id: "v1080",
    kind: "video",
    codecs: "avc1.640028",
    bandwidth: 5_000_000,
    width: 1920,
    height: 1080,
    fps: 25,
  }),
  track({
    id: "v720",
    kind: "video",
    codecs: "avc1.64001f",
    bandwidth: 3_000_000,
    width: 1280,
    height: 720,
    fps: 29.97,
  }),
  track({
    id: "v216",
    kind: "video",
    codecs: "hvc1.1.6.L63.90",
    bandwidth: 400_000,
    width: 384,
    height: 216,
    fps: 25,
  }),
  track({
    id: "a-en",
    kind: "audio",
    codecs: "mp4a.40.2",
    bandwidth: 128_000,
    lang: "en",
    channels: 2,
    roles: ["main"],
  }),
  track({
    id: "a-fr",
    kind: "audio",
    codecs: "ec-3",
    bandwidth: 384_000,
    lang: "fra",
    channels: 6,
    roles: ["dub"],
  }),
  track({ id: "t-fr", kind: "text", codecs: "wvtt", lang: "fre-CA", roles: ["subtitle"] }),
];

/** The ids `--select` keeps of LADDER. */
function kept(...exprs: string[]): string[] {
  const { kept } = selectTracks(LADDER, exprs.map(parseSelector));
  return LADDER.filter((_, i) => kept[i]).map((t) => t.id);
}

/** The message a bad expression gets (it must be a SelectError). */
function problem(expr: string): string {
  try {
    parseSelector(expr);
  } catch (err) {
    assert.ok(err instanceof SelectError, String(err));
    assert.ok(err.message.startsWith(`--select ${JSON.stringify(expr)}: `), err.message);
    return err.problem;
  }
  assert.fail(`${expr} parsed`);
}

Deno.test("parse: conditions, operators, quoted values, the :best / :worst suffix", () => {
  const s = parseSelector(" kind=video , height<=720 , codecs~avc1 :best");
  assert.equal(s.pick, "best");
  assert.deepEqual(s.conditions, [
    { field: "kind", op: "=", value: "video" },
    { field: "height", op: "<=", value: "720", number: 720 },
    { field: "codecs", op: "~", value: "avc1" },
  ]);
  assert.deepEqual(parseSelector("lang!=fr:WORST").pick, "worst");
  assert.deepEqual(parseSelector('id="v:1,2"').conditions, [{
    field: "id",
    op: "=",
    value: "v:1,2",
  }]);
  assert.equal(parseSelector("bandwidth<2.5M").conditions[0].number, 2_500_000);
  assert.equal(parseSelector("bandwidth>=800k").conditions[0].number, 800_000);
  assert.equal(parseSelector("fps=30000/1001").conditions[0].number, 30000 / 1001);
  assert.deepEqual(parseSelector(":best").conditions, []);
  for (const op of ["=", "!=", "<", "<=", ">", ">="]) {
    assert.equal(parseSelector(`width${op}640`).conditions[0].op, op);
  }
  assert.equal(parseSelector("codecs!~hev").conditions[0].op, "!~");
  assert.equal(parseSelector("KIND=Audio").conditions[0].value, "audio");
});

Deno.test("parse: what cannot be parsed says why, quoting the expression", () => {
  assert.match(problem("height<<5"), /"<5" is not a number/);
  assert.match(problem("hieght=5"), /unknown field "hieght" \(fields: kind, id, lang/);
  assert.match(problem("height"), /no comparison after height/);
  assert.match(problem("height<="), /no value after <=/);
  assert.match(problem("kind=video,,lang=fr"), /a condition is empty/);
  assert.match(problem("kind=video,"), /a condition is empty/);
  assert.match(problem("kind=movie"), /kind is one of video, audio, text, image/);
  assert.match(problem("kind~vid"), /kind takes = or !=/);
  assert.match(problem("lang<fr"), /lang is text; compare it with = != ~/);
  assert.match(problem("height~72"), /height is a number; compare it with = != < <= > >=/);
  assert.match(problem("kind=video:bset"), /":bset" is not a suffix \(use :best or :worst\)/);
  assert.match(problem('id="v1'), /a double quote is not closed/);
  assert.match(problem("  "), /it is empty/);
  assert.match(problem("=5"), /does not start with a field/);
  assert.match(problem("fps=25/x"), /"25\/x" is not a number/);
});

Deno.test("match: text fields (=, !=, ~, !~), case, codecs lists, roles", () => {
  const [v1080, v720, , en, fr, text] = LADDER;
  const m = (expr: string, t: Track) => matchesAll(parseSelector(expr), t);
  assert.ok(m("id=v720", v720));
  assert.ok(!m("id=V720", v720), "ids are compared exactly");
  assert.ok(m("codecs=AVC1.64001F", v720));
  assert.ok(m("codecs~avc1", v1080) && !m("codecs~avc1", fr));
  assert.ok(m("codecs!~avc1", fr) && !m("codecs!~avc1", v720));
  // An HLS variant's CODECS lists every codec: = matches one of them.
  const variant = track({ id: "v", kind: "video", codecs: "avc1.4d401f,mp4a.40.2" });
  assert.ok(m("codecs=mp4a.40.2", variant));
  assert.ok(m('codecs="avc1.4d401f,mp4a.40.2"', variant));
  assert.ok(!m("codecs=avc1", variant), "= is a whole codec, ~ a part");
  assert.ok(m("role=main", en) && !m("role=main", fr));
  assert.ok(m("role~sub", text));
  assert.ok(m("role!=main", fr) && !m("role!=main", en));
  assert.ok(m("lang~fr", text));
});

Deno.test("match: numbers, and a fact a track lacks fails every comparison", () => {
  const [v1080, v720, v216, en] = LADDER;
  const m = (expr: string, t: Track) => matchesAll(parseSelector(expr), t);
  assert.ok(m("height<=720", v720) && m("height<=720", v216) && !m("height<=720", v1080));
  assert.ok(m("height<720", v216) && !m("height<720", v720));
  assert.ok(m("height>=720", v720) && !m("height>720", v720));
  assert.ok(m("width=1280", v720) && m("width!=1280", v1080));
  assert.ok(m("bandwidth<1M", v216) && !m("bandwidth<1M", v720));
  assert.ok(m("fps=29.97", v720) && m("fps=30000/1001", v720) && !m("fps=30", v720));
  assert.ok(m("fps>25", v720) && !m("fps>25", v1080));
  assert.ok(m("channels>=6", LADDER[4]) && !m("channels>=6", en));
  // Audio has no height: neither <= nor != holds.
  assert.ok(!m("height<=216", en));
  assert.ok(!m("height!=216", en));
  assert.ok(!m("lang!=fr", v720), "a video has no language");
});

Deno.test("languages: 2- and 3-letter codes of one language are equal, case aside", () => {
  for (
    const [a, b] of [
      ["fr", "fra"],
      ["fr", "fre"],
      ["FRE", "fra"],
      ["de", "ger"],
      ["deu", "GER"],
      ["en", "eng"],
      ["nl", "dut"],
      ["zh", "chi"],
      ["zho", "chi"],
    ]
  ) {
    assert.ok(sameLanguage(a, b), `${a} = ${b}`);
  }
  assert.ok(!sameLanguage("fr", "eng"));
  assert.ok(sameLanguage("fr", "fr-CA"), "a primary language matches its regions");
  assert.ok(sameLanguage("fra", "fr_ca"));
  assert.ok(sameLanguage("fr-CA", "fre-ca"));
  assert.ok(!sameLanguage("fr-CA", "fr"), "a region asked for must be there");
  assert.ok(!sameLanguage("fr-CA", "fr-FR"));
  assert.ok(sameLanguage("qaa", "QAA"), "codes the table does not know compare as written");
  assert.equal(languageKey("fre"), "fra");
  const [, , , en, fr, text] = LADDER;
  for (const expr of ["lang=fr", "lang=fra", "lang=fre", "lang=FR"]) {
    assert.ok(matchesAll(parseSelector(expr), fr), expr);
    assert.ok(matchesAll(parseSelector(expr), text), `${expr} (fre-CA)`);
    assert.ok(!matchesAll(parseSelector(expr), en), expr);
  }
  assert.ok(matchesAll(parseSelector("lang=eng"), en));
});

Deno.test("scoping: a kind= expression applies to its kind; one without to every kind", () => {
  assert.ok(appliesTo(parseSelector("kind=video:best"), "video"));
  assert.ok(!appliesTo(parseSelector("kind=video:best"), "audio"));
  assert.ok(appliesTo(parseSelector("height<=216"), "audio"));
  assert.ok(appliesTo(parseSelector("kind!=video"), "text"));
  assert.ok(!appliesTo(parseSelector("kind!=video"), "video"));
  assert.ok(!appliesTo(parseSelector("kind=video"), null), "an unknown kind is no kind");
  // The three examples.
  assert.deepEqual(kept("kind=video:best"), ["v1080", "a-en", "a-fr", "t-fr"]);
  assert.deepEqual(kept("kind=video:best", "lang=fra"), ["v1080", "a-fr", "t-fr"]);
  assert.deepEqual(kept("height<=216"), ["v216"]);
  // One expression per kind; expressions for one kind add up.
  assert.deepEqual(kept("kind=audio,lang=en", "kind=video,height>=720"), [
    "v1080",
    "v720",
    "a-en",
    "t-fr",
  ]);
  assert.deepEqual(kept("kind=video,id=v216", "kind=video,id=v720"), [
    "v720",
    "v216",
    "a-en",
    "a-fr",
    "t-fr",
  ]);
  assert.deepEqual(kept("kind!=video,lang=fr"), ["v1080", "v720", "v216", "a-fr", "t-fr"]);
});

Deno.test(":best / :worst keep one track per kind, by bandwidth, preferring non-trick tracks", () => {
  assert.deepEqual(kept("kind=video:worst"), ["v216", "a-en", "a-fr", "t-fr"]);
  assert.deepEqual(kept("kind=video,codecs~avc1:worst"), ["v720", "a-en", "a-fr", "t-fr"]);
  assert.deepEqual(kept("kind=audio:best"), ["v1080", "v720", "v216", "a-fr", "t-fr"]);
  // Without a kind: the best of each kind (the text track is the only one of its kind).
  assert.deepEqual(kept(":best"), ["v1080", "a-fr", "t-fr"]);
  assert.deepEqual(kept(":worst"), ["v216", "a-en", "t-fr"]);
  const trick = track({ id: "iframes", kind: "video", bandwidth: 50_000, roles: ["trick"] });
  const tracks = [...LADDER, trick];
  const worst = selectTracks(tracks, [parseSelector("kind=video:worst")]).kept;
  assert.deepEqual(
    tracks.filter((_, i) => worst[i] && tracks[i].kind === "video").map((t) => t.id),
    ["v216"],
  );
  const onlyTrick = selectTracks(tracks, [parseSelector("role=trick:worst")]).kept;
  assert.deepEqual(
    tracks.filter((_, i) => onlyTrick[i] && tracks[i].kind === "video").map((t) => t.id),
    ["iframes"],
  );
  // Unknown bandwidths: the first in the manifest; a known one wins over an unknown one.
  const noRate = [track({ id: "x", kind: "audio" }), track({ id: "y", kind: "audio" })];
  assert.deepEqual(selectTracks(noRate, [parseSelector("kind=audio:best")]).kept, [true, false]);
  const oneRate = [
    track({ id: "x", kind: "audio" }),
    track({ id: "y", kind: "audio", bandwidth: 1 }),
  ];
  assert.deepEqual(selectTracks(oneRate, [parseSelector("kind=audio:worst")]).kept, [false, true]);
  // In groups (DASH Periods), one per group.
  const periods = [LADDER[0], LADDER[1], LADDER[0], LADDER[2]];
  const { kept: perPeriod } = selectTracks(periods, [parseSelector("kind=video:best")], {
    groupOf: (i) => (i < 2 ? "p0" : "p1"),
  });
  assert.deepEqual(perPeriod, [true, false, true, false]);
});

Deno.test("an expression that matches nothing is an error quoting it; a reason for each left out", () => {
  assert.throws(
    () => selectTracks(LADDER, [parseSelector("kind=video:best"), parseSelector("lang=de")]),
    (err: Error) => {
      assert.ok(err instanceof SelectError);
      assert.equal(
        err.message,
        '--select "lang=de": matches none of the 6 tracks (run with --list to see them)',
      );
      return true;
    },
  );
  // Not for a live recorder re-reading a manifest.
  const { kept } = selectTracks(LADDER, [parseSelector("kind=audio,lang=de")], {
    requireMatch: false,
  });
  assert.deepEqual(kept, [true, true, true, false, false, true]);
  const { reasons } = selectTracks(LADDER, [parseSelector("kind=video:best")]);
  assert.equal(reasons[0], undefined);
  assert.equal(reasons[1], 'not selected by --select "kind=video:best"');
});

Deno.test("--range: seconds or [HH:]MM:SS(.mmm), open ends; what cannot be read says why", () => {
  assert.deepEqual(parseRange("00:41:00-00:43:00"), {
    start: 2460,
    end: 2580,
    text: "00:41:00-00:43:00",
  });
  assert.deepEqual(parseRange("12.5-20"), { start: 12.5, end: 20, text: "12.5-20" });
  assert.deepEqual(parseRange("90-"), { start: 90, end: Infinity, text: "90-" });
  assert.deepEqual(parseRange("-1:30.250"), { start: 0, end: 90.25, text: "-1:30.250" });
  assert.equal(parseTime("1:02:03.5"), 3723.5);
  assert.equal(parseTime("2:60"), undefined);
  assert.equal(parseTime("1:60:00"), undefined);
  assert.equal(parseRange("5-2"), "--range 5-2: START must be before END");
  assert.equal(parseRange("3-3"), "--range 3-3: START must be before END");
  assert.match(parseRange("-") as string, /give START-END, START- or -END/);
  assert.match(parseRange("1-2-3") as string, /give START-END/);
  assert.match(parseRange("a-5") as string, /"a" is not a time/);
  assert.match(parseRange("5-1h") as string, /"1h" is not a time/);
});

Deno.test("--range keeps the segments that overlap [START, END)", () => {
  const r = parseRange("2-4") as Exclude<ReturnType<typeof parseRange>, string>;
  // 2-second segments: [0,2) no, [2,4) yes, [4,6) no; 1.984-3.989 and 3.989-5.9 both yes.
  assert.deepEqual([[0, 2], [2, 4], [4, 6]].map(([a, b]) => overlaps(r, a, b)), [
    false,
    true,
    false,
  ]);
  assert.ok(overlaps(r, 1.984, 3.989));
  assert.ok(overlaps(r, 3.989, 5.9));
  const open = parseRange("5-") as Exclude<ReturnType<typeof parseRange>, string>;
  assert.ok(overlaps(open, 4, 6) && overlaps(open, 1000, 1002) && !overlaps(open, 3, 5));
});

Deno.test("labels and frame rates", () => {
  assert.equal(trackLabel(LADDER[1]), "video 1280x720");
  assert.equal(trackLabel(LADDER[4]), "audio fra");
  assert.equal(
    trackLabel(track({ id: "i", kind: "video", width: 320, height: 180, roles: ["trick"] })),
    "video 320x180 trick",
  );
  assert.equal(trackLabel(track({ id: "x" })), undefined);
  assert.equal(parseFrameRate("30000/1001"), 29.97);
  assert.equal(parseFrameRate("25"), 25);
  assert.equal(parseFrameRate("0"), null);
  assert.equal(parseFrameRate("x"), null);
});
