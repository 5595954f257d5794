/**
 * What a DASH client gets from a manifest: every resource it addresses, fetched as a client
 * would (ranges as ranges). The tests compare it between the origin and an offline replay of
 * the saved copy.
 *
 * @module
 */
import assert from "node:assert/strict";
import { parseMpd } from "../src/dash/mpd.ts";
import { representationSegments } from "../src/dash/segments.ts";

/**
 * Every resource `manifestUrl` addresses, keyed by Period, Representation, position and kind
 * (`P0/v1/3/media`), so two manifests that address the same bytes under other URLs compare
 * equal.
 */
export async function resolvedResources(manifestUrl: string): Promise<Map<string, Uint8Array>> {
  const res = await fetch(manifestUrl);
  const mpd = parseMpd(await res.text(), res.url);
  const out = new Map<string, Uint8Array>();
  for (const rep of mpd.representations) {
    for (const [i, seg] of representationSegments(rep).entries()) {
      const headers: Record<string, string> = seg.range
        ? { Range: `bytes=${seg.range.start}-${seg.range.end}` }
        : {};
      const r = await fetch(seg.url, { headers });
      assert.ok(r.ok, `${seg.url}: ${r.status}`);
      out.set(
        `P${rep.periodIndex}/${rep.id}/${i}/${seg.kind}`,
        new Uint8Array(await r.arrayBuffer()),
      );
    }
  }
  return out;
}
