/**
 * The saved MPD (`src/dash/saved_copy.ts`) and the check of it (`src/dash/copy_check.ts`),
 * planned without a network: every reference of the saved text, resolved offline as a
 * client would (and independently of the check), lands on the path the plan saved the
 * resource under — and only references change.
 */
import assert from "node:assert/strict";
import { checkSavedText } from "../src/dash/copy_check.ts";
import {
  isPlainRef,
  localUrl,
  plainRef,
  PLANNING_ROOT,
  savedPathOf,
} from "../src/dash/local_ref.ts";
import { mpdDocument, parseMpd } from "../src/dash/mpd.ts";
import { planDash } from "../src/dash/plan.ts";
import { representationSegments } from "../src/dash/segments.ts";
import { InputError } from "../src/errors.ts";

const ORIGIN = "https://a.example/show/vod/manifest.mpd";

/** Plans `text` and returns the saved text with what the plan saved. */
function plan(text: string, url = ORIGIN) {
  const p = planDash(text, url);
  return { ...p, saved: p.plan.manifests[0].text, items: [...p.plan.items] };
}

/**
 * Resolves every resource of the saved text offline, the way a player reading files does
 * (decoding the URL path), and by path joining without decoding (ffmpeg): both must give
 * the path the plan saved that resource under. Independent of `copy_check.ts`.
 */
function assertResolves(original: string, saved: string, url = ORIGIN): void {
  const before = parseMpd(original, url, { tolerant: true });
  const p = planDash(original, url);
  const manifest = localUrl(PLANNING_ROOT, p.saved.manifestPath);
  const after = parseMpd(saved, manifest, { tolerant: true });
  assert.equal(after.representations.length, before.representations.length);
  const pathOf = new Map([...p.plan.items].map((i) => [i.url, i.path]));
  after.representations.forEach((rep, r) => {
    const want = representationSegments(before.representations[r]);
    const got = representationSegments(rep);
    assert.equal(got.length, want.length, rep.where);
    got.forEach((s, i) => {
      const decoded = decodeURIComponent(new URL(s.url).pathname).slice(
        "/streamkit-output/".length,
      );
      assert.equal(decoded, pathOf.get(want[i].url), `${rep.where} ${s.source} ${i}`);
      assert.equal(s.range?.start, want[i].range?.start);
      assert.equal(s.time, want[i].time, `${rep.where} ${i}: timing kept`);
      if (s.ref !== undefined) assert.ok(isPlainRef(s.ref), `${s.ref} is plain`);
    });
    for (const b of rep.baseRefs) assert.ok(b === "" || isPlainRef(b), `BaseURL ${b} is plain`);
  });
  const check = checkSavedText(saved, manifest, PLANNING_ROOT, p.saved.expect);
  assert.deepEqual(check, []);
}

/** The text with every reference value blanked, to compare what is not a reference. */
function withoutReferences(text: string): string {
  return text
    .replace(/<((?:\w+:)?(?:BaseURL|Location))>[^<]*<\/\1>/g, "<$1/>")
    .replace(/\s(media|initialization|index|bitstreamSwitching|sourceURL)="[^"]*"/g, " $1=''");
}

const EVERY_ATTRIBUTE = `<?xml version="1.0" encoding="UTF-8"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" mediaPresentationDuration="PT6S">
  <Location>https://a.example/show/vod/manifest.mpd?session=1</Location>
  <Period id="p0">
    <AdaptationSet contentType="video">
      <Representation id="v1" bandwidth="1">
        <SegmentTemplate timescale="1" duration="2" startNumber="1"
          initialization="https://cdn2.example/init/$RepresentationID$.mp4"
          media="../../media/$RepresentationID$/$Number%03d$.m4s"
          index="https://cdn2.example/idx/$RepresentationID$.sidx"
          bitstreamSwitching="../bss-$RepresentationID$.mp4"/>
      </Representation>
      <Representation id="v2" bandwidth="1">
        <SegmentTemplate timescale="1" duration="2" media="../v2/$Number$.m4s" index="/idx/$Number$.sidx"/>
      </Representation>
    </AdaptationSet>
    <AdaptationSet contentType="audio">
      <BaseURL>../</BaseURL>
      <Representation id="a1" bandwidth="1">
        <SegmentTemplate timescale="1" duration="2" media="../audio/$Number$.m4s"
          initialization="../audio/init.mp4"/>
      </Representation>
    </AdaptationSet>
    <AdaptationSet contentType="text">
      <Representation id="t1" bandwidth="1">
        <SegmentList timescale="1" duration="2">
          <Initialization sourceURL="https://cdn3.example/t/init.mp4"/>
          <RepresentationIndex sourceURL="../t/index.sidx"/>
          <SegmentURL media="https://cdn3.example/t/1.m4s" index="../t/1.sidx"/>
          <SegmentURL media="../t/2.m4s" index="https://cdn3.example/t/2.sidx"/>
          <SegmentURL media="t/3.m4s"/>
        </SegmentList>
      </Representation>
      <Representation id="b1" bandwidth="1">
        <BaseURL>https://cdn4.example/b/file.mp4</BaseURL>
        <SegmentBase>
          <Initialization sourceURL="../init.mp4" range="0-99"/>
          <RepresentationIndex sourceURL="https://cdn4.example/ri.sidx" range="0-50"/>
        </SegmentBase>
      </Representation>
    </AdaptationSet>
  </Period>
</MPD>
`;

Deno.test("saved copy: absolute and ../ references in every attribute are rewritten to the saved files", () => {
  const { saved, items, plan: p } = plan(EVERY_ATTRIBUTE);
  assertResolves(EVERY_ATTRIBUTE, saved);
  assert.equal(p.manifests[0].original, EVERY_ATTRIBUTE);
  // Nothing but references changed, and no reference leads to a server any more.
  assert.equal(withoutReferences(saved), withoutReferences(EVERY_ATTRIBUTE));
  assert.ok(!/(?:media|initialization|index|bitstreamSwitching|sourceURL)="[a-z]+:/.test(saved));
  assert.ok(!/<(BaseURL|Location)>[a-z]+:/.test(saved), saved);
  assert.ok(saved.includes("<Location>manifest.mpd</Location>"), saved);
  // Relocated files went to _ext/; the template of v1 still builds their names.
  const paths = items.map((i) => i.path);
  assert.ok(paths.includes("_ext/https_cdn2.example/init/v1.mp4"), paths.join("\n"));
  assert.ok(paths.includes("_ext/https_a.example/media/v1/001.m4s"), paths.join("\n"));
  assert.match(
    saved,
    /media="_ext\/https_a\.example\/media\/\$RepresentationID\$\/\$Number%03d\$\.m4s"/,
  );
  // The audio BaseURL "../" points out of the root: it now names a folder that holds the
  // audio files (media="../audio/…" under it would climb out of one that holds nothing),
  // and its references stay templates.
  assert.match(saved, /<BaseURL>_ext\/https_a\.example\/<\/BaseURL>/);
  assert.match(saved, /media="audio\/\$Number\$\.m4s"/);
  // "../init.mp4" beside the SegmentBase file already lands: kept.
  assert.match(saved, /<Initialization sourceURL="\.\.\/init\.mp4" range="0-99"\/>/);
  assert.deepEqual(p.notes, []);
});

Deno.test("saved copy: a reference that already lands is left as written", () => {
  const text = EVERY_ATTRIBUTE.replace('media="t/3.m4s"', 'media="t/3.m4s"');
  const { saved } = plan(text);
  assert.ok(saved.includes(`<SegmentURL media="t/3.m4s"/>`));
  // A manifest that needs nothing keeps every byte, and no original is kept.
  const plain = `<MPD type="static" mediaPresentationDuration="PT4S"><Period><AdaptationSet>
    <Representation id="r"><BaseURL>r/</BaseURL><SegmentTemplate media="$Number$.m4s" duration="2"
    initialization="init.mp4"/></Representation></AdaptationSet></Period></MPD>`;
  const p = planDash(plain, ORIGIN);
  assert.equal(p.plan.manifests[0].text, plain);
  assert.equal(p.plan.manifests[0].original, undefined);
});

Deno.test("saved copy: names shortened with ~hash get an explicit SegmentList with the same timing", () => {
  const long = "n".repeat(230);
  for (
    const timing of [
      `timescale="90000" presentationTimeOffset="180000" startNumber="7">
        <SegmentTimeline><S t="180000" d="180000" r="1"/><S d="90000"/></SegmentTimeline></SegmentTemplate>`,
      `timescale="10" duration="20" startNumber="3" presentationTimeOffset="5"/>`,
    ]
  ) {
    const text = `<?xml version="1.0"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" mediaPresentationDuration="PT5S">
  <Period>
    <AdaptationSet>
      <SegmentTemplate initialization="init-$RepresentationID$.mp4"
        media="$RepresentationID$/${long}-$Number$-$Time$.m4s" ${timing}
      <Representation id="short" bandwidth="1"><SegmentTemplate media="$RepresentationID$-$Number$.m4s"/></Representation>
      <Representation id="long" bandwidth="2"/>
    </AdaptationSet>
  </Period>
</MPD>
`;
    const { saved, items, plan: p } = plan(text);
    assert.ok(items.some((i) => /~[0-9a-f]{8}\.m4s$/.test(i.path)), "names were shortened");
    assertResolves(text, saved);
    const after = parseMpd(saved, localUrl(PLANNING_ROOT, "manifest.mpd"));
    assert.equal(after.representations[1].addressing.kind, "list");
    assert.equal(after.representations[0].addressing.kind, "template");
    assert.deepEqual(p.notes, [
      "Period[0]/AdaptationSet[0]/Representation[1](id=long): its SegmentTemplate cannot build " +
      "the saved names; the saved manifest lists its segments (SegmentList)",
    ]);
    // The shared template is gone (players disagree about a template above a list); the
    // other Representation has its own copy of it.
    assert.equal((saved.match(/<SegmentTemplate/g) ?? []).length, 1, saved);
    assert.match(saved, /<SegmentList [^>]*startNumber=/);
  }
});

Deno.test("saved copy: two URLs that differ by their query get two files; the template gives way to a list", () => {
  const text = `<MPD type="static" mediaPresentationDuration="PT4S"><Period><AdaptationSet>
    <Representation id="a"><SegmentTemplate media="seg.m4s?r=a&amp;n=$Number$" duration="2"/></Representation>
    </AdaptationSet></Period></MPD>`;
  const { saved, items } = plan(text);
  assert.deepEqual(items.map((i) => i.path.replace(/~[0-9a-f]{8}/, "~H")), [
    "seg.m4s",
    "seg~H.m4s",
  ]);
  assertResolves(text, saved);
  assert.match(saved, /<SegmentURL media="seg\.m4s"\/><SegmentURL media="seg~[0-9a-f]{8}\.m4s"\/>/);
});

Deno.test("saved copy: a shared element whose users need different values is copied into each", () => {
  const text = `<?xml version="1.0"?>
<MPD type="static" mediaPresentationDuration="PT4S">
  <Period>
    <AdaptationSet>
      <SegmentTemplate duration="2" initialization="https://cdn2.example/init-$RepresentationID$.mp4"
        media="$RepresentationID$/$Number$.m4s"/>
      <Representation id="1"><BaseURL>v1/</BaseURL></Representation>
      <Representation id="2"><BaseURL>v2/deeper/</BaseURL></Representation>
    </AdaptationSet>
  </Period>
</MPD>
`;
  const { saved } = plan(text);
  assertResolves(text, saved);
  assert.match(
    saved,
    /initialization="\.\.\/_ext\/https_cdn2\.example\/init-\$RepresentationID\$\.mp4"/,
  );
  assert.match(saved, /initialization="\.\.\/\.\.\/_ext\/https_cdn2\.example\/init-/);
  assert.ok(!saved.includes("https://"), "the shared element, overridden by both, is gone");
});

Deno.test("saved copy: an empty <BaseURL/> is its parent's base, beside other BaseURLs", () => {
  const text = `<?xml version="1.0"?>
<MPD type="static" mediaPresentationDuration="PT4S">
  <BaseURL>https://cdn.example/x/</BaseURL>
  <Period>
    <BaseURL/>
    <AdaptationSet>
      <BaseURL></BaseURL>
      <Representation id="a"><BaseURL>a/</BaseURL><SegmentTemplate media="$Number$.m4s" duration="2"/></Representation>
      <Representation id="b"><BaseURL/><SegmentTemplate media="b-$Number$.m4s" duration="2"/></Representation>
    </AdaptationSet>
  </Period>
</MPD>
`;
  const mpd = parseMpd(text, ORIGIN);
  assert.deepEqual(mpd.representations.map((r) => r.baseUrl), [
    "https://cdn.example/x/a/",
    "https://cdn.example/x/",
  ]);
  const { saved, items } = plan(text);
  assert.deepEqual(items.map((i) => i.path), [
    "_ext/https_cdn.example/x/a/1.m4s",
    "_ext/https_cdn.example/x/a/2.m4s",
    "_ext/https_cdn.example/x/b-1.m4s",
    "_ext/https_cdn.example/x/b-2.m4s",
  ]);
  assertResolves(text, saved);
  assert.ok(saved.includes("<BaseURL>_ext/https_cdn.example/x/</BaseURL>"), saved);
  assert.ok(saved.includes("    <BaseURL/>\n"), "the empty ones stay");
});

Deno.test("saved copy: BaseURL alternatives all point at the files saved from the one used", () => {
  const text = `<MPD type="static" mediaPresentationDuration="PT2S">
  <BaseURL serviceLocation="a">https://cdn1.example/vod/</BaseURL>
  <BaseURL serviceLocation="b">https://cdn2.example/vod/</BaseURL>
  <Period><AdaptationSet><Representation id="r"><SegmentTemplate media="$Number$.m4s" duration="2"/>
  </Representation></AdaptationSet></Period></MPD>`;
  const { saved, items } = plan(text);
  assert.deepEqual(items.map((i) => i.path), ["_ext/https_cdn1.example/vod/1.m4s"]);
  assert.equal(
    (saved.match(/>_ext\/https_cdn1\.example\/vod\/<\/BaseURL>/g) ?? []).length,
    2,
    saved,
  );
  assertResolves(text, saved);
});

Deno.test("saved copy: percent-encoded names and query strings become plain references", () => {
  const text = `<MPD type="static" mediaPresentationDuration="PT4S"><Period><AdaptationSet>
    <Representation id="r">
      <BaseURL>audio%3D96000/</BaseURL>
      <SegmentTemplate media="seg%20$Number$.m4s?token=abc" initialization="init%2Cx.mp4" duration="2"/>
    </Representation>
    <Representation id="s">
      <SegmentList duration="2"><SegmentURL media="a%2Cb.m4s"/><SegmentURL media="50%25.m4s"/></SegmentList>
    </Representation></AdaptationSet></Period></MPD>`;
  const { saved, items } = plan(text);
  // Saved under the decoded names (a literal % is made safe by the layout).
  assert.deepEqual(items.map((i) => i.path), [
    "audio=96000/init,x.mp4",
    "audio=96000/seg 1.m4s",
    "audio=96000/seg 2.m4s",
    "a,b.m4s",
    "50_.m4s",
  ]);
  assert.ok(saved.includes("<BaseURL>audio=96000/</BaseURL>"), saved);
  assert.ok(saved.includes(`media="seg $Number$.m4s" initialization="init,x.mp4"`), saved);
  assert.ok(saved.includes(`<SegmentURL media="a,b.m4s"/><SegmentURL media="50_.m4s"/>`), saved);
  assertResolves(text, saved);
  // A percent-encoded reference lands for URL clients but not for ffmpeg: the check says so.
  const encoded = saved.replace(`media="a,b.m4s"`, `media="a%2Cb.m4s"`);
  const problems = checkSavedText(
    encoded,
    localUrl(PLANNING_ROOT, "manifest.mpd"),
    PLANNING_ROOT,
    planDash(text, ORIGIN).saved.expect,
  );
  assert.equal(problems.length, 1);
  assert.match(problems[0].message, /Representation\[1\]\(id=s\): SegmentURL\[0\]@media/);
  assert.match(problems[0].message, /"a%2Cb\.m4s", which a client that does not decode URLs/);
});

Deno.test("saved copy: a kept BaseURL whose folder holds nothing is not climbed through", () => {
  // video/ holds no file: "video/../audio/1.m4s" fails for clients that join paths as
  // written, so the BaseURL names the folder the files are in.
  const text = `<MPD type="static" mediaPresentationDuration="PT2S"><Period><AdaptationSet>
    <Representation id="r"><BaseURL>video/</BaseURL>
      <SegmentTemplate media="../audio/$Number$.m4s" duration="2"/></Representation>
    </AdaptationSet></Period></MPD>`;
  const { saved } = plan(text);
  assert.ok(saved.includes("<BaseURL>./</BaseURL>"), saved);
  assert.ok(saved.includes(`media="audio/$Number$.m4s"`), saved);
  assertResolves(text, saved);
});

Deno.test("a live MPD is named live before anything else is checked", () => {
  const live = `<MPD type="dynamic" availabilityStartTime="2024-01-01T00:00:00Z">
    <Period><AdaptationSet><Representation bandwidth="x"/></AdaptationSet></Period></MPD>`;
  assert.equal(mpdDocument(live, ORIGIN).type, "dynamic");
  assert.throws(() => planDash(live, ORIGIN), (err: unknown) => {
    assert.ok(err instanceof InputError);
    assert.match(err.message, /MPD@type="dynamic" \(a live stream\)/);
    return true;
  });
  // The strict parser still names the first problem, for callers that want it.
  assert.throws(() => parseMpd(live, ORIGIN), /Representation@id is missing/);
});

Deno.test("one invalid Period of five fails alone, named; the others are planned", () => {
  const period = (i: number, init = "init-$RepresentationID$.mp4") =>
    `<Period id="p${i}" duration="PT2S"><AdaptationSet><Representation id="v" bandwidth="1">
      <SegmentTemplate duration="2" initialization="p${i}/${init}" media="p${i}/$Number$.m4s"/>
    </Representation></AdaptationSet></Period>`;
  const text = `<MPD type="static">${
    [0, 1, 2, 3, 4].map((i) => period(i, i === 2 ? "init-$Number$.mp4" : undefined)).join("")
  }</MPD>`;
  const p = planDash(text, ORIGIN);
  assert.deepEqual(p.plan.failures, [{
    url: ORIGIN,
    path: "manifest.mpd",
    reason: "Period[2](id=p2)/AdaptationSet[0]/Representation[0](id=v): no value for " +
      '$Number$ in "p2/init-$Number$.mp4"; not mirrored',
  }]);
  assert.deepEqual(
    [...p.plan.items].map((i) => i.path.split("/")[0]).filter((v, i, a) => a.indexOf(v) === i),
    ["p0", "p1", "p3", "p4"],
  );
  assert.deepEqual(p.saved.expect.skipKeys, ["p2/v"]);
  assert.equal(p.plan.manifests[0].text, text);
  // A bad attribute of a Period fails that Period, with the same tolerance.
  const bad = text.replace(`<Period id="p3" duration="PT2S">`, `<Period id="p3" duration="soon">`);
  const q = planDash(bad, ORIGIN);
  assert.equal(q.plan.failures?.length, 2);
  assert.match(q.plan.failures![1].reason, /^Period\[3\]\(id=p3\): .*@duration="soon"/);
  // Nothing usable at all is bad input.
  assert.throws(
    () => planDash(`<MPD type="static">${period(2, "init-$Number$.mp4")}</MPD>`, ORIGIN),
    /no value for \$Number\$/,
  );
});

Deno.test("check: a saved copy that does not land names the Representation and the reference", () => {
  const text = `<MPD type="static" mediaPresentationDuration="PT4S"><Period id="p">
    <AdaptationSet><Representation id="v"><SegmentTemplate initialization="init.mp4"
      media="v-$Number$.m4s" duration="2"/></Representation>
    <Representation id="w"><BaseURL>w/</BaseURL><SegmentList duration="2"><SegmentURL media="1.m4s"/>
      <SegmentURL media="2.m4s"/></SegmentList></Representation></AdaptationSet></Period></MPD>`;
  const p = planDash(text, ORIGIN);
  const url = localUrl(PLANNING_ROOT, "manifest.mpd");
  const check = (t: string) =>
    checkSavedText(t, url, PLANNING_ROOT, p.saved.expect).map((i) => i.message);
  assert.deepEqual(check(text), []);
  const [absolute] = check(
    text.replace(`media="v-$Number$.m4s"`, `media="https://x.example/v-$Number$.m4s"`),
  );
  assert.equal(
    absolute,
    "Period[0](id=p)/AdaptationSet[0]/Representation[0](id=v): SegmentTemplate@media does not " +
      "land on the saved file (2 of 2 resources; the first: media 1 resolves to " +
      "https://x.example/v-1.m4s, outside the output folder)",
  );
  const [moved] = check(text.replace("<BaseURL>w/</BaseURL>", "<BaseURL>x/</BaseURL>"));
  assert.match(moved, /\(id=w\): BaseURL does not land|\(id=w\): SegmentURL\[0\]@media/);
  assert.match(
    check(text.replace(`<SegmentURL media="2.m4s"/>`, ""))[0],
    /addresses 1 resources, but 2 were saved/,
  );
  assert.match(
    check(text.replace(`id="w"`, `id="z"`)).join("\n"),
    /\(id=z\): is in the saved manifest but was not mirrored/,
  );
  assert.match(check("<html/>")[0], /the saved manifest cannot be read/);
});

Deno.test("plain references: only what URL syntax cannot carry is encoded", () => {
  assert.equal(plainRef("", "audio=96000/seg 1,2.m4s"), "audio=96000/seg 1,2.m4s");
  assert.equal(plainRef("_ext/https_cdn/v/", "a/b.m4s"), "../../../a/b.m4s");
  assert.equal(plainRef("v/", "v/"), "./");
  assert.equal(plainRef("", ""), "./");
  assert.equal(plainRef("", "50%#?.m4s"), "50%25%23%3F.m4s");
  assert.equal(plainRef("", " lead.m4s"), "%20lead.m4s");
  assert.equal(plainRef("", "c:x.m4s"), "./c:x.m4s");
  for (
    const [ref, plain] of [
      ["v1/seg 1.m4s", true],
      ["../a/b.m4s", true],
      ["v1/seg%201.m4s", false],
      ["seg.m4s?token=1", false],
      ["https://cdn/x.m4s", false],
      ["/abs.m4s", false],
      [" x.m4s", false],
    ] as const
  ) assert.equal(isPlainRef(ref), plain, ref);
  assert.equal(savedPathOf("file:///out/a%20b/c.m4s", "file:///out/"), "a b/c.m4s");
  assert.equal(savedPathOf("file:///out/c.m4s?x=1", "file:///out/"), undefined);
  assert.equal(savedPathOf("https://cdn.example/c.m4s", "file:///out/"), undefined);
});

Deno.test("saved copy: a Period-level template above a listed Representation is copied into the others", () => {
  const long = "r".repeat(210);
  const text = `<?xml version="1.0"?>
<MPD type="static" mediaPresentationDuration="PT4S">
  <Period id="p">
    <SegmentTemplate timescale="1" duration="2" media="$RepresentationID$-$Number$.m4s"/>
    <AdaptationSet><Representation id="${long}"/></AdaptationSet>
    <AdaptationSet>
      <SegmentTemplate startNumber="5"/>
      <Representation id="b"/>
      <Representation id="c"><BaseURL>c/</BaseURL></Representation>
    </AdaptationSet>
  </Period>
</MPD>
`;
  const { saved, plan: p } = plan(text);
  assertResolves(text, saved);
  assert.equal(p.notes.length, 1);
  const after = parseMpd(saved, localUrl(PLANNING_ROOT, "manifest.mpd"));
  assert.deepEqual(
    after.representations.map((r) => [r.addressing.kind, r.elements.addressing.length]),
    [["list", 1], ["template", 1], ["template", 1]],
  );
  // Every template now sits in its Representation; none is left above the list.
  assert.equal((saved.match(/<SegmentTemplate/g) ?? []).length, 2, saved);
  assert.match(saved, /<Representation id="b">\n\s+<SegmentTemplate [^>]*startNumber="5"/);
});

Deno.test("saved copy: a prefixed, CRLF document keeps its prefix and line endings in what is added", () => {
  const long = "x".repeat(220);
  const text = [
    `<?xml version="1.0"?>`,
    `<mpd:MPD xmlns:mpd="urn:mpeg:dash:schema:mpd:2011" type="static" mediaPresentationDuration="PT4S">`,
    `\t<mpd:BaseURL>https://cdn.example/v/</mpd:BaseURL>`,
    `\t<mpd:Period>`,
    `\t\t<mpd:AdaptationSet>`,
    `\t\t\t<mpd:Representation id="a">`,
    `\t\t\t\t<mpd:SegmentTemplate duration="2" media="${long}-$Number$.m4s"/>`,
    `\t\t\t</mpd:Representation>`,
    `\t\t</mpd:AdaptationSet>`,
    `\t</mpd:Period>`,
    `</mpd:MPD>`,
    ``,
  ].join("\r\n");
  const { saved } = plan(text);
  assertResolves(text, saved);
  assert.ok(!/[^\r]\n/.test(saved), "only CRLF");
  assert.ok(saved.includes("\t<mpd:BaseURL>_ext/https_cdn.example/v/</mpd:BaseURL>\r\n"), saved);
  assert.match(
    saved,
    /\t\t\t\t<mpd:SegmentList duration="2">\r\n\t\t\t\t\t<mpd:SegmentURL media="x+~[0-9a-f]{8}\.m4s"\/>\r\n/,
  );
  assert.ok(!saved.includes("SegmentTemplate"));
});
