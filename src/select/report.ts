/**
 * What `--list`, `--select` and `--range` show: the inventory (a table, or `{"tracks": […]}`),
 * and the selection a plan was made from — what was kept, what was left out and why, what a
 * range cut — for `--dry-run`, `--json` and the summary.
 *
 * @module
 */
import type { DownloadPlan, PlanItems } from "../mirror/plan.ts";
import type { Selector } from "./expression.ts";
import type { TimeRange } from "./range.ts";
import { type Track, trackLabel } from "./track.ts";

/** What the command line asks of the tracks. */
export interface TrackRequest {
  /** `--list`: print the inventory and stop. */
  list: boolean;
  /** `--select` expressions (none: every track). */
  selectors: Selector[];
  /** `--range`, if given. */
  range?: TimeRange;
}

/** Whether a request changes anything about what is mirrored. */
export function selects(request: TrackRequest): boolean {
  return request.selectors.length > 0 || request.range !== undefined;
}

/** A planner's answer to `--list`: the tracks, and anything to know about them. */
export interface Inventory {
  /** The tracks (with `--select`, those it keeps), in manifest order. */
  inventory: Track[];
  /** Things to know (a media playlist that could not be read). */
  notes: string[];
}

/** A track left out, and why. */
export interface LeftOut {
  /** Its id. */
  id: string;
  /** Its label (`video 1280x720`). */
  label?: string;
  /** DASH: its Period's id. */
  period?: string | null;
  /** Why. */
  reason: string;
}

/** A track a range cut: how many of its media segments it keeps. */
export interface CutTrack {
  /** Its id. */
  id: string;
  /** DASH: its Period's id. */
  period?: string | null;
  /** Media segments kept. */
  kept: number;
  /** Media segments it has. */
  of: number;
}

/** The selection a plan was made from. */
export interface SelectionReport {
  /** The `--select` expressions, as written. */
  select: string[];
  /** `--range` as written, with its bounds in seconds (`end` null when open). */
  range: { text: string; start: number; end: number | null } | null;
  /** The tracks kept: id, label and (DASH) Period id. */
  kept: { id: string; label?: string; period?: string | null }[];
  /** The tracks left out, and why. */
  left: LeftOut[];
  /** The tracks the range cut. */
  cut: CutTrack[];
}

/**
 * A plan with the selection it was made from; its items may be generated as they are taken
 * (a DASH template's segments), and are then gone through only once.
 */
export type SelectedPlan = Omit<DownloadPlan, "items"> & {
  items: PlanItems;
  selection?: SelectionReport;
};

/**
 * The report of a selection.
 *
 * @example
 * ```ts
 * selectionReport({ list: false, selectors: [] }, [], [], []).kept; // []
 * ```
 */
export function selectionReport(
  request: TrackRequest,
  kept: Track[],
  left: LeftOut[],
  cut: CutTrack[],
): SelectionReport {
  const r = request.range;
  return {
    select: request.selectors.map((s) => s.text),
    range: r ? { text: r.text, start: r.start, end: Number.isFinite(r.end) ? r.end : null } : null,
    kept: kept.map((t) => ({
      id: t.id,
      label: trackLabel(t),
      ...(t.period !== undefined ? { period: t.period } : {}),
    })),
    left,
    cut,
  };
}

/** A track for people: `id (label)`, and `in Period p1` when `periods` says so. */
function named(
  t: { id: string; label?: string; period?: string | null },
  periods: boolean,
): string {
  const period = periods && t.period !== undefined ? ` in Period ${t.period ?? "?"}` : "";
  return `${t.id}${t.label ? ` (${t.label})` : ""}${period}`;
}

/**
 * The selection for people, one line each: what was kept, left out (and why), and cut.
 *
 * @example
 * ```ts
 * declare const report: SelectionReport;
 * for (const line of selectionLines(report)) console.log(`# ${line}`);
 * ```
 */
export function selectionLines(report: SelectionReport): string[] {
  const lines: string[] = [];
  // Periods are named only when there are several.
  const periods = new Set([...report.kept, ...report.left].map((t) => t.period)).size > 1;
  const how = [
    ...report.select.map((s) => `--select ${JSON.stringify(s)}`),
    ...(report.range ? [`--range ${report.range.text}`] : []),
  ].join(" ");
  const n = report.kept.length;
  lines.push(
    `selection ${how}: ${n} ${n === 1 ? "track" : "tracks"} kept: ${
      report.kept.map((t) => named(t, periods)).join(", ") || "none"
    }`,
  );
  if (report.left.length > 0) {
    lines.push(`left out (${report.left.length}):`);
    for (const l of report.left) lines.push(`  ${named(l, periods)}: ${l.reason}`);
  }
  if (report.cut.length > 0) {
    lines.push(`cut to --range ${report.range?.text} (${report.cut.length}):`);
    for (const c of report.cut) {
      lines.push(`  ${named(c, periods)}: ${c.kept} of ${c.of} media segments`);
    }
  }
  return lines;
}

/** A bandwidth for people: `96 kb/s`, `3.2 Mb/s`. */
function rate(bps: number): string {
  if (bps >= 1e6) return `${(bps / 1e6).toFixed(bps >= 1e7 ? 0 : 1)} Mb/s`;
  return `${Math.round(bps / 1000)} kb/s`;
}

/**
 * The inventory as a table, a row per track.
 *
 * @example
 * ```ts
 * import type { Track } from "./track.ts";
 * declare const tracks: Track[];
 * console.log(inventoryTable(tracks));
 * ```
 */
export function inventoryTable(tracks: readonly Track[]): string {
  const dash = tracks.some((t) => t.period !== undefined);
  const dashOnly = ["period", "set"];
  const head = [
    "id",
    "kind",
    "codecs",
    "bandwidth",
    "size",
    "fps",
    "lang",
    "ch",
    "roles",
    "segments",
    "duration",
    ...(dash ? dashOnly : []),
  ];
  const dashCells = (t: Track) => dash ? [t.period ?? "-", t.adaptationSet ?? "-"] : [];
  const rows = tracks.map((t) => [
    t.id,
    t.kind ?? "-",
    t.codecs ?? "-",
    t.bandwidth === null ? "-" : rate(t.bandwidth),
    t.width !== null && t.height !== null ? `${t.width}x${t.height}` : "-",
    t.fps === null ? "-" : String(t.fps),
    t.lang ?? "-",
    t.channels === null ? "-" : String(t.channels),
    t.roles.length > 0 ? t.roles.join(",") : "-",
    t.segments === null ? "-" : String(t.segments),
    t.duration === null ? "-" : `${t.duration.toFixed(3).replace(/\.?0+$/, "")} s`,
    ...dashCells(t),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => [...r[i]].length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => i === cells.length - 1 ? c : c + " ".repeat(widths[i] - [...c].length))
      .join("  ").trimEnd();
  return [line(head), ...rows.map(line)].join("\n") + "\n";
}

/** The inventory as `--list --json` prints it: `{"tracks": [...]}`. */
export function inventoryJson(tracks: readonly Track[]): string {
  return JSON.stringify({ tracks }, null, 2) + "\n";
}
