/**
 * The DASH plan stays small as the stream grows (issue 20), as behaviour — never as time or
 * memory: a template's segments are generated as they are taken, not held as a list; the
 * items generated equal what placing every Representation lists (each URL once, with its
 * ranges); a template filled with its base resolved once names the same URLs as each filled
 * reference resolved on its own; and a `--dry-run` printed in batches is the same document.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { parseMpd } from "../src/dash/mpd.ts";
import { dashLayout, placeRepresentations, planDash } from "../src/dash/plan.ts";
import { segmentSource } from "../src/dash/segments.ts";
import { fillTemplate } from "../src/dash/template.ts";
import type { PlanItem } from "../src/mirror/plan.ts";
import { runCli } from "./cli_helpers.ts";

const ORIGIN = "https://cdn.example/vod/manifest.mpd";

/** An MPD of one Representation of `count` one-second `$Number$` segments. */
function numberedMpd(count: number, media = "seg/s-$Number$.bin"): string {
  return `<?xml version="1.0"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" mediaPresentationDuration="PT${count}S">
  <Period id="0">
    <AdaptationSet contentType="video" mimeType="video/mp4">
      <Representation id="v" bandwidth="1000" codecs="avc1.42c01e" width="64" height="36">
        <SegmentTemplate timescale="1" duration="1" startNumber="1"
          initialization="seg/init.bin" media="${media}"/>
      </Representation>
    </AdaptationSet>
  </Period>
</MPD>`;
}

Deno.test("a 100,000-segment template is planned without listing its segments", () => {
  const count = 100_000;
  const { plan, saved } = planDash(numberedMpd(count), ORIGIN);
  // Generated on demand: neither the items nor what the self-check expects is a list.
  assert.ok(!Array.isArray(plan.items));
  assert.ok(!Array.isArray(saved.expect.representations[0].segments));
  assert.equal(plan.items.length, count + 1);
  assert.equal(saved.expect.representations[0].segments.length, count + 1);
  assert.deepEqual(plan.tracks?.map((t) => [t.id, t.files]), [["v", count + 1]]);
  // Every pass generates them again, the same: init first, then 1…count.
  for (let pass = 0; pass < 2; pass++) {
    let n = 0;
    for (const item of plan.items) {
      const name = n === 0 ? "init.bin" : `s-${n}.bin`;
      assert.equal(item.url, `https://cdn.example/vod/seg/${name}`);
      assert.equal(item.path, `seg/${name}`);
      assert.equal(item.kind, n === 0 ? "init" : "media");
      n++;
    }
    assert.equal(n, count + 1);
  }
  // The saved copy keeps the template: it builds every saved name.
  assert.equal(plan.manifests[0].original, undefined);
});

/** The items as placing every Representation lists them: each URL once, ranges gathered. */
function itemsOfPlaced(text: string, url: string): PlanItem[] {
  const mpd = parseMpd(text, url, { tolerant: true });
  const { layout } = dashLayout(url);
  const byUrl = new Map<string, PlanItem>();
  for (const { rep, segments } of placeRepresentations(mpd, url, layout)) {
    for (const s of segments) {
      let item = byUrl.get(s.url);
      if (!item) {
        const kind = s.kind === "bitstreamSwitching" ? "init" : s.kind;
        item = { url: s.url, path: s.path, kind, track: rep.id };
        byUrl.set(s.url, item);
      }
      if (s.range) (item.ranges ??= []).push(s.range);
    }
  }
  return [...byUrl.values()];
}

const MIXED = `<?xml version="1.0"?>
<MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" mediaPresentationDuration="PT8S">
  <Period id="a" duration="PT4S">
    <AdaptationSet contentType="video" mimeType="video/mp4">
      <SegmentTemplate timescale="10" duration="10" initialization="$RepresentationID$/i.mp4"
        media="$RepresentationID$/$Number%05d$.m4s?tok=$Bandwidth$"/>
      <Representation id="v 1" bandwidth="100" codecs="avc1.42c01e"/>
      <Representation id="V-1" bandwidth="200" codecs="avc1.42c01e"/>
    </AdaptationSet>
    <AdaptationSet contentType="audio" mimeType="audio/mp4">
      <Representation id="a" bandwidth="50" codecs="mp4a.40.2">
        <BaseURL>audio.mp4</BaseURL>
        <SegmentList timescale="1" duration="1">
          <Initialization range="0-99"/>
          <SegmentURL mediaRange="100-199"/>
          <SegmentURL mediaRange="200-299"/>
          <SegmentURL media="../shared/a.m4s"/>
        </SegmentList>
      </Representation>
    </AdaptationSet>
  </Period>
  <Period id="b" duration="PT4S">
    <AdaptationSet contentType="video" mimeType="video/mp4">
      <Representation id="v 1" bandwidth="100" codecs="avc1.42c01e">
        <SegmentTemplate timescale="10" initialization="$RepresentationID$/i.mp4"
          media="https://other.example:8443/x/$$$Time$-$Number$.m4s">
          <SegmentTimeline><S t="0" d="10" r="3"/></SegmentTimeline>
        </SegmentTemplate>
      </Representation>
      <Representation id="t" bandwidth="10" codecs="avc1.42c01e">
        <SegmentTemplate timescale="1" duration="1" startNumber="7"
          media="sub/../t-$Number%03x$.m4s"/>
      </Representation>
    </AdaptationSet>
    <AdaptationSet contentType="audio" mimeType="audio/mp4">
      <Representation id="a" bandwidth="50" codecs="mp4a.40.2">
        <BaseURL>audio.mp4</BaseURL>
        <SegmentList timescale="1" duration="1">
          <SegmentURL mediaRange="300-399"/>
          <SegmentURL media="../shared/a.m4s"/>
        </SegmentList>
      </Representation>
    </AdaptationSet>
  </Period>
</MPD>`;

Deno.test("the generated items are the placed Representations' resources, each URL once", () => {
  const { plan } = planDash(MIXED, ORIGIN);
  const items = [...plan.items];
  assert.deepEqual(items, itemsOfPlaced(MIXED, ORIGIN));
  assert.equal(plan.items.length, items.length);
  // Ranges of one file gathered across Periods; a URL two Periods share, once.
  const audio = items.find((i) => i.url === "https://cdn.example/vod/audio.mp4");
  assert.deepEqual(audio?.ranges?.map((r) => `${r.start}-${r.end}`), [
    "0-99",
    "100-199",
    "200-299",
    "300-399",
  ]);
  assert.equal(items.filter((i) => i.url === "https://cdn.example/shared/a.m4s").length, 1);
  // Per-track counts the runner is given: the items of each id.
  for (const t of plan.tracks ?? []) {
    assert.equal(t.files, items.filter((i) => i.track === t.id).length, t.id);
  }
});

Deno.test("a template filled per segment names what each filled reference resolves to", () => {
  const mpd = parseMpd(MIXED, ORIGIN, { tolerant: true });
  let checked = 0;
  for (const rep of mpd.representations) {
    const a = rep.addressing;
    if (a.kind !== "template" || a.media === undefined) continue;
    for (const seg of segmentSource(rep)) {
      if (seg.kind !== "media") continue;
      const ref = fillTemplate(a.media, {
        representationId: rep.id,
        bandwidth: rep.bandwidth,
        number: seg.number,
        time: seg.time,
      });
      assert.equal(seg.ref, ref);
      assert.equal(seg.url, new URL(ref, rep.baseUrl).href);
      checked++;
    }
  }
  assert.equal(checked, 4 + 4 + 4 + 4);
});

Deno.test("dash get --dry-run prints a plan of thousands of items whole, in batches", async () => {
  const count = 4_500;
  const dir = await Deno.makeTempDir();
  try {
    const file = join(dir, "manifest.mpd");
    await Deno.writeTextFile(file, numberedMpd(count));
    const base = ["dash", "get", file, "--base-url", ORIGIN, "--dry-run"];
    const j = await runCli([...base, "--json"]);
    assert.equal(j.code, 0, j.stderr);
    const plan = JSON.parse(j.stdout);
    assert.equal(plan.items.length, count + 1);
    assert.deepEqual(plan.items[count], {
      url: `https://cdn.example/vod/seg/s-${count}.bin`,
      path: `seg/s-${count}.bin`,
      kind: "media",
      track: "v",
      headers: false,
    });
    assert.equal(plan.manifests[0].path, "manifest.mpd");
    const t = await runCli(base);
    assert.equal(t.code, 0, t.stderr);
    const lines = t.stdout.split("\n");
    // The manifest, every item, the closing note, and nothing empty between them.
    assert.equal(lines.filter((l) => l.startsWith("seg/")).length, count + 1);
    assert.equal(lines.indexOf(""), lines.length - 1);
    assert.equal(
      lines[count + 1],
      `seg/s-${count}.bin\thttps://cdn.example/vod/seg/s-${count}.bin`,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
