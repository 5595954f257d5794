/**
 * The DASH-aware edits of `src/dash/mpd_edit.ts`, the building blocks the saved copy, the
 * live recorder and track selection share: each result is read back with `parseMpd` and
 * `representationSegments` (the same code `dash get` and `dash dump` use).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { parseMpd } from "../src/dash/mpd.ts";
import {
  mergedAddressing,
  removeRepresentations,
  setOwnAddressing,
  timelineNode,
  usersOf,
  xmlAddressing,
} from "../src/dash/mpd_edit.ts";
import { representationSegments } from "../src/dash/segments.ts";
import { XmlEditor } from "../src/dash/xml_edit.ts";
import { FIXTURES, listFiles } from "./cli_helpers.ts";

const URL_ = "https://cdn.example/vod/manifest.mpd";

/** Inheritance at every level: Period, AdaptationSet and Representation templates and lists. */
const INHERITED = `<?xml version="1.0"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" mediaPresentationDuration="PT8S">
  <Period id="p0">
    <SegmentTemplate timescale="1" duration="4" media="p-$Number$.m4s" startNumber="5">
      <SegmentTimeline><S t="0" d="4" r="1"/></SegmentTimeline>
    </SegmentTemplate>
    <AdaptationSet>
      <SegmentTemplate media="as-$RepresentationID$-$Number%03d$.m4s" initialization="i-$RepresentationID$.mp4"/>
      <Representation id="x"/>
      <Representation id="y"><SegmentTemplate startNumber="1"/></Representation>
    </AdaptationSet>
    <AdaptationSet>
      <Representation id="z"><BaseURL>z/</BaseURL></Representation>
    </AdaptationSet>
    <AdaptationSet>
      <SegmentList timescale="2" duration="4"><Initialization sourceURL="l-init.mp4"/>
        <SegmentURL media="l1.m4s"/><SegmentURL media="l2.m4s" mediaRange="0-99"/></SegmentList>
      <Representation id="l"><BaseURL>list/</BaseURL></Representation>
      <Representation id="b"><SegmentBase indexRange="10-20"><Initialization range="0-9"/></SegmentBase>
        <BaseURL>b.mp4</BaseURL></Representation>
    </AdaptationSet>
  </Period>
</MPD>
`;

/** Each Representation's resources, as `dash get` would fetch them. */
function resources(text: string): string[][] {
  return parseMpd(text, URL_).representations.map((r) =>
    representationSegments(r).map((s) =>
      `${s.kind} ${s.url}${s.range ? ` ${s.range.start}-${s.range.end}` : ""} ${s.time ?? ""}`
    )
  );
}

Deno.test("mergedAddressing: giving every Representation its own merged copy changes no resource", async () => {
  const texts = [INHERITED];
  for (const f of await listFiles(FIXTURES)) {
    if (/dash.*\.mpd$/.test(f)) texts.push(await Deno.readTextFile(join(FIXTURES, f)));
  }
  assert.ok(texts.length >= 9);
  for (const text of texts) {
    const mpd = parseMpd(text, URL_);
    const edit = new XmlEditor(text, mpd.root);
    let copied = 0;
    for (const rep of mpd.representations) {
      const { chain } = xmlAddressing(rep.elements.representation, edit);
      assert.deepEqual(chain, rep.elements.addressing, rep.where);
      if (chain.length === 0) continue;
      setOwnAddressing(edit, rep.elements.representation, mergedAddressing(edit, chain));
      copied++;
    }
    // Then the shared elements go: nothing may depend on them any more.
    for (const rep of mpd.representations) {
      for (const el of rep.elements.addressing) {
        if (edit.parent(el) !== rep.elements.representation) edit.remove(el);
      }
    }
    assert.deepEqual(resources(edit.apply()), resources(text));
    assert.ok(copied > 0);
  }
});

Deno.test("mergedAddressing: overrides rename, set and drop attributes and children", () => {
  const mpd = parseMpd(INHERITED, URL_);
  const edit = new XmlEditor(INHERITED, mpd.root);
  const y = mpd.representations[1];
  const node = mergedAddressing(edit, y.elements.addressing, {
    attrs: { media: "new-$Number$.m4s", initialization: null, timescale: 2 },
    children: { SegmentTimeline: timelineNode([{ t: 0, d: 8, r: 0, k: 1 }]) },
  });
  assert.equal(node.name, "SegmentTemplate");
  assert.deepEqual(Object.fromEntries(node.attrs!), {
    timescale: 2,
    duration: "4",
    media: "new-$Number$.m4s",
    startNumber: "1",
  });
  setOwnAddressing(edit, y.elements.representation, node);
  const out = parseMpd(edit.apply(), URL_);
  const segs = representationSegments(out.representations[1]);
  // Left out of the copy, @initialization is still inherited from the AdaptationSet's
  // template: only removing that one would drop it.
  assert.deepEqual(segs.map((s) => s.url.split("/").pop()), ["i-y.mp4", "new-1.m4s"]);
  assert.equal(out.representations[1].addressing.kind, "template");
  if (out.representations[1].addressing.kind === "template") {
    assert.equal(out.representations[1].addressing.timescale, 2);
  }
  // The others still inherit what they did.
  assert.deepEqual(resources(edit.apply())[0], resources(INHERITED)[0]);
});

Deno.test("usersOf: the Representations an AdaptationSet- or Period-level element serves", () => {
  const mpd = parseMpd(INHERITED, URL_);
  const edit = new XmlEditor(INHERITED, mpd.root);
  const period = mpd.root.children[0];
  const [periodTemplate, set0] = period.children;
  const ids = (els: ReturnType<typeof usersOf>) => els.map((e) => e.attrs.id);
  // x and y use the AdaptationSet's template, which inherits the Period's; z inherits the
  // Period's directly; l and b have lists and a SegmentBase of their own.
  assert.deepEqual(ids(usersOf(edit, periodTemplate)), ["x", "y", "z"]);
  assert.deepEqual(ids(usersOf(edit, set0.children[0])), ["x", "y"]);
  const list = period.children[3].children[0];
  assert.deepEqual(ids(usersOf(edit, list)), ["l"]);
});

Deno.test("a live recording's case: one Representation gets a SegmentTimeline of what was recorded", () => {
  const mpd = parseMpd(INHERITED, URL_);
  const edit = new XmlEditor(INHERITED, mpd.root);
  const x = mpd.representations[0];
  edit.setAttr(mpd.root, "type", "static");
  edit.setAttr(mpd.root, "mediaPresentationDuration", "PT12S");
  setOwnAddressing(
    edit,
    x.elements.representation,
    mergedAddressing(edit, x.elements.addressing, {
      children: {
        SegmentTimeline: timelineNode([{ t: 4, d: 4, r: 1, k: 1 }, { d: 2, r: 0, k: 1 }]),
      },
    }),
  );
  const out = edit.apply();
  const after = parseMpd(out, URL_);
  assert.equal(after.mediaPresentationDuration, 12);
  const segs = representationSegments(after.representations[0]).filter((s) => s.kind === "media");
  assert.deepEqual(segs.map((s) => [s.number, s.time]), [[5, 4], [6, 8], [7, 12]]);
  assert.deepEqual(resources(out).slice(1), resources(INHERITED).slice(1));
});

Deno.test("removeRepresentations: an AdaptationSet left empty goes too", () => {
  const mpd = parseMpd(INHERITED, URL_);
  const edit = new XmlEditor(INHERITED, mpd.root);
  const byId = new Map(mpd.representations.map((r) => [r.id, r.elements.representation]));
  removeRepresentations(edit, [byId.get("y")!, byId.get("z")!]);
  const out = edit.apply();
  const after = parseMpd(out, URL_);
  assert.deepEqual(after.representations.map((r) => r.id), ["x", "l", "b"]);
  assert.equal(after.root.children[0].children.filter((c) => c.name === "AdaptationSet").length, 2);
  assert.ok(!out.includes('id="z"'));
  assert.ok(!/^\s*$\n^\s*$/m.test(out), "no blank lines left behind");
});
