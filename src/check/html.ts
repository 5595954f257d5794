/**
 * A check's report as one self-contained HTML page (no script, no external style, font or
 * image): a summary, a row per track, every problem, and a timeline picture per track (inline
 * SVG) with where the manifest places each segment above where its media really is, each
 * coloured by the worst problem found on it. Every text from the manifest or the media is
 * escaped: a hostile name cannot inject markup.
 *
 * @module
 */
import {
  type CheckReport,
  countBySeverity,
  type SegmentView,
  type TrackReport,
} from "./problems.ts";

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

const STYLE = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 2em; color: #222; }
h1 { font-size: 1.4em; } h2 { font-size: 1.15em; margin-top: 2em; } h3 { font-size: 1em; }
table { border-collapse: collapse; margin: .5em 0; }
th, td { border: 1px solid #ccc; padding: .25em .6em; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
td.num { text-align: right; }
code, .mono { font-family: ui-monospace, monospace; word-break: break-all; }
.error { color: #b00; font-weight: 600; } .warning { color: #a60; font-weight: 600; }
.ok { color: #270; font-weight: 600; }
svg { display: block; margin: .3em 0 1.2em; background: #fafafa; border: 1px solid #ddd; }
.legend span { display: inline-block; margin-right: 1.2em; }
.swatch { display: inline-block; width: 1em; height: .8em; vertical-align: middle; margin-right: .3em; }
`;

const FILL = { ok: "#6aa84f", warning: "#f1c232", error: "#cc0000" };
const WIDTH = 960, LEFT = 70, RIGHT = 30;

function fillOf(v: SegmentView): string {
  return v.worst ? FILL[v.worst] : FILL.ok;
}

/** A number for SVG coordinates. */
function n(x: number): string {
  return String(Math.round(x * 10) / 10);
}

/** A timeline picture of one track: the manifest's segments above the media's. */
function timeline(t: TrackReport): string {
  const spans = t.views.flatMap((v) => [v.manifest, v.media]).filter((s) => s !== undefined);
  if (spans.length === 0) return `<p>No timing to draw for this track.</p>`;
  const min = Math.min(...spans.map((s) => s.start));
  const max = Math.max(...spans.map((s) => s.start + s.duration), min + 0.001);
  const scale = (WIDTH - LEFT - RIGHT) / (max - min);
  const x = (s: number) => LEFT + (s - min) * scale;
  const rows = [{ y: 12, label: "manifest", key: "manifest" as const }, {
    y: 44,
    label: "media",
    key: "media" as const,
  }];
  const parts: string[] = [];
  for (const row of rows) {
    parts.push(`<text x="4" y="${row.y + 14}" font-size="12">${row.label}</text>`);
    for (const v of t.views) {
      const s = v[row.key];
      if (!s) {
        if (row.key === "media" && v.missing && v.manifest) {
          parts.push(
            `<rect x="${n(x(v.manifest.start))}" y="${row.y}" width="${
              n(Math.max(1, v.manifest.duration * scale))
            }" ` +
              `height="20" fill="none" stroke="${FILL.error}" stroke-dasharray="3 2">` +
              `<title>${escapeHtml(`${v.name}: missing`)}</title></rect>`,
          );
        }
        continue;
      }
      const title = `${v.name}: ${row.label} ${s.start.toFixed(3)} s + ${s.duration.toFixed(3)} s` +
        (v.worst ? ` (${v.worst})` : "");
      parts.push(
        `<rect x="${n(x(s.start))}" y="${row.y}" width="${
          n(Math.max(1, s.duration * scale - 1))
        }" height="20" ` +
          `fill="${
            row.key === "manifest" ? "#9fc5e8" : fillOf(v)
          }" stroke="#555" stroke-width="0.5">` +
          `<title>${escapeHtml(title)}</title></rect>`,
      );
    }
  }
  // Where the media starts elsewhere than the manifest says: a line joins the two starts.
  for (const v of t.views) {
    if (!v.manifest || !v.media || Math.abs(v.manifest.start - v.media.start) < 0.001) continue;
    parts.push(
      `<line x1="${n(x(v.manifest.start))}" y1="32" x2="${n(x(v.media.start))}" y2="44" ` +
        `stroke="${FILL.error}" stroke-width="1.5"/>`,
    );
  }
  const ticks = 6;
  for (let i = 0; i <= ticks; i++) {
    const s = min + (max - min) * i / ticks;
    parts.push(
      `<line x1="${n(x(s))}" y1="68" x2="${n(x(s))}" y2="72" stroke="#555"/>` +
        `<text x="${n(x(s))}" y="84" font-size="10" text-anchor="middle">${s.toFixed(2)} s</text>`,
    );
  }
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="90" viewBox="0 0 ${WIDTH} 90" ` +
    `role="img" aria-label="${escapeHtml(`timeline of ${t.id}`)}">${parts.join("")}</svg>`;
}

/**
 * The whole page.
 *
 * @example
 * ```ts
 * import type { CheckReport } from "./problems.ts";
 * declare const report: CheckReport;
 * const html = reportHtml("dash check", report);
 * await Deno.writeTextFile("report.html", html);
 * ```
 */
export function reportHtml(command: string, report: CheckReport): string {
  const { errors, warnings } = countBySeverity(report.problems);
  const e = escapeHtml;
  const verdict = errors > 0
    ? `<span class="error">${errors} error${errors === 1 ? "" : "s"}</span>`
    : `<span class="ok">no errors</span>`;
  const trackRows = report.tracks.map((t) => {
    const mine = report.problems.filter((p) => p.track === t.id);
    const c = countBySeverity(mine);
    return `<tr><td class="mono">${e(t.id)}</td><td>${
      e(t.kind)
    }</td><td class="num">${t.segments}</td>` +
      `<td class="num">${c.errors}</td><td class="num">${c.warnings}</td></tr>`;
  }).join("\n");
  const problemRows = report.problems.map((p) =>
    `<tr><td class="${p.severity}">${p.severity}</td><td class="mono">${e(p.code)}</td>` +
    `<td class="mono">${e(p.track ?? "")}</td><td class="mono">${e(p.segment ?? "")}</td>` +
    `<td>${e(p.message)}</td></tr>`
  ).join("\n");
  const pictures = report.tracks.map((t) =>
    `<section><h3>Track <code>${e(t.id)}</code> (${e(t.kind)})</h3>${timeline(t)}</section>`
  ).join("\n");
  const legend = `<p class="legend">` +
    `<span><i class="swatch" style="background:#9fc5e8"></i>where the manifest places a segment</span>` +
    `<span><i class="swatch" style="background:${FILL.ok}"></i>its media, no problem</span>` +
    `<span><i class="swatch" style="background:${FILL.warning}"></i>a warning</span>` +
    `<span><i class="swatch" style="background:${FILL.error}"></i>an error (dashed: missing)</span>` +
    `<span>a red line joins a segment's two starts where they differ</span></p>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>streamkit ${e(command)}: ${e(report.manifest)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>streamkit ${e(command)}</h1>
<p>Manifest: <code>${e(report.manifest)}</code></p>
<p>${verdict}, ${warnings} warning${
    warnings === 1 ? "" : "s"
  }; ${report.tracks.length} tracks, ${report.resources} resources checked.</p>
${report.notes.length ? `<ul>${report.notes.map((x) => `<li>${e(x)}</li>`).join("")}</ul>` : ""}
<h2>Tracks</h2>
<table>
<tr><th>Track</th><th>Kind</th><th>Segments</th><th>Errors</th><th>Warnings</th></tr>
${trackRows}
</table>
<h2>Problems</h2>
${
    report.problems.length
      ? `<table>\n<tr><th>Severity</th><th>Code</th><th>Track</th><th>Segment</th><th>Message</th></tr>\n${problemRows}\n</table>`
      : "<p>None.</p>"
  }
<h2>Timelines</h2>
${legend}
${pictures}
</body>
</html>
`;
}
