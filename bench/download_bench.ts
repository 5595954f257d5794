/**
 * Download throughput: `streamkit dash get` / `hls get` against `aria2c` fed the same URL
 * list and against `yt-dlp -f all`, at N parallel downloads, on a loopback server that adds a
 * fixed latency to every request.
 *
 * The stream (bench/make_stream.ts) is 120 s of ffmpeg-made video in 3 renditions plus
 * audio, as DASH (485 requests with the MPD) and as HLS (486 with the playlists), about
 * 80 MB each. It is served by tests/server.ts in its own process (one per latency), so the
 * server's work is never timed as part of a client. For every (stream, latency, N), each
 * contender runs `--rounds` times, the order rotating every round; the table shows the
 * median wall time (process start to exit, start-up included), its ratio to aria2c's, and
 * its ratio to the latency-bound limit `requests × latency / N + bytes / bandwidth`, where
 * bandwidth is measured (curl of a 200 MB file from the same server, best of 3).
 *
 * Every run's output is checked before its time counts: streamkit's and aria2c's files must
 * equal the served files byte for byte (and no file may be missing); each file yt-dlp writes
 * (one per format, fragments concatenated) must equal the concatenation of that
 * Representation's (or variant's) files in manifest order.
 *
 * Contenders (a missing tool is skipped and said so):
 * - `streamkit`: `deno run -A main.ts <dash|hls> get URL -o OUT -t N` (progress on, stderr a
 *   pipe: plain mode);
 * - `streamkit bundle`: the same from `deno bundle main.ts` (built here, into .bench/);
 * - `aria2c`: `aria2c -q -j N -x 1 --auto-save-interval=0 --file-allocation=none -i LIST -d
 *   OUT`, LIST holding every manifest and resource URL with `out=` set to streamkit's path;
 *   the two options stop aria2c from writing and fsync-ing a `.aria2` control file per
 *   download, which otherwise dominates its time on small files (see `aria2c defaults`);
 * - `aria2c defaults`: the same without those two options (with `--aria2-defaults`);
 * - `yt-dlp`: `yt-dlp --ignore-config -f all -N N --fixup never --no-progress -q
 *   --no-warnings -o OUT/%(format_id)s.%(ext)s URL` (formats one after the other, N fragments
 *   at a time within each).
 *
 * Run: `deno run -A bench/download_bench.ts [--rounds 3] [--threads 4,16] [--latency 20,0]
 *   [--streams dash,hls] [--no-bundle] [--no-ytdlp] [--aria2-defaults]`
 *
 * @module
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import {
  aria2cGet,
  CACHE,
  exists,
  listArg,
  listFiles,
  markdownTable,
  median,
  numberArg,
  planForPeers,
  type PlanJson,
  ratio,
  REPO,
  sameFile,
  secs,
  sourceOf,
  startServerProcess,
  streamkitRun,
  timeCommand,
  which,
} from "./common.ts";
import { ensureBigSegmentStream, ensureMediaStream } from "./make_stream.ts";

/** Which manifest format a run mirrors. */
export type StreamKind = "dash" | "hls";

/** Options of {@link runDownloadBench}. */
export interface DownloadBenchOptions {
  /** Runs of each contender per case. @default 3 */
  rounds: number;
  /** Parallel downloads. @default [4, 16] */
  threads: number[];
  /** Per-request latencies, ms. @default [20, 0] */
  latencies: number[];
  /** Which streams. @default ["dash", "hls"] */
  streams: StreamKind[];
  /** Also time the bundled streamkit. @default true */
  bundle: boolean;
  /** Time yt-dlp. @default true */
  ytdlp: boolean;
  /** Also time aria2c with its default control-file behaviour. @default false */
  aria2Defaults: boolean;
  /** Time `curl --parallel` on the same list, as a reference for a lean C client. @default true */
  curl: boolean;
}

/** One (stream, latency, N, contender) result. */
export interface DownloadRow {
  stream: StreamKind;
  latencyMs: number;
  threads: number;
  tool: string;
  /** Every run's seconds. */
  runs: number[];
  median: number;
  /** The latency-bound limit for this case, seconds, with the nominal latency. */
  limit: number;
  /** The same with the latency measured (time to first byte of a small file). */
  limitMeasured: number;
  /** Requests and bytes of the case. */
  requests: number;
  bytes: number;
}

/** What the benchmark measured. */
export interface DownloadBenchResult {
  rows: DownloadRow[];
  /** Bytes per second of one large download from the bench server. */
  bandwidth: number;
  /** Measured time to first byte of a small file, ms, per nominal latency. */
  ttfbMs: Record<number, number>;
  /** Notes: skipped tools, the exact commands. */
  notes: string[];
  /** The Markdown report. */
  markdown: string;
}

/** A case's fixed facts: its URL, plan, expected outputs. */
interface Case {
  kind: StreamKind;
  url: string;
  plan: PlanJson;
  requests: number;
  bytes: number;
  /** The served file behind each item, absolute. */
  sources: string[];
  /** sha256 of each owner's files concatenated in plan order. */
  concatHashes: string[];
  /** The aria2c input file. */
  ariaList: string;
  /** The curl config file (`url =` / `output =` pairs). */
  curlConfig: string;
}

/** A contender: how to run it into `out` and how to check what it wrote. */
interface Contender {
  name: string;
  argv: (c: Case, threads: number, out: string) => string[];
  verify: (c: Case, out: string) => Promise<string | undefined>;
}

const DENO = Deno.execPath();

/** Peers shown for reference only: one that writes wrong output is left out with a note. */
const REFERENCE_ONLY = new Set(["yt-dlp", "curl -Z"]);

async function sha256File(path: string, hash = createHash("sha256")): Promise<typeof hash> {
  using file = await Deno.open(path);
  const buf = new Uint8Array(1 << 20);
  for (;;) {
    const n = await file.read(buf);
    if (n === null) break;
    hash.update(buf.subarray(0, n));
  }
  return hash;
}

async function prepareCase(kind: StreamKind, baseUrl: string, root: string): Promise<Case> {
  const stream = await ensureMediaStream();
  const url = new URL(`media/${stream.manifests[kind]}`, baseUrl).href;
  const ariaList = join(CACHE, `aria2-${kind}.txt`);
  const plan = await planForPeers(kind, url, ariaList);
  const sources = plan.items.map((i) => sourceOf(root, i.url));
  let bytes = 0;
  for (const s of sources) bytes += (await Deno.stat(s)).size;
  for (const m of plan.manifests) bytes += (await Deno.stat(sourceOf(root, m.url))).size;
  const byOwner = new Map<string, string[]>();
  plan.items.forEach((item, i) => {
    const owner = item.owner ?? "";
    byOwner.set(owner, [...(byOwner.get(owner) ?? []), sources[i]]);
  });
  const concatHashes: string[] = [];
  for (const files of byOwner.values()) {
    const hash = createHash("sha256");
    for (const f of files) await sha256File(f, hash);
    concatHashes.push(hash.digest("hex"));
  }
  const curlConfig = join(CACHE, `curl-${kind}.cfg`);
  const quote = (v: string) => `"${v.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`;
  await Deno.writeTextFile(
    curlConfig,
    [...plan.manifests, ...plan.items].map((e) =>
      `url = ${quote(e.url)}\noutput = ${quote(e.path)}\n`
    )
      .join(""),
  );
  return {
    kind,
    url,
    plan,
    requests: plan.manifests.length + plan.items.length,
    bytes,
    sources,
    concatHashes,
    ariaList,
    curlConfig,
  };
}

/** Every planned item is in `out` at its path and equals the served file. */
async function verifyMirror(c: Case, out: string): Promise<string | undefined> {
  for (let i = 0; i < c.plan.items.length; i++) {
    const got = join(out, c.plan.items[i].path);
    if (!(await exists(got))) return `missing ${c.plan.items[i].path}`;
    if (!(await sameFile(got, c.sources[i]))) return `${c.plan.items[i].path} differs`;
  }
  for (const m of c.plan.manifests) {
    if (!(await exists(join(out, m.path)))) return `missing ${m.path}`;
  }
  const leftovers = (await listFiles(out)).filter((f) =>
    f.endsWith(".part") || f.endsWith(".aria2")
  );
  if (leftovers.length) return `left ${leftovers.length} partial files (${leftovers[0]})`;
  return undefined;
}

/** Each of yt-dlp's files is some owner's concatenation, and every owner is there. */
async function verifyConcat(c: Case, out: string): Promise<string | undefined> {
  const files = await listFiles(out);
  const seen = new Set<string>();
  for (const f of files) {
    const h = (await sha256File(join(out, f))).digest("hex");
    if (!c.concatHashes.includes(h)) return `${f} is not any Representation's concatenation`;
    seen.add(h);
  }
  const missing = c.concatHashes.filter((h) => !seen.has(h)).length;
  return missing ? `${missing} Representation(s) missing` : undefined;
}

/** The contenders available here; `notes` collects what was skipped and why. */
async function contenders(opts: DownloadBenchOptions, notes: string[]): Promise<Contender[]> {
  const list: Contender[] = [];
  const streamkit = (entry: string): Contender["argv"] => (c, n, out) => [
    DENO,
    ...streamkitRun(entry),
    c.kind,
    "get",
    c.url,
    "-o",
    out,
    "-t",
    String(n),
  ];
  list.push({ name: "streamkit", argv: streamkit(join(REPO, "main.ts")), verify: verifyMirror });
  if (opts.bundle) {
    const bundle = join(CACHE, "streamkit.js");
    const r = await timeCommand(DENO, ["bundle", "--output", bundle, join(REPO, "main.ts")]);
    if (r.code === 0) {
      list.push({ name: "streamkit bundle", argv: streamkit(bundle), verify: verifyMirror });
    } else notes.push(`streamkit bundle skipped: deno bundle failed (${r.stderr.trim()})`);
  }
  if (await which("aria2c")) {
    const aria = (tuned: boolean): Contender["argv"] => (c, n, out) =>
      aria2cGet(c.ariaList, out, n, tuned);
    list.push({
      name: "aria2c",
      argv: aria(true),
      verify: verifyMirror,
    });
    if (opts.aria2Defaults) {
      list.push({ name: "aria2c defaults", argv: aria(false), verify: verifyMirror });
    }
  } else notes.push("aria2c not found (apt-get install -y aria2): skipped, no ratios");
  if (opts.curl) {
    if (await which("curl")) {
      list.push({
        name: "curl -Z",
        argv: (c, n, out) => [
          "curl",
          "-s",
          "--fail",
          "-Z",
          "--parallel-max",
          String(n),
          "--create-dirs",
          "--output-dir",
          out,
          "-K",
          c.curlConfig,
        ],
        verify: verifyMirror,
      });
    } else notes.push("curl not found: the curl reference row is skipped");
  }
  if (opts.ytdlp) {
    if (await which("yt-dlp")) {
      list.push({
        name: "yt-dlp",
        argv: (c, n, out) => [
          "yt-dlp",
          "--ignore-config",
          "-f",
          "all",
          "-N",
          String(n),
          "--fixup",
          "never",
          "--no-progress",
          "-q",
          "--no-warnings",
          "-o",
          join(out, "%(format_id)s.%(ext)s"),
          c.url,
        ],
        verify: verifyConcat,
      });
    } else notes.push("yt-dlp not found (apt-get install -y yt-dlp): skipped");
  }
  return list;
}

/** Bytes per second of a 200 MB download from the server at `baseUrl` (best of 3). */
async function measureBandwidth(baseUrl: string): Promise<{ bps: number; how: string }> {
  await ensureBigSegmentStream();
  const url = new URL("big/seg-1.bin", baseUrl).href;
  let best = 0;
  const curl = await which("curl");
  for (let i = 0; i < 4; i++) {
    if (curl) {
      const r = await timeCommand(curl, [
        "-s",
        "-o",
        "/dev/null",
        "-w",
        "%{size_download} %{time_total}",
        url,
      ], { captureStdout: true });
      const [size, t] = r.stdout!.trim().split(" ").map(Number);
      if (i > 0) best = Math.max(best, size / t); // the first run warms the page cache
    } else {
      const t0 = performance.now();
      const res = await fetch(url);
      let size = 0;
      for await (const chunk of res.body!) size += chunk.length;
      if (i > 0) best = Math.max(best, size / ((performance.now() - t0) / 1000));
    }
  }
  return { bps: best, how: curl ? "curl -o /dev/null" : "Deno fetch (curl not found)" };
}

/** Median time to first byte (ms) of a small file from `baseUrl`, 15 sequential requests. */
async function measureTtfb(baseUrl: string): Promise<number> {
  const url = new URL("media/dash/manifest.mpd", baseUrl).href;
  const times: number[] = [];
  for (let i = 0; i < 16; i++) {
    const t0 = performance.now();
    const res = await fetch(url);
    const ms = performance.now() - t0;
    await res.arrayBuffer();
    if (i > 0) times.push(ms);
  }
  return median(times);
}

/** Runs the download benchmark and returns its rows and report. */
export async function runDownloadBench(
  options: Partial<DownloadBenchOptions> = {},
): Promise<DownloadBenchResult> {
  const opts: DownloadBenchOptions = {
    rounds: 3,
    threads: [4, 16],
    latencies: [20, 0],
    streams: ["dash", "hls"],
    bundle: true,
    ytdlp: true,
    aria2Defaults: false,
    curl: true,
    ...options,
  };
  const notes: string[] = [];
  await ensureMediaStream();
  const tools = await contenders(opts, notes);
  const servers = new Map<number, Awaited<ReturnType<typeof startServerProcess>>>();
  const rows: DownloadRow[] = [];
  const dropped = new Set<string>();
  const outRoot = join(CACHE, "out");
  let bandwidth = 0;
  const ttfbMs: Record<number, number> = {};
  try {
    for (const latency of new Set([0, ...opts.latencies])) {
      servers.set(latency, await startServerProcess(CACHE, latency));
    }
    const bw = await measureBandwidth(servers.get(0)!.url);
    bandwidth = bw.bps;
    notes.push(
      `loopback bandwidth: ${(bandwidth / 1e6).toFixed(0)} MB/s (${bw.how} of a 200 MB file ` +
        `from the bench server, best of 3)`,
    );
    for (const latency of opts.latencies) {
      ttfbMs[latency] = await measureTtfb(servers.get(latency)!.url);
    }
    notes.push(
      `measured time to first byte of a small file: ` +
        opts.latencies.map((l) => `${ttfbMs[l].toFixed(1)} ms at ${l} ms`).join(", "),
    );
    for (const kind of opts.streams) {
      for (const latency of opts.latencies) {
        const server = servers.get(latency)!;
        const c = await prepareCase(kind, server.url, CACHE);
        for (const n of opts.threads) {
          const limit = (c.requests * latency) / 1000 / n + c.bytes / bandwidth;
          const limitMeasured = (c.requests * ttfbMs[latency]) / 1000 / n + c.bytes / bandwidth;
          const times = new Map<string, number[]>(tools.map((t) => [t.name, []]));
          for (let round = 0; round < opts.rounds; round++) {
            for (let k = 0; k < tools.length; k++) {
              const tool = tools[(round + k) % tools.length];
              if (dropped.has(tool.name)) continue;
              const out = join(outRoot, tool.name.replaceAll(" ", "_"));
              await Deno.remove(out, { recursive: true }).catch(() => {});
              await Deno.mkdir(out, { recursive: true });
              const argv = tool.argv(c, n, out);
              const r = await timeCommand(argv[0], argv.slice(1));
              if (r.code !== 0) {
                throw new Error(`${argv.join(" ")} exited with ${r.code}:\n${r.stderr}`);
              }
              const wrong = await tool.verify(c, out);
              if (wrong && REFERENCE_ONLY.has(tool.name)) {
                // A reference peer that gets the stream wrong is left out, not the benchmark.
                notes.push(
                  `${tool.name} (${kind}, N=${n}) wrote wrong output (${wrong}): left out`,
                );
                dropped.add(tool.name);
                continue;
              }
              if (wrong) throw new Error(`${tool.name} (${kind}, N=${n}): wrong output: ${wrong}`);
              times.get(tool.name)!.push(r.seconds);
            }
          }
          const before = rows.length;
          for (const t of tools) {
            const runs = times.get(t.name)!;
            if (runs.length === 0) continue;
            rows.push({
              stream: kind,
              latencyMs: latency,
              threads: n,
              tool: t.name,
              runs,
              median: median(runs),
              limit,
              limitMeasured,
              requests: c.requests,
              bytes: c.bytes,
            });
          }
          const done = rows.slice(before).map((r) => `${r.tool} ${secs(r.median)}`);
          console.error(`${kind} ${latency} ms N=${n}: ${done.join(", ")}`);
        }
        if (latency === opts.latencies[0]) {
          notes.push(`${kind}: ${c.requests} requests, ${(c.bytes / 1e6).toFixed(1)} MB`);
        }
      }
    }
  } finally {
    for (const s of servers.values()) await s.close();
    await Deno.remove(outRoot, { recursive: true }).catch(() => {});
  }
  return { rows, bandwidth, ttfbMs, notes, markdown: report(rows, opts, notes) };
}

function report(rows: DownloadRow[], opts: DownloadBenchOptions, notes: string[]): string {
  const sameCase = (a: DownloadRow, b: DownloadRow) =>
    a.stream === b.stream && a.latencyMs === b.latencyMs && a.threads === b.threads;
  const table = markdownTable(
    ["stream", "latency", "N", "tool", "median s", "× aria2c", "× limit", "× limit′", "runs s"],
    rows.map((r) => {
      const aria = rows.find((a) => a.tool === "aria2c" && sameCase(a, r));
      return [
        r.stream,
        `${r.latencyMs} ms`,
        String(r.threads),
        r.tool,
        secs(r.median),
        ratio(r.median, aria?.median),
        ratio(r.median, r.limit),
        ratio(r.median, r.limitMeasured),
        r.runs.map(secs).join(" "),
      ];
    }),
  );
  const cases = rows.filter((r, i) => rows.findIndex((q) => sameCase(q, r)) === i);
  const limits = markdownTable(
    ["stream", "latency", "N", "requests", "MB", "limit s", "limit′ s"],
    cases.map((r) => [
      r.stream,
      `${r.latencyMs} ms`,
      String(r.threads),
      String(r.requests),
      (r.bytes / 1e6).toFixed(1),
      secs(r.limit),
      secs(r.limitMeasured),
    ]),
  );
  return [
    `### Download throughput (median of ${opts.rounds}, alternating runs)`,
    "",
    table,
    "",
    "limit = requests × latency / N + bytes / bandwidth; limit′ = the same with the latency " +
    "the server was measured to add (time to first byte) instead of the nominal one.",
    "",
    limits,
    "",
    ...notes.map((n) => `- ${n}`),
  ].join("\n");
}

if (import.meta.main) {
  const args = Deno.args;
  const result = await runDownloadBench({
    rounds: numberArg(args, "--rounds", 3),
    threads: listArg(args, "--threads", [4, 16]),
    latencies: listArg(args, "--latency", [20, 0]),
    streams: (args.includes("--streams")
      ? args[args.indexOf("--streams") + 1].split(",")
      : ["dash", "hls"]) as StreamKind[],
    bundle: !args.includes("--no-bundle"),
    ytdlp: !args.includes("--no-ytdlp"),
    aria2Defaults: args.includes("--aria2-defaults"),
    curl: !args.includes("--no-curl"),
  });
  console.log(result.markdown);
}
