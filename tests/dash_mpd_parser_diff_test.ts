/**
 * Differential test: streamkit's segment expansion against videojs's `mpd-parser` (a
 * second, independent implementation) on the same manifests, where mpd-parser supports
 * them (it needs the sidx to list SegmentBase segments, so those are left out).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { parse } from "mpd-parser";
import { parseMpd } from "../src/dash/mpd.ts";
import { representationSegments } from "../src/dash/segments.ts";
import { FIXTURES } from "./cli_helpers.ts";

const URL_BASE = "https://cdn.example/vod/";

interface Theirs {
  attributes: { NAME: string };
  segments: {
    resolvedUri: string;
    byterange?: { offset: number; length: number };
    map?: { resolvedUri: string; byterange?: { offset: number; length: number } };
  }[];
}

type Listing = Map<string, string[]>;

function range(r?: { offset: number; length: number }): string {
  return r ? `@${r.offset}+${r.length}` : "";
}

/** mpd-parser's view: Representation id → init and media URLs with ranges, in order. */
function theirs(text: string, uri: string): Listing {
  const m = parse(text, { manifestUri: uri }) as unknown as {
    playlists: Theirs[];
    mediaGroups: Record<string, Record<string, Record<string, { playlists?: Theirs[] }>>>;
  };
  const lists: Theirs[] = [...m.playlists];
  for (const type of Object.values(m.mediaGroups)) {
    for (const group of Object.values(type)) {
      for (const rendition of Object.values(group)) lists.push(...(rendition.playlists ?? []));
    }
  }
  const out: Listing = new Map();
  for (const p of lists) {
    const entries: string[] = [];
    let lastMap = "";
    for (const s of p.segments) {
      if (s.map) {
        const map = `init ${s.map.resolvedUri}${range(s.map.byterange)}`;
        if (map !== lastMap) entries.push(map);
        lastMap = map;
      }
      entries.push(`media ${s.resolvedUri}${range(s.byterange)}`);
    }
    out.set(p.attributes.NAME, [...(out.get(p.attributes.NAME) ?? []), ...entries]);
  }
  return out;
}

/** streamkit's view, in the same shape (Periods of one id concatenated, as mpd-parser does). */
function ours(text: string, uri: string): Listing {
  const out: Listing = new Map();
  for (const rep of parseMpd(text, uri).representations) {
    const entries = representationSegments(rep).filter((s) => s.kind !== "index").map((s) => {
      const r = s.range ? `@${s.range.start}+${s.range.end - s.range.start + 1}` : "";
      return `${s.kind} ${s.url}${r}`;
    });
    out.set(rep.id, [...(out.get(rep.id) ?? []), ...entries]);
  }
  return out;
}

const HAND_WRITTEN: Record<string, string> = {
  "number-duration":
    `<MPD type="static" mediaPresentationDuration="PT9.5S"><Period><AdaptationSet mimeType="video/mp4">
    <SegmentTemplate timescale="1000" duration="2000" startNumber="0" initialization="$RepresentationID$/i.mp4"
      media="$RepresentationID$/$Number%04d$.m4s"/>
    <Representation id="hi" bandwidth="2"/><Representation id="lo" bandwidth="1"/></AdaptationSet></Period></MPD>`,
  "timeline-time":
    `<MPD type="static" mediaPresentationDuration="PT8S"><Period><AdaptationSet mimeType="audio/mp4" lang="en">
    <SegmentTemplate timescale="48000" initialization="a/init.mp4" media="a/t$Time$.m4s">
    <SegmentTimeline><S t="0" d="96000" r="2"/><S d="48000"/><S d="48000"/></SegmentTimeline></SegmentTemplate>
    <Representation id="aud" bandwidth="64000"/></AdaptationSet></Period></MPD>`,
  "segment-list":
    `<MPD type="static" mediaPresentationDuration="PT6S"><Period><AdaptationSet mimeType="video/mp4">
    <Representation id="v" bandwidth="1"><BaseURL>one.mp4</BaseURL><SegmentList timescale="1" duration="2">
    <Initialization sourceURL="one.mp4" range="0-826"/><SegmentURL media="one.mp4" mediaRange="827-60097"/>
    <SegmentURL media="one.mp4" mediaRange="60098-115327"/><SegmentURL media="one.mp4" mediaRange="115328-167989"/>
    </SegmentList></Representation></AdaptationSet></Period></MPD>`,
  "base-url-chain":
    `<MPD type="static" mediaPresentationDuration="PT4S"><BaseURL>media/</BaseURL><Period>
    <BaseURL>p/</BaseURL><AdaptationSet mimeType="video/mp4"><BaseURL>../v/</BaseURL>
    <Representation id="x" bandwidth="1"><BaseURL>x/</BaseURL>
    <SegmentTemplate duration="2" media="$Number$.m4s" initialization="init.mp4"/></Representation>
    </AdaptationSet></Period></MPD>`,
};

async function fixtureManifests(): Promise<[string, string, string][]> {
  const found: [string, string, string][] = [];
  const dirs = [join(FIXTURES, "reference", "dash-avc-aac")];
  for await (const e of Deno.readDir(FIXTURES)) {
    if (e.isDirectory && e.name.startsWith("dash-")) dirs.push(join(FIXTURES, e.name));
  }
  for (const dir of dirs) {
    for await (const e of Deno.readDir(dir)) {
      if (!e.name.endsWith(".mpd")) continue;
      const text = await Deno.readTextFile(join(dir, e.name));
      if (/<SegmentBase/.test(text)) continue; // mpd-parser needs the sidx itself
      found.push([`${dir.split("/").pop()}/${e.name}`, text, `${URL_BASE}${e.name}`]);
    }
  }
  return found;
}

Deno.test("segment expansion agrees with mpd-parser on every fixture and hand-written MPD", async () => {
  const cases = [
    ...(await fixtureManifests()),
    ...Object.entries(HAND_WRITTEN).map(([k, v]) =>
      [k, v, `${URL_BASE}${k}.mpd`] as [string, string, string]
    ),
  ];
  assert.ok(cases.length >= 5);
  for (const [name, text, uri] of cases) {
    const a = ours(text, uri);
    const b = theirs(text, uri);
    assert.deepEqual([...a.keys()].sort(), [...b.keys()].sort(), name);
    for (const [id, list] of a) {
      assert.ok(list.length > 1, `${name}/${id}`);
      assert.deepEqual(list, b.get(id), `${name}: Representation ${id}`);
    }
  }
});
