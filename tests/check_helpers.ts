/**
 * Helpers for the `dash check` / `hls check` tests: copies of fixtures to damage, a small
 * box finder of their own (independent of `src/mp4`, so a defect is placed by code the
 * checker does not share), byte patches, and a run of the CLI that returns the parsed JSON.
 *
 * @module
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { copyTree, FIXTURES, runCli, scratchDir } from "./cli_helpers.ts";

/** One problem as `--json` prints it. */
export interface JsonProblem {
  severity: "error" | "warning";
  code: string;
  track: string | null;
  segment: string | null;
  message: string;
}

/** The `--json` report. */
export interface JsonReport {
  manifest: string;
  tracks: { id: string; kind: string; segments: number }[];
  problems: JsonProblem[];
}

/** A fresh copy of a fixture folder (removed when the test process ends). */
export async function copyFixture(folder: string): Promise<string> {
  const dir = join(await scratchDir(), folder.replaceAll("/", "_"));
  await copyTree(join(FIXTURES, folder), dir);
  return dir;
}

/** Runs `streamkit <args> --json -q` and returns the exit code, the report and stderr. */
export async function checkJson(
  args: string[],
  cwd?: string,
): Promise<{ code: number; report: JsonReport; stderr: string }> {
  const r = await runCli([...args, "--json", "-q"], cwd ? { cwd } : {});
  let report: JsonReport;
  try {
    report = JSON.parse(r.stdout);
  } catch {
    throw new Error(`no JSON on stdout (exit ${r.code}): ${r.stdout}\n${r.stderr}`);
  }
  return { code: r.code, report, stderr: r.stderr };
}

/** Asserts a report has no problem at all. */
export function assertClean(report: JsonReport, label: string): void {
  assert.deepEqual(report.problems, [], `${label}: ${JSON.stringify(report.problems, null, 2)}`);
}

/**
 * Asserts that every problem is on `track` and `segment`, that there is at least one, and that
 * `code` is among them (with `severity`).
 */
export function assertOnlyOn(
  report: JsonReport,
  expected: { code: string; track: string; segment: string | null; severity?: "error" | "warning" },
): void {
  const shown = JSON.stringify(report.problems, null, 2);
  assert.ok(report.problems.length > 0, `no problem found; expected ${expected.code}`);
  for (const p of report.problems) {
    assert.equal(p.track, expected.track, `a problem on another track: ${shown}`);
    assert.equal(p.segment, expected.segment, `a problem on another segment: ${shown}`);
  }
  assert.ok(
    report.problems.some((p) =>
      p.code === expected.code && p.severity === (expected.severity ?? "error")
    ),
    `no ${expected.severity ?? "error"} ${expected.code}: ${shown}`,
  );
}

/** A box found by {@link findBox}: where it starts, its size, and where its payload starts. */
export interface FoundBox {
  offset: number;
  size: number;
  payload: number;
}

const CONTAINERS = new Set([
  "moov",
  "trak",
  "mdia",
  "minf",
  "stbl",
  "moof",
  "traf",
  "mvex",
  "edts",
]);

/**
 * Finds the first box at `path` (`["moof", "traf", "tfdt"]`) in MP4 bytes: a plain walk over
 * 32-bit box headers, descending only into the containers named.
 */
export function findBox(bytes: Uint8Array, path: string[], from = 0, to = bytes.length): FoundBox {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let pos = from;
  while (pos + 8 <= to) {
    const size = view.getUint32(pos);
    const type = String.fromCharCode(...bytes.subarray(pos + 4, pos + 8));
    if (size < 8) break;
    if (type === path[0]) {
      if (path.length === 1) return { offset: pos, size, payload: pos + 8 };
      assert.ok(CONTAINERS.has(type), `${type} is not a container`);
      return findBox(bytes, path.slice(1), pos + 8, pos + size);
    }
    pos += size;
  }
  throw new Error(`no box ${path.join("/")}`);
}

/** Reads a big-endian 32-bit value. */
export function getU32(bytes: Uint8Array, offset: number): number {
  return new DataView(bytes.buffer, bytes.byteOffset).getUint32(offset);
}

/** Writes a big-endian 32-bit value. */
export function setU32(bytes: Uint8Array, offset: number, value: number): void {
  new DataView(bytes.buffer, bytes.byteOffset).setUint32(offset, value);
}

/** Patches a file in place. */
export async function patchFile(path: string, patch: (bytes: Uint8Array) => void): Promise<void> {
  const bytes = await Deno.readFile(path);
  patch(bytes);
  await Deno.writeFile(path, bytes);
}

/** Replaces text in a file once; fails when the text is not there. */
export async function replaceText(path: string, from: string, to: string): Promise<void> {
  const text = await Deno.readTextFile(path);
  assert.ok(text.includes(from), `${path} does not contain ${from}`);
  await Deno.writeTextFile(path, text.replace(from, to));
}

/** The full-box version of a box (the byte after its header). */
export function versionOf(bytes: Uint8Array, box: FoundBox): number {
  return bytes[box.payload];
}
