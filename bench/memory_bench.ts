/**
 * Memory: the peak resident set size of `streamkit dash get` on a stream of three 200 MB
 * segments and on one of 10,000 small segments (bench/make_stream.ts), at N = 4 and 16.
 * It must stay flat: no body is ever held whole, and per-segment state must not pile up.
 *
 * The peak RSS is GNU time's `%M` for the `deno` process (or `VmHWM` polled from /proc when
 * /usr/bin/time is missing). Each run's output is checked against the served files. aria2c
 * on the same URL list is shown for reference when it is installed.
 *
 * Run: `deno run -A bench/memory_bench.ts [--threads 4,16]`
 *
 * @module
 */
import { join } from "node:path";
import {
  CACHE,
  exists,
  listArg,
  markdownTable,
  mib,
  REPO,
  sameFile,
  secs,
  startServerProcess,
  timeCommand,
  which,
} from "./common.ts";
import {
  type BenchStream,
  ensureBigSegmentStream,
  ensureManySegmentStream,
} from "./make_stream.ts";

/** The RSS target, bytes. */
export const RSS_TARGET = 150 * 1024 * 1024;

/** One measured run. */
export interface MemoryRow {
  stream: string;
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

interface PlanJson {
  manifests: { url: string; path: string }[];
  items: { url: string; path: string }[];
}

const DENO = Deno.execPath();

/** Checks every planned item in `out` against the served file. */
async function verify(plan: PlanJson, root: string, out: string): Promise<string | undefined> {
  for (const item of plan.items) {
    const got = join(out, item.path);
    const want = join(root, decodeURIComponent(new URL(item.url).pathname).replace(/^\/+/, ""));
    if (!(await exists(got))) return `missing ${item.path}`;
    if (!(await sameFile(got, want))) return `${item.path} differs`;
  }
  return undefined;
}

/** Runs the memory benchmark. */
export async function runMemoryBench(
  options: { threads?: number[] } = {},
): Promise<MemoryBenchResult> {
  const threads = options.threads ?? [4, 16];
  const notes: string[] = [];
  const streams: [string, BenchStream][] = [
    ["3 × 200 MB segments", await ensureBigSegmentStream()],
    ["10,000 small segments", await ensureManySegmentStream()],
  ];
  const hasAria = (await which("aria2c")) !== undefined;
  if (!hasAria) notes.push("aria2c not found: no reference row");
  if (!(await exists("/usr/bin/time"))) notes.push("/usr/bin/time missing: RSS from /proc VmHWM");
  const rows: MemoryRow[] = [];
  const out = join(CACHE, "out", "memory");
  const server = await startServerProcess(CACHE, 0);
  try {
    for (const [name, stream] of streams) {
      const url = new URL(
        `${stream.root.slice(CACHE.length + 1)}/${stream.manifests.dash}`,
        server.url,
      ).href;
      const dry = await timeCommand(
        DENO,
        ["run", "-A", join(REPO, "main.ts"), "dash", "get", url, "--dry-run", "--json"],
        { captureStdout: true },
      );
      if (dry.code !== 0) throw new Error(`dash get --dry-run failed: ${dry.stderr}`);
      const plan = JSON.parse(dry.stdout!) as PlanJson;
      const list = join(CACHE, "aria2-memory.txt");
      await Deno.writeTextFile(
        list,
        [...plan.manifests, ...plan.items].map((e) => `${e.url}\n  out=${e.path}\n`).join(""),
      );
      for (const n of threads) {
        const runs: [string, string[]][] = [[
          "streamkit",
          [DENO, "run", "-A", join(REPO, "main.ts"), "dash", "get", url, "-o", out, "-t", `${n}`],
        ]];
        if (hasAria) {
          runs.push(["aria2c", [
            "aria2c",
            "-q",
            "-j",
            `${n}`,
            "-x",
            "1",
            "--auto-save-interval=0",
            "--file-allocation=none",
            "-i",
            list,
            "-d",
            out,
          ]]);
        }
        for (const [tool, argv] of runs) {
          await Deno.remove(out, { recursive: true }).catch(() => {});
          await Deno.mkdir(out, { recursive: true });
          const r = await timeCommand(argv[0], argv.slice(1), { rss: true });
          if (r.code !== 0) throw new Error(`${argv.join(" ")} exited ${r.code}: ${r.stderr}`);
          const wrong = await verify(plan, CACHE, out);
          if (wrong) throw new Error(`${tool} on ${name}: wrong output: ${wrong}`);
          rows.push({
            stream: name,
            threads: n,
            tool,
            peakRss: r.peakRss ?? NaN,
            seconds: r.seconds,
          });
          console.error(`${name} N=${n} ${tool}: ${mib(r.peakRss ?? NaN)} MiB peak RSS`);
        }
      }
    }
  } finally {
    await server.close();
    await Deno.remove(out, { recursive: true }).catch(() => {});
  }
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
  const markdown = [
    "### Memory (peak RSS of the whole process, `dash get`)",
    "",
    table,
    "",
    ...notes.map((n) => `- ${n}`),
  ].join("\n");
  return { rows, notes, markdown };
}

if (import.meta.main) {
  const result = await runMemoryBench({ threads: listArg(Deno.args, "--threads", [4, 16]) });
  console.log(result.markdown);
}
