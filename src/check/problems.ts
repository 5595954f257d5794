/**
 * What `dash check` and `hls check` find: problems (a severity, a code, the track and the
 * segment they are on, and what was expected and found), the tracks that were checked, and
 * the report that holds both — the one value the text, JSON and HTML printers read.
 *
 * @module
 */

/** How bad a problem is: an error makes the run exit 1; a warning does not. */
export type Severity = "error" | "warning";

/**
 * Every problem code, with what it means (docs/check.md has an example of each).
 *
 * - `missing-segment`: a resource the manifest lists is not there (HTTP status, no file).
 * - `damaged-segment`: it is there but does not walk as whole boxes (or MPEG-TS packets), is
 *   empty, is not the format the manifest implies, or is shorter than its byte range.
 * - `timeline-mismatch`: where the media starts disagrees with where the manifest places it
 *   (SegmentTimeline `S@t`, `@duration` × number, or the previous segment's end).
 * - `duration-mismatch`: how long the media lasts disagrees with the manifest (`S@d`,
 *   `@duration`, `EXTINF`).
 * - `codec-mismatch`: `@codecs` / `CODECS` disagree with the sample entry and its
 *   configuration record (or the MPEG-TS stream).
 * - `sap-missing`: a video segment does not start with a sync sample where the manifest
 *   promises one (`@startWithSAP`, `EXT-X-INDEPENDENT-SEGMENTS`).
 * - `track-mismatch`: a fragment names a track the initialization segment does not declare,
 *   or the media uses a timescale other than the initialization segment's.
 * - `target-duration-exceeded`: an `EXTINF`, rounded to the nearest integer, exceeds
 *   `EXT-X-TARGETDURATION`.
 * - `index-mismatch`: a segment index (`sidx`) disagrees with the fragments it indexes.
 * - `manifest-invalid`: a part of the manifest cannot be used (a Representation whose
 *   addressing cannot be expanded, a media playlist that cannot be parsed).
 * - `missing-playlist`: a media playlist the master names cannot be fetched.
 */
export const PROBLEM_CODES = [
  "missing-segment",
  "damaged-segment",
  "timeline-mismatch",
  "duration-mismatch",
  "codec-mismatch",
  "sap-missing",
  "track-mismatch",
  "target-duration-exceeded",
  "index-mismatch",
  "manifest-invalid",
  "missing-playlist",
] as const;

/** One of {@link PROBLEM_CODES}. */
export type ProblemCode = typeof PROBLEM_CODES[number];

/** A span of the presentation timeline, in seconds. */
export interface Span {
  /** Start, seconds. */
  start: number;
  /** Duration, seconds. */
  duration: number;
}

/** One problem, as `--json` prints it. */
export interface Problem {
  /** `error` or `warning`. */
  severity: Severity;
  /** What kind of problem (one of {@link PROBLEM_CODES}). */
  code: ProblemCode;
  /** The track it is on (DASH `Representation@id`, HLS media playlist URI), or null. */
  track: string | null;
  /** The file it is in (with its byte range when it has one), or null for the whole track. */
  segment: string | null;
  /** What was expected and what was found. */
  message: string;
}

/** A segment as the timeline picture shows it: where the manifest and the media place it. */
export interface SegmentView {
  /** Its name (as problems name it). */
  name: string;
  /** Where the manifest places it, when it says. */
  manifest?: Span;
  /** Where its media is, when it could be read. */
  media?: Span;
  /** The worst problem found on it, if any. */
  worst?: Severity;
  /** Whether it could not be read at all. */
  missing?: boolean;
}

/** A checked track. */
export interface TrackReport {
  /** Its id, as `--list` prints it. */
  id: string;
  /** `video`, `audio`, `text`, `image` or `other`. */
  kind: string;
  /** Media segments the manifest lists. */
  segments: number;
  /** Its segments on the timeline, for the HTML picture. */
  views: SegmentView[];
}

/** Everything a check found. */
export interface CheckReport {
  /** The manifest checked (its URL after redirects, or its file URL). */
  manifest: string;
  /** The tracks, in manifest order. */
  tracks: TrackReport[];
  /** The problems, in track and segment order. */
  problems: Problem[];
  /** Things the user should know that are not problems (what could not be checked). */
  notes: string[];
  /** Bytes read. */
  bytes: number;
  /** Resources read (segments, initialization segments, indexes, keys). */
  resources: number;
  /** Seconds the check took. */
  seconds: number;
}

/**
 * Collects problems, each once: the same code, track, segment and message found twice (two
 * variants sharing one audio rendition) is kept once.
 *
 * @example
 * ```ts
 * const found = new Findings();
 * found.add("error", "missing-segment", "0", "chunk-1.m4s", "HTTP 404 Not Found");
 * found.list().length; // 1
 * ```
 */
export class Findings {
  #list: Problem[] = [];
  #seen = new Set<string>();

  /** Adds a problem (ignored when the same one is already there). */
  add(
    severity: Severity,
    code: ProblemCode,
    track: string | null,
    segment: string | null,
    message: string,
  ): void {
    const key = JSON.stringify([severity, code, track, segment, message]);
    if (this.#seen.has(key)) return;
    this.#seen.add(key);
    this.#list.push({ severity, code, track, segment, message });
  }

  /** The problems so far, in the order found. */
  list(): Problem[] {
    return [...this.#list];
  }

  /** The worst severity found on each segment, by track and segment name. */
  worstBySegment(): Map<string, Severity> {
    const out = new Map<string, Severity>();
    for (const p of this.#list) {
      if (p.track === null || p.segment === null) continue;
      const key = segmentKey(p.track, p.segment);
      if (out.get(key) !== "error") out.set(key, p.severity);
    }
    return out;
  }
}

/** The key of a segment of a track in {@link Findings.worstBySegment}. */
export function segmentKey(track: string, segment: string): string {
  return `${track}\u0000${segment}`;
}

/** Counts of problems by severity. */
export function countBySeverity(
  problems: readonly Problem[],
): { errors: number; warnings: number } {
  let errors = 0;
  for (const p of problems) if (p.severity === "error") errors++;
  return { errors, warnings: problems.length - errors };
}

/** The JSON `--json` prints: exactly `manifest`, `tracks` (`id`, `kind`, `segments`), `problems`. */
export function reportJson(report: CheckReport): {
  manifest: string;
  tracks: { id: string; kind: string; segments: number }[];
  problems: Problem[];
} {
  return {
    manifest: report.manifest,
    tracks: report.tracks.map((t) => ({ id: t.id, kind: t.kind, segments: t.segments })),
    problems: report.problems.map((p) => ({
      severity: p.severity,
      code: p.code,
      track: p.track,
      segment: p.segment,
      message: p.message,
    })),
  };
}

/** Seconds as a short decimal for messages: `2`, `2.005333`, `0.04`. */
export function secs(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  return String(Math.round(value * 1e6) / 1e6);
}
