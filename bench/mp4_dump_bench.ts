/**
 * Throughput of the built-in box dumper (MB/s of input at `--verbosity 3`) on a large
 * concatenated DASH Representation, side by side with Bento4's `mp4dump` when it is on PATH.
 *
 * Run: `deno run -A bench/mp4_dump_bench.ts [--repeat N]`
 *
 * The input is built in a temporary directory from the reference segments in
 * tests/fixtures/reference/dash-avc-aac: init + every media segment of a Representation in
 * manifest order, that whole sequence repeated N times (default 1000, about 170 MB for the
 * video Representation).
 *
 * @module
 */
import { join } from "node:path";
import { dumpMp4 } from "../src/mp4/dump.ts";

const ROOT = join(import.meta.dirname!, "..");
const DASH = join(ROOT, "tests", "fixtures", "reference", "dash-avc-aac");

function representation(id: string): Uint8Array {
  const names = [...Deno.readDirSync(DASH)].map((e) => e.name)
    .filter((n) => n.startsWith(`chunk-stream${id}-`)).sort();
  const parts = [`init-stream${id}.m4s`, ...names].map((n) => Deno.readFileSync(join(DASH, n)));
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

async function buildInput(dir: string, id: string, repeat: number): Promise<string> {
  const one = representation(id);
  const path = join(dir, `rep${id}x${repeat}.m4s`);
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  try {
    for (let i = 0; i < repeat; i++) {
      let done = 0;
      while (done < one.length) done += await file.write(one.subarray(done));
    }
  } finally {
    file.close();
  }
  return path;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function timeCommand(cmd: string, args: string[]): Promise<number> {
  const t0 = performance.now();
  const out = await new Deno.Command(cmd, { args, stdout: "null", stderr: "piped" }).output();
  const ms = performance.now() - t0;
  if (!out.success) {
    throw new Error(`${cmd} failed: ${new TextDecoder().decode(out.stderr)}`);
  }
  return ms / 1000;
}

async function onPath(name: string): Promise<boolean> {
  try {
    const out = await new Deno.Command("sh", {
      args: ["-c", `command -v ${name}`],
      stdout: "null",
      stderr: "null",
    }).output();
    return out.success;
  } catch {
    return false;
  }
}

const repeatArg = Deno.args.indexOf("--repeat");
const repeat = repeatArg >= 0 ? Number(Deno.args[repeatArg + 1]) : 1000;
const RUNS = 3;
const dir = await Deno.makeTempDir({ prefix: "streamkit_bench_" });
try {
  const hasMp4dump = await onPath("mp4dump");
  console.log(`mp4 dump benchmark (median of ${RUNS} runs, --verbosity 3)`);
  for (const id of ["0", "2"]) {
    const path = await buildInput(dir, id, repeat);
    const mb = (await Deno.stat(path)).size / 1e6;
    console.log(`\nRepresentation ${id} x${repeat}: ${mb.toFixed(1)} MB`);
    for (const format of ["text", "json"] as const) {
      const secs: number[] = [];
      let chars = 0;
      for (let i = 0; i < RUNS; i++) {
        chars = 0;
        const t0 = performance.now();
        await dumpMp4(path, (t) => {
          chars += t.length;
        }, { verbosity: 3, format });
        secs.push((performance.now() - t0) / 1000);
      }
      const s = median(secs);
      console.log(
        `  built-in, in process, ${format.padEnd(4)}: ${(mb / s).toFixed(1).padStart(7)} MB/s` +
          `  (${s.toFixed(3)} s, ${(chars / 1e6).toFixed(1)} M chars of output)`,
      );
    }
    const cli: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      cli.push(
        await timeCommand(Deno.execPath(), [
          "run",
          "-A",
          join(ROOT, "main.ts"),
          "mp4",
          "dump",
          "--verbosity",
          "3",
          path,
        ]),
      );
    }
    const c = median(cli);
    console.log(
      `  streamkit mp4 dump (subprocess, > /dev/null): ${(mb / c).toFixed(1).padStart(7)} MB/s` +
        `  (${c.toFixed(3)} s, startup included)`,
    );
    if (hasMp4dump) {
      const ext: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        ext.push(await timeCommand("mp4dump", ["--verbosity", "3", path]));
      }
      const e = median(ext);
      console.log(
        `  mp4dump (subprocess, > /dev/null):           ${(mb / e).toFixed(1).padStart(7)} MB/s` +
          `  (${e.toFixed(3)} s)`,
      );
    }
  }
  if (!hasMp4dump) console.log("\nmp4dump: absent from PATH, no side-by-side comparison.");
} finally {
  await Deno.remove(dir, { recursive: true });
}
