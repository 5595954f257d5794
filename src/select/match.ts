/**
 * Which tracks a set of `--select` expressions keeps.
 *
 * An expression with a `kind` condition applies to that kind only; one without applies to
 * every kind. For each kind, if any expression applies to it, only its tracks that match at
 * least one of those expressions are kept; a kind no expression applies to is kept whole.
 * `:best` / `:worst` keep, of an expression's matches, the one with the highest / lowest
 * bandwidth of each kind — in each group (a DASH Period; HLS has one) — preferring tracks
 * that are not trick-mode ones and, on a tie or an unknown bandwidth, the first in the
 * manifest.
 *
 * @module
 */
import { appliesTo, matchesAll, SelectError, type Selector } from "./expression.ts";
import { isTrick, type Track } from "./track.ts";

/** What a selection decided, track by track (in the order given). */
export interface Selection {
  /** Whether each track is kept. */
  kept: boolean[];
  /** Why each track left out is left out (undefined for a kept one). */
  reasons: (string | undefined)[];
}

/** The one track `:best` / `:worst` keeps of `indices`, all of one kind and group. */
function pickOne(tracks: readonly Track[], indices: number[], pick: "best" | "worst"): number {
  const plain = indices.filter((i) => !isTrick(tracks[i]));
  const pool = plain.length > 0 ? plain : indices;
  const known = pool.filter((i) => tracks[i].bandwidth !== null);
  if (known.length === 0) return pool[0];
  let chosen = known[0];
  for (const i of known.slice(1)) {
    const b = tracks[i].bandwidth!, c = tracks[chosen].bandwidth!;
    if (pick === "best" ? b > c : b < c) chosen = i;
  }
  return chosen;
}

/** Options of {@link selectTracks}. */
export interface SelectOptions {
  /** The group of the track at `index` (its DASH Period). @default one group */
  groupOf?: (index: number) => string;
  /** Throw for an expression that matches no track. @default true */
  requireMatch?: boolean;
}

/**
 * Applies `selectors` to `tracks`; see the module documentation.
 *
 * @param tracks every track of the manifest, in manifest order
 * @param selectors the parsed `--select` expressions (none keeps everything)
 * @param options see {@link SelectOptions}
 * @throws {SelectError} for an expression that matches no track
 * @example
 * ```ts
 * import { parseSelector } from "./expression.ts";
 * import type { Track } from "./track.ts";
 * declare const tracks: Track[];
 * const { kept } = selectTracks(tracks, [parseSelector("kind=video:best")]);
 * ```
 */
export function selectTracks(
  tracks: readonly Track[],
  selectors: readonly Selector[],
  options: SelectOptions = {},
): Selection {
  const groupOf = options.groupOf ?? (() => "");
  const picked = selectors.map((s) => {
    const matches = tracks.flatMap((t, i) => appliesTo(s, t.kind) && matchesAll(s, t) ? [i] : []);
    if (matches.length === 0 && (options.requireMatch ?? true)) {
      throw new SelectError(
        s.text,
        `matches none of the ${tracks.length} ${
          tracks.length === 1 ? "track" : "tracks"
        } (run with --list to see them)`,
      );
    }
    if (s.pick === undefined) return new Set(matches);
    const buckets = new Map<string, number[]>();
    for (const i of matches) {
      const key = `${groupOf(i)}\n${tracks[i].kind}`;
      buckets.set(key, [...buckets.get(key) ?? [], i]);
    }
    return new Set([...buckets.values()].map((list) => pickOne(tracks, list, s.pick!)));
  });
  const kept: boolean[] = [];
  const reasons: (string | undefined)[] = [];
  tracks.forEach((t, i) => {
    const applying = selectors.flatMap((s, n) => appliesTo(s, t.kind) ? [n] : []);
    const keep = applying.length === 0 || applying.some((n) => picked[n].has(i));
    kept.push(keep);
    reasons.push(
      keep
        ? undefined
        : `not selected by ${
          applying.map((n) => `--select ${JSON.stringify(selectors[n].text)}`).join(" or ")
        }`,
    );
  });
  return { kept, reasons };
}
