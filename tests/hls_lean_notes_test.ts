import assert from "node:assert/strict";
import { parsePlaylist, scanPlaylist } from "../src/hls/playlist.ts";
import { standaloneTrack } from "../src/hls/tracks.ts";

const BASE = "http://127.0.0.1:8000/vod/media.m3u8";

/** A media playlist with the given target-duration line (or none) and EXTINF durations. */
function playlist(target: string | undefined, durations: string[], targetAfter = false): string {
  const lines = ["#EXTM3U"];
  const tag = target === undefined ? [] : [`#EXT-X-TARGETDURATION:${target}`];
  if (!targetAfter) lines.push(...tag);
  durations.forEach((d, i) => lines.push(`#EXTINF:${d},`, `seg-${i}.ts`));
  if (targetAfter) lines.push(...tag);
  lines.push("#EXT-X-ENDLIST");
  return lines.join("\n");
}

/** The notes of a full parse and of a lean scan (which keeps no per-segment duration). */
function bothNotes(text: string): { full: string[]; lean: string[] } {
  const full = parsePlaylist(text, BASE);
  assert.equal(full.type, "media");
  let visited = 0;
  const lean = scanPlaylist(text, BASE, () => visited++);
  assert.equal(lean.type, "media");
  assert.ok(visited > 0);
  return { full: full.notes ?? [], lean: lean.notes ?? [] };
}

Deno.test("a lean scan notes EXTINFs longer than the target duration as a full parse does", () => {
  const many = Array.from(
    { length: 5000 },
    (_, i) => (i % 7 === 3 ? "9.4" : i % 11 === 5 ? "8.6" : "6"),
  );
  const cases: [string | undefined, string[], boolean?][] = [
    ["6", ["6", "6.4", "6.6", "6"]], // 6.6 rounds to 7: one line
    ["6", ["7", "8", "6", "9", "10", "12"]], // five lines: three shown "and 2 more"
    ["6", many], // thousands, two rounded values interleaved
    ["6", many, true], // the tag after the segments
    ["2.5", ["5", "5"]], // a decimal target
    ["2.5", ["", "2"]], // no duration counts as the target: round(2.5) = 3 > 2.5
    ["4", ["", "2"]],
    [undefined, ["3", "7.2", "5"]], // no tag: taken as the longest, no "longer than" note
    ["6", ["4", "5"]], // nothing longer
  ];
  for (const [target, durations, after] of cases) {
    const { full, lean } = bothNotes(playlist(target, durations, after));
    assert.deepEqual(lean, full, `target ${target}, ${durations.length} segments`);
  }
  const { lean } = bothNotes(playlist("6", ["7", "8", "6", "9", "10", "12"]));
  assert.ok(
    lean.includes("an EXTINF longer than EXT-X-TARGETDURATION 6 (lines 3, 5, 9 and 2 more)"),
  );
  const { lean: thousands } = bothNotes(playlist("6", many));
  const over = many.filter((d) => Math.round(Number(d)) > 6).length;
  assert.ok(
    thousands.includes(
      `an EXTINF longer than EXT-X-TARGETDURATION 6 (lines 9, 13, 23 and ${over - 3} more)`,
    ),
    thousands.join("\n"),
  );
});

Deno.test("a lean scan counts a playlist's segments and seconds as a full parse's track does", () => {
  const many = Array.from({ length: 5000 }, (_, i) => (i % 3 ? "1.001" : "0.967"));
  const cases: [string | undefined, string[]][] = [
    ["2", many],
    ["6", ["6", "5.5", "", "4"]], // no duration: counts as the target duration
    [undefined, ["3", "", "7.2"]], // no target either: taken as the longest EXTINF, rounded up
    ["6", []],
  ];
  for (const [target, durations] of cases) {
    const text = playlist(target, durations);
    const full = parsePlaylist(text, BASE);
    const lean = scanPlaylist(text, BASE, () => {});
    assert.equal(full.type, "media");
    assert.equal(lean.type, "media");
    assert.deepEqual(
      standaloneTrack(BASE, lean),
      standaloneTrack(BASE, full),
      `target ${target}, ${durations.length} segments`,
    );
    assert.equal(standaloneTrack(BASE, lean).segments, durations.length);
  }
});
