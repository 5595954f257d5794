/**
 * Memory: the peak resident set size of `streamkit dash get` as the work grows, in segment
 * count (1,000, 10,000 and 100,000 tiny segments, bench/make_stream.ts `scale`) and in segment
 * size (three 2 GB segments, `huge`), at N = 16 (and 4 for the big segments), beside aria2c on
 * the same URL list. It must stay flat: no body is ever held whole, and per-segment state must
 * not pile up. Targets: under 150 MiB everywhere, and less than 30 MiB of growth from 1,000 to
 * 100,000 segments.
 *
 * The peak RSS is GNU time's `%M` for the `deno` process (or `VmHWM` polled from /proc when
 * /usr/bin/time is missing). Each run's output is checked against the served files (every
 * file byte for byte for the small segments; for the 2 GB ones, the size and 64 spread 1 MiB
 * windows of each). streamkit runs with `-q`, as aria2c with `-q`.
 *
 * Run: `deno run -A bench/memory_bench.ts [--counts 1000,10000,100000] [--no-huge]`
 *
 * @module
 */
import { join } from "node:path";
import {
  aria2cGet,
  CACHE,
  exists,
  listArg,
  markdownTable,
  mib,
  planForPeers,
  type PlanJson,
  secs,
  sourceOf,
  startServerProcess,
  streamkitGet,
  timeCommand,
  which,
} from "./common.ts";
import {
  type BenchStream,
  ensureHugeSegmentStream,
  ensureScaleStream,
  HUGE_SEGMENT_BYTES,
  SCALE_COUNTS,
} from "./make_stream.ts";

/** The RSS target, bytes. */
export const RSS_TARGET = 150 * 1024 * 1024;

/** The largest growth of peak RSS from the fewest to the most segments, bytes. */
export const GROWTH_TARGET = 30 * 1024 * 1024;

/** One measured run. */
export interface MemoryRow {
  stream: string;
  /** Segments of the stream (for the growth). */
  segments: number;
  threads: number;
  tool: string;
  peakRss: number;
  seconds: number;
}

/** What the benchmark measured. */
export interface MemoryBenchResult {
  rows: MemoryRow[];
  notes: string[];
  markdown: string;
}

/** Whether `a` and `b` have the same size and the same bytes in 64 spread 1 MiB windows. */
function sampledSame(a: string, b: string): boolean {
  const size = Deno.statSync(a).size;
  if (size !== Deno.statSync(b).size) return false;
  using fa = Deno.openSync(a);
  using fb = Deno.openSync(b);
  const window = Math.min(size, 1 << 20);
  const ba = new Uint8Array(window), bb = new Uint8Array(window);
  for (let k = 0; k < 64; k++) {
    const at = Math.floor(((size - window) * k) / 63);
    for (const [f, buf] of [[fa, ba], [fb, bb]] as const) {
      f.seekSync(at, Deno.SeekMode.Start);
      for (let got = 0; got < window;) got += f.readSync(buf.subarray(got)) ?? window;
    }
    for (let i = 0; i < window; i++) if (ba[i] !== bb[i]) return false;
  }
  return true;
}

/** Checks every planned item in `out` against the served file. */
function verify(plan: PlanJson, root: string, out: string, sampled: boolean): string | undefined {
  for (const item of plan.items) {
    const got = join(out, item.path);
    const want = sourceOf(root, item.url);
    try {
      if (sampled) {
        if (!sampledSame(got, want)) return `${item.path} differs`;
        continue;
      }
      const a = Deno.readFileSync(got), b = Deno.readFileSync(want);
      if (a.length !== b.length || a.some((x, i) => x !== b[i])) return `${item.path} differs`;
    } catch {
      return `missing ${item.path}`;
    }
  }
  return undefined;
}

/** A stream measured here: its name, files, manifest, segment count, N values. */
interface MemoryCase {
  name: string;
  stream: BenchStream;
  manifest: string;
  segments: number;
  threads: number[];
  sampled: boolean;
}

/** Runs the memory benchmark. */
export async function runMemoryBench(
  options: { counts?: number[]; huge?: boolean } = {},
): Promise<MemoryBenchResult> {
  const notes: string[] = [];
  const counts = options.counts ?? [...SCALE_COUNTS];
  const cases: MemoryCase[] = [];
  const scale = await ensureScaleStream();
  for (const count of counts) {
    cases.push({
      name: `${count.toLocaleString("en-US")} tiny segments`,
      stream: scale,
      manifest: scale.manifests[`dash-${count}`],
      segments: count,
      threads: [16],
      sampled: false,
    });
  }
  if (options.huge ?? true) {
    const huge = await ensureHugeSegmentStream();
    cases.push({
      name: `3 × ${HUGE_SEGMENT_BYTES / 1e9} GB segments`,
      stream: huge,
      manifest: huge.manifests.dash,
      segments: 3,
      threads: [4, 16],
      sampled: true,
    });
  }
  const hasAria = (await which("aria2c")) !== undefined;
  if (!hasAria) notes.push("aria2c not found: no reference rows");
  if (!(await exists("/usr/bin/time"))) notes.push("/usr/bin/time missing: RSS from /proc VmHWM");
  const rows: MemoryRow[] = [];
  const out = join(CACHE, "out", "memory");
  for (const c of cases) {
    await using server = await startServerProcess(c.stream.root, 0);
    const url = new URL(c.manifest, server.url).href;
    const list = join(CACHE, "aria2-memory.txt");
    const plan = await planForPeers("dash", url, list);
    for (const n of c.threads) {
      const runs: [string, string[]][] = [["streamkit", streamkitGet("dash", url, out, n)]];
      if (hasAria) runs.push(["aria2c", aria2cGet(list, out, n)]);
      for (const [tool, argv] of runs) {
        await Deno.remove(out, { recursive: true }).catch(() => {});
        await Deno.mkdir(out, { recursive: true });
        const r = await timeCommand(argv[0], argv.slice(1), { rss: true });
        if (r.code !== 0) throw new Error(`${argv.join(" ")} exited ${r.code}: ${r.stderr}`);
        const wrong = verify(plan, c.stream.root, out, c.sampled);
        if (wrong) throw new Error(`${tool} on ${c.name}: wrong output: ${wrong}`);
        rows.push({
          stream: c.name,
          segments: c.segments,
          threads: n,
          tool,
          peakRss: r.peakRss ?? NaN,
          seconds: r.seconds,
        });
        console.error(`${c.name} N=${n} ${tool}: ${mib(r.peakRss ?? NaN)} MiB peak RSS`);
      }
    }
  }
  await Deno.remove(out, { recursive: true }).catch(() => {});
  const own = rows.filter((r) => r.tool === "streamkit" && r.threads === 16 && r.segments > 3)
    .sort((a, b) => a.segments - b.segments);
  const growth = memoryGrowth(rows);
  const table = markdownTable(
    ["stream", "N", "tool", "peak RSS MiB", "target", "time s"],
    rows.map((r) => [
      r.stream,
      String(r.threads),
      r.tool,
      mib(r.peakRss),
      r.tool === "streamkit" ? (r.peakRss < RSS_TARGET ? "< 150 MiB: met" : "MISSED") : "",
      secs(r.seconds),
    ]),
  );
  if (growth !== undefined) {
    notes.unshift(
      `streamkit's peak RSS grows ${mib(growth)} MiB from ${own[0].stream} to ` +
        `${own[own.length - 1].stream} (target < 30 MiB: ${
          growth < GROWTH_TARGET ? "met" : "MISSED"
        })`,
    );
  }
  const markdown = [
    "### Memory (peak RSS of the whole process, `dash get`, one run each)",
    "",
    table,
    "",
    ...notes.map((n) => `- ${n}`),
  ].join("\n");
  return { rows, notes, markdown };
}

/** The growth of streamkit's peak RSS from the fewest to the most small segments. */
export function memoryGrowth(rows: MemoryRow[]): number | undefined {
  const own = rows.filter((r) => r.tool === "streamkit" && r.threads === 16 && r.segments > 3)
    .sort((a, b) => a.segments - b.segments);
  return own.length >= 2 ? own[own.length - 1].peakRss - own[0].peakRss : undefined;
}

if (import.meta.main) {
  const result = await runMemoryBench({
    counts: listArg(Deno.args, "--counts", [...SCALE_COUNTS]),
    huge: !Deno.args.includes("--no-huge"),
  });
  console.log(result.markdown);
}
