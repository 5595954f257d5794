/**
 * Benchmark: streamkit's in-process `hexdumpFile` against `hexdump -C -v` and `xxd`.
 *
 * Makes a file of real-ish media data (the reference `.m4s` segments repeated; seeded
 * pseudo-random bytes if there are none) in a temporary directory, then times each tool
 * writing its dump to a file there, alternating tools round by round, and prints the median
 * time, throughput and ratio to `xxd` of each. Checks that streamkit's dump equals hexdump's.
 * Installs nothing: a missing peer tool is reported and skipped.
 *
 * Run: `deno run -A bench/hexdump_bench.ts [--size MB] [--rounds N]` (defaults: 100 MB, 3 rounds).
 *
 * streamkit is timed twice: inside this process (`hexdumpFile`, no Deno start-up) and as a
 * program (`deno run -A bench/hexdump_file.ts IN OUT`, start-up included, like the peers);
 * the peers are timed as `sh -c 'exec tool ... > out'` subprocesses. Each output file is
 * removed before its run, outside the timing.
 *
 * @module
 */
import { join } from "node:path";
import { hexdumpFile } from "../src/dump/hexdump.ts";
import { markdownTable } from "./common.ts";

/** Where reference media may be found, first match wins. */
const MEDIA_DIRS = [
  new URL("../tests/fixtures/reference/dash-avc-aac/", import.meta.url).pathname,
  "/work/shared/reference/dash-avc-aac/",
];

/** Parses `--size MB` and `--rounds N`. */
function parseArgs(args: string[]): { sizeMb: number; rounds: number } {
  let sizeMb = 100;
  let rounds = 3;
  for (let i = 0; i < args.length; i++) {
    const value = Number(args[i + 1]);
    if (args[i] === "--size" && value > 0) [sizeMb, i] = [value, i + 1];
    else if (args[i] === "--rounds" && Number.isInteger(value) && value >= 1) {
      [rounds, i] = [value, i + 1];
    } else {
      throw new Error(`usage: hexdump_bench.ts [--size MB] [--rounds N] (bad: ${args[i]})`);
    }
  }
  return { sizeMb, rounds };
}

/** Concatenated `.m4s` files of the first media directory that has any, or undefined. */
async function referenceMedia(): Promise<{ bytes: Uint8Array; from: string } | undefined> {
  for (const dir of MEDIA_DIRS) {
    const names: string[] = [];
    try {
      for await (const entry of Deno.readDir(dir)) {
        if (entry.isFile && entry.name.endsWith(".m4s")) names.push(entry.name);
      }
    } catch {
      continue;
    }
    if (names.length === 0) continue;
    names.sort();
    const parts = await Promise.all(names.map((n) => Deno.readFile(join(dir, n))));
    const bytes = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
    let at = 0;
    for (const p of parts) {
      bytes.set(p, at);
      at += p.length;
    }
    return { bytes, from: `${names.length} .m4s files in ${dir}` };
  }
  return undefined;
}

/** Seeded pseudo-random bytes (xorshift32). */
function seededBytes(length: number, seed: number): Uint8Array {
  const bytes = new Uint8Array(length);
  let x = seed;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    bytes[i] = x & 255;
  }
  return bytes;
}

/** Writes `size` bytes made of `seed` repeated to `path`. */
async function writeRepeated(path: string, seed: Uint8Array, size: number): Promise<void> {
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  try {
    for (let at = 0; at < size;) {
      const part = seed.subarray(0, Math.min(seed.length, size - at));
      for (let done = 0; done < part.length;) done += await file.write(part.subarray(done));
      at += part.length;
    }
  } finally {
    file.close();
  }
}

/** Whether `tool` runs at all (`tool args`, output discarded). */
async function available(tool: string, args: string[]): Promise<boolean> {
  try {
    const r = await new Deno.Command(tool, { args, stdout: "null", stderr: "null" }).output();
    return r.success;
  } catch {
    return false;
  }
}

/** Runs `sh -c 'exec "$@" > out'` and returns its wall time in milliseconds. */
async function timeShell(argv: string[], out: string): Promise<number> {
  const t0 = performance.now();
  const r = await new Deno.Command("sh", {
    args: ["-c", 'out="$1"; shift; exec "$@" > "$out"', "sh", out, ...argv],
    stdout: "null",
    stderr: "inherit",
  }).output();
  const ms = performance.now() - t0;
  if (!r.success) throw new Error(`${argv.join(" ")} failed with code ${r.code}`);
  return ms;
}

/** Whether two files have identical contents (`cmp -s`, else a streamed comparison). */
async function sameFile(a: string, b: string): Promise<boolean> {
  if (await available("cmp", ["--version"])) {
    return (await new Deno.Command("cmp", { args: ["-s", a, b] }).output()).success;
  }
  const [x, y] = await Promise.all([Deno.readFile(a), Deno.readFile(b)]);
  return x.length === y.length && x.every((v, i) => v === y[i]);
}

/** The median of `values`. */
function median(values: number[]): number {
  const s = [...values].sort((p, q) => p - q);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/** One contender: a name and a function that dumps `input` to `out`, returning milliseconds. */
interface Contender {
  name: string;
  out: string;
  run: (input: string, out: string) => Promise<number>;
}

/** What {@link runHexdumpBench} measured. */
export interface HexdumpBenchResult {
  /** Median seconds per contender. */
  medians: Record<string, number>;
  /** Size of the input, MB. */
  sizeMb: number;
  /** Whether streamkit's dump equals `hexdump -C -v`'s (undefined without hexdump). */
  identical?: boolean;
  /** The Markdown report. */
  markdown: string;
}

/** Runs the benchmark on `sizeMb` MB, `rounds` rounds. */
export async function runHexdumpBench(
  { sizeMb = 100, rounds = 3 }: { sizeMb?: number; rounds?: number } = {},
): Promise<HexdumpBenchResult> {
  const size = Math.round(sizeMb * 1_000_000);
  const notes: string[] = [];
  const dir = await Deno.makeTempDir({ prefix: "streamkit_hexdump_bench_" });
  try {
    const media = await referenceMedia();
    const seed = media?.bytes ?? seededBytes(4 << 20, 0x5eed);
    notes.push(`input: ${size} bytes of ${media?.from ?? "seeded pseudo-random bytes"}`);
    const input = join(dir, "input.m4s");
    await writeRepeated(input, seed, size);

    const contenders: Contender[] = [{
      name: "streamkit hexdumpFile",
      out: join(dir, "streamkit.hex"),
      run: async (i, o) => {
        const t0 = performance.now();
        await hexdumpFile(i, o);
        return performance.now() - t0;
      },
    }, {
      name: "streamkit (program)",
      out: join(dir, "streamkit-program.hex"),
      run: (i, o) =>
        timeShell(
          [
            Deno.execPath(),
            "run",
            "-A",
            new URL("hexdump_file.ts", import.meta.url).pathname,
            i,
            o,
          ],
          "/dev/null",
        ),
    }];
    if (await available("hexdump", ["-C", "-v", "/dev/null"])) {
      contenders.push({
        name: "hexdump -C -v",
        out: join(dir, "hexdump.hex"),
        run: (i, o) => timeShell(["hexdump", "-C", "-v", i], o),
      });
    } else notes.push("hexdump not found: skipped (and no output check)");
    if (await available("xxd", ["-v"])) {
      contenders.push({
        name: "xxd",
        out: join(dir, "xxd.hex"),
        run: (i, o) => timeShell(["xxd", i], o),
      });
    } else notes.push("xxd not found: skipped");

    const times = new Map<string, number[]>(contenders.map((c) => [c.name, []]));
    const rssBefore = Deno.memoryUsage().rss;
    let rssPeak = rssBefore;
    for (let round = 0; round < rounds; round++) {
      // Rotate the order each round so no tool always runs first (cold) or last.
      for (let k = 0; k < contenders.length; k++) {
        const c = contenders[(round + k) % contenders.length];
        await Deno.remove(c.out).catch(() => {});
        times.get(c.name)!.push(await c.run(input, c.out));
        rssPeak = Math.max(rssPeak, Deno.memoryUsage().rss);
      }
      console.error(`hexdump: round ${round + 1}/${rounds} done`);
    }

    const xxd = times.get("xxd");
    const xxdMedian = xxd ? median(xxd) : undefined;
    const medians: Record<string, number> = {};
    const rows = contenders.map((c) => {
      const ms = median(times.get(c.name)!);
      medians[c.name] = ms / 1000;
      return [
        c.name,
        (ms / 1000).toFixed(3),
        (size / 1e6 / (ms / 1000)).toFixed(1),
        xxdMedian ? (ms / xxdMedian).toFixed(2) : "-",
        times.get(c.name)!.map((t) => (t / 1000).toFixed(3)).join(" "),
      ];
    });
    const mb = (n: number) => (n / (1 << 20)).toFixed(0);
    notes.push(
      `this process's RSS while dumping in-process: ${mb(rssBefore)} MiB before, ` +
        `${mb(rssPeak)} MiB peak`,
    );
    let identical: boolean | undefined;
    const hexdump = contenders.find((c) => c.name === "hexdump -C -v");
    if (hexdump) {
      identical = await sameFile(contenders[0].out, hexdump.out) &&
        await sameFile(contenders[1].out, hexdump.out);
      notes.push(`streamkit's output ${identical ? "equals" : "DIFFERS FROM"} hexdump -C -v's`);
    }
    const markdown = [
      `### Hexdump of ${sizeMb} MB (median of ${rounds}, output to a file)`,
      "",
      markdownTable(["tool", "median s", "MB/s", "× xxd", "runs s"], rows),
      "",
      ...notes.map((n) => `- ${n}`),
    ].join("\n");
    return { medians, sizeMb, identical, markdown };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

if (import.meta.main) {
  const result = await runHexdumpBench(parseArgs(Deno.args));
  console.log(result.markdown);
  if (result.identical === false) Deno.exitCode = 1;
}
