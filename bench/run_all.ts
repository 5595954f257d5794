/**
 * `deno task bench`: runs every benchmark (download throughput, memory, hexdump, dash dump)
 * and prints a summary table of medians, ratios and targets, then each benchmark's own
 * table. The whole report is also written to `.bench/results.md`.
 *
 * Installs nothing. It says which tools it found; a missing peer (aria2c, yt-dlp, curl, xxd,
 * hexdump) is skipped, and ffmpeg, needed to make the test media, stops the download and
 * dump benchmarks with a message. Generated media is cached in `.bench/` (gitignored).
 *
 * Run: `deno task bench [--quick] [--only download,memory,hexdump,dump] [--rounds N]`
 * (`--quick`: one round, N = 4 and 20 ms only, 20 MB hexdump; for a smoke test).
 *
 * @module
 */
import { join } from "node:path";
import { CACHE, markdownTable, mib, numberArg, ratio, secs, which } from "./common.ts";
import { type DownloadBenchResult, runDownloadBench } from "./download_bench.ts";
import { type DumpBenchResult, runDumpBench } from "./dump_bench.ts";
import { type HexdumpBenchResult, runHexdumpBench } from "./hexdump_bench.ts";
import { type MemoryBenchResult, RSS_TARGET, runMemoryBench } from "./memory_bench.ts";

/** The tools the benchmarks use, and what each is for. */
const TOOLS: [string, string][] = [
  ["ffmpeg", "makes the test media (download and dump benchmarks need it)"],
  ["aria2c", "download peer (apt-get install -y aria2)"],
  ["yt-dlp", "download peer (apt-get install -y yt-dlp)"],
  ["curl", "download reference and bandwidth measurement"],
  ["xxd", "hexdump peer (apt-get install -y xxd)"],
  ["hexdump", "hexdump peer and output check (apt-get install -y bsdextrautils)"],
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

function summary(
  download?: DownloadBenchResult,
  memory?: MemoryBenchResult,
  hex?: HexdumpBenchResult,
  dump?: DumpBenchResult,
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
  if (dump) {
    rows.push([
      "dash dump, 501 files (50 MB), built-in",
      `${secs(dump.cli.withHex)} s`,
      `--no-hex ${secs(dump.cli.noHex)} s`,
      `dumper ${dump.dumperMBps.perFile.toFixed(0)} MB/s per file, ` +
      `${dump.dumperMBps.concatenated.toFixed(0)} MB/s on the concatenation`,
      "",
    ]);
  }
  return markdownTable(["case", "streamkit", "peer", "ratio (target)", "met"], rows);
}

if (import.meta.main) {
  const args = Deno.args;
  const quick = args.includes("--quick");
  const onlyAt = args.indexOf("--only");
  const only = new Set(
    onlyAt >= 0 ? args[onlyAt + 1].split(",") : ["download", "memory", "hexdump", "dump"],
  );
  const rounds = numberArg(args, "--rounds", quick ? 1 : 3);
  const header: string[] = ["## Benchmarks", "", ...(await machine()).map((l) => `- ${l}`)];
  const found: string[] = [];
  for (const [tool, why] of TOOLS) {
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
  const download = await attempt("download", () =>
    runDownloadBench({
      rounds,
      ...(quick ? { threads: [4], latencies: [20], bundle: false } : {}),
    }));
  const memory = await attempt("memory", () => runMemoryBench(quick ? { threads: [4] } : {}));
  const hex = await attempt("hexdump", () => runHexdumpBench({ sizeMb: quick ? 20 : 100, rounds }));
  const dump = await attempt("dump", () => runDumpBench({ rounds }));

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
    summary(download, memory, hex, dump),
    "",
    ...sections.flatMap((s) => [s, ""]),
  ].join("\n");
  console.log(report);
  await Deno.mkdir(CACHE, { recursive: true });
  await Deno.writeTextFile(join(CACHE, "results.md"), report);
  console.error(`\n(also written to ${join(CACHE, "results.md")})`);
}
