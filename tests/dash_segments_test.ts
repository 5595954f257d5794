import assert from "node:assert/strict";
import { InputError } from "../src/errors.ts";
import { parseMpd } from "../src/dash/mpd.ts";
import { representationSegments, type Segment } from "../src/dash/segments.ts";

const BASE = "https://cdn.example/vod/manifest.mpd";

function mpd(body: string, attrs = 'mediaPresentationDuration="PT8S"'): string {
  return `<?xml version="1.0"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" ${attrs}>${body}</MPD>`;
}

function segs(text: string, rep = 0, limit?: number): Segment[] {
  const m = parseMpd(text, BASE);
  return representationSegments(m.representations[rep], { source: BASE, limit });
}

function names(list: Segment[]): string[] {
  return list.map((s) =>
    s.url.replace("https://cdn.example/vod/", "") +
    (s.range ? `[${s.range.start}-${s.range.end}]` : "")
  );
}

Deno.test("SegmentTimeline: t, d, r and $Number%05d$", () => {
  const text = mpd(`<Period><AdaptationSet>
    <Representation id="v" bandwidth="1000">
      <SegmentTemplate timescale="10" initialization="init-$RepresentationID$.m4s"
        media="c-$RepresentationID$-$Number%05d$-$Time$.m4s" startNumber="3">
        <SegmentTimeline><S t="100" d="20" r="2"/><S d="10"/></SegmentTimeline>
      </SegmentTemplate></Representation></AdaptationSet></Period>`);
  assert.deepEqual(names(segs(text)), [
    "init-v.m4s",
    "c-v-00003-100.m4s",
    "c-v-00004-120.m4s",
    "c-v-00005-140.m4s",
    "c-v-00006-160.m4s",
  ]);
});

Deno.test("SegmentTimeline: r=-1 runs to the next S@t, then to the Period's end", () => {
  const text = mpd(
    `<Period duration="PT10S"><AdaptationSet><Representation id="a">
      <SegmentTemplate timescale="1" media="$Time$.m4s">
        <SegmentTimeline><S t="0" d="2" r="-1"/><S t="5" d="1" r="-1"/></SegmentTimeline>
      </SegmentTemplate></Representation></AdaptationSet></Period>`,
    "",
  );
  // 0,2,4 (up to t=5), then 5..9 up to the end at 10.
  assert.deepEqual(names(segs(text)), [
    "0.m4s",
    "2.m4s",
    "4.m4s",
    "5.m4s",
    "6.m4s",
    "7.m4s",
    "8.m4s",
    "9.m4s",
  ]);
});

Deno.test("SegmentTimeline: gaps and restarts of t are followed as written", () => {
  const text = mpd(`<Period><AdaptationSet><Representation id="a">
      <SegmentTemplate media="$Number$_$Time$.m4s">
        <SegmentTimeline><S t="0" d="4"/><S t="10" d="4" r="1"/><S t="2" d="1"/></SegmentTimeline>
      </SegmentTemplate></Representation></AdaptationSet></Period>`);
  assert.deepEqual(names(segs(text)), ["1_0.m4s", "2_10.m4s", "3_14.m4s", "4_2.m4s"]);
});

Deno.test("SegmentTimeline: S@k yields $SubNumber$ segments sharing Number and Time", () => {
  const text = mpd(`<Period><AdaptationSet><Representation id="a">
      <SegmentTemplate media="$Number$.$SubNumber$.m4s">
        <SegmentTimeline><S t="0" d="6" k="3" r="1"/></SegmentTimeline>
      </SegmentTemplate></Representation></AdaptationSet></Period>`);
  assert.deepEqual(names(segs(text)), [
    "1.1.m4s",
    "1.2.m4s",
    "1.3.m4s",
    "2.1.m4s",
    "2.2.m4s",
    "2.3.m4s",
  ]);
});

Deno.test("$Number$ with @duration counts from the Period's duration; @endNumber caps", () => {
  const text = mpd(`<Period id="p0" duration="PT7S"><AdaptationSet>
      <SegmentTemplate timescale="1000" duration="2000" media="$RepresentationID$/$Number$.m4s"
        initialization="$RepresentationID$/init.mp4" startNumber="0"/>
      <Representation id="hi"/><Representation id="lo">
        <SegmentTemplate endNumber="1"/></Representation>
    </AdaptationSet></Period>`);
  assert.deepEqual(names(segs(text, 0)), [
    "hi/init.mp4",
    "hi/0.m4s",
    "hi/1.m4s",
    "hi/2.m4s",
    "hi/3.m4s",
  ]);
  // The Representation-level SegmentTemplate inherits everything but @endNumber.
  assert.deepEqual(names(segs(text, 1)), ["lo/init.mp4", "lo/0.m4s", "lo/1.m4s"]);
});

Deno.test("@duration addressing: $Time$ adds @presentationTimeOffset", () => {
  const text = mpd(`<Period duration="PT4S"><AdaptationSet><Representation id="a">
      <SegmentTemplate timescale="10" duration="20" presentationTimeOffset="1000" media="$Time$.m4s"/>
      </Representation></AdaptationSet></Period>`);
  assert.deepEqual(names(segs(text)), ["1000.m4s", "1020.m4s"]);
});

Deno.test("multiple Periods: durations from @start of the next Period and the MPD duration", () => {
  const text = mpd(
    `<Period id="a" start="PT0S"><AdaptationSet><Representation id="r">
      <SegmentTemplate duration="2" media="a-$Number$.m4s"/></Representation></AdaptationSet></Period>
     <Period id="b" start="PT4S"><AdaptationSet><Representation id="r">
      <SegmentTemplate duration="2" media="b-$Number$.m4s"/></Representation></AdaptationSet></Period>`,
    'mediaPresentationDuration="PT10S"',
  );
  const m = parseMpd(text, BASE);
  assert.equal(m.representations.length, 2);
  assert.deepEqual(m.representations.map((r) => [r.periodStart, r.periodDuration]), [[0, 4], [
    4,
    6,
  ]]);
  assert.deepEqual(names(segs(text, 0)), ["a-1.m4s", "a-2.m4s"]);
  assert.deepEqual(names(segs(text, 1)), ["b-1.m4s", "b-2.m4s", "b-3.m4s"]);
});

Deno.test("SegmentList: Initialization@sourceURL/@range and SegmentURL@media/@mediaRange", () => {
  const text = mpd(`<Period><AdaptationSet><Representation id="v"><BaseURL>v/</BaseURL>
      <SegmentList duration="2"><Initialization sourceURL="init.mp4" range="0-99"/>
        <SegmentURL media="s1.m4s"/><SegmentURL media="s2.m4s"/></SegmentList></Representation>
    <Representation id="w"><BaseURL>all.mp4</BaseURL>
      <SegmentList><Initialization range="0-9"/>
        <SegmentURL mediaRange="10-19"/><SegmentURL mediaRange="20-29" indexRange="20-23"/></SegmentList>
    </Representation></AdaptationSet></Period>`);
  assert.deepEqual(names(segs(text, 0)), ["v/init.mp4[0-99]", "v/s1.m4s", "v/s2.m4s"]);
  assert.deepEqual(names(segs(text, 1)), [
    "all.mp4[0-9]",
    "all.mp4[10-19]",
    "all.mp4[20-23]",
    "all.mp4[20-29]",
  ]);
});

Deno.test("SegmentBase: one file addressed by Initialization@range and @indexRange", () => {
  const text = mpd(`<Period><AdaptationSet><Representation id="v">
      <BaseURL>video.mp4</BaseURL>
      <SegmentBase indexRange="800-899"><Initialization range="0-799"/></SegmentBase>
    </Representation></AdaptationSet></Period>`);
  const list = segs(text);
  assert.deepEqual(names(list), ["video.mp4[0-799]", "video.mp4[800-899]", "video.mp4"]);
  assert.deepEqual(list.map((s) => s.kind), ["init", "index", "media"]);
});

Deno.test("a Representation with only a BaseURL is one file", () => {
  const text = mpd(`<Period><AdaptationSet mimeType="text/vtt"><Representation id="sub">
      <BaseURL>subs/en.vtt</BaseURL></Representation></AdaptationSet></Period>`);
  assert.deepEqual(names(segs(text)), ["subs/en.vtt"]);
});

Deno.test("BaseURL chains resolve level by level; absolute ones restart the chain", () => {
  const text = mpd(`<BaseURL>media/</BaseURL><Period><BaseURL>p1/</BaseURL>
      <AdaptationSet><BaseURL>../audio/</BaseURL>
        <Representation id="a"><BaseURL>eng/</BaseURL>
          <SegmentTemplate media="$Number$.m4s" duration="4"/></Representation>
        <Representation id="b"><BaseURL>https://other.example:8443/x/</BaseURL>
          <SegmentTemplate media="$Number$.m4s" duration="4"/></Representation>
      </AdaptationSet></Period>`);
  assert.deepEqual(names(segs(text, 0)), ["media/audio/eng/1.m4s", "media/audio/eng/2.m4s"]);
  assert.deepEqual(segs(text, 1).map((s) => s.url), [
    "https://other.example:8443/x/1.m4s",
    "https://other.example:8443/x/2.m4s",
  ]);
});

Deno.test("inheritance: Period-level SegmentTemplate, AdaptationSet overrides, Representation wins", () => {
  const text = mpd(
    `<Period><SegmentTemplate timescale="1" duration="4" media="p-$Number$.m4s" startNumber="5"/>
      <AdaptationSet><SegmentTemplate media="as-$RepresentationID$-$Number$.m4s"/>
        <Representation id="x"/>
        <Representation id="y"><SegmentTemplate startNumber="1"/></Representation>
      </AdaptationSet></Period>`,
  );
  assert.deepEqual(names(segs(text, 0)), ["as-x-5.m4s", "as-x-6.m4s"]);
  assert.deepEqual(names(segs(text, 1)), ["as-y-1.m4s", "as-y-2.m4s"]);
});

Deno.test("expansion is bounded: a huge @r is refused before anything is generated", () => {
  const text = mpd(`<Period><AdaptationSet><Representation id="a">
      <SegmentTemplate media="$Number$.m4s"><SegmentTimeline><S t="0" d="1" r="2000000000"/></SegmentTimeline>
      </SegmentTemplate></Representation></AdaptationSet></Period>`);
  const t0 = performance.now();
  assert.throws(() => segs(text), (err: unknown) => {
    assert.ok(err instanceof InputError);
    assert.match(
      err.message,
      /SegmentTimeline would expand to 2000000001 segments \(limit 1000000\)/,
    );
    assert.match(err.message, /Representation\[0\]\(id=a\)/);
    return true;
  });
  assert.ok(performance.now() - t0 < 5000);
  const byDuration = mpd(
    `<Period duration="P400D"><AdaptationSet><Representation id="a">
      <SegmentTemplate media="$Number$.m4s" duration="1"/></Representation></AdaptationSet></Period>`,
  );
  assert.throws(() => segs(byDuration), /@duration addressing would expand to 34560000 segments/);
  assert.equal(segs(byDuration.replace("P400D", "PT10S")).length, 10);
});

Deno.test("bad input: each error names the element and the problem", () => {
  const rep = (inner: string) =>
    mpd(
      `<Period><AdaptationSet><Representation id="r">${inner}</Representation></AdaptationSet></Period>`,
    );
  const cases: [string, RegExp][] = [
    [
      rep(
        `<SegmentTemplate media="$Number$.m4s"><SegmentTimeline><S d="0"/></SegmentTimeline></SegmentTemplate>`,
      ),
      /S\[0\]: S@d="0" must be > 0/,
    ],
    [
      rep(
        `<SegmentTemplate media="$Number$.m4s"><SegmentTimeline><S d="-5"/></SegmentTimeline></SegmentTemplate>`,
      ),
      /S@d="-5" must be > 0/,
    ],
    [rep(`<SegmentTemplate media="$Nmber$.m4s" duration="1"/>`), /unknown identifier \$Nmber\$/],
    [
      rep(`<SegmentTemplate media="$Number$.m4s" duration="x"/>`),
      /@duration="x" is not an integer/,
    ],
    [
      rep(`<SegmentList><SegmentURL media="a" mediaRange="9-1"/></SegmentList>`),
      /@mediaRange="9-1" is not a valid byte range/,
    ],
    [
      mpd(
        `<Period><AdaptationSet><Representation><BaseURL>a</BaseURL></Representation></AdaptationSet></Period>`,
      ),
      /Representation@id is missing/,
    ],
    [mpd(`<Period><AdaptationSet/></Period>`), /no Representation/],
    [mpd(``), /no Period/],
    [`<html><body/></html>`, /root element is <html>, not <MPD>/],
    [`this is not xml`, /not well-formed XML at line 1/],
    [mpd(`<Period duration="soon"/>`), /Period\[0\]: @duration="soon" is not an ISO 8601 duration/],
  ];
  for (const [text, pattern] of cases) {
    assert.throws(() => segs(text), (err: unknown) => {
      assert.ok(err instanceof InputError, String(err));
      assert.match(err.message, pattern);
      assert.ok(err.message.startsWith(BASE), err.message);
      return true;
    });
  }
  // @duration without any Period duration cannot be counted.
  const open = mpd(
    `<Period><AdaptationSet><Representation id="r">
    <SegmentTemplate media="$Number$.m4s" duration="2"/></Representation></AdaptationSet></Period>`,
    "",
  );
  assert.throws(() => segs(open), /needs the Period's duration/);
});

Deno.test("an XML entity bomb or external entity is refused; deep nesting is refused", () => {
  const bomb = `<?xml version="1.0"?><!DOCTYPE MPD [<!ENTITY a "aaaaaaaaaa">
    <!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>
    <MPD type="static" mediaPresentationDuration="PT2S"><Period><AdaptationSet><Representation id="&c;">
    <BaseURL>v.mp4</BaseURL></Representation></AdaptationSet></Period></MPD>`;
  const external = bomb.replace(
    "<!ENTITY a",
    '<!ENTITY ext SYSTEM "file:///etc/passwd"><!ENTITY a',
  );
  for (const [text, name] of [[bomb, "a"], [external, "ext"]]) {
    assert.throws(() => parseMpd(text, BASE), (err: unknown) => {
      assert.ok(err instanceof InputError);
      assert.match(err.message, new RegExp(`the DOCTYPE declares entities \\(${name}, line 1\\)`));
      return true;
    });
  }
  // A DOCTYPE without entity declarations is fine.
  const plain = bomb.replace(/\[[\s\S]*\]>/, ">").replace('id="&c;"', 'id="v"');
  assert.equal(parseMpd(plain, BASE).representations[0].id, "v");
  const deep = mpd(
    "<Period>" + "<AdaptationSet>".repeat(100) + "</AdaptationSet>".repeat(100) + "</Period>",
  );
  assert.throws(() => parseMpd(deep, BASE), /nested deeper than 64/);
});

Deno.test("the five predefined entities and character references are decoded", () => {
  const text = mpd(`<Period><AdaptationSet><Representation id="a&amp;b">
    <BaseURL>https://cdn.example/x?a=1&amp;b=&#50;</BaseURL></Representation></AdaptationSet></Period>`);
  const m = parseMpd(text, BASE);
  assert.equal(m.representations[0].id, "a&b");
  assert.equal(m.representations[0].baseUrl, "https://cdn.example/x?a=1&b=2");
});
