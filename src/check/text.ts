/**
 * A check's report for people: one line per problem (tab-separated: severity, code, track,
 * segment, message) for logs and pipes, an aligned table on a terminal, and a one-line
 * summary.
 *
 * @module
 */
import { formatBytes, formatSeconds } from "../ui/format.ts";
import { type CheckReport, countBySeverity, type Problem } from "./problems.ts";

/** The columns of a problem, `-` for a null track or segment. */
function columns(p: Problem): string[] {
  return [p.severity, p.code, p.track ?? "-", p.segment ?? "-", p.message];
}

/**
 * One line per problem: `severity<TAB>code<TAB>track<TAB>segment<TAB>message`.
 *
 * @example
 * ```ts
 * problemLines([{ severity: "error", code: "missing-segment", track: "0", segment: "a.m4s",
 *   message: "HTTP 404 Not Found" }]);
 * // ["error\tmissing-segment\t0\ta.m4s\tHTTP 404 Not Found"]
 * ```
 */
export function problemLines(problems: readonly Problem[]): string[] {
  // A tab or line break inside a field (a hostile URI) would break the columns.
  // deno-lint-ignore no-control-regex
  const clean = (s: string) => s.replace(/[\t\r\n\x00-\x1f]/g, " ");
  return problems.map((p) => columns(p).map(clean).join("\t"));
}

/**
 * The problems as a table with a header row, columns aligned, the message last (not cut: a
 * terminal wraps it).
 *
 * @example
 * ```ts
 * problemTable([]); // []
 * ```
 */
export function problemTable(problems: readonly Problem[]): string[] {
  if (problems.length === 0) return [];
  // deno-lint-ignore no-control-regex
  const clean = (s: string) => s.replace(/[\x00-\x1f\x7f]/g, " ");
  const rows = [["SEVERITY", "CODE", "TRACK", "SEGMENT", "MESSAGE"], ...problems.map(columns)]
    .map((r) => r.map(clean));
  const widths = [0, 1, 2, 3].map((c) =>
    Math.min(48, Math.max(...rows.map((r) => [...r[c]].length)))
  );
  return rows.map((r) =>
    r.map((cell, c) => (c < 4 ? cell.padEnd(widths[c]) : cell)).join("  ").trimEnd()
  );
}

/**
 * The summary line: tracks, resources, bytes, time, and the problems by severity and code.
 *
 * @example
 * ```ts
 * import type { CheckReport } from "./problems.ts";
 * declare const report: CheckReport;
 * summaryLine("dash check", report); // "dash check: 4 tracks, 16 resources checked (331 KiB in 0.2 s): no problems"
 * ```
 */
export function summaryLine(command: string, report: CheckReport): string {
  const { errors, warnings } = countBySeverity(report.problems);
  const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
  const head = `${command}: ${plural(report.tracks.length, "track")}, ` +
    `${plural(report.resources, "resource")} checked (${formatBytes(report.bytes)} in ` +
    `${formatSeconds(report.seconds)})`;
  if (report.problems.length === 0) return `${head}: no problems`;
  const byCode = new Map<string, number>();
  for (const p of report.problems) byCode.set(p.code, (byCode.get(p.code) ?? 0) + 1);
  const codes = [...byCode].map(([c, n]) => `${c} ${n}`).join(", ");
  return `${head}: ${plural(errors, "error")}, ${plural(warnings, "warning")} (${codes})`;
}
