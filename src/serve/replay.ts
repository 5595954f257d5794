/**
 * `serve --replay`: a recorded live session played again. A live recording keeps every
 * manifest revision the origin served as `OUT/.streamkit/live/<name>/<n>-<time>.<ext>`
 * (`n` counts from 1; `time` is when it was fetched, ISO 8601 UTC with `:` written as `-`,
 * e.g. `3-2026-12-04T10-00-05.123Z.mpd`), where `<name>` is the manifest's path in the
 * mirror (`manifest.mpd`, `180p/prog.m3u8`). Each manifest is served at that path, each
 * revision in its turn, on the original timing rebased to the start of serving: the
 * earliest revision of the session is served at once, and one fetched 8 s later, 8 s
 * later. The dates in the manifests move by the same amount (`availabilityStartTime`,
 * `publishTime`, `availabilityEndTime`, `EXT-X-PROGRAM-DATE-TIME`, `EXT-X-DATERANGE`
 * dates), so a client's clock arithmetic holds, and a `UTCTiming` element points at the
 * server's own clock. Segments are served from the mirror as they are.
 *
 * @module
 */
import { TIME_PATH } from "./live_dash.ts";
import type { LiveView } from "./live.ts";
import type { Source } from "./source.ts";

/** Where a recording keeps its manifest revisions. */
export const REVISIONS_FOLDER = "/.streamkit/live";

/** A revision file name: number, date and time with `-` for `:`, extension. */
const REVISION = /^(\d+)-(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2}(?:\.\d+)?)Z\.(mpd|m3u8)$/;

/** One kept revision. */
interface Revision {
  n: number;
  at: number;
  file: string;
}

/**
 * The time a revision was fetched, from its file name, or undefined when the name is not
 * one of a revision.
 *
 * @example
 * ```ts
 * revisionTime("3-2026-12-04T10-00-05.123Z.mpd"); // { n: 3, at: Date.parse("2026-12-04T10:00:05.123Z") }
 * ```
 */
export function revisionTime(name: string): { n: number; at: number } | undefined {
  const m = REVISION.exec(name);
  if (m === null) return undefined;
  const at = Date.parse(`${m[2]}T${m[3]}:${m[4]}:${m[5]}Z`);
  return Number.isNaN(at) ? undefined : { n: Number(m[1]), at };
}

/** Parses an xs:dateTime (UTC when it names no zone, as DASH assumes). */
function parseDate(text: string): number {
  const zoned = /(Z|[+-]\d{2}:?\d{2})$/.test(text.trim()) ? text.trim() : `${text.trim()}Z`;
  return Date.parse(zoned);
}

/** Moves every date a manifest holds by `delta` milliseconds; replaces UTCTiming. */
function rebase(text: string, delta: number, origin: string, dash: boolean): string {
  const move = (date: string) => {
    const ms = parseDate(date);
    return Number.isNaN(ms) ? date : new Date(ms + delta).toISOString();
  };
  if (!dash) {
    return text
      .replace(
        /^(#EXT-X-PROGRAM-DATE-TIME:)(.*?)(\r?)$/gm,
        (_, tag, date, cr) => `${tag}${move(date)}${cr}`,
      )
      .replace(/((?:START|END)-DATE=")([^"]*)(")/g, (_, a, date, b) => `${a}${move(date)}${b}`);
  }
  const timing =
    `<UTCTiming schemeIdUri="urn:mpeg:dash:utc:http-iso:2014" value="${origin}${TIME_PATH}"/>`;
  return text
    .replace(
      /\b(availabilityStartTime|publishTime|availabilityEndTime)(\s*=\s*")([^"]*)(")/g,
      (_, name, eq, date, q) => `${name}${eq}${move(date)}${q}`,
    )
    .replace(
      /<(?:[\w.-]+:)?UTCTiming\b(?:[^>"']|"[^"]*"|'[^']*')*?(?:\/>|>[\s\S]*?<\/(?:[\w.-]+:)?UTCTiming\s*>)/g,
      timing,
    );
}

/**
 * The replay of the revisions kept in `source`, rebased to start at server time
 * `startMs`; undefined when there are none.
 *
 * @example
 * ```ts
 * import { directorySource } from "./source.ts";
 * const view = replayView(directorySource("out"), Date.now());
 * view?.manifests; // ["/manifest.mpd"]
 * ```
 */
export function replayView(source: Source, startMs: number): LiveView | undefined {
  const groups = new Map<string, Revision[]>();
  for (const file of source.list(REVISIONS_FOLDER)) {
    const slash = file.lastIndexOf("/");
    const time = revisionTime(file.slice(slash + 1));
    if (time === undefined) continue;
    const path = file.slice(REVISIONS_FOLDER.length, slash);
    if (path === "") continue;
    groups.set(path, [...groups.get(path) ?? [], { ...time, file }]);
  }
  if (groups.size === 0) return undefined;
  for (const list of groups.values()) list.sort((a, b) => a.n - b.n || a.at - b.at);
  const first = Math.min(...[...groups.values()].map((list) => list[0].at));
  const delta = startMs - first;
  return {
    manifests: [...groups.keys()].sort(),
    manifest(path, nowMs, origin) {
      const list = groups.get(path);
      if (list === undefined) return undefined;
      let current = list[0];
      for (const r of list) if (r.at + delta <= nowMs) current = r;
      const text = source.readText(current.file);
      return text === undefined ? undefined : rebase(text, delta, origin, path.endsWith(".mpd"));
    },
    segment: () => undefined,
    // A mirror keeps HLS media under hls/, at their path relative to the master's folder
    // (the layout's rule), while the recorded playlists name them as the origin did.
    alternatives: (path) => (path.startsWith("/hls/") ? [] : [`/hls${path}`]),
    describe: () =>
      [...groups].map(([path, list]) =>
        `${path}: ${list.length} revision${list.length === 1 ? "" : "s"} over ${
          ((list.at(-1)!.at - list[0].at) / 1000).toFixed(1)
        } s`
      ),
  };
}
