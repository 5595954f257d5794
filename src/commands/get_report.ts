/**
 * What a `get` run prints on stdout: the plan of a `--dry-run` (text or JSON, streamed in
 * batches so a 100,000-item plan is never one string) and the summary at the end (text or
 * JSON).
 *
 * @module
 */
import type { RunnablePlan } from "../mirror/plan.ts";
import type { RunReport } from "../mirror/run.ts";
import type { HttpOptions } from "../net/http.ts";
import { formatBytes, formatSeconds } from "../ui/format.ts";
import type { CommandContext } from "./context.ts";
import type { ManifestFormat, ManifestSource } from "./source.ts";
import { selectionLines, type SelectionReport } from "../select/report.ts";

/** `N thing` / `N things`. */
export function count(n: number, thing: string, things = `${thing}s`): string {
  return `${n} ${n === 1 ? thing : things}`;
}

/** The word for a saved manifest of each format. */
export const MANIFEST_WORD: Record<ManifestFormat, string> = { dash: "manifest", hls: "playlist" };

/** Items written to the output at once while a plan is printed. */
const PRINT_BATCH = 2000;

/** A plan as a planner gives it: its items may be made as they are gone through. */
export type RunnableSelectedPlan = RunnablePlan & { selection?: SelectionReport };

/**
 * Prints the plan of a `--dry-run`, item by item in batches: a plan of 100,000 items is
 * never one string (the JSON is what `JSON.stringify(plan, null, 2)` gives, with each item's
 * `headers`, and each manifest's text whole).
 */
export function printPlan(
  ctx: CommandContext,
  plan: RunnableSelectedPlan,
  http: HttpOptions,
  json: boolean,
) {
  const out = ctx.io.stdout;
  const sends = (url: string) =>
    http.headers.length > 0 && (http.scope?.allows(new URL(url)) ?? false);
  let batch: string[] = [];
  const flush = (sep: string) => {
    if (batch.length > 0) out.write(batch.join(sep) + sep);
    batch = [];
  };
  if (json) {
    const manifests = plan.manifests.map((m) => ({
      ...m,
      text: typeof m.text === "string" ? m.text : [...m.text()].join(""),
      headers: sends(m.url),
    }));
    // The items' place in the document, marked by a string no JSON text holds unescaped.
    const mark = "\u0000items\u0000";
    const text = JSON.stringify({ ...plan, manifests, items: mark }, null, 2);
    const at = text.indexOf(JSON.stringify(mark));
    let first = true;
    out.write(text.slice(0, at));
    for (const item of plan.items) {
      // Flushed before the next item, so that a separator is always followed by one.
      if (batch.length >= PRINT_BATCH) flush(",\n");
      const one = JSON.stringify({ ...item, headers: sends(item.url) }, null, 2);
      batch.push(`${first ? "[\n" : ""}    ${one.replaceAll("\n", "\n    ")}`);
      first = false;
    }
    if (batch.length > 0) out.write(batch.join(",\n"));
    batch = [];
    out.write(`${first ? "[]" : "\n  ]"}${text.slice(at + JSON.stringify(mark).length)}\n`);
    return;
  }
  const mark = (url: string) => (http.headers.length > 0 && sends(url) ? "\t(-H headers)" : "");
  for (const m of plan.manifests) {
    batch.push(`${m.path}\t${m.url}${m.original !== undefined ? "\t(rewritten)" : ""}`);
  }
  for (const item of plan.items) {
    if (batch.length >= PRINT_BATCH) flush("\n"); // before the next line: never empty at the end
    const ranges = item.ranges?.map((r) => `${r.start}-${r.end}`).join(",");
    batch.push(`${item.path}\t${item.url}${ranges ? `\tranges ${ranges}` : ""}${mark(item.url)}`);
  }
  if (plan.selection) { for (const l of selectionLines(plan.selection)) batch.push(`# ${l}`); }
  if (batch.length === 0) batch.push(""); // as `[].join("\n") + "\n"`
  flush("\n");
}

/** The summary of a run as `--json` prints it (and `--progress json` ends with). */
export function summaryJson(
  command: string,
  source: ManifestSource,
  outDir: string,
  r: RunReport,
  notes: string[],
  selection?: SelectionReport,
): Record<string, unknown> {
  return {
    command,
    manifest: source.url,
    output: outDir,
    ...r.totals,
    failures: r.failures,
    manifests: r.manifests,
    interrupted: r.interrupted,
    notes,
    ...(selection ? { selection } : {}),
  };
}

/** The summary of a run for people. */
export function summaryText(
  command: string,
  format: ManifestFormat,
  outDir: string,
  r: RunReport,
  selection?: SelectionReport,
): string {
  const t = r.totals;
  const rate = t.seconds > 0 ? t.bytes / t.seconds : 0;
  const parts = [
    `${t.done} downloaded now`,
    `${t.present} already there`,
    `${t.failed} failed`,
  ];
  if (t.notStarted) parts.push(`${t.notStarted} not started`);
  const lines = [
    `${command}: ${count(t.files, "file")} and ${
      count(r.manifests.length, MANIFEST_WORD[format])
    }` +
    ` saved in ${outDir} (${parts.join(", ")}); ` +
    `${formatBytes(t.bytes)} in ${formatSeconds(t.seconds)} (${formatBytes(Math.round(rate))}/s)` +
    `${t.retries ? `, ${count(t.retries, "retry", "retries")}` : ""}`,
  ];
  if (r.failures.length) {
    lines.push(`failed (${r.failures.length}):`);
    for (const f of r.failures) lines.push(`  ${f.url}  ${f.reason}`);
  }
  if (selection) lines.push(...selectionLines(selection));
  if (r.interrupted) lines.push("interrupted: rerun the same command to resume");
  return lines.join("\n") + "\n";
}
