/**
 * The differential corpus run: every file under the given folders is dumped by Bento4's
 * `mp4dump` and by streamkit's built-in dumper in all five modes (`--verbosity 0..3` text and
 * `--verbosity 3 --format json`); the script prints, per mode and per source (the first folder
 * level under a root), the share of files whose stdout is byte-identical, lists the files that
 * differ with their first differing line, and lists separately the files on which mp4dump
 * itself fails (a crash, a time-out, runaway output).
 *
 * Run: `deno run -A bench/mp4_corpus.ts [--mp4dump PATH] [--cache DIR] [--jobs N] DIR...`
 *
 * mp4dump's outputs are cached in `--cache` (default `$TMPDIR/streamkit-mp4dump-cache`) by
 * file size, mtime and path, so a second run only runs the built-in dumper.
 *
 * @module
 */
import { join, relative } from "node:path";
import { type DumpOptions, dumpSource } from "../src/mp4/dump.ts";
import { FileSource } from "../src/mp4/reader.ts";
import { byteStringToBytes } from "../src/mp4/format.ts";

/** One of the five ways of dumping. */
interface Mode {
  name: string;
  args: string[];
  options: DumpOptions;
}

const MODES: Mode[] = [0, 1, 2, 3].map((v) => ({
  name: `v${v}`,
  args: ["--verbosity", String(v)],
  options: { verbosity: v as DumpOptions["verbosity"], format: "text", encoding: "bytes" },
}));
MODES.push({
  name: "json",
  args: ["--verbosity", "3", "--format", "json"],
  options: { verbosity: 3, format: "json", encoding: "bytes" },
});

/** mp4dump's stdout on one file in one mode, or why there is none. */
type Reference = { out: Uint8Array } | { failure: string };

const TIMEOUT_MS = 30_000;
const MAX_OUTPUT = 256 << 20;

function parseArgs(args: string[]) {
  const out = {
    mp4dump: "/work/tools/bento4/bin/mp4dump",
    cache: join(Deno.env.get("TMPDIR") ?? "/tmp", "streamkit-mp4dump-cache"),
    jobs: 2,
    roots: [] as string[],
    quiet: false,
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === "--mp4dump") out.mp4dump = args[++i];
    else if (a === "--cache") out.cache = args[++i];
    else if (a === "--jobs") out.jobs = Number(args[++i]);
    else if (a === "--quiet") out.quiet = true;
    else out.roots.push(a);
  }
  return out;
}

/** Every regular file under `root`, sorted. */
function filesUnder(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of Deno.readDirSync(dir)) {
      const p = join(dir, e.name);
      if (e.isDirectory) walk(p);
      else if (e.isFile) out.push(p);
    }
  };
  walk(root);
  return out.sort();
}

async function hashText(s: string): Promise<string> {
  const d = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(s));
  return Array.from(new Uint8Array(d).subarray(0, 12), (b) => b.toString(16).padStart(2, "0"))
    .join("");
}

/** Runs mp4dump (or reads its cached output). */
async function reference(
  program: string,
  cache: string,
  path: string,
  mode: Mode,
): Promise<Reference> {
  const st = Deno.statSync(path);
  const key = await hashText(`${path}\0${st.size}\0${st.mtime?.getTime()}\0${mode.name}`);
  const cached = join(cache, key);
  try {
    const data = Deno.readFileSync(cached);
    if (data[0] === 0) return { out: data.subarray(1) };
    return { failure: new TextDecoder().decode(data.subarray(1)) };
  } catch {
    // not cached yet
  }
  const child = new Deno.Command(program, {
    args: [...mode.args, path],
    stdout: "piped",
    stderr: "null",
    stdin: "null",
  }).spawn();
  const timer = setTimeout(() => child.kill("SIGKILL"), TIMEOUT_MS);
  const chunks: Uint8Array[] = [];
  let size = 0, runaway = false;
  for await (const chunk of child.stdout) {
    size += chunk.length;
    if (size > MAX_OUTPUT) {
      runaway = true;
      child.kill("SIGKILL");
      break;
    }
    chunks.push(chunk);
  }
  const status = await child.status;
  clearTimeout(timer);
  let result: Reference;
  if (runaway) result = { failure: `runaway output (more than ${MAX_OUTPUT >> 20} MiB)` };
  else if (status.signal) result = { failure: `killed by ${status.signal}` };
  else if (status.code !== 0) result = { failure: `exit code ${status.code}` };
  else {
    const out = new Uint8Array(size);
    let at = 0;
    for (const c of chunks) {
      out.set(c, at);
      at += c.length;
    }
    result = { out };
  }
  const head = new Uint8Array([("out" in result) ? 0 : 1]);
  const body = "out" in result ? result.out : new TextEncoder().encode(result.failure);
  const file = new Uint8Array(1 + body.length);
  file.set(head);
  file.set(body, 1);
  Deno.writeFileSync(cached, file);
  return result;
}

/** The built-in dumper's stdout on one file in one mode, and whether it named damage. */
async function builtin(path: string, mode: Mode): Promise<{ out: Uint8Array; damaged: boolean }> {
  const parts: string[] = [];
  let size = 0;
  const src = await FileSource.open(path);
  try {
    const { problems } = await dumpSource(src, (t) => {
      size += t.length;
      if (size > MAX_OUTPUT) throw new RunawayOutput();
      parts.push(t);
    }, mode.options);
    return { out: byteStringToBytes(parts.join("")), damaged: problems.length > 0 };
  } catch (err) {
    if (!(err instanceof RunawayOutput)) throw err;
    return { out: new TextEncoder().encode("<runaway output>\n"), damaged: true };
  } finally {
    src.close();
  }
}

class RunawayOutput extends Error {}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The first line where two outputs differ, both sides shown. */
function firstDifference(ref: Uint8Array, ours: Uint8Array): string {
  const d = new TextDecoder("latin1");
  const a = d.decode(ref).split("\n"), b = d.decode(ours).split("\n");
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (a[i] !== b[i]) {
      const cut = (s: string | undefined) =>
        s === undefined ? "<end>" : JSON.stringify(s.length > 120 ? s.slice(0, 120) + "…" : s);
      return `line ${i + 1}: mp4dump ${cut(a[i])} / streamkit ${cut(b[i])}`;
    }
  }
  return "same lines";
}

/**
 * Fields mp4dump prints from memory it never wrote (a `colr` whose payload is not 10 or 11
 * bytes, an ICC profile: Bento4 leaves its fields uninitialized): no dumper can match them.
 */
const UNDEFINED_FIELDS =
  /^\s*"?(Colour Parameter Type:|Primaries Index:|Transfer Funcion Index:|Matrix Index:)"?( =|:) /;

/** Whether the outputs differ only in fields mp4dump prints uninitialized. */
function differsOnlyInUndefined(ref: Uint8Array, ours: Uint8Array): boolean {
  const d = new TextDecoder("latin1");
  const a = d.decode(ref).split("\n"), b = d.decode(ours).split("\n");
  if (a.length !== b.length) return false;
  return a.every((line, i) =>
    line === b[i] || (UNDEFINED_FIELDS.test(line) && UNDEFINED_FIELDS.test(b[i]))
  );
}

interface Outcome {
  path: string;
  source: string;
  mode: string;
  kind: "identical" | "different" | "mp4dump-fails" | "mp4dump-undefined";
  damaged: boolean;
  detail?: string;
}

async function main(): Promise<void> {
  const opts = parseArgs(Deno.args);
  if (opts.roots.length === 0) {
    console.error("usage: mp4_corpus.ts [--mp4dump PATH] [--cache DIR] [--jobs N] DIR...");
    Deno.exit(2);
  }
  Deno.mkdirSync(opts.cache, { recursive: true });
  const jobs: { path: string; source: string }[] = [];
  for (const root of opts.roots) {
    for (const path of filesUnder(root)) {
      const rel = relative(root, path);
      const source = rel.includes("/") ? rel.slice(0, rel.indexOf("/")) : root;
      jobs.push({ path, source });
    }
  }
  const outcomes: Outcome[] = [];
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const job = jobs[next++];
      if (Deno.env.get("CORPUS_TRACE")) console.error(job.path);
      for (const mode of MODES) {
        const ref = await reference(opts.mp4dump, opts.cache, job.path, mode);
        const ours = await builtin(job.path, mode);
        if ("failure" in ref) {
          outcomes.push({
            ...job,
            mode: mode.name,
            kind: "mp4dump-fails",
            damaged: ours.damaged,
            detail: ref.failure,
          });
        } else if (equal(ref.out, ours.out)) {
          outcomes.push({ ...job, mode: mode.name, kind: "identical", damaged: ours.damaged });
        } else if (differsOnlyInUndefined(ref.out, ours.out)) {
          outcomes.push({
            ...job,
            mode: mode.name,
            kind: "mp4dump-undefined",
            damaged: ours.damaged,
            detail: firstDifference(ref.out, ours.out),
          });
        } else {
          outcomes.push({
            ...job,
            mode: mode.name,
            kind: "different",
            damaged: ours.damaged,
            detail: firstDifference(ref.out, ours.out),
          });
        }
      }
    }
  };
  await Promise.all(Array.from({ length: opts.jobs }, worker));
  report(outcomes, jobs.length, opts.quiet);
}

function report(outcomes: Outcome[], files: number, quiet: boolean): void {
  const sources = [...new Set(outcomes.map((o) => o.source))].sort();
  console.log(`mp4 dump differential corpus: ${files} files, ${sources.length} sources\n`);
  console.log(
    "per mode (identical / compared; not compared: files where mp4dump fails or prints " +
      "uninitialized memory)",
  );
  for (const mode of MODES) {
    const of = outcomes.filter((o) => o.mode === mode.name);
    const same = of.filter((o) => o.kind === "identical").length;
    const compared = of.filter((o) => o.kind === "identical" || o.kind === "different").length;
    const pct = compared ? ((100 * same) / compared).toFixed(1) : "-";
    console.log(`  ${mode.name.padEnd(5)} ${same} / ${compared}  (${pct} %)`);
  }
  console.log("\nper source (files identical in all five modes / files)");
  for (const s of sources) {
    const byFile = new Map<string, boolean>();
    for (const o of outcomes.filter((x) => x.source === s)) {
      byFile.set(o.path, (byFile.get(o.path) ?? true) && o.kind === "identical");
    }
    const all = [...byFile.values()];
    console.log(`  ${s.padEnd(40)} ${all.filter(Boolean).length} / ${all.length}`);
  }
  const damaged = new Set(outcomes.filter((o) => o.damaged).map((o) => o.path));
  console.log(`\nfiles the built-in dumper names as damaged (exit 1): ${damaged.size}`);
  const fails = outcomes.filter((o) => o.kind === "mp4dump-fails");
  if (fails.length) {
    console.log(`\nmp4dump itself fails (${new Set(fails.map((f) => f.path)).size} files):`);
    for (const f of fails) console.log(`  ${f.mode.padEnd(5)} ${f.path}: ${f.detail}`);
  }
  const undef = outcomes.filter((o) => o.kind === "mp4dump-undefined");
  if (undef.length) {
    console.log(
      `\nmp4dump prints uninitialized memory (${new Set(undef.map((f) => f.path)).size} files):`,
    );
    for (const f of undef) console.log(`  ${f.mode.padEnd(5)} ${f.path}: ${f.detail}`);
  }
  const diffs = outcomes.filter((o) => o.kind === "different");
  console.log(
    `\ndiffering (${new Set(diffs.map((d) => d.path)).size} files, ${diffs.length} runs)`,
  );
  if (!quiet) {
    for (const d of diffs) console.log(`  ${d.mode.padEnd(5)} ${d.path}\n        ${d.detail}`);
  }
}

await main();
