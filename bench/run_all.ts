/**
 * `deno task bench`: runs every benchmark (start-up, download throughput, many segments,
 * memory, hexdump, dash dump, mp4 dump) and prints a summary table of medians, ratios and
 * targets, then each benchmark's own table. The whole report is also written to
 * `.bench/results.md`.
 *
 * Installs nothing. It says which tools it found; a missing peer (aria2c, yt-dlp, curl, xxd,
 * hexdump) is skipped, and ffmpeg, needed to make the test media, stops the download and
 * dump benchmarks with a message. Generated media is cached in `.bench/` (gitignored).
 *
 * Run: `deno task bench [--quick] [--only startup,download,scale,memory,hexdump,dump,mp4dump]
 * [--rounds N] [--mp4dump PATH]` (`--quick`: one round, N = 4 and 20 ms only, up to 10,000
 * segments, no 2 GB segments, 20 MB hexdump; for a smoke test). Bento4's mp4dump is looked up
 * on PATH unless `--mp4dump` names it.
 *
 * @module
 */
import { join } from "node:path";
import { CACHE, markdownTable, mib, numberArg, ratio, secs, which } from "./common.ts";
import { type DownloadBenchResult, runDownloadBench } from "./download_bench.ts";
import { type DumpBenchResult, runDumpBench } from "./dump_bench.ts";
import { type HexdumpBenchResult, runHexdumpBench } from "./hexdump_bench.ts";
import {
  GROWTH_TARGET,
  type MemoryBenchResult,
  memoryGrowth,
  RSS_TARGET,
  runMemoryBench,
} from "./memory_bench.ts";
import { MP4_DUMP_TARGET, type Mp4DumpBenchResult, runMp4DumpBench } from "./mp4_dump_bench.ts";
import {
  rssGrowth,
  runScaleBench,
  SCALE_GROWTH_TARGET,
  SCALE_RSS_TARGET,
  type ScaleBenchResult,
} from "./scale_bench.ts";
import { runStartupBench, STARTUP_TARGET, type StartupBenchResult } from "./startup_bench.ts";

/** The tools the benchmarks use, and what each is for. */
const TOOLS: [string, string][] = [
  ["ffmpeg", "makes the test media (download and dump benchmarks need it)"],
  ["aria2c", "download peer (apt-get install -y aria2)"],
  ["yt-dlp", "download peer (apt-get install -y yt-dlp)"],
  ["curl", "download reference and bandwidth measurement"],
  ["xxd", "hexdump peer (apt-get install -y xxd)"],
  ["hexdump", "hexdump peer and output check (apt-get install -y bsdextrautils)"],
  ["mp4dump", "mp4 dump and dash dump peer (Bento4; or --mp4dump PATH)"],
];

async function sh(cmd: string): Promise<string> {
  try {
    const out = await new Deno.Command("sh", { args: ["-c", cmd], stderr: "null" }).output();
    return new TextDecoder().decode(out.stdout).trim();
  } catch {
    return "";
  }
}

/** The machine, in a few lines. */
async function machine(): Promise<string[]> {
  const cpu = (await sh("grep -m1 'model name' /proc/cpuinfo")).replace(/^model name\s*:\s*/, "");
  const mem = await sh("free -g | awk '/^Mem:/ {print $2}'");
  return [
    `CPU: ${cpu || "unknown"}, ${await sh("nproc")} CPUs (nproc); memory: ${mem} GiB (free -g)`,
    `OS: ${await sh("uname -sr")}; Deno ${Deno.version.deno} (V8 ${Deno.version.v8})`,
    `peers: ${await sh("aria2c --version 2>/dev/null | head -1") || "no aria2c"}; yt-dlp ${
      await sh("yt-dlp --version 2>/dev/null") || "absent"
    }; ${await sh("curl --version 2>/dev/null | head -1 | cut -d' ' -f1-2") || "no curl"}`,
  ];
}

async function loadAverage(): Promise<string> {
  try {
    return (await Deno.readTextFile("/proc/loadavg")).split(" ").slice(0, 3).join(" ");
  } catch {
    return "unknown";
  }
}

/** What each benchmark measured (those that ran). */
interface Results {
  download?: DownloadBenchResult;
  scale?: ScaleBenchResult;
  scaleTmpfs?: ScaleBenchResult;
  memory?: MemoryBenchResult;
  hex?: HexdumpBenchResult;
  dump?: DumpBenchResult;
  mp4dump?: Mp4DumpBenchResult;
  startup?: StartupBenchResult;
}

function summary(
  { download, scale, scaleTmpfs, memory, hex, dump, mp4dump, startup }: Results,
): string {
  const rows: string[][] = [];
  const yes = (ok: boolean) => (ok ? "yes" : "**no**");
  for (const r of download?.rows ?? []) {
    if (r.tool !== "streamkit") continue;
    const aria = download!.rows.find((a) =>
      a.tool === "aria2c" && a.stream === r.stream && a.latencyMs === r.latencyMs &&
      a.threads === r.threads
    );
    const checks = [aria ? `× aria2c ${ratio(r.median, aria.median)} (≤ 1.0)` : "no aria2c"];
    let met = aria ? r.median <= aria.median : true;
    if (r.latencyMs === 20) {
      checks.push(`× limit ${ratio(r.median, r.limit)} (≤ 1.3)`);
      met &&= r.median <= 1.3 * r.limit;
    }
    rows.push([
      `${r.stream} get, ${r.latencyMs} ms, N=${r.threads}`,
      `${secs(r.median)} s`,
      aria ? `aria2c ${secs(aria.median)} s` : "-",
      checks.join(", "),
      yes(met),
    ]);
  }
  for (const [where, result] of [["disk", scale], ["tmpfs", scaleTmpfs]] as const) {
    const most = Math.max(...(result?.rows ?? []).map((r) => r.count));
    for (const r of result?.rows ?? []) {
      if (r.tool !== "streamkit" || r.count !== most) continue;
      const aria = result!.rows.find((a) =>
        a.tool === "aria2c" && a.stream === r.stream && a.count === r.count
      );
      rows.push([
        `${r.stream} get, ${r.count.toLocaleString("en-US")} tiny segments, N=16, on ${where}`,
        `${secs(r.median)} s, ${mib(r.medianRss)} MiB`,
        aria ? `aria2c ${secs(aria.median)} s, ${mib(aria.medianRss)} MiB` : "-",
        `${aria ? `× aria2c ${ratio(r.median, aria.median)} (≤ 1.0), ` : ""}RSS < 150 MiB`,
        yes((!aria || r.median <= aria.median) && r.medianRss < SCALE_RSS_TARGET),
      ]);
    }
  }
  for (const g of scale ? rssGrowth(scale.rows) : []) {
    const growth = g.to.medianRss - g.from.medianRss;
    rows.push([
      `${g.stream} get, peak RSS ${g.from.count.toLocaleString("en-US")} → ` +
      `${g.to.count.toLocaleString("en-US")} segments`,
      `+${mib(growth)} MiB`,
      "",
      "< 30 MiB",
      yes(growth < SCALE_GROWTH_TARGET),
    ]);
  }
  for (const r of memory?.rows ?? []) {
    if (r.tool !== "streamkit") continue;
    rows.push([
      `dash get peak RSS, ${r.stream}, N=${r.threads}`,
      `${mib(r.peakRss)} MiB`,
      "",
      "< 150 MiB",
      yes(r.peakRss < RSS_TARGET),
    ]);
  }
  const growth = memory ? memoryGrowth(memory.rows) : undefined;
  if (growth !== undefined) {
    rows.push([
      "dash get peak RSS growth, 1,000 → 100,000 segments (memory bench)",
      `+${mib(growth)} MiB`,
      "",
      "< 30 MiB",
      yes(growth < GROWTH_TARGET),
    ]);
  }
  if (hex) {
    const sk = hex.medians["streamkit (program)"];
    const xxd = hex.medians["xxd"];
    const hd = hex.medians["hexdump -C -v"];
    rows.push([
      `hexdump of ${hex.sizeMb} MB (as a program)`,
      `${secs(sk)} s`,
      [xxd ? `xxd ${secs(xxd)} s` : "", hd ? `hexdump ${secs(hd)} s` : ""].filter(Boolean)
        .join(", "),
      `× xxd ${ratio(sk, xxd)} (≤ 1.0); same bytes as hexdump -C -v: ${
        hex.identical === undefined ? "not checked" : hex.identical ? "yes" : "NO"
      }`,
      yes((xxd === undefined || sk <= xxd) && hex.identical !== false),
    ]);
  }
  if (dump?.scripts) {
    const sc = dump.scripts;
    for (
      const [how, t] of [["mp4dump on PATH", sc.mp4dumpEngine], ["built-in", sc.builtin]] as const
    ) {
      rows.push([
        `dash dump, 501 files (50 MB), ${how}`,
        `${secs(t)} s`,
        `scripts ${secs(sc.scripts)} s`,
        `× scripts ${ratio(t, sc.scripts)} (≤ 0.25); same outputs: ${sc.same ? "yes" : "NO"}`,
        yes(t <= 0.25 * sc.scripts && sc.same),
      ]);
    }
  }
  if (dump?.many) {
    rows.push([
      `dash dump, ${dump.many.segments.toLocaleString("en-US")} segments, built-in`,
      `${secs(dump.many.seconds)} s, ${mib(dump.many.peakRss)} MiB`,
      `501 files: ${mib(dump.many.fewPeakRss)} MiB`,
      "streamed (no file whole in memory); peak RSS < 150 MiB",
      yes(dump.many.peakRss < RSS_TARGET),
    ]);
  }
  for (const r of mp4dump?.rows ?? []) {
    rows.push([
      `mp4 dump --verbosity 3, ${(r.bytes / 1e6).toFixed(0)} MB, ${r.moofs} moofs`,
      `${secs(r.streamkit)} s, ${mib(r.rssStreamkit)} MiB`,
      `mp4dump ${secs(r.mp4dump)} s`,
      `× mp4dump ${ratio(r.streamkit, r.mp4dump)} (≤ ${MP4_DUMP_TARGET}); same bytes: ${
        r.same ? "yes" : "NO"
      }`,
      yes(r.streamkit <= MP4_DUMP_TARGET * r.mp4dump && r.same),
    ]);
  }
  const empty = startup?.rows[0];
  for (const r of startup?.rows ?? []) {
    if (!r.target || !empty) continue;
    rows.push([
      r.name,
      `${r.median.toFixed(1)} ms`,
      `empty script ${empty.median.toFixed(1)} ms`,
      `× empty ${ratio(r.median, empty.median)} (≤ ${STARTUP_TARGET})`,
      yes(r.median <= STARTUP_TARGET * empty.median),
    ]);
  }
  return markdownTable(["case", "streamkit", "peer", "ratio (target)", "met"], rows);
}

if (import.meta.main) {
  const args = Deno.args;
  const quick = args.includes("--quick");
  const onlyAt = args.indexOf("--only");
  const only = new Set(
    onlyAt >= 0
      ? args[onlyAt + 1].split(",")
      : ["startup", "download", "scale", "memory", "hexdump", "dump", "mp4dump"],
  );
  const rounds = numberArg(args, "--rounds", quick ? 1 : 3);
  const header: string[] = ["## Benchmarks", "", ...(await machine()).map((l) => `- ${l}`)];
  const found: string[] = [];
  const named = args.indexOf("--mp4dump") >= 0;
  for (const [tool, why] of TOOLS) {
    if (tool === "mp4dump" && named) continue;
    if (!(await which(tool))) found.push(`missing ${tool}: ${why}`);
  }
  header.push(...found.map((l) => `- ${l}`));
  const load0 = await loadAverage();
  console.error(header.join("\n"));
  const started = performance.now();

  const sections: string[] = [];
  const attempt = async <T extends { markdown: string }>(
    name: string,
    run: () => Promise<T>,
  ): Promise<T | undefined> => {
    if (!only.has(name)) return undefined;
    console.error(`\n== ${name} ==`);
    try {
      const result = await run();
      sections.push(result.markdown);
      return result;
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      sections.push(`### ${name}\n\nnot run: ${why}`);
      console.error(`${name}: not run: ${why}`);
      Deno.exitCode = 1;
      return undefined;
    }
  };
  const mp4dumpAt = args.indexOf("--mp4dump");
  const mp4dumpPath = mp4dumpAt >= 0 ? args[mp4dumpAt + 1] : undefined;
  const results: Results = {};
  results.startup = await attempt("startup", () => runStartupBench({ rounds: quick ? 5 : 21 }));
  results.download = await attempt("download", () =>
    runDownloadBench({
      rounds,
      ...(quick ? { threads: [4], latencies: [20], bundle: false } : {}),
    }));
  const scaleRuns = quick ? { rounds: 1, counts: [1_000, 10_000] } : { rounds };
  results.scale = await attempt("scale", () => runScaleBench(scaleRuns));
  // The same on tmpfs: without the disk's metadata costs, which drift from run to run.
  results.scaleTmpfs = await attempt("scale", () => runScaleBench({ ...scaleRuns, tmpfs: true }));
  results.memory = await attempt(
    "memory",
    () => runMemoryBench(quick ? { counts: [1_000, 10_000], huge: false } : {}),
  );
  results.hex = await attempt(
    "hexdump",
    () => runHexdumpBench({ sizeMb: quick ? 20 : 100, rounds }),
  );
  results.dump = await attempt("dump", () => runDumpBench({ rounds, mp4dump: mp4dumpPath }));
  results.mp4dump = await attempt(
    "mp4dump",
    async () =>
      (await runMp4DumpBench({ runs: quick ? 3 : 9, mp4dump: mp4dumpPath })) ??
        { rows: [], markdown: "### mp4 dump\n\nnot run: mp4dump not found (--mp4dump PATH)" },
  );

  const minutes = ((performance.now() - started) / 60000).toFixed(1);
  header.push(
    `- load average (1, 5, 15 min) at the start: ${load0}; at the end: ${await loadAverage()}; ` +
      `took ${minutes} min`,
    "",
    "Reproduce: `deno task bench` (generated media is cached in `.bench/`).",
  );
  const report = [
    ...header,
    "",
    "### Summary",
    "",
    summary(results),
    "",
    ...sections.flatMap((s) => [s, ""]),
  ].join("\n");
  console.log(report);
  await Deno.mkdir(CACHE, { recursive: true });
  await Deno.writeTextFile(join(CACHE, "results.md"), report);
  console.error(`\n(also written to ${join(CACHE, "results.md")})`);
}
