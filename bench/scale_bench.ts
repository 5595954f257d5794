/**
 * Cost that stays flat as the work grows: `streamkit dash get` and `hls get` of one
 * Representation (or media playlist) of 1,000, 10,000 and 100,000 tiny segments (256–1,279
 * bytes, 1-s segments, bench/make_stream.ts `scale`) at `-t 16` over loopback, beside
 * `aria2c -j 16` fed the same URL list, in one run: wall time (spawn to exit), its ratio to
 * aria2c's, peak RSS, and the growth of streamkit's peak RSS from 1,000 to 100,000 segments.
 *
 * Targets (issue 20): at 100,000 segments, wall time at most 1.0× aria2c's and peak RSS under
 * 150 MiB, for DASH and HLS; peak RSS growing less than 30 MiB from 1,000 to 100,000.
 *
 * How:
 * - the server is tests/server.ts in its own process (0 ms added latency), serving `scale/`;
 * - `streamkit` is `deno run -A main.ts <dash|hls> get URL -o OUT -t 16 -q` (quiet, as
 *   aria2c's `-q`); `aria2c` is `aria2c -q -j 16 -x 1 --auto-save-interval=0
 *   --file-allocation=none -i LIST -d OUT`, LIST holding the manifest and every resource of
 *   streamkit's own `--dry-run --json` plan with `out=` set to streamkit's path;
 * - each (stream, count) runs `--rounds` times per tool, the order alternating every round;
 *   tables show medians and every run; peak RSS is GNU time's `%M`;
 * - every run's output is checked before its time counts: every planned file must equal the
 *   served one byte for byte, and nothing partial may be left;
 * - OUT is on the same disk as the repository (`.bench/out/scale`), or on tmpfs with `--tmpfs`
 *   (`/dev/shm`), which takes the disk's metadata costs out of both.
 *
 * Run: `deno run -A bench/scale_bench.ts [--rounds 3] [--counts 1000,10000,100000]
 *   [--streams dash,hls] [--tmpfs]`
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
  median,
  mib,
  numberArg,
  planForPeers,
  type PlanJson,
  ratio,
  secs,
  sourceOf,
  startServerProcess,
  streamkitGet,
  timeCommand,
  which,
} from "./common.ts";
import { ensureScaleStream, SCALE_COUNTS } from "./make_stream.ts";

/** The peak RSS target, bytes. */
export const SCALE_RSS_TARGET = 150 * 1024 * 1024;

/** The largest growth of peak RSS from the fewest to the most segments, bytes. */
export const SCALE_GROWTH_TARGET = 30 * 1024 * 1024;

/** Parallel downloads. */
const THREADS = 16;

/** Which manifest format a case mirrors. */
export type ScaleStream = "dash" | "hls";

/** One (stream, count, tool) case, every round. */
export interface ScaleRow {
  stream: ScaleStream;
  count: number;
  tool: string;
  /** Seconds of every run. */
  runs: number[];
  /** Peak RSS of every run, bytes. */
  rss: number[];
  median: number;
  medianRss: number;
}

/** What the benchmark measured. */
export interface ScaleBenchResult {
  rows: ScaleRow[];
  notes: string[];
  markdown: string;
}

/** Every planned item is in `out` and equals the served file; nothing partial is left. */
function verify(plan: PlanJson, root: string, out: string): string | undefined {
  for (const item of plan.items) {
    let got: Uint8Array;
    try {
      got = Deno.readFileSync(join(out, item.path));
    } catch {
      return `missing ${item.path}`;
    }
    const want = Deno.readFileSync(sourceOf(root, item.url));
    if (got.length !== want.length || got.some((b, i) => b !== want[i])) {
      return `${item.path} differs`;
    }
  }
  for (const m of plan.manifests) {
    try {
      Deno.statSync(join(out, m.path));
    } catch {
      return `missing ${m.path}`;
    }
  }
  for (const dir of [join(out, ".streamkit", "partial"), out]) {
    try {
      for (const e of Deno.readDirSync(dir)) {
        if (dir !== out || e.name.endsWith(".aria2")) return `left ${e.name} in ${dir}`;
      }
    } catch {
      // no such folder: nothing left
    }
  }
  return undefined;
}

/** Runs the scale benchmark. */
export async function runScaleBench(
  options: { rounds?: number; counts?: number[]; streams?: ScaleStream[]; tmpfs?: boolean } = {},
): Promise<ScaleBenchResult> {
  const rounds = options.rounds ?? 3;
  const counts = options.counts ?? [...SCALE_COUNTS];
  const streams = options.streams ?? ["dash", "hls"];
  const notes: string[] = [];
  const stream = await ensureScaleStream();
  const hasAria = (await which("aria2c")) !== undefined;
  if (!hasAria) notes.push("aria2c not found (apt-get install -y aria2): no ratios");
  if (!(await exists("/usr/bin/time"))) notes.push("/usr/bin/time missing: RSS from /proc VmHWM");
  const out = options.tmpfs ? "/dev/shm/streamkit-bench-scale" : join(CACHE, "out", "scale");
  notes.push(`output folder: ${options.tmpfs ? "tmpfs (/dev/shm)" : "the repository's disk"}`);
  const rows: ScaleRow[] = [];
  const server = await startServerProcess(stream.root, 0);
  try {
    for (const kind of streams) {
      for (const count of counts) {
        const url = new URL(stream.manifests[`${kind}-${count}`], server.url).href;
        const list = join(CACHE, `aria2-scale-${kind}-${count}.txt`);
        const plan = await planForPeers(kind, url, list);
        const tools: [string, string[]][] = [["streamkit", streamkitGet(kind, url, out, THREADS)]];
        if (hasAria) tools.push(["aria2c", aria2cGet(list, out, THREADS)]);
        const caseRows = tools.map(([tool]) => ({
          stream: kind,
          count,
          tool,
          runs: [] as number[],
          rss: [] as number[],
          median: NaN,
          medianRss: NaN,
        }));
        for (let round = 0; round < rounds; round++) {
          for (let k = 0; k < tools.length; k++) {
            const i = (k + round) % tools.length;
            const [tool, argv] = tools[i];
            await Deno.remove(out, { recursive: true }).catch(() => {});
            await Deno.mkdir(out, { recursive: true });
            const r = await timeCommand(argv[0], argv.slice(1), { rss: true });
            if (r.code !== 0) throw new Error(`${argv.join(" ")} exited ${r.code}: ${r.stderr}`);
            const wrong = verify(plan, stream.root, out);
            if (wrong) throw new Error(`${tool}, ${kind} ${count}: wrong output: ${wrong}`);
            caseRows[i].runs.push(r.seconds);
            caseRows[i].rss.push(r.peakRss ?? NaN);
            console.error(
              `${kind} ${count} ${tool}: ${secs(r.seconds)} s, ${mib(r.peakRss ?? NaN)} MiB`,
            );
          }
        }
        for (const row of caseRows) {
          row.median = median(row.runs);
          row.medianRss = median(row.rss);
          rows.push(row);
        }
      }
    }
  } finally {
    await server.close();
    await Deno.remove(out, { recursive: true }).catch(() => {});
  }
  return { rows, notes, markdown: report(rows, notes, rounds, options.tmpfs ? "tmpfs" : "disk") };
}

/** The rows of `rows` for streamkit with their aria2c counterparts. */
function pairs(rows: ScaleRow[]): [ScaleRow, ScaleRow | undefined][] {
  return rows.filter((r) => r.tool === "streamkit").map((r) => [
    r,
    rows.find((a) => a.tool === "aria2c" && a.stream === r.stream && a.count === r.count),
  ]);
}

/** streamkit's growth of peak RSS from the fewest to the most segments, per stream. */
export function rssGrowth(
  rows: ScaleRow[],
): { stream: ScaleStream; from: ScaleRow; to: ScaleRow }[] {
  const out: { stream: ScaleStream; from: ScaleRow; to: ScaleRow }[] = [];
  for (const stream of ["dash", "hls"] as const) {
    const own = rows.filter((r) => r.tool === "streamkit" && r.stream === stream)
      .sort((a, b) => a.count - b.count);
    if (own.length >= 2) out.push({ stream, from: own[0], to: own[own.length - 1] });
  }
  return out;
}

function report(rows: ScaleRow[], notes: string[], rounds: number, where: string): string {
  const table = markdownTable(
    ["stream", "segments", "tool", "median s", "× aria2c", "peak RSS MiB", "runs s", "runs MiB"],
    rows.map((r) => {
      const aria = rows.find((a) =>
        a.tool === "aria2c" && a.stream === r.stream && a.count === r.count
      );
      return [
        r.stream,
        r.count.toLocaleString("en-US"),
        r.tool,
        secs(r.median),
        ratio(r.median, aria?.median),
        mib(r.medianRss),
        r.runs.map(secs).join(" "),
        r.rss.map(mib).join(" "),
      ];
    }),
  );
  const targets: string[][] = [];
  for (const [r, aria] of pairs(rows)) {
    if (r.count !== Math.max(...rows.map((x) => x.count))) continue;
    targets.push([
      `${r.stream} get, ${r.count.toLocaleString("en-US")} segments, wall time`,
      `${secs(r.median)} s`,
      aria ? `× aria2c ${ratio(r.median, aria.median)} (≤ 1.0)` : "no aria2c",
      aria ? (r.median <= aria.median ? "met" : "MISSED") : "",
    ]);
    targets.push([
      `${r.stream} get, ${r.count.toLocaleString("en-US")} segments, peak RSS`,
      `${mib(r.medianRss)} MiB`,
      "< 150 MiB",
      r.medianRss < SCALE_RSS_TARGET ? "met" : "MISSED",
    ]);
  }
  for (const g of rssGrowth(rows)) {
    const growth = g.to.medianRss - g.from.medianRss;
    targets.push([
      `${g.stream} get, peak RSS growth ${g.from.count.toLocaleString("en-US")} → ` +
      `${g.to.count.toLocaleString("en-US")} segments`,
      `${mib(growth)} MiB`,
      "< 30 MiB",
      growth < SCALE_GROWTH_TARGET ? "met" : "MISSED",
    ]);
  }
  return [
    `### Many segments: 1,000 to 100,000 at -t ${THREADS}, output on ${where} ` +
    `(median of ${rounds}, alternating)`,
    "",
    markdownTable(["case", "streamkit", "target", "met"], targets),
    "",
    table,
    "",
    ...notes.map((n) => `- ${n}`),
  ].join("\n");
}

if (import.meta.main) {
  const i = Deno.args.indexOf("--streams");
  const result = await runScaleBench({
    rounds: numberArg(Deno.args, "--rounds", 3),
    counts: listArg(Deno.args, "--counts", [...SCALE_COUNTS]),
    streams: i >= 0 ? (Deno.args[i + 1].split(",") as ScaleStream[]) : undefined,
    tmpfs: Deno.args.includes("--tmpfs"),
  });
  console.log(result.markdown);
}
