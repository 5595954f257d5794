/**
 * Helpers the benchmarks share: where things live, finding peer tools, timing subprocesses,
 * measuring a subprocess's peak RSS, medians, comparing files, starting the loopback server
 * as a separate process, and printing Markdown tables.
 *
 * Nothing here installs anything: a missing tool is reported by {@link which} and the
 * benchmark that needs it skips it.
 *
 * @module
 */
import { join } from "node:path";

/** The repository root. */
export const REPO: string = join(import.meta.dirname!, "..");

/** The benchmark cache (generated media, outputs); gitignored. */
export const CACHE: string = join(REPO, ".bench");

/**
 * The V8 flags of deno.json's `streamkit` task (and of the compiled binary): streamkit is timed
 * and measured as it is shipped.
 */
export const V8_FLAGS: string[] = (() => {
  const config = JSON.parse(Deno.readTextFileSync(join(REPO, "deno.json")));
  const task: string = config.tasks?.streamkit ?? "";
  return task.split(/\s+/).filter((a) => a.startsWith("--v8-flags="));
})();

/**
 * `deno` arguments that run `entry` (main.ts, or a bundle of it) as the `streamkit` task does,
 * with every permission: `["run", "-A", ...V8_FLAGS, entry]`.
 */
export function streamkitRun(entry: string = join(REPO, "main.ts")): string[] {
  return ["run", "-A", ...V8_FLAGS, entry];
}

/** The plan streamkit prints with `--dry-run --json` (the fields the benchmarks use). */
export interface PlanJson {
  manifests: { url: string; path: string }[];
  items: { url: string; path: string; owner?: string }[];
}

/** The served file behind `url`, the server's root being `root`. */
export function sourceOf(root: string, url: string): string {
  return join(root, decodeURIComponent(new URL(url).pathname).replace(/^\/+/, ""));
}

/**
 * streamkit's own plan of `url` (`<kind> get URL --dry-run --json`), and the same list of
 * resources as aria2c's input file at `ariaList`: every manifest and item, `out=` set to
 * streamkit's path, so both write the same tree.
 */
export async function planForPeers(
  kind: "dash" | "hls",
  url: string,
  ariaList: string,
): Promise<PlanJson> {
  const r = await timeCommand(
    Deno.execPath(),
    [...streamkitRun(), kind, "get", url, "--dry-run", "--json"],
    { captureStdout: true },
  );
  if (r.code !== 0) throw new Error(`streamkit ${kind} get --dry-run failed: ${r.stderr}`);
  const plan = JSON.parse(r.stdout!) as PlanJson;
  const lines = [...plan.manifests, ...plan.items].map((e) => `${e.url}\n  out=${e.path}\n`);
  await Deno.writeTextFile(ariaList, lines.join(""));
  return plan;
}

/** The command line of `streamkit <kind> get URL -o OUT -t N -q`, as shipped. */
export function streamkitGet(kind: "dash" | "hls", url: string, out: string, n: number): string[] {
  return [Deno.execPath(), ...streamkitRun(), kind, "get", url, "-o", out, "-t", `${n}`, "-q"];
}

/**
 * The command line of aria2c fetching `ariaList` into `out`, N at a time, one connection each;
 * `tuned` (the default) stops it writing and fsync-ing a control file per download.
 */
export function aria2cGet(ariaList: string, out: string, n: number, tuned = true): string[] {
  const extra = tuned ? ["--auto-save-interval=0", "--file-allocation=none"] : [];
  return ["aria2c", "-q", "-j", `${n}`, "-x", "1", ...extra, "-i", ariaList, "-d", out];
}

/** Full path of `tool` on PATH, or undefined. */
export async function which(tool: string): Promise<string | undefined> {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    if (!dir) continue;
    const p = join(dir, tool);
    try {
      const st = await Deno.stat(p);
      if (st.isFile && st.mode !== null && (st.mode & 0o111) !== 0) return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** The median of `values` (the mean of the middle two for an even count). */
export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** What one timed subprocess did. */
export interface TimedRun {
  /** Wall-clock seconds from spawn to exit. */
  seconds: number;
  /** Exit code. */
  code: number;
  /** Standard error (the last 4 KiB), for messages when it failed. */
  stderr: string;
  /** Standard output, when `captureStdout` was asked for. */
  stdout?: string;
  /** Peak resident set size in bytes, when `rss` was asked for. */
  peakRss?: number;
}

/** Options of {@link timeCommand}. */
export interface TimeOptions {
  /** Working directory. */
  cwd?: string;
  /** Extra environment. */
  env?: Record<string, string>;
  /** Keep stdout (otherwise discarded). */
  captureStdout?: boolean;
  /** Measure the process's peak RSS (`VmHWM` sampled from /proc, the last value before exit). */
  rss?: boolean;
}

const TIME_BIN = "/usr/bin/time";

/**
 * Runs `cmd args` and times it, wall clock, from spawn to exit. With `rss`, the peak RSS
 * comes from GNU time's `%M` when `/usr/bin/time` exists (it wraps the command and adds
 * about a millisecond), else from polling `/proc/<pid>/status` every 5 ms.
 */
export async function timeCommand(
  cmd: string,
  args: string[],
  options: TimeOptions = {},
): Promise<TimedRun> {
  let argv = [cmd, ...args];
  let rssFile: string | undefined;
  const useTime = options.rss && await exists(TIME_BIN);
  if (useTime) {
    rssFile = await Deno.makeTempFile({ prefix: "streamkit_bench_rss_" });
    argv = [TIME_BIN, "-f", "%M", "-o", rssFile, ...argv];
  }
  const t0 = performance.now();
  const child = new Deno.Command(argv[0], {
    args: argv.slice(1),
    cwd: options.cwd,
    env: options.env,
    stdin: "null",
    stdout: options.captureStdout ? "piped" : "null",
    stderr: "piped",
  }).spawn();
  let polled = 0;
  let polling = true;
  const poll = options.rss && !useTime
    ? (async () => {
      while (polling) {
        try {
          const status = await Deno.readTextFile(`/proc/${child.pid}/status`);
          const m = /VmHWM:\s+(\d+) kB/.exec(status);
          if (m) polled = Math.max(polled, Number(m[1]) * 1024);
        } catch {
          // gone
        }
        await new Promise((r) => setTimeout(r, 5));
      }
    })()
    : undefined;
  const [out, err, status] = await Promise.all([
    options.captureStdout ? new Response(child.stdout).text() : Promise.resolve(undefined),
    new Response(child.stderr).text(),
    child.status,
  ]);
  const seconds = (performance.now() - t0) / 1000;
  polling = false;
  await poll;
  let peakRss: number | undefined = options.rss ? polled : undefined;
  if (rssFile) {
    const text = await Deno.readTextFile(rssFile);
    await Deno.remove(rssFile);
    const kb = Number(text.trim().split("\n").pop());
    if (Number.isFinite(kb)) peakRss = kb * 1024;
  }
  return { seconds, code: status.code, stderr: err.slice(-4096), stdout: out, peakRss };
}

/** Whether `path` exists. */
export async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch {
    return false;
  }
}

/** Whether two files have identical contents (streamed, 1 MiB at a time). */
export async function sameFile(a: string, b: string): Promise<boolean> {
  const [sa, sb] = await Promise.all([Deno.stat(a), Deno.stat(b)]);
  if (sa.size !== sb.size) return false;
  using fa = await Deno.open(a);
  using fb = await Deno.open(b);
  const ba = new Uint8Array(1 << 20);
  const bb = new Uint8Array(1 << 20);
  for (;;) {
    const na = await readFull(fa, ba);
    const nb = await readFull(fb, bb);
    if (na !== nb) return false;
    if (na === 0) return true;
    for (let i = 0; i < na; i++) if (ba[i] !== bb[i]) return false;
  }
}

/** Reads until `buf` is full or the file ends; returns the bytes read. */
async function readFull(file: Deno.FsFile, buf: Uint8Array): Promise<number> {
  let n = 0;
  while (n < buf.length) {
    const r = await file.read(buf.subarray(n));
    if (r === null) break;
    n += r;
  }
  return n;
}

/** Every file under `dir`, as sorted paths relative to it (POSIX separators). */
export async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  async function walk(d: string, prefix: string): Promise<void> {
    for await (const e of Deno.readDir(d)) {
      const rel = prefix ? `${prefix}/${e.name}` : e.name;
      if (e.isDirectory) await walk(join(d, e.name), rel);
      else out.push(rel);
    }
  }
  await walk(dir, "");
  return out.sort();
}

/** Total size of the files under `dir`. */
export async function treeSize(dir: string): Promise<number> {
  let total = 0;
  for (const f of await listFiles(dir)) total += (await Deno.stat(join(dir, f))).size;
  return total;
}

/** A loopback server running in its own process. */
export interface ServerProcess extends AsyncDisposable {
  /** Its base URL, with a trailing slash. */
  url: string;
  /** Stops it. */
  close(): Promise<void>;
}

/**
 * Starts tests/server.ts as a separate process serving `root` with `latencyMs` added to
 * every request, and waits for its URL.
 */
export async function startServerProcess(root: string, latencyMs: number): Promise<ServerProcess> {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-net",
      "--allow-read",
      join(REPO, "tests", "server.ts"),
      "--root",
      root,
      "--latency",
      String(latencyMs),
    ],
    stdin: "null",
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  while (!text.includes("\n")) {
    const { done, value } = await reader.read();
    if (done) throw new Error("the loopback server exited before printing its URL");
    text += value;
  }
  const url = text.split("\n")[0].trim();
  // Keep draining stdout so the server never blocks on a full pipe.
  const drain = (async () => {
    try {
      while (!(await reader.read()).done) { /* discard */ }
    } catch {
      // closed
    }
  })();
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    try {
      child.kill("SIGTERM");
    } catch {
      // already gone
    }
    await child.status;
    await drain;
  };
  return { url, close, [Symbol.asyncDispose]: close };
}

/** A Markdown table from a header and rows. */
export function markdownTable(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (c ?? "").padEnd(widths[i])).join(" | ")} |`;
  return [
    line(header),
    `| ${widths.map((w) => "-".repeat(w)).join(" | ")} |`,
    ...rows.map(line),
  ].join("\n");
}

/** Seconds with three decimals. */
export function secs(s: number): string {
  return Number.isFinite(s) ? s.toFixed(3) : "-";
}

/** A ratio with two decimals, or "-". */
export function ratio(a: number, b: number | undefined): string {
  return b !== undefined && Number.isFinite(a) && Number.isFinite(b) && b > 0
    ? (a / b).toFixed(2)
    : "-";
}

/** Mebibytes, no decimals. */
export function mib(bytes: number): string {
  return (bytes / (1 << 20)).toFixed(0);
}

/** Reads `--name value` from `args` as a number, or `fallback`. */
export function numberArg(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const n = Number(args[i + 1]);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} needs a positive number`);
  return n;
}

/** Reads `--name a,b,c` from `args` as numbers, or `fallback`. */
export function listArg(args: string[], name: string, fallback: number[]): number[] {
  const i = args.indexOf(name);
  if (i < 0) return fallback;
  const ns = (args[i + 1] ?? "").split(",").map(Number);
  if (ns.length === 0 || ns.some((n) => !Number.isFinite(n) || n < 0)) {
    throw new Error(`${name} needs a comma-separated list of numbers`);
  }
  return ns;
}

/** Writes `bytes` at the current position of `file`, all of it. */
export async function writeAll(file: Deno.FsFile, bytes: Uint8Array): Promise<void> {
  for (let off = 0; off < bytes.length;) off += await file.write(bytes.subarray(off));
}
